/**
 * Floating spread quotes: a dealer quote entered as a spread keeps its spread (stored on the quote
 * order, shown by GET /quotes and the quotes channel) and is re-priced from it through the sequencer
 * when the benchmark curve is loaded or the business date rolls; one that can no longer be priced or
 * whose new price is refused is pulled with its reason.
 *
 * Hand-worked: the curve par(T) = 4.00 + 0.1 × (T − 1) % moved up by exactly 25 bp at both points
 * (4.25 / 5.15) moves the yield at curve + spread by exactly 0.25 % at any WAL (the WAL does not
 * change: same projection), so the re-priced bid is the nearest tick (half up for a bid) to the
 * test's own clean price of the projected flows at the old yield + 0.25 %, computed by the test's
 * own discounting (independent-pricing.ts), not the server's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteQuotes } from '../../server/ws/feeds/quotes.js';
import { requoteSpreadQuotes, spreadQuotes } from '../../server/sequencer/spread-quotes.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';
import { cashFlowsOf, cleanPrice, Decimal, nearestTick, type Flow } from './independent-pricing.js';

// Tuesday 1 December 2026: settlement T+1 is Wednesday 2 December.
const clock = new ManualClock(new Date('2026-12-01T15:00:00Z'));
const TICK = new Decimal('0.0078125'); // 1/128, the demo ABS tick
let t: TestService;
let notes: Record<string, { id: string; couponRate: string }>;
let dealId: string;
let businessDate: string;

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
const putCurve = async (low: string, high: string, date = businessDate) => {
  const res = await t.http
    .put(`/api/v1/curves/UST/${date}`)
    .set(await auth('operator1'))
    .send({
      points: [
        { tenorYears: '1', yieldPercent: low },
        { tenorYears: '10', yieldPercent: high },
      ],
    });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

beforeAll(async () => {
  t = await startTestService({ clock });
  notes = Object.fromEntries(
    (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body.map((n: { className: string }) => [n.className, n]),
  );
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
  dealId = deals.find((d) => d.name.startsWith('Meridian'))!.id;
  businessDate = (await t.http.get('/api/v1/business-date').set(await auth('investor1'))).body.businessDate;
  await putCurve('4', '4.9');
});
afterAll(async () => t.close());

/** The price the test expects for `className` at `yieldPercent`, settling on `settlement`: nearest tick to its own clean price. */
async function expectedPrice(className: string, yieldOf: (wal: Decimal) => Decimal, side: 'bid' | 'ask', settlement: string) {
  const projection = (
    await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenarioId: 'base' })
  ).body;
  const flows = projection.classes.find((c: { className: string }) => c.className === className).cashFlows as Flow[];
  const { after, face, wal } = cashFlowsOf(flows, settlement);
  const exact = cleanPrice(after, face, notes[className]!.couponRate, yieldOf(wal), settlement);
  return { price: nearestTick(exact, TICK, side), exact, wal };
}

/** par(T) = low + (high − low) × (T − 1) / 9 on [1, 10], flat outside: the curve by hand. */
const parAt = (low: string, high: string) => (wal: Decimal) =>
  wal.lte(1) ? new Decimal(low) : wal.gte(10) ? new Decimal(high) : new Decimal(low).add(new Decimal(high).sub(low).mul(wal.sub(1)).div(9));

async function marketSpread(className: string): Promise<Decimal> {
  const band = (await t.http.get(`/api/v1/notes/${notes[className]!.id}/price-band`).set(await auth('investor1'))).body;
  const a = (
    await t.http.get(`/api/v1/notes/${notes[className]!.id}/analytics?price=${band.reference ?? '100'}`).set(await auth('investor1'))
  ).body;
  return new Decimal(a.spreadBp);
}

const liveQuote = async (dealer: string, className: string) =>
  (await t.http.get('/api/v1/quotes').set(await auth(dealer))).body.find((q: { noteId: string }) => q.noteId === notes[className]!.id);

