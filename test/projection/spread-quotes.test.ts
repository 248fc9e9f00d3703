/**
 * RFQ answers and dealer quotes entered as a spread (issue 17 item 6): the server derives the price
 * from the note's base-scenario projection to the ARD at the benchmark curve + spread and rounds it
 * to the nearest tick. Checked independently: the test reprices the projected flows itself (street
 * convention, 30/360 monthly, its own day count and discounting: independent-pricing.ts), interpolates the curve by
 * hand at a WAL it computes itself (ACT/365F), and finds that the derived price is the nearest tick
 * to the price at curve + spread, and that the yield its own solver implies from the derived price
 * is within a tick's worth of curve + spread. Bad input is a 4xx with a stable code, nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundToTick } from '../../server/projection/quote-spread.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';
import { cashFlowsOf as flowsAfter, cleanPrice as cleanPriceAt, Decimal, type Flow } from './independent-pricing.js';

// Tuesday 1 December 2026: settlement T+1 is Wednesday 2 December, inside the coupon period 15 Nov – 15 Dec.
const clock = new ManualClock(new Date('2026-12-01T15:00:00Z'));
const SETTLEMENT = '2026-12-02';
const TICK = new Decimal('0.0078125'); // 1/128, the demo ABS tick
let t: TestService;
let notes: Record<string, { id: string; couponRate: string }>;
let dealId: string;
let businessDate: string;

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

beforeAll(async () => {
  t = await startTestService({ clock });
  notes = Object.fromEntries(
    (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body.map((n: { className: string }) => [n.className, n]),
  );
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
  dealId = deals.find((d) => d.name.startsWith('Meridian'))!.id;
  businessDate = (await t.http.get('/api/v1/business-date').set(await auth('investor1'))).body.businessDate;
  // A curve simple enough to interpolate by hand: par(T) = 4.00 + 0.1 × (T − 1) % for T in [1, 10].
  await t.http
    .put(`/api/v1/curves/UST/${businessDate}`)
    .set(await auth('operator1'))
    .send({
      points: [
        { tenorYears: '1', yieldPercent: '4' },
        { tenorYears: '10', yieldPercent: '4.9' },
      ],
    })
    .expect(200);
});
afterAll(async () => t.close());

// --- the independent repricing (independent-pricing.ts: its own 30/360, discounting and WAL) ----

/** The class's flows after SETTLEMENT, its face then and its WAL (ACT/365F). */
const cashFlowsOf = (flows: Flow[]) => flowsAfter(flows, SETTLEMENT);
/** Clean price per 100 at yield y (percent), settling on SETTLEMENT, monthly street convention. */
const cleanPrice = (flows: Flow[], face: Decimal, couponPercent: string, yieldPercent: Decimal) =>
  cleanPriceAt(flows, face, couponPercent, yieldPercent, SETTLEMENT);

/** The yield (percent) at which cleanPrice = price, by bisection on [0, 60] % to 1e-10. */
function yieldOf(flows: Flow[], face: Decimal, couponPercent: string, price: Decimal): Decimal {
  let lo = new Decimal(0);
  let hi = new Decimal(60);
  while (hi.sub(lo).gt('1e-10')) {
    const mid = lo.add(hi).div(2);
    if (cleanPrice(flows, face, couponPercent, mid).gt(price)) lo = mid;
    else hi = mid;
  }
  return lo.add(hi).div(2);
}

/** Checks a derived price against the test's own figures for class `className` at `spread` bp. */
async function checkDerived(className: string, spread: string, derived: string) {
  const note = notes[className]!;
  const projection = (
    await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenarioId: 'base' })
  ).body;
  const flows = projection.classes.find((c: { className: string }) => c.className === className).cashFlows as Flow[];
  const { after, face, wal } = cashFlowsOf(flows);
  // The curve by hand at the WAL, plus the spread.
  const target = new Decimal(4).add(wal.sub(1).mul('0.1')).add(new Decimal(spread).div(100));
  const exact = cleanPrice(after, face, note.couponRate, target);
  // Nearest tick: within half a tick of the price at curve + spread (1e-6: the server's 6-place price before rounding).
  expect(new Decimal(derived).sub(exact).abs().lte(TICK.div(2).add('0.000001'))).toBe(true);
  expect(new Decimal(derived).mod(TICK).isZero()).toBe(true);
  // The yield implied by the derived price equals curve + spread within a tick's worth of yield.
  const implied = yieldOf(after, face, note.couponRate, new Decimal(derived));
  const tickWorth = yieldOf(after, face, note.couponRate, new Decimal(derived).sub(TICK)).sub(implied);
  expect(tickWorth.gt(0)).toBe(true);
  expect(implied.sub(target).abs().lte(tickWorth)).toBe(true);
  return { wal, target, exact };
}

