/**
 * The step-form waterfall through HTTP, on the demo deal Meridian Compute ABS 2026-1 as seeded:
 * - its waterfall is what its description says (interest only to the ARD, then a full sweep and
 *   step-up interest; a 1.35× DSCR trap of 100% of excess cash, cured after two passing months);
 * - four distributions: a healthy month, a month the DSCR breaches 1.35× (cash trapped), a
 *   passing month (still trapped: one of two cure periods), a second passing month (cured: the
 *   trapped cash released to the residual holder); no principal is paid before the ARD; the
 *   trustee report shows each trigger's value, threshold, result and cure count, and each step's
 *   cash in and out;
 * - definitions that cannot run are refused with 400 INVALID_WATERFALL naming the step, and
 *   nothing changes;
 * - the migration rewrites a stored version-1 definition in the step form.
 *
 * The clock starts on Monday 2027-03-01, so the distributions fall on 03-02, 03-03, 03-04 and
 * 03-05. Meridian's notes are 30/360: the first period (02-02 → 03-02) is 1/12 of a year, the
 * next ones one day, 1/360.
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
  t = await startTestService({ clock: new ManualClock(new Date('2027-03-01T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string; notes: { id: string; className: string }[] }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  notes = Object.fromEntries(meridian.notes.map((n) => [n.className, n.id]));
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

/** Rolls to the next business day, records `net` of collections for it and runs its distribution. */
async function month(reference: string, net: string): Promise<Record<string, any>> {
  const office = await auth('backoffice1');
  const paymentDate = (await t.http.post('/api/v1/business-date/roll').set(office).expect(200)).body.businessDate;
  await t.http.post(`/api/v1/deals/${dealId}/collections`).set(office).send({
    reference, paymentDate, periodStart: paymentDate, periodEnd: paymentDate, revenue: new Decimal(net).plus(1000000).toFixed(2), operatingCosts: '1000000.00',
    utilization: '90', uptime: '99.9', powerCost: '400000.00',
  }).expect(201);
  return (await t.http.post(`/api/v1/deals/${dealId}/distributions`).set(office).send({ paymentDate }).expect(201)).body;
}

const money = (v: Decimal) => v.toFixed(2);
const step = (report: Record<string, any>, label: string) => report.steps.find((s: { label: string }) => s.label === label);

describe('the demo deal\'s waterfall', () => {
  it('is interest only to the ARD, then sweeps, with a 1.35× DSCR trap that cures after two months', async () => {
    const w = (await t.http.get(`/api/v1/deals/${dealId}/waterfall`).set(await auth('investor1')).expect(200)).body;
    expect(w.steps.map((s: { kind: string; className?: string }) => (s.className ? `${s.kind} ${s.className}` : s.kind))).toEqual([
      'senior_fees', 'interest A-2', 'interest B', 'interest C', 'reserve_top_up', 'cash_trap', 'sweep',
      'additional_interest A-2', 'additional_interest B', 'additional_interest C', 'residual',
    ]);
    expect(w.steps.find((s: { kind: string }) => s.kind === 'scheduled_principal')).toBeUndefined();
    expect(w.steps[5]).toEqual({ kind: 'cash_trap', when: { ard: 'before' } });
    expect(w.steps[6]).toEqual({ kind: 'sweep', mode: 'sequential', classes: ['A-2', 'B', 'C'], includeTrappedCash: true, when: { ard: 'from' } });
    expect(w.anticipatedRepaymentDate).toBe('2031-03-15');
    expect(w.triggers).toEqual([{ name: 'dscr-cash-trap', metric: 'dscr', comparison: 'lt', threshold: '1.35', lookbackPeriods: 1, curePeriods: 2, effect: { type: 'trap_cash', percent: '100' } }]);
    expect(w.classes.map((c: { stepUpRatePercent: string }) => c.stepUpRatePercent)).toEqual(['5', '5', '5']);
    const deal = (await t.http.get(`/api/v1/deals/${dealId}`).set(await auth('investor1')).expect(200)).body;
    expect(deal.description).toContain('interest only to the ARD');
  });
});

