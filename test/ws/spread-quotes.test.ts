/**
 * Dealer quotes entered as spreads over /ws (issue 17): `{"op":"quotes"}` takes bidSpreadBp /
 * askSpreadBp like PUT /quotes, answers with the same derived prices as REST for the same spreads,
 * and refuses a spread without a benchmark curve with REST's status and code, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { Probe, startWsService, type WsTestService } from './support.js';

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
