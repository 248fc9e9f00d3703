/**
 * Each kind of trigger on a worked example, every figure computed by hand in the comments.
 *
 * The deal of most examples, paid monthly (year fraction 1/12 for interest):
 *   A 1,000,000 at 6%  → interest 1,000,000 × 6%  / 12 = 5,000.00
 *   B   500,000 at 12% → interest   500,000 × 12% / 12 = 5,000.00
 * no fees and no reserve; 20,000.00 of collections a month, so 10,000.00 is left after interest.
 * The metrics (DSCR, its 3-month average) are given per period, as the performance reports
 * would supply them.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import {
  initialState,
  runWaterfallPeriod,
  validateDefinition,
  type WaterfallDefinition,
  type WaterfallPeriodResult,
  type WaterfallState,
  type WaterfallStep,
  type WaterfallTrigger,
} from '../../server/waterfall/index.js';

const d = (v: string | number) => new Decimal(v);
const money = (v: Decimal) => v.toFixed(2);
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function definition(steps: WaterfallStep[], triggers: WaterfallTrigger[], extra: Partial<WaterfallDefinition> = {}): WaterfallDefinition {
  const def: WaterfallDefinition = {
    version: 2,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    classes: [
      { noteId: A, className: 'A', stepUpRatePercent: null },
      { noteId: B, className: 'B', stepUpRatePercent: null },
    ],
    seniorFees: [],
    reserve: { targetAmount: '0' },
    anticipatedRepaymentDate: null,
    triggers,
    steps,
    ...extra,
  };
  validateDefinition(def);
  return def;
}

const trigger = (
  name: string,
  metric: string,
  threshold: string,
  effect: WaterfallTrigger['effect'],
  more: Partial<WaterfallTrigger> = {},
): WaterfallTrigger => ({
  name,
  metric,
  comparison: 'lt',
  threshold,
  lookbackPeriods: 1,
  curePeriods: 1,
  effect,
  ...more,
});

const INTEREST: WaterfallStep[] = [
  { kind: 'interest', className: 'A', drawReserve: false },
  { kind: 'interest', className: 'B', drawReserve: false },
];
const COUPONS = new Map([
  ['A', { couponRatePercent: d(6), yearFraction: d(1).div(12) }],
  ['B', { couponRatePercent: d(12), yearFraction: d(1).div(12) }],
]);

/** Runs one period per metric value (metric `name`), chaining the state; 20,000 available each month. */
function runMonths(
  def: WaterfallDefinition,
  metric: string,
  values: readonly string[],
  available = '20000',
  start?: WaterfallState,
): WaterfallPeriodResult[] {
  let state =
    start ??
    initialState(
      new Map([
        ['A', d(1000000)],
        ['B', d(500000)],
      ]),
    );
  return values.map((value, month) => {
    const result = runWaterfallPeriod(def, state, {
      paymentDate: `2027-${String(month + 1).padStart(2, '0')}-15`,
      accrualStart: `2027-${String(month + 1).padStart(2, '0')}-01`,
      availableFunds: d(available),
      metrics: new Map([[metric, d(value)]]),
      feeYearFraction: d(1).div(12),
      accruals: COUPONS,
    });
    state = result.state;
    return result;
  });
}

describe('a cash trap on the 3-month average DSCR (DataBank 2023-1: 100% below 1.35×)', () => {
  it('traps only when the average, not the single month, is below the threshold', () => {
    const def = definition(
      [...INTEREST, { kind: 'cash_trap' }, { kind: 'residual' }],
      [trigger('trap', 'dscrThreeMonthAverage', '1.35', { type: 'trap_cash', percent: '100' })],
    );
    // Monthly DSCR 1.50, 1.30, 1.20. The 3-month average (of the months there are):
    //   month 1: 1.50; month 2: (1.50 + 1.30) / 2 = 1.40 ≥ 1.35 → no trap although that month's 1.30 < 1.35;
    //   month 3: (1.50 + 1.30 + 1.20) / 3 = 4.00 / 3 = 1.3333… < 1.35 → trap.
    const averages = ['1.50', '1.40', d(4).div(3).toFixed()];
    const months = runMonths(def, 'dscrThreeMonthAverage', averages);
    expect(months.map((m) => [m.triggerResults[0]!.breached, money(m.trappedCash.added), money(m.residual)])).toEqual([
      [false, '0.00', '10000.00'],
      [false, '0.00', '10000.00'],
      [true, '10000.00', '0.00'],
    ]);
    // The report's working: the value tested, the threshold, the result and the cure count.
    expect(months[2]!.triggerResults[0]).toMatchObject({
      name: 'trap',
      metric: 'dscrThreeMonthAverage',
      breached: true,
      on: true,
      cureCount: 0,
    });
    expect(months[2]!.triggerResults[0]!.value!.toFixed(4)).toBe('1.3333');
    expect(months[2]!.triggerResults[0]!.threshold.toFixed()).toBe('1.35');
  });
});

