/**
 * The set-based DVP writer (ledger_post_dvp_batch) and the database-side guarantees that replaced
 * row-level foreign keys: a posting names an existing entry and an existing account of its asset,
 * carries at most two decimals, and ledger accounts and tables cannot be deleted or truncated.
 * The writer's entries carry the payload hash validate.ts computes for the same entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { Decimal } from '../../server/domain/decimal.js';
import { inTransaction } from '../../server/db/transaction.js';
import { CASH_ASSET, placeHolds, type EntryInput } from '../../server/ledger/index.js';
import { payloadHash } from '../../server/ledger/validate.js';
import { netEntries } from '../../server/settlement/entries.js';
import type { Decision } from '../../server/settlement/evaluate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { balances, seedMarket, type Market } from '../settlement/fixtures.js';

let db: TestDatabase;
let knex: Knex;
let m: Market;
let note: string;
let [a, b, c] = ['', '', ''];

beforeAll(async () => {
  db = await createTestDatabase();
  knex = db.knex;
  m = await seedMarket(knex, { parties: 3, cash: '10000', face: '5000', prefix: 'DVP' });
  [a, b, c] = m.partyIds as [string, string, string];
  note = m.noteIds[0]!;
});
afterAll(async () => db.close());

interface Dvp {
  id: number;
  seller: string;
  buyer: string;
  quantity: string;
  amount: string;
  sellerHold?: { reference: string; use: string };
  buyerHold?: { reference: string; use: string };
}

async function holdId(trx: Knex.Transaction, reference: string): Promise<string> {
  return String((await trx('ledger_holds').where({ reference }).first('id')).id);
}

/** Posts the DVPs in one batch (gross, or net under `netKey`); returns the net entry's id. */
async function post(dvps: Dvp[], netKey: string | null = null): Promise<string | null> {
  return inTransaction(knex, (trx) => postIn(trx, dvps, netKey));
}

/** Posts the DVPs in one batch within the caller's transaction. */
async function postIn(trx: Knex.Transaction, dvps: Dvp[], netKey: string | null = null): Promise<string | null> {
  await trx.raw('select ledger_dvp_batch_open()');
  for (const d of dvps) {
    await trx('ledger_dvp_batch').insert({
      dvp_id: d.id,
      entry_key: `dvp:${d.id}`,
      description: `dvp ${d.id}`,
      metadata: JSON.stringify({ dvp: d.id }),
      asset: note,
      seller_party_id: d.seller,
      buyer_party_id: d.buyer,
      quantity: d.quantity,
      amount: d.amount,
      seller_hold_id: d.sellerHold ? await holdId(trx, d.sellerHold.reference) : null,
      seller_hold_reference: d.sellerHold?.reference ?? null,
      seller_hold_use: d.sellerHold?.use ?? '0',
      buyer_hold_id: d.buyerHold ? await holdId(trx, d.buyerHold.reference) : null,
      buyer_hold_reference: d.buyerHold?.reference ?? null,
      buyer_hold_use: d.buyerHold?.use ?? '0',
    });
  }
  const result = await trx.raw(`select ledger_post_dvp_batch('2026-11-24', null, ?, 'net batch', '{}'::jsonb) as net`, [netKey]);
  const net = (result.rows as { net: string | null }[])[0]!.net;
  return net === null ? null : String(net);
}

/** The entry validate.ts would hash for a gross DVP, legs in the writer's order. */
function grossEntry(d: Dvp): EntryInput {
  const q = new Decimal(d.quantity);
  const n = new Decimal(d.amount);
  return {
    idempotencyKey: `dvp:${d.id}`,
    kind: 'trade_settlement',
    description: '',
    businessDate: '2026-11-24',
    postings: [
      { account: { partyId: d.seller, asset: note }, amount: q.negated() },
      { account: { partyId: d.buyer, asset: note }, amount: q },
      ...(n.isZero()
        ? []
        : [
            { account: { partyId: d.buyer, asset: CASH_ASSET }, amount: n.negated() },
            { account: { partyId: d.seller, asset: CASH_ASSET }, amount: n },
          ]),
    ],
    holdConsumptions: [
      ...(d.sellerHold ? [{ holdReference: d.sellerHold.reference, amount: new Decimal(d.sellerHold.use) }] : []),
      ...(d.buyerHold ? [{ holdReference: d.buyerHold.reference, amount: new Decimal(d.buyerHold.use) }] : []),
    ],
  };
}

async function entry(key: string) {
  return knex('ledger_entries').where({ idempotency_key: key }).first();
}

