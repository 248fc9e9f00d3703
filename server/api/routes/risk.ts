/**
 * Look-through risk: the obligor register and its relationships (operator-maintained, readable by
 * every user), a party's exposures by ultimate obligor, sponsor, GPU vendor, GPU model and region,
 * and its concentration limits.
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { actorOf } from '../../audit/index.js';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { idParams } from '../schemas.js';
import type { Principal } from '../../auth/tokens.js';
import { seesAllParties } from '../../auth/roles.js';
import { getParty } from '../../refdata/parties.js';
import { DIMENSIONS } from '../../risk/exposure.js';
import { exposuresCsv, partyExposures } from '../../risk/exposures.js';
import { partyScenario } from '../../risk/contagion.js';
import { scenarioCsv } from '../../risk/contagion-csv.js';
import { nonNegativeDecimal } from '../schemas.js';
import { Decimal } from '../../domain/decimal.js';
import { getLimits, limitsRequest, limitsToWire, putLimits } from '../../risk/limits.js';
import {
  addRelationship,
  createObligor,
  getObligor,
  listObligors,
  listRelationships,
  obligorInput,
  obligorPatch,
  relationshipInput,
  updateObligor,
} from '../../risk/obligors.js';
import { importCsv } from '../../risk/obligors-csv.js';
import { concentrationGuardOf } from '../../trading/order-entry.js';

const CSV = 'text/csv; charset=utf-8';

/** Investors and dealers see only their own party (another → 403); back office and operators any. */
async function viewedParty(db: Knex, viewer: Principal, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === viewer.partyId) return viewer.partyId;
  if (!seesAllParties(viewer.roles)) throw new ApiError('FORBIDDEN', "a user sees only its own party's exposures");
  return (await getParty(db, requested)).id;
}

const percent = nonNegativeDecimal.refine((v) => !/^\d+(\.\d+)?$/.test(v) || new Decimal(v).lte(100), 'at most 100');
const scenarioRequest = z
  .object({
    defaults: z
      .array(z.object({ obligorId: z.string().uuid(), month: z.number().int().min(1).max(600), recoveryPercent: percent }).strict())
      .min(1)
      .max(20)
      .refine((d) => new Set(d.map((x) => x.obligorId)).size === d.length, 'each obligor defaults once'),
    gpuValueShockPercent: percent.optional(),
  })
  .strict();

export const riskRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/obligors',
    summary: 'The obligor register: every company with its parent, ultimate obligor, rating and sector',
    tag: 'risk',
    access: 'user',
    handler: async ({ services }) => ({ body: await listObligors(services.knex) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/obligors/:id',
    summary: 'A company with every relationship it is on either side of',
    tag: 'risk',
    access: 'user',
    params: idParams,
    handler: async ({ params, services }) => ({ body: await getObligor(services.knex, params.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/obligors',
    summary: 'Add a company to the obligor register',
    tag: 'risk',
    access: ['operator'],
    body: obligorInput,
    successStatus: 201,
    handler: async ({ body, principal, services }) => ({
      status: 201,
      body: await createObligor(services.knex, body, actorOf(requirePrincipal(principal))),
    }),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/obligors/:id',
    summary: "Change a company's name, parent, rating or sector",
    tag: 'risk',
    access: ['operator'],
    params: idParams,
    body: obligorPatch,
    handler: async ({ params, body, principal, services }) => ({
      body: await updateObligor(services.knex, params.id, body, actorOf(requirePrincipal(principal))),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/obligors/:id/relationships',
    summary: 'Record a relationship of the company to a deal or another company, with its source and as-of date',
    tag: 'risk',
    access: ['operator'],
    params: idParams,
    body: relationshipInput,
    successStatus: 201,
    handler: async ({ params, body, principal, services }) => ({
      status: 201,
      body: await addRelationship(services.knex, params.id, body, actorOf(requirePrincipal(principal))),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/obligors/import',
    summary: 'Import companies and relationships from CSV (all rows or none)',
    tag: 'risk',
    access: ['operator'],
    body: z.object({ csv: z.string().min(1).max(2_000_000) }).strict(),
    handler: async ({ body, principal, services }) => ({
      body: await importCsv(services.knex, body.csv, actorOf(requirePrincipal(principal))),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/relationships',
    summary: 'Every relationship of the obligor register (the relationship web)',
    tag: 'risk',
    access: 'user',
    handler: async ({ services }) => ({ body: await listRelationships(services.knex) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/risk/exposures',
    summary: "A party's look-through exposure by ultimate obligor, sponsor, GPU vendor, GPU model or region, with concentration",
    tag: 'risk',
    access: 'user',
    query: z
      .object({
        by: z.enum(DIMENSIONS).default('obligor'),
        partyId: z.string().uuid().optional(),
        format: z.enum(['json', 'csv']).default('json'),
      })
      .strict(),
    handler: async ({ query, principal, services }) => {
      const partyId = await viewedParty(services.knex, requirePrincipal(principal), query.partyId);
      const report = await partyExposures(services.knex, services.sequencer, partyId, query.by);
      return query.format === 'csv' ? { body: exposuresCsv(report), contentType: CSV } : { body: report };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/risk/scenarios',
    summary:
      "A contagion scenario on a party's holdings: obligor defaults (and a GPU value shock) run through each deal's projection, per holding and in total",
    tag: 'risk',
    access: 'user',
    query: z.object({ partyId: z.string().uuid().optional(), format: z.enum(['json', 'csv']).default('json') }).strict(),
    body: scenarioRequest,
    handler: async ({ query, body, principal, services }) => {
      const partyId = await viewedParty(services.knex, requirePrincipal(principal), query.partyId);
      const result = await partyScenario(services.knex, services.sequencer, partyId, body);
      return query.format === 'csv' ? { body: scenarioCsv(result), contentType: CSV } : { body: result };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/risk/limits',
    summary: "This party's concentration limits",
    tag: 'risk',
    access: ['investor', 'dealer'],
    handler: async ({ principal, services }) => ({
      body: limitsToWire(await getLimits(services.knex, requirePrincipal(principal).partyId)),
    }),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/risk/limits',
    summary: "Replace this party's concentration limits (max share of portfolio value per key, warn or hard)",
    tag: 'risk',
    access: ['investor', 'dealer'],
    body: limitsRequest,
    handler: async ({ body, principal, services }) => {
      const partyId = requirePrincipal(principal).partyId;
      const limits = await putLimits(services.knex, partyId, body, actorOf(requirePrincipal(principal)));
      concentrationGuardOf(services).invalidate(partyId);
      return { body: limitsToWire(limits) };
    },
  }),
];
