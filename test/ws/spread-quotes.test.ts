/**
 * Dealer quotes entered as spreads over /ws (issue 17): `{"op":"quotes"}` takes bidSpreadBp /
 * askSpreadBp like PUT /quotes, answers with the same derived prices as REST for the same spreads,
 * and refuses a spread without a benchmark curve with REST's status and code, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { Probe, startWsService, type Message, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;

beforeAll(async () => {
  t = await startWsService();
  notes = await t.notes();
});
afterAll(async () => t.close());

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

describe('quotes as spreads over the socket', () => {
  it('derives the prices as REST does', async () => {
    const analytics = (await t.http.get(`/api/v1/notes/${notes['A-2']}/analytics?price=100`).set(await auth('dealer1'))).body;
    const bid = new Decimal(analytics.spreadBp).add('4').toFixed(1).replace(/\.0$/, '');
    const ask = new Decimal(analytics.spreadBp).sub('4').toFixed(1).replace(/\.0$/, '');
    const quote = { noteId: notes['A-2']!, bidSpreadBp: bid, bidSize: '500000', askSpreadBp: ask, askSize: '500000' };
    const probe = await Probe.open(t.wsUrl, { token: await t.token('dealer1') });
    const reply = await probe.request({ op: 'quotes', id: 'q1', quotes: [quote] });
    probe.close();
    expect(reply).toMatchObject({ op: 'reply', id: 'q1', status: 200 });
    const [b, a] = reply.body.pricedFromSpread;
    expect(b).toMatchObject({ side: 'bid', spreadBp: bid, curve: { name: 'UST' } });
    expect(a).toMatchObject({ side: 'ask', spreadBp: ask });
    expect(reply.body.quotes.map((o: { price: string }) => new Decimal(o.price).toFixed()).sort()).toEqual([b.price, a.price].sort());
    // REST, same spreads, another dealer: the same prices.
    const rest = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({ quotes: [quote] });
    expect(rest.status).toBe(200);
    expect(rest.body.pricedFromSpread.map((d: { price: string }) => d.price)).toEqual([b.price, a.price]);
  });

  it('shows the spread on the quotes channel, and the re-priced quote when the curve moves', async () => {
    const noteId = notes['B']!;
    const watcher = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    watcher.send({ op: 'subscribe', channels: [`quotes:${noteId}`] });
    await watcher.waitFor((m) => m.type === 'snapshot' && m.channel === `quotes:${noteId}`);
    const analytics = (await t.http.get(`/api/v1/notes/${noteId}/analytics?price=100`).set(await auth('dealer1'))).body;
    const spread = new Decimal(analytics.spreadBp).add('20').toFixed(0);
    const quoted = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId, bidSpreadBp: spread, bidSize: '100000', askSize: '0' }] });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    const dealer = await t.partyId('dealer1');
    type Dealer = { dealerPartyId: string; bidPrice: string; bidSpreadBp?: string };
    const mine = (m: Message) => (m.data?.quotes as Dealer[] | undefined)?.find((q) => q.dealerPartyId === dealer);
    const first = mine(await watcher.waitFor((m) => m.type === 'update' && mine(m)?.bidSpreadBp === spread))!;
    expect(first.bidPrice).toBe(quoted.body.pricedFromSpread[0].price);
    // The curve 50 bp higher at every tenor: the same spread, a lower price, pushed to subscribers.
    const date = (await t.http.get('/api/v1/business-date').set(await auth('dealer1'))).body.businessDate;
    const stored = (await t.http.get(`/api/v1/curves/UST/${date}?onOrBefore=true`).set(await auth('dealer1'))).body;
    const shifted = stored.points.map((p: { tenorYears: string; yieldPercent: string }) => ({
      tenorYears: p.tenorYears,
      yieldPercent: new Decimal(p.yieldPercent).add('0.5').toFixed(),
    }));
    const trades = async () => Number((await t.database.knex('trades').count({ n: '*' }))[0]!.n);
    const tradesBefore = await trades();
    const loaded = await t.http
      .put(`/api/v1/curves/UST/${date}`)
      .set(await auth('operator1'))
      .send({ points: shifted });
    // Regression: re-priced one at a time, dealer1's lower ask on A-2 hit dealer2's bid still at the old
    // price (and dealer2's quote came out 'stale'); all re-priced in one job, nothing trades.
    expect(await trades()).toBe(tradesBefore);
    // This quote and the two of the test above (dealer1's and dealer2's on A-2).
    expect(loaded.body.spreadQuotes).toMatchObject({ repriced: 3, stale: 0, pulled: [] });
    const moved = mine(
      await watcher.waitFor((m) => m.type === 'update' && mine(m)?.bidSpreadBp === spread && mine(m)?.bidPrice !== first.bidPrice),
    )!;
    expect(new Decimal(moved.bidPrice).lt(first.bidPrice)).toBe(true);
    watcher.close();
  });

  it('refuses a spread without a curve with 422 NO_BENCHMARK_CURVE, as REST does', async () => {
    await t.database.knex('benchmark_curves').del();
    const probe = await Probe.open(t.wsUrl, { token: await t.token('dealer1') });
    const before = (await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body;
    const reply = await probe.request({
      op: 'quotes',
      id: 2,
      quotes: [{ noteId: notes['B']!, bidSpreadBp: '300', bidSize: '500000', askSize: '0' }],
    });
    probe.close();
    expect(reply).toMatchObject({
      id: 2,
      status: 422,
      body: { error: { code: 'NO_BENCHMARK_CURVE', details: { field: 'quotes.0.bidSpreadBp' } } },
    });
    expect((await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body).toEqual(before);
  });
});
