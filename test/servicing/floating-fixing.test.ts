/**
 * A floating class in servicing and in the projection: Meridian's Class B made floating (SOFR +
 * 150 bp) in its waterfall. A distribution needs the period's SOFR fixing (422
 * RATE_FIXING_REQUIRED naming `fixings.SOFR`, nothing changed), accrues fixing + margin, shows the
 * fixing in the trustee report, and equals to the cent the projection's first period fed the same
 * collections with the rate path at that fixing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;
let classB: string;
const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2026-12-15T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  classB = meridian.notes.find((n) => n.className === 'B')!.id;
  const current = (await t.http.get(`/api/v1/deals/${dealId}/waterfall`).set(await auth('backoffice1'))).body;
  const definition = current.definition ?? current;
  const classes = definition.classes.map((c: { className: string }) =>
    c.className === 'B' ? { ...c, floatingRate: { index: 'SOFR', marginBp: '150' } } : c,
  );
  const put = await t.http
    .put(`/api/v1/deals/${dealId}/waterfall`)
    .set(await auth('backoffice1'))
    .send({ ...definition, classes });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  await t.http
    .post(`/api/v1/deals/${dealId}/collections`)
    .set(await auth('backoffice1'))
    .send({
      reference: 'dec-2026',
      paymentDate: '2026-12-15',
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      revenue: '9500000.00',
      operatingCosts: '2500000.00',
      utilization: '95',
      uptime: '99.9',
      powerCost: '1000000.00',
    })
    .expect(201);
});
afterAll(async () => t.close());

describe('a floating class', () => {
  it("projects before any fixing from the note's coupon: base rate path = 6.40 % − 150 bp", async () => {
    const scenarios = (await t.http.get(`/api/v1/deals/${dealId}/scenarios`).set(await auth('investor1'))).body;
    expect(scenarios.base.ratePath).toBe('4.9');
  });

  it('refuses a distribution without the fixing, changing nothing', async () => {
    const res = await t.http
      .post(`/api/v1/deals/${dealId}/distributions`)
      .set(await auth('backoffice1'))
      .send({ paymentDate: '2026-12-15' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'RATE_FIXING_REQUIRED', details: { field: 'fixings.SOFR', className: 'B' } });
    const reports = (await t.http.get(`/api/v1/deals/${dealId}/trustee-reports?paymentDate=2026-12-15`).set(await auth('backoffice1')))
      .body;
    expect(Array.isArray(reports) ? reports : (reports.reports ?? [])).toHaveLength(0);
  });

  it('accrues fixing + margin, and the projection fed the same collections and rate pays the same to the cent', async () => {
    const projection = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenario: { ratePath: '4.31' } });
    expect(projection.status).toBe(200);
    const res = await t.http
      .post(`/api/v1/deals/${dealId}/distributions`)
      .set(await auth('backoffice1'))
      .send({ paymentDate: '2026-12-15', fixings: { SOFR: '4.31' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Given with the request (nothing stored): recorded as such, with the period's determination date.
    expect(res.body.rateFixings).toEqual([
      {
        className: 'B',
        index: 'SOFR',
        fixingPercent: '4.31',
        marginBp: '150',
        couponPercent: '5.81',
        source: 'request',
        determinationDate: '2026-11-12',
        fixingDate: null,
      },
    ]);
    const b = res.body.classes.find((c: { className: string }) => c.className === 'B');
    // By hand: B's balance × (4.31 % + 1.50 %) × 30/360 (one month), to the cent, half-even.
    const expected = new Decimal(b.balanceAfter).mul('0.0581').div(12).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
    expect(b.interestPaid).toBe(expected.toFixed(2));
    const projected = projection.body.classes.find((c: { noteId: string }) => c.noteId === classB).cashFlows[0];
    expect(projected).toMatchObject({ date: '2026-12-15', interest: b.interestPaid, balance: b.balanceAfter });
  });

  it("then projects from the fixing servicing used: the base rate path is the last distribution's SOFR", async () => {
    const scenarios = (await t.http.get(`/api/v1/deals/${dealId}/scenarios`).set(await auth('investor1'))).body;
    expect(scenarios.base.ratePath).toBe('4.31');
  });
});
