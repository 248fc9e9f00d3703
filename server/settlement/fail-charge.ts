/**
 * Fail charges and fail ageing — pure arithmetic, no I/O.
 *
 * Formula (Treasury Market Practices Group fails charge, newyorkfed.org/tmpg; DOMAIN.md §2):
 *   charge = proceeds × max(0, 3% − reference rate) × calendar days failed / 360
 * where proceeds is the instruction's net amount (principal + accrued) and the days run from the
 * contractual settlement date to the day of settlement (or the day the charge is shown). The
 * reference rate is the operator's dated series (reference-rates.ts): the rate at the close of the
 * business day before the contractual settlement date.
 *
 * Who pays: TMPG's charge is a charge on fails to deliver securities, owed by the seller that
 * failed to deliver to the buyer (also when both sides failed: the seller did not deliver). A
 * failure to pay (the buyer's side alone) carries no TMPG charge: TMPG does not charge it, the
 * seller keeps its securities and earns their coupon meanwhile, and the buyer's unpaid purchase
 * stays its obligation, funded by its credit line (the line stays in use until it pays).
 * The charge is shown on open fails as it grows and is booked through the ledger (seller's cash
 * to buyer's cash) when the fail settles (run-fails.ts).
 * Rounding: once, half-even to cents (rounding.ts).
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash } from '../domain/rounding.js';
import { addDays, daysBetween, parseIsoDate } from '../domain/dates.js';
import { isBusinessDay } from '../domain/calendar.js';
import type { FailedSide } from './types.js';

export const FAIL_CHARGE_CAP_PERCENT = new Decimal(3);
/** Longest fail that is aged day by day (ten years); beyond it the age is capped. */
const AGE_DAYS_MAX = 3660;

export function failCharge(proceeds: Decimal, referenceRatePercent: Decimal, settlementDate: string, asOf: string): Decimal {
  const days = daysBetween(parseIsoDate(settlementDate), parseIsoDate(asOf));
  if (days <= 0) return new Decimal(0);
  const ratePercent = Decimal.max(0, FAIL_CHARGE_CAP_PERCENT.minus(referenceRatePercent));
  return roundCash(proceeds.mul(ratePercent).div(100).mul(days).div(360));
}

/** Business days a fail has been outstanding: 0 on its settlement date, 1 the next business day. */
export function failAgeBusinessDays(settlementDate: string, asOf: string): number {
  const start = parseIsoDate(settlementDate);
  const end = parseIsoDate(asOf);
  const span = Math.min(daysBetween(start, end), AGE_DAYS_MAX);
  let age = 0;
  for (let i = 1; i <= span; i += 1) if (isBusinessDay(addDays(start, i))) age += 1;
  return age;
}

/** Who owes the fail charge (to the other side): the seller when it failed to deliver; nobody for a failure to pay. */
export function failChargePayer(side: FailedSide): 'seller' | null {
  return side === 'buyer' ? null : 'seller';
}

/** The TMPG charge of a fail of the given side: zero for a failure to pay alone. */
export function failChargeOf(
  side: FailedSide | null,
  proceeds: Decimal,
  referenceRatePercent: Decimal,
  settlementDate: string,
  asOf: string,
): Decimal {
  if (side === null || failChargePayer(side) === null) return new Decimal(0);
  return failCharge(proceeds, referenceRatePercent, settlementDate, asOf);
}

/** The configured reference rate in percent; a malformed value is a configuration defect. */
export function referenceRateFromEnvironment(env: NodeJS.ProcessEnv = process.env): Decimal {
  const text = env.SETTLEMENT_FAIL_REFERENCE_RATE;
  if (text === undefined || text === '') return new Decimal(0);
  if (!/^\d{1,2}(\.\d{1,6})?$/.test(text))
    throw new Error(`SETTLEMENT_FAIL_REFERENCE_RATE must be a percentage such as "4.33", got ${text}`);
  return new Decimal(text);
}
