/**
 * Concurrent repeats of idempotent requests (issue 14, item 7): the same request sent 20 times at
 * once, over 20 real connections, must take effect once — exactly one caller gets the creating
 * status (201; 200 where the route's success is 200) and every other gets 200 with the same body.
 * Before the fix, on PostgreSQL several callers of the same cash reference got 201, and parallel
 * repeats of an Idempotency-Key ran the handler several times. Runs on both databases; the race
 * needs TEST_DB=postgres to show (PGlite runs one statement at a time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
const PARALLEL = 20;

beforeAll(async () => {
  // Business date 2027-02-01: a payment date of the first demo deal (collections are accepted only
  // on the deal's calendar, issue 15 item 3), so the collection race below can record and distribute.
  t = await startTestService({ clock: new ManualClock(new Date('2027-02-01T15:00:00Z')) });
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function partyId(username: string): Promise<string> {
  return (await t.http.post('/api/v1/auth/token').send({ username, password: 'demo' })).body.user.partyId;
}

/** Sends `send()` PARALLEL times at once and checks: one `created` status, the rest 200, one body. */
async function race(send: () => Promise<{ status: number; body: unknown }>, created = 201) {
  const responses = await Promise.all(Array.from({ length: PARALLEL }, send));
  const statuses = responses.map((r) => r.status).sort();
  const expected = created === 200 ? Array(PARALLEL).fill(200) : [...Array(PARALLEL - 1).fill(200), created].sort();
  expect(statuses, JSON.stringify(responses.find((r) => r.status >= 400)?.body ?? '')).toEqual(expected);
  for (const response of responses) expect(response.body).toEqual(responses[0]!.body);
  return responses[0]!.body as Record<string, any>;
}

describe('concurrent repeats take effect once', () => {
  it('cash deposits and withdrawals with the same reference', async () => {
    const investor = await partyId('investor2');
    const headers = await auth('backoffice1');
    const deposit = await race(() =>
      t.http.post('/api/v1/cash/deposits').set(headers).send({ partyId: investor, amount: '1234.56', reference: 'race-deposit' }),
    );
    const withdrawal = await race(() =>
      t.http.post('/api/v1/cash/withdrawals').set(headers).send({ partyId: investor, amount: '34.56', reference: 'race-withdrawal' }),
    );
    const entries = await t.database
      .knex('ledger_entries')
      .where('idempotency_key', 'like', `cash_%:${investor}:race-%`)
      .orderBy('id')
      .select('id');
    expect(entries.map((e: { id: string }) => String(e.id))).toEqual([deposit.entryId, withdrawal.entryId]);
    // 1,234.56 in, 34.56 out: the party's cash moved by 1,200.00 once, not once per caller.
    const moved = await t.database
      .knex('ledger_postings')
      .whereIn(
        'entry_id',
        entries.map((e: { id: string }) => e.id),
      )
      .join('ledger_accounts as a', 'a.id', 'ledger_postings.account_id')
      .where('a.party_id', investor)
      .sum({ total: 'amount' })
      .first();
    expect(Number(moved!.total)).toBe(1200);
  });

  it('an order with the same clOrdId', async () => {
    const notes = (await t.http.get('/api/v1/notes').set(await auth('investor2'))).body as { id: string; className: string }[];
    const noteId = notes.find((n) => n.className === 'C')!.id;
    const headers = await auth('investor2');
    const body = await race(() =>
      t.http
        .post('/api/v1/orders')
        .set(headers)
        .send({ clOrdId: 'race-order', noteId, side: 'buy', type: 'limit', price: '90', quantity: '100000' }),
    );
    const rows = await t.database.knex('orders').where({ cl_ord_id: 'race-order' }).select('id');
    expect(rows.map((r: { id: string }) => r.id)).toEqual([body.order.id]);
  });

  it('an Idempotency-Key route (parties): the handler runs once', async () => {
    const headers = { ...(await auth('operator1')), 'idempotency-key': 'race-party' };
    const party = await race(() => t.http.post('/api/v1/parties').set(headers).send({ name: 'Race Capital LLC', kind: 'investor' }));
    const rows = await t.database.knex('parties').where({ name: 'Race Capital LLC' }).select('id');
    expect(rows.map((r: { id: string }) => r.id)).toEqual([party.id]);
    // The same key with another body is still a conflict.
    const other = await t.http.post('/api/v1/parties').set(headers).send({ name: 'Other Race LLC', kind: 'investor' });
    expect([other.status, other.body.error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
  });

  it('a settlement run under one Idempotency-Key runs once', async () => {
    const { businessDate } = (await t.http.get('/api/v1/business-date').set(await auth('backoffice1'))).body;
    const before = await t.database.knex('settlement_runs').count({ n: '*' }).first();
    const headers = { ...(await auth('backoffice1')), 'idempotency-key': 'race-run' };
    await race(() => t.http.post('/api/v1/settlements/run').set(headers).send({ date: businessDate }), 200);
    const after = await t.database.knex('settlement_runs').count({ n: '*' }).first();
    expect(Number(after!.n)).toBe(Number(before!.n) + 1);
  });

  it('a collection with the same reference, and a distribution for the same payment date', async () => {
    const { businessDate } = (await t.http.get('/api/v1/business-date').set(await auth('backoffice1'))).body;
    const deal = (await t.http.get('/api/v1/deals').set(await auth('backoffice1'))).body[0];
    const headers = await auth('backoffice1');
    const collection = await race(() =>
      t.http.post(`/api/v1/deals/${deal.id}/collections`).set(headers).send({
        reference: 'race-collection',
        paymentDate: businessDate, // the collection period is derived from the deal's calendar
        revenue: '2500000.00',
        operatingCosts: '100000.00',
        utilization: '90',
        uptime: '99.9',
        powerCost: '50000.00',
      }),
    );
    expect(collection.reference).toBe('race-collection');
    expect(await t.database.knex('servicing_collections').where({ reference: 'race-collection' }).select('id')).toHaveLength(1);
    await race(() => t.http.post(`/api/v1/deals/${deal.id}/distributions`).set(headers).send({ paymentDate: businessDate }));
    expect(await t.database.knex('distributions').where({ deal_id: deal.id, payment_date: businessDate }).select('id')).toHaveLength(1);
  });
});
