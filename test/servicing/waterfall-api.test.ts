/**
 * The step-form waterfall through HTTP, on the demo deal Meridian Compute ABS 2026-1 as seeded:
 * - its waterfall is what its description says (interest only to the ARD, then a full sweep and
 *   step-up interest; a 1.35× three-month average DSCR trap of 100% of excess cash, cured after
 *   two passing months);
 * - five monthly distributions whose trigger is fed by the performance reports (the seeded
 *   November 2026, then December 2026 to March 2027 filed through HTTP): healthy; a month whose
 *   own DSCR (1.20) is below 1.35 but whose 3-month average passes (not trapped); the average
 *   breaches (cash trapped); a passing month (still trapped: one of two cure periods); a second
 *   passing month (cured: the trapped cash released to the residual holder). No principal is paid
 *   before the ARD; the trustee report shows each trigger's value, threshold, result and cure
 *   count, and each step's cash in and out; collections are taken from the reports;
 * - a distribution whose trigger needs a report that is not filed is refused;
 * - definitions that cannot run are refused with 400 INVALID_WATERFALL naming the step, and
 *   nothing changes;
 * - the migration rewrites a stored version-1 definition in the step form.
 *
 * The clock starts on Monday 2026-12-14; business days are rolled through HTTP to each payment
 * date (the 15th rolled: 2026-12-15, 2027-01-15, 2027-02-16 (the 15th is Presidents Day),
 * 2027-03-15, 2027-04-15). Meridian's notes are 30/360; per period the interest is
 * A-2 592,500,000 × 5.25% = 31,106,250 a year = 86,406.25 a day (of 360), B 120,000,000 × 6.4% =
 * 21,333.333… a day, C 80,000,000 × 8.75% = 19,444.444… a day; fees are per period: trustee
 * 0.02% × 792,500,000 ÷ 12 = 13,208.33 + servicer 25,000 = 38,208.33.
 * - 30 days (1/12): 2,592,187.50 + 640,000.00 + 583,333.33 + 38,208.33 = 3,853,729.16;
 * - 31 days (01-15 → 02-16): 2,678,593.75 + 661,333.33 + 602,777.78 + 38,208.33 = 3,980,913.19;
 * - 29 days (02-16 → 03-15, 30/360): 2,505,781.25 + 618,666.67 + 563,888.89 + 38,208.33 = 3,726,545.14.
 * The reports' monthly debt service is 3,853,729.17 (performance-api.test.ts), so a report with net
 * operating income N has DSCR N ÷ 3,853,729.17 (4 places, half-even); the seeded October and
 * November 2026 DSCRs are 1.5931 and 1.5969 (3-month average in November 1.6977).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { fromVersion1 } from '../../server/waterfall/index.js';
import * as waterfallSteps from '../../migrations/20261206060000_waterfall_steps.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;
let notes: Record<string, string>;

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2026-12-14T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  notes = Object.fromEntries(meridian.notes.map((n) => [n.className, n.id]));
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

/** Rolls the business date (end of day, through HTTP) to the first business day on or after `date`; `exact`: that is `date`. */
async function rollTo(date: string, exact = true): Promise<void> {
  const office = await auth('backoffice1');
  let current = (await t.http.get('/api/v1/business-date').set(office).expect(200)).body.businessDate as string;
  while (current < date) current = (await t.http.post('/api/v1/business-date/roll').set(office).expect(200)).body.businessDate;
  if (exact) expect(current).toBe(date);
}

/** Files the report of the month ending `periodEnd`: November's seeded report with net operating income `noi`. */
async function fileReport(periodEnd: string, noi: string): Promise<Record<string, any>> {
  const office = await auth('backoffice1');
  await rollTo(periodEnd, false); // a month is reported once it has ended
  const latest = (await t.http.get(`/api/v1/deals/${dealId}/performance-reports`).set(office).expect(200)).body[0];
  const report = { ...structuredClone(latest.report), periodEnd, revenue: new Decimal(latest.report.operatingCosts).plus(noi).toFixed(2) };
  const filed = await t.http.post(`/api/v1/deals/${dealId}/performance-reports`).set(office).send(report);
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return filed.body;
}

