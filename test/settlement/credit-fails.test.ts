/**
 * Issue 15, item 2, through HTTP on the demo market: a dealer's credit line, buys held against
 * cash plus unused credit, fails that really happen (a buyer without the cash fails to pay at
 * settlement, stays open and ages at each roll; the roll attempts what is due so nothing settles
 * late without being a fail), and the TMPG fail charge at the operator's dated reference rate,
 * charged to a seller that fails to deliver and booked through the ledger when the fail settles.
 *
 * Hand computations:
 * - dealer2 buys 10,000,000 A-2 (factor 0.9875, 5.25%, 30/360) at 100 on 2026-12-07, settling
 *   2026-12-08: current face 9,875,000.00; principal 9,875,000.00; accrued 2026-11-15 → 12-08 is
 *   23 days (30/360): 9,875,000 × 5.25% × 23/360 = 33,122.395833 → 33,122.40; net 9,908,122.40.
 *   dealer2 has 5,000,000.00 cash (25M less a 20M withdrawal): the trade holds 9,908,122.40, of
 *   which 4,908,122.40 is credit; 10,000,000 − 4,908,122.40 = 5,091,877.60 of the line is left.
 * - A seller fail of 98,000.00 proceeds due 2026-12-09, settled 2026-12-11 (2 calendar days),
 *   reference rate 1.25% (set for 12-08, the business day before the fail; the 2.5% set for
 *   12-10 does not apply): 98,000 × (3% − 1.25%) × 2 / 360 = 9.527777… → 9.53.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { inTransaction } from '../../server/db/transaction.js';
import { postEntries } from '../../server/ledger/index.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
const notes: Record<string, string> = {};
const parties: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2026-12-07T15:00:00Z')) });
  const list = (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body as { id: string; className: string }[];
  for (const n of list) notes[n.className] = n.id;
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2']) {
    parties[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  }
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function usd(username: string): Promise<Record<string, string>> {
  return (await t.http.get('/api/v1/balances').set(await auth(username))).body.find((b: { asset: string }) => b.asset === 'USD');
}

async function roll(): Promise<string> {
  return (
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body.businessDate;
}

async function instructionOf(tradeId: string) {
  const list = (await t.http.get('/api/v1/settlements?limit=5000').set(await auth('backoffice1'))).body as { tradeId: string }[];
  return list.find((i) => i.tradeId === tradeId) as Record<string, unknown>;
}

describe('a dealer credit line', () => {
  it('is set by the operator for dealers only, and refused when malformed', async () => {
    const op = await auth('operator1');
    const notDealer = await t.http.put(`/api/v1/parties/${parties.investor2}/credit-line`).set(op).send({ amount: '1000000' });
    expect(notDealer.status).toBe(422);
    expect(notDealer.body.error.code).toBe('NOT_A_DEALER');
    for (const amount of ['-1', '1.001', 'abc']) {
      const bad = await t.http.put(`/api/v1/parties/${parties.dealer2}/credit-line`).set(op).send({ amount });
      expect(bad.status, amount).toBe(400);
    }
    const byDealer = await t.http
      .put(`/api/v1/parties/${parties.dealer2}/credit-line`)
      .set(await auth('dealer2'))
      .send({ amount: '1000000' });
    expect(byDealer.status).toBe(403);
    expect((await usd('dealer2')).creditLine).toBeUndefined();
    const set = await t.http.put(`/api/v1/parties/${parties.dealer2}/credit-line`).set(op).send({ amount: '10000000' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ partyId: parties.dealer2, creditLine: '10000000.00', creditUsed: '0.00', creditAvailable: '10000000.00' });
  });

  it('lets the dealer buy beyond its cash, up to the line', async () => {
    await t.http
      .post('/api/v1/cash/withdrawals')
      .set(await auth('backoffice1'))
      .send({ partyId: parties.dealer2, amount: '20000000.00', reference: 'w-1' })
      .expect(201);
    await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer1'))
      .send({ clOrdId: 'ask-1', noteId: notes['A-2'], side: 'sell', type: 'limit', price: '100', quantity: '10000000', timeInForce: 'GTC' })
      .expect(201);
    const buy = await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer2'))
      .send({ clOrdId: 'buy-1', noteId: notes['A-2'], side: 'buy', type: 'limit', price: '100', quantity: '10000000', timeInForce: 'IOC' });
    expect(buy.status, JSON.stringify(buy.body)).toBe(201);
    expect(buy.body.fills[0]).toMatchObject({
      principal: '9875000.00',
      accruedInterest: '33122.40',
      netAmount: '9908122.40',
      settlementDate: '2026-12-08',
    });
    expect(await usd('dealer2')).toEqual({
      asset: 'USD',
      total: '5000000.00',
      held: '9908122.40',
      available: '0.00',
      creditLine: '10000000.00',
      creditUsed: '4908122.40',
      creditAvailable: '5091877.60',
    });
  });

  it('lends no cash: no withdrawal of it, and the line cannot drop below its use', async () => {
    const withdrawal = await t.http
      .post('/api/v1/cash/withdrawals')
      .set(await auth('backoffice1'))
      .send({ partyId: parties.dealer2, amount: '1.00', reference: 'w-2' });
    expect(withdrawal.status).toBe(422);
    expect(withdrawal.body.error.code).toBe('INSUFFICIENT_FUNDS');
    const lower = await t.http
      .put(`/api/v1/parties/${parties.dealer2}/credit-line`)
      .set(await auth('operator1'))
      .send({ amount: '4000000' });
    expect(lower.status).toBe(409);
    expect(lower.body.error).toMatchObject({ code: 'CREDIT_LINE_IN_USE', details: { creditUsed: '4908122.40' } });
    // A buy beyond cash plus the rest of the line is refused.
    const ask = await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer1'))
      .send({ clOrdId: 'ask-2', noteId: notes['A-2'], side: 'sell', type: 'limit', price: '100', quantity: '6000000', timeInForce: 'GTC' })
      .expect(201);
    const tooMuch = await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer2'))
      .send({ clOrdId: 'buy-2', noteId: notes['A-2'], side: 'buy', type: 'limit', price: '100', quantity: '6000000', timeInForce: 'IOC' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('INSUFFICIENT_FUNDS');
    await t.http
      .delete(`/api/v1/orders/${ask.body.order.id}`)
      .set(await auth('dealer1'))
      .expect(200);
  });
});

describe('fails that happen', () => {
  let tradeId: string;

  it('at the roll, the due purchase the dealer cannot pay for becomes a failure to pay, with no TMPG charge', async () => {
    tradeId = (await t.http.get('/api/v1/executions').set(await auth('dealer2'))).body[0].tradeId;
    expect(await roll()).toBe('2026-12-08');
    expect(await instructionOf(tradeId)).toMatchObject({ status: 'pending' });
    // No settlement run by the back office on 12-08: the roll attempts it before the date moves.
    expect(await roll()).toBe('2026-12-09');
    expect(await instructionOf(tradeId)).toMatchObject({
      status: 'failed',
      failedSide: 'buyer',
      failSince: '2026-12-08',
      lastAttemptDate: '2026-12-08',
      failAgeBusinessDays: 1,
      failCharge: '0.00',
      failChargePayer: null,
      netAmount: '9908122.40',
    });
    // The seller keeps its face; the buyer's credit stays in use.
    expect((await usd('dealer2')).creditUsed).toBe('4908122.40');
  });

  it('ages by business day at each roll, and settles once the dealer has the cash', async () => {
    expect(await roll()).toBe('2026-12-10');
    expect(await instructionOf(tradeId)).toMatchObject({ status: 'failed', failAgeBusinessDays: 2 });
    await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send({ partyId: parties.dealer2, amount: '5000000.00', reference: 'd-1' })
      .expect(201);
    const run = (
      await t.http
        .post('/api/v1/settlements/run')
        .set(await auth('backoffice1'))
        .send({ date: '2026-12-10' })
        .expect(200)
    ).body;
    expect(run.settled).toBeGreaterThanOrEqual(1);
    expect(await instructionOf(tradeId)).toMatchObject({
      status: 'settled',
      settledDate: '2026-12-10',
      failAgeBusinessDays: 2,
      failCharge: '0.00',
      failChargeEntryId: null,
    });
    // 5,000,000 + 5,000,000 − 9,908,122.40 = 91,877.60; the line is unused again.
    expect(await usd('dealer2')).toMatchObject({ total: '91877.60', held: '0.00', creditUsed: '0.00', creditAvailable: '10000000.00' });
  });
});

describe('the TMPG fail charge', () => {
  it("uses the operator's reference rate in force at the close of the business day before the fail", async () => {
    const op = await auth('operator1');
    const bad = await t.http.put('/api/v1/reference-rates/2026-12-08').set(op).send({ ratePercent: '101' });
    expect(bad.status).toBe(400);
    const forbidden = await t.http
      .put('/api/v1/reference-rates/2026-12-08')
      .set(await auth('backoffice1'))
      .send({ ratePercent: '1.25' });
    expect(forbidden.status).toBe(403);
    await t.http.put('/api/v1/reference-rates/2026-12-09').set(op).send({ ratePercent: '1.25' }).expect(200);
    await t.http.put('/api/v1/reference-rates/2026-12-12').set(op).send({ ratePercent: '2.5' }).expect(200);
    expect((await t.http.get('/api/v1/reference-rates').set(await auth('investor1'))).body).toEqual([
      { date: '2026-12-09', ratePercent: '1.25' },
      { date: '2026-12-12', ratePercent: '2.5' },
    ]);
  });

  it('is charged to a seller that fails to deliver and booked through the ledger when the fail settles', async () => {
    // A trade due 12-10 whose seller (investor2) has no C: it fails to deliver.
    await t.database.knex('trades').insert({
      id: 'FAIL-C',
      note_id: notes.C,
      price: '98',
      quantity: '100000',
      factor: '1',
      principal: '98000.00',
      accrued_interest: '0.00',
      net_amount: '98000.00',
      buyer_party_id: parties.investor1,
      seller_party_id: parties.investor2,
      maker_side: 'buy',
      venue: 'clob',
      trade_date: '2026-12-09',
      settlement_date: '2026-12-10',
      buyer_hold_reference: 'trade:FAIL-C:buyer',
      seller_hold_reference: 'trade:FAIL-C:seller',
      seq: 999_999_999,
      executed_at: new Date(),
    });
    // Set again for 12-09, the business day before the fail (as the operator would correct it): 1.25%.
    await t.http
      .put('/api/v1/reference-rates/2026-12-09')
      .set(await auth('operator1'))
      .send({ ratePercent: '1.25' })
      .expect(200);
    expect(await roll()).toBe('2026-12-11');
    // 98,000 × 1.75% × 1 / 360 = 4.763888… → 4.76 after one calendar day, owed by the seller.
    expect(await instructionOf('FAIL-C')).toMatchObject({
      status: 'failed',
      failedSide: 'seller',
      failAgeBusinessDays: 1,
      failCharge: '4.76',
      failChargePayer: 'seller',
    });
    // investor2 gets the face (test setup: a transfer from dealer1), and the fail settles on 12-14.
    await inTransaction(t.database.knex, (trx) =>
      postEntries(trx, [
        {
          idempotencyKey: 'test:give-c',
          kind: 'adjustment',
          description: 'test: C face for the failing seller',
          businessDate: '2026-12-11',
          postings: [
            { account: { partyId: parties.dealer1!, asset: notes.C! }, amount: new Decimal(-100000) },
            { account: { partyId: parties.investor2!, asset: notes.C! }, amount: new Decimal(100000) },
          ],
        },
      ]),
    );
    expect(await roll()).toBe('2026-12-14');
    const before = { buyer: await usd('investor1'), seller: await usd('investor2') };
    await t.http
      .post('/api/v1/settlements/run')
      .set(await auth('backoffice1'))
      .send({ date: '2026-12-14' })
      .expect(200);
    // 12-10 → 12-14: 4 calendar days at 1.25% (the 2.5% from 12-12 is not the rate of this fail):
    // 98,000 × 1.75% × 4 / 360 = 19.055555… → 19.06.
    const settled = await instructionOf('FAIL-C');
    expect(settled).toMatchObject({ status: 'settled', failCharge: '19.06', failChargePayer: 'seller' });
    const entry = await t.database.knex('ledger_entries').where({ id: settled.failChargeEntryId }).first();
    expect(entry).toMatchObject({ kind: 'fail_charge', idempotency_key: `fail-charge:${settled.id}` });
    const after = { buyer: await usd('investor1'), seller: await usd('investor2') };
    // The buyer paid 98,000.00 and received 19.06; the seller received 98,000.00 and paid 19.06.
    expect(new Decimal(before.buyer.total!).minus(after.buyer.total!).toFixed(2)).toBe('97980.94');
    expect(new Decimal(after.seller.total!).minus(before.seller.total!).toFixed(2)).toBe('97980.94');
  });
});