// --- the tests ----------------------------------------------------------------------------------

describe('roundToTick', () => {
  it('rounds to the nearest tick; an exact half tick goes to the counterparty (bid up, ask down)', () => {
    const tick = new Decimal('0.25');
    expect(roundToTick(new Decimal('99.12'), tick, 'bid').toFixed()).toBe('99'); // 0.48 tick
    expect(roundToTick(new Decimal('99.13'), tick, 'ask').toFixed()).toBe('99.25'); // 0.52 tick
    expect(roundToTick(new Decimal('99.125'), tick, 'bid').toFixed()).toBe('99.25');
    expect(roundToTick(new Decimal('99.125'), tick, 'ask').toFixed()).toBe('99');
    expect(roundToTick(new Decimal('99.5'), tick, 'ask').toFixed()).toBe('99.5');
  });
});

async function openRfq(side: 'buy' | 'sell', className = 'A-2', investor = 'investor1') {
  const dealer = (await t.http.post('/api/v1/auth/token').send({ username: 'dealer1', password: 'demo' })).body.user.partyId;
  const res = await t.http
    .post('/api/v1/rfqs')
    .set(await auth(investor))
    .send({ noteId: notes[className]!.id, side, quantity: '1000000', dealerPartyIds: [dealer], expiresInSeconds: 600 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** A spread near the note's market: the spread at its price band's reference (or par). */
async function marketSpread(className: string): Promise<Decimal> {
  const band = (await t.http.get(`/api/v1/notes/${notes[className]!.id}/price-band`).set(await auth('investor1'))).body;
  const price = band.reference ?? '100';
  const a = (await t.http.get(`/api/v1/notes/${notes[className]!.id}/analytics?price=${price}`).set(await auth('investor1'))).body;
  return new Decimal(a.spreadBp);
}

describe('an RFQ answered as a spread', () => {
  it('derives the price at curve + spread, on the nearest tick, and says how', async () => {
    const rfqId = await openRfq('buy');
    const spread = (await marketSpread('A-2')).add('3.7').toFixed(1);
    const res = await t.http
      .post(`/api/v1/rfqs/${rfqId}/responses`)
      .set(await auth('dealer1'))
      .send({ spreadBp: spread, validForSeconds: 60 });
    expect(res.status).toBe(201);
    expect(res.body.spreadBp).toBe(new Decimal(spread).toFixed());
    expect(res.body.pricedFromSpread).toMatchObject({
      side: 'ask', // the investor buys: the dealer sells
      scenario: 'base',
      settlementDate: SETTLEMENT,
      curve: { name: 'UST', date: businessDate },
      tickSize: '0.0078125',
      price: res.body.price,
    });
    await checkDerived('A-2', spread, res.body.price);
    // The investor sees the answer at the derived price.
    const seen = (await t.http.get(`/api/v1/rfqs/${rfqId}`).set(await auth('investor1'))).body;
    expect(seen.responses.map((r: { price: string; spreadBp: string }) => [r.price, r.spreadBp])).toEqual([
      [res.body.price, new Decimal(spread).toFixed()],
    ]);
    // Stored with the answer: the spread it was entered at (a price-typed answer has none).
    const row = await t.database.knex('rfq_responses').where({ id: res.body.id }).first();
    expect(new Decimal(row.spread_bp).eq(spread)).toBe(true);
  });

  it('prices class B for an investor selling (a bid)', async () => {
    const rfqId = await openRfq('sell', 'B', 'investor2'); // investor2 holds B
    const spread = (await marketSpread('B')).sub('12.35').toFixed(2);
    const res = await t.http
      .post(`/api/v1/rfqs/${rfqId}/responses`)
      .set(await auth('dealer1'))
      .send({ spreadBp: spread, validForSeconds: 60 });
    expect(res.status).toBe(201);
    expect(res.body.pricedFromSpread.side).toBe('bid');
    await checkDerived('B', spread, res.body.price);
  });

  it('refuses bad input with stable codes, recording nothing', async () => {
    const rfqId = await openRfq('buy');
    const count = async () => Number((await t.database.knex('rfq_responses').count({ n: '*' }))[0]!.n);
    const before = await count();
    const dealer = await auth('dealer1');
    const post = (body: object) => t.http.post(`/api/v1/rfqs/${rfqId}/responses`).set(dealer).send(body);
    for (const body of [
      { price: '99', spreadBp: '150', validForSeconds: 30 },
      { validForSeconds: 30 },
      { spreadBp: '1e2', validForSeconds: 30 },
      { spreadBp: '150.125', validForSeconds: 30 },
      { spreadBp: '20000', validForSeconds: 30 },
      { spreadBp: 150, validForSeconds: 30 },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await count()).toBe(before);
  });
});

describe('dealer quotes entered as spreads', () => {
  it('derives each side, rounds to the nearest tick, and the book holds those prices', async () => {
    const base = await marketSpread('A-2');
    const bidSpread = base.add('6.3').toFixed(1).replace(/\.0$/, '');
    const askSpread = base.sub('6.3').toFixed(1).replace(/\.0$/, '');
    const res = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({
        quotes: [{ noteId: notes['A-2']!.id, bidSpreadBp: bidSpread, bidSize: '500000', askSpreadBp: askSpread, askSize: '500000' }],
      });
    expect(res.status).toBe(200);
    const [bid, ask] = res.body.pricedFromSpread;
    expect(bid).toMatchObject({ side: 'bid', spreadBp: bidSpread, curve: { name: 'UST', date: businessDate } });
    expect(ask).toMatchObject({ side: 'ask', spreadBp: askSpread });
    // A wider spread is a lower price.
    expect(new Decimal(bid.price).lt(ask.price)).toBe(true);
    await checkDerived('A-2', bidSpread, bid.price);
    await checkDerived('A-2', askSpread, ask.price);
    const live = (await t.http.get('/api/v1/quotes').set(await auth('dealer2'))).body.find(
      (q: { noteId: string }) => q.noteId === notes['A-2']!.id,
    );
    expect(new Decimal(live.bid.price).eq(bid.price)).toBe(true);
    expect(new Decimal(live.ask.price).eq(ask.price)).toBe(true);
  });

  it("refuses a spread whose price falls outside the note's price band, like a typed price", async () => {
    // The quotes above give A-2 a reference price, so it has a band; +4,000 bp is far below it.
    const band = (await t.http.get(`/api/v1/notes/${notes['A-2']!.id}/price-band`).set(await auth('investor1'))).body;
    expect(band.low).toMatch(/^\d/);
    const rfqId = await openRfq('buy');
    const wide = await t.http
      .post(`/api/v1/rfqs/${rfqId}/responses`)
      .set(await auth('dealer1'))
      .send({ spreadBp: '4000', validForSeconds: 30 });
    expect(wide.status).toBe(422);
    expect(wide.body.error.code).toBe('PRICE_OUTSIDE_BAND');
    expect((await t.http.get(`/api/v1/rfqs/${rfqId}`).set(await auth('investor1'))).body.responses).toEqual([]);
  });

  it('refuses a side given as both a price and a spread', async () => {
    const res = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({ quotes: [{ noteId: notes['A-2']!.id, bidPrice: '99', bidSpreadBp: '150', bidSize: '500000', askSize: '0' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('without a benchmark curve', () => {
  it('a spread is 422 NO_BENCHMARK_CURVE, and nothing is recorded', async () => {
    const rfqId = await openRfq('buy');
    await t.database.knex('benchmark_curves').del();
    const before = (await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body;
    const answer = await t.http
      .post(`/api/v1/rfqs/${rfqId}/responses`)
      .set(await auth('dealer1'))
      .send({ spreadBp: '150', validForSeconds: 30 });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('NO_BENCHMARK_CURVE');
    expect(answer.body.error.details.field).toBe('spreadBp');
    const quote = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: notes['A-2']!.id, askSpreadBp: '150', askSize: '500000', bidSize: '0' }] });
    expect(quote.status).toBe(422);
    expect(quote.body.error.code).toBe('NO_BENCHMARK_CURVE');
    expect(quote.body.error.details.field).toBe('quotes.0.askSpreadBp');
    expect((await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body).toEqual(before);
    expect((await t.http.get(`/api/v1/rfqs/${rfqId}`).set(await auth('investor1'))).body.responses).toEqual([]);
  });
});
