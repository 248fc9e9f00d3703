/**
 * Settlement through HTTP on the seeded demo market: real trades from the order book, the
 * business date moved with the end-of-day roll, DVP runs (gross and net) that consume the trade
 * holds, re-runs that change nothing, fails, statements, and bad input that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let notes: Record<string, { id: string }>;
const parties: Record<string, string> = {};
let counter = 0;

beforeAll(async () => {
  t = await startTestService();
  const list = (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body;
  notes = Object.fromEntries(list.map((n: { className: string }) => [n.className, n]));
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2']) {
    parties[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  }
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set(await auth(username))
    .send({ clOrdId: `s-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function balance(username: string, asset: string) {
  const list = (await t.http.get('/api/v1/balances').set(await auth(username))).body as {
    asset: string;
    total: string;
    held: string;
    available: string;
  }[];
  return list.find((b) => b.asset === asset) ?? { asset, total: '0', held: '0', available: '0' };
}

async function businessDate(): Promise<string> {
  return (await t.http.get('/api/v1/business-date').set(await auth('investor1'))).body.businessDate;
}

async function roll(): Promise<string> {
  return (
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body.businessDate;
}

async function run(date: string, mode?: 'gross' | 'net') {
  return t.http
    .post('/api/v1/settlements/run')
    .set(await auth('backoffice1'))
    .send({ date, ...(mode ? { mode } : {}) });
}

async function ledgerState() {
  return {
    accounts: await t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held'),
    instructions: await t.database
      .knex('settlement_instructions')
      .orderBy('id')
      .select('id', 'status', 'entry_id', 'fail_charge', 'attempts'),
  };
}

describe('gross DVP settlement on T+1', () => {
  let tradeId: string;
  let net: string;
  let tradeDate: string;

  it('creates a pending instruction for every trade, due on its settlement date', async () => {
    tradeDate = await businessDate();
    await place('investor1', { noteId: notes['B']!.id, side: 'buy', price: '99.5', quantity: '1000000' });
    const sell = await place('dealer1', { noteId: notes['B']!.id, side: 'sell', price: '99.5', quantity: '400000' });
    tradeId = sell.fills[0].tradeId;
    net = sell.fills[0].netAmount;
    const list = (await t.http.get(`/api/v1/settlements?status=pending`).set(await auth('backoffice1'))).body;
    const instruction = list.find((i: { tradeId: string }) => i.tradeId === tradeId);
    expect(instruction).toMatchObject({
      status: 'pending',
      quantity: '400000',
      netAmount: net,
      buyerPartyId: parties.investor1,
      sellerPartyId: parties.dealer1,
      tradeDate,
    });
    expect(instruction.settlementDate > tradeDate).toBe(true);
  });

  it('settles nothing before the settlement date, and refuses a date after the business date', async () => {
    const early = await run(tradeDate);
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ due: 0, settled: 0, failed: 0 });
    const before = await ledgerState();
    const future = await run('2099-01-05');
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('DATE_AFTER_BUSINESS_DATE');
    expect(await ledgerState()).toEqual(before);
  });

  it('moves face and cash in one entry on T+1, consuming the trade holds', async () => {
    const settlementDate = await roll();
    const cashBefore = await balance('investor1', 'USD');
    const faceBefore = await balance('investor1', notes['B']!.id);
    const sellerCashBefore = await balance('dealer1', 'USD');
    const response = await run(settlementDate);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ mode: 'gross', settled: 1, failed: 0 });
    const cashAfter = await balance('investor1', 'USD');
    expect(new Decimal(cashBefore.total).minus(cashAfter.total).toFixed(2)).toBe(net);
    expect(new Decimal(cashBefore.held).minus(cashAfter.held).toFixed(2)).toBe(net);
    expect(cashAfter.available).toBe(cashBefore.available);
    expect(new Decimal((await balance('investor1', notes['B']!.id)).total).minus(faceBefore.total).toFixed()).toBe('400000');
    expect(new Decimal((await balance('dealer1', 'USD')).total).minus(sellerCashBefore.total).toFixed(2)).toBe(net);
    const holds = await t.database
      .knex('ledger_holds')
      .whereIn('reference', [`trade:${tradeId}:buyer`, `trade:${tradeId}:seller`])
      .select('status', 'remaining');
    expect(holds).toEqual([
      { status: 'consumed', remaining: '0' },
      { status: 'consumed', remaining: '0' },
    ]);
    const mine = (await t.http.get('/api/v1/settlements').set(await auth('investor1'))).body;
    expect(mine.find((i: { tradeId: string }) => i.tradeId === tradeId)).toMatchObject({
      status: 'settled',
      settledDate: settlementDate,
      settlementMode: 'gross',
    });
    const theirs = (await t.http.get('/api/v1/settlements').set(await auth('investor2'))).body;
    expect(theirs.find((i: { tradeId: string }) => i.tradeId === tradeId)).toBeUndefined();
    const entry = (await t.http.get(`/api/v1/ledger/entries?partyId=${parties.investor1}`).set(await auth('backoffice1'))).body[0];
    expect(entry.idempotencyKey).toMatch(/^settle:\d+$/);
  });

  it('changes nothing when the same date runs again', async () => {
    const before = await ledgerState();
    const again = await run(await businessDate());
    expect(again.body).toMatchObject({ settled: 0, failed: 0 });
    expect(await ledgerState()).toEqual(before);
  });

  it('lets the buyer sell the face it received (the trading side learned of the settlement)', async () => {
    await place('investor1', { noteId: notes['B']!.id, side: 'sell', price: '101', quantity: '400000' });
  });

  it("shows the day on the buyer's statement, as JSON and CSV", async () => {
    const date = await businessDate();
    const json = (
      await t.http
        .get(`/api/v1/statements?date=${date}`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(json.settlements.map((s: { tradeId: string }) => s.tradeId)).toContain(tradeId);
    expect(
      json.movements.some(
        (m: { kind: string; asset: string; amount: string }) =>
          m.kind === 'trade_settlement' && m.asset === 'USD' && m.amount === `-${net}`,
      ),
    ).toBe(true);
    expect(json.closingBalances.find((b: { asset: string }) => b.asset === notes['B']!.id).total).toBe('400000');
    const csv = await t.http
      .get(`/api/v1/statements?date=${date}&format=csv`)
      .set(await auth('investor1'))
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('section,reference,note_or_asset,side,quantity,amount,date,status,detail');
    expect(csv.text).toContain(`settlement,${tradeId},`);
    const forbidden = await t.http.get(`/api/v1/statements?partyId=${parties.investor2}`).set(await auth('investor1'));
    expect(forbidden.status).toBe(403);
  });
});

describe('net settlement', () => {
  it('books one entry for the run whose balances equal the gross movements', async () => {
    const a2 = notes['A-2']!.id;
    const b = notes['B']!.id;
    await place('dealer2', { noteId: a2, side: 'sell', price: '100', quantity: '300000' });
    const buy1 = await place('investor2', { noteId: a2, side: 'buy', price: '100', quantity: '300000', timeInForce: 'IOC' });
    await place('investor2', { noteId: b, side: 'sell', price: '100.5', quantity: '100000' });
    const buy2 = await place('dealer1', { noteId: b, side: 'buy', price: '100.5', quantity: '100000', timeInForce: 'IOC' });
    const fills = [...buy1.fills, ...buy2.fills] as { netAmount: string; quantity: string }[];
    expect(fills).toHaveLength(2);
    const accounts: [string, string][] = [
      ['investor2', 'USD'],
      ['investor2', a2],
      ['investor2', b],
      ['dealer1', 'USD'],
      ['dealer1', b],
      ['dealer2', 'USD'],
      ['dealer2', a2],
    ];
    const before = await Promise.all(accounts.map(([u, asset]) => balance(u, asset)));
    const settlementDate = await roll();
    const response = await run(settlementDate, 'net');
    expect(response.body).toMatchObject({ mode: 'net', settled: 2, failed: 0 });
    const after = await Promise.all(accounts.map(([u, asset]) => balance(u, asset)));
    const deltas = after.map((a, i) => new Decimal(a.total).minus(before[i]!.total).toFixed());
    const [n1, n2] = fills.map((f) => new Decimal(f.netAmount));
    // The gross legs, summed per party and asset.
    expect(deltas).toEqual([
      n2!.minus(n1!).toFixed(),
      '300000',
      '-100000', // investor2: paid for A-2, was paid for B
      n2!.negated().toFixed(),
      '100000', // dealer1
      n1!.toFixed(),
      '-300000', // dealer2
    ]);
    const entries = await t.database
      .knex('settlement_instructions')
      .where({ settled_date: settlementDate, settlement_mode: 'net' })
      .distinct('entry_id');
    expect(entries).toHaveLength(1);
    expect((await t.http.get('/api/v1/reconciliation').set(await auth('backoffice1'))).body.breaks).toEqual([]);
  });
});

describe('fails', () => {
  it('keeps an undeliverable instruction failed, ages it, charges it, and lets the back office cancel it', async () => {
    const date = await businessDate();
    const knex = t.database.knex;
    // A trade whose seller has no face of this note and no hold: it cannot settle.
    await knex('trades').insert({
      id: 'FAIL-1',
      note_id: notes['C']!.id,
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
      trade_date: date,
      settlement_date: date,
      buyer_hold_reference: 'trade:FAIL-1:buyer',
      seller_hold_reference: 'trade:FAIL-1:seller',
      seq: 999_999_999,
      executed_at: new Date(),
    });
    const first = await run(date);
    expect(first.body).toMatchObject({ settled: 0, failed: 1 });
    await roll();
    const next = await roll();
    await run(next);
    const [failed] = (await t.http.get('/api/v1/settlements?status=failed').set(await auth('investor2'))).body;
    expect(failed).toMatchObject({
      tradeId: 'FAIL-1',
      status: 'failed',
      failedSide: 'seller',
      failSince: date,
      failAgeBusinessDays: 2,
      failChargePayer: 'seller',
      attempts: 2,
    });
    // 98,000 × 3% × calendar days / 360 (TMPG with a 0% reference rate).
    const days = Math.round((Date.parse(next) - Date.parse(date)) / 86_400_000);
    expect(failed.failCharge).toBe(
      new Decimal(98000).mul('0.03').mul(days).div(360).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2),
    );
    const statement = (await t.http.get(`/api/v1/statements?date=${next}`).set(await auth('investor2'))).body;
    expect(statement.fails.map((f: { tradeId: string }) => f.tradeId)).toEqual(['FAIL-1']);
    const cancelled = await t.http
      .post(`/api/v1/settlements/${failed.id}/cancel`)
      .set(await auth('backoffice1'))
      .send({ reason: 'trade broken' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'trade broken' });
    const again = await t.http
      .post(`/api/v1/settlements/${failed.id}/cancel`)
      .set(await auth('backoffice1'))
      .send({});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WRONG_STATE');
  });
});

describe('bad input changes nothing', () => {
  const cases: Array<[string, string, () => Promise<import('supertest').Response>, number, string]> = [
    [
      'a run by an investor',
      'investor1',
      async () =>
        t.http
          .post('/api/v1/settlements/run')
          .set(await auth('investor1'))
          .send({ date: '2026-01-05' }),
      403,
      'FORBIDDEN',
    ],
    [
      'a run by an operator',
      'operator1',
      async () =>
        t.http
          .post('/api/v1/settlements/run')
          .set(await auth('operator1'))
          .send({ date: '2026-01-05' }),
      403,
      'FORBIDDEN',
    ],
    ['a run without a token', '', async () => t.http.post('/api/v1/settlements/run').send({ date: '2026-01-05' }), 401, 'UNAUTHENTICATED'],
    ['a malformed date', 'backoffice1', async () => run('2026-02-30'), 400, 'VALIDATION_FAILED'],
    [
      'an unknown mode',
      'backoffice1',
      async () =>
        t.http
          .post('/api/v1/settlements/run')
          .set(await auth('backoffice1'))
          .send({ date: '2026-01-05', mode: 'fast' }),
      400,
      'VALIDATION_FAILED',
    ],
    ['a date after the business date', 'backoffice1', async () => run('2099-12-31'), 422, 'DATE_AFTER_BUSINESS_DATE'],
    [
      'cancelling an unknown instruction',
      'backoffice1',
      async () =>
        t.http
          .post('/api/v1/settlements/987654321/cancel')
          .set(await auth('backoffice1'))
          .send({}),
      404,
      'SETTLEMENT_NOT_FOUND',
    ],
    [
      'an unknown run',
      'backoffice1',
      async () => t.http.get('/api/v1/settlements/runs/987654321').set(await auth('backoffice1')),
      404,
      'SETTLEMENT_RUN_NOT_FOUND',
    ],
    [
      'reconciliation by a dealer',
      'dealer1',
      async () => t.http.get('/api/v1/reconciliation').set(await auth('dealer1')),
      403,
      'FORBIDDEN',
    ],
  ];
  for (const [name, , call, status, code] of cases) {
    it(`rejects ${name} with ${status} ${code}`, async () => {
      const before = await ledgerState();
      const response = await call();
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(await ledgerState()).toEqual(before);
    });
  }

  it('leaves the books reconciled', async () => {
    const report = (
      await t.http
        .get('/api/v1/reconciliation')
        .set(await auth('backoffice1'))
        .expect(200)
    ).body;
    expect(report.breaks).toEqual([]);
  });
});
