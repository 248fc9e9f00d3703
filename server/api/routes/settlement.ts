/**
 * Settlement: instructions and their state, settlement runs (gross or net) with progress,
 * cancelling an open instruction, and each party's daily statement (JSON or CSV).
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { isoDate, limitParam, pagingId } from '../schemas.js';
import { seesAllParties } from '../../auth/roles.js';
import type { Principal } from '../../auth/tokens.js';
import { currentBusinessDate } from '../../businessdate/index.js';
import { getParty } from '../../refdata/parties.js';
import { cancelInstruction } from '../../settlement/cancel.js';
import { referenceRateFromEnvironment } from '../../settlement/fail-charge.js';
import { getRun, instructionView, listInstructions, listRuns, referenceRates } from '../../settlement/queries.js';
import { runSettlement } from '../../settlement/run.js';
import { instructionAsSeenBy } from '../../settlement/privacy.js';
import { partyStatement, statementCsv } from '../../settlement/statements.js';
import { notifyReleasedHolds, notifySettled } from '../../settlement/trading-sync.js';
import { INSTRUCTION_STATUSES } from '../../settlement/types.js';
import { withRegistryState } from '../../registry/queries.js';
import { OUTBOX_STATUSES } from '../../registry/types.js';
import { actorOf } from '../../audit/index.js';

const instructionSchema = z.object({
  id: z.string(),
  tradeId: z.string(),
  noteId: z.string(),
  buyerPartyId: z.string().nullable(),
  sellerPartyId: z.string().nullable(),
  quantity: z.string(),
  netAmount: z.string(),
  tradeDate: z.string(),
  settlementDate: z.string(),
  status: z.enum(INSTRUCTION_STATUSES),
  failedSide: z.enum(['buyer', 'seller', 'both']).nullable(),
  failSince: z.string().nullable(),
  failAgeBusinessDays: z.number().nullable(),
  failCharge: z.string(),
  failChargePayer: z.enum(['seller']).nullable(),
  failChargeEntryId: z.string().nullable(),
  originalNetAmount: z.string().nullable(),
  attempts: z.number(),
  lastAttemptDate: z.string().nullable(),
  settledDate: z.string().nullable(),
  settlementMode: z.string().nullable(),
  entryId: z.string().nullable(),
  runId: z.string().nullable(),
  cancelReason: z.string().nullable(),
});

/** With the on-chain registry on: the state of the instruction's transfer on chain (null until it settles). */
const listedInstructionSchema = instructionSchema.extend({
  registry: z
    .object({
      status: z.enum(OUTBOX_STATUSES),
      txHash: z.string().nullable(),
      blockNumber: z.number().nullable(),
      lastError: z.string().nullable(),
    })
    .nullable()
    .optional(),
});

const runSchema = z.object({
  id: z.string(),
  date: z.string(),
  mode: z.string(),
  status: z.string(),
  total: z.number(),
  processed: z.number(),
  settled: z.number(),
  failed: z.number(),
  instructionsCreated: z.number(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  settledAmount: z.string(),
  settledFace: z.string(),
  failedAmount: z.string(),
  failedFace: z.string(),
  createdBy: z.string().nullable(),
});

const partyIdParam = z.string().min(1).max(100);

/** The party whose data the viewer asks for: its own by default; others only for back office and operators. */
async function viewedParty(db: Knex, viewer: Principal, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === viewer.partyId) return viewer.partyId;
  if (!seesAllParties(viewer.roles)) throw new ApiError('FORBIDDEN', "a user sees only its own party's settlements");
  return (await getParty(db, requested)).id;
}

