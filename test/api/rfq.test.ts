/** RFQ round trips through HTTP: ask, answer, accept, expire, outcomes, and bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { expireRfqs, RFQ_EXPIRY_GRACE_MS } from '../../server/rfq/store.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

const clock = new ManualClock(new Date('2026-11-23T15:00:00Z'));
let t: TestService;
let notes: Record<string, { id: string }>;
const party: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestService({ clock });
  notes = Object.fromEntries(
    (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body.map((n: { className: string }) => [n.className, n]),
  );
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2']) {
    party[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  }
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function ask(body: Record<string, unknown>, username = 'investor1') {
  return t.http
    .post('/api/v1/rfqs')
    .set(await auth(username))
    .send({ noteId: notes['A-2']!.id, side: 'buy', quantity: '1000000', ...body });
}

async function answer(rfqId: string, username: string, price: string, validForSeconds = 30) {
  return t.http
    .post(`/api/v1/rfqs/${rfqId}/responses`)
    .set(await auth(username))
    .send({ price, validForSeconds });
}

const ledger = async () => t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held');

describe('an RFQ round trip', () => {
  it('asks two dealers, takes the best answer, records done and covered', async () => {
    const rfq = (
      await ask({ dealerPartyIds: [party.dealer1, party.dealer2] }).then((r) => {
        expect(r.status).toBe(201);
        return r;
      })
    ).body;
    const seenByDealer = (await t.http.get('/api/v1/rfqs?status=open').set(await auth('dealer2'))).body;
    expect(seenByDealer.map((r: { id: string }) => r.id)).toContain(rfq.id);
    expect(seenByDealer[0].dealerPartyIds).toBeUndefined();

    await answer(rfq.id, 'dealer1', '100.25').then((r) => expect(r.status).toBe(201));
    const best = (await answer(rfq.id, 'dealer2', '100.125')).body;
    const withAnswers = (await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('investor1'))).body;
    expect(withAnswers.responses.map((r: { price: string }) => r.price).sort()).toEqual(['100.125', '100.25']);
    const dealer1View = (await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('dealer1'))).body;
    expect(dealer1View.responses).toHaveLength(1);

    const accepted = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor1'))
      .send({ responseId: best.id });
    expect(accepted.status).toBe(200);
    expect(accepted.body.trade).toMatchObject({
      side: 'buy',
      price: '100.125',
      quantity: '1000000',
      venue: 'rfq',
      liquidity: 'taker',
      factor: '0.9875',
    });
    const dealerFill = (await t.http.get('/api/v1/executions').set(await auth('dealer2'))).body[0];
    expect(dealerFill).toMatchObject({ tradeId: accepted.body.trade.tradeId, side: 'sell', liquidity: 'maker' });
    const tape = (await t.http.get(`/api/v1/trades?noteId=${notes['A-2']!.id}`).set(await auth('investor2'))).body;
    expect(tape[0].id).toBe(accepted.body.trade.tradeId);

    const done = (await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('investor1'))).body;
    expect(done.status).toBe('done');
    const stats = (await t.http.get('/api/v1/rfq-statistics').set(await auth('backoffice1'))).body;
    expect(stats.find((s: { dealerPartyId: string }) => s.dealerPartyId === party.dealer2)).toMatchObject({ done: 1, hitRatio: '1' });
    expect(stats.find((s: { dealerPartyId: string }) => s.dealerPartyId === party.dealer1)).toMatchObject({ covered: 1, hitRatio: '0' });

    const again = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor1'))
      .send({ responseId: best.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WRONG_STATE');
  });
});

describe('time limits', () => {
  it('refuses an answer that has expired and changes nothing', async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1] })).body;
    const quick = (await answer(rfq.id, 'dealer1', '100.5', 2)).body;
    clock.advance(3_000);
    const before = await ledger();
    const late = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor1'))
      .send({ responseId: quick.id });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('RESPONSE_EXPIRED');
    expect(await ledger()).toEqual(before);
  });

  it('expires an RFQ nobody took and records the outcomes', async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1, party.dealer2], expiresInSeconds: 10 })).body;
    await answer(rfq.id, 'dealer1', '100.75');
    clock.advance(10_000 + RFQ_EXPIRY_GRACE_MS + 1);
    expect((await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('investor1'))).body.status).toBe('expired');
    expect((await answer(rfq.id, 'dealer2', '100.5')).body.error.code).toBe('RFQ_EXPIRED');
    await expireRfqs(t.database.knex, clock.now());
    const outcomes = await t.database
      .knex('rfq_outcomes')
      .where({ rfq_id: rfq.id })
      .orderBy('outcome')
      .select('dealer_party_id', 'outcome');
    expect(outcomes).toEqual([
      { dealer_party_id: party.dealer1, outcome: 'expired' },
      { dealer_party_id: party.dealer2, outcome: 'no_response' },
    ]);
  });
});

describe('issue 15: what a desk notices', () => {
  it('says RFQ_EXPIRED past the expiry whether or not the expiry sweep ran first', async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1, party.dealer2], expiresInSeconds: 10 })).body;
    const early = (await answer(rfq.id, 'dealer1', '100.75')).body;
    clock.advance(10_000 + RFQ_EXPIRY_GRACE_MS + 1);
    await expireRfqs(t.database.knex, clock.now()); // the sweep wins the race
    const late = await answer(rfq.id, 'dealer2', '100.5');
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('RFQ_EXPIRED');
    const accept = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor1'))
      .send({ responseId: early.id });
    expect(accept.body.error.code).toBe('RFQ_EXPIRED');
  });

  it('lists executions newest first by execution time, an RFQ trade after a CLOB trade included', async () => {
    const b = notes['B']!.id;
    await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer2'))
      .send({ clOrdId: 'exec-order-1', noteId: b, side: 'sell', type: 'limit', price: '100', quantity: '100000', timeInForce: 'GTC' });
    const clob = (
      await t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send({ clOrdId: 'exec-order-2', noteId: b, side: 'buy', type: 'limit', price: '100', quantity: '100000', timeInForce: 'IOC' })
    ).body.fills[0];
    clock.advance(1_000);
    const rfq = (await ask({ noteId: b, dealerPartyIds: [party.dealer2], quantity: '100000' }, 'investor2')).body;
    const quote = (await answer(rfq.id, 'dealer2', '100')).body;
    const rfqTrade = (
      await t.http
        .post(`/api/v1/rfqs/${rfq.id}/accept`)
        .set(await auth('investor2'))
        .send({ responseId: quote.id })
    ).body.trade;
    for (const user of ['investor2', 'dealer2']) {
      const executions = (await t.http.get('/api/v1/executions').set(await auth(user))).body as { tradeId: string; executedAt: string }[];
      expect(executions.slice(0, 2).map((e) => e.tradeId)).toEqual([rfqTrade.tradeId, clob.tradeId]);
      const times = executions.map((e) => e.executedAt);
      expect(times).toEqual([...times].sort().reverse());
    }
  });

  it('answers rfq-statistics with camelCase keys only', async () => {
    const stats = (await t.http.get('/api/v1/rfq-statistics').set(await auth('backoffice1'))).body as Record<string, unknown>[];
    expect(stats.length).toBeGreaterThan(0);
    for (const row of stats) {
      expect(Object.keys(row).sort()).toEqual([
        'answered',
        'covered',
        'dealerPartyId',
        'declined',
        'done',
        'expired',
        'hitRatio',
        'noResponse',
        'notChosen',
        'received',
      ]);
    }
  });
});

describe('a dealer declines (issue 19)', () => {
  it('takes a decline back with a new answer (a 500 the fuzz suite found: the replaced decline broke a check)', async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1, party.dealer2] })).body;
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer2'))
      .send({ reason: 'no axe' })
      .expect(201);
    const again = await answer(rfq.id, 'dealer2', '100.5');
    expect(again.status).toBe(201);
    // The investor now sees the answer only; the decline is replaced, and a second decline replaces the answer.
    const seen = (await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('investor1'))).body;
    expect(seen.responses).toEqual([expect.objectContaining({ dealerPartyId: party.dealer2, status: 'open', price: '100.5' })]);
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer2'))
      .send({})
      .expect(201);
    const rows = await t.database.knex('rfq_responses').where({ rfq_id: rfq.id }).orderBy('created_at').select('status', 'price', 'reason');
    expect(rows.map((r) => [r.status, r.price === null ? null : new Decimal(r.price).toFixed(), r.reason])).toEqual([
      ['replaced', null, 'no axe'],
      ['replaced', '100.5', null],
      ['declined', null, null],
    ]);
  });

  const statsOf = async (username: string) => (await t.http.get('/api/v1/rfq-statistics').set(await auth(username))).body[0];

  it("withdraws the dealer's answer, shows the decline with its reason, and records the outcome", async () => {
    const before = await statsOf('dealer2');
    const rfq = (await ask({ dealerPartyIds: [party.dealer1, party.dealer2] })).body;
    const firstAnswer = (await answer(rfq.id, 'dealer2', '100.5')).body;
    const declined = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer2'))
      .send({ reason: 'no axe' });
    expect(declined.status).toBe(201);
    expect(declined.body).toMatchObject({ dealerPartyId: party.dealer2, price: null, status: 'declined', reason: 'no axe' });
    // The investor sees the decline, not the withdrawn answer; the other dealer sees neither.
    const seen = (await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('investor1'))).body;
    expect(seen.responses).toEqual([
      expect.objectContaining({ dealerPartyId: party.dealer2, status: 'declined', reason: 'no axe', price: null }),
    ]);
    expect((await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('dealer1'))).body.responses).toEqual([]);
    // The withdrawn answer cannot be taken, nor the decline itself.
    for (const responseId of [firstAnswer.id, declined.body.id]) {
      const taken = await t.http
        .post(`/api/v1/rfqs/${rfq.id}/accept`)
        .set(await auth('investor1'))
        .send({ responseId });
      expect([taken.status, taken.body.error.code]).toEqual([404, 'RESPONSE_NOT_FOUND']);
    }
    // dealer1 answers and is taken: dealer2's outcome is declined, not covered or no_response.
    const winner = (await answer(rfq.id, 'dealer1', '100.75')).body;
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor1'))
      .send({ responseId: winner.id })
      .expect(200);
    const outcomes = await t.database
      .knex('rfq_outcomes')
      .where({ rfq_id: rfq.id })
      .orderBy('outcome')
      .select('dealer_party_id', 'outcome');
    expect(outcomes).toEqual([
      { dealer_party_id: party.dealer2, outcome: 'declined' },
      { dealer_party_id: party.dealer1, outcome: 'done' },
    ]);
    const after = await statsOf('dealer2');
    // One more RFQ received, one more declined, no more answered.
    expect(after.declined).toBe((before?.declined ?? 0) + 1);
    expect(after.received).toBe((before?.received ?? 0) + 1);
    expect(after.answered).toBe(before?.answered ?? 0);
  });

  it('refuses a dealer the RFQ was not sent to, a closed RFQ, a bad reason, and changes nothing', async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1] })).body;
    const rows = async () => t.database.knex('rfq_responses').where({ rfq_id: rfq.id }).count<{ count: string }[]>('* as count');
    const other = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer2'))
      .send({});
    expect([other.status, other.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const investor = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('investor1'))
      .send({});
    expect(investor.status).toBe(403);
    const missing = await t.http
      .post('/api/v1/rfqs/00000000-0000-4000-8000-000000000000/decline')
      .set(await auth('dealer1'))
      .send({});
    expect([missing.status, missing.body.error.code]).toEqual([404, 'RFQ_NOT_FOUND']);
    const long = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer1'))
      .send({ reason: 'x'.repeat(501) });
    expect(long.status).toBe(400);
    expect((await rows())[0]!.count).toBe('0');
    // Without a reason; then past the expiry it is RFQ_EXPIRED.
    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer1'))
      .send({})
      .expect(201);
    clock.advance(61_000);
    const late = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/decline`)
      .set(await auth('dealer1'))
      .send({});
    expect([late.status, late.body.error.code]).toEqual([409, 'RFQ_EXPIRED']);
  });
});

describe('RFQs are checked like orders (issue 15 item 8)', () => {
  const count = async () => Number((await t.database.knex('rfqs').count<{ count: string }[]>('* as count'))[0]!.count);
  const available = async (username: string, asset: string) =>
    (await t.http.get('/api/v1/balances').set(await auth(username))).body.find((b: { asset: string }) => b.asset === asset)?.available ??
    '0';

  it('refuses a sell RFQ for more face than the requester holds, and a buy RFQ it cannot pay for', async () => {
    const before = await count();
    const sell = await ask({ noteId: notes['Senior']!.id, side: 'sell', quantity: '50000000' });
    expect(sell.status).toBe(422);
    expect(sell.body.error.code).toBe('INSUFFICIENT_POSITION');
    expect(sell.body.error.details).toMatchObject({ side: 'requester', required: '50000000', available: '0' });
    // 55,000,000 of A-2 at its reference price (the RFQ trade at 100.125 above) × factor 0.9875
    // ≈ 54.4 million plus accrued: more than investor2's 50 million of cash.
    const buy = await ask({ noteId: notes['A-2']!.id, side: 'buy', quantity: '55000000' }, 'investor2');
    expect(buy.status).toBe(422);
    expect(buy.body.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(buy.body.error.details.side).toBe('requester');
    expect(await count()).toBe(before);
  });

  it("refuses a dealer's answer it cannot honour: face it does not have, cash it does not have", async () => {
    // dealer1 holds 5,000,000 of C; investor1 asks to buy 6,000,000.
    const buyC = (await ask({ noteId: notes['C']!.id, side: 'buy', quantity: '6000000', dealerPartyIds: [party.dealer1] })).body;
    const short = await answer(buyC.id, 'dealer1', '97');
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe('INSUFFICIENT_POSITION');
    expect(short.body.error.details).toMatchObject({ side: 'dealer', required: '6000000' });
    // dealer2 left with 100,000 USD answers a sell RFQ of 1,000,000 B at 99 (net about 990,000).
    const cash = new Decimal(await available('dealer2', 'USD'));
    const withdrawal = { partyId: party.dealer2, amount: cash.minus(100000).toFixed(2), reference: 'rfq-check-out' };
    await t.http
      .post('/api/v1/cash/withdrawals')
      .set(await auth('backoffice1'))
      .send(withdrawal)
      .expect(201);
    const sellB = (await ask({ noteId: notes['B']!.id, side: 'sell', quantity: '1000000', dealerPartyIds: [party.dealer2] }, 'investor2'))
      .body;
    const poor = await answer(sellB.id, 'dealer2', '99');
    expect(poor.status).toBe(422);
    expect(poor.body.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(poor.body.error.details).toMatchObject({ side: 'dealer', available: '100000.00' });
    expect((await t.http.get(`/api/v1/rfqs/${sellB.id}`).set(await auth('investor2'))).body.responses).toEqual([]);
    await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send({ ...withdrawal, reference: 'rfq-check-in' })
      .expect(201);
  });

  it("names the side when an accept fails: the dealer's face went elsewhere after it answered", async () => {
    const rfq = (await ask({ noteId: notes['C']!.id, side: 'buy', quantity: '1000000', dealerPartyIds: [party.dealer1] }, 'investor2'))
      .body;
    const firm = (await answer(rfq.id, 'dealer1', '97')).body;
    const face = await available('dealer1', notes['C']!.id);
    await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer1'))
      .send({
        clOrdId: 'rfq-check-hold',
        noteId: notes['C']!.id,
        side: 'sell',
        type: 'limit',
        price: '99',
        quantity: face,
        timeInForce: 'GTC',
      })
      .expect(201);
    const accept = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor2'))
      .send({ responseId: firm.id });
    expect(accept.status).toBe(422);
    expect(accept.body.error.code).toBe('INSUFFICIENT_POSITION');
    expect(accept.body.error.details).toMatchObject({ side: 'dealer', required: '1000000', available: '0' });
    expect(accept.body.error.message).toContain('dealer');
  });
});

describe('bad RFQ input changes nothing', () => {
  it('refuses a dealer answering an RFQ not sent to it', async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1] })).body;
    const response = await answer(rfq.id, 'dealer2', '100');
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('FORBIDDEN');
    expect((await t.http.get(`/api/v1/rfqs/${rfq.id}`).set(await auth('dealer2'))).status).toBe(404);
  });

  it.each([
    ['an unknown note', { noteId: '00000000-0000-4000-8000-000000000000' }, 404, 'NOTE_NOT_FOUND'],
    ['a size off the increment', { quantity: '100500' }, 422, 'OFF_INCREMENT'],
    ['a size below the minimum denomination', { quantity: '1000' }, 422, 'BELOW_MIN_DENOMINATION'],
    ['an investor as a dealer', { dealerPartyIds: ['00000000-0000-4000-8000-000000000000'] }, 422, 'NOT_A_DEALER'],
    ['a number as quantity', { quantity: 1000000 }, 400, 'VALIDATION_FAILED'],
  ])('rejects %s', async (_name, body, status, code) => {
    const before = await t.database.knex('rfqs').count<{ count: string }[]>('* as count');
    const response = await ask(body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(await t.database.knex('rfqs').count<{ count: string }[]>('* as count')).toEqual(before);
  });

  it("refuses an off-tick answer, another investor's accept and a dealer asking", async () => {
    const rfq = (await ask({ dealerPartyIds: [party.dealer1] })).body;
    expect((await answer(rfq.id, 'dealer1', '100.001')).body.error.code).toBe('OFF_TICK');
    const good = (await answer(rfq.id, 'dealer1', '100')).body;
    const other = await t.http
      .post(`/api/v1/rfqs/${rfq.id}/accept`)
      .set(await auth('investor2'))
      .send({ responseId: good.id });
    expect(other.status).toBe(404);
    expect((await ask({}, 'dealer1')).status).toBe(403);
  });
});
