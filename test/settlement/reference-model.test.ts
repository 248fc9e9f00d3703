/**
 * The database settles as the reference model says (differential test): random trade sets whose
 * holds are whole, partial, missing or refused, settled by the set-based SQL in random chunk
 * sizes (or in one chunk that decides covered and uncovered instructions together), against
 * evaluate.ts's decide() over the same open instructions, balances and holds —
 * the same outcome and failed side per instruction, the same balances and held amounts, and each
 * gross entry with the payload hash validate.ts gives entries.ts's entry for the decision.
 * Some buyers have a credit line on their USD account (holds beyond their cash, which pays
 * nothing at settlement: a failure to pay unless the cash is there).
 * Also the rule's regression case, and a canary: the old in-order rule is told apart.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { Decimal } from '../../server/domain/decimal.js';
import { CASH_ASSET, LedgerRejection, placeHolds, postEntries } from '../../server/ledger/index.js';
import { payloadHash } from '../../server/ledger/validate.js';
import { inTransaction } from '../../server/db/transaction.js';
import { runSettlement } from '../../server/settlement/run.js';
import { decide, partyKey, type BalanceState, type Decision, type HoldState } from '../../server/settlement/evaluate.js';
import { grossEntries } from '../../server/settlement/entries.js';
import type { DueInstruction } from '../../server/settlement/types.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { seedMarket, tradeRow, type Market } from './fixtures.js';

let db: TestDatabase;
let caseNumber = 0;
let dateIndex = 0;
const DATES = [
  '2026-11-24',
  '2026-11-25',
  '2026-11-27',
  '2026-11-30',
  '2026-12-01',
  '2026-12-02',
  '2026-12-03',
  '2026-12-04',
  '2026-12-07',
  '2026-12-08',
];

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  await db.knex('business_date').insert({ id: 1, business_date: '2026-12-31' }).onConflict('id').merge();
});
afterAll(async () => db.close());

type HoldKind = 'whole' | 'partial' | 'none';
interface TradeShape {
  buyer: number;
  seller: number;
  note: number;
  faceUnits: number;
  cents: number;
  sellerHold: HoldKind;
  buyerHold: HoldKind;
}

const holdKind = fc.constantFrom<HoldKind>('whole', 'whole', 'partial', 'none');
const scenario = fc.record({ parties: fc.integer({ min: 2, max: 4 }), notes: fc.integer({ min: 1, max: 2 }) }).chain(({ parties, notes }) =>
  fc.record({
    parties: fc.constant(parties),
    notes: fc.constant(notes),
    chunkSize: fc.integer({ min: 1, max: 6 }),
    singlePass: fc.boolean(),
    credits: fc.array(fc.constantFrom(0, 0, 30_000, 150_000), { minLength: parties, maxLength: parties }),
    trades: fc.array(
      fc
        .record({
          buyer: fc.nat(parties - 1),
          seller: fc.nat(parties - 1),
          note: fc.nat(notes - 1),
          faceUnits: fc.integer({ min: 1, max: 30 }),
          cents: fc.integer({ min: 1, max: 4_000_000 }),
          sellerHold: holdKind,
          buyerHold: holdKind,
        })
        .filter((t) => t.buyer !== t.seller),
      { minLength: 1, maxLength: 18 },
    ),
  }),
);

/** Inserts the trades with the holds asked for, each placed only if the party can set it aside (as order entry). */
async function insertTrades(
  knex: Knex,
  market: Market,
  prefix: string,
  trades: readonly TradeShape[],
  settlementDate: string,
): Promise<void> {
  await inTransaction(knex, async (trx) => {
    const rows = trades.map((t, i) => ({
      ...t,
      id: `${prefix}-${i}`,
      quantity: new Decimal(t.faceUnits * 1000),
      netAmount: new Decimal(t.cents).div(100),
    }));
    for (const t of rows) {
      const wanted = [
        {
          kind: t.sellerHold,
          reference: `trade:${t.id}:seller`,
          account: { partyId: market.partyIds[t.seller]!, asset: market.noteIds[t.note]! },
          amount: t.quantity,
        },
        {
          kind: t.buyerHold,
          reference: `trade:${t.id}:buyer`,
          account: { partyId: market.partyIds[t.buyer]!, asset: CASH_ASSET },
          amount: t.netAmount,
        },
      ];
      for (const hold of wanted.filter((h) => h.kind !== 'none')) {
        const amount = hold.kind === 'whole' ? hold.amount : hold.amount.div(2).toDecimalPlaces(0, Decimal.ROUND_DOWN);
        if (amount.lte(0)) continue;
        await trx.raw('savepoint hold');
        try {
          await placeHolds(trx, [{ reference: hold.reference, account: hold.account, amount }]);
          await trx.raw('release savepoint hold');
        } catch (error) {
          if (!(error instanceof LedgerRejection)) throw error;
          await trx.raw('rollback to savepoint hold');
        }
      }
    }
    await trx('trades').insert(
      rows.map((t) =>
        tradeRow({
          id: t.id,
          noteId: market.noteIds[t.note]!,
          buyer: market.partyIds[t.buyer]!,
          seller: market.partyIds[t.seller]!,
          quantity: t.quantity.toFixed(),
          netAmount: t.netAmount.toFixed(2),
          tradeDate: '2026-11-23',
          settlementDate,
          holds: false,
        }),
      ),
    );
  });
}

