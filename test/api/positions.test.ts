/**
 * GET /api/v1/positions through HTTP, checked against a hand-computed example: investor2 (who
 * holds no A-2 from the seed) buys A-2 twice at different prices and sells part of it, first
 * while the trades are pending, then after they settle. A-2: factor 0.9875, coupon 5.25 %
 * 30/360, monthly on the 15th.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let a2: string;
let c: string;
let counter = 0;
const fills: { netAmount: string; settlementDate: string }[] = [];

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set(await auth(username))
    .send({ clOrdId: `p-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect([response.status, response.body.error]).toEqual([201, undefined]);
  return response.body;
}
async function positions(username: string, query = '') {
  const response = await t.http
    .get(`/api/v1/positions${query}`)
    .set(await auth(username))
    .expect(200);
  return response.body as Record<string, string>[];
}

/** 30/360 days from the coupon date on the 15th before `date` to `date` (independent of the server's day count). */
function days30360FromThe15th(date: string): number {
  const day = Math.min(Number(date.slice(8, 10)), 30);
  return day >= 15 ? day - 15 : 30 - 15 + day;
}

/** End of day, then a gross settlement run for `date`, which must settle `expected` instructions. */
async function settleThrough(date: string, expected: number) {
  await t.http
    .post('/api/v1/business-date/roll')
    .set(await auth('backoffice1'))
    .send({})
    .expect(200);
  const run = await t.http
    .post('/api/v1/settlements/run')
    .set(await auth('backoffice1'))
    .send({ date })
    .expect(200);
  expect(run.body.settled).toBe(expected);
}

beforeAll(async () => {
  t = await startTestService();
  const list = (await t.http.get('/api/v1/notes').set(await auth('investor2'))).body;
  a2 = list.find((n: { className: string }) => n.className === 'A-2').id;
  c = list.find((n: { className: string }) => n.className === 'C').id;
  // Buy 1,000,000 at 99.5 (from dealer1), buy 1,000,000 at 100.5 (from dealer2); they settle the next
  // day (a sale needs settled face: no short sales); then sell 600,000 at 101 (to dealer1), pending.
  await place('dealer1', { noteId: a2, side: 'sell', price: '99.5', quantity: '1000000' });
  fills.push((await place('investor2', { noteId: a2, side: 'buy', price: '99.5', quantity: '1000000', timeInForce: 'IOC' })).fills[0]);
  await place('dealer2', { noteId: a2, side: 'sell', price: '100.5', quantity: '1000000' });
  fills.push((await place('investor2', { noteId: a2, side: 'buy', price: '100.5', quantity: '1000000', timeInForce: 'IOC' })).fills[0]);
  await settleThrough(fills[0]!.settlementDate, 2);
  await place('dealer1', { noteId: a2, side: 'buy', price: '101', quantity: '600000' });
  fills.push((await place('investor2', { noteId: a2, side: 'sell', price: '101', quantity: '600000', timeInForce: 'IOC' })).fills[0]);
  expect(fills).toHaveLength(3);
});
afterAll(async () => t.close());

