/**
 * Weighted average life of a principal repayment schedule.
 *
 *   WAL = Σ (t_i × principal_i) / Σ principal_i
 *
 * where t_i is the year fraction from the settlement date to payment date i under the given
 * day count (default ACT/365F, the usual convention for ABS WAL). Only payments strictly
 * after the settlement date count: a payment on the settlement date belongs to the seller.
 * The schedule is taken as given (scheduled or already prepayment-adjusted, e.g. at a CPR);
 * projecting prepayments is not this module's job.
 *
 * Rounding: one division, rounded half-even to 60 significant digits; the result is unrounded
 * years.
 */
import { Decimal, toDecimal, type DecimalInput } from './decimal.js';
import { yearFraction, type DayCountConvention } from './daycount.js';
import { ensure } from './errors.js';
import type { IsoDate } from './dates.js';

export const PRINCIPAL_FLOWS_MAX = 10_000;

export interface PrincipalFlow {
  readonly date: IsoDate;
  /** Principal repaid on `date`, >= 0. */
  readonly amount: DecimalInput;
}

export interface WeightedAverageLifeInput {
  readonly settlementDate: IsoDate;
  readonly principalFlows: readonly PrincipalFlow[];
  /** ACT/ACT-ICMA is excluded: it needs coupon reference periods, which a WAL does not have. */
  readonly dayCount?: Exclude<DayCountConvention, 'ACT/ACT-ICMA'>;
}

/** WAL in years (unrounded). Throws INVALID_ARGUMENT when no principal remains after settlement. */
export function weightedAverageLife(input: WeightedAverageLifeInput): Decimal {
  const dayCount = input.dayCount ?? 'ACT/365F';
  ensure(input.principalFlows.length <= PRINCIPAL_FLOWS_MAX, 'INVALID_ARGUMENT', `at most ${PRINCIPAL_FLOWS_MAX} principal flows`);
  let weighted = new Decimal(0);
  let total = new Decimal(0);
  for (const flow of input.principalFlows) {
    const amount = toDecimal(flow.amount);
    ensure(amount.gte(0), 'INVALID_ARGUMENT', 'principal amounts must be >= 0');
    if (flow.date <= input.settlementDate) continue;
    weighted = weighted.add(yearFraction(dayCount, input.settlementDate, flow.date).mul(amount));
    total = total.add(amount);
  }
  ensure(total.gt(0), 'INVALID_ARGUMENT', 'no principal is repaid after the settlement date');
  return weighted.div(total);
}
