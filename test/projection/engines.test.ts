/**
 * The projection engines: the integer-cents engine equals the decimal.js reference (which runs the
 * servicing waterfall itself) to the cent on random scenarios, states and definitions; a stress
 * computed by hand (trap, deferral, write-down from a tenant default); monotonicity in
 * utilization; and an interest-only class refinanced at the ARD priced from its projected flows
 * equals the domain's street yield with maturity = ARD.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { compileSetup, projectFast } from '../../server/projection/fast.js';
import { projectReference } from '../../server/projection/reference.js';
import { projectedMonths, type ProjectionSetup, type TriggerStart } from '../../server/projection/model.js';
import { DRIVERS, resolveScenario, ScenarioError, type DriverName, type ScenarioInput } from '../../server/projection/scenario.js';
import { buildCouponSchedule } from '../../server/domain/schedule.js';
import { parseIsoDate } from '../../server/domain/dates.js';
import { yieldFromPrice } from '../../server/domain/yield.js';
import { flowPlan, yieldAtPrice } from '../../server/analytics/bond.js';
import { MERIDIAN_START, freshState, meridianSetup } from './support.js';
import { validateDefinition, type WaterfallDefinition } from '../../server/waterfall/index.js';

const base = MERIDIAN_START.base;
const TENANTS = MERIDIAN_START.collateral.tenants.map((t) => t.name);
const MODELS = MERIDIAN_START.collateral.gpuFleet.map((g) => g.model);

function run(setup: ProjectionSetup, input: ScenarioInput, engine: 'fast' | 'reference' = 'fast') {
  const scenario = resolveScenario(
    input,
    base,
    projectedMonths(setup),
    setup.collateral.tenants.map((t) => t.name),
    setup.collateral.gpuFleet.map((g) => g.model),
  );
  return engine === 'fast' ? projectFast(compileSetup(setup), scenario) : projectReference(setup, scenario);
}

/** A decimal string with up to 4 places in [lo, hi] (given in units of 1e-4). */
const dec4 = (lo: number, hi: number) =>
  fc.integer({ min: lo, max: hi }).map((n) => {
    const sign = n < 0 ? '-' : '';
    const abs = Math.abs(n);
    const fraction = String(abs % 10000)
      .padStart(4, '0')
      .replace(/0+$/, '');
    return `${sign}${Math.trunc(abs / 10000)}${fraction ? `.${fraction}` : ''}`;
  });

const RANGES: Record<DriverName, [number, number]> = {
  utilizationPercent: [0, 1_000_000],
  rentChangePercent: [-600_000, 300_000],
  powerPricePerMwh: [0, 2_000_000],
  pue: [10_000, 20_000],
  opexGrowthPercent: [-50_000, 150_000],
  renewalProbabilityPercent: [0, 1_000_000],
  downtimeMonths: [0, 0],
  releaseRentChangePercent: [-500_000, 200_000],
  gpuValueChangePercentPerYear: [-600_000, 100_000],
  ratePath: [-50_000, 150_000],
};

function driver(name: DriverName, months: number) {
  const [lo, hi] = RANGES[name];
  const value = name === 'downtimeMonths' ? fc.integer({ min: 0, max: 24 }).map(String) : dec4(lo, hi);
  return fc.oneof(
    fc.constant(undefined),
    value,
    fc
      .uniqueArray(fc.integer({ min: 1, max: months }), { minLength: 1, maxLength: 6 })
      .chain((starts) => fc.tuple(...starts.sort((a, b) => a - b).map((fromMonth) => value.map((v) => ({ fromMonth, value: v }))))),
  );
}

function scenarioArb(months: number): fc.Arbitrary<ScenarioInput> {
  const drivers = Object.fromEntries(Object.keys(DRIVERS).map((n) => [n, driver(n as DriverName, months)]));
  return fc.record({
    ...drivers,
    tenantDefaults: fc.subarray(TENANTS).chain((names) =>
      fc.tuple(
        ...names.map((tenant) =>
          fc.record({
            tenant: fc.constant(tenant),
            month: fc.integer({ min: 1, max: months }),
            recoveryPercent: dec4(0, 1_000_000),
          }),
        ),
      ),
    ),
    refinanceAtArd: fc.oneof(fc.boolean(), fc.integer({ min: 1, max: months })),
    gpuValueByModel: fc
      .subarray(MODELS)
      .chain((models) =>
        fc.tuple(
          ...models.map((model) =>
            driver('gpuValueChangePercentPerYear', months).map((v) => ({ model, changePercentPerYear: v ?? '-10' })),
          ),
        ),
      ),
  }) as fc.Arbitrary<ScenarioInput>;
}

