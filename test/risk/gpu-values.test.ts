/**
 * GPU collateral marked over time, through HTTP on the demo market (business date 2026-12-14):
 * - the demo index (per-GPU values falling 30% a year: hand-checked points);
 * - the operator's series: replace, read, refuse bad series (nothing changed), others may not load;
 * - a deal's LTV per date: at a report's date the marked LTV is the report's; after it the GPU
 *   line moves with the index (recomputed independently from the report's figures);
 * - servicing tests an LTV trigger against the marked LTV on the payment date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { roundHalfEven } from '../../server/domain/rounding.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
const deals = new Map<string, string>();

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2026-12-14T12:00:00Z')) });
  for (const d of (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[])
    deals.set(d.name, d.id);
});
afterAll(async () => t.close());

const enc = encodeURIComponent;

describe('GPU value series', () => {
  it('seeds the demo index: per-GPU values falling 30% a year', async () => {
    const list = (
      await t.http
        .get('/api/v1/gpu-values')
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(list.map((s: any) => s.model)).toEqual(['NVIDIA GB200 NVL72', 'NVIDIA H100 SXM', 'NVIDIA H200 HGX']);
    const h200 = (
      await t.http
        .get(`/api/v1/gpu-values/${enc('NVIDIA H200 HGX')}`)
        .set(await auth('dealer1'))
        .expect(200)
    ).body;
    expect(h200.kind).toBe('valueUsd');
    const at = (date: string) => h200.points.find((p: any) => p.date === date)?.valueUsd;
    // 32,000 on 2024-12-31; a year later × 0.7 = 22,400; two years (730 days) later × 0.49 = 15,680 (not loaded: after 2026-12-04).
    expect(at('2024-12-31')).toBe('32000');
    expect(at('2025-12-31')).toBe('22400');
    // 2025-07-04 is 185 days in: 0.7^(185/365) = e^(−0.356675 × 0.506849) = e^(−0.180781) = 0.834616,
    // × 32,000 = 26,707.7… → 26,708.
    expect(at('2025-07-04')).toBe('26708');
    expect(h200.points.at(-1).date).toBe('2026-12-04');
  });

  it('lets the operator replace a series; refuses bad ones (nothing changed); others may not load; unknown → 404', async () => {
    const op = await auth('operator1');
    const model = 'Test GPU X1';
    expect(
      (
        await t.http
          .get(`/api/v1/gpu-values/${enc(model)}`)
          .set(op)
          .expect(404)
      ).body.error.code,
    ).toBe('GPU_VALUES_NOT_FOUND');
    const series = {
      points: [
        { date: '2026-01-31', indexValue: '100' },
        { date: '2026-06-30', indexValue: '82.5' },
      ],
    };
    expect(
      (
        await t.http
          .put(`/api/v1/gpu-values/${enc(model)}`)
          .set(op)
          .send(series)
          .expect(200)
      ).body,
    ).toEqual({
      model,
      kind: 'indexValue',
      points: [
        { date: '2026-01-31', indexValue: '100' },
        { date: '2026-06-30', indexValue: '82.5' },
      ],
    });
    for (const bad of [
      { points: [] },
      {
        points: [
          { date: '2026-01-31', indexValue: '100' },
          { date: '2026-02-28', valueUsd: '9000' },
        ],
      },
      {
        points: [
          { date: '2026-01-31', indexValue: '100' },
          { date: '2026-01-31', indexValue: '90' },
        ],
      },
      { points: [{ date: '2026-01-31', indexValue: '-1' }] },
      { points: [{ date: '2026-01-31', indexValue: '0' }] },
      { points: [{ date: '2026-02-30', indexValue: '1' }] },
      { points: [{ date: '2026-01-31', indexValue: '1', valueUsd: '1' }] },
    ]) {
      const r = await t.http
        .put(`/api/v1/gpu-values/${enc(model)}`)
        .set(op)
        .send(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(
      (
        await t.http
          .get(`/api/v1/gpu-values/${enc(model)}`)
          .set(op)
          .expect(200)
      ).body.points,
    ).toHaveLength(2);
    await t.http
      .put(`/api/v1/gpu-values/${enc(model)}`)
      .set(await auth('backoffice1'))
      .send(series)
      .expect(403);
    await t.http
      .put(`/api/v1/gpu-values/${enc(model)}`)
      .set(await auth('investor1'))
      .send(series)
      .expect(403);
  });
});

describe("a deal's LTV marked by the index", () => {
  it("equals the report's LTV on the report's date and moves with the index after it (recomputed from the report)", async () => {
    const helios = deals.get('Helios GPU Equipment Trust 2026-A')!;
    const ltv = (
      await t.http
        .get(`/api/v1/deals/${helios}/ltv`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(ltv.businessDate).toBe('2026-12-14');
    expect(ltv.thresholds).toEqual([]); // Helios has no LTV trigger
    const report = (
      await t.http
        .get(`/api/v1/deals/${helios}/performance-reports`)
        .set(await auth('investor1'))
        .expect(200)
    ).body[0];
    expect(report.periodEnd).toBe('2026-11-30');
    const onNov30 = ltv.points.find((p: any) => p.date === '2026-11-30');
    expect(onNov30).toMatchObject({ reportPeriodEnd: '2026-11-30', markedLtvPercent: report.metrics.ltvPercent });
    expect(onNov30.reportedLtvPercent).toBe(report.metrics.ltvPercent);
    // 2026-12-04, a Friday point of the index after November's appraisal (dated 2026-11-30):
    // H200 per GPU 32,000 × 0.7^(699/365) on 11-30 and × 0.7^(703/365) on 12-04 (the demo's rounding to dollars).
    const value = (days: number) => new Decimal(32000).mul(new Decimal('0.7').pow(new Decimal(days).div(365))).toDecimalPlaces(0);
    const fleet = report.report.gpuFleet[0];
    expect(fleet.appraisalDate).toBe('2026-11-30');
    const marked = roundHalfEven(new Decimal(fleet.appraisedValue).mul(value(703)).div(value(699)), 2);
    const sites = report.report.sites.reduce((a: Decimal, s: any) => a.plus(s.appraisedValue), new Decimal(0));
    const onDec4 = ltv.points.find((p: any) => p.date === '2026-12-04');
    expect(onDec4.gpuValueMarked).toBe(marked.toFixed(2));
    expect(onDec4.gpuValueAppraised).toBe(new Decimal(fleet.appraisedValue).toFixed(2));
    expect(onDec4.markedLtvPercent).toBe(roundHalfEven(new Decimal(report.noteBalance).div(sites.plus(marked)).mul(100), 2).toFixed(2));
    expect(new Decimal(onDec4.markedLtvPercent).gt(onDec4.reportedLtvPercent)).toBe(true);
    // The business date is the last point; no index point after 12-04, so its mark is 12-04's.
    expect(ltv.points.at(-1)).toMatchObject({ date: '2026-12-14', gpuValueMarked: marked.toFixed(2) });
    // Dates in order, one per input change.
    const dates = ltv.points.map((p: any) => p.date);
    expect([...dates].sort()).toEqual(dates);
    await t.http
      .get('/api/v1/deals/00000000-0000-4000-8000-000000000000/ltv')
      .set(await auth('investor1'))
      .expect(404);
  });

  it('servicing tests an LTV trigger against the marked LTV on the payment date', async () => {
    const meridian = deals.get('Meridian Compute ABS 2026-1')!;
    const office = await auth('backoffice1');
    const op = await auth('operator1');
    const report = (await t.http.get(`/api/v1/deals/${meridian}/performance-reports`).set(office).expect(200)).body[0];
    expect(report.periodEnd).toBe('2026-11-30');
    // The operator loads an index for Meridian's fleet that halves by the payment date.
    await t.http
      .put(`/api/v1/gpu-values/${enc('NVIDIA GB200 NVL72')}`)
      .set(op)
      .send({
        points: [
          { date: '2026-11-30', indexValue: '100' },
          { date: '2026-12-11', indexValue: '50' },
        ],
      })
      .expect(200);
    // Hand: marked LTV = note balance ÷ (sites + GPU appraisal × 50/100) × 100.
    const sites = report.report.sites.reduce((a: Decimal, s: any) => a.plus(s.appraisedValue), new Decimal(0));
    const gpu = roundHalfEven(new Decimal(report.report.gpuFleet[0].appraisedValue).mul(50).div(100), 2);
    const marked = roundHalfEven(new Decimal(report.noteBalance).div(sites.plus(gpu)).mul(100), 2);
    const reported = new Decimal(report.metrics.ltvPercent);
    expect(marked.gt(reported)).toBe(true);
    // An LTV trap halfway between: the reported LTV passes it, the marked one breaches it.
    const threshold = roundHalfEven(marked.plus(reported).div(2), 2).toFixed(2);
    const waterfall = (await t.http.get(`/api/v1/deals/${meridian}/waterfall`).set(office).expect(200)).body;
    waterfall.triggers.push({
      name: 'ltv-trap',
      metric: 'ltvPercent',
      comparison: 'gt',
      threshold,
      lookbackPeriods: 1,
      curePeriods: 1,
      effect: { type: 'trap_cash', percent: '100' },
    });
    const put = await t.http.put(`/api/v1/deals/${meridian}/waterfall`).set(office).send(waterfall);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const ltv = (await t.http.get(`/api/v1/deals/${meridian}/ltv`).set(office).expect(200)).body;
    expect(ltv.thresholds).toEqual([{ name: 'ltv-trap', comparison: 'gt', threshold }]);
    expect(ltv.points.find((p: any) => p.date === '2026-12-11').markedLtvPercent).toBe(marked.toFixed(2));

    await t.http.post('/api/v1/business-date/roll').set(office).expect(200); // 2026-12-15
    await t.http
      .post(`/api/v1/deals/${meridian}/collections`)
      .set(office)
      .send({ reference: 'ltv-1', paymentDate: '2026-12-15' })
      .expect(201);
    const distribution = await t.http.post(`/api/v1/deals/${meridian}/distributions`).set(office).send({ paymentDate: '2026-12-15' });
    expect(distribution.status, JSON.stringify(distribution.body)).toBe(201);
    expect(distribution.body.triggers.find((x: any) => x.name === 'ltv-trap')).toMatchObject({
      metric: 'ltvPercent',
      threshold,
      value: marked.toFixed(2),
      breached: true,
      on: true,
    });
    expect(new Decimal(distribution.body.trappedCash.after).gt(0)).toBe(true);
  });
});

describe('concurrent replacements', () => {
  it('two replacements of one series at once both succeed and the series is one of them, whole', async () => {
    const op = await auth('operator1');
    const model = 'Test GPU Race';
    const series = (level: string) => ({
      points: Array.from({ length: 40 }, (_, i) => ({
        date: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`,
        indexValue: level,
      })),
    });
    const answers = await Promise.all(
      ['1', '2', '3'].map((level) =>
        t.http
          .put(`/api/v1/gpu-values/${enc(model)}`)
          .set(op)
          .send(series(level)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const stored = (
      await t.http
        .get(`/api/v1/gpu-values/${enc(model)}`)
        .set(op)
        .expect(200)
    ).body.points;
    expect(stored).toHaveLength(40);
    expect(new Set(stored.map((p: any) => p.indexValue)).size).toBe(1);
  });
});
