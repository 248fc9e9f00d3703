/**
 * What a deal's performance report is measured against: its note balance outstanding and one
 * month's debt service, from the deal's notes, class balances and waterfall. Pure: the caller
 * reads the rows.
 *
 * Monthly debt service = Σ classes (balance × coupon ÷ 100 ÷ 12)              scheduled interest
 *                      + Σ fees (rate ÷ 100 × aggregate balance ÷ 12 + fixed per period × payments per year ÷ 12)
 *                      + scheduled principal per period × payments per year ÷ 12,
 * i.e. a twelfth of a year's debt service (a semi-annual deal reports monthly too), rounded to cents.
 * Interest is a twelfth of the annual coupon whatever the day count (a reporting month, not an
 * accrual period); shortfalls are not scheduled debt service.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash } from '../domain/rounding.js';
import type { StepCondition, WaterfallDefinition } from '../waterfall/definition.js';

export interface DebtServiceClass {
  balance: Decimal;
  couponRatePercent: Decimal;
}

export interface DebtServiceTerms {
  paymentsPerYear: number;
  fees: readonly { annualRatePercent: Decimal; fixedPerPeriod: Decimal }[];
  scheduledPrincipalPerPeriod: Decimal;
}

export function noteBalance(classes: readonly DebtServiceClass[]): Decimal {
  return classes.reduce((sum, c) => sum.plus(c.balance), new Decimal(0));
}

export function monthlyDebtService(classes: readonly DebtServiceClass[], terms: DebtServiceTerms): Decimal {
  const balance = noteBalance(classes);
  const interest = classes.reduce((sum, c) => sum.plus(c.balance.mul(c.couponRatePercent).div(100)), new Decimal(0));
  const fees = terms.fees.reduce(
    (sum, f) => sum.plus(balance.mul(f.annualRatePercent).div(100)).plus(f.fixedPerPeriod.mul(terms.paymentsPerYear)),
    new Decimal(0),
  );
  const principal = terms.scheduledPrincipalPerPeriod.mul(terms.paymentsPerYear);
  return roundCash(interest.plus(fees).plus(principal).div(12));
}

/**
 * Fees, scheduled principal and payments a year from a waterfall definition (the step form; a
 * stored version 1 is read through parseWaterfallDefinition). Scheduled principal = the
 * `scheduled_principal` steps that run on `asOf` while no trigger is on: a step that runs only while
 * a trigger (or rapid amortization) is on is not scheduled, one before/from the ARD counts on the
 * matching side of it. Sweeps, reserve top-ups and trapped cash are not debt service. A deal
 * without a waterfall pays interest only, at its notes' coupon frequency.
 */
export function debtServiceTerms(definition: WaterfallDefinition | null, frequency: number, asOf: string): DebtServiceTerms {
  if (definition === null) return { paymentsPerYear: frequency, fees: [], scheduledPrincipalPerPeriod: new Decimal(0) };
  const ard = definition.anticipatedRepaymentDate;
  const scheduled = (when: StepCondition | undefined): boolean => {
    if (!when) return true;
    if (when.triggerOn !== undefined || when.rapidAmortization === true) return false;
    if (when.ard === 'before') return ard === null || asOf < ard;
    if (when.ard === 'from') return ard !== null && asOf >= ard;
    return true;
  };
  const principal = definition.steps.reduce(
    (sum, step) => (step.kind === 'scheduled_principal' && scheduled(step.when) ? sum.plus(step.amountPerPeriod) : sum),
    new Decimal(0),
  );
  return {
    paymentsPerYear: definition.paymentsPerYear,
    fees: definition.seniorFees.map((f) => ({
      annualRatePercent: new Decimal(f.annualRatePercent),
      fixedPerPeriod: new Decimal(f.fixedPerPeriod),
    })),
    scheduledPrincipalPerPeriod: principal,
  };
}
