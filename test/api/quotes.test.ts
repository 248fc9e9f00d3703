/**
 * A dealer's live quotes through HTTP: GET /api/v1/quotes lists them as the book holds them, and
 * DELETE /api/v1/quotes?noteId= pulls one note's quotes (releasing their holds) and leaves the
 * others; DELETE without noteId still pulls all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let notes: Record<string, string>;
const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
const held = async (username: string) =>
  (await t.http.get('/api/v1/balances').set(await auth(username))).body.map((b: { asset: string; held: string }) => [b.asset, b.held]);

beforeAll(async () => {
  t = await startTestService();
  const list = (await t.http.get('/api/v1/notes').set(await auth('dealer1'))).body;
  notes = Object.fromEntries(list.map((n: { className: string; id: string }) => [n.className, n.id]));
});
afterAll(async () => t.close());

describe('dealer quotes', () => {
  it('lists the live quotes, with the size left after a fill', async () => {
    expect(
      (
        await t.http
          .get('/api/v1/quotes')
          .set(await auth('dealer1'))
          .expect(200)
      ).body,
    ).toEqual([]);
    const before = await held('dealer1');
    await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({
        quotes: [
          { noteId: notes['B'], bidPrice: '99', bidSize: '1000000', askPrice: '101', askSize: '1000000' },
          { noteId: notes['C'], bidPrice: '95', bidSize: '500000', askSize: '0' },
        ],
      })
      .expect(200);
    // investor2 sells 400,000 B into the bid: 600,000 left on it.
    await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send({ clOrdId: 'q-1', noteId: notes['B'], side: 'sell', type: 'limit', price: '99', quantity: '400000', timeInForce: 'IOC' })
      .expect(201);
    const live = (
      await t.http
        .get('/api/v1/quotes')
        .set(await auth('dealer1'))
        .expect(200)
    ).body;
    const byNote = Object.fromEntries(live.map((q: { noteId: string }) => [q.noteId, q]));
    expect(live).toHaveLength(2);
    expect(byNote[notes['B']!]).toMatchObject({ bid: { price: '99', size: '600000' }, ask: { price: '101', size: '1000000' } });
    expect(byNote[notes['C']!]).toMatchObject({ bid: { price: '95', size: '500000' }, ask: null });
    expect(await held('dealer1')).not.toEqual(before);
    // Another dealer sees only its own (none); an investor may not ask.
    expect(
      (
        await t.http
          .get('/api/v1/quotes')
          .set(await auth('dealer2'))
          .expect(200)
      ).body,
    ).toEqual([]);
    expect((await t.http.get('/api/v1/quotes').set(await auth('investor1'))).status).toBe(403);
  });

  it("pulls one note's quotes and leaves the others live", async () => {
    const pulled = await t.http
      .delete(`/api/v1/quotes?noteId=${notes['C']}`)
      .set(await auth('dealer1'))
      .expect(200);
    expect(pulled.body.fills).toEqual([]);
    const live = (await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body;
    expect(live.map((q: { noteId: string }) => q.noteId)).toEqual([notes['B']]);
    const book = (await t.http.get(`/api/v1/notes/${notes['C']}/book`).set(await auth('dealer1'))).body;
    expect(book.bids).toEqual([]);
    // Pulling a note with nothing quoted changes nothing.
    const again = await t.http
      .delete(`/api/v1/quotes?noteId=${notes['C']}`)
      .set(await auth('dealer1'))
      .expect(200);
    expect(again.body).toEqual({ quotes: [], fills: [] });
  });

  it('refuses an unknown or malformed note and changes nothing', async () => {
    const missing = await t.http.delete('/api/v1/quotes?noteId=00000000-0000-4000-8000-000000000000').set(await auth('dealer1'));
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOTE_NOT_FOUND']);
    const malformed = await t.http.delete('/api/v1/quotes?noteId=B').set(await auth('dealer1'));
    expect(malformed.status).toBe(400);
    expect((await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body).toHaveLength(1);
  });

  it('still pulls every quote without noteId, releasing the holds', async () => {
    await t.http
      .delete('/api/v1/quotes')
      .set(await auth('dealer1'))
      .expect(200);
    expect((await t.http.get('/api/v1/quotes').set(await auth('dealer1'))).body).toEqual([]);
    // The ask held 1,000,000 B of face; pulled, nothing of B is held (the bought B is incoming, not held).
    const holds = Object.fromEntries(await held('dealer1'));
    expect(holds[notes['B']!]).toBe('0');
  });
});
