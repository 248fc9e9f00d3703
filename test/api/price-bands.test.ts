/**
 * Price bands through HTTP (issue 15 item 7): limit orders, replaces, dealer quotes and RFQ answers
 * outside ±width points of the note's reference price are refused with 422 PRICE_OUTSIDE_BAND and
 * the band in the details, and nothing changes; the operator sets the width; the reference is the
 * last trade, else the mid; a state rebuilt from the database (a restart) has the same bands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverState } from '../../server/sequencer/recovery.js';
import { currentBand } from '../../server/sequencer/price-band.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let notes: Record<string, { id: string }>;
let counter = 0;

beforeAll(async () => {
  t = await startTestService();
  notes = Object.fromEntries(
    (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body.map((n: { className: string }) => [n.className, n]),
  );
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  return t.http
    .post('/api/v1/orders')
    .set(await auth(username))
    .send({ clOrdId: `band-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
}

const snapshot = async () => ({
  accounts: await t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held'),
  live: await t.database.knex('orders').whereIn('status', ['new', 'partially_filled']).orderBy('id').select('id', 'price', 'quantity'),
});

function expectOutside(
  response: { status: number; body: { error: { code: string; details: Record<string, unknown> } } },
  band: { reference: string; low: string; high: string },
) {
  expect(response.status).toBe(422);
  expect(response.body.error.code).toBe('PRICE_OUTSIDE_BAND');
  expect(response.body.error.details).toMatchObject(band);
}

describe('a note with a last trade', () => {
  // B trades once at 99.75: the band is 99.75 ± 10 (the default width) = [89.75, 109.75].
  const band = { reference: '99.75', referenceSource: 'last_trade', low: '89.75', high: '109.75' };

  it('has no band before any trade or two-sided book, then the last trade as reference', async () => {
    const b = notes['B']!.id;
    expect(
      (
        await t.http
          .get(`/api/v1/notes/${b}/price-band`)
          .set(await auth('investor1'))
          .expect(200)
      ).body,
    ).toEqual({ noteId: b, widthPoints: '10', reference: null, referenceSource: null, low: null, high: null });
    await place('dealer1', { noteId: b, side: 'sell', price: '99.75', quantity: '100000' }).then((r) => expect(r.status).toBe(201));
    await place('investor1', { noteId: b, side: 'buy', price: '99.75', quantity: '100000', timeInForce: 'IOC' }).then((r) =>
      expect(r.body.fills).toHaveLength(1),
    );
    expect(
      (
        await t.http
          .get(`/api/v1/notes/${b}/price-band`)
          .set(await auth('investor2'))
          .expect(200)
      ).body,
    ).toEqual({ noteId: b, widthPoints: '10', ...band });
  });

  it("refuses a buy limit at 150 and changes nothing; accepts the band's edge", async () => {
    const b = notes['B']!.id;
    const before = await snapshot();
    const fat = await place('investor1', { noteId: b, side: 'buy', price: '150', quantity: '100000' });
    expectOutside(fat, band);
    expect(fat.body.error.details.price).toBe('150');
    expect(await snapshot()).toEqual(before);
    expectOutside(await place('investor2', { noteId: b, side: 'sell', price: '89.5', quantity: '100000' }), band);
    const edge = await place('investor1', { noteId: b, side: 'buy', price: '89.75', quantity: '100000' });
    expect(edge.status).toBe(201);
    await t.http
      .delete(`/api/v1/orders/${edge.body.order.id}`)
      .set(await auth('investor1'))
      .expect(200);
  });

  it('refuses a replace, a dealer quote and an RFQ answer outside the band', async () => {
    const b = notes['B']!.id;
    const resting = (await place('investor1', { noteId: b, side: 'buy', price: '95', quantity: '100000' })).body.order;
    const before = await snapshot();
    expectOutside(
      await t.http
        .patch(`/api/v1/orders/${resting.id}`)
        .set(await auth('investor1'))
        .send({ price: '110' }),
      band,
    );
    expectOutside(
      await t.http
        .put('/api/v1/quotes')
        .set(await auth('dealer2'))
        .send({ quotes: [{ noteId: b, bidPrice: '80', bidSize: '100000', askPrice: '100', askSize: '100000' }] }),
      band,
    );
    expect(await snapshot()).toEqual(before);
    const rfq = (
      await t.http
        .post('/api/v1/rfqs')
        .set(await auth('investor2'))
        .send({ noteId: b, side: 'buy', quantity: '100000' })
        .expect(201)
    ).body;
    expectOutside(
      await t.http
        .post(`/api/v1/rfqs/${rfq.id}/responses`)
        .set(await auth('dealer1'))
        .send({ price: '111', validForSeconds: 30 }),
      band,
    );
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/responses`)
      .set(await auth('dealer1'))
      .send({ price: '100', validForSeconds: 30 })
      .expect(201);
    await t.http
      .delete(`/api/v1/orders/${resting.id}`)
      .set(await auth('investor1'))
      .expect(200);
  });

  it('lets the operator set the width, applied to the next command', async () => {
    const b = notes['B']!.id;
    expect(
      (
        await t.http
          .put(`/api/v1/notes/${b}/price-band`)
          .set(await auth('investor1'))
          .send({ widthPoints: '2' })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .put(`/api/v1/notes/${b}/price-band`)
          .set(await auth('operator1'))
          .send({ widthPoints: 2 })
      ).status,
    ).toBe(400);
    const set = await t.http
      .put(`/api/v1/notes/${b}/price-band`)
      .set(await auth('operator1'))
      .send({ widthPoints: '2' })
      .expect(200);
    // 99.75 ± 2 = [97.75, 101.75].
    expect(set.body).toMatchObject({ widthPoints: '2', reference: '99.75', low: '97.75', high: '101.75' });
    expectOutside(await place('investor1', { noteId: b, side: 'buy', price: '97.5', quantity: '100000' }), {
      reference: '99.75',
      low: '97.75',
      high: '101.75',
    });
    expect((await t.http.get(`/api/v1/notes/${b}`).set(await auth('investor1'))).body.priceBandPoints).toBe('2');
    expect((await t.database.knex('notes').where({ id: b }).first('price_band_points')).price_band_points).toMatch(/^2(\.0*)?$/);
  });
});

describe('a note without trades', () => {
  it('measures against the mid of a two-sided book', async () => {
    const c = notes['C']!.id;
    await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: c, bidPrice: '96', bidSize: '100000', askPrice: '98', askSize: '100000' }] })
      .expect(200);
    // mid (96 + 98) / 2 = 97; band [87, 107].
    const band = { reference: '97', referenceSource: 'mid', low: '87', high: '107' };
    expect((await t.http.get(`/api/v1/notes/${c}/price-band`).set(await auth('investor1'))).body).toMatchObject(band);
    expectOutside(await place('investor2', { noteId: c, side: 'buy', price: '107.5', quantity: '100000' }), band);
    expectOutside(await place('dealer2', { noteId: c, side: 'sell', price: '86.5', quantity: '100000' }), band);
    await t.http
      .delete('/api/v1/quotes')
      .set(await auth('dealer1'))
      .expect(200);
  });
});

describe('after a restart', () => {
  it('rebuilds the same reference prices and widths from the database', async () => {
    // An RFQ trade after the CLOB trade on B moves the reference: 100 (the answer given above was not taken; take a new one).
    const b = notes['B']!.id;
    const rfq = (
      await t.http
        .post('/api/v1/rfqs')
        .set(await auth('investor2'))
        .send({ noteId: b, side: 'buy', quantity: '100000' })
        .expect(201)
    ).body;
    const answer = (
      await t.http
        .post(`/api/v1/rfqs/${rfq.id}/responses`)
        .set(await auth('dealer2'))
        .send({ price: '100.5', validForSeconds: 30 })
        .expect(201)
    ).body;
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor2'))
      .send({ responseId: answer.id })
      .expect(200);
    const live = await Promise.all(
      Object.values(notes).map(async (n) => (await t.http.get(`/api/v1/notes/${n.id}/price-band`).set(await auth('investor1'))).body),
    );
    expect(live.find((v) => v.noteId === b)).toMatchObject({ reference: '100.5', widthPoints: '2' });
    const rebuilt = await recoverState(t.database.knex);
    for (const view of live) {
      const band = currentBand(rebuilt, rebuilt.instruments.get(view.noteId)!);
      expect({
        noteId: view.noteId,
        widthPoints: rebuilt.instruments.get(view.noteId)!.priceBandPoints.toFixed(),
        reference: band?.reference.toFixed() ?? null,
        low: band?.low.toFixed() ?? null,
        high: band?.high.toFixed() ?? null,
      }).toEqual({ noteId: view.noteId, widthPoints: view.widthPoints, reference: view.reference, low: view.low, high: view.high });
    }
  });
});
