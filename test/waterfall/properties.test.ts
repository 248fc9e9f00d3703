/**
 * Invariants of the step engine on random definitions and random runs of several periods (state
 * chained from one period to the next):
 * - cash is conserved: available = paid out (fees, every kind of interest, principal, residual)
 *   + change in trapped cash + change in the reserve + unspent, and each step balances alone;
 * - no amount is negative, no class pays more principal than its balance, every amount is in cents;
 * - the run is deterministic (same inputs, same result).
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { Decimal } from '../../server/domain/decimal.js';
import {
  initialState,
  runWaterfallPeriod,
  validateDefinition,
  type WaterfallDefinition,
  type WaterfallPeriodResult,
  type WaterfallStep,
  type WaterfallTrigger,
} from '../../server/waterfall/index.js';

const ZERO = new Decimal(0);
const cents = (max: number) => fc.integer({ min: 0, max }).map((c) => new Decimal(c).div(100));
const decimalText = (max: number, scale: number) => fc.integer({ min: 0, max }).map((v) => new Decimal(v).div(scale).toFixed());
const NAMES = ['A', 'B', 'C', 'D'];

const triggerArb = (classes: string[], index: number): fc.Arbitrary<WaterfallTrigger> =>
  fc
    .record({
      metric: fc.constantFrom('dscr', 'dscrThreeMonthAverage', 'ltvPercent'),
      comparison: fc.constantFrom('lt' as const, 'lte' as const, 'gt' as const, 'gte' as const),
      threshold: decimalText(300, 100),
      lookbackPeriods: fc.integer({ min: 1, max: 4 }),
      curePeriods: fc.integer({ min: 1, max: 4 }),
      effect: fc.oneof(
        decimalText(100, 1).map((percent) => ({ type: 'trap_cash' as const, percent })),
        fc.constant({ type: 'rapid_amortization' as const }),
        fc.subarray(classes, { minLength: 1 }).map((cs) => ({ type: 'defer_interest' as const, classes: cs })),
      ),
    })
    .map((t) => ({ name: `t${index}`, ...t }));

/** A definition that passes validation by construction: steps in the allowed order, no cycles. */
const definitionArb: fc.Arbitrary<WaterfallDefinition> = fc.integer({ min: 1, max: 4 }).chain((n) => {
  const classes = NAMES.slice(0, n);
  return fc
    .record({
      fees: fc.array(
        fc.record({
          name: fc.constantFrom('trustee', 'servicer'),
          annualRatePercent: decimalText(100, 100),
          fixedPerPeriod: decimalText(500000, 100),
        }),
        { maxLength: 2 },
      ),
      stepUps: fc.array(fc.option(decimalText(500, 100), { nil: null }), { minLength: n, maxLength: n }),
      hasArd: fc.boolean(),
      drawReserve: fc.array(fc.boolean(), { minLength: n + 1, maxLength: n + 1 }),
      reserveTarget: decimalText(5_000_000, 100),
      triggers: fc
        .tuple(...[0, 1, 2].map((i) => fc.option(triggerArb(classes, i), { nil: null })))
        .map((ts) => ts.filter((t): t is WaterfallTrigger => t !== null)),
      scheduled: fc.option(
        fc.record({
          amount: decimalText(10_000_000, 100),
          mode: fc.constantFrom('sequential' as const, 'pro_rata' as const),
          classes: fc.subarray(classes, { minLength: 1 }),
        }),
        { nil: null },
      ),
      trapWhen: fc.constantFrom('always', 'before'),
      sweep: fc.option(
        fc.record({
          mode: fc.constantFrom('sequential' as const, 'pro_rata' as const),
          classes: fc.subarray(classes, { minLength: 1 }),
          on: fc.constantFrom('ard', 'rapid', 'always'),
        }),
        { nil: null },
      ),
    })
    .map((r): WaterfallDefinition => {
      const hasArd = r.hasArd;
      const stepUps = hasArd ? r.stepUps : r.stepUps.map(() => null);
      const steps: WaterfallStep[] = [];
      if (r.fees.length > 0) steps.push({ kind: 'senior_fees', drawReserve: r.drawReserve[n]! });
      classes.forEach((className, i) => steps.push({ kind: 'interest', className, drawReserve: r.drawReserve[i]! }));
      const deferred = new Set(r.triggers.flatMap((t) => (t.effect.type === 'defer_interest' ? t.effect.classes : [])));
      classes.filter((c) => deferred.has(c)).forEach((className) => steps.push({ kind: 'deferred_interest', className }));
      steps.push({ kind: 'reserve_top_up' });
      if (r.scheduled)
        steps.push({
          kind: 'scheduled_principal',
          amountPerPeriod: r.scheduled.amount,
          mode: r.scheduled.mode,
          classes: r.scheduled.classes,
        });
      const rapid = r.triggers.some((t) => t.effect.type === 'rapid_amortization');
      const sweepOn = r.sweep?.on === 'ard' && !hasArd ? 'always' : r.sweep?.on;
      if (r.sweep && (sweepOn === 'rapid' || rapid)) {
        steps.push({
          kind: 'sweep',
          mode: r.sweep.mode,
          classes: r.sweep.classes,
          includeTrappedCash: false,
          when: { rapidAmortization: true },
        });
      } else if (rapid) {
        steps.push({ kind: 'sweep', mode: 'sequential', classes, includeTrappedCash: false, when: { rapidAmortization: true } });
      }
      const trapBeforeArd = hasArd && r.trapWhen === 'before';
      steps.push(trapBeforeArd ? { kind: 'cash_trap', when: { ard: 'before' } } : { kind: 'cash_trap' });
      if (r.sweep && sweepOn === 'ard')
        steps.push({
          kind: 'sweep',
          mode: r.sweep.mode,
          classes: r.sweep.classes,
          includeTrappedCash: trapBeforeArd,
          when: { ard: 'from' },
        });
      if (r.sweep && sweepOn === 'always')
        steps.push({ kind: 'sweep', mode: r.sweep.mode, classes: r.sweep.classes, includeTrappedCash: false });
      classes.forEach((className, i) => {
        if (stepUps[i] !== null) steps.push({ kind: 'additional_interest', className });
      });
      steps.push({ kind: 'residual' });
      return {
        version: 2,
        paymentsPerYear: 12,
        recordDate: 'business-day-before-payment-date',
        classes: classes.map((className, i) => ({
          noteId: `00000000-0000-4000-8000-00000000000${i}`,
          className,
          stepUpRatePercent: stepUps[i]!,
        })),
        seniorFees: r.fees,
        reserve: { targetAmount: r.reserveTarget },
        anticipatedRepaymentDate: hasArd ? '2027-04-15' : null,
        triggers: r.triggers,
        steps,
      };
    });
});

