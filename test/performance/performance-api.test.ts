/**
 * Performance reports through HTTP on the demo deals (24 seeded months each): filing a new period,
 * restatements as new versions with who and why, the 3-month average across a restatement, the
 * rejections with their codes (nothing stored), the surveillance table and CSV.
 * The business date is 2027-03-15 (a manual clock), so December 2026 to February 2027 are past.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';
import { metricHistory, metricsForPeriod, metricValuesForPaymentDate } from '../../server/performance/store.js';
import { metricsToWire } from '../../server/performance/metrics.js';

let t: TestService;
let meridian: string;
let helios: string;

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2027-03-15T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
  meridian = deals.find((d) => d.name.startsWith('Meridian'))!.id;
  helios = deals.find((d) => d.name.startsWith('Helios'))!.id;
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function list(dealId: string, query = '') {
  return (
    await t.http
      .get(`/api/v1/deals/${dealId}/performance-reports${query}`)
      .set(await auth('investor1'))
      .expect(200)
  ).body as any[];
}

async function stored() {
  return Number((await t.database.knex('performance_reports').count('* as c'))[0]!.c);
}

/** The last seeded report of the deal, as a body for another period. */
async function bodyFor(dealId: string, periodEnd: string, change: (r: any) => void = () => {}) {
  const report = structuredClone((await list(dealId))[0].report);
  report.periodEnd = periodEnd;
  change(report);
  return report;
}