describe('ledger_post_dvp_batch', () => {
  it('posts one balanced entry per DVP, consumes the holds on their accounts and moves each balance once', async () => {
    await inTransaction(knex, (trx) =>
      placeHolds(trx, [
        { reference: 'dvp-hold:1:seller', account: { partyId: a, asset: note }, amount: new Decimal(1000) },
        { reference: 'dvp-hold:1:buyer', account: { partyId: b, asset: CASH_ASSET }, amount: new Decimal('1500.50') },
      ]),
    );
    const before = await balances(knex);
    const dvps: Dvp[] = [
      {
        id: 1,
        seller: a,
        buyer: b,
        quantity: '1000',
        amount: '1000.25',
        sellerHold: { reference: 'dvp-hold:1:seller', use: '1000' },
        buyerHold: { reference: 'dvp-hold:1:buyer', use: '1000.25' },
      },
      { id: 2, seller: b, buyer: c, quantity: '400', amount: '0' },
    ];
    expect(await post(dvps)).toBeNull();
    const after = await balances(knex);
    const moved = (party: string, asset: string) =>
      new Decimal(after.get(`${party}|${asset}`)!.total).minus(before.get(`${party}|${asset}`)!.total).toFixed();
    expect([moved(a, note), moved(b, note), moved(c, note), moved(a, CASH_ASSET), moved(b, CASH_ASSET)]).toEqual([
      '-1000',
      '600',
      '400',
      '1000.25',
      '-1000.25',
    ]);
    expect(after.get(`${b}|${CASH_ASSET}`)!.held).toBe('500.25');
    expect(after.get(`${a}|${note}`)!.held).toBe('0');
    const holds = await knex('ledger_holds')
      .whereIn('reference', ['dvp-hold:1:seller', 'dvp-hold:1:buyer'])
      .orderBy('reference')
      .select('reference', 'status', 'remaining');
    expect(holds).toEqual([
      { reference: 'dvp-hold:1:buyer', status: 'active', remaining: '500.25' },
      { reference: 'dvp-hold:1:seller', status: 'consumed', remaining: '0' },
    ]);
    for (const d of dvps) expect((await entry(`dvp:${d.id}`)).payload_hash).toBe(payloadHash(grossEntry(d)));
    const postings = await knex('ledger_postings')
      .where({ entry_id: (await entry('dvp:2')).id })
      .count('* as count');
    expect(Number(postings[0]!.count)).toBe(2); // a zero cash leg is left out
  });

  it('nets the batch into one entry whose payload hash is that of entries.ts, or books it gross when every set nets to zero', async () => {
    const dvps: Dvp[] = [
      { id: 3, seller: a, buyer: c, quantity: '100', amount: '90' },
      { id: 4, seller: c, buyer: b, quantity: '100', amount: '95.5' },
    ];
    const netId = await post(dvps, 'dvp-net:1');
    const net = await entry('dvp-net:1');
    expect(String(net.id)).toBe(netId);
    const decisions = dvps.map(
      (d): Extract<Decision, { kind: 'settle' }> => ({
        kind: 'settle',
        sellerHoldUse: new Decimal(0),
        buyerHoldUse: new Decimal(0),
        instruction: {
          id: String(d.id),
          tradeId: `t${d.id}`,
          noteId: note,
          buyerPartyId: d.buyer,
          sellerPartyId: d.seller,
          quantity: new Decimal(d.quantity),
          netAmount: new Decimal(d.amount),
          buyerHoldReference: null,
          sellerHoldReference: null,
          settlementDate: '2026-11-24',
          status: 'pending',
        },
      }),
    );
    expect(net.payload_hash).toBe(payloadHash(netEntries(decisions, '1', 0, '2026-11-24', null)[0]!));
    expect(await entry('dvp:3')).toBeUndefined();
    // c receives and delivers the same face: no posting for its note account.
    const postings: { account_id: string }[] = await knex('ledger_postings').where({ entry_id: net.id }).select('account_id');
    expect(postings).toHaveLength(5);

    expect(
      await post(
        [
          { id: 5, seller: a, buyer: b, quantity: '10', amount: '1' },
          { id: 6, seller: b, buyer: a, quantity: '10', amount: '1' },
        ],
        'dvp-net:2',
      ),
    ).toBeNull();
    expect(await entry('dvp-net:2')).toBeUndefined();
    expect(await entry('dvp:5')).toBeDefined();
  });

  it('moves the balances of every batch of a transaction when it commits', async () => {
    const before = await balances(knex);
    const moved = (after: Awaited<ReturnType<typeof balances>>, party: string, asset: string) =>
      new Decimal(after.get(`${party}|${asset}`)!.total).minus(before.get(`${party}|${asset}`)!.total).toFixed();
    await inTransaction(knex, async (trx) => {
      await postIn(trx, [{ id: 11, seller: a, buyer: b, quantity: '5', amount: '4.5' }]);
      await postIn(trx, [
        { id: 12, seller: a, buyer: b, quantity: '3', amount: '2.25' },
        { id: 13, seller: b, buyer: c, quantity: '1', amount: '1' },
      ]);
      // Applied at the commit (the accounts are locked for the commit only): not yet here.
      expect(await balances(trx as unknown as Knex)).toEqual(before);
    });
    const after = await balances(knex);
    expect([
      moved(after, a, note),
      moved(after, b, note),
      moved(after, c, note),
      moved(after, a, CASH_ASSET),
      moved(after, b, CASH_ASSET),
      moved(after, c, CASH_ASSET),
    ]).toEqual(['-8', '7', '1', '6.75', '-5.75', '-1']);
  });

  it('refuses a hold that is not active or is overdrawn, and an overdraft, writing nothing', async () => {
    const before = await balances(knex);
    await expect(
      post([{ id: 7, seller: a, buyer: b, quantity: '1', amount: '1', sellerHold: { reference: 'dvp-hold:1:seller', use: '1' } }]),
    ).rejects.toThrow(/holds are not active/);
    await expect(
      post([{ id: 8, seller: a, buyer: b, quantity: '1', amount: '1000', buyerHold: { reference: 'dvp-hold:1:buyer', use: '1000' } }]),
    ).rejects.toThrow(/holds are not active/);
    await expect(post([{ id: 9, seller: a, buyer: b, quantity: '999999', amount: '1' }])).rejects.toThrow(/ledger_accounts_non_negative/);
    await expect(post([{ id: 10, seller: a, buyer: b, quantity: '1.001', amount: '1' }])).rejects.toThrow(/malformed/);
    expect(await balances(knex)).toEqual(before);
  });
});

