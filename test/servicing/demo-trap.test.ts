/**
 * The demo's stress, as the trustee reports show it: Meridian's seeded performance reports dip
 * below its 1.35× three-month average DSCR trap for March to May 2026 and pass in June and July
 * (server/demo/performance.ts), so distributions on the payment dates 2026-04-15 to 2026-08-17,
 * with collections taken from those reports, trap the excess cash and release it after the two
 * cure periods. Everything through HTTP on the seeded demo, business days rolled to each date.
 *
 * By hand (30/360; interest a day of 360: A-2 86,406.25, B 21,333.333…, C 19,444.444…; fees
 * 38,208.33 a period; reserve target 2,000,000, empty before the first distribution):
 * - 30-day periods (03-15→04-15, 04-15→05-15, 05-15→06-15, 06-15→07-15): debt service
 *   2,592,187.50 + 640,000.00 + 583,333.33 + 38,208.33 = 3,853,729.16;
 * - 07-15→08-17 (the 15th is a Saturday): 32 days: 2,765,000.00 + 682,666.67 + 622,222.22 +
 *   38,208.33 = 4,108,097.22.
 * Net operating income of the seeded months (revenue − operating costs): March 4,901,659.29,
 * April 4,928,753.00, May 4,884,187.33, June 7,345,702.94, July 7,230,971.14; their 3-month
 * average DSCRs 1.3041, 1.2039, 1.2728, 1.4842, 1.6833. r₁…r₄: the cents each distribution's
 * holder split leaves in the trust (read from the previous trustee report).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2026-04-14T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
  dealId = deals.find((d) => d.name.startsWith('Meridian'))!.id;
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

/** Rolls to the payment date, records its collections from the seeded report and runs the distribution. */
async function distribute(paymentDate: string): Promise<Record<string, any>> {
  const office = await auth('backoffice1');
  let current = (await t.http.get('/api/v1/business-date').set(office).expect(200)).body.businessDate as string;
  while (current < paymentDate) current = (await t.http.post('/api/v1/business-date/roll').set(office).expect(200)).body.businessDate;
  expect(current).toBe(paymentDate);
  await t.http
    .post(`/api/v1/deals/${dealId}/collections`)
    .set(office)
    .send({ reference: `demo-${paymentDate}`, paymentDate })
    .expect(201);
  const response = await t.http.post(`/api/v1/deals/${dealId}/distributions`).set(office).send({ paymentDate });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const money = (v: Decimal) => v.toFixed(2);

describe('the seeded 3-month DSCR dip in the trustee reports', () => {
  const reports: Record<string, any>[] = [];
  const retained = (i: number) => new Decimal(reports[i]!.retainedInTrust);

  it('2026-04-15 (March, 1.3041): breached; the excess first refills the empty reserve, nothing left to trap', async () => {
    // 4,901,659.29 − 3,853,729.16 = 1,047,930.13, all to the reserve (below its 2,000,000 target).
    const r = await distribute('2026-04-15');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ metric: 'dscrThreeMonthAverage', value: '1.3041', breached: true, on: true, cureCount: 0 });
    expect([r.collections.netCashFlow, r.reserve.after, r.trappedCash.added, r.residualReleased]).toEqual([
      '4901659.29',
      '1047930.13',
      '0.00',
      '0.00',
    ]);
  });

  it('2026-05-15 (April, 1.2039): the reserve filled, the rest trapped', async () => {
    // 4,928,753.00 + r₁ − 3,853,729.16 = 1,075,023.84 + r₁; reserve 2,000,000 − 1,047,930.13 = 952,069.87; trapped 122,953.97 + r₁.
    const r = await distribute('2026-05-15');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.2039', breached: true, on: true });
    expect([r.reserve.after, r.trappedCash.added, r.residualReleased]).toEqual([
      '2000000.00',
      money(retained(0).plus('122953.97')),
      '0.00',
    ]);
  });

  it('2026-06-15 (May, 1.2728): still breached, trapped', async () => {
    // 4,884,187.33 + r₂ − 3,853,729.16 = 1,030,458.17 + r₂ trapped.
    const r = await distribute('2026-06-15');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.2728', breached: true, on: true, cureCount: 0 });
    expect([r.trappedCash.added, r.residualReleased]).toEqual([money(retained(1).plus('1030458.17')), '0.00']);
  });

  it('2026-07-15 (June, 1.4842): passes once, still on (cure 1 of 2), trapped', async () => {
    // 7,345,702.94 + r₃ − 3,853,729.16 = 3,491,973.78 + r₃ trapped.
    const r = await distribute('2026-07-15');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.4842', breached: false, on: true, cureCount: 1 });
    expect([r.trappedCash.added, r.residualReleased]).toEqual([money(retained(2).plus('3491973.78')), '0.00']);
  });

  it('2026-08-17 (July, 1.6833): cured; everything trapped released to the residual holder', async () => {
    // Held: (122,953.97 + r₁) + (1,030,458.17 + r₂) + (3,491,973.78 + r₃) = 4,645,385.92 + r₁ + r₂ + r₃.
    // This period: 7,230,971.14 + r₄ − 4,108,097.22 = 3,122,873.92 + r₄, released with the held cash.
    const held = new Decimal('4645385.92').plus(retained(0)).plus(retained(1)).plus(retained(2));
    expect(reports[3]!.trappedCash.after).toBe(money(held));
    const r = await distribute('2026-08-17');
    expect(r.triggers[0]).toMatchObject({ value: '1.6833', breached: false, on: false, cureCount: 2 });
    expect(r.classes.map((c: any) => c.interestPaid)).toEqual(['2765000.00', '682666.67', '622222.22']);
    expect([r.trappedCash.released, r.trappedCash.after, r.residualReleased]).toEqual([
      money(held),
      '0.00',
      money(held.plus(retained(3)).plus('3122873.92')),
    ]);
    expect(
      (
        await t.http
          .get('/api/v1/reconciliation')
          .set(await auth('backoffice1'))
          .expect(200)
      ).body.breaks,
    ).toEqual([]);
  });
});
