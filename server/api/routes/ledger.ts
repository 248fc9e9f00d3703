/** Balances, journal entries, and cash moving in and out of parties' accounts. */
import { z } from 'zod';
import type { Knex } from 'knex';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { cashAmount, limitParam, pagingId } from '../schemas.js';
import { seesAllParties } from '../../auth/roles.js';
import type { Principal } from '../../auth/tokens.js';
import { Decimal } from '../../domain/decimal.js';
import { CASH_ASSET, journalEntries, partyBalances } from '../../ledger/index.js';
import { getParty } from '../../refdata/parties.js';
import { cashEntryKey, moveCash as moveCashInSequence } from '../../sequencer/cash.js';
import type { AppServices } from '../services.js';
import { sequencerOf } from '../../trading/order-entry.js';
import { partyPositions, type BookTop } from '../../desk/positions.js';
import { actorOf } from '../../audit/index.js';

const balanceSchema = z.object({
  asset: z.string(),
  total: z.string(),
  held: z.string(),
  available: z.string(),
  creditLine: z.string().optional(),
  creditUsed: z.string().optional(),
  creditAvailable: z.string().optional(),
});

/** The party whose data the viewer asks for: its own by default; others only for back office and operators. */
async function viewedParty(db: Knex, viewer: Principal, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === viewer.partyId) return viewer.partyId;
  if (!seesAllParties(viewer.roles)) throw new ApiError('FORBIDDEN', "a user sees only its own party's data");
  return (await getParty(db, requested)).id;
}

const cashMovement = z
  .object({ partyId: z.string().min(1).max(100), amount: cashAmount, reference: z.string().trim().min(1).max(100) })
  .strict();

const cashMovementResult = z.object({
  entryId: z.string(),
  partyId: z.string(),
  amount: z.string(),
  reference: z.string(),
  businessDate: z.string(),
  balance: balanceSchema,
});

type CashDirection = 'deposit' | 'withdrawal';

/**
 * A cash movement is sequenced (it changes what the party can commit to orders); a repeat of the
 * same reference answers with the original entry, the same reference with another amount is 409.
 */
async function moveCash(services: AppServices, viewer: Principal, direction: CashDirection, input: z.infer<typeof cashMovement>) {
  const party = await getParty(services.knex, input.partyId);
  const amount = new Decimal(input.amount);
  const key = cashEntryKey({ direction, partyId: party.id, reference: input.reference });
  const replay = await replayOf(services.knex, key, party.id, amount);
  if (replay) return { status: 200, body: replay };
  // Only the request whose movement the sequencer took answers 201; a concurrent repeat of the same
  // reference (refused by the sequencer's race guard as the same request) answers 200 with the
  // original entry, like any later repeat (issue 14).
  let status = 201;
  try {
    await sequencerOf(services).execute((state) =>
      moveCashInSequence(state, {
        direction,
        partyId: party.id,
        amount,
        reference: input.reference,
        createdBy: viewer.userId,
        actor: actorOf(viewer),
      }),
    );
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'IDEMPOTENCY_CONFLICT' && error.details.sameRequest === true)) throw error;
    status = 200;
  }
  const posted = await replayOf(services.knex, key, party.id, amount);
  if (!posted) throw new Error(`cash entry ${key} is missing after its batch committed`);
  if (status === 201)
    services.events.publish({ kind: 'balances_changed', partyIds: [party.id] }, (error) =>
      services.logger.error({ err: error }, 'a balances listener failed'),
    );
  return { status, body: posted };
}

/** The committed entry for this key, as the API answers it; 409 when the key was used with another amount. */
async function replayOf(db: Knex, key: string, partyId: string, amount: Decimal) {
  const entry: { id: string; business_date: string; metadata: { reference?: string } } | undefined = await db('ledger_entries')
    .where({ idempotency_key: key })
    .first();
  if (!entry) return null;
  const posting: { amount: string } | undefined = await db('ledger_postings as p')
    .join('ledger_accounts as a', 'a.id', 'p.account_id')
    .where({ 'p.entry_id': entry.id, 'a.party_id': partyId })
    .first('p.amount');
  if (!posting || !new Decimal(posting.amount).abs().eq(amount)) {
    throw new ApiError('IDEMPOTENCY_CONFLICT', 'this reference was already used with another amount', {
      reference: entry.metadata.reference,
    });
  }
  const balance = (await partyBalances(db, partyId)).find((b) => b.asset === CASH_ASSET);
  return {
    entryId: String(entry.id),
    partyId,
    amount: amount.toFixed(2),
    reference: entry.metadata.reference ?? '',
    businessDate: entry.business_date,
    balance,
  };
}

