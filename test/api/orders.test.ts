/**
 * The order path through HTTP: risk holds, matching, trades with their money breakdown, clOrdId
 * idempotency, dealer quotes, expiry at the end of day, and bad input that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let notes: Record<string, { id: string; factor: string; couponRate: string }>;
let parties: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  t = await startTestService();
  const list = (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body;
  notes = Object.fromEntries(list.map((n: { className: string }) => [n.className, n]));
  parties = {};
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2']) {
    parties[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  }
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
    .send({ clOrdId: `c-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
}

async function cash(username: string) {
  return (await t.http.get('/api/v1/balances').set(await auth(username))).body.find((b: { asset: string }) => b.asset === 'USD');
}

async function book(noteId: string) {
  return (await t.http.get(`/api/v1/notes/${noteId}/book?depth=20`).set(await auth('investor1'))).body;
}

async function state() {
  const balances = await t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held');
  const books = await Promise.all(Object.values(notes).map((n) => book(n.id).then(({ bids, asks }) => ({ bids, asks }))));
  return { balances, books };
}

describe('a limit order that rests, then trades', () => {
  it('sets aside the worst-case cash of a resting buy', async () => {
    const response = await place('investor1', { noteId: notes['B']!.id, side: 'buy', price: '99.5', quantity: '1000000' });
    expect(response.status).toBe(201);
    expect(response.body.order).toMatchObject({ status: 'new', leavesQuantity: '1000000', filledQuantity: '0', price: '99.5' });
    expect(response.body.fills).toEqual([]);
    const usd = await cash('investor1');
    // 1,000,000 × 1.0 × 99.5% = 995,000 principal, plus accrued, plus one cent per unit + 1.
    expect(new Decimal(usd.held).gt('995000')).toBe(true);
    expect((await book(notes['B']!.id)).bids).toEqual([{ price: '99.5', quantity: '1000000', orders: 1 }]);
  });

  it('trades against a crossing sell at the resting price, with the full money breakdown', async () => {
    const response = await place('dealer1', { noteId: notes['B']!.id, side: 'sell', price: '99.25', quantity: '400000' });
    expect(response.status).toBe(201);
    expect(response.body.order.status).toBe('filled');
    const [fill] = response.body.fills;
    expect(fill).toMatchObject({ side: 'sell', price: '99.5', quantity: '400000', factor: '1', liquidity: 'taker', venue: 'clob' });
    expect(fill.principal).toBe('398000.00');
    expect(new Decimal(fill.netAmount).eq(new Decimal(fill.principal).plus(fill.accruedInterest))).toBe(true);
    expect(fill.settlementDate > fill.tradeDate).toBe(true);

    const executions = (await t.http.get('/api/v1/executions').set(await auth('investor1'))).body;
    expect(executions[0]).toMatchObject({ tradeId: fill.tradeId, side: 'buy', liquidity: 'maker', netAmount: fill.netAmount });
    const tape = (await t.http.get(`/api/v1/trades?noteId=${notes['B']!.id}`).set(await auth('investor2'))).body;
    expect(tape[0]).toMatchObject({ id: fill.tradeId, price: '99.5', quantity: '400000' });
    expect((await book(notes['B']!.id)).bids).toEqual([{ price: '99.5', quantity: '600000', orders: 1 }]);
  });

  it('computes principal on current face: face × factor × price / 100', async () => {
    const a2 = notes['A-2']!;
    await place('dealer2', { noteId: a2.id, side: 'sell', price: '100.25', quantity: '2000000' });
    const response = await place('investor2', { noteId: a2.id, side: 'buy', price: '100.25', quantity: '2000000', timeInForce: 'IOC' });
    const [fill] = response.body.fills;
    expect(fill.factor).toBe('0.9875');
    expect(fill.principal).toBe(new Decimal('2000000').mul('0.9875').mul('100.25').div(100).toFixed(2));
  });
});

describe('the public tape', () => {
  it('shows sizes above the note\'s dissemination cap as "1MM+", the way TRACE does', async () => {
    const c = notes['C']!; // the demo's Class C disseminates sizes up to 1,000,000
    await place('dealer1', { noteId: c.id, side: 'sell', price: '97', quantity: '1500000' });
    const lift = await place('investor2', { noteId: c.id, side: 'buy', price: '97', quantity: '1500000', timeInForce: 'IOC' });
    expect(lift.body.fills[0].quantity).toBe('1500000');
    const tape = (await t.http.get(`/api/v1/trades?noteId=${c.id}&limit=1`).set(await auth('investor1'))).body;
    expect(tape).toEqual([{ id: lift.body.fills[0].tradeId, noteId: c.id, price: '97', quantity: '1MM+', executedAt: expect.any(String) }]);
  });

  it('derives the cap from the TRACE category and rating (FINRA TRACE Reporting Timeframes and Transparency Protocols)', async () => {
    // FINRA's table: Asset-Backed Securities $10MM investment grade / $1MM non-investment grade;
    // Corporate Bonds $5MM / $1MM. The demo: A-2 (ABS, A) 10MM, B (ABS, BBB) 10MM, C (ABS, BB) 1MM,
    // Senior (CORP, BBB-) 5MM.
    const caps = Object.fromEntries(
      Object.entries(notes).map(([name, n]) => [name, (n as unknown as { disseminationCap: string }).disseminationCap]),
    );
    expect(caps).toEqual({ 'A-2': '10000000', B: '10000000', C: '1000000', Senior: '5000000' });
    const sr = notes['Senior']!;
    await place('dealer1', { noteId: sr.id, side: 'sell', price: '100', quantity: '6000000' });
    const lift = await place('dealer2', { noteId: sr.id, side: 'buy', price: '100', quantity: '6000000', timeInForce: 'IOC' });
    expect(lift.body.fills[0].quantity).toBe('6000000');
    const tape = (await t.http.get(`/api/v1/trades?noteId=${sr.id}&limit=1`).set(await auth('investor1'))).body;
    expect(tape[0].quantity).toBe('5MM+');
    // 6MM of an investment-grade ABS is under its 10MM cap: shown exactly.
    const a2 = notes['A-2']!;
    await place('dealer1', { noteId: a2.id, side: 'sell', price: '100.5', quantity: '6000000' });
    const a2Lift = await place('dealer2', { noteId: a2.id, side: 'buy', price: '100.5', quantity: '6000000', timeInForce: 'IOC' });
    expect(a2Lift.body.fills[0].quantity).toBe('6000000');
    const a2Tape = (await t.http.get(`/api/v1/trades?noteId=${a2.id}&limit=1`).set(await auth('investor1'))).body;
    expect(a2Tape[0].quantity).toBe('6000000');
  });
});

describe('issue 15: errors that say what is wrong', () => {
  it('refuses a GTD order whose expireAt has passed with EXPIRE_AT_IN_PAST', async () => {
    const response = await place('investor1', {
      noteId: notes['B']!.id,
      side: 'buy',
      price: '99',
      quantity: '100000',
      timeInForce: 'GTD',
      expireAt: '2020-01-01T00:00:00Z',
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('EXPIRE_AT_IN_PAST');
    expect(response.body.error.details).toMatchObject({ expireAt: '2020-01-01T00:00:00.000Z' });
  });

  it('names the full path, /api included, in a 404', async () => {
    const response = await t.http.get('/api/v1/quotez?x=1').set(await auth('investor1'));
    expect(response.status).toBe(404);
    expect(response.body.error.message).toBe('no route for GET /api/v1/quotez');
  });
});

describe('clOrdId idempotency', () => {
  it('answers a retry with the original result and never creates a second order', async () => {
    const body = {
      clOrdId: 'retry-me',
      noteId: notes['C']!.id,
      side: 'buy',
      type: 'limit',
      price: '90',
      quantity: '100000',
      timeInForce: 'GTC',
    };
    const first = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send(body);
    const [again, concurrent] = await Promise.all([
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send(body),
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send(body),
    ]);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(concurrent.status).toBe(200);
    expect(again.body.order.id).toBe(first.body.order.id);
    expect(concurrent.body.order.id).toBe(first.body.order.id);
    const count = await t.database.knex('orders').where({ cl_ord_id: 'retry-me' }).count<{ count: string }[]>('* as count');
    expect(count[0]!.count).toBe('1');
    const conflict = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send({ ...body, price: '91' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('DUPLICATE_CL_ORD_ID');
  });

  it('still knows a clOrdId of an earlier business day, after the in-memory guard was emptied by the roll', async () => {
    const body = {
      clOrdId: 'before-the-roll',
      noteId: notes['C']!.id,
      side: 'buy',
      type: 'limit',
      price: '90',
      quantity: '100000',
      timeInForce: 'GTC',
    };
    const first = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send(body);
    expect(first.status).toBe(201);
    // The roll and the retries race: whichever order they reach the sequencer in, the retry is the original.
    const [, retry, conflict] = await Promise.all([
      t.http.post('/api/v1/business-date/roll').set(await auth('operator1')),
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send(body),
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send({ ...body, price: '89' }),
    ]);
    expect(retry.status).toBe(200);
    expect(retry.body.order.id).toBe(first.body.order.id);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('DUPLICATE_CL_ORD_ID');
    const later = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send(body);
    expect(later.status).toBe(200);
    expect(later.body.order.id).toBe(first.body.order.id);
    const count = await t.database.knex('orders').where({ cl_ord_id: 'before-the-roll' }).count<{ count: string }[]>('* as count');
    expect(count[0]!.count).toBe('1');
  });
});

describe('bad orders change nothing', () => {
  const cases: Array<[string, () => Record<string, unknown>, string, number, string]> = [
    [
      'an off-tick price',
      () => ({ noteId: notes['B']!.id, side: 'buy', price: '99.001', quantity: '100000' }),
      'investor1',
      422,
      'OFF_TICK',
    ],
    [
      'a size below the minimum denomination',
      () => ({ noteId: notes['B']!.id, side: 'buy', price: '99', quantity: '50000' }),
      'investor1',
      422,
      'BELOW_MIN_DENOMINATION',
    ],
    [
      'a size off the increment',
      () => ({ noteId: notes['B']!.id, side: 'buy', price: '99', quantity: '100500' }),
      'investor1',
      422,
      'OFF_INCREMENT',
    ],
    [
      'more than the available cash',
      () => ({ noteId: notes['B']!.id, side: 'buy', price: '100', quantity: '50000000' }),
      'investor1',
      422,
      'INSUFFICIENT_FUNDS',
    ],
    [
      'a price far from the last trade (issue 15 item 7)',
      () => ({ noteId: notes['B']!.id, side: 'buy', price: '150', quantity: '100000' }),
      'investor1',
      422,
      'PRICE_OUTSIDE_BAND',
    ],
    [
      'a short sale',
      () => ({ noteId: notes['C']!.id, side: 'sell', price: '99', quantity: '100000' }),
      'investor1',
      422,
      'INSUFFICIENT_POSITION',
    ],
    [
      'an unknown note',
      () => ({ noteId: '00000000-0000-4000-8000-000000000000', side: 'buy', price: '99', quantity: '100000' }),
      'investor1',
      404,
      'NOTE_NOT_FOUND',
    ],
    [
      'a price as a JSON number',
      () => ({ noteId: notes['B']!.id, side: 'buy', price: 99, quantity: '100000' }),
      'investor1',
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a market order with a price',
      () => ({ noteId: notes['B']!.id, side: 'buy', type: 'market', timeInForce: 'IOC', price: '99', quantity: '100000' }),
      'investor1',
      400,
      'VALIDATION_FAILED',
    ],
    ['a zero quantity', () => ({ noteId: notes['B']!.id, side: 'buy', price: '99', quantity: '0' }), 'investor1', 400, 'VALIDATION_FAILED'],
    [
      'a post-only order that would take',
      () => ({ noteId: notes['B']!.id, side: 'sell', price: '99', quantity: '100000', postOnly: true }),
      'dealer2',
      422,
      'POST_ONLY_WOULD_TAKE',
    ],
  ];
  for (const [name, order, username, status, code] of cases) {
    it(`rejects ${name} with ${status} ${code}`, async () => {
      const before = await state();
      const response = await place(username, order());
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(await state()).toEqual(before);
    });
  }

  it('refuses orders from back office and operators', async () => {
    expect((await place('backoffice1', { noteId: notes['B']!.id, side: 'buy', price: '99', quantity: '100000' })).status).toBe(403);
  });

  it('refuses orders on a halted note and accepts them again after resume', async () => {
    const noteId = notes['C']!.id;
    await t.http
      .post(`/api/v1/notes/${noteId}/halt`)
      .set(await auth('operator1'))
      .expect(200);
    const halted = await place('investor1', { noteId, side: 'buy', price: '95', quantity: '100000' });
    expect(halted.status).toBe(422);
    expect(halted.body.error.code).toBe('NOTE_HALTED');
    await t.http
      .post(`/api/v1/notes/${noteId}/resume`)
      .set(await auth('operator1'))
      .expect(200);
    expect((await place('investor1', { noteId, side: 'buy', price: '95', quantity: '100000' })).status).toBe(201);
  });

  it("hides another party's order: cancel and replace answer 404", async () => {
    const mine = await place('investor1', { noteId: notes['C']!.id, side: 'buy', price: '94', quantity: '100000' });
    const before = await state();
    for (const request of [
      t.http.delete(`/api/v1/orders/${mine.body.order.id}`).set(await auth('investor2')),
      t.http
        .patch(`/api/v1/orders/${mine.body.order.id}`)
        .set(await auth('dealer1'))
        .send({ quantity: '200000' }),
      t.http.get(`/api/v1/orders/${mine.body.order.id}`).set(await auth('investor2')),
    ]) {
      const response = await request;
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ORDER_NOT_FOUND');
    }
    expect(await state()).toEqual(before);
  });
});

describe('cancel and cancel/replace', () => {
  it('releases the hold on cancel', async () => {
    const before = await cash('investor2');
    const order = await place('investor2', { noteId: notes['Senior']!.id, side: 'buy', price: '98.5', quantity: '500000' });
    expect(new Decimal((await cash('investor2')).held).gt(before.held)).toBe(true);
    const cancelled = await t.http
      .delete(`/api/v1/orders/${order.body.order.id}`)
      .set(await auth('investor2'))
      .expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledQuantity: '500000', leavesQuantity: '0' });
    expect(await cash('investor2')).toEqual(before);
    const again = await t.http.delete(`/api/v1/orders/${order.body.order.id}`).set(await auth('investor2'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WRONG_STATE');
  });

  it('keeps time priority on a size decrease and loses it on a price change', async () => {
    const noteId = notes['Senior']!.id;
    const first = await place('investor1', { noteId, side: 'buy', price: '97', quantity: '300000' });
    expect(first.body.error).toBeUndefined();
    const second = await place('investor2', { noteId, side: 'buy', price: '97', quantity: '300000' });
    await t.http
      .patch(`/api/v1/orders/${first.body.order.id}`)
      .set(await auth('investor1'))
      .send({ quantity: '200000' })
      .expect(200);
    let sell = await place('dealer1', { noteId, side: 'sell', price: '97', quantity: '100000', timeInForce: 'IOC' });
    expect(sell.body.fills[0].orderId).toBe(sell.body.order.id);
    let executions = (await t.http.get(`/api/v1/executions?noteId=${noteId}`).set(await auth('investor1'))).body;
    expect(executions).toHaveLength(1);

    await t.http
      .patch(`/api/v1/orders/${first.body.order.id}`)
      .set(await auth('investor1'))
      .send({ price: '97.5' })
      .expect(200);
    await t.http
      .patch(`/api/v1/orders/${first.body.order.id}`)
      .set(await auth('investor1'))
      .send({ price: '97' })
      .expect(200);
    sell = await place('dealer1', { noteId, side: 'sell', price: '97', quantity: '100000', timeInForce: 'IOC' });
    const investor2Fills = (await t.http.get(`/api/v1/executions?noteId=${noteId}`).set(await auth('investor2'))).body;
    expect(investor2Fills).toHaveLength(1);
    expect(investor2Fills[0].orderId).toBe(second.body.order.id);
    executions = (await t.http.get(`/api/v1/executions?noteId=${noteId}`).set(await auth('investor1'))).body;
    expect(executions).toHaveLength(1);
  });
});

describe('dealer quotes', () => {
  it('replaces quotes atomically, trades against them, and pulls them', async () => {
    const noteId = notes['A-2']!.id;
    const put = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId, bidPrice: '99', bidSize: '1000000', askPrice: '101', askSize: '1000000' }] })
      .expect(200);
    expect(put.body.quotes).toHaveLength(2);
    await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId, bidPrice: '99.5', bidSize: '1000000', askPrice: '100.5', askSize: '500000' }] })
      .expect(200);
    const current = await book(noteId);
    expect(current.bids[0]).toEqual({ price: '99.5', quantity: '1000000', orders: 1 });
    expect(current.asks[0]).toEqual({ price: '100.5', quantity: '500000', orders: 1 });

    const crossed = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId, bidPrice: '101', bidSize: '100000', askPrice: '100', askSize: '100000' }] });
    expect(crossed.status).toBe(422);
    expect(crossed.body.error.code).toBe('QUOTE_CROSSED');
    expect(await book(noteId)).toEqual(current);

    const lift = await place('investor2', { noteId, side: 'buy', type: 'market', timeInForce: 'IOC', quantity: '200000' });
    expect(lift.status).toBe(201);
    expect(lift.body.fills[0]).toMatchObject({ price: '100.5', quantity: '200000' });

    await t.http
      .delete('/api/v1/quotes')
      .set(await auth('dealer1'))
      .expect(200);
    const after = await book(noteId);
    expect(after.bids.find((l: { price: string }) => l.price === '99.5')).toBeUndefined();
    expect(after.asks.find((l: { price: string }) => l.price === '100.5')).toBeUndefined();
  });

  it('lets a dealer decide whether its quote may take: postOnly refuses a crossing quote, the default trades as taker (issue 15 item 9)', async () => {
    const noteId = notes['C']!.id;
    await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId, bidPrice: '96', bidSize: '100000', askPrice: '97.5', askSize: '100000' }] })
      .expect(200);
    const before = await book(noteId);
    // dealer2's bid at 97.5 reaches dealer1's ask: with postOnly the whole request is refused, nothing changes.
    const refused = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({ postOnly: true, quotes: [{ noteId, bidPrice: '97.5', bidSize: '100000', askPrice: '99', askSize: '100000' }] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('POST_ONLY_WOULD_TAKE');
    expect(refused.body.error.details).toMatchObject({ noteId, side: 'buy', price: '97.5', bestOpposite: '97.5' });
    expect(await book(noteId)).toEqual(before);
    // Its own quote being replaced does not count: dealer1 may move its bid up to where its old ask was.
    await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ postOnly: true, quotes: [{ noteId, bidPrice: '97.5', bidSize: '100000', askPrice: '98', askSize: '100000' }] })
      .expect(200);
    // Without postOnly (the default) the same kind of quote trades as taker, as before.
    const taker = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer2'))
      .send({ quotes: [{ noteId, bidPrice: '98', bidSize: '100000', askPrice: '99', askSize: '100000' }] })
      .expect(200);
    expect(taker.body.fills[0]).toMatchObject({ side: 'buy', price: '98', liquidity: 'taker' });
    await t.http
      .delete('/api/v1/quotes')
      .set(await auth('dealer1'))
      .expect(200);
    await t.http
      .delete('/api/v1/quotes')
      .set(await auth('dealer2'))
      .expect(200);
  });

  it('refuses quotes to investors', async () => {
    const response = await t.http
      .put('/api/v1/quotes')
      .set(await auth('investor1'))
      .send({ quotes: [{ noteId: notes['B']!.id, bidPrice: '99', bidSize: '100000', askSize: '0' }] });
    expect(response.status).toBe(403);
  });
});

describe('end of day', () => {
  it('expires DAY orders on the roll and releases their holds', async () => {
    const noteId = notes['Senior']!.id;
    const day = await place('investor2', { noteId, side: 'buy', price: '90', quantity: '100000', timeInForce: 'DAY' });
    expect(day.status).toBe(201);
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('operator1'))
      .expect(200);
    const order = (await t.http.get(`/api/v1/orders/${day.body.order.id}`).set(await auth('investor2'))).body;
    expect(order.status).toBe('expired');
    const hold = await t.database
      .knex('ledger_holds')
      .where({ reference: `order:${day.body.order.id}` })
      .first();
    expect(hold.status).toBe('released');
  });
});

describe('books and ledger agree', () => {
  it("keeps every account's held equal to its active holds, and postings balanced", async () => {
    const rows = await t.database.knex.raw(`
      select a.id, a.held, coalesce(sum(h.remaining) filter (where h.status = 'active'), 0) as holds
        from ledger_accounts a left join ledger_holds h on h.account_id = a.id group by a.id, a.held`);
    for (const row of rows.rows) expect(new Decimal(row.held).eq(row.holds)).toBe(true);
    const open = await t.database.knex('orders').whereIn('status', ['new', 'partially_filled']).count<{ count: string }[]>('* as count');
    const resting = await Promise.all(Object.values(notes).map((n) => book(n.id)));
    const ordersInBooks = resting.flatMap((b) => [...b.bids, ...b.asks]).reduce((sum, level) => sum + level.orders, 0);
    expect(ordersInBooks).toBe(Number(open[0]!.count));
  });
});
