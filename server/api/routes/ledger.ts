/** Balances, journal entries, and cash moving in and out of parties' accounts. */
import { z } from 'zod';
import type { Knex } from 'knex';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { cashAmount, limitParam } from '../schemas.js';
import { seesAllParties } from '../../auth/roles.js';
import type { Principal } from '../../auth/tokens.js';
import { Decimal } from '../../domain/decimal.js';
import { CASH_ASSET, journalEntries, partyBalances, postEntry, type EntryKind, type PostingInput } from '../../ledger/index.js';
import { getParty } from '../../refdata/parties.js';
import { currentBusinessDate } from '../../businessdate/index.js';
import { inTransaction } from '../../db/transaction.js';

const balanceSchema = z.object({ asset: z.string(), total: z.string(), held: z.string(), available: z.string() });

/** The party whose data the viewer asks for: its own by default; others only for back office and operators. */
async function viewedParty(db: Knex, viewer: Principal, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === viewer.partyId) return viewer.partyId;
  if (!seesAllParties(viewer.roles)) throw new ApiError('FORBIDDEN', 'a user sees only its own party\'s data');
  return (await getParty(db, requested)).id;
}

const cashMovement = z.object({ partyId: z.string().min(1).max(100), amount: cashAmount, reference: z.string().trim().min(1).max(100) }).strict();

const cashMovementResult = z.object({
  entryId: z.string(),
  partyId: z.string(),
  amount: z.string(),
  reference: z.string(),
  businessDate: z.string(),
  balance: balanceSchema,
});

type CashDirection = 'deposit' | 'withdrawal';

async function moveCash(db: Knex, viewer: Principal, direction: CashDirection, input: z.infer<typeof cashMovement>) {
  const party = await getParty(db, input.partyId);
  const amount = new Decimal(input.amount);
  const signed = direction === 'deposit' ? amount : amount.negated();
  const kind: EntryKind = direction === 'deposit' ? 'cash_deposit' : 'cash_withdrawal';
  const postings: PostingInput[] = [
    { account: { partyId: party.id, asset: CASH_ASSET }, amount: signed },
    { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: signed.negated() },
  ];
  const { posted, businessDate } = await inTransaction(db, async (trx) => {
    const date = await currentBusinessDate(trx);
    const entry = await postEntry(trx, {
      idempotencyKey: `${kind}:${party.id}:${input.reference}`,
      kind,
      description: `cash ${direction} ${input.reference}`,
      businessDate: date,
      createdBy: viewer.userId,
      metadata: { reference: input.reference },
      postings,
    });
    return { posted: entry, businessDate: date };
  });
  const balance = (await partyBalances(db, party.id)).find((b) => b.asset === CASH_ASSET);
  return {
    status: posted.replayed ? 200 : 201,
    body: { entryId: posted.id, partyId: party.id, amount: amount.toFixed(2), reference: input.reference, businessDate, balance },
  };
}

export const ledgerRoutes = [
  defineRoute({
    method: 'get', path: '/api/v1/balances', summary: 'Cash and note balances of a party: total, held, available', tag: 'ledger', access: 'user',
    query: z.object({ partyId: z.string().min(1).max(100).optional() }).strict(), response: z.array(balanceSchema),
    handler: async ({ query, principal, services }) => {
      const partyId = await viewedParty(services.knex, requirePrincipal(principal), query.partyId);
      return { body: await partyBalances(services.knex, partyId) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/ledger/entries', summary: 'Journal entries with their postings, newest first', tag: 'ledger', access: 'user',
    query: z
      .object({
        partyId: z.string().min(1).max(100).optional(),
        asset: z.string().min(1).max(100).optional(),
        before: z.string().regex(/^\d{1,19}$/).optional(),
        limit: limitParam(100, 500),
      })
      .strict(),
    handler: async ({ query, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const partyId = query.partyId === undefined && seesAllParties(viewer.roles) ? undefined : await viewedParty(services.knex, viewer, query.partyId);
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
    method: 'post', path: '/api/v1/cash/deposits', summary: 'Credit cash to a party (idempotent by reference)', tag: 'ledger', access: ['operator', 'backoffice'],
    body: cashMovement, response: cashMovementResult, successStatus: 201,
    handler: async ({ body, principal, services }) => moveCash(services.knex, requirePrincipal(principal), 'deposit', body),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/cash/withdrawals', summary: 'Pay cash out of a party\'s available balance (idempotent by reference)', tag: 'ledger', access: ['operator', 'backoffice'],
    body: cashMovement, response: cashMovementResult, successStatus: 201,
    handler: async ({ body, principal, services }) => moveCash(services.knex, requirePrincipal(principal), 'withdrawal', body),
  }),
];