/** What the model needs, read as the run will find it: open instructions in id order, balances, active holds. */
async function modelInputs(knex: Knex, market: Market, prefix: string) {
  const rows: Record<string, string>[] = await knex('settlement_instructions')
    .where('trade_id', 'like', `${prefix}-%`)
    .orderBy('id')
    .select('*');
  const instructions: DueInstruction[] = rows.map((r) => ({
    id: String(r.id),
    tradeId: r.trade_id!,
    noteId: r.note_id!,
    buyerPartyId: r.buyer_party_id!,
    sellerPartyId: r.seller_party_id!,
    quantity: new Decimal(r.quantity!),
    netAmount: new Decimal(r.net_amount!),
    buyerHoldReference: r.buyer_hold_reference ?? null,
    sellerHoldReference: r.seller_hold_reference ?? null,
    settlementDate: r.settlement_date!,
    status: 'pending',
  }));
  const balances = new Map<string, BalanceState>();
  const accounts: { party_id: string; asset: string; total: string; held: string; credit_limit: string }[] = await knex('ledger_accounts')
    .whereIn('party_id', market.partyIds)
    .select('party_id', 'asset', 'total', 'held', 'credit_limit');
  for (const p of market.partyIds)
    for (const asset of [CASH_ASSET, ...market.noteIds]) balances.set(partyKey(p, asset), { total: new Decimal(0), held: new Decimal(0) });
  for (const a of accounts)
    balances.set(partyKey(a.party_id, a.asset), {
      total: new Decimal(a.total),
      held: new Decimal(a.held),
      credit: new Decimal(a.credit_limit),
    });
  const holds = new Map<string, HoldState>();
  const holdRows: { reference: string; remaining: string; party_id: string; asset: string }[] = await knex('ledger_holds as h')
    .join('ledger_accounts as a', 'a.id', 'h.account_id')
    .where('h.reference', 'like', `trade:${prefix}-%`)
    .andWhere('h.status', 'active')
    .select('h.reference', 'h.remaining', 'a.party_id', 'a.asset');
  for (const h of holdRows) holds.set(h.reference, { accountKey: partyKey(h.party_id, h.asset), remaining: new Decimal(h.remaining) });
  return { instructions, balances, holds };
}

const outcome = (d: Decision) => `${d.instruction.tradeId}:${d.kind === 'settle' ? 'settled' : `failed/${d.failedSide}`}`;

async function databaseOutcomes(knex: Knex, prefix: string): Promise<string[]> {
  const rows: { trade_id: string; status: string; failed_side: string | null }[] = await knex('settlement_instructions')
    .where('trade_id', 'like', `${prefix}-%`)
    .orderBy('id')
    .select('trade_id', 'status', 'failed_side');
  return rows.map((r) => `${r.trade_id}:${r.status === 'settled' ? 'settled' : `${r.status}/${r.failed_side}`}`);
}

