/**
 * Order entry and dealer mass quotes over /ws answer exactly as REST does — the same status, the
 * same error codes, the same clOrdId idempotency — with the request's id echoed, and only once the
 * change is durable. Cancel-on-disconnect pulls a dealer's quotes when its socket goes away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, Probe, startWsService, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  t = await startWsService();
  notes = await t.notes();
});
afterAll(async () => t.close());

async function open(username: string): Promise<Probe> {
  return Probe.open(t.wsUrl, { token: await t.token(username) });
}

async function rest(method: 'post' | 'delete' | 'patch' | 'put', path: string, username: string, body?: unknown) {
  const request = t.http[method](path).set({ authorization: `Bearer ${await t.token(username)}` });
  return body === undefined ? request : request.send(body as object);
}

async function state() {
  await t.service.services.sequencer!.idle();
  const balances = await t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held');
  const books = [];
  for (const noteId of Object.values(notes)) {
    books.push(
      (await t.http.get(`/api/v1/notes/${noteId}/book?depth=50`).set({ authorization: `Bearer ${await t.token('investor1')}` })).body,
    );
  }
  return { balances, books };
}

describe('orders over the socket', () => {
  it('answers 201 with the order and its fills, echoes the id, and the order is in the database when the reply arrives', async () => {
    const probe = await open('investor1');
    const order = { clOrdId: 'ws-1', noteId: notes['B']!, side: 'buy', type: 'limit', price: '98.25', quantity: '100000' };
    const reply = await probe.request({ op: 'order', id: 'req-1', order });
    const row = await t.database.knex('orders').where({ cl_ord_id: 'ws-1' }).first();
    expect(reply).toMatchObject({
      op: 'reply',
      id: 'req-1',
      status: 201,
      body: { order: { clOrdId: 'ws-1', status: 'new', price: '98.25' }, fills: [] },
    });
    expect(row).toMatchObject({ id: reply.body.order.id, status: 'new' });

    const again = await probe.request({ op: 'order', id: 7, order });
    expect(again).toMatchObject({ id: 7, status: 200, body: { order: { id: reply.body.order.id } } });
    const conflict = await probe.request({ op: 'order', id: 8, order: { ...order, price: '98.5' } });
    expect(conflict).toMatchObject({ id: 8, status: 409, body: { error: { code: 'DUPLICATE_CL_ORD_ID' } } });
    probe.close();
  });

  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['an off-tick price', () => ({ noteId: notes['B'], side: 'buy', price: '99.001', quantity: '100000' }), 'investor1'],
    ['a size below the minimum denomination', () => ({ noteId: notes['B'], side: 'buy', price: '99', quantity: '50000' }), 'investor1'],
    ['more than the available cash', () => ({ noteId: notes['B'], side: 'buy', price: '120', quantity: '45000000' }), 'investor1'],
    ['a short sale', () => ({ noteId: notes['C'], side: 'sell', price: '99', quantity: '100000' }), 'investor1'],
    [
      'an unknown note',
      () => ({ noteId: '00000000-0000-4000-8000-000000000000', side: 'buy', price: '99', quantity: '100000' }),
      'investor1',
    ],
    ['a price as a JSON number', () => ({ noteId: notes['B'], side: 'buy', price: 99, quantity: '100000' }), 'investor1'],
    ['an unknown field', () => ({ noteId: notes['B'], side: 'buy', price: '99', quantity: '100000', leverage: 10 }), 'investor1'],
    ['an order from back office', () => ({ noteId: notes['B'], side: 'buy', price: '99', quantity: '100000' }), 'backoffice1'],
  ];
  for (const [name, body, username] of cases) {
    it(`rejects ${name} with the status and code REST gives, changing nothing`, async () => {
      counter += 1;
      const before = await state();
      const viaRest = await rest('post', '/api/v1/orders', username, { clOrdId: `r-${counter}`, type: 'limit', ...body() });
      const probe = await open(username);
      const reply = await probe.request({
        op: 'order',
        id: `bad-${counter}`,
        order: { clOrdId: `w-${counter}`, type: 'limit', ...body() },
      });
      expect(viaRest.status).toBeGreaterThanOrEqual(400);
      expect(reply).toMatchObject({
        op: 'reply',
        id: `bad-${counter}`,
        status: viaRest.status,
        body: { error: { code: viaRest.body.error.code } },
      });
      expect(await state()).toEqual(before);
      probe.close();
    });
  }

  it('answers without a session 401, and refuses an order-entry message without an id', async () => {
    const anonymous = await Probe.open(t.wsUrl);
    const order = { clOrdId: 'anon', noteId: notes['B'], side: 'buy', type: 'limit', price: '98', quantity: '100000' };
    expect(await anonymous.request({ op: 'order', id: 1, order })).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    const probe = await open('investor1');
    probe.send({ op: 'order', order });
    expect(await probe.waitFor((m) => m.op === 'error')).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await t.database.knex('orders').where({ cl_ord_id: 'anon' }).first()).toBeUndefined();
    anonymous.close();
    probe.close();
  });

  it("cancels and replaces own orders with REST's answers, and hides other parties' orders", async () => {
    const probe = await open('investor2');
    const placed = await probe.request({
      op: 'order',
      id: 'p',
      order: { clOrdId: 'ws-cr', noteId: notes['Senior'], side: 'buy', type: 'limit', price: '97', quantity: '300000' },
    });
    const orderId = placed.body.order.id;
    const replaced = await probe.request({ op: 'replace', id: 'r', orderId, quantity: '200000' });
    expect(replaced).toMatchObject({ status: 200, body: { order: { id: orderId, quantity: '200000', leavesQuantity: '200000' } } });
    expect(await probe.request({ op: 'replace', id: 'r2', orderId })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED' } },
    });
    const stranger = await open('investor1');
    expect(await stranger.request({ op: 'cancel', id: 'x', orderId })).toMatchObject({
      status: 404,
      body: { error: { code: 'ORDER_NOT_FOUND' } },
    });
    expect(await probe.request({ op: 'cancel', id: 'c', orderId })).toMatchObject({
      status: 200,
      body: { id: orderId, status: 'cancelled' },
    });
    expect(await probe.request({ op: 'cancel', id: 'c2', orderId })).toMatchObject({
      status: 409,
      body: { error: { code: 'WRONG_STATE' } },
    });
    expect(await probe.request({ op: 'cancel', id: 'c3', orderId: 42 })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED' } },
    });
    probe.close();
    stranger.close();
  });
});

describe('dealer quotes over the socket', () => {
  it('replaces and pulls quotes like PUT and DELETE /quotes, for dealers only', async () => {
    const noteId = notes['A-2']!;
    const dealer = await open('dealer2');
    const put = await dealer.request({
      op: 'quotes',
      id: 'q1',
      quotes: [{ noteId, bidPrice: '98.5', bidSize: '500000', askPrice: '101.5', askSize: '500000' }],
    });
    expect(put).toMatchObject({
      status: 200,
      body: {
        quotes: [
          { side: 'buy', price: '98.5' },
          { side: 'sell', price: '101.5' },
        ],
      },
    });
    const crossed = await dealer.request({
      op: 'quotes',
      id: 'q2',
      quotes: [{ noteId, bidPrice: '102', bidSize: '100000', askPrice: '101', askSize: '100000' }],
    });
    expect(crossed).toMatchObject({ status: 422, body: { error: { code: 'QUOTE_CROSSED' } } });
    const investor = await open('investor1');
    expect(await investor.request({ op: 'quotes', id: 'q3', quotes: [] })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    const pulled = await dealer.request({ op: 'pull_quotes', id: 'q4' });
    expect(pulled).toMatchObject({ status: 200 });
    const book = (await t.http.get(`/api/v1/notes/${noteId}/book`).set({ authorization: `Bearer ${await t.token('investor1')}` })).body;
    expect(book.bids.find((l: { price: string }) => l.price === '98.5')).toBeUndefined();
    dealer.close();
    investor.close();
  });
});

describe('cancel-on-disconnect', () => {
  async function quoteAndDrop(username: string, enable: boolean, drop: (probe: Probe) => void, bidPrice: string) {
    const noteId = notes['B']!;
    const dealer = await open(username);
    if (enable)
      expect(await dealer.request({ op: 'cancel_on_disconnect', enabled: true, id: 'cod' })).toMatchObject({
        status: 200,
        body: { cancelOnDisconnect: true },
      });
    await dealer.request({ op: 'quotes', id: 'q', quotes: [{ noteId, bidPrice, bidSize: '100000', askPrice: '101', askSize: '100000' }] });
    drop(dealer);
    await dealer.closed;
    return noteId;
  }

  async function bidAt(noteId: string, price: string): Promise<boolean> {
    await t.service.services.sequencer!.idle();
    const book = (await t.http.get(`/api/v1/notes/${noteId}/book?depth=100`).set({ authorization: `Bearer ${await t.token('investor1')}` }))
      .body;
    return book.bids.some((l: { price: string }) => l.price === price);
  }

  async function eventually(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await delay(50);
    }
    throw new Error('condition not reached');
  }

  it("pulls the dealer's quotes when its socket closes", async () => {
    const noteId = await quoteAndDrop('dealer1', true, (p) => p.close(), '96.125');
    await eventually(async () => !(await bidAt(noteId, '96.125')));
  });

  it('pulls them when the connection is cut without a close handshake', async () => {
    const noteId = await quoteAndDrop('dealer2', true, (p) => p.ws.terminate(), '96.25');
    await eventually(async () => !(await bidAt(noteId, '96.25')));
    // The REST book can show a batch's change while it commits; the database has it once it has.
    await eventually(async () => {
      const quoteOrders = await t.database.knex('orders').where({ source: 'quote', price: '96.25' }).select('status');
      return quoteOrders.length === 1 && quoteOrders[0].status === 'cancelled';
    });
  });

  it('leaves the quotes alone when the dealer did not ask for it, and refuses investors', async () => {
    const noteId = await quoteAndDrop('dealer1', false, (p) => p.close(), '96.375');
    await delay(200);
    expect(await bidAt(noteId, '96.375')).toBe(true);
    const investor = await open('investor1');
    expect(await investor.request({ op: 'cancel_on_disconnect', enabled: true, id: 'no' })).toMatchObject({
      op: 'error',
      code: 'FORBIDDEN',
    });
    investor.close();
  });
});
