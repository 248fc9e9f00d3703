/**
 * Property tests of settlement against the real ledger (PGlite, or PostgreSQL with TEST_DB=postgres),
 * over random trade sets with random fails (trades whose holds were never taken and whose sides
 * may lack the face or the cash):
 *   - cash and face are conserved per asset, and no party balance goes negative or below its held;
 *   - each instruction settles at most once even when two runs for the same date overlap;
 *   - the ledger agrees with the settled instructions (reconciliation finds no break);
 *   - net settlement ends in exactly the balances and states of gross settlement.
 * Each case seeds three identical markets: one settles gross on D1, one net on D2 (compared with
 * the first), and one gross on D3 by two runs at once; what stays open is cancelled afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { Decimal } from '../../server/domain/decimal.js';
import { CASH_ASSET, LedgerRejection, placeHolds } from '../../server/ledger/index.js';
import { inTransaction } from '../../server/db/transaction.js';
import { runSettlement } from '../../server/settlement/run.js';
import { cancelInstruction } from '../../server/settlement/cancel.js';
import { reconcile } from '../../server/reconciliation/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { seedMarket, tradeRow, type Market, type TradeSpec } from './fixtures.js';

let db: TestDatabase;
const D1 = '2026-11-24';
const D2 = '2026-11-25';
const D3 = '2026-11-27';

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  await db.knex('business_date').insert({ id: 1, business_date: D3 }).onConflict('id').merge();
});
afterAll(async () => db.close());

interface TradeShape {
  buyer: number;
  seller: number;
  note: number;
  faceUnits: number;
  cents: number;
  holds: boolean;
}

const tradeShape = (parties: number, notes: number) =>
  fc
    .record({
      buyer: fc.nat(parties - 1),
      seller: fc.nat(parties - 1),
      note: fc.nat(notes - 1),
      faceUnits: fc.integer({ min: 1, max: 40 }),
      cents: fc.integer({ min: 1, max: 5_000_000 }),
      holds: fc.boolean(),
    })
    .filter((t) => t.buyer !== t.seller);

const scenario = fc.record({ parties: fc.integer({ min: 2, max: 5 }), notes: fc.integer({ min: 1, max: 2 }) }).chain(({ parties, notes }) =>
  fc.record({
    parties: fc.constant(parties),
    notes: fc.constant(notes),
    trades: fc.array(tradeShape(parties, notes), { minLength: 1, maxLength: 25 }),
  }),
);

let caseNumber = 0;

async function insertWithHolds(
  knex: Knex,
  market: Market,
  prefix: string,
  trades: readonly TradeShape[],
  settlementDate: string,
): Promise<void> {
  const specs: TradeSpec[] = trades.map((t, i) => ({
    id: `${prefix}-${i}`,
    noteId: market.noteIds[t.note]!,
    buyer: market.partyIds[t.buyer]!,
    seller: market.partyIds[t.seller]!,
    quantity: String(t.faceUnits * 1000),
    netAmount: new Decimal(t.cents).div(100).toFixed(2),
    tradeDate: '2026-11-23',
    settlementDate,
    holds: t.holds,
  }));
  await inTransaction(knex, async (trx) => {
    for (const spec of specs.filter((s) => s.holds)) {
      // As at order entry: a trade's holds exist only if both sides could set the amounts aside.
      await trx.raw('savepoint hold');
      try {
        await placeHolds(trx, [
          { reference: `trade:${spec.id}:buyer`, account: { partyId: spec.buyer, asset: CASH_ASSET }, amount: new Decimal(spec.netAmount) },
          {
            reference: `trade:${spec.id}:seller`,
            account: { partyId: spec.seller, asset: spec.noteId },
            amount: new Decimal(spec.quantity),
          },
        ]);
        await trx.raw('release savepoint hold');
      } catch (error) {
        if (!(error instanceof LedgerRejection)) throw error;
        await trx.raw('rollback to savepoint hold');
      }
    }
    await trx('trades').insert(specs.map(tradeRow));
  });
}

/** Party balances by (party index, asset index) so two markets can be compared. */
async function snapshot(knex: Knex, market: Market) {
  const rows: { party_id: string; asset: string; total: string; held: string }[] = await knex('ledger_accounts')
    .whereIn('party_id', market.partyIds)
    .select('party_id', 'asset', 'total', 'held');
  const assetIndex = (asset: string) => (asset === CASH_ASSET ? 'USD' : `note${market.noteIds.indexOf(asset)}`);
  return rows
    .map(
      (r) =>
        `${market.partyIds.indexOf(r.party_id)}|${assetIndex(r.asset)}|${new Decimal(r.total).toFixed()}|${new Decimal(r.held).toFixed()}`,
    )
    .sort();
}