describe('two trap levels on one metric (Compass 2025: 1.45× and 1.25×)', () => {
  it('traps the percentage of the deepest level that is on, and releases everything when none is', () => {
    const def = definition(
      [...INTEREST, { kind: 'cash_trap' }, { kind: 'residual' }],
      [
        trigger('level-1', 'dscrThreeMonthAverage', '1.45', { type: 'trap_cash', percent: '50' }),
        trigger('level-2', 'dscrThreeMonthAverage', '1.25', { type: 'trap_cash', percent: '100' }),
      ],
    );
    // 20,000.01 available: 10,000.01 left after interest.
    //   1.40: level 1 only → 50% × 10,000.01 = 5,000.005 → half-even 5,000.00 trapped; 5,000.01 released.
    //   1.20: both → 100%: 10,000.01 trapped (15,000.01 held).
    //   1.50: neither → the 15,000.01 held is released with this month's 10,000.01: 25,000.02.
    const months = runMonths(def, 'dscrThreeMonthAverage', ['1.40', '1.20', '1.50'], '20000.01');
    expect(
      months.map((m) => [
        m.triggerResults.map((t) => t.on),
        money(m.trappedCash.added),
        money(m.trappedCash.released),
        money(m.trappedCash.after),
        money(m.residual),
      ]),
    ).toEqual([
      [[true, false], '5000.00', '0.00', '5000.00', '5000.01'],
      [[true, true], '10000.01', '0.00', '15000.01', '0.00'],
      [[false, false], '0.00', '15000.01', '0.00', '25000.02'],
    ]);
  });
});

describe('a cure after consecutive passing periods', () => {
  it('keeps trapping until three months in a row pass, restarts the count on a relapse, then releases the trapped cash', () => {
    const def = definition(
      [...INTEREST, { kind: 'cash_trap' }, { kind: 'residual' }],
      [trigger('trap', 'dscr', '1.35', { type: 'trap_cash', percent: '100' }, { curePeriods: 3 })],
    );
    // DSCR by month:        1.20   1.40   1.30   1.40   1.40   1.40   1.40
    // breached:             yes    no     yes    no     no     no     no
    // cure count:           0      1      0      1      2      3      0 (off, nothing to count)
    // on:                   yes    yes    yes    yes    yes    no     no
    // trapped (10,000/mo):  10k    20k    30k    40k    50k    0 (released 50,000 + 10,000 this month = 60,000 residual)
    const months = runMonths(def, 'dscr', ['1.20', '1.40', '1.30', '1.40', '1.40', '1.40', '1.40']);
    expect(
      months.map((m) => [
        m.triggerResults[0]!.breached,
        m.triggerResults[0]!.cureCount,
        m.triggerResults[0]!.on,
        money(m.trappedCash.after),
        money(m.residual),
      ]),
    ).toEqual([
      [true, 0, true, '10000.00', '0.00'],
      [false, 1, true, '20000.00', '0.00'],
      [true, 0, true, '30000.00', '0.00'],
      [false, 1, true, '40000.00', '0.00'],
      [false, 2, true, '50000.00', '0.00'],
      [false, 3, false, '0.00', '60000.00'],
      [false, 0, false, '0.00', '10000.00'],
    ]);
    expect(money(months[5]!.trappedCash.released)).toBe('50000.00');
  });
});

