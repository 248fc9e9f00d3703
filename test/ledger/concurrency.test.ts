/**
 * Many parallel deposits and withdrawals on the same few accounts, each sent twice at once with the
 * same idempotency key. On real PostgreSQL (TEST_DB=postgres) they run on separate connections and
 * really contend for row locks; on PGlite they are serialized by its single connection.
 *
 * Afterwards: no balance is negative, every key is posted exactly once, every asset's postings sum
 * to zero, and each balance equals the sum of the entries that were acknowledged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { CASH_ASSET, LedgerRejection, postEntry, postingSumsByAsset } from '../../server/ledger/index.js';
import { inTransaction } from '../../server/db/transaction.js';
import { createParty } from '../../server/refdata/parties.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
const parties: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 16 });
  for (const name of ['P1', 'P2', 'P3']) parties.push((await createParty(db.knex, { name, kind: 'investor', eligible: true })).id);
});
afterAll(async () => db.close());

/** mulberry32: a small seeded generator, so a failure replays identically. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Operation {
  key: string;
  partyId: string;
  amount: Decimal;
}

function operations(count: number): Operation[] {
  const random = seeded(20261121);
  return Array.from({ length: count }, (_, i) => {
    const partyId = parties[Math.floor(random() * parties.length)]!;
    const cents = 1 + Math.floor(random() * 50_000);
    const sign = random() < 0.45 ? -1 : 1;
    return { key: `op-${i}`, partyId, amount: new Decimal(cents).div(100).mul(sign) };
  });
}

async function apply(op: Operation): Promise<'posted' | 'replayed' | 'insufficient'> {
  try {
    const posted = await inTransaction(db.knex, (trx) =>
      postEntry(trx, {
        idempotencyKey: op.key,
        kind: op.amount.isNegative() ? 'cash_withdrawal' : 'cash_deposit',
        description: 'concurrency test',
        businessDate: '2026-11-23',
        postings: [
          { account: { partyId: op.partyId, asset: CASH_ASSET }, amount: op.amount },
          { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: op.amount.negated() },
        ],
      }),
    );
    return posted.replayed ? 'replayed' : 'posted';
  } catch (error) {
    if (error instanceof LedgerRejection && error.code === 'INSUFFICIENT_FUNDS') return 'insufficient';
    throw error;
  }
}

describe('ledger under concurrent deposits and withdrawals', () => {
  it('keeps balances non-negative, keys unique and postings balanced', async () => {
    const ops = operations(300);
    // Each operation is sent twice at the same time, as a client retrying after a timeout would.
    const outcomes = await Promise.all(ops.flatMap((op) => [apply(op), apply(op)]));

    const entries: { idempotency_key: string }[] = await db.knex('ledger_entries').select('idempotency_key');
    const keys = entries.map((e) => e.idempotency_key);
    expect(new Set(keys).size).toBe(keys.length);

    const expected = new Map<string, Decimal>(parties.map((p) => [p, new Decimal(0)]));
    ops.forEach((op, i) => {
      const posted = keys.includes(op.key);
      const pair = [outcomes[2 * i], outcomes[2 * i + 1]];
      if (posted) {
        // Exactly one of the two sends posted; the other saw it as a replay (or was refused before it committed).
        expect(pair.filter((o) => o === 'posted')).toHaveLength(1);
        expected.set(op.partyId, expected.get(op.partyId)!.plus(op.amount));
      } else {
        expect(pair.every((o) => o === 'insufficient')).toBe(true);
      }
    });
    expect(outcomes.filter((o) => o === 'insufficient').length).toBeGreaterThan(0);

    const accounts: { party_id: string; total: string; held: string }[] = await db
      .knex('ledger_accounts')
      .whereNotNull('party_id')
      .select('party_id', 'total', 'held');
    for (const account of accounts) {
      expect(new Decimal(account.total).gte(0)).toBe(true);
      expect(new Decimal(account.total).eq(expected.get(account.party_id)!)).toBe(true);
    }
    for (const sum of (await postingSumsByAsset(db.knex)).values()) expect(sum).toBe('0');
  });
});