const positionSchema = z.object({
  noteId: z.string(),
  originalFace: z.string(),
  factor: z.string(),
  currentFace: z.string(),
  markPrice: z.string(),
  markSource: z.enum(['mid', 'last', 'model']),
  marketValue: z.string(),
  accruedInterest: z.string(),
  averageCost: z.string(),
  unrealizedPnl: z.string(),
  realizedPnl: z.string(),
  pendingFace: z.string(),
  pendingCash: z.string(),
  modifiedDuration: z.string().nullable(),
  dv01: z.string().nullable(),
  previousClose: z.string(),
  previousCloseSource: z.enum(['last', 'model']),
  dayPnl: z.string(),
});

/** Best bid and ask of a note from the sequencer's book, in percent. */
function bookTopOf(services: AppServices): BookTop {
  return (noteId) =>
    sequencerOf(services).view((state) => {
      const instrument = state.instruments.get(noteId);
      const bid = state.engine.bestBid(noteId);
      const ask = state.engine.bestAsk(noteId);
      return {
        bid: instrument && bid !== null ? instrument.ticksToPrice(bid) : null,
        ask: instrument && ask !== null ? instrument.ticksToPrice(ask) : null,
      };
    });
}

export const ledgerRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/positions',
    summary: "A party's positions: face, factor, mark, market value, accrued, average cost, P&L, pending, DV01 and the day's P&L",
    tag: 'ledger',
    access: 'user',
    query: z.object({ partyId: z.string().min(1).max(100).optional() }).strict(),
    response: z.array(positionSchema),
    handler: async ({ query, principal, services }) => {
      const partyId = await viewedParty(services.knex, requirePrincipal(principal), query.partyId);
      return { body: await partyPositions(services.knex, partyId, bookTopOf(services)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/balances',
    summary: 'Cash and note balances of a party: total, held, available',
    tag: 'ledger',
    access: 'user',
    query: z.object({ partyId: z.string().min(1).max(100).optional() }).strict(),
    response: z.array(balanceSchema),
    handler: async ({ query, principal, services }) => {
      const partyId = await viewedParty(services.knex, requirePrincipal(principal), query.partyId);
      return { body: await partyBalances(services.knex, partyId) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ledger/entries',
    summary: 'Journal entries with their postings, newest first',
    tag: 'ledger',
    access: 'user',
    query: z
      .object({
        partyId: z.string().min(1).max(100).optional(),
        asset: z.string().min(1).max(100).optional(),
        before: pagingId.optional(),
        limit: limitParam(100, 500),
      })
      .strict(),
    handler: async ({ query, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const partyId =
        query.partyId === undefined && seesAllParties(viewer.roles) ? undefined : await viewedParty(services.knex, viewer, query.partyId);
      const entries = await journalEntries(services.knex, {
        limit: query.limit,
        ...(partyId ? { partyId } : {}),
        ...(query.asset ? { asset: query.asset } : {}),
        ...(query.before ? { beforeId: query.before } : {}),
      });
      return { body: entries };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/cash/deposits',
    summary: 'Credit cash to a party (idempotent by reference)',
    tag: 'ledger',
    access: ['operator', 'backoffice'],
    body: cashMovement,
    response: cashMovementResult,
    successStatus: 201,
    handler: async ({ body, principal, services }) => moveCash(services, requirePrincipal(principal), 'deposit', body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/cash/withdrawals',
    summary: "Pay cash out of a party's available balance (idempotent by reference)",
    tag: 'ledger',
    access: ['operator', 'backoffice'],
    body: cashMovement,
    response: cashMovementResult,
    successStatus: 201,
    handler: async ({ body, principal, services }) => moveCash(services, requirePrincipal(principal), 'withdrawal', body),
  }),
];
