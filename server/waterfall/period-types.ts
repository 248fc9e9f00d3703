/**
 * The data of one waterfall period: the trust's state between periods (each class's balance and
 * shortfalls, fees owed, reserve, trapped cash, trigger states), what a period brings (its cash,
 * accruals and metrics), and what running it gives back (each step's flow, each class's flows,
 * the next state). Types only.
 *
 * Guarantees: amounts are Decimal (cents after the waterfall's rounding), never a float. Must
 * never: hold behaviour (run.ts runs a period, accruals.ts states the accruals).
 */
import type { Decimal } from '../domain/decimal.js';
import type { WaterfallStep } from './definition.js';
import type { TriggerResult, TriggerState } from './triggers.js';

export interface ClassState {
  balance: Decimal;
  interestShortfall: Decimal;
  /** Interest deferred (paid in kind) while a trigger deferred it, not yet paid. */
  deferredInterest: Decimal;
  /** Post-ARD additional interest accrued and not yet paid. */
  additionalInterestShortfall: Decimal;
}

/** The trust's state between periods, keyed by class name and trigger name. */
export interface WaterfallState {
  classes: ReadonlyMap<string, ClassState>;
  feeShortfall: Decimal;
  reserveBalance: Decimal;
  trappedCash: Decimal;
  triggers: ReadonlyMap<string, TriggerState>;
}

export interface ClassAccrual {
  /** Annual coupon, percent. */
  couponRatePercent: Decimal;
  /** Year fraction of this accrual period under the class's day count. */
  yearFraction: Decimal;
}

/** A period's metrics by name (e.g. dscr, dscrThreeMonthAverage, ltvPercent), as the caller computes them. */
export type PeriodMetrics = ReadonlyMap<string, Decimal>;

export interface WaterfallPeriod {
  paymentDate: string;
  /** First day of the accrual period (the last payment date). */
  accrualStart: string;
  /** Cash available for the steps (the trust's free cash). */
  availableFunds: Decimal;
  metrics: PeriodMetrics;
  /** 1 / payments per year: the fee lines' accrual fraction. */
  feeYearFraction: Decimal;
  /** Per class name. */
  accruals: ReadonlyMap<string, ClassAccrual>;
}

export interface StepFlow {
  index: number;
  kind: WaterfallStep['kind'];
  label: string;
  ran: boolean;
  availableBefore: Decimal;
  fromReserve: Decimal;
  fromTrappedCash: Decimal;
  /** Cash leaving the trust: fees, interest, principal, residual. */
  paid: Decimal;
  toReserve: Decimal;
  toTrappedCash: Decimal;
  /** Interest deferred (paid in kind) by this step: no cash moves. */
  deferred: Decimal;
  availableAfter: Decimal;
  paidTo: { className: string; amount: Decimal }[];
}

export interface ClassFlow {
  className: string;
  noteId: string;
  balanceBefore: Decimal;
  interestCurrent: Decimal;
  interestShortfallBefore: Decimal;
  interestPaid: Decimal;
  interestShortfallAfter: Decimal;
  interestDeferred: Decimal;
  deferredInterestBefore: Decimal;
  deferredInterestPaid: Decimal;
  deferredInterestAfter: Decimal;
  additionalInterestCurrent: Decimal;
  additionalInterestShortfallBefore: Decimal;
  additionalInterestPaid: Decimal;
  additionalInterestShortfallAfter: Decimal;
  principalPaid: Decimal;
  balanceAfter: Decimal;
}

export interface WaterfallPeriodResult {
  state: WaterfallState;
  triggerResults: TriggerResult[];
  stepFlows: StepFlow[];
  classFlows: ClassFlow[];
  fees: { current: Decimal; shortfallBefore: Decimal; paid: Decimal; shortfallAfter: Decimal };
  reserve: { before: Decimal; draw: Decimal; topUp: Decimal; after: Decimal };
  trappedCash: { before: Decimal; added: Decimal; released: Decimal; swept: Decimal; after: Decimal };
  residual: Decimal;
  principalPaid: Decimal;
  /** A cash_trap step ran while a trap_cash trigger was on. */
  cashTrapActive: boolean;
  /** A sweep step ran. */
  sweepActive: boolean;
  rapidAmortization: boolean;
  availableFunds: Decimal;
  /** Funds left after the last step (zero: the residual step takes the rest). */
  unspent: Decimal;
}
