/**
 * Servicing, per deal: its waterfall definition, the trustee's collections, distributions for a
 * payment date, and the trustee reports.
 */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { cashAmount, decimalString, idParams, isoDate, limitParam, nonNegativeDecimal } from '../schemas.js';
import { Decimal } from '../../domain/decimal.js';
import { getDeal } from '../../refdata/deals.js';
import { collectionCalendar, correctCollection, listCollections, recordCollection } from '../../servicing/collections.js';
import { getWaterfall, saveWaterfall } from '../../servicing/definition.js';
import { anyVersionSchema, waterfallDefinitionSchema } from '../../waterfall/index.js';
import { runDistribution } from '../../servicing/distribution.js';
import { reportAsSeenBy, trusteeReports } from '../../servicing/report.js';
import { seesAllParties } from '../../auth/roles.js';
import { notifyDistribution, notifyHoldsLowered } from '../../settlement/trading-sync.js';
import { adjustedExecutions, reamountAfterPublication } from '../../servicing/reamount.js';
import type { AppServices } from '../services.js';
import { actorOf } from '../../audit/index.js';

const percent = nonNegativeDecimal.refine((v) => new Decimal(v).lte(100), 'must be a percentage from 0 to 100');
const moneyOrZero = nonNegativeDecimal.refine((v) => new Decimal(v).decimalPlaces() <= 2, 'must have at most 2 decimal places');

/** Either all five figures, or none (then taken from the period's performance reports). */
const figures = {
  revenue: cashAmount.optional(),
  operatingCosts: moneyOrZero.optional(),
  utilization: percent.optional(),
  uptime: percent.optional(),
  powerCost: moneyOrZero.optional(),
};

const collectionInput = z
  .object({
    reference: z.string().trim().min(1).max(100),
    paymentDate: isoDate,
    periodStart: isoDate.optional(),
    periodEnd: isoDate.optional(),
    ...figures,
  })
  .strict();

const correctionInput = z.object({ reason: z.string().trim().min(1).max(500), ...figures }).strict();

function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * Trades re-amounted by a distribution: a second sweep once trading prices on the new factor
 * (trades done while the distribution committed), the lowered holds told to the sequencer, and
 * both parties of each trade told over their executions feed.
 */
async function publishAdjustments(services: AppServices, outcome: Awaited<ReturnType<typeof runDistribution>>): Promise<void> {
  if (outcome.replayed || outcome.recordDate === null) return;
  const late = await reamountAfterPublication(services.knex, outcome.notes, outcome.report.paymentDate, outcome.recordDate);
  const adjustments = [...outcome.adjustments, ...late];
  if (adjustments.length === 0) return;
  await notifyHoldsLowered(
    services.sequencer,
    adjustments.flatMap((a) => (a.loweredHold ? [a.loweredHold] : [])),
  );
  const views = await adjustedExecutions(services.knex, adjustments);
  services.events.publish({ kind: 'executions_adjusted', views }, (error) =>
    services.logger.error({ err: error }, 'an executions listener failed'),
  );
}

export const servicingRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/waterfall',
    summary: "The deal's waterfall (priority of payments) as data: its ordered steps and triggers (version 2)",
    tag: 'servicing',
    access: 'user',
    params: idParams,
    response: waterfallDefinitionSchema,
    handler: async ({ params, services }) => ({ body: await getWaterfall(services.knex, (await getDeal(services.knex, params.id)).id) }),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/deals/:id/waterfall',
    summary:
      "Define or replace the deal's waterfall: steps and triggers (version 2), or the fixed shape of version 1, stored converted to steps; a definition that cannot run is INVALID_WATERFALL naming the step",
    tag: 'servicing',
    access: ['backoffice', 'operator'],
    params: idParams,
    body: anyVersionSchema,
    response: waterfallDefinitionSchema,
    handler: async ({ params, body, principal, services }) => {
      const deal = await getDeal(services.knex, params.id);
      return { body: await saveWaterfall(services.knex, deal.id, body, actorOf(requirePrincipal(principal))) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/deals/:id/collections',
    summary:
      "Record collections for one of the deal's payment dates: revenue, operating costs (power cost a component), utilization, uptime — or none of them to take them from the period's performance reports (idempotent by reference)",
    tag: 'servicing',
    access: ['backoffice'],
    params: idParams,
    body: collectionInput,
    successStatus: 201,
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const result = await recordCollection(services.knex, params.id, defined(body), viewer.userId, actorOf(viewer));
      return { status: result.status, body: result.collection };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/deals/:id/collections/:reference/corrections',
    summary:
      'Correct a collection before its distribution: a new version (same reference) that reverses and replaces the old one, with a reason',
    tag: 'servicing',
    access: ['backoffice'],
    params: z.object({ id: z.string().min(1).max(100), reference: z.string().trim().min(1).max(100) }).strict(),
    body: correctionInput,
    successStatus: 201,
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const result = await correctCollection(services.knex, params.id, params.reference, defined(body), viewer.userId, actorOf(viewer));
      return { status: result.status, body: result.collection };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/collection-calendar',
    summary: "The deal's payment dates up to the next one, each with its collection period and whether it was distributed",
    tag: 'servicing',
    access: 'user',
    params: idParams,
    query: z.object({ count: limitParam(6, 60) }).strict(),
    handler: async ({ params, query, services }) => ({ body: await collectionCalendar(services.knex, params.id, query.count) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/collections',
    summary: 'Collections recorded for the deal',
    tag: 'servicing',
    access: ['backoffice', 'operator'],
    params: idParams,
    query: z.object({ paymentDate: isoDate.optional() }).strict(),
    handler: async ({ params, query, services }) => ({
      body: await listCollections(services.knex, (await getDeal(services.knex, params.id)).id, query.paymentDate),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/deals/:id/distributions',
    summary: "Run the deal's waterfall for a payment date and pay the holders of record (a repeat returns the stored report)",
    tag: 'servicing',
    access: ['backoffice'],
    params: idParams,
    body: z
      .object({
        paymentDate: isoDate,
        /** Rate fixings for the period by index (percent), e.g. {SOFR: "4.31"}: override the stored fixing in effect (rate-fixings). */
        fixings: z.record(z.string().regex(/^[A-Z][A-Z0-9_-]{0,19}$/), decimalString).optional(),
      })
      .strict(),
    successStatus: 201,
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const outcome = await runDistribution(services.knex, params.id, body.paymentDate, viewer.userId, actorOf(viewer), body.fixings ?? {});
      await notifyDistribution(services.sequencer, outcome.credits, outcome.notes);
      await publishAdjustments(services, outcome);
      return { status: outcome.replayed ? 200 : 201, body: outcome.report };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/trustee-reports',
    summary: 'Trustee reports per payment date, newest first',
    tag: 'servicing',
    access: 'user',
    params: idParams,
    query: z.object({ paymentDate: isoDate.optional() }).strict(),
    handler: async ({ params, query, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const reports = await trusteeReports(services.knex, (await getDeal(services.knex, params.id)).id, query.paymentDate);
      return { body: seesAllParties(viewer.roles) ? reports : reports.map((report) => reportAsSeenBy(report, viewer.partyId)) };
    },
  }),
];