async function databaseBalances(knex: Knex, market: Market): Promise<string[]> {
  const rows: { party_id: string; asset: string; total: string; held: string }[] = await knex('ledger_accounts')
    .whereIn('party_id', market.partyIds)
    .select('party_id', 'asset', 'total', 'held');
  return rows.map((r) => `${r.party_id}|${r.asset}|${new Decimal(r.total).toFixed()}|${new Decimal(r.held).toFixed()}`).sort();
}

function modelBalances(balances: Map<string, BalanceState>, existing: readonly string[]): string[] {
  const keys = new Set(existing.map((e) => e.split('|').slice(0, 2).join('\u0000')));
  return [...balances.entries()]
    .filter(([key, b]) => keys.has(key) || !b.total.isZero() || !b.held.isZero())
    .map(([key, b]) => `${key.replace('\u0000', '|')}|${b.total.toFixed()}|${b.held.toFixed()}`)
    .sort();
}

/** Calls the chunk function once for every due instruction; the outcomes of the case's instructions. */
async function settleInOneChunk(knex: Knex, date: string, prefix: string): Promise<string[]> {
  const [run] = await knex('settlement_runs').insert({ run_date: date, mode: 'gross', total: 0 }).returning('id');
  const result = await inTransaction(knex, (trx) =>
    trx.raw('select * from settlement_settle_chunk(?::bigint, 0, ?::date, 0, null, 100000, ?, null, false)', [
      (run as { id: string }).id,
      date,
      'gross',
    ]),
  );
  const ids: { id: string; trade_id: string }[] = await knex('settlement_instructions')
    .where('trade_id', 'like', `${prefix}-%`)
    .select('id', 'trade_id');
  const tradeOf = new Map(ids.map((r) => [String(r.id), r.trade_id]));
  return (result.rows as { id: string; outcome: string }[])
    .filter((r) => tradeOf.has(String(r.id)))
    .map((r) => `${tradeOf.get(String(r.id))}:${r.outcome === 'settled' ? 'settled' : `failed/${r.outcome}`}`);
}

it('decides every instruction as evaluate.ts does, and books what entries.ts would', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ parties, notes, chunkSize, singlePass, credits, trades }) => {
      caseNumber += 1;
      const knex = db.knex;
      const prefix = `R${caseNumber}`;
      const date = DATES[dateIndex++ % DATES.length]!;
      const market = await seedMarket(knex, { parties, notes, cash: '80000', face: '25000', prefix: `${prefix}-` });
      for (const [i, credit] of credits.entries()) {
        await knex('ledger_accounts').where({ party_id: market.partyIds[i]!, asset: CASH_ASSET }).update({ credit_limit: credit });
      }
      await insertTrades(knex, market, prefix, trades, date);
      const { instructions, balances, holds } = await modelInputs(knex, market, prefix);
      const decisions = decide(instructions, balances, holds);

      if (singlePass) {
        // One chunk, nothing deferred: covered and uncovered instructions decided in the same call.
        expect(await settleInOneChunk(knex, date, prefix)).toEqual(decisions.map(outcome));
      } else {
        await runSettlement(knex, { date, mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(0), chunkSize });
        expect(await databaseOutcomes(knex, prefix)).toEqual(decisions.map(outcome));
      }
      const actual = await databaseBalances(knex, market);
      expect(actual).toEqual(modelBalances(balances, actual));
      const settled = decisions.filter((d): d is Extract<Decision, { kind: 'settle' }> => d.kind === 'settle');
      const expected = grossEntries(settled, date, null);
      const hashes: { idempotency_key: string; payload_hash: string }[] = await knex('ledger_entries')
        .whereIn(
          'idempotency_key',
          expected.map((e) => e.idempotencyKey),
        )
        .select('idempotency_key', 'payload_hash');
      expect(new Map(hashes.map((h) => [h.idempotency_key, h.payload_hash]))).toEqual(
        new Map(expected.map((e) => [e.idempotencyKey, payloadHash(e)])),
      );
    }),
    { numRuns: 20, seed: 20261125, endOnFailure: true },
  );
  // Twenty cases of up to 18 trades each against a real database: about 22 s alone, over the default
  // 60 s when the whole suite shares two cores.
}, 180_000);