describe('Class B interest deferred (paid in kind) while the DSCR was low in the lookback window (Sabey 2025-2)', () => {
  it("capitalizes B's interest while breached, bears interest on it, and pays it once the trigger is off", () => {
    const def = definition(
      [...INTEREST, { kind: 'deferred_interest', className: 'B' }, { kind: 'residual' }],
      [trigger('b-deferral', 'dscrThreeMonthAverage', '1.30', { type: 'defer_interest', classes: ['B'] }, { lookbackPeriods: 3 })],
    );
    // Breached while any of the last 3 tests failed: 1.25 (fail), 1.40, 1.40 → breached in months 1–3; month 4's window
    // (1.40, 1.40, 1.40) passes → off (cure after 1 period).
    // Month 1: B due 500,000 × 1% = 5,000.00 → deferred (5,000.00 owed); A 5,000 paid; residual 20,000 − 5,000 = 15,000.
    // Month 2: B on 500,000 + 5,000 = 505,000 × 1% = 5,050.00 → deferred 10,050.00; residual 15,000.
    // Month 3: (500,000 + 10,050) × 1% = 5,100.50 → deferred 15,150.50; residual 15,000.
    // Month 4: (500,000 + 15,150.50) × 1% = 5,151.505 → half-even 5,151.50 paid in cash; 20,000 − 5,000 − 5,151.50
    //          = 9,848.50 pays deferred interest: 15,150.50 − 9,848.50 = 5,302.00 still owed; residual 0.
    // Month 5: (500,000 + 5,302) × 1% = 5,053.02; 20,000 − 5,000 − 5,053.02 = 9,946.98; deferred 5,302.00 paid;
    //          residual 4,644.98.
    const months = runMonths(def, 'dscrThreeMonthAverage', ['1.25', '1.40', '1.40', '1.40', '1.40']);
    const b = (m: WaterfallPeriodResult) => m.classFlows.find((c) => c.className === 'B')!;
    expect(
      months.map((m) => [
        m.triggerResults[0]!.breached,
        money(b(m).interestCurrent),
        money(b(m).interestPaid),
        money(b(m).interestDeferred),
        money(b(m).deferredInterestPaid),
        money(b(m).deferredInterestAfter),
        money(m.residual),
      ]),
    ).toEqual([
      [true, '5000.00', '0.00', '5000.00', '0.00', '5000.00', '15000.00'],
      [true, '5050.00', '0.00', '5050.00', '0.00', '10050.00', '15000.00'],
      [true, '5100.50', '0.00', '5100.50', '0.00', '15150.50', '15000.00'],
      [false, '5151.50', '5151.50', '0.00', '9848.50', '5302.00', '0.00'],
      [false, '5053.02', '5053.02', '0.00', '5302.00', '0.00', '4644.98'],
    ]);
    // No shortfall arises from deferral (it is not a missed payment), and B's balance (face) is unchanged.
    expect(months.every((m) => b(m).interestShortfallAfter.isZero() && b(m).balanceAfter.eq(500000))).toBe(true);
    // The deferring step says so in its working: no cash moved, 5,000 deferred.
    expect(months[0]!.stepFlows[1]).toMatchObject({ label: 'interest B', ran: true });
    expect([money(months[0]!.stepFlows[1]!.paid), money(months[0]!.stepFlows[1]!.deferred)]).toEqual(['0.00', '5000.00']);
  });
});

describe('rapid amortization of Class A (Aligned: trap at 1.35×, amortize Class A at 1.20×)', () => {
  it('sends the excess to Class A principal while the deeper trigger is on, traps it while only the first is', () => {
    const def = definition(
      [
        ...INTEREST,
        { kind: 'sweep', mode: 'sequential', classes: ['A'], includeTrappedCash: false, when: { rapidAmortization: true } },
        { kind: 'cash_trap' },
        { kind: 'residual' },
      ],
      [
        trigger('trap', 'dscr', '1.35', { type: 'trap_cash', percent: '100' }),
        trigger('amortize', 'dscr', '1.20', { type: 'rapid_amortization' }),
      ],
    );
    // 1.15: both on → the 10,000 left after interest pays A's principal (1,000,000 → 990,000); nothing to trap.
    // 1.30: trap only → the sweep does not run; 10,000 trapped. (A's interest is then 990,000 × 0.5% = 4,950.00,
    //       so 20,000 − 4,950 − 5,000 = 10,050.00 is trapped.)
    const months = runMonths(def, 'dscr', ['1.15', '1.30']);
    expect(
      months.map((m) => [m.rapidAmortization, money(m.principalPaid), money(m.trappedCash.added), money(m.classFlows[0]!.balanceAfter)]),
    ).toEqual([
      [true, '10000.00', '0.00', '990000.00'],
      [false, '0.00', '10050.00', '990000.00'],
    ]);
  });
});