async function statuses(knex: Knex, prefix: string) {
  const rows: { trade_id: string; status: string }[] = await knex('settlement_instructions')
    .where('trade_id', 'like', `${prefix}-%`)
    .select('trade_id', 'status');
  return rows.map((r) => `${r.trade_id.slice(prefix.length)}:${r.status}`).sort();
}

async function totalsByAsset(knex: Knex, market: Market): Promise<Map<string, string>> {
  const rows: { asset: string; total: string }[] = await knex('ledger_accounts')
    .whereIn('party_id', market.partyIds)
    .groupBy('asset')
    .select('asset', knex.raw('sum(total) as total'));
  return new Map(rows.map((r) => [r.asset, new Decimal(r.total).toFixed()]));
}

async function settlementEntries(knex: Knex): Promise<number> {
  const rows: { count: string }[] = await knex('ledger_entries').where('idempotency_key', 'like', 'settle:%').count('* as count');
  return Number(rows[0]!.count);
}

async function checkBooks(knex: Knex, market: Market, before: Map<string, string>): Promise<void> {
  expect(await totalsByAsset(knex, market)).toEqual(before);
  const negative: { count: string }[] = await knex('ledger_accounts')
    .whereNotNull('party_id')
    .andWhere((q) => q.where('total', '<', 0).orWhere('held', '<', 0).orWhereRaw('held > total'))
    .count('* as count');
  expect(Number(negative[0]!.count)).toBe(0);
  expect((await reconcile(knex)).breaks).toEqual([]);
}

/** Cancels what is still open, so the next case's runs start from an empty queue. */
async function closeOpen(knex: Knex): Promise<void> {
  const open: { instruction_id: string }[] = await knex('settlement_queue').select('instruction_id');
  for (const row of open) await cancelInstruction(knex, String(row.instruction_id), 'end of property case');
}

it('conserves cash and face, never overdraws, settles each instruction once, and nets to gross', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ parties, notes, trades }) => {
      caseNumber += 1;
      const knex = db.knex;
      const seed = { parties, notes, cash: '100000', face: '60000' };
      const gross = await seedMarket(knex, { ...seed, prefix: `G${caseNumber}-` });
      const net = await seedMarket(knex, { ...seed, prefix: `N${caseNumber}-` });
      const overlap = await seedMarket(knex, { ...seed, prefix: `O${caseNumber}-` });
      await insertWithHolds(knex, gross, `G${caseNumber}`, trades, D1);
      await insertWithHolds(knex, net, `N${caseNumber}`, trades, D2);
      await insertWithHolds(knex, overlap, `O${caseNumber}`, trades, D3);
      const before = await totalsByAsset(knex, gross);
      const netBefore = await totalsByAsset(knex, net);
      const request = { createdBy: null, referenceRatePercent: new Decimal(0), chunkSize: 7 };

      // Gross, then net on an identical market: the same balances and the same states.
      await runSettlement(knex, { ...request, date: D1, mode: 'gross' });
      const grossBalances = await snapshot(knex, gross);
      const grossStates = await statuses(knex, `G${caseNumber}`);
      await checkBooks(knex, gross, before);
      await runSettlement(knex, { ...request, date: D2, mode: 'net' });
      expect(await snapshot(knex, net)).toEqual(grossBalances);
      expect(await statuses(knex, `N${caseNumber}`)).toEqual(grossStates);
      await checkBooks(knex, net, netBefore);
      await closeOpen(knex);

      // Two runs for the same date at once: together they settle each instruction at most once.
      const entriesBefore = await settlementEntries(knex);
      const overlapBefore = await totalsByAsset(knex, overlap);
      const [first, second] = await Promise.all([
        runSettlement(knex, { ...request, date: D3, mode: 'gross' }),
        runSettlement(knex, { ...request, date: D3, mode: 'gross' }),
      ]);
      const settled: { count: string }[] = await knex('settlement_instructions')
        .where('trade_id', 'like', `O${caseNumber}-%`)
        .andWhere({ status: 'settled' })
        .count('* as count');
      expect(first.settled + second.settled).toBe(Number(settled[0]!.count));
      expect((await settlementEntries(knex)) - entriesBefore).toBe(Number(settled[0]!.count));
      await checkBooks(knex, overlap, overlapBefore);
      await closeOpen(knex);
    }),
    { numRuns: 15, seed: 20261123, endOnFailure: true },
  );
});