/** Rolls to the payment date, records its collections from the reports (unless recorded already: null) and runs its distribution. */
async function month(reference: string | null, paymentDate: string): Promise<Record<string, any>> {
  const office = await auth('backoffice1');
  await rollTo(paymentDate);
  if (reference !== null) await t.http.post(`/api/v1/deals/${dealId}/collections`).set(office).send({ reference, paymentDate }).expect(201);
  const response = await t.http.post(`/api/v1/deals/${dealId}/distributions`).set(office).send({ paymentDate });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const money = (v: Decimal) => v.toFixed(2);
const step = (report: Record<string, any>, label: string) => report.steps.find((s: { label: string }) => s.label === label);

describe("the demo deal's waterfall", () => {
  it('is interest only to the ARD, then sweeps, with a 1.35× 3-month average DSCR trap that cures after two months', async () => {
    const w = (
      await t.http
        .get(`/api/v1/deals/${dealId}/waterfall`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(w.steps.map((s: { kind: string; className?: string }) => (s.className ? `${s.kind} ${s.className}` : s.kind))).toEqual([
      'senior_fees',
      'interest A-2',
      'interest B',
      'interest C',
      'reserve_top_up',
      'cash_trap',
      'sweep',
      'additional_interest A-2',
      'additional_interest B',
      'additional_interest C',
      'residual',
    ]);
    expect(w.steps.find((s: { kind: string }) => s.kind === 'scheduled_principal')).toBeUndefined();
    expect(w.steps[5]).toEqual({ kind: 'cash_trap', when: { ard: 'before' } });
    expect(w.steps[6]).toEqual({
      kind: 'sweep',
      mode: 'sequential',
      classes: ['A-2', 'B', 'C'],
      includeTrappedCash: true,
      when: { ard: 'from' },
    });
    expect(w.anticipatedRepaymentDate).toBe('2031-03-15');
    expect(w.triggers).toEqual([
      {
        name: 'dscr-cash-trap',
        metric: 'dscrThreeMonthAverage',
        comparison: 'lt',
        threshold: '1.35',
        lookbackPeriods: 1,
        curePeriods: 2,
        effect: { type: 'trap_cash', percent: '100' },
      },
    ]);
    expect(w.classes.map((c: { stepUpRatePercent: string }) => c.stepUpRatePercent)).toEqual(['5', '5', '5']);
    const deal = (
      await t.http
        .get(`/api/v1/deals/${dealId}`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(deal.description).toContain('interest only to the ARD');
    expect(deal.description).toContain('1.35x three-month average DSCR cash trap');
  });
});

describe('a 3-month average DSCR trap fed by the performance reports: trap, cure over two months, release, through HTTP', () => {
  const reports: Record<string, any>[] = [];

  it("month 1 (2026-12-15, November's seeded report): pays interest, fills the reserve, pays no principal and releases the rest", async () => {
    // November 2026: revenue 17,355,422.54 − operating costs 11,201,546.24 = 6,153,876.30 collected; 3-month average 1.6977 ≥ 1.35.
    // 6,153,876.30 − 3,853,729.16 = 2,300,147.14; reserve 2,000,000; no principal (interest only): 300,147.14 released.
    const r = await month('m1', '2026-12-15');
    reports.push(r);
    expect(r.metricsSource).toBe('performance_report');
    expect(r.collections.netCashFlow).toBe('6153876.30');
    expect(r.triggers).toEqual([
      expect.objectContaining({
        name: 'dscr-cash-trap',
        metric: 'dscrThreeMonthAverage',
        threshold: '1.35',
        value: '1.6977',
        breached: false,
        on: false,
        cureCount: 0,
      }),
    ]);
    expect(r.classes.map((c: any) => [c.className, c.interestPaid, c.principalPaid, c.factorAfter])).toEqual([
      ['A-2', '2592187.50', '0.00', '0.9875'],
      ['B', '640000.00', '0.00', '1'],
      ['C', '583333.33', '0.00', '1'],
    ]);
    expect([r.reserve.after, r.trappedCash.after, r.residualReleased]).toEqual(['2000000.00', '0.00', '300147.14']);
    expect(step(r, 'reserve_top_up')).toMatchObject({
      ran: true,
      availableBefore: '2300147.14',
      toReserve: '2000000.00',
      availableAfter: '300147.14',
    });
    expect(step(r, 'sweep A-2, B, C')).toMatchObject({ ran: false, paid: '0.00' });
  });

  it("refuses the next payment date while December's report is missing, and changes nothing", async () => {
    await rollTo('2027-01-15');
    const office = await auth('backoffice1');
    // Collections typed in (they need no report): the figures December's report will say (month 2).
    const november = (await t.http.get(`/api/v1/deals/${dealId}/performance-reports`).set(office).expect(200)).body[0].report;
    await t.http
      .post(`/api/v1/deals/${dealId}/collections`)
      .set(office)
      .send({
        reference: 'm2',
        paymentDate: '2027-01-15',
        revenue: new Decimal(november.operatingCosts).plus('4624475.00').toFixed(2),
        operatingCosts: november.operatingCosts,
        utilization: '90',
        uptime: '99.9',
        powerCost: november.powerCost,
      })
      .expect(201);
    // The trigger tests a metric only a report supplies: no distribution rather than an untested trap.
    const refused = await t.http.post(`/api/v1/deals/${dealId}/distributions`).set(office).send({ paymentDate: '2027-01-15' });
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({
      code: 'PERFORMANCE_REPORT_NOT_FOUND',
      details: { paymentDate: '2027-01-15', metrics: ['dscrThreeMonthAverage'] },
    });
    expect((await t.http.get(`/api/v1/deals/${dealId}/trustee-reports`).set(office).expect(200)).body).toHaveLength(1);
  });

  it("month 2 (2027-01-15): December's own DSCR 1.2000 is below 1.35, but the 3-month average 1.4633 passes: nothing trapped", async () => {
    // Collections recorded above with December's figures. December filed with net operating income 4,624,475.00: 4,624,475 ÷ 3,853,729.17 = 1.19999999… → 1.2000;
    // average (1.5931 + 1.5969 + 1.2000) ÷ 3 = 1.46333… → 1.4633 ≥ 1.35. Available 4,624,475.00 + r₁ (the cents month 1's
    // holder split left in the trust) − 3,853,729.16 = 770,745.84 + r₁; reserve full; all released.
    const december = await fileReport('2026-12-31', '4624475.00');
    expect([december.metrics.dscr, december.metrics.dscrThreeMonthAverage]).toEqual(['1.2000', '1.4633']);
    const r1 = new Decimal(reports[0]!.retainedInTrust);
    const r = await month(null, '2027-01-15');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.4633', testFailed: false, breached: false, on: false });
    expect(r.metrics.dscr).toBe('1.2');
    expect([r.trappedCash.added, r.residualReleased]).toEqual(['0.00', money(r1.plus('770745.84'))]);
  });

  it('month 3 (2027-02-16): the 3-month average 1.3323 breaches: 100% of the excess trapped', async () => {
    // January: 4,624,475.00 → 1.2000; average (1.5969 + 1.2000 + 1.2000) ÷ 3 = 1.3323 < 1.35: breached.
    // 31 days: debt service 3,980,913.19; 4,624,475.00 + r₂ − 3,980,913.19 = 643,561.81 + r₂, all trapped.
    await fileReport('2027-01-31', '4624475.00');
    const r2 = new Decimal(reports[1]!.retainedInTrust);
    const r = await month('m3', '2027-02-16');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.3323', testFailed: true, breached: true, on: true, cureCount: 0, curePeriods: 2 });
    expect(r.cashTrapActive).toBe(true);
    expect(r.classes.map((c: any) => c.interestPaid)).toEqual(['2678593.75', '661333.33', '602777.78']);
    expect([r.trappedCash.added, r.trappedCash.after, r.residualReleased]).toEqual([
      money(r2.plus('643561.81')),
      money(r2.plus('643561.81')),
      '0.00',
    ]);
    expect(step(r, 'cash_trap')).toMatchObject({
      ran: true,
      availableBefore: money(r2.plus('643561.81')),
      toTrappedCash: money(r2.plus('643561.81')),
      availableAfter: '0.00',
    });
  });

  it('month 4 (2027-03-15, first passing month, 1.4667): still on, cure count 1 of 2, traps again', async () => {
    // February: 7,707,459.00 ÷ 3,853,729.17 = 2.00000017… → 2.0000; average (1.2 + 1.2 + 2.0) ÷ 3 = 1.46666… → 1.4667 passes;
    // cure count 1 < 2: the trap stays on. 29 days: 7,707,459.00 + r₃ − 3,726,545.14 = 3,980,913.86 + r₃ trapped.
    await fileReport('2027-02-28', '7707459.00');
    const r3 = new Decimal(reports[2]!.retainedInTrust);
    const held = new Decimal(reports[2]!.trappedCash.after);
    const r = await month('m4', '2027-03-15');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.4667', testFailed: false, breached: false, on: true, cureCount: 1 });
    expect(r.classes.map((c: any) => c.interestPaid)).toEqual(['2505781.25', '618666.67', '563888.89']);
    expect([r.trappedCash.added, r.trappedCash.released, r.trappedCash.after]).toEqual([
      money(r3.plus('3980913.86')),
      '0.00',
      money(held.plus(r3).plus('3980913.86')),
    ]);
    expect(r.residualReleased).toBe('0.00');
  });

  it('month 5 (2027-04-15, second passing month, 1.6000): cured, the trapped cash released to the residual holder', async () => {
    // March: 6,166,000.00 ÷ 3,853,729.17 = 1.600008… → 1.6000; average (1.2 + 2.0 + 1.6) ÷ 3 = 1.6000; cure count 2: off.
    // 30 days: 6,166,000.00 + r₄ − 3,853,729.16 = 2,312,270.84 + r₄, plus everything held, to the residual holder.
    await fileReport('2027-03-31', '6166000.00');
    const r4 = new Decimal(reports[3]!.retainedInTrust);
    const held = new Decimal(reports[3]!.trappedCash.after);
    const r = await month('m5', '2027-04-15');
    expect(r.triggers[0]).toMatchObject({ value: '1.6', breached: false, on: false, cureCount: 2 });
    expect(r.cashTrapActive).toBe(false);
    expect([r.trappedCash.released, r.trappedCash.after, r.residualReleased]).toEqual([
      money(held),
      '0.00',
      money(held.plus(r4).plus('2312270.84')),
    ]);
    expect(step(r, 'cash_trap')).toMatchObject({ fromTrappedCash: money(held) });
    // Still no principal before the ARD.
    expect(r.classes.every((c: any) => c.principalPaid === '0.00' && c.factorAfter === c.factorBefore)).toBe(true);
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

describe('definitions that cannot run', () => {
  async function current() {
    return (
      await t.http
        .get(`/api/v1/deals/${dealId}/waterfall`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
  }
  const cases: Array<[string, (w: any) => void, number, object]> = [
    [
      'an unknown class',
      (w) => {
        w.steps[6].classes = ['A-2', 'Z'];
      },
      400,
      { step: 6, kind: 'sweep' },
    ],
    [
      "steps out of order (C's interest before B's)",
      (w) => {
        [w.steps[2], w.steps[3]] = [w.steps[3], w.steps[2]];
      },
      400,
      { step: 3, kind: 'interest' },
    ],
    [
      'a cycle (trapped cash swept in the same period it was trapped)',
      (w) => {
        delete w.steps[5].when;
      },
      400,
      { step: 6, kind: 'sweep' },
    ],
    [
      'an unknown metric',
      (w) => {
        w.triggers[0].metric = 'mood';
      },
      400,
      { trigger: 'dscr-cash-trap' },
    ],
    [
      'an unknown trigger reference',
      (w) => {
        w.steps[5].when = { ard: 'before', triggerOn: 'ghost' };
      },
      400,
      { step: 5, kind: 'cash_trap' },
    ],
    [
      'a class that is not a note of the deal',
      (w) => {
        w.classes[2].noteId = '00000000-0000-4000-8000-000000000000';
      },
      400,
      { noteId: '00000000-0000-4000-8000-000000000000', className: 'C' },
    ],
  ];
  for (const [name, change, status, details] of cases) {
    it(`refuses ${name} with ${status} INVALID_WATERFALL naming it, and changes nothing`, async () => {
      const before = await current();
      const body = structuredClone(before);
      change(body);
      const response = await t.http
        .put(`/api/v1/deals/${dealId}/waterfall`)
        .set(await auth('backoffice1'))
        .send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.code).toBe('INVALID_WATERFALL');
      expect(response.body.error.details).toEqual(details);
      expect(await current()).toEqual(before);
    });
  }

  it('refuses a waterfall from an investor', async () => {
    const before = await current();
    await t.http
      .put(`/api/v1/deals/${dealId}/waterfall`)
      .set(await auth('investor1'))
      .send(before)
      .expect(403);
  });
});

describe('the migration', () => {
  it('rewrites a stored version-1 definition in the step form', async () => {
    const knex = t.database.knex;
    const seeded = (await knex('deal_waterfalls').where({ deal_id: dealId }).first('definition')).definition;
    const v1 = {
      version: 1 as const,
      paymentsPerYear: 12 as const,
      recordDate: 'business-day-before-payment-date' as const,
      seniorFees: [
        { name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' },
        { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' },
      ],
      classes: ['A-2', 'B', 'C'].map((className) => ({ noteId: notes[className]!, className })),
      reserve: { targetAmount: '2000000' },
      principal: { mode: 'sequential' as const, scheduledPerPeriod: '1000000' },
      cashTrap: { dscrThreshold: '1.35', trapPercent: '100' },
      anticipatedRepaymentDate: '2031-03-15',
    };
    // Back to the schema before the migration, with the definition as it was stored then.
    await waterfallSteps.down(knex);
    await knex('deal_waterfalls')
      .where({ deal_id: dealId })
      .update({ definition: JSON.stringify(v1) });
    await waterfallSteps.up(knex);
    const stored = (await knex('deal_waterfalls').where({ deal_id: dealId }).first('definition')).definition;
    expect(typeof stored === 'string' ? JSON.parse(stored) : stored).toEqual(JSON.parse(JSON.stringify(fromVersion1(v1))));
    expect(
      (
        await t.http
          .get(`/api/v1/deals/${dealId}/waterfall`)
          .set(await auth('investor1'))
          .expect(200)
      ).body.steps[5],
    ).toMatchObject({ kind: 'scheduled_principal', amountPerPeriod: '1000000' });
    // The new columns are back with their defaults.
    expect(await knex('deal_servicing_state').where({ deal_id: dealId }).first('trigger_state')).toEqual({ trigger_state: {} });
    await knex('deal_waterfalls')
      .where({ deal_id: dealId })
      .update({ definition: JSON.stringify(typeof seeded === 'string' ? JSON.parse(seeded) : seeded) });
  });
});
