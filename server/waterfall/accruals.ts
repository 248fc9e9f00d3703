/**
 * A waterfall period's accruals, fixed from the balances at the start of the period: each class's
 * interest (on its balance plus deferred interest), the senior fee lines on the classes' aggregate
 * balance, and the scheduled debt service they add up to; and a fresh state to start from.
 *
 * Guarantees: each interest and fee line is rounded half-even to cents once (domain/rounding.ts),
 * as run.ts's header states. Must never: pay anything, or do I/O or read the clock.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash } from '../domain/rounding.js';
import type { WaterfallDefinition } from './definition.js';
import type { ClassAccrual, ClassState, WaterfallPeriod, WaterfallState } from './period-types.js';

const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);

/** A fresh state: the classes' balances, nothing owed, no reserve or trapped cash, triggers off. */
export function initialState(balances: ReadonlyMap<string, Decimal>): WaterfallState {
  return {
    classes: new Map(
      [...balances].map(([name, balance]) => [
        name,
        { balance, interestShortfall: ZERO, deferredInterest: ZERO, additionalInterestShortfall: ZERO },
      ]),
    ),
    feeShortfall: ZERO,
    reserveBalance: ZERO,
    trappedCash: ZERO,
    triggers: new Map(),
  };
}

export function classState(state: WaterfallState, className: string): ClassState {
  const s = state.classes.get(className);
  if (!s) throw new Error(`the waterfall state has no class ${className}`);
  return s;
}

export function accrual(period: WaterfallPeriod, className: string): ClassAccrual {
  const a = period.accruals.get(className);
  if (!a) throw new Error(`the period has no accrual for class ${className}`);
  return a;
}

export function interestOn(amount: Decimal, ratePercent: Decimal, yearFraction: Decimal): Decimal {
  return roundCash(amount.mul(ratePercent).div(HUNDRED).mul(yearFraction));
}

/** This period's senior fees: each line rounded to cents on the classes' aggregate balance. */
export function periodFees(definition: WaterfallDefinition, state: WaterfallState, period: WaterfallPeriod): Decimal {
  const aggregate = definition.classes.reduce((sum, c) => sum.plus(classState(state, c.className).balance), ZERO);
  return definition.seniorFees.reduce(
    (sum, fee) =>
      sum.plus(
        roundCash(new Decimal(fee.fixedPerPeriod).plus(aggregate.mul(fee.annualRatePercent).div(HUNDRED).mul(period.feeYearFraction))),
      ),
    ZERO,
  );
}

/** This period's interest of a class: on its balance plus deferred interest, rounded to cents. */
export function periodInterest(state: WaterfallState, period: WaterfallPeriod, className: string): Decimal {
  const s = classState(state, className);
  const a = accrual(period, className);
  return interestOn(s.balance.plus(s.deferredInterest), a.couponRatePercent, a.yearFraction);
}

/**
 * The period's scheduled debt service: senior fees plus every class's current interest
 * (shortfalls excluded). Servicing's single-period DSCR divides the net cash flow by it.
 */
export function scheduledDebtService(definition: WaterfallDefinition, state: WaterfallState, period: WaterfallPeriod): Decimal {
  return definition.classes.reduce((sum, c) => sum.plus(periodInterest(state, period, c.className)), periodFees(definition, state, period));
}
