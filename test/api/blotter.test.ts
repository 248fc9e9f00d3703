/**
 * The blotter through HTTP: GET /api/v1/executions carries how each trade was done (`venueType`:
 * two orders in the book, a dealer's quote, or an RFQ) and where its settlement stands
 * (`settlementStatus`, `settledDate`); and statements, which an investor or a dealer may download
 * for its own party only (another party's → 403, nothing leaks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let notes: Record<string, string>;
let party: Record<string, string>;
let counter = 0;
const trades: Record<string, string> = {};

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set(await auth(username))
    .send({ clOrdId: `bl-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect([response.status, response.body.error]).toEqual([201, undefined]);
  return response.body;
}
async function executions(username: string) {
  return (
    await t.http
      .get('/api/v1/executions')
      .set(await auth(username))
      .expect(200)
  ).body as Record<string, unknown>[];
}

beforeAll(async () => {
  t = await startTestService();
  const list = (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body as { id: string; className: string }[];
  notes = Object.fromEntries(list.map((n) => [n.className, n.id]));
  party = {};
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2'])
    party[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  // Book: dealer2's resting order, lifted by investor1.
  await place('dealer2', { noteId: notes['A-2'], side: 'sell', price: '100.5', quantity: '100000' });
  trades.book = (
    await place('investor1', { noteId: notes['A-2'], side: 'buy', price: '100.5', quantity: '100000', timeInForce: 'IOC' })
  ).fills[0].tradeId;
  // Quote: dealer1's two-sided quote on B, hit by investor1.
  await t.http
    .put('/api/v1/quotes')
    .set(await auth('dealer1'))
    .send({ quotes: [{ noteId: notes['B'], bidPrice: '99', bidSize: '1000000', askPrice: '101', askSize: '1000000' }] })
    .expect(200);
  trades.quote = (
    await place('investor1', { noteId: notes['B'], side: 'buy', price: '101', quantity: '200000', timeInForce: 'IOC' })
  ).fills[0].tradeId;
  await t.http
    .delete('/api/v1/quotes')
    .set(await auth('dealer1'))
    .expect(200);
  // RFQ: investor1 asks dealer2, takes its answer.
  const rfq = (
    await t.http
      .post('/api/v1/rfqs')
      .set(await auth('investor1'))
      .send({ noteId: notes['A-2'], side: 'buy', quantity: '300000', dealerPartyIds: [party.dealer2] })
      .expect(201)
  ).body;
  const answer = (
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/responses`)
      .set(await auth('dealer2'))
      .send({ price: '100.75', validForSeconds: 30 })
      .expect(201)
  ).body;
  trades.rfq = (
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor1'))
      .send({ responseId: answer.id })
      .expect(200)
  ).body.trade.tradeId;
});
afterAll(async () => t.close());

describe('GET /executions blotter columns', () => {
  it('says how each trade was done, on both sides of it', async () => {
    const mine = new Map((await executions('investor1')).map((e) => [e.tradeId, e]));
    expect(mine.get(trades.book!)).toMatchObject({ venue: 'clob', venueType: 'book', side: 'buy' });
    expect(mine.get(trades.quote!)).toMatchObject({ venue: 'clob', venueType: 'quote', side: 'buy', price: '101' });
    expect(mine.get(trades.rfq!)).toMatchObject({ venue: 'rfq', venueType: 'rfq', price: '100.75' });
    const dealer1 = (await executions('dealer1')).find((e) => e.tradeId === trades.quote);
    expect(dealer1).toMatchObject({ venueType: 'quote', side: 'sell', liquidity: 'maker' });
  });

  it('shows the settlement status: pending until a run settles it, then settled with its date', async () => {
    const before = (await executions('investor1')).find((e) => e.tradeId === trades.book)!;
    expect(before).toMatchObject({ settlementStatus: 'pending', settledDate: null });
    const date = before.settlementDate as string;
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .send({})
      .expect(200);
    await t.http
      .post('/api/v1/settlements/run')
      .set(await auth('backoffice1'))
      .send({ date })
      .expect(200);
    const after = (await executions('investor1')).find((e) => e.tradeId === trades.book)!;
    expect(after).toMatchObject({ settlementStatus: 'settled', settledDate: date });
    // The instruction the back office sees agrees.
    const instruction = (
      await t.http
        .get(`/api/v1/settlements?partyId=${party.investor1}`)
        .set(await auth('backoffice1'))
        .expect(200)
    ).body.find((s: { tradeId: string }) => s.tradeId === trades.book);
    expect(instruction).toMatchObject({ status: 'settled', settledDate: date });
  });
});

describe('own statements', () => {
  it('lets a dealer download its own statement as JSON and CSV, naming its trades', async () => {
    const date = (await t.http.get('/api/v1/business-date').set(await auth('dealer2'))).body.businessDate;
    // The settlement date of the trades (the day after trade date): dealer2's sale to investor1 settled.
    const json = (
      await t.http
        .get(`/api/v1/statements?date=${date}`)
        .set(await auth('dealer2'))
        .expect(200)
    ).body;
    expect(json.partyId).toBe(party.dealer2);
    expect(json.settlements.map((s: { tradeId: string }) => s.tradeId)).toContain(trades.book);
    const csv = await t.http
      .get(`/api/v1/statements?date=${date}&format=csv`)
      .set(await auth('dealer2'))
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain(`settlement,${trades.book},`);
    // Its own id named explicitly is its own statement too.
    await t.http
      .get(`/api/v1/statements?partyId=${party.dealer2}&date=${date}`)
      .set(await auth('dealer2'))
      .expect(200);
  });

  it("refuses another party's statement to an investor and a dealer (403), JSON or CSV", async () => {
    for (const [user, other] of [
      ['investor1', 'investor2'],
      ['investor1', 'dealer2'],
      ['dealer2', 'investor1'],
      ['dealer1', 'dealer2'],
    ] as const) {
      for (const format of ['json', 'csv']) {
        const refused = await t.http.get(`/api/v1/statements?partyId=${party[other]}&format=${format}`).set(await auth(user));
        expect(refused.status, `${user} → ${other} (${format})`).toBe(403);
        expect(refused.body.error.code).toBe('FORBIDDEN');
        expect(JSON.stringify(refused.body)).not.toContain(trades.book);
      }
    }
    // An unknown party is refused the same way (no probing which ids exist).
    const unknown = await t.http.get('/api/v1/statements?partyId=00000000-0000-4000-8000-000000000000').set(await auth('dealer1'));
    expect(unknown.status).toBe(403);
  });

  it('lets the back office read any party statement', async () => {
    await t.http
      .get(`/api/v1/statements?partyId=${party.dealer2}`)
      .set(await auth('backoffice1'))
      .expect(200);
  });
});
