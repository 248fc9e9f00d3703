/**
 * A distribution's waterfall period — pure: the trust's state before the payment date, each
 * class's coupon and accrual fraction, the period's metrics, and the pure step engine
 * (server/waterfall) run on them.
 *
 * Never: reads or writes the database; the caller passes the locked states and notes.
 */
import { Decimal } from '../domain/decimal.js';
import { parseIsoDate } from '../domain/dates.js';
import { yearFraction, type DayCountConvention } from '../domain/daycount.js';
import type { Note } from '../refdata/notes.js';
import { runWaterfallPeriod, type PeriodMetrics, type WaterfallPeriodResult, type WaterfallState } from '../waterfall/index.js';
import type { DistributionContext } from './distribution-inputs.js';
import { periodMetricsSource } from './metrics.js';
import type { ClassState } from './state.js';

export interface DistributionPeriod {
  revenue: Decimal;
  costs: Decimal;
  metrics: PeriodMetrics;
  result: WaterfallPeriodResult;
}

/** `notes[i]` is the note of the definition's class i; `classStates` the classes' locked states by note id. */
export function runDistributionPeriod(
  ctx: DistributionContext,
  notes: readonly Note[],
  classStates: ReadonlyMap<string, ClassState>,
): DistributionPeriod {
  const { definition, paymentDate, state, periodStart, rateFixings } = ctx;
  // A fixed class accrues its note's coupon; a floating one the period's fixing + its margin.
  const couponOf = (i: number) => {
    const fixed = rateFixings.find((f) => f.className === definition.classes[i]!.className);
    return new Decimal(fixed ? fixed.couponPercent : notes[i]!.couponRate);
  };
  const revenue = sum(ctx.collections.map((c) => c.revenue));
  const costs = sum(ctx.collections.map((c) => c.operating_costs));
  const before: WaterfallState = {
    classes: new Map(
      definition.classes.map((c) => {
        const s = classStates.get(c.noteId)!;
        return [
          c.className,
          {
            balance: s.balance,
            interestShortfall: s.interestShortfall,
            deferredInterest: s.deferredInterest,
            additionalInterestShortfall: s.additionalInterestShortfall,
          },
        ];
      }),
    ),
    feeShortfall: state.feeShortfall,
    reserveBalance: state.reserveBalance,
    trappedCash: state.trappedCash,
    triggers: state.triggers,
  };
  const base = {
    paymentDate,
    accrualStart: periodStart,
    availableFunds: state.freeCash,
    feeYearFraction: new Decimal(1).div(definition.paymentsPerYear),
    accruals: new Map(
      definition.classes.map((c, i) => [
        c.className,
        {
          couponRatePercent: couponOf(i),
          yearFraction: accrualFraction(notes[i]!, periodStart, paymentDate, definition.paymentsPerYear),
        },
      ]),
    ),
  };
  const metrics = periodMetricsSource(ctx.reportMetrics, revenue.minus(costs))(definition, before, base);
  const result = runWaterfallPeriod(definition, before, { ...base, metrics });
  return { revenue, costs, metrics, result };
}

function sum(values: readonly string[]): Decimal {
  return values.reduce((total, v) => total.plus(v), new Decimal(0));
}

/** The period's accrual fraction under the class's day count; ACT/ACT-ICMA pays a regular 1/frequency. */
function accrualFraction(note: Note, start: string, end: string, paymentsPerYear: number): Decimal {
  if (note.dayCount === 'ACT/ACT-ICMA') return new Decimal(1).div(paymentsPerYear);
  return yearFraction(note.dayCount as DayCountConvention, parseIsoDate(start), parseIsoDate(end));
}