describe('a trap, a cure over two months and the release, through HTTP', () => {
  const reports: Record<string, any>[] = [];

  it('month 1 (healthy): pays interest, fills the reserve, pays no principal and releases the rest', async () => {
    // As in distributions-api.test.ts: fees 38,208.33, interest 2,592,187.50 + 640,000.00 + 583,333.33; DSCR
    // 7,000,000 / 3,853,729.16 = 1.8164… ≥ 1.35. 7,000,000 − 3,853,729.16 = 3,146,270.84; reserve 2,000,000;
    // no principal (interest only): 1,146,270.84 released; A-2's factor stays 0.9875.
    const r = await month('m1', '7000000');
    reports.push(r);
    expect(r.triggers).toEqual([expect.objectContaining({ name: 'dscr-cash-trap', metric: 'dscr', threshold: '1.35', breached: false, on: false, cureCount: 0 })]);
    expect(r.triggers[0].value).toBe('1.8164224078');
    expect(r.classes.map((c: any) => [c.className, c.interestPaid, c.principalPaid, c.factorAfter])).toEqual([
      ['A-2', '2592187.50', '0.00', '0.9875'], ['B', '640000.00', '0.00', '1'], ['C', '583333.33', '0.00', '1'],
    ]);
    expect([r.reserve.after, r.trappedCash.after, r.residualReleased]).toEqual(['2000000.00', '0.00', '1146270.84']);
    expect(step(r, 'reserve_top_up')).toMatchObject({ ran: true, availableBefore: '3146270.84', toReserve: '2000000.00', availableAfter: '1146270.84' });
    expect(step(r, 'sweep A-2, B, C')).toMatchObject({ ran: false, paid: '0.00' });
  });

  it('month 2 (DSCR 1.2092…): traps 100% of the excess', async () => {
    // One day of interest (1/360): A-2 592,500,000 × 5.25% / 360 = 86,406.25; B 120,000,000 × 6.4% / 360 = 21,333.33;
    // C 80,000,000 × 8.75% / 360 = 19,444.44; fees are per period: 38,208.33. Debt service 165,392.35.
    // DSCR 200,000 / 165,392.35 = 1.2092457722… < 1.35: breached. Available: 200,000 plus the cents month 1's holder
    // split left in the trust (r₁); reserve full; excess 200,000 + r₁ − 165,392.35 = 34,607.65 + r₁, all trapped.
    const r1 = new Decimal(reports[0]!.retainedInTrust);
    const r = await month('m2', '200000');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '1.2092457723', testFailed: true, breached: true, on: true, cureCount: 0, curePeriods: 2 });
    expect(r.cashTrapActive).toBe(true);
    expect(r.classes.map((c: any) => c.interestPaid)).toEqual(['86406.25', '21333.33', '19444.44']);
    expect([r.trappedCash.added, r.trappedCash.after, r.residualReleased]).toEqual([money(r1.plus('34607.65')), money(r1.plus('34607.65')), '0.00']);
    expect(step(r, 'cash_trap')).toMatchObject({ ran: true, availableBefore: money(r1.plus('34607.65')), toTrappedCash: money(r1.plus('34607.65')), availableAfter: '0.00' });
  });

  it('month 3 (DSCR 2.4184…, first passing month): still on, cure count 1 of 2, traps again', async () => {
    // 400,000 / 165,392.35 = 2.4184915445… passes; cure count 1 < 2: the trap stays on.
    // Excess 400,000 + r₂ − 165,392.35 = 234,607.65 + r₂ trapped; held: month 2's plus this.
    const r2 = new Decimal(reports[1]!.retainedInTrust);
    const held = new Decimal(reports[1]!.trappedCash.after);
    const r = await month('m3', '400000');
    reports.push(r);
    expect(r.triggers[0]).toMatchObject({ value: '2.4184915445', testFailed: false, breached: false, on: true, cureCount: 1 });
    expect([r.trappedCash.added, r.trappedCash.released, r.trappedCash.after]).toEqual([money(r2.plus('234607.65')), '0.00', money(held.plus(r2).plus('234607.65'))]);
    expect(r.residualReleased).toBe('0.00');
  });

  it('month 4 (second passing month): cured, the trapped cash released to the residual holder', async () => {
    const r3 = new Decimal(reports[2]!.retainedInTrust);
    const held = new Decimal(reports[2]!.trappedCash.after);
    const r = await month('m4', '400000');
    expect(r.triggers[0]).toMatchObject({ breached: false, on: false, cureCount: 2 });
    expect(r.cashTrapActive).toBe(false);
    // Released: everything held, plus this month's 234,607.65 + r₃.
    expect([r.trappedCash.released, r.trappedCash.after, r.residualReleased]).toEqual([money(held), '0.00', money(held.plus(r3).plus('234607.65'))]);
    expect(step(r, 'cash_trap')).toMatchObject({ fromTrappedCash: money(held) });
    // Still no principal before the ARD.
    expect(r.classes.every((c: any) => c.principalPaid === '0.00' && c.factorAfter === c.factorBefore)).toBe(true);
    expect((await t.http.get('/api/v1/reconciliation').set(await auth('backoffice1')).expect(200)).body.breaks).toEqual([]);
  });
});