describe('positions', () => {
  it('values the pending position at the last trade, with average cost and realized P&L from the fills', async () => {
    // Face: 1,000,000 + 1,000,000 settled − 600,000 pending = 1,400,000.
    // Current face: 1,400,000 × 0.9875 = 1,382,500.
    // Average cost: (1,000,000 × 99.5 + 1,000,000 × 100.5) / 2,000,000 = 100 (the sell does not move it).
    // Realized: 600,000 × 0.9875 × (101 − 100) / 100 = 5,925.00.
    // Mark: the book is empty, so the last trade, 101.
    // Market value: 1,382,500 × 101 / 100 = 1,396,325.00. Unrealized: 1,382,500 × (101 − 100) / 100 = 13,825.00.
    // Pending: the sale, −600,000 face and +net(sell) cash.
    const pendingCash = new Decimal(fills[2]!.netAmount);
    // Accrued on current face at spot (T+1) settlement: 1,382,500 × 5.25 % × days / 360, rounded half-even to cents.
    const settle = fills[2]!.settlementDate;
    const accrued = new Decimal(1382500)
      .mul('0.0525')
      .mul(days30360FromThe15th(settle))
      .div(360)
      .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
    const mine = (await positions('investor2')).find((p) => p.noteId === a2)!;
    // DV01 and the day's P&L are checked by hand in positions-risk.test.ts.
    const { modifiedDuration, dv01, previousClose, previousCloseSource, dayPnl, ...core } = mine;
    expect([modifiedDuration, dv01, previousClose, previousCloseSource, dayPnl].every((v) => v !== undefined)).toBe(true);
    expect(core).toEqual({
      noteId: a2,
      originalFace: '1400000',
      factor: '0.9875',
      currentFace: '1382500',
      markPrice: '101',
      markSource: 'last',
      marketValue: '1396325.00',
      accruedInterest: accrued.toFixed(2),
      averageCost: '100',
      unrealizedPnl: '13825.00',
      realizedPnl: '5925.00',
      pendingFace: '-600000',
      pendingCash: pendingCash.toFixed(2),
    });
  });

  it('marks at the book mid when both sides are quoted, rounding half-even', async () => {
    await place('dealer2', { noteId: a2, side: 'buy', price: '100.25', quantity: '500000' });
    await place('dealer2', { noteId: a2, side: 'sell', price: '101', quantity: '500000' });
    const mine = (await positions('investor2')).find((p) => p.noteId === a2)!;
    // Mid (100.25 + 101) / 2 = 100.625. Value 1,382,500 × 1.00625 = 1,391,140.625 → 1,391,140.62 (half-even).
    // Unrealized 1,382,500 × 0.625 / 100 = 8,640.625 → 8,640.62.
    expect(mine).toMatchObject({
      markPrice: '100.625',
      markSource: 'mid',
      marketValue: '1391140.62',
      unrealizedPnl: '8640.62',
      averageCost: '100',
      realizedPnl: '5925.00',
    });
  });

  it('marks a note with no book and no trades at the model price (at the coupon-rate yield, near par)', async () => {
    const dealerC = (await positions('dealer1')).find((p) => p.noteId === c)!;
    expect(dealerC.markSource).toBe('model');
    // Discounting the scheduled flows at the coupon rate gives par on a coupon date and within a few
    // hundredths of par in between (accrued is taken out of the dirty price).
    expect(new Decimal(dealerC.markPrice!).minus(100).abs().lt('0.05')).toBe(true);
    // Seed inventory, no fills: opening lot at par, so the average cost is 100 and nothing is realized.
    expect(dealerC).toMatchObject({
      originalFace: '5000000',
      averageCost: '100',
      realizedPnl: '0.00',
      pendingFace: '0',
      pendingCash: '0.00',
    });
  });

  it('moves face from pending to settled when the sale settles, keeping cost and P&L', async () => {
    await settleThrough(fills[2]!.settlementDate, 1);
    const mine = (await positions('investor2')).find((p) => p.noteId === a2)!;
    expect(mine).toMatchObject({
      originalFace: '1400000',
      pendingFace: '0',
      pendingCash: '0.00',
      averageCost: '100',
      realizedPnl: '5925.00',
    });
    const balances = (await t.http.get('/api/v1/balances').set(await auth('investor2'))).body;
    expect(balances.find((b: { asset: string }) => b.asset === a2).total).toBe('1400000');
  });

  it("shows another party's positions to the back office only", async () => {
    const investor2 = (await t.http.post('/api/v1/auth/token').send({ username: 'investor2', password: 'demo' })).body.user.partyId;
    const seen = await positions('backoffice1', `?partyId=${investor2}`);
    expect(seen).toEqual(await positions('investor2'));
    const refused = await t.http.get(`/api/v1/positions?partyId=${investor2}`).set(await auth('investor1'));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const bad = await t.http.get('/api/v1/positions?foo=1').set(await auth('investor1'));
    expect(bad.status).toBe(400);
  });
});
