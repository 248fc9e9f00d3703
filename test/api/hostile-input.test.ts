/**
 * Hostile input at the edge (issue 14, items 2a, 3, 4 and 6): every malformed or oversized value
 * gets a 4xx with a stable code naming the field, on REST and on the WebSocket order ops alike,
 * and changes nothing; a well-behaved order in the same tick as a poison one is unaffected.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../server/auth/tokens.js';
import { Decimal } from '../../server/domain/decimal.js';
import { Probe, startWsService, type WsTestService } from '../ws/support.js';

let t: WsTestService;
let notes: Record<string, string>;
let dealId: string;
let counter = 0;
const THIRTY_ONE_DIGITS = `1${'0'.repeat(30)}`; // a multiple of every tick and increment, far beyond safe integers

beforeAll(async () => {
  t = await startWsService();
  notes = await t.notes();
  dealId = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body[0].id;
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function ledgerState() {
  await t.service.services.sequencer!.idle();
  const rows: { id: string; total: string; held: string }[] = await t.database
    .knex('ledger_accounts')
    .orderBy('id')
    .select('id', 'total', 'held');
  const balances = rows.map((r) => ({ id: String(r.id), total: new Decimal(r.total).toFixed(), held: new Decimal(r.held).toFixed() }));
  const entries = await t.database.knex('ledger_entries').count({ n: '*' }).first();
  const orders = await t.database.knex('orders').whereNot({ status: 'rejected' }).count({ n: '*' }).first();
  const rfqs = await t.database.knex('rfqs').count({ n: '*' }).first();
  return { balances, entries, orders, rfqs };
}

function order(extra: Record<string, unknown>) {
  counter += 1;
  return {
    clOrdId: `hostile-${counter}`,
    noteId: notes['B'],
    side: 'buy',
    type: 'limit',
    price: '95',
    quantity: '100000',
    timeInForce: 'GTC',
    ...extra,
  };
}

describe('item 2: magnitudes are bounded at the edge', () => {
  it('refuses a 31-digit quantity (ORDER_FACE_TOO_LARGE) or price (PRICE_OUT_OF_BAND) with 422, and a good order in the same tick still trades', async () => {
    const before = await ledgerState();
    const [bigQuantity, bigPrice, good] = await Promise.all([
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor1'))
        .send(order({ quantity: THIRTY_ONE_DIGITS })),
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor1'))
        .send(order({ price: THIRTY_ONE_DIGITS })),
      t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send(order({ price: '90' })),
    ]);
    expect(bigQuantity.status).toBe(422);
    expect(bigQuantity.body.error).toMatchObject({
      code: 'ORDER_FACE_TOO_LARGE',
      details: { field: 'quantity', maxOrderFace: '120000000' },
    });
    expect(bigPrice.status).toBe(422);
    expect(bigPrice.body.error).toMatchObject({ code: 'PRICE_OUT_OF_BAND', details: { field: 'price' } });
    expect(good.status).toBe(201);
    await t.http
      .delete(`/api/v1/orders/${good.body.order.id}`)
      .set(await auth('investor2'))
      .expect(200);
    expect((await ledgerState()).balances).toEqual(before.balances);
  });

  it('defaults the maximum order face to the original face: one increment above it is refused at the edge', async () => {
    // Class B: original face 120,000,000 (server/demo/market.ts), increment 1,000.
    const above = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor1'))
      .send(order({ quantity: '120001000' }));
    expect(above.body.error.code).toBe('ORDER_FACE_TOO_LARGE');
    // At the maximum the edge lets it through; the party's risk limit (50,000,000 per order) refuses it.
    const at = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor1'))
      .send(order({ quantity: '120000000' }));
    expect(at.body.error.code).toBe('RISK_LIMIT_EXCEEDED');
  });

  it('bounds PATCH /orders/:id, PUT /quotes, RFQs and their answers the same way', async () => {
    const resting = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor1'))
      .send(order({ price: '80' }));
    expect(resting.status).toBe(201);
    const id = resting.body.order.id;
    const before = await ledgerState();
    const patchQuantity = await t.http
      .patch(`/api/v1/orders/${id}`)
      .set(await auth('investor1'))
      .send({ quantity: THIRTY_ONE_DIGITS });
    expect([patchQuantity.status, patchQuantity.body.error.code]).toEqual([422, 'ORDER_FACE_TOO_LARGE']);
    const patchPrice = await t.http
      .patch(`/api/v1/orders/${id}`)
      .set(await auth('investor1'))
      .send({ price: THIRTY_ONE_DIGITS });
    expect([patchPrice.status, patchPrice.body.error.code]).toEqual([422, 'PRICE_OUT_OF_BAND']);
    const quotes = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: notes['B'], bidPrice: '90', bidSize: THIRTY_ONE_DIGITS, askPrice: '99', askSize: '100000' }] });
    expect([quotes.status, quotes.body.error.code, quotes.body.error.details.field]).toEqual([
      422,
      'ORDER_FACE_TOO_LARGE',
      'quotes.0.bid.quantity',
    ]);
    const quotePrice = await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: notes['B'], bidPrice: '90', bidSize: '100000', askPrice: THIRTY_ONE_DIGITS, askSize: '100000' }] });
    expect([quotePrice.status, quotePrice.body.error.code]).toEqual([422, 'PRICE_OUT_OF_BAND']);
    const rfq = await t.http
      .post('/api/v1/rfqs')
      .set(await auth('investor1'))
      .send({ noteId: notes['B'], side: 'buy', quantity: THIRTY_ONE_DIGITS });
    expect([rfq.status, rfq.body.error.code]).toEqual([422, 'ORDER_FACE_TOO_LARGE']);
    const open = await t.http
      .post('/api/v1/rfqs')
      .set(await auth('investor1'))
      .send({ noteId: notes['B'], side: 'buy', quantity: '100000' });
    expect(open.status).toBe(201);
    const answer = await t.http
      .post(`/api/v1/rfqs/${open.body.id}/responses`)
      .set(await auth('dealer1'))
      .send({ price: THIRTY_ONE_DIGITS, validForSeconds: 30 });
    expect([answer.status, answer.body.error.code]).toEqual([422, 'PRICE_OUT_OF_BAND']);
    const after = await ledgerState();
    expect({ ...after, rfqs: before.rfqs }).toEqual(before);
  });

  it('bounds the WebSocket order and quotes ops with the REST answers', async () => {
    const probe = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    const before = await ledgerState();
    const reply = await probe.request({ op: 'order', id: 'big-1', order: order({ quantity: THIRTY_ONE_DIGITS }) });
    expect(reply).toMatchObject({ op: 'reply', id: 'big-1', status: 422, body: { error: { code: 'ORDER_FACE_TOO_LARGE' } } });
    const price = await probe.request({ op: 'order', id: 'big-2', order: order({ price: THIRTY_ONE_DIGITS }) });
    expect(price).toMatchObject({ status: 422, body: { error: { code: 'PRICE_OUT_OF_BAND' } } });
    probe.close();
    const dealer = await Probe.open(t.wsUrl, { token: await t.token('dealer1') });
    const quotes = await dealer.request({
      op: 'quotes',
      id: 'q',
      quotes: [{ noteId: notes['B'], bidPrice: '90', bidSize: THIRTY_ONE_DIGITS, askPrice: '99', askSize: '100000' }],
    });
    expect(quotes).toMatchObject({ status: 422, body: { error: { code: 'ORDER_FACE_TOO_LARGE' } } });
    dealer.close();
    expect(await ledgerState()).toEqual(before);
  });
});

/** Decimal text that is not the wire's decimal format: each must be 400 VALIDATION_FAILED naming its field. */
const MALFORMED_DECIMALS = [
  'abc',
  ' 100000',
  '100000 ',
  '１０００００',
  '100,000',
  '1e5',
  '1E+5',
  '+100000',
  '.5',
  '5.',
  '0x10',
  'NaN',
  'Infinity',
  '',
  '1_000',
  '١٠٠٠٠٠',
  '100000\n',
  '1.2.3',
  '--1',
];