const cents = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => (n / 100).toFixed(2)); // formatting integer cents only

/** A Sabey/Compass-style step-form definition: averaged-DSCR trap with cure, Class C deferral, LTV rapid amortization, post-ARD step-up. */
function stepDefinition(
  ids: string[],
  r: {
    threshold: string;
    trapPercent: string;
    scheduled: string;
    mode: 'sequential' | 'pro_rata';
    lookback: number;
    cure: number;
    deferBelow: string;
    ltvAbove: string;
  },
): WaterfallDefinition {
  const names = ['A-2', 'B', 'C'];
  return {
    version: 2,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    classes: names.map((className, i) => ({ noteId: ids[i]!, className, stepUpRatePercent: i === 0 ? '5' : i === 1 ? '2.5' : null })),
    seniorFees: [
      { name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' },
      { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' },
    ],
    reserve: { targetAmount: '2000000' },
    anticipatedRepaymentDate: '2031-03-15',
    triggers: [
      {
        name: 'trap',
        metric: 'dscrThreeMonthAverage',
        comparison: 'lt',
        threshold: r.threshold,
        lookbackPeriods: 1,
        curePeriods: r.cure,
        effect: { type: 'trap_cash', percent: r.trapPercent },
      },
      {
        name: 'defer-c',
        metric: 'dscr',
        comparison: 'lt',
        threshold: r.deferBelow,
        lookbackPeriods: r.lookback,
        curePeriods: 1,
        effect: { type: 'defer_interest', classes: ['C'] },
      },
      {
        name: 'ltv',
        metric: 'ltvPercent',
        comparison: 'gt',
        threshold: r.ltvAbove,
        lookbackPeriods: 1,
        curePeriods: 2,
        effect: { type: 'rapid_amortization' },
      },
    ],
    steps: [
      { kind: 'senior_fees', drawReserve: true },
      { kind: 'interest', className: 'A-2', drawReserve: true },
      { kind: 'interest', className: 'B', drawReserve: true },
      { kind: 'interest', className: 'C', drawReserve: false },
      { kind: 'reserve_top_up' },
      {
        kind: 'scheduled_principal',
        amountPerPeriod: r.scheduled,
        mode: r.mode,
        classes: names,
        when: { ard: 'before', rapidAmortization: false },
      },
      { kind: 'cash_trap', when: { ard: 'before' } },
      { kind: 'sweep', mode: 'sequential', classes: names, includeTrappedCash: false, when: { ard: 'before', rapidAmortization: true } },
      { kind: 'sweep', mode: r.mode, classes: names, includeTrappedCash: true, when: { ard: 'from' } },
      { kind: 'deferred_interest', className: 'C' },
      { kind: 'additional_interest', className: 'A-2' },
      { kind: 'additional_interest', className: 'B' },
      { kind: 'residual' },
    ],
  };
}

const setupArb = fc
  .record({
    reserve: cents(0, 300_000_000),
    trapped: cents(0, 500_000_000),
    feeShortfall: cents(0, 5_000_000),
    freeCash: cents(0, 100_000_000),
    balances: fc.tuple(cents(1, 60_000_000_000), cents(1, 12_000_000_000), cents(0, 8_000_000_000)),
    shortfalls: fc.tuple(cents(0, 1_000_000), cents(0, 1_000_000), cents(0, 1_000_000)),
    mode: fc.constantFrom('sequential' as const, 'pro_rata' as const),
    trapPercent: dec4(0, 1_000_000),
    threshold: dec4(10_000, 20_000),
    scheduled: cents(0, 300_000_000),
    dscrs: fc.array(dec4(0, 30_000), { maxLength: 2 }),
    stepForm: fc.boolean(),
    lookback: fc.integer({ min: 1, max: 12 }),
    cure: fc.integer({ min: 1, max: 3 }),
    deferBelow: dec4(5_000, 15_000),
    ltvAbove: dec4(400_000, 900_000),
    deferred: cents(0, 2_000_000),
    triggerOn: fc.boolean(),
    floatingMargin: fc.option(cents(0, 60_000), { nil: null }),
    filed: fc.option(fc.tuple(dec4(0, 30_000), dec4(0, 30_000), cents(0, 10_000)), { nil: null }),
  })
  .map((r) => {
    const ids = meridianSetup().classes.map((c) => c.noteId);
    const state = {
      ...freshState(),
      freeCash: r.freeCash,
      reserveBalance: r.reserve,
      trappedCash: r.trapped,
      feeShortfall: r.feeShortfall,
      recentDscrs: r.dscrs,
      classes: new Map(
        ids.map((id, i) => [
          id,
          { balance: r.balances[i]!, interestShortfall: r.shortfalls[i]!, deferredInterest: i === 2 ? r.deferred : '0' },
        ]),
      ),
      triggers: (r.triggerOn
        ? { trap: { on: true, cureCount: 0, recentFailures: [] }, 'defer-c': { on: true, cureCount: 0, recentFailures: [true] } }
        : {}) as Record<string, TriggerStart>,
    };
    const setup = meridianSetup({
      state,
      definition: {
        principal: { mode: r.mode, scheduledPerPeriod: r.scheduled },
        cashTrap: { dscrThreshold: r.threshold, trapPercent: r.trapPercent },
      },
    });
    // Class B floating at the scenario's rate path + a margin (bp, 2 places) when drawn.
    setup.classes[1]!.floatingMarginBp = r.floatingMargin;
    // Month 1's performance report filed (its published dscr, average and LTV) when drawn.
    if (r.filed) {
      const [dscr, average, ltv] = r.filed;
      setup.actuals = {
        dscrByMonth: { 1: dscr },
        metricsByPeriod: { 1: { dscr, dscrThreeMonthAverage: average, ltvPercent: ltv } },
      };
    }
    if (!r.stepForm) return setup;
    const definition = stepDefinition(ids, r);
    validateDefinition(definition);
    return { ...setup, definition };
  });

describe('the integer engine equals the decimal.js reference to the cent', () => {
  it('on random scenarios, trust states and waterfall definitions (version 1 converted, and step form with averaged-DSCR trap, deferral, LTV rapid amortization, step-up)', () => {
    const months = projectedMonths(meridianSetup());
    fc.assert(
      fc.property(setupArb, scenarioArb(months), (setup, input) => {
        expect(run(setup, input, 'fast')).toEqual(run(setup, input, 'reference'));
      }),
      { numRuns: 40, seed: 1717 },
    );
  }, 240_000);

  it('on an exact half-cent of interest (8.00 × 5.25 % × 30/360 = 0.035), decided by the servicing expression', () => {
    const ids = meridianSetup().classes.map((c) => c.noteId);
    const state = { ...freshState(), classes: new Map(ids.map((id) => [id, { balance: '8', interestShortfall: '0' }])) };
    const setup = meridianSetup({ state });
    const fast = run(setup, {}, 'fast');
    expect(fast).toEqual(run(setup, {}, 'reference'));
    // Servicing: 0.42 × 0.0833…3 (60 digits) = 0.03499…9986 rounds back to 0.035 at 60 digits; half-even → 0.04.
    expect(fast.periods[0]!.classes[0]!.interest).toBe(4);
  });

  it('on the base scenario and the named stresses', () => {
    const setup = meridianSetup();
    for (const input of [{}, ...Object.values(MERIDIAN_START.stresses)]) {
      expect(run(setup, input, 'fast')).toEqual(run(setup, input, 'reference'));
    }
  });
});

describe('a stress computed by hand: the trap triggers, the subordinate class defers, a tenant default writes down', () => {
  // Two classes on 30/360 monthly: A 1,000.00 at 12 % (10.00 a month), B 1,000.00 at 12 % (10.00).
  // Steps: senior fees (none), interest A, interest B, B's deferred interest, cash trap (before the
  // ARD), sweep A then B with the trapped cash (from the ARD), residual. Triggers on the period
  // DSCR: "trap" below 1.5 traps 100 %; "defer-b" below 1.2 defers B's interest (paid in kind).
  // ARD = period 2; legal final = period 3. Tenants: Anchor paying 2,000.00 and Small 500.00 a
  // month at the base utilization of 100 %; Small's lease ends in month 3. No power, no other costs.
  // DSCR: the month's NOI ÷ its debt service (Σ balance × 12 % ÷ 12, no fees, no scheduled principal).
  // Scenario: utilization 1 % in month 1, 100 % after; Anchor defaults in month 2 (no recovery);
  // Small defaults in month 3 recovering 2.03 % of its remaining rent (500.00 × 1 month) = 10.15.
  const fraction = { days: 30, basis: 360 };
  const dates = ['2026-12-15', '2027-01-15', '2027-02-15', '2027-03-15'];
  const definition: WaterfallDefinition = {
    version: 2,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    classes: [
      { noteId: '00000000-0000-4000-8000-00000000000a', className: 'A', stepUpRatePercent: null },
      { noteId: '00000000-0000-4000-8000-00000000000b', className: 'B', stepUpRatePercent: null },
    ],
    seniorFees: [],
    reserve: { targetAmount: '0' },
    anticipatedRepaymentDate: '2027-02-15',
    triggers: [
      {
        name: 'trap',
        metric: 'dscr',
        comparison: 'lt',
        threshold: '1.5',
        lookbackPeriods: 1,
        curePeriods: 1,
        effect: { type: 'trap_cash', percent: '100' },
      },
      {
        name: 'defer-b',
        metric: 'dscr',
        comparison: 'lt',
        threshold: '1.2',
        lookbackPeriods: 1,
        curePeriods: 1,
        effect: { type: 'defer_interest', classes: ['B'] },
      },
    ],
    steps: [
      { kind: 'senior_fees', drawReserve: false },
      { kind: 'interest', className: 'A', drawReserve: false },
      { kind: 'interest', className: 'B', drawReserve: false },
      { kind: 'deferred_interest', className: 'B' },
      { kind: 'cash_trap', when: { ard: 'before' } },
      { kind: 'sweep', mode: 'sequential', classes: ['A', 'B'], includeTrappedCash: true, when: { ard: 'from' } },
      { kind: 'residual' },
    ],
  };
  const setup: ProjectionSetup = {
    definition,
    monthsPerPeriod: 1,
    ardPeriod: 2,
    periods: dates.slice(1).map((date, i) => ({ date, accrualStart: dates[i]!, fractions: [fraction, fraction] })),
    classes: [
      {
        noteId: 'a',
        className: 'A',
        couponRatePercent: '12',
        balance: '1000',
        interestShortfall: '0',
        deferredInterest: '0',
        additionalInterestShortfall: '0',
      },
      {
        noteId: 'b',
        className: 'B',
        couponRatePercent: '12',
        balance: '1000',
        interestShortfall: '0',
        deferredInterest: '0',
        additionalInterestShortfall: '0',
      },
    ],
    start: { freeCash: '0', reserve: '0', trappedCash: '0', feeShortfall: '0', recentDscrs: [], triggers: {} },
    collateral: {
      tenants: [
        { name: 'Anchor', monthlyRent: '2000', expiryMonth: 100 },
        { name: 'Small', monthlyRent: '500', expiryMonth: 3 },
      ],
      baseUtilizationPercent: '100',
      powerRecoveryPercent: '0',
      trustEnergyMw: '0',
      hoursPerMonth: 730,
      otherOpexPerMonth: '0',
      siteValue: '10000',
      gpuFleet: [],
    },
  };
  const stress: ScenarioInput = {
    utilizationPercent: [
      { fromMonth: 1, value: '1' },
      { fromMonth: 2, value: '100' },
    ],
    tenantDefaults: [
      { tenant: 'Anchor', month: 2, recoveryPercent: '0' },
      { tenant: 'Small', month: 3, recoveryPercent: '2.03' },
    ],
    refinanceAtArd: false,
  };
  const flat = { drivers: { ...base.drivers, utilizationPercent: '100', renewalProbabilityPercent: '100' }, refinanceAtArd: false };
  const project = (input: ScenarioInput, engine: 'fast' | 'reference') => {
    const scenario = resolveScenario(input, flat, 3, ['Anchor', 'Small']);
    return engine === 'fast' ? projectFast(compileSetup(setup), scenario) : projectReference(setup, scenario);
  };

  it('validates as a waterfall servicing would accept', () => {
    expect(() => validateDefinition(definition)).not.toThrow();
  });

  it('matches the hand computation in both engines', () => {
    for (const engine of ['fast', 'reference'] as const) {
      const [p1, p2, p3] = project(stress, engine).periods;
      // Period 1: revenue 2,000 × 1 % + 500 × 1 % = 25.00; debt service 20.00; DSCR 1.25: below 1.5
      // (trap on), not below 1.2 (no deferral). Interest A 10.00, B 10.00; the 5.00 left is trapped.
      expect(p1).toMatchObject({ revenue: 2500, dscr: 12500, triggers: [true, false], cashTrap: true, trappedCash: 500 });
      expect(p1!.classes).toEqual([
        { interest: 1000, principal: 0, balance: 100000, interestShortfall: 0, deferredInterest: 0, writedown: 0 },
        { interest: 1000, principal: 0, balance: 100000, interestShortfall: 0, deferredInterest: 0, writedown: 0 },
      ]);
      // Period 2 (ARD, sweep): Anchor has defaulted: revenue = Small's 500.00; DSCR 25, both off.
      // Interest 10.00 + 10.00; 480.00 + the 5.00 trapped sweep to A: A = 1,000.00 − 485.00 = 515.00.
      expect(p2).toMatchObject({ revenue: 50000, triggers: [false, false], fullCashSweep: true, cashTrap: false, trappedCash: 0 });
      expect(p2!.classes[0]).toMatchObject({ interest: 1000, principal: 48500, balance: 51500 });
      // Period 3 (legal final): revenue = Small's recovery 10.15. Interest A 515.00 × 1 % = 5.15, B 10.00;
      // DSCR 10.15 / 15.15 = 0.6700: both triggers on. A is paid 5.15; B's 10.00 is deferred (in kind);
      // the 5.00 left sweeps to A (510.00 left). At the legal final A writes down 510.00, B 1,000.00.
      expect(p3).toMatchObject({ revenue: 1015, dscr: 6700, triggers: [true, true] });
      expect(p3!.classes).toEqual([
        { interest: 515, principal: 500, balance: 0, interestShortfall: 0, deferredInterest: 0, writedown: 51000 },
        { interest: 0, principal: 0, balance: 0, interestShortfall: 0, deferredInterest: 1000, writedown: 100000 },
      ]);
    }
  });

  it('without the defaults everything is repaid at the ARD and nothing is written down', () => {
    // Period 2: revenue 2,500.00; after 20.00 of interest 2,480.00 + 5.00 trapped ≥ 2,000.00 of balances.
    const periods = project({ ...stress, tenantDefaults: [] }, 'fast').periods;
    expect(periods).toHaveLength(2);
    expect(periods[1]!.classes.map((c) => [c.principal, c.balance, c.writedown])).toEqual([
      [100000, 0, 0],
      [100000, 0, 0],
    ]);
  });
});

describe('monotonicity', () => {
  it("harsher utilization never raises any class's principal received", () => {
    const setup = meridianSetup();
    const months = projectedMonths(setup);
    fc.assert(
      fc.property(dec4(0, 1_000_000), dec4(0, 1_000_000), scenarioArb(months), (u1, u2, rest) => {
        const [harsh, mild] = Number.parseFloat(u1) <= Number.parseFloat(u2) ? [u1, u2] : [u2, u1]; // ordering only
        const total = (u: string) => {
          const periods = run(setup, { ...rest, utilizationPercent: u }).periods;
          return setup.classes.map((_, i) => periods.reduce((sum, p) => sum + p.classes[i]!.principal, 0));
        };
        const h = total(harsh);
        const m = total(mild);
        h.forEach((x, i) => expect(x).toBeLessThanOrEqual(m[i]!));
      }),
      { numRuns: 150, seed: 1718 },
    );
  }, 120_000);
});

describe('an interest-only class refinanced at the ARD', () => {
  it('priced from its projected flows yields exactly the domain street yield with maturity = ARD', () => {
    // No scheduled principal, ample revenue, no trap: A-2 receives its coupon each month and its
    // balance at the ARD (2031-03-15), when the notes are refinanced.
    const setup = meridianSetup({ definition: { principal: { mode: 'sequential', scheduledPerPeriod: '0' }, cashTrap: null } });
    const periods = run(setup, { refinanceAtArd: true }).periods;
    expect(periods.at(-1)!.date).toBe('2031-03-15');
    const a2 = setup.classes[0]!;
    const flows = periods.map((p) => ({
      date: parseIsoDate(p.date),
      amount: ((p.classes[0]!.interest + p.classes[0]!.principal) / 100).toFixed(2),
    }));
    const legal = buildCouponSchedule({
      issueDate: parseIsoDate('2026-03-12'),
      firstCouponDate: parseIsoDate('2026-04-15'),
      maturityDate: parseIsoDate('2051-03-15'),
      frequency: 12,
    });
    const toArd = buildCouponSchedule({
      issueDate: parseIsoDate('2026-03-12'),
      firstCouponDate: parseIsoDate('2026-04-15'),
      maturityDate: parseIsoDate('2031-03-15'),
      frequency: 12,
    });
    const settlementDate = parseIsoDate('2026-12-08');
    const plan = flowPlan({ couponRatePercent: '5.25', dayCount: '30/360', schedule: legal, settlementDate, face: a2.balance, flows });
    const domain = yieldFromPrice({
      couponRatePercent: '5.25',
      dayCount: '30/360',
      schedule: toArd,
      settlementDate,
      cleanPricePercent: '95',
    });
    expect(yieldAtPrice(plan, '95').sub(domain).abs().lt('1e-20')).toBe(true);
  });
});

describe('scenario validation names the field', () => {
  const setup = meridianSetup();
  const months = projectedMonths(setup);
  const cases: [ScenarioInput, string][] = [
    [{ utilizationPercent: '100.5' }, 'utilizationPercent'],
    [{ powerPricePerMwh: '-1' }, 'powerPricePerMwh'],
    [{ utilizationPercent: [{ fromMonth: months + 1, value: '80' }] }, 'utilizationPercent[0].fromMonth'],
    [{ tenantDefaults: [{ tenant: 'Nobody Inc.', month: 3, recoveryPercent: '10' }] }, 'tenantDefaults[0].tenant'],
    [{ tenantDefaults: [{ tenant: 'Nimbus AI Cloud', month: 0, recoveryPercent: '10' }] }, 'tenantDefaults[0].month'],
    [{ rentChangePercent: '1.23456' }, 'rentChangePercent'],
  ];
  it.each(cases)('%j → %s', (input, field) => {
    expect(() => resolveScenario(input, base, months, TENANTS)).toThrow(ScenarioError);
    try {
      resolveScenario(input, base, months, TENANTS);
    } catch (e) {
      expect((e as ScenarioError).field).toBe(field);
    }
  });
});

describe('a floating class and GPU values by model, computed by hand', () => {
  // One class A of 1,000.00, floating: SOFR + 150 bp, 30/360 monthly; the scenario's rate path is
  // SOFR 4 % in month 1 and 5 % from month 2, so the coupon is 5.5 % in period 1 and 6.5 % after.
  // Steps: interest A, then (while the LTV trigger is on) a sweep of everything left to A, residual.
  // Trigger: LTV above 40 % → rapid amortization, cured after one passing period.
  // Collateral: one tenant paying 100.00 a month, no costs; site 1,000.00; GPUs H100 1,000.00 and
  // B200 1,000.00. The scenario moves H100 by −50 % a year and B200 by −10 % a year (a step at
  // month 13, the first anniversary).
  const fraction = { days: 30, basis: 360 };
  const dates = Array.from({ length: 15 }, (_, i) => {
    const month = ((11 + i) % 12) + 1;
    const year = 2026 + Math.floor((11 + i) / 12);
    return `${year}-${String(month).padStart(2, '0')}-15`;
  });
  const definition: WaterfallDefinition = {
    version: 2,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    classes: [
      {
        noteId: '00000000-0000-4000-8000-00000000000a',
        className: 'A',
        stepUpRatePercent: null,
        floatingRate: { index: 'SOFR', marginBp: '150' },
      },
    ],
    seniorFees: [],
    reserve: { targetAmount: '0' },
    anticipatedRepaymentDate: null,
    triggers: [
      {
        name: 'ltv',
        metric: 'ltvPercent',
        comparison: 'gt',
        threshold: '40',
        lookbackPeriods: 1,
        curePeriods: 1,
        effect: { type: 'rapid_amortization' },
      },
    ],
    steps: [
      { kind: 'interest', className: 'A', drawReserve: false },
      { kind: 'sweep', mode: 'sequential', classes: ['A'], includeTrappedCash: false, when: { rapidAmortization: true } },
      { kind: 'residual' },
    ],
  };
  const setup: ProjectionSetup = {
    definition,
    monthsPerPeriod: 1,
    ardPeriod: null,
    periods: dates.slice(1).map((date, i) => ({ date, accrualStart: dates[i]!, fractions: [fraction] })),
    classes: [
      {
        noteId: 'a',
        className: 'A',
        couponRatePercent: '5.5',
        balance: '1000',
        interestShortfall: '0',
        deferredInterest: '0',
        additionalInterestShortfall: '0',
        floatingMarginBp: '150',
      },
    ],
    start: { freeCash: '0', reserve: '0', trappedCash: '0', feeShortfall: '0', recentDscrs: [], triggers: {} },
    collateral: {
      tenants: [{ name: 'Anchor', monthlyRent: '100', expiryMonth: 100 }],
      baseUtilizationPercent: '100',
      powerRecoveryPercent: '0',
      trustEnergyMw: '0',
      hoursPerMonth: 730,
      otherOpexPerMonth: '0',
      siteValue: '1000',
      gpuFleet: [
        { model: 'H100', value: '1000' },
        { model: 'B200', value: '1000' },
      ],
    },
  };
  const flat = {
    drivers: { ...base.drivers, utilizationPercent: '100', gpuValueChangePercentPerYear: '0', ratePath: '0' },
    refinanceAtArd: false,
  };
  const scenario: ScenarioInput = {
    ratePath: [
      { fromMonth: 1, value: '4' },
      { fromMonth: 2, value: '5' },
    ],
    gpuValueByModel: [
      { model: 'H100', changePercentPerYear: '-50' },
      { model: 'B200', changePercentPerYear: '-10' },
    ],
  };
  const project = (input: ScenarioInput, engine: 'fast' | 'reference') =>
    (engine === 'fast'
      ? (s: ReturnType<typeof resolveScenario>) => projectFast(compileSetup(setup), s)
      : (s: ReturnType<typeof resolveScenario>) => projectReference(setup, s))(
      resolveScenario(input, flat, 14, ['Anchor'], ['H100', 'B200']),
    );

  it('validates as a waterfall servicing would accept', () => {
    expect(() => validateDefinition(definition)).not.toThrow();
  });

  it('pays index + margin and the LTV trigger follows each model’s curve, in both engines', () => {
    for (const engine of ['fast', 'reference'] as const) {
      const periods = project(scenario, engine).periods;
      // Period 1: 1,000.00 × 5.5 % ÷ 12 = 4.583… → 4.58; period 2: × 6.5 % ÷ 12 = 5.416… → 5.42.
      expect(periods[0]!.classes[0]!.interest).toBe(458);
      expect(periods[1]!.classes[0]!.interest).toBe(542);
      // Months 1–12: LTV = 1,000 ÷ (1,000 + 1,000 + 1,000) = 33.33 %, no sweep.
      expect(periods[11]).toMatchObject({ ltvPercent: 3333, triggers: [false], fullCashSweep: false });
      expect(periods[11]!.classes[0]!.principal).toBe(0);
      // Month 13: H100 500.00, B200 900.00: LTV = 1,000 ÷ 2,400 = 41.67 % > 40: the sweep pays
      // 100.00 − 5.42 = 94.58 of principal (balance 905.42).
      expect(periods[12]).toMatchObject({ ltvPercent: 4167, triggers: [true], fullCashSweep: true });
      expect(periods[12]!.classes[0]).toMatchObject({ interest: 542, principal: 9458, balance: 90542 });
      // Month 14: LTV = 905.42 ÷ 2,400 = 37.73 %: cured; interest 905.42 × 6.5 % ÷ 12 = 4.904… → 4.90.
      expect(periods[13]).toMatchObject({ ltvPercent: 3773, triggers: [false] });
      expect(periods[13]!.classes[0]).toMatchObject({ interest: 490, principal: 0 });
    }
    // With one curve for all models (−10 %): LTV 1,000 ÷ 2,800 = 35.71 %, never above 40.
    const uniform = project({ ratePath: '5', gpuValueChangePercentPerYear: '-10' }, 'fast').periods;
    expect(uniform[12]).toMatchObject({ ltvPercent: 3571, triggers: [false] });
    expect(project({ ratePath: '5', gpuValueChangePercentPerYear: '-10' }, 'reference')).toEqual({ periods: uniform });
  });

  it('the floating coupon enters the debt service the projected DSCR divides by', () => {
    // Month 2: NOI 100.00 ÷ debt service 1,000.00 × 6.5 % ÷ 12 = 5.42 → DSCR 18.4502 (4 places).
    const periods = project(scenario, 'fast').periods;
    expect(periods[1]!.dscr).toBe(184502);
  });
});
