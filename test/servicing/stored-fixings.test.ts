/**
 * Stored rate fixings: the back office stores SOFR by date once; a distribution of a deal with a
 * floating class uses the fixing in effect for the period when its request gives none, a request's
 * fixing still overrides (and the report and the audit trail say so), and projections take the
 * stored fixing for the current period as the base rate path.
 *
 * The rule (servicing/fixings.ts): the determination date is the second business day before the
 * accrual start; the fixing used is the latest dated on or before it, within 5 business days.
 * Meridian pays monthly on the 15th; before its first distribution the period paying 15 December
 * 2026 accrues from 15 November 2026 (a Sunday): one business day before is Friday 13 November, two
 * is Thursday 12 November → the 12 November fixing, not the 13th's.
 *
 * By hand: Class B is 30/360 (ISDA), so 15 November → 15 December is 30/360 = 1/12 of a year, and it accrues
 * balance × (fixing + 1.50 %) / 12, to the cent (half-even).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

const auth = async (t: TestService, username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

/** A service at 15 December 2026 with Meridian's Class B floating at SOFR + 150 bp and December's collections recorded. */
async function floatingMeridian() {
  const t = await startTestService({ clock: new ManualClock(new Date('2026-12-15T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth(t, 'investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  const classB = meridian.notes.find((n) => n.className === 'B')!.id;
  const current = (await t.http.get(`/api/v1/deals/${meridian.id}/waterfall`).set(await auth(t, 'backoffice1'))).body;
  const definition = current.definition ?? current;
  const classes = definition.classes.map((c: { className: string }) =>
    c.className === 'B' ? { ...c, floatingRate: { index: 'SOFR', marginBp: '150' } } : c,
  );
  await t.http
    .put(`/api/v1/deals/${meridian.id}/waterfall`)
    .set(await auth(t, 'backoffice1'))
    .send({ ...definition, classes })
    .expect(200);
  await t.http
    .post(`/api/v1/deals/${meridian.id}/collections`)
    .set(await auth(t, 'backoffice1'))
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
  const note = (await t.http.get(`/api/v1/notes/${classB}`).set(await auth(t, 'investor1'))).body;
  expect(note.dayCount).toBe('30/360-ISDA');
  // B's balance before the payment: original face × factor.
  const balance = new Decimal(note.originalFace).mul(note.factor);
  return { t, dealId: meridian.id, classB, balance };
}

const fix = async (t: TestService, date: string, ratePercent: string, user = 'backoffice1') =>
  t.http
    .put(`/api/v1/rate-fixings/SOFR/${date}`)
    .set(await auth(t, user))
    .send({ ratePercent });
const distribute = async (t: TestService, dealId: string, body: object = {}) =>
  t.http
    .post(`/api/v1/deals/${dealId}/distributions`)
    .set(await auth(t, 'backoffice1'))
    .send({ paymentDate: '2026-12-15', ...body });
const interestOf = (balance: Decimal, couponPercent: string) =>
  balance.mul(couponPercent).div(100).div(12).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);

describe('a distribution with the fixing stored', () => {
  let t: TestService;
  let dealId: string;
  let classB: string;
  let balance: Decimal;
  beforeAll(async () => ({ t, dealId, classB, balance } = await floatingMeridian()));
  afterAll(async () => t.close());

  it('is refused while no fixing is stored within the lookback, naming the determination date', async () => {
    expect((await fix(t, '2026-10-30', '4.50')).status).toBe(200); // more than 5 business days before 12 Nov
    const res = await distribute(t, dealId);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'RATE_FIXING_REQUIRED',
      details: { field: 'fixings.SOFR', className: 'B', index: 'SOFR', determinationDate: '2026-11-12' },
    });
    expect(Number((await t.database.knex('distributions').where({ deal_id: dealId }).count({ n: '*' }))[0]!.n)).toBe(0);
  });

  it('stores fixings by date (operator or back office; validated; listed oldest first)', async () => {
    for (const [date, rate] of [
      ['2026-11-10', '4.35'],
      ['2026-11-12', '4.31'],
      ['2026-11-13', '4.29'], // after the determination date: not this period's
    ] as const)
      expect((await fix(t, date, rate)).status).toBe(200);
    const corrected = await fix(t, '2026-11-10', '4.36', 'operator1');
    expect(corrected.body).toEqual({ index: 'SOFR', date: '2026-11-10', ratePercent: '4.36', previousRatePercent: '4.35' });
    expect((await fix(t, '2026-11-12', '4.31', 'investor1')).status).toBe(403);
    expect((await fix(t, '2026-12-16', '4.31')).body.error.code).toBe('DATE_AFTER_BUSINESS_DATE');
    for (const bad of ['101', '-6', '4.1234567', '4,31', ''])
      expect((await fix(t, '2026-11-12', bad)).body.error.code, bad).toBe('VALIDATION_FAILED');
    const lower = await t.http
      .put('/api/v1/rate-fixings/sofr/2026-11-12')
      .set(await auth(t, 'backoffice1'))
      .send({ ratePercent: '4.31' });
    expect(lower.status).toBe(400);
    const listed = (await t.http.get('/api/v1/rate-fixings/SOFR?from=2026-11-01').set(await auth(t, 'investor1'))).body;
    expect(listed).toEqual([
      { index: 'SOFR', date: '2026-11-10', ratePercent: '4.36' },
      { index: 'SOFR', date: '2026-11-12', ratePercent: '4.31' },
      { index: 'SOFR', date: '2026-11-13', ratePercent: '4.29' },
    ]);
  });

  it("projects the current period at the stored fixing: the base rate path is 12 November's SOFR", async () => {
    const scenarios = (await t.http.get(`/api/v1/deals/${dealId}/scenarios`).set(await auth(t, 'investor1'))).body;
    expect(scenarios.base.ratePath).toBe('4.31');
  });

  it('uses the fixing in effect: B accrues balance × (4.31 % + 1.50 %) × 30/360, as the projection does', async () => {
    const projection = await t.http
      .post('/api/v1/projections')
      .set(await auth(t, 'investor1'))
      .send({ dealId, scenarioId: 'base' });
    expect(projection.status).toBe(200);
    const res = await distribute(t, dealId);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.rateFixings).toEqual([
      {
        className: 'B',
        index: 'SOFR',
        fixingPercent: '4.31',
        marginBp: '150',
        couponPercent: '5.81',
        source: 'stored',
        determinationDate: '2026-11-12',
        fixingDate: '2026-11-12',
      },
    ]);
    const b = res.body.classes.find((c: { className: string }) => c.className === 'B');
    // The demo's B: 120,000,000 × factor 1 × 5.81 % / 12 = 6,972,000 / 12 = 581,000.00.
    expect(balance.toFixed()).toBe('120000000');
    expect(b.interestPaid).toBe('581000.00');
    expect(b.interestPaid).toBe(interestOf(balance, '5.81'));
    const projected = projection.body.classes.find((c: { noteId: string }) => c.noteId === classB).cashFlows[0];
    expect(projected).toMatchObject({ date: '2026-12-15', interest: b.interestPaid });
    const audit = await t.database.knex('audit_log').where({ action: 'distribution.run' }).orderBy('id', 'desc').first();
    const details = typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details;
    expect(details.rateFixings).toEqual([{ index: 'SOFR', fixingPercent: '4.31', source: 'stored' }]);
  });

  it("then projects the next period at its own fixing: 11 December's, two business days before 15 December", async () => {
    expect((await fix(t, '2026-12-11', '4.20')).status).toBe(200);
    expect((await fix(t, '2026-12-14', '4.10')).status).toBe(200); // one business day before: too late
    const scenarios = (await t.http.get(`/api/v1/deals/${dealId}/scenarios`).set(await auth(t, 'investor1'))).body;
    expect(scenarios.base.ratePath).toBe('4.2');
  });
});