const periodArb = fc.record({
  available: cents(500_000_000),
  dscr: decimalText(300, 100),
  dscrThreeMonthAverage: decimalText(300, 100),
  ltvPercent: fc.option(decimalText(10000, 100), { nil: null }),
});

const runArb = fc.record({
  definition: definitionArb,
  balances: fc.array(cents(10_000_000_000), { minLength: 4, maxLength: 4 }),
  coupons: fc.array(decimalText(15000, 1000), { minLength: 4, maxLength: 4 }),
  periods: fc.array(periodArb, { minLength: 1, maxLength: 6 }),
});

function paidOut(r: WaterfallPeriodResult): Decimal {
  const classes = r.classFlows.reduce(
    (sum, c) => sum.plus(c.interestPaid).plus(c.deferredInterestPaid).plus(c.additionalInterestPaid).plus(c.principalPaid),
    ZERO,
  );
  return r.fees.paid.plus(classes).plus(r.residual);
}

function allAmounts(r: WaterfallPeriodResult): Decimal[] {
  return [
    ...r.classFlows.flatMap((c) => [
      c.interestCurrent,
      c.interestPaid,
      c.interestShortfallAfter,
      c.interestDeferred,
      c.deferredInterestPaid,
      c.deferredInterestAfter,
      c.additionalInterestCurrent,
      c.additionalInterestPaid,
      c.additionalInterestShortfallAfter,
      c.principalPaid,
      c.balanceAfter,
    ]),
    ...r.stepFlows.flatMap((f) => [
      f.availableBefore,
      f.fromReserve,
      f.fromTrappedCash,
      f.paid,
      f.toReserve,
      f.toTrappedCash,
      f.deferred,
      f.availableAfter,
    ]),
    r.fees.paid,
    r.fees.shortfallAfter,
    r.reserve.after,
    r.trappedCash.after,
    r.residual,
  ];
}

