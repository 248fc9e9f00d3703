/**
 * The ledger core against a real database (PGlite, and PostgreSQL under TEST_DB=postgres):
 * balanced entries, idempotency keys, non-negative balances, holds, and the database-side checks
 * that back the code's checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { Decimal } from '../../server/domain/decimal.js';
import {
  CASH_ASSET,
  LedgerRejection,
  partyBalances,
  placeHolds,
  postEntry,
  releaseHolds,
  postingSumsByAsset,
  type EntryInput,
} from '../../server/ledger/index.js';
import { createParty } from '../../server/refdata/parties.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let knex: Knex;
let alice: string;
let bob: string;
const NOTE = 'note-asset-for-tests';

beforeAll(async () => {
  db = await createTestDatabase();
  knex = db.knex;
  alice = (await createParty(knex, { name: 'Alice Fund', kind: 'investor', eligible: true })).id;
  bob = (await createParty(knex, { name: 'Bob Dealer', kind: 'dealer', eligible: true })).id;
});
afterAll(async () => db.close());

function deposit(partyId: string, amount: string, key: string): EntryInput {
  const value = new Decimal(amount);
  return {
    idempotencyKey: key,
    kind: 'cash_deposit',
    description: 'test deposit',
    businessDate: '2026-11-23',
    postings: [
      { account: { partyId, asset: CASH_ASSET }, amount: value },
      { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: value.negated() },
    ],
  };
}

function transfer(from: string, to: string, asset: string, amount: string, key: string): EntryInput {
  const value = new Decimal(amount);
  return {
    idempotencyKey: key,
    kind: 'adjustment',
    description: 'test transfer',
    businessDate: '2026-11-23',
    postings: [
      { account: { partyId: from, asset }, amount: value.negated() },
      { account: { partyId: to, asset }, amount: value },
    ],
  };
}

async function balance(partyId: string, asset = CASH_ASSET) {
  return (await partyBalances(knex, partyId)).find((b) => b.asset === asset) ?? { asset, total: '0', held: '0', available: '0' };
}

async function rejection(promise: Promise<unknown>): Promise<LedgerRejection> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LedgerRejection) return error;
    throw error;
  }
  throw new Error('expected a ledger rejection');
}

async function snapshot() {
  return {
    accounts: await knex('ledger_accounts').orderBy('id').select('id', 'total', 'held'),
    entries: (await knex('ledger_entries').count<{ count: string }[]>('* as count'))[0]?.count,
    holds: await knex('ledger_holds').orderBy('id').select('id', 'remaining', 'status'),
  };
}

describe('journal entries', () => {
  it('posts a balanced entry and moves the balances', async () => {
    await knex.transaction((trx) => postEntry(trx, deposit(alice, '1000.50', 'dep-1')));
    expect(await balance(alice)).toEqual({ asset: 'USD', total: '1000.50', held: '0.00', available: '1000.50' });
    expect((await postingSumsByAsset(knex)).get('USD')).toBe('0');
  });

  it('posts an idempotency key once and reports the retry as replayed', async () => {
    const again = await knex.transaction((trx) => postEntry(trx, deposit(alice, '1000.50', 'dep-1')));
    expect(again.replayed).toBe(true);
    expect((await balance(alice)).total).toBe('1000.50');
  });

  it('rejects a used key with a different payload and changes nothing', async () => {
    const before = await snapshot();
    const error = await rejection(knex.transaction((trx) => postEntry(trx, deposit(alice, '999.00', 'dep-1'))));
    expect(error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await snapshot()).toEqual(before);
  });

  it('rejects an entry that does not balance per asset', async () => {
    const before = await snapshot();
    const entry = deposit(alice, '10', 'unbalanced');
    const bad = { ...entry, postings: [entry.postings[0]!, { ...entry.postings[1]!, amount: new Decimal('-9.99') }] };
    expect((await rejection(knex.transaction((trx) => postEntry(trx, bad)))).code).toBe('UNBALANCED_ENTRY');
    // Balanced in total but not per asset: cash against face.
    const crossAsset: EntryInput = {
      ...entry,
      idempotencyKey: 'cross-asset',
      postings: [
        { account: { partyId: alice, asset: CASH_ASSET }, amount: new Decimal(10) },
        { account: { partyId: bob, asset: NOTE }, amount: new Decimal(-10) },
      ],
    };
    expect((await rejection(knex.transaction((trx) => postEntry(trx, crossAsset)))).code).toBe('UNBALANCED_ENTRY');
    expect(await snapshot()).toEqual(before);
  });

  it('rejects zero amounts, sub-cent amounts and empty entries', async () => {
    const zero = { ...deposit(alice, '1', 'zero'), postings: [] };
    expect((await rejection(knex.transaction((trx) => postEntry(trx, zero)))).code).toBe('EMPTY_ENTRY');
    expect((await rejection(knex.transaction((trx) => postEntry(trx, deposit(alice, '0', 'zero2'))))).code).toBe('INVALID_AMOUNT');
    expect((await rejection(knex.transaction((trx) => postEntry(trx, deposit(alice, '0.001', 'milli'))))).code).toBe('INVALID_AMOUNT');
  });

  it('never lets a party balance go negative', async () => {
    const before = await snapshot();
    const error = await rejection(knex.transaction((trx) => postEntry(trx, transfer(alice, bob, CASH_ASSET, '1000.51', 'overdraw'))));
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    const face = await rejection(knex.transaction((trx) => postEntry(trx, transfer(bob, alice, NOTE, '1', 'short-sale'))));
    expect(face.code).toBe('INSUFFICIENT_POSITION');
    expect(await snapshot()).toEqual(before);
  });
});

describe('holds', () => {
  it('sets cash aside, blocks spending it, and is consumed by the entry that uses it', async () => {
    await knex.transaction((trx) =>
      placeHolds(trx, [{ reference: 'order-1', account: { partyId: alice, asset: CASH_ASSET }, amount: new Decimal('600') }]),
    );
    expect(await balance(alice)).toEqual({ asset: 'USD', total: '1000.50', held: '600.00', available: '400.50' });

    const spend = await rejection(knex.transaction((trx) => postEntry(trx, transfer(alice, bob, CASH_ASSET, '500', 'spend-held'))));
    expect(spend.code).toBe('INSUFFICIENT_FUNDS');

    await knex.transaction((trx) =>
      postEntry(trx, {
        ...transfer(alice, bob, CASH_ASSET, '500', 'pay-with-hold'),
        holdConsumptions: [{ holdReference: 'order-1', amount: new Decimal('500') }],
      }),
    );
    expect(await balance(alice)).toEqual({ asset: 'USD', total: '500.50', held: '100.00', available: '400.50' });
    expect((await balance(bob)).total).toBe('500.00');
  });

  it('releases what remains and a second release is a no-op', async () => {
    await knex.transaction((trx) => releaseHolds(trx, [{ reference: 'order-1' }]));
    await knex.transaction((trx) => releaseHolds(trx, [{ reference: 'order-1' }]));
    expect(await balance(alice)).toEqual({ asset: 'USD', total: '500.50', held: '0.00', available: '500.50' });
    const hold = await knex('ledger_holds').where({ reference: 'order-1' }).first();
    expect(hold.status).toBe('released');
  });

  it('refuses a hold above the available amount, and a consumption above the hold', async () => {
    const over = await rejection(
      knex.transaction((trx) =>
        placeHolds(trx, [{ reference: 'order-2', account: { partyId: alice, asset: CASH_ASSET }, amount: new Decimal('500.51') }]),
      ),
    );
    expect(over.code).toBe('INSUFFICIENT_FUNDS');
    await knex.transaction((trx) =>
      placeHolds(trx, [{ reference: 'order-3', account: { partyId: alice, asset: CASH_ASSET }, amount: new Decimal('10') }]),
    );
    const exceeded = await rejection(
      knex.transaction((trx) =>
        postEntry(trx, {
          ...transfer(alice, bob, CASH_ASSET, '11', 'too-much'),
          holdConsumptions: [{ holdReference: 'order-3', amount: new Decimal('11') }],
        }),
      ),
    );
    expect(exceeded.code).toBe('HOLD_EXCEEDED');
    await knex.transaction((trx) => releaseHolds(trx, [{ reference: 'order-3' }]));
  });
});

describe('database-side invariants (the second line of defence)', () => {
  it('a CHECK refuses a negative party balance written around the code', async () => {
    await expect(knex('ledger_accounts').where({ party_id: alice, asset: CASH_ASSET }).update({ total: '-1' })).rejects.toThrow(
      /ledger_accounts_non_negative/,
    );
  });

  it('a trigger refuses postings that do not balance, and postings are append-only', async () => {
    const [entry] = await knex('ledger_entries')
      .insert({ idempotency_key: 'raw', payload_hash: 'x', kind: 'adjustment', business_date: '2026-11-23' })
      .returning('id');
    const account = await knex('ledger_accounts').where({ party_id: alice, asset: CASH_ASSET }).first();
    await expect(knex('ledger_postings').insert({ entry_id: entry.id, account_id: account.id, asset: 'USD', amount: '5' })).rejects.toThrow(
      /does not balance/,
    );
    await expect(knex('ledger_postings').update({ amount: '1' })).rejects.toThrow(/append-only/);
    await expect(knex('ledger_entries').where({ idempotency_key: 'dep-1' }).del()).rejects.toThrow(/append-only/);
  });

  it('every account total equals the sum of its postings', async () => {
    const rows = await knex.raw(`
      select a.id, a.total, coalesce(sum(p.amount), 0) as posted from ledger_accounts a
        left join ledger_postings p on p.account_id = a.id group by a.id, a.total`);
    for (const row of rows.rows) expect(new Decimal(row.total).eq(row.posted)).toBe(true);
  });
});
