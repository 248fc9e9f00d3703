/**
 * GET /api/v1/positions: the dealer-desk figures, DV01 and the day's P&L, checked by hand.
 *
 * investor2 (no A-2 from the seed) buys 1,000,000 A-2 at 99.5 on day 1; the day rolls and the buy
 * settles. On day 2 it buys 500,000 at 100 and sells 200,000 at 100.25. The book is empty, so the
 * mark is the last trade, 100.25, and the previous close is day 1's last trade, 99.5. A-2: factor
 * 0.9875, coupon 5.25 % 30/360 monthly, interest-only to its ARD 2031-03-15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { parseIsoDate } from '../../server/domain/dates.js';
import { buildCouponSchedule } from '../../server/domain/schedule.js';
import { priceFromYield, yieldFromPrice } from '../../server/domain/yield.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let a2: string;
let counter = 0;

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set(await auth(username))
    .send({ clOrdId: `pr-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect([response.status, response.body.error]).toEqual([201, undefined]);
  return response.body;
}
async function positionOf(username: string, noteId: string) {
  const response = await t.http
    .get('/api/v1/positions')
    .set(await auth(username))
    .expect(200);
  return (response.body as Record<string, string | null>[]).find((p) => p.noteId === noteId)!;
}

beforeAll(async () => {
  t = await startTestService();
  const list = (await t.http.get('/api/v1/notes').set(await auth('investor2'))).body;
  a2 = list.find((n: { className: string }) => n.className === 'A-2').id;
  await place('dealer1', { noteId: a2, side: 'sell', price: '99.5', quantity: '1000000' });
  const buy = await place('investor2', { noteId: a2, side: 'buy', price: '99.5', quantity: '1000000', timeInForce: 'IOC' });
  await t.http
    .post('/api/v1/business-date/roll')
    .set(await auth('backoffice1'))
    .send({})
    .expect(200);
  const run = await t.http
    .post('/api/v1/settlements/run')
    .set(await auth('backoffice1'))
    .send({ date: buy.fills[0].settlementDate })
    .expect(200);
  expect(run.body.settled).toBe(1);
});
afterAll(async () => t.close());

describe("the day's P&L", () => {
  it('is the mark change on the face carried over when nothing traded today', async () => {
    const p = await positionOf('investor2', a2);
    // Previous close 99.5 (day 1's last trade) = today's mark (still the last trade): nothing moved.
    expect(p).toMatchObject({ markPrice: '99.5', markSource: 'last', previousClose: '99.5', previousCloseSource: 'last', dayPnl: '0.00' });
  });

  it("adds today's buys at mark − price and today's sells at price − previous close", async () => {
    await place('dealer2', { noteId: a2, side: 'sell', price: '100', quantity: '500000' });
    await place('investor2', { noteId: a2, side: 'buy', price: '100', quantity: '500000', timeInForce: 'IOC' });
    await place('dealer1', { noteId: a2, side: 'buy', price: '100.25', quantity: '200000' });
    await place('investor2', { noteId: a2, side: 'sell', price: '100.25', quantity: '200000', timeInForce: 'IOC' });
    const p = await positionOf('investor2', a2);
    // Current face: (1,000,000 + 500,000 − 200,000) × 0.9875 = 1,283,750. Start of day 987,500.
    // By hand, per lot (current face × price change / 100):
    //   kept from yesterday  790,000 × (100.25 − 99.5)  = 5,925.00
    //   sold today           197,500 × (100.25 − 99.5)  = 1,481.25
    //   bought today         493,750 × (100.25 − 100)   = 1,234.375
    //   total 8,640.625 → 8,640.62 (half-even).
    expect(p).toMatchObject({
      currentFace: '1283750',
      markPrice: '100.25',
      markSource: 'last',
      previousClose: '99.5',
      previousCloseSource: 'last',
      dayPnl: '8640.62',
    });
  });
});

describe('DV01', () => {
  it("is the position's full value × the analytics' modified duration × 0.0001", async () => {
    const p = await positionOf('investor2', a2);
    const analytics = (
      await t.http
        .get(`/api/v1/notes/${a2}/analytics?price=${p.markPrice}`)
        .set(await auth('investor2'))
        .expect(200)
    ).body;
    expect(p.modifiedDuration).toBe(analytics.modifiedDuration);
    // Market value 1,283,750 × 100.25 / 100 = 1,286,959.375 → 1,286,959.38.
    expect(p.marketValue).toBe('1286959.38');
    const expected = new Decimal(p.marketValue!)
      .add(p.accruedInterest!)
      .mul(analytics.modifiedDuration)
      .div(10_000)
      .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
    expect(p.dv01).toBe(expected.toFixed(2));
  });

  it('agrees with a one-basis-point bump of the street yield to the ARD (independent of the analytics)', async () => {
    const p = await positionOf('investor2', a2);
    const analytics = (await t.http.get(`/api/v1/notes/${a2}/analytics?price=${p.markPrice}`).set(await auth('investor2'))).body;
    // The interest-only A-2 repays at its ARD under the base scenario: a bullet to 2031-03-15.
    const terms = {
      couponRatePercent: '5.25',
      dayCount: '30/360' as const,
      schedule: buildCouponSchedule({
        issueDate: parseIsoDate('2026-03-12'),
        firstCouponDate: parseIsoDate('2026-04-15'),
        maturityDate: parseIsoDate('2031-03-15'),
        frequency: 12,
      }),
      settlementDate: parseIsoDate(analytics.settlementDate),
    };
    const y = yieldFromPrice({ ...terms, cleanPricePercent: p.markPrice! });
    const dirty = (bp: number) => priceFromYield({ ...terms, yieldPercent: y.add(new Decimal(bp).div(100)) }).dirtyPricePercent;
    // Central difference of the dirty price per 1 bp, on the current face.
    const bumped = dirty(-1).sub(dirty(1)).div(2).mul(p.currentFace!).div(100);
    const dv01 = new Decimal(p.dv01!);
    expect(dv01.gt(0)).toBe(true);
    // A ~4.3-year bullet: DV01 about 4 × 1e-4 of value (≈ 500 USD here).
    expect(dv01.sub(bumped).abs().div(bumped).lt('0.001')).toBe(true);
  });

  it('is null only where the deal cannot be projected, and present for every demo note held', async () => {
    const all = (await t.http.get('/api/v1/positions').set(await auth('dealer1'))).body as Record<string, string | null>[];
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) {
      if (new Decimal(p.currentFace!).isZero()) continue;
      expect(p.dv01, p.noteId!).not.toBeNull();
      expect(new Decimal(p.dv01!).gt(0)).toBe(true);
    }
  });
});
