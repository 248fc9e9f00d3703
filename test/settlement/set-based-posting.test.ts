/**
 * The set-based ledger writer keeps postEntries' contract: replays are reported, a reused key
 * with another payload is a conflict, holds are consumed exactly, and a rejection writes nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { inTransaction } from '../../server/db/transaction.js';
import { CASH_ASSET, LedgerRejection, placeHolds, postEntries, type EntryInput } from '../../server/ledger/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { balances, seedMarket, type Market } from './fixtures.js';

let db: TestDatabase;
let m: Market;

beforeAll(async () => {
  db = await createTestDatabase();
  m = await seedMarket(db.knex, { parties: 2, cash: '1000', face: '1000' });
  await inTransaction(db.knex, (trx) =>
    placeHolds(trx, [{ reference: 'bulk:hold', account: { partyId: m.partyIds[0]!, asset: CASH_ASSET }, amount: new Decimal(300) }]),
  );
});
afterAll(async () => db.close());

const pay = (key: string, amount: string, hold?: string): EntryInput => ({
  idempotencyKey: key,
  kind: 'trade_settlement',
  description: 'bulk test',
  businessDate: '2026-11-24',
  postings: [
    { account: { partyId: m.partyIds[0]!, asset: CASH_ASSET }, amount: new Decimal(amount).negated() },
    { account: { partyId: m.partyIds[1]!, asset: CASH_ASSET }, amount: new Decimal(amount) },
  ],
  ...(hold ? { holdConsumptions: [{ holdReference: hold, amount: new Decimal(amount) }] } : {}),
});

const post = (entries: EntryInput[]) => inTransaction(db.knex, (trx) => postEntries(trx, entries));

async function rejection(entries: EntryInput[]): Promise<string> {
  const before = await balances(db.knex);
  const error = await post(entries).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerRejection);
  expect(await balances(db.knex)).toEqual(before);
  return (error as LedgerRejection).code;
}

it('posts, consumes holds, and reports a replay', async () => {
  const [first, second] = await post([pay('bulk:1', '100', 'bulk:hold'), pay('bulk:2', '50')]);
  expect([first!.replayed, second!.replayed]).toEqual([false, false]);
  const after = await balances(db.knex);
  expect(after.get(`${m.partyIds[0]}|USD`)).toEqual({ total: '850', held: '200' });
  expect(after.get(`${m.partyIds[1]}|USD`)).toEqual({ total: '1150', held: '0' });
  const [again] = await post([pay('bulk:1', '100', 'bulk:hold')]);
  expect(again).toMatchObject({ id: first!.id, replayed: true });
  expect(await balances(db.knex)).toEqual(after);
});

it('rejects a reused key, a hold overdrawn or gone, and an overdraft, writing nothing', async () => {
  expect(await rejection([pay('bulk:1', '101', 'bulk:hold')])).toBe('IDEMPOTENCY_CONFLICT');
  expect(await rejection([pay('bulk:3', '201', 'bulk:hold')])).toBe('HOLD_EXCEEDED');
  expect(await rejection([pay('bulk:4', '1', 'bulk:no-such-hold')])).toBe('HOLD_NOT_ACTIVE');
  // 850 total, 200 held: 651 would leave less than the held amount.
  expect(await rejection([pay('bulk:5', '651')])).toBe('INSUFFICIENT_FUNDS');
});