export const settlementRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/settlements',
    summary: 'Settlement instructions with their state, newest first (own party; back office and operators: all)',
    tag: 'settlement',
    access: 'user',
    query: z
      .object({
        date: isoDate.optional(),
        status: z.enum(INSTRUCTION_STATUSES).optional(),
        partyId: partyIdParam.optional(),
        noteId: z.string().uuid().optional(),
        limit: limitParam(200, 5000),
      })
      .strict(),
    response: z.array(listedInstructionSchema),
    handler: async ({ query, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const partyId =
        query.partyId === undefined && seesAllParties(viewer.roles) ? undefined : await viewedParty(services.knex, viewer, query.partyId);
      const asOf = await currentBusinessDate(services.knex);
      const list = await listInstructions(
        services.knex,
        {
          limit: query.limit,
          ...(partyId ? { partyId } : {}),
          ...(query.date ? { date: query.date } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.noteId ? { noteId: query.noteId } : {}),
        },
        asOf,
        await referenceRates(services.knex),
      );
      // An investor or dealer sees its own side only: the counterparty of an anonymous trade stays unnamed.
      const visible = seesAllParties(viewer.roles) ? list : list.map((view) => instructionAsSeenBy(view, viewer.partyId));
      return { body: await withRegistryState(services.knex, visible) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/settlements/run',
    summary: 'Settle every open instruction due on or before the date (not after the business date); gross by default, or net',
    tag: 'settlement',
    access: ['backoffice'],
    idempotent: true,
    body: z.object({ date: isoDate, mode: z.enum(['gross', 'net']).default('gross') }).strict(),
    response: z.object({
      runId: z.string(),
      date: z.string(),
      mode: z.string(),
      instructionsCreated: z.number(),
      due: z.number(),
      settled: z.number(),
      failed: z.number(),
      chunks: z.number(),
      durationMs: z.number(),
    }),
    handler: async ({ body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const summary = await runSettlement(
        services.knex,
        {
          date: body.date,
          mode: body.mode,
          createdBy: viewer.userId,
          referenceRatePercent: referenceRateFromEnvironment(),
          actor: actorOf(viewer),
        },
        { afterChunk: (settled, charges) => notifySettled(services.sequencer, settled, charges) },
      );
      services.events.publish({ kind: 'settlement_run', runId: summary.runId, date: summary.date }, (error) =>
        services.logger.error({ err: error }, 'a settlement run listener failed'),
      );
      return { body: summary };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/settlements/runs',
    summary:
      'Settlement-run history, newest first: progress, settled and failed counts and amounts (cash and face), who ran it; one date, or dates from..to',
    tag: 'settlement',
    access: ['backoffice', 'operator'],
    query: z
      .object({
        date: isoDate.optional(),
        from: isoDate.optional(),
        to: isoDate.optional(),
        before: pagingId.optional(),
        limit: limitParam(20, 500),
      })
      .strict()
      .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
        message: 'from must not be after to',
        path: ['from'],
      }),
    response: z.array(runSchema),
    handler: async ({ query, services }) => ({
      body: await listRuns(services.knex, {
        limit: query.limit,
        ...(query.date ? { date: query.date } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.before ? { beforeId: query.before } : {}),
      }),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/settlements/runs/:id',
    summary: 'One settlement run and its progress',
    tag: 'settlement',
    access: ['backoffice', 'operator'],
    params: z.object({ id: z.string().min(1).max(100) }).strict(),
    response: runSchema,
    handler: async ({ params, services }) => ({ body: await getRun(services.knex, params.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/settlements/:id/cancel',
    summary: 'Cancel an open (pending or failed) instruction and release its trade holds',
    tag: 'settlement',
    access: ['backoffice'],
    params: z.object({ id: z.string().min(1).max(100) }).strict(),
    body: z
      .object({ reason: z.string().trim().min(1).max(200).default('cancelled by the back office') })
      .strict()
      .optional(),
    response: instructionSchema,
    handler: async ({ params, body, principal, services }) => {
      const result = await cancelInstruction(
        services.knex,
        params.id,
        body?.reason ?? 'cancelled by the back office',
        actorOf(requirePrincipal(principal)),
      );
      await notifyReleasedHolds(
        services.sequencer,
        result.releasedHolds.map((h) => h.reference),
      );
      const instruction = instructionView(
        result.instruction,
        await currentBusinessDate(services.knex),
        await referenceRates(services.knex),
      );
      services.events.publish(
        { kind: 'settlement_changed', partyIds: [instruction.buyerPartyId, instruction.sellerPartyId], instruction },
        (error) => services.logger.error({ err: error }, 'a settlement listener failed'),
      );
      return { body: instruction };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/statements',
    summary:
      "A party's daily statement: trades, settlements, distributions (interest and principal apart), movements, fails, closing balances (JSON or CSV)",
    tag: 'settlement',
    access: 'user',
    query: z
      .object({ partyId: partyIdParam.optional(), date: isoDate.optional(), format: z.enum(['json', 'csv']).default('json') })
      .strict(),
    handler: async ({ query, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const partyId = await viewedParty(services.knex, viewer, query.partyId);
      const date = query.date ?? (await currentBusinessDate(services.knex));
      const full = await partyStatement(services.knex, partyId, date, await referenceRates(services.knex));
      const statement = seesAllParties(viewer.roles)
        ? full
        : {
            ...full,
            settlements: full.settlements.map((s) => instructionAsSeenBy(s, partyId)),
            fails: full.fails.map((s) => instructionAsSeenBy(s, partyId)),
          };
      if (query.format === 'csv') return { body: statementCsv(statement), contentType: 'text/csv; charset=utf-8' };
      return { body: statement };
    },
  }),
];