describe('a quote entered as a spread', () => {
  let bidSpread: string;
  let askSpread: string;

  it('keeps its spread: stored on the quote order, shown by GET /quotes and the quotes channel', async () => {
    const base = await marketSpread('A-2');
    bidSpread = base.add('5').toFixed(0);
    askSpread = base.sub('5').toFixed(0);
    const res = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({
        quotes: [{ noteId: notes['A-2']!.id, bidSpreadBp: bidSpread, bidSize: '500000', askSpreadBp: askSpread, askSize: '500000' }],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.quotes.map((o: { spreadBp: string }) => o.spreadBp)).toEqual([bidSpread, askSpread]);
    const live = await liveQuote('dealer2', 'A-2');
    expect(live.bid.spreadBp).toBe(bidSpread);
    expect(live.ask.spreadBp).toBe(askSpread);
    const stored = await t.database
      .knex('orders')
      .whereIn('id', [live.bid.orderId, live.ask.orderId])
      .orderBy('side')
      .select('side', 'spread_bp');
    expect(stored.map((r: { spread_bp: string }) => new Decimal(r.spread_bp).toFixed())).toEqual([bidSpread, askSpread]);
    // The quotes channel (the WebSocket feed's data, read as the hub reads it at a commit boundary).
    const channel = t.service.services.sequencer!.view((state) => noteQuotes(state, notes['A-2']!.id));
    const dealer2 = (await t.http.post('/api/v1/auth/token').send({ username: 'dealer2', password: 'demo' })).body.user.partyId;
    expect(channel.quotes.find((q) => q.dealerPartyId === dealer2)).toMatchObject({ bidSpreadBp: bidSpread, askSpreadBp: askSpread });
    // The bid rests where the test's own pricing puts curve + spread.
    const expected = await expectedPrice('A-2', (wal) => parAt('4', '4.9')(wal).add(new Decimal(bidSpread).div(100)), 'bid', '2026-12-02');
    expect(new Decimal(live.bid.price).eq(expected.price)).toBe(true);
  });

  it('is re-priced from its spread when the curve moves: +25 bp on the curve is −(the price change the test computes)', async () => {
    const before = await liveQuote('dealer2', 'A-2');
    const loaded = await putCurve('4.25', '5.15');
    expect(loaded.spreadQuotes).toMatchObject({ trigger: 'curve', repriced: 1, pulled: [] });
    const after = await liveQuote('dealer2', 'A-2');
    // A replace: new resting orders, same sizes, same spreads.
    expect(after.bid.orderId).not.toBe(before.bid.orderId);
    expect(after.bid).toMatchObject({ size: '500000', spreadBp: bidSpread });
    expect(after.ask).toMatchObject({ size: '500000', spreadBp: askSpread });
    const yieldOf = (spread: string) => (wal: Decimal) => parAt('4', '4.9')(wal).add('0.25').add(new Decimal(spread).div(100));
    const bid = await expectedPrice('A-2', yieldOf(bidSpread), 'bid', '2026-12-02');
    const ask = await expectedPrice('A-2', yieldOf(askSpread), 'ask', '2026-12-02');
    // On the demo deal at 1 December (a run of this test): bid spread 97 bp, WAL 4.284932 y, so the
    // yield goes 4.328493 + 0.97 = 5.298493 % → 5.548493 %; the bid was 99.8125, the test's own clean
    // price at the new yield is 98.86345442 = 12,654.52 ticks of 1/128 → 12,655 ticks = 98.8671875,
    // the price the server re-quoted (a drop of 0.9453, about 3.8 years of duration × 25 bp).
    expect(after.bid.price).toBe(bid.price.toFixed());
    expect(after.ask.price).toBe(ask.price.toFixed());
    // 25 bp on a class of WAL ~ 1–3 years is well over a tick: the price did move, and down.
    expect(new Decimal(after.bid.price).lt(before.bid.price)).toBe(true);
    // The old orders ended as replaced quotes; the outcome is recorded for the dealer.
    const old = await t.database.knex('orders').where({ id: before.bid.orderId }).first();
    expect(old.status).toBe('cancelled');
    const log = (await t.http.get('/api/v1/quotes/reprices').set(await auth('dealer2'))).body;
    expect(log[0]).toMatchObject({
      noteId: notes['A-2']!.id,
      trigger: 'curve',
      outcome: 'repriced',
      reasonCode: null,
      bidSpreadBp: bidSpread,
      previousBidPrice: before.bid.price,
      bidPrice: after.bid.price,
      curve: { name: 'UST', date: businessDate },
    });
  });

  it('is left alone when the curve loaded does not change its price (a later-dated curve)', async () => {
    const before = await liveQuote('dealer2', 'A-2');
    const loaded = await putCurve('9', '9', '2026-12-31');
    expect(loaded.spreadQuotes).toMatchObject({ repriced: 0, unchanged: 1, pulled: [] });
    expect((await liveQuote('dealer2', 'A-2')).bid.orderId).toBe(before.bid.orderId);
    await t.database.knex('benchmark_curves').where({ curve_date: '2026-12-31' }).del();
  });

  it('is re-priced for the new settlement date when the business date rolls', async () => {
    const roll = await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('operator1'))
      .send({ expectedDate: businessDate });
    expect(roll.status, JSON.stringify(roll.body)).toBe(200);
    expect(roll.body.businessDate).toBe('2026-12-02');
    // The curve of 1 December is still the latest on or before the new day; settlement is now 3 December.
    const yieldOf = (spread: string) => (wal: Decimal) => parAt('4.25', '5.15')(wal).add(new Decimal(spread).div(100));
    const bid = await expectedPrice('A-2', yieldOf(bidSpread), 'bid', '2026-12-03');
    const ask = await expectedPrice('A-2', yieldOf(askSpread), 'ask', '2026-12-03');
    const live = await liveQuote('dealer2', 'A-2');
    expect(live.bid.price).toBe(bid.price.toFixed());
    expect(live.ask.price).toBe(ask.price.toFixed());
    expect(roll.body.spreadQuotes.trigger).toBe('business_date');
    expect(roll.body.spreadQuotes.repriced + roll.body.spreadQuotes.unchanged).toBe(1);
  });

  it('is pulled with its reason when the new price falls outside the price band', async () => {
    // +1,575 bp moves the price many points below the band around the note's reference.
    const loaded = await putCurve('20', '20.9', '2026-12-02');
    expect(loaded.spreadQuotes.repriced).toBe(0);
    expect(loaded.spreadQuotes.pulled).toEqual([expect.objectContaining({ noteId: notes['A-2']!.id, code: 'PRICE_OUTSIDE_BAND' })]);
    expect(await liveQuote('dealer2', 'A-2')).toBeUndefined();
    const log = (await t.http.get('/api/v1/quotes/reprices').set(await auth('dealer2'))).body;
    expect(log[0]).toMatchObject({ outcome: 'pulled', reasonCode: 'PRICE_OUTSIDE_BAND', bidPrice: null, askPrice: null });
    expect(log[0].reason).toMatch(/band/);
  });

  it('is pulled as NO_BENCHMARK_CURVE when no curve is left to price it', async () => {
    await putCurve('4.25', '5.15', '2026-12-02');
    const base = await marketSpread('B');
    const res = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: notes['B']!.id, bidSpreadBp: base.add('10').toFixed(0), bidSize: '100000', askSize: '0' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await t.database.knex('benchmark_curves').del();
    const loaded = await putCurve('4', '4.9', '2027-01-04'); // after the business date: nothing on or before it
    expect(loaded.spreadQuotes.pulled).toEqual([expect.objectContaining({ noteId: notes['B']!.id, code: 'NO_BENCHMARK_CURVE' })]);
    expect(await liveQuote('dealer1', 'B')).toBeUndefined();
  });
});

