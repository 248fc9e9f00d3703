/**
 * Collections by the deal's calendar and from the performance report (issue 15 item 3, issue 16
 * item 3), through HTTP on the demo deal Meridian (pays monthly on the 15th):
 * - the payment date must be one of the deal's, the period is derived (a wrong one is refused),
 *   utilization and uptime are required with the other figures, power cost is part of the costs;
 * - a collection sent without figures takes them from the period's performance report and links it;
 * - a restated report no longer agrees: reconciliation names the difference;
 * - a correction before the distribution reverses and replaces the collection (both kept, who and
 *   why), the books agree again, and the distribution pays on the corrected figures;
 * - after the distribution a correction is refused.
 * Each of these failed before: a collection carried any date and period, and could not be corrected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
  dealId = deals.find((d) => d.name.startsWith('Meridian'))!.id;
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function trustCash(): Promise<string> {
  const row = await t.database.knex('ledger_accounts').where({ system_code: 'trust', asset: 'USD' }).first('total');
  return new Decimal(row?.total ?? 0).toFixed(2);
}

async function breaks() {
  return (
    await t.http
      .get('/api/v1/reconciliation')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body.breaks as { kind: string; entity: string; expected: string; actual: string; difference: string; message: string }[];
}

const post = async (body: object) =>
  t.http
    .post(`/api/v1/deals/${dealId}/collections`)
    .set(await auth('backoffice1'))
    .send(body);
const figures = { revenue: '9000000.00', operatingCosts: '2000000.00', utilization: '91', uptime: '99.9', powerCost: '1200000.00' };

describe("collections follow the deal's calendar", () => {
  it('lists the payment dates with their collection periods', async () => {
    const calendar = (
      await t.http
        .get(`/api/v1/deals/${dealId}/collection-calendar?count=3`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    // 2026-11-15 is a Sunday: paid on Monday 16 November; it collects October.
    expect(calendar).toEqual([
      { paymentDate: '2026-11-16', couponDate: '2026-11-15', periodStart: '2026-10-01', periodEnd: '2026-10-31', distributed: false },
      { paymentDate: '2026-12-15', couponDate: '2026-12-15', periodStart: '2026-11-01', periodEnd: '2026-11-30', distributed: false },
      { paymentDate: '2027-01-15', couponDate: '2027-01-15', periodStart: '2026-12-01', periodEnd: '2026-12-31', distributed: false },
    ]);
  });

  const refused: [string, object, number, string][] = [
    ['a date that is not a payment date (the 10th)', { reference: 'r1', paymentDate: '2026-12-10', ...figures }, 422, 'NOT_A_PAYMENT_DATE'],
    [
      "a typed period other than the deal's (start = end = payment date)",
      { reference: 'r2', paymentDate: '2027-01-15', periodStart: '2027-01-15', periodEnd: '2027-01-15', ...figures },
      422,
      'COLLECTION_PERIOD_MISMATCH',
    ],
    [
      'figures without utilization and uptime',
      { reference: 'r3', paymentDate: '2027-01-15', revenue: '9000000.00', operatingCosts: '2000000.00', powerCost: '0' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a power cost above the operating costs',
      { reference: 'r4', paymentDate: '2027-01-15', ...figures, powerCost: '2000000.01' },
      422,
      'POWER_COST_EXCEEDS_OPERATING_COSTS',
    ],
    [
      'no figures while the period has no performance report',
      { reference: 'r5', paymentDate: '2027-01-15' },
      404,
      'PERFORMANCE_REPORT_NOT_FOUND',
    ],
  ];
  for (const [name, body, status, code] of refused) {
    it(`refuses ${name} with ${code}, recording nothing`, async () => {
      const before = await trustCash();
      const response = await post(body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(await trustCash()).toBe(before);
      expect(Number((await t.database.knex('servicing_collections').count('* as c'))[0]!.c)).toBe(0);
    });
  }
  it('names the next payment date when refusing one', async () => {
    const response = await post({ reference: 'r6', paymentDate: '2026-12-10', ...figures });
    expect(response.body.error.details.nextPaymentDate).toBe('2026-12-15');
  });
});

describe('collections from the performance report, corrected before the distribution', () => {
  let december: any;
  let collectionId: string;

  it("takes the figures from the period's report and links it", async () => {
    // File December's report: November's seeded figures, for December.
    const last = (await t.http.get(`/api/v1/deals/${dealId}/performance-reports`).set(await auth('backoffice1'))).body[0];
    december = { ...structuredClone(last.report), periodEnd: '2026-12-31' };
    const filed = await t.http
      .post(`/api/v1/deals/${dealId}/performance-reports`)
      .set(await auth('backoffice1'))
      .send(december);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const before = new Decimal(await trustCash());
    const response = await post({ reference: 'jan-2027', paymentDate: '2027-01-15' });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    collectionId = response.body.id;
    expect(response.body).toMatchObject({
      version: 1,
      status: 'active',
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
      revenue: new Decimal(december.revenue).toFixed(2),
      operatingCosts: new Decimal(december.operatingCosts).toFixed(2),
      powerCost: new Decimal(december.powerCost).toFixed(2),
      utilization: filed.body.metrics.utilizationPercent,
      uptime: filed.body.metrics.uptimePercent,
      operatingCostBreakdown: {
        power: new Decimal(december.powerCost).toFixed(2),
        other: new Decimal(december.operatingCosts).minus(december.powerCost).toFixed(2),
      },
    });
    expect(response.body.performanceReportIds).toHaveLength(1);
    expect(new Decimal(await trustCash()).minus(before).toFixed(2)).toBe(
      new Decimal(december.revenue).minus(december.operatingCosts).toFixed(2),
    );
    expect(await breaks()).toEqual([]);
  });

  it('names the difference when the report is restated', async () => {
    const restated = await t.http
      .post(`/api/v1/deals/${dealId}/performance-reports`)
      .set(await auth('backoffice1'))
      .send({
        ...december,
        revenue: new Decimal(december.revenue).minus('250000').toFixed(2),
        reason: 'a tenant credit note for December',
      });
    expect(restated.status).toBe(201);
    const found = await breaks();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'collection_report_mismatch',
      entity: `collection:${collectionId}`,
      expected: new Decimal(december.revenue).minus('250000').toFixed(2),
      actual: new Decimal(december.revenue).toFixed(2),
      difference: '250000.00',
    });
    expect(found[0]!.message).toContain('revenue');
  });

  it('corrects the collection as a new version that reverses and replaces the old one', async () => {
    const before = new Decimal(await trustCash());
    const corrected = await t.http
      .post(`/api/v1/deals/${dealId}/collections/jan-2027/corrections`)
      .set(await auth('backoffice1'))
      .send({ reason: 'December report restated' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(201);
    expect(corrected.body).toMatchObject({
      reference: 'jan-2027',
      version: 2,
      status: 'active',
      supersedesId: collectionId,
      reason: 'December report restated',
      revenue: new Decimal(december.revenue).minus('250000').toFixed(2),
    });
    expect(corrected.body.recordedBy).toBeTruthy();
    // The trust holds 250,000 less: the old entry reversed, the new one posted.
    expect(before.minus(await trustCash()).toFixed(2)).toBe('250000.00');
    const all = (
      await t.http
        .get(`/api/v1/deals/${dealId}/collections`)
        .set(await auth('backoffice1'))
        .expect(200)
    ).body;
    expect(all.map((c: any) => [c.version, c.status])).toEqual([
      [1, 'superseded'],
      [2, 'active'],
    ]);
    expect(all[0].reversalEntryId).toBeTruthy();
    expect(all[0].revenue).toBe(new Decimal(december.revenue).toFixed(2));
    expect(await breaks()).toEqual([]);
    // The original request again answers the original version; other figures under the reference conflict.
    const replay = await post({ reference: 'jan-2027', paymentDate: '2027-01-15', ...figures });
    expect(replay.status).toBe(409);
  });

  it('distributes the corrected figures, then refuses another correction', async () => {
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .expect(200);
    const report = await t.http
      .post(`/api/v1/deals/${dealId}/distributions`)
      .set(await auth('backoffice1'))
      .send({ paymentDate: '2027-01-15' });
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    expect(report.body.collections.revenue).toBe(new Decimal(december.revenue).minus('250000').toFixed(2));
    const late = await t.http
      .post(`/api/v1/deals/${dealId}/collections/jan-2027/corrections`)
      .set(await auth('backoffice1'))
      .send({ reason: 'too late', ...figures });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('WRONG_STATE');
    const unknown = await t.http
      .post(`/api/v1/deals/${dealId}/collections/nope/corrections`)
      .set(await auth('backoffice1'))
      .send({ reason: 'x', ...figures });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('COLLECTION_NOT_FOUND');
    expect(await breaks()).toEqual([]);
  });
});
