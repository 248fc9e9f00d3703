/**
 * Cash, balances and journal entries through HTTP, with party scoping, and the rule that bad input
 * changes nothing: every rejection is checked against the balances before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let investor1: string;
let investor2: string;
beforeAll(async () => {
  t = await startTestService();
  investor1 = (await t.http.post('/api/v1/auth/token').send({ username: 'investor1', password: 'demo' })).body.user.partyId;
  investor2 = (await t.http.post('/api/v1/auth/token').send({ username: 'investor2', password: 'demo' })).body.user.partyId;
});
afterAll(async () => t.close());

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
const allBalances = async () => t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held');
const entryCount = async () => (await t.database.knex('ledger_entries').count<{ count: string }[]>('* as count'))[0]?.count;

describe('balances', () => {
  it('shows a party its cash and note positions from the demo seed', async () => {
    const response = await t.http
      .get('/api/v1/balances')
      .set(await auth('investor1'))
      .expect(200);
    expect(response.body[0]).toEqual({ asset: 'USD', total: '50000000.00', held: '0.00', available: '50000000.00' });
    expect(response.body).toHaveLength(2);
    expect(response.body[1]).toMatchObject({ total: '5000000', available: '5000000' });
  });

  it("refuses another party's balances to an investor, allows them to the back office", async () => {
    const other = await t.http.get(`/api/v1/balances?partyId=${investor2}`).set(await auth('investor1'));
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    const backOffice = await t.http
      .get(`/api/v1/balances?partyId=${investor2}`)
      .set(await auth('backoffice1'))
      .expect(200);
    expect(backOffice.body[0].total).toBe('50000000.00');
    expect((await t.http.get('/api/v1/balances?partyId=00000000-0000-4000-8000-000000000000').set(await auth('backoffice1'))).status).toBe(
      404,
    );
  });
});

describe('cash deposits and withdrawals', () => {
  it('deposits once per reference', async () => {
    const body = { partyId: investor1, amount: '1250000.25', reference: 'wire-001' };
    const first = await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send(body)
      .expect(201);
    expect(first.body.balance).toEqual({ asset: 'USD', total: '51250000.25', held: '0.00', available: '51250000.25' });
    const again = await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send(body)
      .expect(200);
    expect(again.body.entryId).toBe(first.body.entryId);
    expect(again.body.balance.total).toBe('51250000.25');
    const conflict = await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send({ ...body, amount: '1' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('withdraws from the available balance', async () => {
    const response = await t.http
      .post('/api/v1/cash/withdrawals')
      .set(await auth('operator1'))
      .send({ partyId: investor1, amount: '250000.25', reference: 'payout-1' })
      .expect(201);
    expect(response.body.balance.total).toBe('51000000.00');
  });

  it.each([
    ['more than the available cash', { amount: '51000000.01' }, 422, 'INSUFFICIENT_FUNDS', 'withdrawals'],
    ['a negative amount', { amount: '-5' }, 400, 'VALIDATION_FAILED', 'deposits'],
    ['a zero amount', { amount: '0' }, 400, 'VALIDATION_FAILED', 'deposits'],
    ['a JSON number', { amount: 100 }, 400, 'VALIDATION_FAILED', 'deposits'],
    ['fractions of a cent', { amount: '1.001' }, 400, 'VALIDATION_FAILED', 'deposits'],
    ['an exponent', { amount: '1e6' }, 400, 'VALIDATION_FAILED', 'deposits'],
    ['an unknown party', { partyId: '00000000-0000-4000-8000-000000000000' }, 404, 'PARTY_NOT_FOUND', 'deposits'],
    ['a party id that is not an id', { partyId: '__proto__' }, 404, 'PARTY_NOT_FOUND', 'deposits'],
    ['a missing reference', { reference: undefined }, 400, 'VALIDATION_FAILED', 'deposits'],
  ])('rejects %s and leaves the ledger unchanged', async (_name, overrides, status, code, path) => {
    const before = { balances: await allBalances(), entries: await entryCount() };
    const body = { partyId: investor1, amount: '10', reference: `bad-${code}-${status}`, ...overrides };
    const response = await t.http
      .post(`/api/v1/cash/${path}`)
      .set(await auth('backoffice1'))
      .send(body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect({ balances: await allBalances(), entries: await entryCount() }).toEqual(before);
  });

  it('refuses cash movements to investors and dealers', async () => {
    const before = await allBalances();
    for (const username of ['investor1', 'dealer1']) {
      const response = await t.http
        .post('/api/v1/cash/deposits')
        .set(await auth(username))
        .send({ partyId: investor1, amount: '10', reference: 'self-help' });
      expect(response.status).toBe(403);
    }
    expect(await allBalances()).toEqual(before);
  });
});

describe('journal entries', () => {
  it('shows a party its own postings only', async () => {
    const response = await t.http
      .get('/api/v1/ledger/entries')
      .set(await auth('investor1'))
      .expect(200);
    const kinds = response.body.map((e: { kind: string }) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['cash_withdrawal', 'cash_deposit']);
    for (const entry of response.body) for (const posting of entry.postings) expect(posting.partyId).toBe(investor1);
    expect((await t.http.get(`/api/v1/ledger/entries?partyId=${investor2}`).set(await auth('investor1'))).status).toBe(403);
  });

  it('shows the back office whole entries, balanced per asset, with paging', async () => {
    const page = await t.http
      .get('/api/v1/ledger/entries?limit=2')
      .set(await auth('backoffice1'))
      .expect(200);
    expect(page.body).toHaveLength(2);
    for (const entry of page.body) {
      const cents = entry.postings.reduce((sum: bigint, p: { amount: string }) => sum + BigInt(p.amount.replace('.', '')), 0n);
      expect(cents).toBe(0n);
    }
    const next = await t.http
      .get(`/api/v1/ledger/entries?limit=2&before=${page.body[1].id}`)
      .set(await auth('backoffice1'))
      .expect(200);
    expect(BigInt(next.body[0].id)).toBeLessThan(BigInt(page.body[1].id));
    expect((await t.http.get('/api/v1/ledger/entries?limit=100000').set(await auth('backoffice1'))).status).toBe(400);
  });
});