describe('a quote the dealer changes while a run prices it', () => {
  it('is left to the dealer (stale): the planned replace changes nothing', async () => {
    await putCurve('4.25', '5.15', '2026-12-02');
    const spread = (await marketSpread('A-2')).add('8').toFixed(0);
    const quote = async (bidSpreadBp: string) =>
      t.http
        .put('/api/v1/quotes')
        .set(await auth('dealer2'))
        .send({ quotes: [{ noteId: notes['A-2']!.id, bidSpreadBp, bidSize: '200000', askSize: '0' }] });
    expect((await quote(spread)).status).toBe(200);
    const sequencer = t.service.services.sequencer!;
    const [planned] = sequencer.view((state) => spreadQuotes(state)).filter((q) => q.noteId === notes['A-2']!.id);
    // The dealer re-quotes before the run's job reaches the sequencer.
    expect((await quote(new Decimal(spread).add(1).toFixed())).status).toBe(200);
    const live = await liveQuote('dealer2', 'A-2');
    const outcomes = await sequencer.execute((state) =>
      requoteSpreadQuotes(state, [{ quote: planned!, prices: { bid: new Decimal('90'), ask: null }, curve: null }], 'curve'),
    );
    expect(outcomes).toEqual(['stale']);
    expect(await liveQuote('dealer2', 'A-2')).toEqual(live);
    await t.http
      .delete('/api/v1/quotes')
      .set(await auth('dealer2'))
      .expect(200);
  });
});

