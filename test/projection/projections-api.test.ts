/**
 * Projection and pricing through HTTP on the demo deals: the shapes of the issue's API, yield and
 * I-spread against a hand-interpolated curve, named and saved scenarios, a grid, a note's yield
 * to the ARD and to maturity, curves (operator only), bad scenarios refused with the field named,
 * and the first projected period, fed the actual collections, equal to the serviced distribution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { buildCouponSchedule } from '../../server/domain/schedule.js';
import { parseIsoDate } from '../../server/domain/dates.js';
import { yieldFromPrice } from '../../server/domain/yield.js';
import { loadDealContext } from '../../server/projection/context.js';
import { resolveFor } from '../../server/projection/scenario-input.js';
import { runProjection } from '../../server/projection/service.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;
let notes: Record<string, string>;
let businessDate: string;

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

beforeAll(async () => {
  // 2026-12-15 is a coupon date of the Meridian classes: the first projected period is that day's.
  t = await startTestService({ clock: new ManualClock(new Date('2026-12-15T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  notes = Object.fromEntries(meridian.notes.map((n) => [n.className, n.id]));
  businessDate = (await t.http.get('/api/v1/business-date').set(await auth('investor1'))).body.businessDate;
});
afterAll(async () => t.close());

describe('POST /api/v1/projections', () => {
  it('projects the base scenario and prices every class, with the curve it used', async () => {
    const res = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenarioId: 'base', pricing: [{ noteId: notes['A-2'], price: '95' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dealId, curve: { name: 'UST', date: businessDate }, scenario: { name: 'base' } });
    expect(res.body.classes.map((c: { className: string }) => c.className)).toEqual(['A-2', 'B', 'C']);
    const a2 = res.body.classes[0];
    expect(a2.cashFlows[0]).toEqual({
      date: '2026-12-15',
      interest: '2592187.50',
      principal: '0.00',
      balance: '592500000.00',
      interestShortfall: '0.00',
      deferredInterest: '0.00',
      writedown: '0.00',
    });
    // Refinanced at the ARD: the last flow is 2031-03-15 and repays the balance.
    expect(a2.cashFlows.at(-1).date).toBe('2031-03-15');
    expect(a2.cashFlows.at(-1).balance).toBe('0.00');
    expect(a2.price).toBe('95.000000');
    expect(new Decimal(a2.yieldPercent).gt('6')).toBe(true);
    for (const key of ['spreadBp', 'zSpreadBp', 'walYears', 'modifiedDuration', 'convexity', 'lossPercent'])
      expect(a2[key]).toMatch(/^-?\d+\.\d+$/);
    expect(a2.lossPercent).toBe('0.0000');
    expect(res.body.periods[0]).toMatchObject({
      date: '2026-12-15',
      revenue: expect.any(String),
      dscr: expect.any(String),
      triggers: { 'dscr-cash-trap': false },
    });
    expect(res.body.triggerBreaches).toEqual([{ name: 'dscr-cash-trap', firstDate: null }]);
  });

  it('I-spread = yield − the par curve interpolated by hand at the WAL', async () => {
    // Curve: 1y 4.00 %, 10y 4.90 %: par(T) = 4.00 + 0.1 × (T − 1) for T in [1, 10].
    await t.http
      .put(`/api/v1/curves/UST/${businessDate}`)
      .set(await auth('operator1'))
      .send({
        points: [
          { tenorYears: '1', yieldPercent: '4' },
          { tenorYears: '10', yieldPercent: '4.9' },
        ],
      })
      .expect(200);
    const res = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, pricing: [{ noteId: notes.B, price: '97.5' }] });
    const b = res.body.classes[1];
    const byHand = new Decimal(b.yieldPercent).sub(new Decimal('4').add(new Decimal(b.walYears).sub(1).mul('0.1'))).mul(100);
    // walYears is shown to 2 places: the hand figure is within 0.1 × 0.005 % = 0.05 bp of the exact one.
    expect(byHand.sub(b.spreadBp).abs().lte('0.1')).toBe(true);
    // Pricing at that spread gives back the price.
    const again = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, pricing: [{ noteId: notes.B, spreadBp: b.spreadBp }] });
    expect(new Decimal(again.body.classes[1].price).sub('97.5').abs().lt('0.01')).toBe(true);
  });

  it('runs a named stress: utilization 70 %, rents −30 %, power × 1.5 — the trap breaches in the first projected month', async () => {
    const res = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenarioId: 'utilization-70' });
    expect(res.status).toBe(200);
    // 2026-12-15 distributes November 2026, whose report is filed: its triggers test the report's
    // metrics (no breach). January's period is the first the projection writes the report for.
    expect(res.body.periods[0].cashTrap).toBe(false);
    expect(res.body.triggerBreaches[0].firstDate).toBe('2027-01-15');
    expect(res.body.periods[1].cashTrap).toBe(true);
  });

  it('refuses bad scenarios with the field named, changing nothing', async () => {
    const cases: [object, string][] = [
      [{ utilizationPercent: '101' }, 'scenario.utilizationPercent'],
      [{ powerPricePerMwh: '-5' }, 'scenario.powerPricePerMwh'],
      [{ rentChangePercent: [{ fromMonth: 9999, value: '-10' }] }, 'scenario.rentChangePercent[0].fromMonth'],
      [{ tenantDefaults: [{ tenant: 'Nobody', month: 3, recoveryPercent: '10' }] }, 'scenario.tenantDefaults[0].tenant'],
      [{ tenantDefaults: [{ tenant: 'Nimbus AI Cloud', month: 0, recoveryPercent: '10' }] }, 'scenario.tenantDefaults[0].month'],
    ];
    for (const [scenario, field] of cases) {
      const res = await t.http
        .post('/api/v1/projections')
        .set(await auth('investor1'))
        .send({ dealId, scenario });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_SCENARIO', details: { field } });
    }
    const shape = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenario: { utilizationPercent: 95 } });
    expect(shape.status).toBe(400);
    const unknown = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenarioId: 'nope' });
    expect(unknown.status).toBe(404);
  });

  it('finds the break-even utilization of Class C without refinancing (rents +50 %), within 0.01 %', async () => {
    // At the reported rents and costs, without refinancing Class C is written down by the legal
    // final even at the base utilization; with rents 50 % higher it is repaid, down to a level.
    const scenario = { refinanceAtArd: false, rentChangePercent: '50' };
    const res = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenario, breakEven: { noteId: notes.C, driver: 'utilizationPercent' } });
    expect(res.status).toBe(200);
    const { level, passesEverywhere } = res.body.breakEven;
    expect(passesEverywhere).toBe(false);
    // Independently: at the level C is repaid in full; 0.01 % harsher it is written down.
    const writedown = async (u: string) => {
      const run = await t.http
        .post('/api/v1/projections')
        .set(await auth('investor1'))
        .send({ dealId, scenario: { ...scenario, utilizationPercent: u } });
      return run.body.classes[2].cashFlows.reduce((sum: Decimal, f: { writedown: string }) => sum.add(f.writedown), new Decimal(0));
    };
    expect((await writedown(level)).isZero()).toBe(true);
    expect((await writedown(new Decimal(level).sub('0.01').toFixed())).gt(0)).toBe(true);
    const bad = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, breakEven: { noteId: notes.C, driver: 'downtimeMonths' } });
    expect(bad.status).toBe(400);
  });

  it('saves a user scenario and runs it by name', async () => {
    const saved = await t.http
      .post('/api/v1/scenarios')
      .set(await auth('investor2'))
      .send({ dealId, name: 'my-stress', scenario: { utilizationPercent: '80', refinanceAtArd: false } });
    expect(saved.status).toBe(201);
    const run = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor2'))
      .send({ dealId, scenarioId: 'my-stress' });
    expect(run.status).toBe(200);
    expect(run.body.scenario).toMatchObject({ name: 'my-stress', utilizationPercent: '80' });
    expect(run.body.classes[0].cashFlows.at(-1).date > '2031-03-15').toBe(true);
    // Another user does not see it.
    expect(
      (
        await t.http
          .post('/api/v1/projections')
          .set(await auth('investor1'))
          .send({ dealId, scenarioId: 'my-stress' })
      ).status,
    ).toBe(404);
    const list = await t.http.get(`/api/v1/deals/${dealId}/scenarios`).set(await auth('investor2'));
    expect(list.body.saved.map((s: { name: string }) => s.name)).toEqual(['my-stress']);
  });
});

describe("the start: the trust's latest performance report", () => {
  it('reads the collateral facts and the base scenario from the latest report, and GPU value by model drives LTV', async () => {
    const reports = (await t.http.get(`/api/v1/deals/${dealId}/performance-reports`).set(await auth('investor1'))).body;
    const latest = (Array.isArray(reports) ? reports : reports.reports)[0];
    expect(latest.periodEnd).toBe('2026-11-30');
    const scenarios = (await t.http.get(`/api/v1/deals/${dealId}/scenarios`).set(await auth('investor1'))).body;
    expect(scenarios.base).toMatchObject({
      utilizationPercent: new Decimal(latest.metrics.utilizationPercent).toFixed(),
      pue: new Decimal(latest.metrics.pue).toFixed(),
      powerPricePerMwh: new Decimal(latest.metrics.powerPricePerMwh).toFixed(),
    });
    const res = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenario: { gpuValueByModel: [{ model: 'NVIDIA GB200 NVL72', changePercentPerYear: '-50' }] } });
    expect(res.status).toBe(200);
    const start = res.body.start;
    expect(start.performanceReport).toEqual({ periodEnd: '2026-11-30', version: 1 });
    expect(start.tenants.map((x: { name: string }) => x.name)).toEqual(latest.report.tenants.map((x: { name: string }) => x.name));
    expect(start.tenants[0].monthlyRent).toBe(new Decimal(latest.report.tenants[0].monthlyRent).toFixed());
    // The start value is the report's appraisal moved by the operator's GPU value index (issue 18)
    // from the appraisal date to the business date: appraisal × level(today) / level(appraisal
    // date), to the cent, each level the series' latest point on or before the date.
    const line = latest.report.gpuFleet[0];
    const series = (await t.http.get(`/api/v1/gpu-values/${encodeURIComponent(line.model)}`).set(await auth('investor1'))).body as {
      points: { date: string; valueUsd?: string; indexValue?: string }[];
    };
    const level = (date: string) =>
      series.points
        .filter((p) => p.date <= date)
        .sort((a, b) => a.date.localeCompare(b.date))
        .map((p) => new Decimal(p.valueUsd ?? p.indexValue!))
        .at(-1)!;
    const today = (await t.http.get('/api/v1/business-date').set(await auth('investor1'))).body.businessDate as string;
    expect(start.gpuValues).toMatchObject([
      {
        model: 'NVIDIA GB200 NVL72',
        value: new Decimal(line.appraisedValue)
          .mul(level(today))
          .div(level(line.appraisalDate))
          .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN)
          .toFixed(),
        source: 'gpu_value_index',
      },
    ]);
    // Other operating costs = the report's operating costs − its power cost.
    expect(start.otherOpexPerMonth).toBe(new Decimal(latest.report.operatingCosts).sub(latest.report.powerCost).toFixed());
    // LTV by hand: balances are unchanged before the ARD (interest only, no trap in the base), the
    // site value is the report's, the GPU value halves at the first anniversary (month 13 = the
    // 2027-12-15 period, which collects November 2027).
    const balance = res.body.classes.reduce(
      (a: Decimal, c: { cashFlows: { balance: string }[] }) => a.add(c.cashFlows[0]!.balance),
      new Decimal(0),
    );
    const site = new Decimal(start.siteValue);
    const gpu = new Decimal(start.gpuValues[0].value);
    const ltv = (value: Decimal) => balance.mul(100).div(value).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);
    const at = (date: string) => res.body.periods.find((p: { date: string }) => p.date === date).ltvPercent;
    expect(at('2027-11-15')).toBe(ltv(site.add(gpu)));
    expect(at('2027-12-15')).toBe(ltv(site.add(gpu.mul('0.5').toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN))));
    const period = (date: string) => res.body.periods.find((p: { date: string }) => p.date === date);
    expect(period('2027-11-15').gpuValues).toEqual([{ model: 'NVIDIA GB200 NVL72', value: gpu.toFixed(2) }]);
    expect(period('2027-12-15').gpuValues).toEqual([
      { model: 'NVIDIA GB200 NVL72', value: gpu.mul('0.5').toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2) },
    ]);
    // An unknown model is refused with the field named.
    const bad = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId, scenario: { gpuValueByModel: [{ model: 'TPU v9', changePercentPerYear: '-10' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_SCENARIO', details: { field: 'scenario.gpuValueByModel[0].model' } });
  });
});

describe('a semi-annual deal (Helios) starts from its reports too', () => {
  it("projects with its own fleet model and the report metrics of each period's last month where filed", async () => {
    const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
    const helios = deals.find((d) => d.name.startsWith('Helios'))!;
    const res = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId: helios.id });
    expect(res.status).toBe(200);
    expect(res.body.start.performanceReport.periodEnd).toBe('2026-11-30');
    expect(res.body.start.gpuValues.map((g: { model: string }) => g.model)).toEqual(['NVIDIA H200 HGX']);
    // The fleet loses 1.25 % a month in the reports: the base curve is their trend, (0.9875^12 − 1) × 100 = −14.0105 (the reports round each value to the dollar).
    expect(new Decimal(res.body.start.gpuValues[0].changePercentPerYear).sub('-14.0105').abs().lte('0.0001')).toBe(true);
    expect(res.body.periods.length).toBeGreaterThan(0);
    for (const p of res.body.periods) expect(p.dscr === null || /^-?\d+\.\d{4}$/.test(p.dscr)).toBe(true);
  });
});

describe('grid, note analytics, curves', () => {
  it('grids yield at a price over utilization × rent change', async () => {
    const res = await t.http
      .post('/api/v1/projections/grid')
      .set(await auth('investor1'))
      .send({
        dealId,
        noteId: notes.C,
        price: '92',
        x: { driver: 'utilizationPercent', values: ['95', '60'] },
        y: { driver: 'rentChangePercent', values: ['0', '-40'] },
      });
    expect(res.status).toBe(200);
    expect(res.body.cells).toHaveLength(2);
    expect(res.body.cells[0]).toHaveLength(2);
    expect(res.body.cells[0][0]).toMatchObject({ yieldPercent: expect.stringMatching(/^\d+\.\d{4}$/), lossPercent: '0.0000' });
    const bad = await t.http
      .post('/api/v1/projections/grid')
      .set(await auth('investor1'))
      .send({
        dealId,
        noteId: notes.C,
        price: '92',
        x: { driver: 'utilizationPercent', values: ['120'] },
        y: { driver: 'rentChangePercent', values: ['0'] },
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('cell[0][0].utilizationPercent');
  });

  it("shows a note's yield to the ARD (= the domain's bullet yield with maturity = ARD for the interest-only A-2) and to maturity", async () => {
    const res = await t.http.get(`/api/v1/notes/${notes['A-2']}/analytics?price=95`).set(await auth('dealer1'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ noteId: notes['A-2'], price: '95', scenario: 'base', anticipatedRepaymentDate: '2031-03-15' });
    const toArd = buildCouponSchedule({
      issueDate: parseIsoDate('2026-03-12'),
      firstCouponDate: parseIsoDate('2026-04-15'),
      maturityDate: parseIsoDate('2031-03-15'),
      frequency: 12,
    });
    const street = yieldFromPrice({
      couponRatePercent: '5.25',
      dayCount: '30/360',
      schedule: toArd,
      settlementDate: parseIsoDate(res.body.settlementDate),
      cleanPricePercent: '95',
    });
    expect(res.body.yieldToArdPercent).toBe(street.toDecimalPlaces(4).toFixed(4));
    // Not refinanced, the A-2 earns its 5 % step-up after the ARD until the sweep repays it.
    expect(res.body.yieldToMaturityPercent).toMatch(/^\d+\.\d{4}$/);
    expect(res.body.yieldToMaturityPercent).not.toBe(res.body.yieldToArdPercent);
    expect(res.body.spreadBp).toMatch(/^-?\d+\.\d$/);
  });

  it('stores curves (operator only), reads one by date or the latest on or before a date', async () => {
    const points = [
      { tenorYears: '30', yieldPercent: '4.60' },
      { tenorYears: '2', yieldPercent: '3.70' },
    ];
    expect(
      (
        await t.http
          .put('/api/v1/curves/UST/2026-11-30')
          .set(await auth('investor1'))
          .send({ points })
      ).status,
    ).toBe(403);
    const put = await t.http
      .put('/api/v1/curves/UST/2026-11-30')
      .set(await auth('operator1'))
      .send({ points });
    expect(put.body).toEqual({
      name: 'UST',
      date: '2026-11-30',
      points: [
        { tenorYears: '2', yieldPercent: '3.7' },
        { tenorYears: '30', yieldPercent: '4.6' },
      ],
      // Resting spread quotes re-priced from their spreads (none rest here).
      spreadQuotes: { trigger: 'curve', repriced: 0, unchanged: 0, stale: 0, left: [], pulled: [] },
    });
    expect((await t.http.get('/api/v1/curves/UST/2026-12-01').set(await auth('investor1'))).status).toBe(404);
    expect((await t.http.get('/api/v1/curves/UST/2026-12-01?onOrBefore=true').set(await auth('investor1'))).body.date).toBe('2026-11-30');
    const bad = await t.http
      .put('/api/v1/curves/UST/2026-11-29')
      .set(await auth('operator1'))
      .send({
        points: [
          { tenorYears: '2', yieldPercent: '3' },
          { tenorYears: '2', yieldPercent: '4' },
        ],
      });
    expect(bad.status).toBe(400);
  });
});

describe('the first projected period, fed the actual collections', () => {
  it('equals the serviced distribution to the cent', async () => {
    const ctx = await loadDealContext(t.database.knex, dealId);
    ctx.setup.firstPeriodCollections = { revenue: '9500000.00', operatingCosts: '2500000.00' };
    const { compileSetup } = await import('../../server/projection/fast.js');
    ctx.compiled = compileSetup(ctx.setup);
    const projected = runProjection(ctx, resolveFor(ctx, { name: 'base' })).periods[0]!;
    expect(projected.date).toBe('2026-12-15');

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
    const report = (
      await t.http
        .post(`/api/v1/deals/${dealId}/distributions`)
        .set(await auth('backoffice1'))
        .send({ paymentDate: '2026-12-15' })
        .expect(201)
    ).body;
    const cents = (s: string) => new Decimal(s).mul(100).toNumber();
    report.classes.forEach(
      (c: { interestPaid: string; principalPaid: string; balanceAfter: string; interestShortfall: string }, i: number) => {
        const p = projected.classes[i]!;
        expect([p.interest, p.principal, p.balance, p.interestShortfall]).toEqual([
          cents(c.interestPaid),
          cents(c.principalPaid),
          cents(c.balanceAfter),
          cents(c.interestShortfall),
        ]);
      },
    );
    expect(projected.reserve).toBe(cents(report.reserve.after));
    expect(projected.trappedCash).toBe(cents(report.trappedCash.after));
    // The metrics too: both test November's performance report (servicing: metricsSource
    // performance_report; the projection: its filed report for period 1's collection month).
    expect(report.metricsSource).toBe('performance_report');
    expect(projected.dscr).toBe(cents(report.dscr) * 100);
    expect(projected.dscrAverage).toBe(cents(report.metrics.dscrThreeMonthAverage) * 100);
    expect(projected.triggers).toEqual(report.triggers.map((x: { on: boolean }) => x.on));
  });
});

describe('a restated report moves the projection', () => {
  it("by exactly the restated rent: the start follows the report's latest version", async () => {
    // After the 2026-12-15 distribution above, period 1 is 2027-01-15 (December 2026, not yet
    // reported: modelled). At the base utilization (= the report's) a tenant pays its contracted
    // rent, so restating one tenant's November rent by +100,000.00 raises period 1's revenue by it.
    const before = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId });
    expect(before.body.periods[0].date).toBe('2027-01-15');
    const reports = (await t.http.get(`/api/v1/deals/${dealId}/performance-reports`).set(await auth('investor1'))).body;
    const latest = (Array.isArray(reports) ? reports : reports.reports)[0];
    const tenants = latest.report.tenants.map((x: { name: string; monthlyRent: string }) =>
      x.name === 'Stratus Financial' ? { ...x, monthlyRent: new Decimal(x.monthlyRent).add('100000').toFixed(2) } : x,
    );
    await t.http
      .post(`/api/v1/deals/${dealId}/performance-reports`)
      .set(await auth('backoffice1'))
      .send({ ...latest.report, tenants, reason: 'Stratus rent step-up omitted' })
      .expect(201);
    const after = await t.http
      .post('/api/v1/projections')
      .set(await auth('investor1'))
      .send({ dealId });
    expect(after.body.start.performanceReport).toEqual({ periodEnd: '2026-11-30', version: 2 });
    expect(new Decimal(after.body.periods[0].revenue).sub(before.body.periods[0].revenue).toFixed(2)).toBe('100000.00');
  });
});