describe('definitions that cannot run', () => {
  async function current() {
    return (await t.http.get(`/api/v1/deals/${dealId}/waterfall`).set(await auth('investor1')).expect(200)).body;
  }
  const cases: Array<[string, (w: any) => void, number, object]> = [
    ['an unknown class', (w) => { w.steps[6].classes = ['A-2', 'Z']; }, 400, { step: 6, kind: 'sweep' }],
    ['steps out of order (C\'s interest before B\'s)', (w) => { [w.steps[2], w.steps[3]] = [w.steps[3], w.steps[2]]; }, 400, { step: 3, kind: 'interest' }],
    ['a cycle (trapped cash swept in the same period it was trapped)', (w) => { delete w.steps[5].when; }, 400, { step: 6, kind: 'sweep' }],
    ['an unknown metric', (w) => { w.triggers[0].metric = 'mood'; }, 400, { trigger: 'dscr-cash-trap' }],
    ['an unknown trigger reference', (w) => { w.steps[5].when = { ard: 'before', triggerOn: 'ghost' }; }, 400, { step: 5, kind: 'cash_trap' }],
    ['a class that is not a note of the deal', (w) => { w.classes[2].noteId = '00000000-0000-4000-8000-000000000000'; }, 400, { noteId: '00000000-0000-4000-8000-000000000000', className: 'C' }],
  ];
  for (const [name, change, status, details] of cases) {
    it(`refuses ${name} with ${status} INVALID_WATERFALL naming it, and changes nothing`, async () => {
      const before = await current();
      const body = structuredClone(before);
      change(body);
      const response = await t.http.put(`/api/v1/deals/${dealId}/waterfall`).set(await auth('backoffice1')).send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.code).toBe('INVALID_WATERFALL');
      expect(response.body.error.details).toEqual(details);
      expect(await current()).toEqual(before);
    });
  }

  it('refuses a waterfall from an investor', async () => {
    const before = await current();
    await t.http.put(`/api/v1/deals/${dealId}/waterfall`).set(await auth('investor1')).send(before).expect(403);
  });
});

describe('the migration', () => {
  it('rewrites a stored version-1 definition in the step form', async () => {
    const knex = t.database.knex;
    const seeded = (await knex('deal_waterfalls').where({ deal_id: dealId }).first('definition')).definition;
    const v1 = {
      version: 1 as const, paymentsPerYear: 12 as const, recordDate: 'business-day-before-payment-date' as const,
      seniorFees: [{ name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' }, { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' }],
      classes: ['A-2', 'B', 'C'].map((className) => ({ noteId: notes[className]!, className })),
      reserve: { targetAmount: '2000000' }, principal: { mode: 'sequential' as const, scheduledPerPeriod: '1000000' },
      cashTrap: { dscrThreshold: '1.35', trapPercent: '100' }, anticipatedRepaymentDate: '2031-03-15',
    };
    // Back to the schema before the migration, with the definition as it was stored then.
    await waterfallSteps.down(knex);
    await knex('deal_waterfalls').where({ deal_id: dealId }).update({ definition: JSON.stringify(v1) });
    await waterfallSteps.up(knex);
    const stored = (await knex('deal_waterfalls').where({ deal_id: dealId }).first('definition')).definition;
    expect(typeof stored === 'string' ? JSON.parse(stored) : stored).toEqual(JSON.parse(JSON.stringify(fromVersion1(v1))));
    expect((await t.http.get(`/api/v1/deals/${dealId}/waterfall`).set(await auth('investor1')).expect(200)).body.steps[5]).toMatchObject({ kind: 'scheduled_principal', amountPerPeriod: '1000000' });
    // The new columns are back with their defaults.
    expect(await knex('deal_servicing_state').where({ deal_id: dealId }).first('trigger_state')).toEqual({ trigger_state: {} });
    await knex('deal_waterfalls').where({ deal_id: dealId }).update({ definition: JSON.stringify(typeof seeded === 'string' ? JSON.parse(seeded) : seeded) });
  });
});
