/**
 * Servicing, per deal: its waterfall definition, the trustee's collections, distributions for a
 * payment date, and the trustee reports.
 */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { cashAmount, idParams, isoDate, nonNegativeDecimal } from '../schemas.js';
import { Decimal } from '../../domain/decimal.js';
import { getDeal } from '../../refdata/deals.js';
import { listCollections, recordCollection } from '../../servicing/collections.js';
import { getWaterfall, saveWaterfall } from '../../servicing/definition.js';
import { anyVersionSchema, waterfallDefinitionSchema } from '../../waterfall/index.js';
import { runDistribution } from '../../servicing/distribution.js';
import { trusteeReports } from '../../servicing/report.js';
import { notifyDistribution } from '../../settlement/trading-sync.js';

const percent = nonNegativeDecimal.refine((v) => new Decimal(v).lte(100), 'must be a percentage from 0 to 100');
const moneyOrZero = nonNegativeDecimal.refine((v) => new Decimal(v).decimalPlaces() <= 2, 'must have at most 2 decimal places');

const collectionInput = z.object({
  reference: z.string().trim().min(1).max(100),
  paymentDate: isoDate,
  periodStart: isoDate,
  periodEnd: isoDate,
  revenue: cashAmount,
  operatingCosts: moneyOrZero,
  utilization: percent,
  uptime: percent,
  powerCost: moneyOrZero,
}).strict();

export const servicingRoutes = [
  defineRoute({
    method: 'get', path: '/api/v1/deals/:id/waterfall', summary: 'The deal\'s waterfall (priority of payments) as data: its ordered steps and triggers (version 2)', tag: 'servicing', access: 'user',
    params: idParams, response: waterfallDefinitionSchema,
    handler: async ({ params, services }) => ({ body: await getWaterfall(services.knex, (await getDeal(services.knex, params.id)).id) }),
  }),
  defineRoute({
    method: 'put', path: '/api/v1/deals/:id/waterfall',
    summary: 'Define or replace the deal\'s waterfall: steps and triggers (version 2), or the fixed shape of version 1, stored converted to steps; a definition that cannot run is INVALID_WATERFALL naming the step',
    tag: 'servicing', access: ['backoffice', 'operator'],
    params: idParams, body: anyVersionSchema, response: waterfallDefinitionSchema,
    handler: async ({ params, body, services }) => {
      const deal = await getDeal(services.knex, params.id);
      return { body: await saveWaterfall(services.knex, deal.id, body) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/deals/:id/collections', summary: 'Record collections for a payment date: revenue, operating costs, utilization, uptime, power cost (idempotent by reference)', tag: 'servicing',
    access: ['backoffice'], params: idParams, body: collectionInput, successStatus: 201,
    handler: async ({ params, body, principal, services }) => {
      const result = await recordCollection(services.knex, params.id, body, requirePrincipal(principal).userId);
      return { status: result.status, body: result.collection };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/deals/:id/collections', summary: 'Collections recorded for the deal', tag: 'servicing', access: ['backoffice', 'operator'],
    params: idParams, query: z.object({ paymentDate: isoDate.optional() }).strict(),
    handler: async ({ params, query, services }) => ({ body: await listCollections(services.knex, (await getDeal(services.knex, params.id)).id, query.paymentDate) }),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/deals/:id/distributions', summary: 'Run the deal\'s waterfall for a payment date and pay the holders of record (a repeat returns the stored report)', tag: 'servicing',
    access: ['backoffice'], params: idParams, body: z.object({ paymentDate: isoDate }).strict(), successStatus: 201,
    handler: async ({ params, body, principal, services }) => {
      const outcome = await runDistribution(services.knex, params.id, body.paymentDate, requirePrincipal(principal).userId);
      await notifyDistribution(services.sequencer, outcome.credits, outcome.notes);
      return { status: outcome.replayed ? 200 : 201, body: outcome.report };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/deals/:id/trustee-reports', summary: 'Trustee reports per payment date, newest first', tag: 'servicing', access: 'user',
    params: idParams, query: z.object({ paymentDate: isoDate.optional() }).strict(),
    handler: async ({ params, query, services }) => ({ body: await trusteeReports(services.knex, (await getDeal(services.knex, params.id)).id, query.paymentDate) }),
  }),
];