describe('what the foreign keys guaranteed, checked per statement', () => {
  async function rawEntry(key: string): Promise<string> {
    const [row] = await knex('ledger_entries')
      .insert({ idempotency_key: key, payload_hash: 'x', kind: 'adjustment', business_date: '2026-11-24' })
      .returning('id');
    return String((row as { id: string }).id);
  }
  const account = async (party: string, asset: string) =>
    String((await knex('ledger_accounts').where({ party_id: party, asset }).first('id')).id);

  it('refuses a posting to an account that does not exist or holds another asset, or to an entry that does not exist', async () => {
    const entryId = await rawEntry('fk:1');
    const cash = await account(a, CASH_ASSET);
    await expect(
      knex('ledger_postings').insert([
        { entry_id: entryId, account_id: cash, asset: CASH_ASSET, amount: '1' },
        { entry_id: entryId, account_id: '999999999', asset: CASH_ASSET, amount: '-1' },
      ]),
    ).rejects.toThrow(/account that does not exist/);
    await expect(
      knex('ledger_postings').insert([
        { entry_id: entryId, account_id: cash, asset: note, amount: '1' },
        { entry_id: entryId, account_id: await account(b, note), asset: note, amount: '-1' },
      ]),
    ).rejects.toThrow(/account that does not exist in its asset/);
    await expect(
      knex('ledger_postings').insert([
        { entry_id: '999999999', account_id: cash, asset: CASH_ASSET, amount: '1' },
        { entry_id: '999999999', account_id: await account(b, CASH_ASSET), asset: CASH_ASSET, amount: '-1' },
      ]),
    ).rejects.toThrow(/ledger entry that does not exist/);
    await expect(
      knex('ledger_postings').insert([
        { entry_id: entryId, account_id: cash, asset: CASH_ASSET, amount: '0.001' },
        { entry_id: entryId, account_id: await account(b, CASH_ASSET), asset: CASH_ASSET, amount: '-0.001' },
      ]),
    ).rejects.toThrow(/ledger_postings_cents/);
  });

  it('never deletes an account, never truncates the ledger, and an instruction names only a real entry', async () => {
    await expect(knex('ledger_accounts').where({ party_id: c, asset: CASH_ASSET }).del()).rejects.toThrow(/never deleted/);
    for (const table of ['ledger_accounts', 'ledger_entries', 'ledger_postings'])
      await expect(knex.raw(`truncate ${table} cascade`)).rejects.toThrow(/never deleted|append-only/);
    await knex('trades').insert({
      id: 'FK-T1',
      note_id: note,
      price: '100',
      quantity: '1',
      factor: '1',
      principal: '1',
      accrued_interest: '0',
      net_amount: '1',
      buyer_party_id: a,
      seller_party_id: b,
      maker_side: 'buy',
      venue: 'clob',
      trade_date: '2026-11-23',
      settlement_date: '2026-11-24',
      buyer_hold_reference: 'trade:FK-T1:buyer',
      seller_hold_reference: 'trade:FK-T1:seller',
      seq: 424242,
      executed_at: new Date(),
    });
    await expect(
      knex('settlement_instructions')
        .where({ trade_id: 'FK-T1' })
        .update({ status: 'settled', entry_id: '999999999', settled_date: '2026-11-24' }),
    ).rejects.toThrow(/ledger entry that does not exist/);
  });
});
