/**
 * Reconciliation finds nothing on books that agree, and names each kind of break — what differs
 * and by how much — when one is planted (each test plants one and removes it again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { reconcile, type Break } from '../../server/reconciliation/index.js';
import { runSettlement } from '../../server/settlement/run.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { insertTrades, seedMarket, type Market } from '../settlement/fixtures.js';

let db: TestDatabase;
let m: Market;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.knex('business_date').insert({ id: 1, business_date: '2026-11-24' }).onConflict('id').merge();
  m = await seedMarket(db.knex, { parties: 3, cash: '1000000', face: '1000000' });
  const trade = (id: string, buyer: number, seller: number, settlementDate: string) => ({
    id,
    noteId: m.noteIds[0]!,
    buyer: m.partyIds[buyer]!,
    seller: m.partyIds[seller]!,
    quantity: '100000',
    netAmount: '99500.25',
    tradeDate: '2026-11-23',
    settlementDate,
    holds: true,
  });
  await insertTrades(db.knex, [trade('R1', 0, 1, '2026-11-24'), trade('R2', 1, 2, '2026-11-24'), trade('R3', 2, 0, '2026-11-25')]);
  await runSettlement(db.knex, { date: '2026-11-24', mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(0) });
});
afterAll(async () => db.close());

async function breaks(): Promise<Break[]> {
  return (await reconcile(db.knex)).breaks;
}

describe('reconciliation', () => {
  it('is empty when the books agree', async () => {
    const report = await reconcile(db.knex, new Date('2026-11-24T18:00:00Z'));
    expect(report).toEqual({ breaks: [], checkedAt: '2026-11-24T18:00:00.000Z' });
  });

  it('names a trade without an instruction', async () => {
    const row = await db.knex('settlement_instructions').where({ trade_id: 'R3' }).first();
    await db.knex('settlement_queue').where({ instruction_id: row.id }).delete();
    await db.knex('settlement_instructions').where({ id: row.id }).delete();
    expect(await breaks()).toEqual([
      {
        kind: 'trade_without_instruction',
        entity: 'trade:R3',
        expected: '1',
        actual: '0',
        difference: '-1',
        message: 'trade R3 (net 99500.25) has no settlement instruction',
      },
    ]);
    const { id: _id, ...rest } = row;
    const [restored] = await db.knex('settlement_instructions').insert(rest).returning('id');
    await db.knex('settlement_queue').insert({ instruction_id: restored.id });
    expect(await breaks()).toEqual([]);
  });

  it('names a settled instruction whose ledger movement differs, by how much', async () => {
    const row = await db.knex('settlement_instructions').where({ trade_id: 'R1' }).first();
    await db.knex('settlement_instructions').where({ id: row.id }).update({ net_amount: '99500.26' });
    const found = await breaks();
    const ledger = found.filter((b) => b.kind === 'instruction_ledger_mismatch');
    // The entry moved 99,500.25 but the instruction now says 99,500.26: one cent on each cash leg.
    expect(ledger).toHaveLength(2);
    expect(ledger.every((b) => b.entity === `instruction:${row.id}`)).toBe(true);
    expect(ledger.map((b) => [b.expected, b.actual, b.difference]).sort()).toEqual([
      ['-99500.26', '-99500.25', '0.01'],
      ['99500.26', '99500.25', '-0.01'],
    ]);
    expect(found.some((b) => b.kind === 'instruction_trade_mismatch' && b.entity === `instruction:${row.id}`)).toBe(true);
    expect(found.filter((b) => b.kind === 'position_mismatch')).toHaveLength(2);
    await db.knex('settlement_instructions').where({ id: row.id }).update({ net_amount: row.net_amount });
    expect(await breaks()).toEqual([]);
  });

  it("names a settled instruction whose entry is another one's", async () => {
    const [one, two] = await db.knex('settlement_instructions').where({ status: 'settled' }).orderBy('id').select('id', 'entry_id');
    await db.knex('settlement_instructions').where({ id: one.id }).update({ entry_id: two.entry_id });
    const kinds = new Set((await breaks()).map((b) => b.kind));
    expect(kinds).toContain('instruction_ledger_mismatch');
    expect(kinds).toContain('settlement_entry_without_instruction');
    await db.knex('settlement_instructions').where({ id: one.id }).update({ entry_id: one.entry_id });
    expect(await breaks()).toEqual([]);
  });

  it('names an account whose balance differs from its postings', async () => {
    const account = await db.knex('ledger_accounts').where({ party_id: m.partyIds[0], asset: 'USD' }).first();
    await db
      .knex('ledger_accounts')
      .where({ id: account.id })
      .update({ total: new Decimal(account.total).plus('10.5').toFixed() });
    const found = await breaks();
    expect(found.find((b) => b.kind === 'ledger_balance_mismatch')).toMatchObject({ entity: `account:${account.id}`, difference: '10.50' });
    expect(found.find((b) => b.kind === 'position_mismatch')).toMatchObject({ entity: `party:${m.partyIds[0]}:USD`, difference: '10.50' });
    await db.knex('ledger_accounts').where({ id: account.id }).update({ total: account.total });
    expect(await breaks()).toEqual([]);
  });

  it('names an account whose held amount differs from its active holds', async () => {
    const account = await db.knex('ledger_accounts').where({ party_id: m.partyIds[2], asset: 'USD' }).first();
    await db.knex('ledger_accounts').where({ id: account.id }).update({ held: '0' });
    expect((await breaks()).map((b) => [b.kind, b.difference])).toEqual([['held_mismatch', '-99500.25']]);
    await db.knex('ledger_accounts').where({ id: account.id }).update({ held: account.held });
    expect(await breaks()).toEqual([]);
  });

  it("names a trust account that differs from the deals' cash in trust", async () => {
    const deal = await db.knex('deals').first('id');
    await db.knex('deal_servicing_state').insert({ deal_id: deal.id, free_cash: '5.00' });
    expect(await breaks()).toEqual([
      {
        kind: 'trust_mismatch',
        entity: 'account:trust:USD',
        expected: '5.00',
        actual: '0.00',
        difference: '-5.00',
        message: expect.any(String),
      },
    ]);
    await db.knex('deal_servicing_state').where({ deal_id: deal.id }).delete();
    expect(await breaks()).toEqual([]);
  });
});