type RunInput = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

function runAll(input: RunInput): WaterfallPeriodResult[] {
  const { definition } = input;
  let state = initialState(new Map(definition.classes.map((c, i) => [c.className, input.balances[i]!])));
  return input.periods.map((p, month) => {
    const metrics = new Map([
      ['dscr', new Decimal(p.dscr)],
      ['dscrThreeMonthAverage', new Decimal(p.dscrThreeMonthAverage)],
    ]);
    if (p.ltvPercent !== null) metrics.set('ltvPercent', new Decimal(p.ltvPercent));
    const result = runWaterfallPeriod(definition, state, {
      paymentDate: `2027-0${month + 1}-15`,
      accrualStart: `2027-0${month + 1}-01`,
      availableFunds: p.available,
      metrics,
      feeYearFraction: new Decimal(1).div(12),
      accruals: new Map(
        definition.classes.map((c, i) => [
          c.className,
          { couponRatePercent: new Decimal(input.coupons[i]!), yearFraction: new Decimal(1).div(12) },
        ]),
      ),
    });
    state = result.state;
    return result;
  });
}

describe('the step engine on random definitions', () => {
  it('generates only definitions that validate', () => {
    fc.assert(
      fc.property(definitionArb, (definition) => {
        validateDefinition(definition);
      }),
      { numRuns: 300, seed: 61206 },
    );
  });

  it('conserves cash in every period and every step, with no negative or sub-cent amount', () => {
    // How often each mechanism moved cash over the runs, so the property is known to exercise them all.
    const seen = { trapped: 0, released: 0, swept: 0, deferred: 0, deferredPaid: 0, stepUpPaid: 0, reserveDraw: 0, shortfall: 0 };
    fc.assert(
      fc.property(runArb, (input) => {
        for (const r of runAll(input)) {
          if (r.trappedCash.added.gt(0)) seen.trapped++;
          if (r.trappedCash.released.gt(0)) seen.released++;
          if (r.sweepActive && r.principalPaid.gt(0)) seen.swept++;
          if (r.classFlows.some((c) => c.interestDeferred.gt(0))) seen.deferred++;
          if (r.classFlows.some((c) => c.deferredInterestPaid.gt(0))) seen.deferredPaid++;
          if (r.classFlows.some((c) => c.additionalInterestPaid.gt(0))) seen.stepUpPaid++;
          if (r.reserve.draw.gt(0)) seen.reserveDraw++;
          if (r.classFlows.some((c) => c.interestShortfallAfter.gt(0))) seen.shortfall++;
          const kept = r.trappedCash.after.minus(r.trappedCash.before).plus(r.reserve.after.minus(r.reserve.before));
          expect(paidOut(r).plus(kept).plus(r.unspent).toFixed()).toBe(r.availableFunds.toFixed());
          expect(r.unspent.isZero()).toBe(true);
          for (const f of r.stepFlows) {
            expect(f.availableBefore.plus(f.fromReserve).plus(f.fromTrappedCash).toFixed()).toBe(
              f.paid.plus(f.toReserve).plus(f.toTrappedCash).plus(f.availableAfter).toFixed(),
            );
          }
          expect(r.stepFlows.reduce((sum, f) => sum.plus(f.paid), ZERO).toFixed()).toBe(paidOut(r).toFixed());
          for (const amount of allAmounts(r)) {
            expect(amount.isNegative()).toBe(false);
            expect(amount.decimalPlaces()).toBeLessThanOrEqual(2);
          }
          for (const c of r.classFlows) expect(c.principalPaid.lte(c.balanceBefore)).toBe(true);
        }
      }),
      { numRuns: 300, seed: 20261206 },
    );
    for (const [mechanism, count] of Object.entries(seen)) expect(count, mechanism).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        const once = runAll(input).map((r) => allAmounts(r).map(String));
        expect(runAll(input).map((r) => allAmounts(r).map(String))).toEqual(once);
      }),
      { numRuns: 50, seed: 7 },
    );
  });
});