describe('a quote entered as a price', () => {
  it('has no spread and is never re-priced', async () => {
    const band = (await t.http.get(`/api/v1/notes/${notes['A-2']!.id}/price-band`).set(await auth('investor1'))).body;
    const bidPrice = new Decimal(band.reference ?? '100').floor().sub(1).toFixed();
    const res = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: notes['A-2']!.id, bidPrice, bidSize: '100000', askSize: '0' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.quotes[0].spreadBp).toBeUndefined();
    const loaded = await putCurve('4', '4.9', '2026-12-02');
    expect(loaded.spreadQuotes).toMatchObject({ repriced: 0, unchanged: 0, pulled: [] });
    expect((await liveQuote('dealer1', 'A-2')).bid).toEqual({ orderId: res.body.quotes[0].id, price: bidPrice, size: '100000' });
  });
});

describe('a spread quote on a halted note', () => {
  it('is left while the note is halted (no order entry there, not even a pull) and re-priced when it resumes', async () => {
    await putCurve('4.25', '5.15', '2026-12-02');
    const spread = (await marketSpread('A-2')).add('6').toFixed(0);
    const quoted = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({ quotes: [{ noteId: notes['A-2']!.id, bidSpreadBp: spread, bidSize: '200000', askSize: '0' }] });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    const before = await liveQuote('dealer2', 'A-2');
    const note = `/api/v1/notes/${notes['A-2']!.id}`;
    await t.http
      .post(`${note}/halt`)
      .set(await auth('operator1'))
      .expect(200);
    const loaded = await putCurve('4.5', '5.4', '2026-12-02');
    expect(loaded.spreadQuotes).toMatchObject({ repriced: 0, pulled: [] });
    expect(loaded.spreadQuotes.left).toEqual([expect.objectContaining({ noteId: notes['A-2']!.id, code: 'NOTE_HALTED' })]);
    expect((await liveQuote('dealer2', 'A-2')).bid.orderId).toBe(before.bid.orderId);
    await t.http
      .post(`${note}/resume`)
      .set(await auth('operator1'))
      .expect(200);
    const after = await liveQuote('dealer2', 'A-2');
    expect(after.bid).toMatchObject({ size: '200000', spreadBp: spread });
    expect(new Decimal(after.bid.price).lt(before.bid.price)).toBe(true); // 25 bp higher: a lower price
    const log = (await t.http.get('/api/v1/quotes/reprices').set(await auth('dealer2'))).body;
    expect(log[0]).toMatchObject({ trigger: 'resume', outcome: 'repriced', previousBidPrice: before.bid.price, bidPrice: after.bid.price });
  });
});
