/**
 * Accrued interest of a fixed-coupon note.
 *
 * Conventions:
 * - Interest accrues from the start of the coupon period containing the settlement date (the
 *   last coupon date on or before settlement, or the issue date in the first period) to the
 *   settlement date. Settling on a coupon date therefore accrues 0.
 * - There is no ex-coupon period: a settlement after a record date but before the coupon date
 *   still accrues from the previous coupon date (record-date claims are handled by servicing).
 * - ACT/ACT-ICMA uses the containing period's regular quasi-coupon dates as the reference
 *   period, splitting stubs per ICMA Rule 251.
 *
 * Rounding: accrued cash = face × factor × coupon/100 × yearFraction is computed unrounded
 * (60 significant digits) and rounded half-even to cents once, at the end, in rounding.ts.
 */
import { toDecimal, type Decimal, type DecimalInput } from './decimal.js';
import { icmaFraction, isThirty360, yearFraction, type DayCountConvention } from './daycount.js';
import { ensure } from './errors.js';
import type { IsoDate } from './dates.js';
import { roundCash } from './rounding.js';
import { couponPeriodContaining, type CouponPeriod, type CouponSchedule } from './schedule.js';

/** The economic terms of a note needed for accrual, pricing and yield. */
export interface NoteTerms {
  /** Annual coupon rate in percent, e.g. '5.75'. */
  readonly couponRatePercent: DecimalInput;
  readonly dayCount: DayCountConvention;
  readonly schedule: CouponSchedule;
}

export interface AccruedInterestInput extends NoteTerms {
  /** Original face amount in currency units. */
  readonly face: DecimalInput;
  /** Pool factor in [0, 1]; current face = face × factor. */
  readonly factor: DecimalInput;
  readonly settlementDate: IsoDate;
}

/** Coupon rate as a Decimal, validated non-negative. */
export function couponRateOf(terms: NoteTerms): Decimal {
  const rate = toDecimal(terms.couponRatePercent);
  ensure(rate.gte(0), 'INVALID_ARGUMENT', 'coupon rate must be >= 0');
  return rate;
}

/** Face × factor with validation (face >= 0, 0 <= factor <= 1). Unrounded. */
export function currentFaceOf(face: DecimalInput, factor: DecimalInput): Decimal {
  const faceValue = toDecimal(face);
  const factorValue = toDecimal(factor);
  ensure(faceValue.gte(0), 'INVALID_ARGUMENT', 'face must be >= 0');
  ensure(factorValue.gte(0) && factorValue.lte(1), 'INVALID_FACTOR', `factor must be in [0, 1], got ${factorValue.toFixed()}`);
  return faceValue.mul(factorValue);
}

/** Year fraction of [from, to] inside `period` under the note's day count. */
export function periodYearFraction(terms: NoteTerms, period: CouponPeriod, from: IsoDate, to: IsoDate): Decimal {
  ensure(period.start <= from && from <= to && to <= period.end, 'INVALID_ARGUMENT', 'dates must lie inside the period');
  if (terms.dayCount === 'ACT/ACT-ICMA') {
    return icmaFraction(from, to, period.quasiDates, terms.schedule.frequency);
  }
  return yearFraction(terms.dayCount, from, to, { endOfMonth: terms.schedule.endOfMonth });
}

/**
 * Coupon paid at the end of `period` per 100 of current face. A regular period of a 30/360
 * or ACT/ACT-ICMA note pays exactly coupon/frequency; stubs and ACT/360, ACT/365F periods pay
 * coupon × the period's year fraction.
 */
export function periodCouponPer100(terms: NoteTerms, period: CouponPeriod): Decimal {
  const rate = couponRateOf(terms);
  if (!period.isStub && (isThirty360(terms.dayCount) || terms.dayCount === 'ACT/ACT-ICMA')) {
    return rate.div(terms.schedule.frequency);
  }
  return rate.mul(periodYearFraction(terms, period, period.start, period.end));
}

/** Year fraction from the accrual start to settlement. */
export function accrualYearFraction(terms: NoteTerms, settlementDate: IsoDate): Decimal {
  const period = couponPeriodContaining(terms.schedule, settlementDate);
  return periodYearFraction(terms, period, period.start, settlementDate);
}

/** Accrued interest per 100 of current face (coupon% × fraction), unrounded. */
export function accruedPer100(terms: NoteTerms, settlementDate: IsoDate): Decimal {
  return couponRateOf(terms).mul(accrualYearFraction(terms, settlementDate));
}

/** face × factor × coupon/100 × fraction, unrounded (60 significant digits). */
export function accruedInterestUnrounded(input: AccruedInterestInput): Decimal {
  const currentFace = currentFaceOf(input.face, input.factor);
  return currentFace.mul(accruedPer100(input, input.settlementDate)).div(100); // /100 is exact
}

/** Accrued interest in cash, rounded half-even to cents once at the end. */
export function accruedInterest(input: AccruedInterestInput): Decimal {
  return roundCash(accruedInterestUnrounded(input));
}