describe('performance reports', () => {
  it('lists the seeded history newest first with the metrics', async () => {
    const reports = await list(meridian);
    expect(reports).toHaveLength(24);
    expect(reports[0].periodEnd).toBe('2026-11-30');
    expect(reports[23].periodEnd).toBe('2024-12-31');
    for (const key of [
      'dscr',
      'dscrThreeMonthAverage',
      'ltvPercent',
      'largestTenantSharePercent',
      'top5TenantSharePercent',
      'utilizationPercent',
      'uptimePercent',
      'walTermYears',
    ]) {
      expect(typeof reports[0].metrics[key], key).toBe('string');
    }
    // One dominant tenant: Hyperscale Cloud Co. leases 90 + 36 = 126 of 216 MW = 58.33%.
    expect(reports[0].metrics.largestTenantSharePercent).toBe('58.33');
    // The demo's stress: the 3-month average dips below the 1.35× trap level and cures.
    const averages = reports
      .slice()
      .reverse()
      .map((r) => new Decimal(r.metrics.dscrThreeMonthAverage));
    const firstBelow = averages.findIndex((a) => a.lt('1.35'));
    expect(firstBelow).toBeGreaterThan(0);
    expect(averages.slice(firstBelow).some((a) => a.gte('1.35'))).toBe(true);
    const ranged = await list(meridian, '?from=2026-01-01&to=2026-03-31');
    expect(ranged.map((r) => r.periodEnd)).toEqual(['2026-03-31', '2026-02-28', '2026-01-31']);
  });

  it("files the next month: 201, version 1, metrics against the deal's debt service", async () => {
    const body = await bodyFor(meridian, '2026-12-31');
    const response = await t.http
      .post(`/api/v1/deals/${meridian}/performance-reports`)
      .set(await auth('backoffice1'))
      .send(body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ periodEnd: '2026-12-31', version: 1, reason: null });
    // Debt service for a month, by hand: interest A-2 592,500,000 × 5.25% ÷ 12 = 2,592,187.50; B 120,000,000 × 6.4% ÷ 12 = 640,000;
    // C 80,000,000 × 8.75% ÷ 12 = 583,333.333…; trustee fee 0.02% × 792,500,000 ÷ 12 = 13,208.333…; servicer 25,000;
    // no scheduled principal (the demo waterfall is interest only to the ARD: no scheduled_principal step).
    // Total 3,853,729.1666… → 3,853,729.17.
    expect(response.body.debtService).toBe('3853729.17');
    expect(response.body.noteBalance).toBe('792500000.00');
    // DSCR = (revenue − operating costs) ÷ debt service, recomputed here from the figures filed.
    const noi = new Decimal(body.revenue).minus(body.operatingCosts);
    expect(response.body.metrics.netOperatingIncome).toBe(noi.toFixed(2));
    expect(response.body.metrics.dscr).toBe(noi.div('3853729.17').toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4));
    expect((await list(meridian))[0]).toMatchObject({ periodEnd: '2026-12-31', version: 1 });
  });

  it('restates a period as a new version with who and why, keeping the old one', async () => {
    const before = await t.database.knex('performance_reports').where({ deal_id: meridian, period_end: '2026-11-30' }).select('*');
    const noReason = await t.http
      .post(`/api/v1/deals/${meridian}/performance-reports`)
      .set(await auth('backoffice1'))
      .send(await bodyFor(meridian, '2026-11-30'));
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe('RESTATEMENT_REASON_REQUIRED');
    const body = await bodyFor(meridian, '2026-11-30', (r) => {
      // The trustee finds 2,000,000 of November's revenue was December's.
      r.revenue = new Decimal(r.revenue).minus(2000000).toFixed(2);
      r.reason = 'revenue of a December invoice booked in November';
    });
    const restated = await t.http
      .post(`/api/v1/deals/${meridian}/performance-reports`)
      .set(await auth('backoffice1'))
      .send(body);
    expect(restated.status, JSON.stringify(restated.body)).toBe(201);
    expect(restated.body).toMatchObject({
      periodEnd: '2026-11-30',
      version: 2,
      reason: 'revenue of a December invoice booked in November',
    });
    expect(restated.body.recordedBy).toBeTruthy();
    // Measured against the same deal figures as version 1.
    expect(restated.body.debtService).toBe(new Decimal(before[0].debt_service).toFixed(2));
    const versions = (
      await t.http
        .get(`/api/v1/deals/${meridian}/performance-reports/2026-11-30/versions`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(versions[1].reason).toBe('revenue of a December invoice booked in November');
    expect(new Decimal(versions[0].report.revenue).minus(versions[1].report.revenue).toFixed(2)).toBe('2000000.00');
    // Nothing overwritten: version 1's row is as it was.
    const after = await t.database
      .knex('performance_reports')
      .where({ deal_id: meridian, period_end: '2026-11-30', version: 1 })
      .select('*');
    expect(after).toEqual(before);
  });

  it('averages the 3-month DSCR over the restated figures', async () => {
    const [dec, nov, oct] = await list(meridian, '?from=2026-10-01&to=2026-12-31');
    expect([dec.periodEnd, nov.periodEnd, oct.periodEnd]).toEqual(['2026-12-31', '2026-11-30', '2026-10-31']);
    expect(nov.version).toBe(2);
    // November's DSCR is version 2's: (revenue − 2,000,000 − costs) ÷ debt service.
    const novV2 = new Decimal(nov.report.revenue)
      .minus(nov.report.operatingCosts)
      .div(nov.debtService)
      .toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN);
    expect(nov.metrics.dscr).toBe(novV2.toFixed(4));
    // December's average = (Oct + Nov v2 + Dec) ÷ 3 of the published DSCRs.
    const expected = new Decimal(oct.metrics.dscr)
      .plus(nov.metrics.dscr)
      .plus(dec.metrics.dscr)
      .div(3)
      .toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN);
    expect(dec.metrics.dscrThreeMonthAverage).toBe(expected.toFixed(4));
    // …and no longer what it was published with (version 1 of November).
    const published = (await t.http.get(`/api/v1/deals/${meridian}/performance-reports/2026-12-31/versions`).set(await auth('investor1')))
      .body[0].publishedMetrics;
    expect(published.dscrThreeMonthAverage).not.toBe(dec.metrics.dscrThreeMonthAverage);
  });

  it('gives servicing the same metrics as the API (metricsForPeriod, metricHistory, by payment date)', async () => {
    const [dec, nov, oct] = await list(meridian, '?from=2026-10-01&to=2026-12-31');
    const db = t.database.knex;
    expect(metricsToWire((await metricsForPeriod(db, meridian, '2026-11-30'))!)).toEqual(nov.metrics);
    expect(await metricsForPeriod(db, meridian, '2027-01-31')).toBeNull();
    const history = await metricHistory(db, meridian, '2026-12-31', 3);
    expect(history.map((m) => m.periodEnd)).toEqual(['2026-12-31', '2026-11-30', '2026-10-31']);
    expect(history.map((m) => metricsToWire(m))).toEqual([dec.metrics, nov.metrics, oct.metrics]);
    // The 15 January 2027 payment date collects December 2026: its triggers test December's metrics.
    const values = await metricValuesForPaymentDate(db, meridian, '2027-01-15');
    expect(values?.get('dscrThreeMonthAverage')?.toFixed(4)).toBe(dec.metrics.dscrThreeMonthAverage);
    expect(await metricValuesForPaymentDate(db, meridian, '2027-01-14')).toBeNull();
  });

  const bad: [string, () => Promise<{ dealId: string; user: string; body: object }>, number, string][] = [
    [
      'negative MW',
      async () => ({
        dealId: helios,
        user: 'backoffice1',
        body: await bodyFor(helios, '2026-12-31', (r) => {
          r.sites[0].leasedMw = '-1';
        }),
      }),
      422,
      'INVALID_MW',
    ],
    [
      'utilization over 100',
      async () => ({
        dealId: helios,
        user: 'backoffice1',
        body: await bodyFor(helios, '2026-12-31', (r) => {
          r.sites[0].utilizationPercent = '100.5';
        }),
      }),
      422,
      'PERCENT_OUT_OF_RANGE',
    ],
    [
      "tenants over the site's leased MW",
      async () => ({
        dealId: helios,
        user: 'backoffice1',
        body: await bodyFor(helios, '2026-12-31', (r) => {
          r.tenants[0].leasedMw = '50';
        }),
      }),
      422,
      'TENANT_EXCEEDS_LEASED_MW',
    ],
    [
      "tenants over the sites' leased MW",
      async () => ({
        dealId: helios,
        user: 'backoffice1',
        body: await bodyFor(helios, '2026-12-31', (r) => {
          r.tenants[0].leasedMw = '50';
          delete r.tenants[0].site;
        }),
      }),
      422,
      'TENANT_EXCEEDS_LEASED_MW',
    ],
    [
      'a period that is not a month end',
      async () => ({ dealId: helios, user: 'backoffice1', body: await bodyFor(helios, '2026-12-15') }),
      422,
      'PERIOD_NOT_MONTH_END',
    ],
    [
      'a period out of order (a month skipped)',
      async () => ({ dealId: helios, user: 'backoffice1', body: await bodyFor(helios, '2027-01-31') }),
      422,
      'PERIOD_OUT_OF_ORDER',
    ],
    [
      'a period not ended yet',
      async () => ({ dealId: helios, user: 'backoffice1', body: await bodyFor(helios, '2027-03-31') }),
      422,
      'PERIOD_OUT_OF_ORDER',
    ],
    [
      'power cost above operating costs',
      async () => ({
        dealId: helios,
        user: 'backoffice1',
        body: await bodyFor(helios, '2026-12-31', (r) => {
          r.powerCost = new Decimal(r.operatingCosts).plus(1).toFixed(2);
        }),
      }),
      422,
      'POWER_COST_EXCEEDS_OPERATING_COSTS',
    ],
    [
      'an amount as a JSON number',
      async () => ({
        dealId: helios,
        user: 'backoffice1',
        body: await bodyFor(helios, '2026-12-31', (r) => {
          r.revenue = 100;
        }),
      }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an unknown deal',
      async () => ({ dealId: '00000000-0000-4000-8000-000000000000', user: 'backoffice1', body: await bodyFor(helios, '2026-12-31') }),
      404,
      'DEAL_NOT_FOUND',
    ],
    ['a dealer as writer', async () => ({ dealId: helios, user: 'dealer1', body: await bodyFor(helios, '2026-12-31') }), 403, 'FORBIDDEN'],
    [
      'an operator as writer',
      async () => ({ dealId: helios, user: 'operator1', body: await bodyFor(helios, '2026-12-31') }),
      403,
      'FORBIDDEN',
    ],
  ];
  for (const [name, make, status, code] of bad) {
    it(`refuses ${name} with ${code}, storing nothing`, async () => {
      const count = await stored();
      const { dealId, user, body } = await make();
      const response = await t.http
        .post(`/api/v1/deals/${dealId}/performance-reports`)
        .set(await auth(user))
        .send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(await stored()).toBe(count);
    });
  }

  it("compares the deals' latest metrics and exports CSV", async () => {
    const table = (
      await t.http
        .get('/api/v1/surveillance')
        .set(await auth('dealer1'))
        .expect(200)
    ).body as any[];
    expect(table.map((r) => r.dealName)).toEqual(['Helios GPU Equipment Trust 2026-A', 'Meridian Compute ABS 2026-1']);
    expect(table[1]).toMatchObject({ periodEnd: '2026-12-31', version: 1 });
    // Helios's GPU appraisals decline: LTV above Stack's 70% cap by the end of the demo history.
    expect(new Decimal(table[0].metrics.ltvPercent).gt(70)).toBe(true);
    const csv = await t.http
      .get('/api/v1/surveillance?format=csv')
      .set(await auth('dealer1'))
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toContain('deal,periodEnd,version,revenue');
    expect(lines).toHaveLength(3);
    const history = await t.http
      .get(`/api/v1/deals/${helios}/performance-reports?format=csv`)
      .set(await auth('investor1'))
      .expect(200);
    expect(history.text.trim().split('\n')).toHaveLength(25);
  });
});
