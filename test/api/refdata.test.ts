/** Reference data through HTTP: the demo market, listing and halting notes, and bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidIsin } from '../../server/domain/identifiers.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.close());

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

async function newNote(overrides: Record<string, unknown> = {}) {
  const [deal] = (await t.http.get('/api/v1/deals').set(await auth('operator1'))).body;
  return {
    isin: 'US0378331005',
    dealId: deal.id,
    className: 'D',
    name: 'Meridian Compute ABS 2026-1 Class D',
    seniority: 4,
    rating: 'B',
    couponType: 'fixed',
    couponRate: '10.5',
    dayCount: '30/360',
    frequency: 12,
    issueDate: '2026-03-12',
    firstCouponDate: '2026-04-15',
    maturityDate: '2051-03-15',
    originalFace: '40000000',
    factor: '1',
    minDenomination: '100000',
    increment: '1000',
    tickSize: '0.0078125',
    settlementDays: 1,
    ...overrides,
  };
}

describe('the demo market', () => {
  it('lists notes with valid ISINs and every field of API.md', async () => {
    const response = await t.http
      .get('/api/v1/notes')
      .set(await auth('investor1'))
      .expect(200);
    expect(response.body.length).toBeGreaterThanOrEqual(4);
    for (const note of response.body) {
      expect(isValidIsin(note.isin)).toBe(true);
      for (const field of [
        'id',
        'isin',
        'dealId',
        'className',
        'name',
        'seniority',
        'rating',
        'couponType',
        'couponRate',
        'dayCount',
        'frequency',
        'issueDate',
        'firstCouponDate',
        'maturityDate',
        'originalFace',
        'factor',
        'currency',
        'minDenomination',
        'increment',
        'tickSize',
        'settlementDays',
        'status',
      ]) {
        expect(note, field).toHaveProperty(field);
      }
      expect(typeof note.couponRate).toBe('string');
      expect(typeof note.factor).toBe('string');
    }
    expect(response.body.map((n: { className: string }) => n.className)).toEqual(expect.arrayContaining(['A-2', 'B', 'C', 'Senior']));
  });

  it('shows a deal with its collateral and capital structure by seniority', async () => {
    const deals = (
      await t.http
        .get('/api/v1/deals')
        .set(await auth('investor2'))
        .expect(200)
    ).body;
    const abs = deals.find((d: { name: string }) => d.name === 'Meridian Compute ABS 2026-1');
    const one = (
      await t.http
        .get(`/api/v1/deals/${abs.id}`)
        .set(await auth('investor2'))
        .expect(200)
    ).body;
    expect(one.collateral).toMatchObject({ capacityMw: '240', gpuCount: 96000, leaseTermMonths: 144 });
    expect(one.notes.map((n: { className: string }) => n.className)).toEqual(['A-2', 'B', 'C']);
  });

  it('answers 404 for unknown ids, including prototype names', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', '__proto__', 'toString', 'constructor']) {
      const note = await t.http.get(`/api/v1/notes/${id}`).set(await auth('investor1'));
      expect(note.status).toBe(404);
      expect(note.body.error.code).toBe('NOTE_NOT_FOUND');
      expect((await t.http.get(`/api/v1/deals/${id}`).set(await auth('investor1'))).body.error.code).toBe('DEAL_NOT_FOUND');
    }
  });
});

describe('listing, halting and resuming notes', () => {
  it('lets an operator list a note', async () => {
    const response = await t.http
      .post('/api/v1/notes')
      .set(await auth('operator1'))
      .send(await newNote());
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ isin: 'US0378331005', status: 'active', tickSize: '0.0078125', traceCategory: 'ABS' });
    // The old wire value '30/360' is ISDA 2006 §4.16(f) bond basis, stored under its unambiguous name;
    // a B-rated ABS gets FINRA's non-investment-grade ABS cap of $1MM whatever the client sent.
    expect(response.body).toMatchObject({ dayCount: '30/360-ISDA', disseminationCap: '1000000' });
  });

  it('lists a note on SIFMA 30/360 and derives the cap of an investment-grade corporate', async () => {
    const response = await t.http
      .post('/api/v1/notes')
      .set(await auth('operator1'))
      .send(
        await newNote({
          isin: 'US5949181045',
          className: 'E',
          dayCount: '30/360-SIFMA',
          rating: 'Baa3',
          traceCategory: 'CORP',
          disseminationCap: '25000000',
        }),
      );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ dayCount: '30/360-SIFMA', disseminationCap: '5000000' });
    const demo = (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body as { className: string; dayCount: string }[];
    expect(Object.fromEntries(demo.filter((n) => ['A-2', 'Senior'].includes(n.className)).map((n) => [n.className, n.dayCount]))).toEqual({
      'A-2': '30/360-ISDA',
      Senior: '30/360-SIFMA',
    });
  });

  it('refuses a duplicate ISIN with 409', async () => {
    const response = await t.http
      .post('/api/v1/notes')
      .set(await auth('operator1'))
      .send(await newNote({ className: 'D2' }));
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('DUPLICATE_ISIN');
  });

  it.each([
    ['a wrong ISIN check digit', { isin: 'US0378331006' }, 400, 'INVALID_ISIN'],
    ['a number where a decimal string belongs', { couponRate: 10.5 }, 400, 'VALIDATION_FAILED'],
    ['a zero tick size', { tickSize: '0' }, 400, 'VALIDATION_FAILED'],
    ['a tick that does not divide par', { tickSize: '0.3' }, 400, 'VALIDATION_FAILED'],
    ['an increment that does not divide the minimum denomination', { increment: '3000' }, 400, 'VALIDATION_FAILED'],
    ['a factor above one', { factor: '1.01' }, 400, 'VALIDATION_FAILED'],
    ['dates out of order', { firstCouponDate: '2052-01-15' }, 400, 'VALIDATION_FAILED'],
    ['a maturity off the coupon grid', { maturityDate: '2051-03-20' }, 400, 'VALIDATION_FAILED'],
    ['an impossible date', { issueDate: '2026-02-30' }, 400, 'VALIDATION_FAILED'],
    ['an unknown day count', { dayCount: 'ACT/ACT' }, 400, 'VALIDATION_FAILED'],
    ['an unknown deal', { dealId: '00000000-0000-4000-8000-000000000000', isin: 'US5949181045' }, 404, 'DEAL_NOT_FOUND'],
    ['an unknown field', { colour: 'blue' }, 400, 'VALIDATION_FAILED'],
  ])('rejects %s', async (_name, overrides, status, code) => {
    const before = (await t.http.get('/api/v1/notes').set(await auth('operator1'))).body.length;
    const response = await t.http
      .post('/api/v1/notes')
      .set(await auth('operator1'))
      .send(await newNote({ isin: 'GB0002634946', ...overrides }));
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect((await t.http.get('/api/v1/notes').set(await auth('operator1'))).body.length).toBe(before);
  });

  it('refuses note listing to anyone but an operator', async () => {
    for (const username of ['investor1', 'dealer1', 'backoffice1']) {
      const response = await t.http
        .post('/api/v1/notes')
        .set(await auth(username))
        .send(await newNote({ isin: 'GB0002634946' }));
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('halts and resumes trading', async () => {
    const [note] = (await t.http.get('/api/v1/notes').set(await auth('operator1'))).body;
    expect(
      (
        await t.http
          .post(`/api/v1/notes/${note.id}/halt`)
          .set(await auth('operator1'))
          .expect(200)
      ).body.status,
    ).toBe('halted');
    expect((await t.http.get(`/api/v1/notes/${note.id}`).set(await auth('investor1'))).body.status).toBe('halted');
    expect((await t.http.post(`/api/v1/notes/${note.id}/halt`).set(await auth('dealer1'))).status).toBe(403);
    expect(
      (
        await t.http
          .post(`/api/v1/notes/${note.id}/resume`)
          .set(await auth('operator1'))
          .expect(200)
      ).body.status,
    ).toBe('active');
  });
});

describe('parties', () => {
  it('lets operators onboard parties and change eligibility; others see only their own', async () => {
    const created = await t.http
      .post('/api/v1/parties')
      .set(await auth('operator1'))
      .send({ name: 'Pine Street Pension', kind: 'investor' })
      .expect(201);
    expect(created.body.eligible).toBe(true);
    const changed = await t.http
      .patch(`/api/v1/parties/${created.body.id}`)
      .set(await auth('operator1'))
      .send({ eligible: false })
      .expect(200);
    expect(changed.body.eligible).toBe(false);
    expect((await t.http.get(`/api/v1/parties/${created.body.id}`).set(await auth('investor1'))).status).toBe(403);
    expect((await t.http.get('/api/v1/parties').set(await auth('investor1'))).status).toBe(403);
    expect((await t.http.get('/api/v1/parties').set(await auth('backoffice1'))).status).toBe(200);
  });
});