describe('post-ARD additional (step-up) interest', () => {
  it('accrues at the step-up rate from the ARD, is paid after the sweep, and carries its own shortfall', () => {
    const def = definition(
      [
        { kind: 'interest', className: 'A', drawReserve: false },
        { kind: 'interest', className: 'B', drawReserve: false },
        { kind: 'sweep', mode: 'sequential', classes: ['A'], includeTrappedCash: false, when: { ard: 'from' } },
        { kind: 'additional_interest', className: 'A' },
        { kind: 'residual' },
      ],
      [],
      {
        anticipatedRepaymentDate: '2031-03-15',
        classes: [
          { noteId: A, className: 'A', stepUpRatePercent: '5' },
          { noteId: B, className: 'B', stepUpRatePercent: null },
        ],
      },
    );
    const B_INTEREST = '5000.00'; // B's 500,000 × 12% / 12 each month.
    let state = initialState(
      new Map([
        ['A', d(1000000)],
        ['B', d(500000)],
      ]),
    );
    const month = (accrualStart: string, paymentDate: string, available: string) => {
      const r = runWaterfallPeriod(def, state, {
        paymentDate,
        accrualStart,
        availableFunds: d(available),
        metrics: new Map(),
        feeYearFraction: d(1).div(12),
        accruals: COUPONS,
      });
      state = r.state;
      expect(money(r.classFlows[1]!.interestPaid)).toBe(B_INTEREST);
      return r.classFlows[0]!;
    };
    // Paid on the ARD itself (accrual 02-15 → 03-15, before the ARD): A's interest 5,000; the sweep starts:
    // 110,000 − 5,000 − 5,000 = 100,000 to A's principal → 900,000; no additional interest yet.
    const ard = month('2031-02-15', '2031-03-15', '110000');
    expect([money(ard.interestPaid), money(ard.principalPaid), money(ard.additionalInterestCurrent), money(ard.balanceAfter)]).toEqual([
      '5000.00',
      '100000.00',
      '0.00',
      '900000.00',
    ]);
    // First period after the ARD: interest 900,000 × 6% / 12 = 4,500.00; step-up 900,000 × 5% / 12 = 3,750.00.
    // 55,000 − 4,500 − 5,000 = 45,500 swept to principal (→ 854,500); nothing left for the step-up: shortfall 3,750.00.
    const second = month('2031-03-15', '2031-04-15', '55000');
    expect([
      money(second.interestPaid),
      money(second.principalPaid),
      money(second.additionalInterestCurrent),
      money(second.additionalInterestPaid),
      money(second.additionalInterestShortfallAfter),
    ]).toEqual(['4500.00', '45500.00', '3750.00', '0.00', '3750.00']);
    // Then: interest 854,500 × 0.5% = 4,272.50; step-up 854,500 × 5% / 12 = 3,560.4166… → 3,560.42, due with the
    // shortfall 7,310.42. 870,000 − 4,272.50 − 5,000 = 860,727.50; the sweep retires A (854,500); 6,227.50 is left
    // for the step-up: paid 6,227.50, shortfall 7,310.42 − 6,227.50 = 1,082.92.
    const third = month('2031-04-15', '2031-05-15', '870000');
    expect([
      money(third.interestPaid),
      money(third.principalPaid),
      money(third.balanceAfter),
      money(third.additionalInterestCurrent),
      money(third.additionalInterestPaid),
      money(third.additionalInterestShortfallAfter),
    ]).toEqual(['4272.50', '854500.00', '0.00', '3560.42', '6227.50', '1082.92']);
    // A retired: no more interest or step-up accrues; its shortfall 1,082.92 is paid from the next collections,
    // 10,000 − B's 5,000 = 5,000 → 1,082.92 paid, nothing owed.
    const fourth = month('2031-05-15', '2031-06-15', '10000');
    expect([
      money(fourth.interestCurrent),
      money(fourth.additionalInterestCurrent),
      money(fourth.additionalInterestPaid),
      money(fourth.additionalInterestShortfallAfter),
    ]).toEqual(['0.00', '0.00', '1082.92', '0.00']);
  });
});