describe('item 3: malformed decimal strings', () => {
  type Case = { name: string; field: string; send: (value: string) => Promise<{ status: number; body: any }> };
  const cases: Case[] = [
    {
      name: 'POST /orders price',
      field: 'price',
      send: async (v) =>
        t.http
          .post('/api/v1/orders')
          .set(await auth('investor1'))
          .send(order({ price: v })),
    },
    {
      name: 'POST /orders quantity',
      field: 'quantity',
      send: async (v) =>
        t.http
          .post('/api/v1/orders')
          .set(await auth('investor1'))
          .send(order({ quantity: v })),
    },
    {
      name: 'PATCH /orders/:id quantity',
      field: 'quantity',
      send: async (v) =>
        t.http
          .patch('/api/v1/orders/00000000-0000-4000-8000-000000000000')
          .set(await auth('investor1'))
          .send({ quantity: v }),
    },
    {
      name: 'PUT /quotes askSize',
      field: 'quotes.0.askSize',
      send: async (v) =>
        t.http
          .put('/api/v1/quotes')
          .set(await auth('dealer1'))
          .send({ quotes: [{ noteId: notes['B'], bidSize: '0', askPrice: '99', askSize: v }] }),
    },
    {
      name: 'POST /rfqs quantity',
      field: 'quantity',
      send: async (v) =>
        t.http
          .post('/api/v1/rfqs')
          .set(await auth('investor1'))
          .send({ noteId: notes['B'], side: 'buy', quantity: v }),
    },
    {
      name: 'POST /rfqs/:id/responses price',
      field: 'price',
      send: async (v) =>
        t.http
          .post('/api/v1/rfqs/00000000-0000-4000-8000-000000000000/responses')
          .set(await auth('dealer1'))
          .send({ price: v, validForSeconds: 5 }),
    },
    {
      name: 'POST /cash/deposits amount',
      field: 'amount',
      send: async (v) =>
        t.http
          .post('/api/v1/cash/deposits')
          .set(await auth('backoffice1'))
          .send({ partyId: await t.partyId('investor1'), amount: v, reference: `dep-${counter++}` }),
    },
    {
      name: 'POST /cash/withdrawals amount',
      field: 'amount',
      send: async (v) =>
        t.http
          .post('/api/v1/cash/withdrawals')
          .set(await auth('backoffice1'))
          .send({ partyId: await t.partyId('investor1'), amount: v, reference: `wd-${counter++}` }),
    },
    {
      name: 'POST /deals/:id/collections utilization',
      field: 'utilization',
      send: async (v) =>
        t.http
          .post(`/api/v1/deals/${dealId}/collections`)
          .set(await auth('backoffice1'))
          .send({
            reference: `col-${counter++}`,
            paymentDate: '2026-12-15',
            periodStart: '2026-11-15',
            periodEnd: '2026-12-14',
            revenue: '1000.00',
            operatingCosts: '0',
            utilization: v,
            uptime: '99',
            powerCost: '0',
          }),
    },
    { name: 'WebSocket order op price', field: 'price', send: async (v) => wsOrder(order({ price: v })) },
  ];

  async function wsOrder(body: unknown) {
    const probe = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    try {
      const reply = await probe.request({ op: 'order', id: 'malformed', order: body });
      return { status: reply.status as number, body: reply.body };
    } finally {
      probe.close();
    }
  }

  for (const c of cases) {
    it(`${c.name}: 400 VALIDATION_FAILED naming the field, nothing changes`, async () => {
      const before = await ledgerState();
      for (const value of MALFORMED_DECIMALS) {
        const response = await c.send(value);
        expect(response.status, `${c.name} ${JSON.stringify(value)}`).toBe(400);
        expect(response.body.error.code).toBe('VALIDATION_FAILED');
        expect(response.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(c.field);
        expect(response.body.error.message).toContain(c.field);
      }
      expect(await ledgerState()).toEqual(before);
    });
  }
});

/** A raw HTTP request, so that the bytes sent are exactly these (supertest re-encodes buffers). */
function raw(method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${t.url}${path}`,
      { method, headers: { ...headers, 'content-length': String(body.length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('item 4: other malformed requests', () => {
  const login = JSON.stringify({ username: 'investor1', password: 'demo' });

  it('a gzip or br body that does not decompress is 400 MALFORMED_BODY; a real gzip body still works', async () => {
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const response = await raw(
        'POST',
        '/api/v1/auth/token',
        { 'content-type': 'application/json', 'content-encoding': encoding },
        Buffer.from('this is not compressed'),
      );
      expect(response.status, encoding).toBe(400);
      expect(response.body.error.code).toBe('MALFORMED_BODY');
    }
    const truncated = zlib.gzipSync(login).subarray(0, 12);
    expect(
      (await raw('POST', '/api/v1/auth/token', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, truncated)).body.error
        .code,
    ).toBe('MALFORMED_BODY');
    const good = await raw(
      'POST',
      '/api/v1/auth/token',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      zlib.gzipSync(login),
    );
    expect(good.status).toBe(200);
  });

  it('a JSON body that is not UTF-8 is 415, on the lean path and on the Express path', async () => {
    const latin1 = Buffer.from('{"username":"investor1","password":"d\xe9mo"}', 'latin1');
    const lean = await raw('POST', '/api/v1/auth/token', { 'content-type': 'application/json' }, latin1);
    expect([lean.status, lean.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    // A trailing slash sends the request through Express (dispatch.ts declines it).
    const express = await raw('POST', '/api/v1/auth/token/', { 'content-type': 'application/json' }, latin1);
    expect([express.status, express.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const overlong = await raw(
      'POST',
      '/api/v1/auth/token',
      { 'content-type': 'application/json' },
      Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]),
    );
    expect(overlong.status).toBe(415);
  });

  it('text with a NUL character (which PostgreSQL text cannot hold) is 400 VALIDATION_FAILED naming the field, found by the fuzz suite', async () => {
    const login = await t.http.post('/api/v1/auth/token').send({ username: 'investor1\u0000', password: 'demo' });
    expect([login.status, login.body.error.code, login.body.error.details.issues[0].path]).toEqual([400, 'VALIDATION_FAILED', 'username']);
    const deposit = await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send({ partyId: await t.partyId('investor1'), amount: '1.00', reference: 'nul\u0000ref' });
    expect([deposit.status, deposit.body.error.details.issues[0].path]).toEqual([400, 'reference']);
    const query = await t.http.get('/api/v1/balances?partyId=%00').set(await auth('backoffice1'));
    expect(query.status).toBe(400);
  });

  it('a paging id beyond bigint is 400 VALIDATION_FAILED; the largest bigint is fine', async () => {
    const beyond = await t.http.get('/api/v1/ledger/entries?before=9223372036854775808').set(await auth('backoffice1'));
    expect([beyond.status, beyond.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(beyond.body.error.message).toContain('before');
    const max = await t.http.get('/api/v1/ledger/entries?before=9223372036854775807&limit=1').set(await auth('backoffice1'));
    expect(max.status).toBe(200);
    const huge = await t.http.get(`/api/v1/ledger/entries?before=${'9'.repeat(19)}`).set(await auth('backoffice1'));
    expect(huge.status).toBe(400);
  });

  it('a correctly signed token with malformed claims is 401 UNAUTHENTICATED', async () => {
    const secret = t.service.services.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const good = { sub: '00000000-0000-4000-8000-000000000001', username: 'x', partyId: await t.partyId('investor1'), roles: ['investor'] };
    const malformed: Record<string, unknown>[] = [
      { ...good, partyId: 'not-a-uuid' },
      { ...good, sub: "1' or '1'='1" },
      { ...good, roles: [1] },
      { ...good, roles: ['superuser'] },
      { ...good, roles: 'investor' },
      { ...good, username: '' },
      { ...good, partyId: 42 },
    ];
    for (const claims of malformed) {
      const token = jwt.sign({ ...claims, iat: now, exp: now + 600 }, secret, {
        algorithm: 'HS256',
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      });
      for (const path of ['/api/v1/balances', '/api/v1/orders', '/api/v1/rfqs']) {
        const response = await t.http.get(path).set({ authorization: `Bearer ${token}` });
        expect([response.status, response.body.error.code], `${JSON.stringify(claims)} ${path}`).toEqual([401, 'UNAUTHENTICATED']);
      }
    }
  });
});

describe('item 6: an ineligible party cannot open RFQs', () => {
  it('refuses the RFQ with 422 PARTY_NOT_ELIGIBLE, as it refuses orders, and opens it again once eligible', async () => {
    const partyId = await t.partyId('investor2');
    await t.http
      .patch(`/api/v1/parties/${partyId}`)
      .set(await auth('operator1'))
      .send({ eligible: false })
      .expect(200);
    const before = await t.database.knex('rfqs').count({ n: '*' }).first();
    const rfq = await t.http
      .post('/api/v1/rfqs')
      .set(await auth('investor2'))
      .send({ noteId: notes['B'], side: 'buy', quantity: '100000' });
    expect([rfq.status, rfq.body.error.code]).toEqual([422, 'PARTY_NOT_ELIGIBLE']);
    const orderAnswer = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send(order({}));
    expect(orderAnswer.body.error.code).toBe('PARTY_NOT_ELIGIBLE');
    expect(await t.database.knex('rfqs').count({ n: '*' }).first()).toEqual(before);
    await t.http
      .patch(`/api/v1/parties/${partyId}`)
      .set(await auth('operator1'))
      .send({ eligible: true })
      .expect(200);
    const again = await t.http
      .post('/api/v1/rfqs')
      .set(await auth('investor2'))
      .send({ noteId: notes['B'], side: 'buy', quantity: '100000' });
    expect(again.status).toBe(201);
  });
});