it('settles covered trades first: face a later covered trade delivers can be passed on by an earlier uncovered one', async () => {
  const knex = db.knex;
  // Every party holds 1,000 face; p2 gets 4,000 more to sell 5,000 to p0.
  const market = await seedMarket(knex, { parties: 3, cash: '100000', face: '1000', prefix: 'ORDER-' });
  const p2 = market.partyIds[2]!;
  await inTransaction(knex, (trx) =>
    postEntries(trx, [
      {
        idempotencyKey: 'order:face',
        kind: 'issuance',
        description: 'face for p2',
        businessDate: '2026-11-23',
        postings: [
          { account: { partyId: p2, asset: market.noteIds[0]! }, amount: new Decimal(4000) },
          { account: { systemCode: 'issuance', asset: market.noteIds[0]! }, amount: new Decimal(-4000) },
        ],
      },
    ]),
  );
  // ORDER-0: p0 sells 5,000 to p1 without holds (it has 1,000); ORDER-1: p2 sells 5,000 to p0 with both holds.
  await insertTrades(
    knex,
    market,
    'ORDER',
    [
      { buyer: 1, seller: 0, note: 0, faceUnits: 5, cents: 500_000, sellerHold: 'none', buyerHold: 'none' },
      { buyer: 0, seller: 2, note: 0, faceUnits: 5, cents: 500_000, sellerHold: 'whole', buyerHold: 'whole' },
    ],
    '2026-12-09',
  );
  const { instructions, balances, holds } = await modelInputs(knex, market, 'ORDER');
  // The canary: the earlier rule (strictly in id order) fails ORDER-0; the harness tells the two apart.
  const inOrder = instructions.map((i) => decide([i], balances, holds)[0]!).map(outcome);
  expect(inOrder).toEqual(['ORDER-0:failed/seller', 'ORDER-1:settled']);
  await runSettlement(knex, { date: '2026-12-09', mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(0), chunkSize: 1 });
  expect(await databaseOutcomes(knex, 'ORDER')).toEqual(['ORDER-0:settled', 'ORDER-1:settled']);
  expect(await databaseOutcomes(knex, 'ORDER')).not.toEqual(inOrder);
});

it('pays with cash only: a buyer whose hold its credit line backs fails to pay until the cash is there, in the model and the database', async () => {
  const knex = db.knex;
  const market = await seedMarket(knex, { parties: 2, cash: '1000', face: '10000', prefix: 'CREDIT-' });
  // p1 has 1,000.00 cash and a 5,000.00 line: its 3,000.00 hold (the whole leg) is 2,000.00 credit.
  await knex('ledger_accounts').where({ party_id: market.partyIds[1]!, asset: CASH_ASSET }).update({ credit_limit: 5000 });
  await insertTrades(
    knex,
    market,
    'CREDIT',
    [{ buyer: 1, seller: 0, note: 0, faceUnits: 2, cents: 300_000, sellerHold: 'whole', buyerHold: 'whole' }],
    '2026-12-09',
  );
  const { instructions, balances, holds } = await modelInputs(knex, market, 'CREDIT');
  expect(holds.get('trade:CREDIT-0:buyer')?.remaining.toFixed()).toBe('3000');
  expect(decide(instructions, balances, holds).map(outcome)).toEqual(['CREDIT-0:failed/buyer']);
  await runSettlement(knex, { date: '2026-12-09', mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(0) });
  expect(await databaseOutcomes(knex, 'CREDIT')).toEqual(['CREDIT-0:failed/buyer']);
  // With 2,000.00 more cash the same hold pays: 3,000.00 cash ≥ 3,000.00.
  await inTransaction(knex, (trx) =>
    postEntries(trx, [
      {
        idempotencyKey: 'credit:cash',
        kind: 'cash_deposit',
        description: 'cash for p1',
        businessDate: '2026-12-09',
        postings: [
          { account: { partyId: market.partyIds[1]!, asset: CASH_ASSET }, amount: new Decimal(2000) },
          { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: new Decimal(-2000) },
        ],
      },
    ]),
  );
  const again = await modelInputs(knex, market, 'CREDIT');
  expect(decide(again.instructions, again.balances, again.holds).map(outcome)).toEqual(['CREDIT-0:settled']);
  await runSettlement(knex, { date: '2026-12-09', mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(0) });
  expect(await databaseOutcomes(knex, 'CREDIT')).toEqual(['CREDIT-0:settled']);
});