describe('a fixing given with the distribution', () => {
  let t: TestService;
  let dealId: string;
  let balance: Decimal;
  beforeAll(async () => ({ t, dealId, balance } = await floatingMeridian()));
  afterAll(async () => t.close());

  it('overrides the stored one, and the report and the audit trail record both', async () => {
    expect((await fix(t, '2026-11-12', '4.31')).status).toBe(200);
    const res = await distribute(t, dealId, { fixings: { SOFR: '4.40' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.rateFixings).toEqual([
      {
        className: 'B',
        index: 'SOFR',
        fixingPercent: '4.4',
        marginBp: '150',
        couponPercent: '5.9',
        source: 'request',
        determinationDate: '2026-11-12',
        fixingDate: null,
        overriddenFixing: { date: '2026-11-12', ratePercent: '4.31' },
      },
    ]);
    const b = res.body.classes.find((c: { className: string }) => c.className === 'B');
    // 120,000,000 × (4.40 % + 1.50 %) / 12 = 7,080,000 / 12 = 590,000.00.
    expect(b.interestPaid).toBe('590000.00');
    expect(b.interestPaid).toBe(interestOf(balance, '5.90'));
    const audit = await t.database.knex('audit_log').where({ action: 'distribution.run' }).orderBy('id', 'desc').first();
    const details = typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details;
    expect(details.rateFixings).toEqual([{ index: 'SOFR', fixingPercent: '4.4', source: 'request' }]);
    // The stored series is unchanged by the override.
    const listed = (await t.http.get('/api/v1/rate-fixings/SOFR').set(await auth(t, 'investor1'))).body;
    expect(listed).toEqual([{ index: 'SOFR', date: '2026-11-12', ratePercent: '4.31' }]);
  });
});
