/**
 * Day-count conventions: the year fraction between two dates.
 *
 * Conventions (names are part of the API and stored with each note):
 * - '30/360-ISDA'  ISDA 2006 Definitions 4.16(f) "30/360, 360/360, Bond Basis":
 *                 D1 = 31 → 30; D2 = 31 and D1 > 29 → 30. No end-of-February adjustment.
 *                 '30/360' is the old name of this one and stays accepted with the same meaning.
 * - '30/360-SIFMA' SIFMA (formerly SIA) Standard Securities Calculation Methods 30/360, the US bond
 *                 market's 30/360 ("30U/360"): the bond-basis rules plus, for end-of-month
 *                 securities (ctx.endOfMonth, default true), D1 on the last day of February → 30,
 *                 and D2 → 30 when D1 and D2 are both the last day of February.
 *                 '30/360-SIA' is accepted as an alias.
 * - '30E/360'     ISDA 2006 4.16(g) "30E/360, Eurobond Basis": any 31 → 30.
 * - 'ACT/360'     ISDA 2006 4.16(e): actual days / 360.
 * - 'ACT/365F'    ISDA 2006 4.16(d): actual days / 365.
 * - 'ACT/ACT-ICMA' ISDA 2006 4.16(c) / ICMA Rule 251: days / (frequency × days in the reference
 *                 (quasi-)coupon period). A period reaching outside the reference period (long or
 *                 short stubs) is split into quasi-coupon periods, each counted against its own
 *                 length, and the parts are summed.
 *
 * Guarantees: results are exact Decimals except that each division is rounded half-even to 60
 * significant digits (the Decimal clone). start > end gives the negated fraction of (end, start).
 */
import { Decimal } from './decimal.js';
import { assertNever, DomainError, ensure } from './errors.js';
import { addMonths, civil, daysBetween, isLastDayOfMonth, type IsoDate } from './dates.js';

export const DAY_COUNT_CONVENTIONS = [
  '30/360-ISDA',
  '30/360-SIFMA',
  '30/360',
  '30/360-SIA',
  '30E/360',
  'ACT/360',
  'ACT/365F',
  'ACT/ACT-ICMA',
] as const;
export type DayCountConvention = (typeof DAY_COUNT_CONVENTIONS)[number];

/** The unambiguous name of a convention: the old names map to the one they always meant. */
export function canonicalDayCount(convention: DayCountConvention): Exclude<DayCountConvention, '30/360' | '30/360-SIA'> {
  if (convention === '30/360') return '30/360-ISDA';
  if (convention === '30/360-SIA') return '30/360-SIFMA';
  return convention;
}

/** Coupon payments per year. */
export type CouponFrequency = 1 | 2 | 4 | 12;
export const COUPON_FREQUENCIES: readonly CouponFrequency[] = [1, 2, 4, 12];

/** Upper bound on quasi-coupon periods generated for one fraction (100 years monthly). */
const QUASI_PERIODS_MAX = 1200;

export interface DayCountContext {
  /** ACT/ACT-ICMA: the regular coupon period used as reference. */
  readonly referenceStart?: IsoDate;
  readonly referenceEnd?: IsoDate;
  /** ACT/ACT-ICMA: coupon frequency. */
  readonly frequency?: CouponFrequency;
  /**
   * ACT/ACT-ICMA: step quasi-coupon dates as month ends when the reference date is a month end.
   * 30/360-SIFMA: the security follows the end-of-month rule (enables the February rule).
   * Default: true for 30/360-SIFMA, false for ACT/ACT-ICMA.
   */
  readonly endOfMonth?: boolean;
}

export function isDayCountConvention(text: string): text is DayCountConvention {
  return (DAY_COUNT_CONVENTIONS as readonly string[]).includes(text);
}

export function isCouponFrequency(value: number): value is CouponFrequency {
  return value === 1 || value === 2 || value === 4 || value === 12;
}

/** Months in one regular coupon period. */
export function monthsPerPeriod(frequency: CouponFrequency): number {
  ensure(isCouponFrequency(frequency), 'INVALID_ARGUMENT', `frequency must be 1, 2, 4 or 12, got ${String(frequency)}`);
  return 12 / frequency;
}

/** True for the 30/360 family, whose day counts are not actual days. */
export function isThirty360(convention: DayCountConvention): boolean {
  const name = canonicalDayCount(convention);
  return name === '30/360-ISDA' || name === '30/360-SIFMA' || name === '30E/360';
}

/**
 * The day-count numerator between two dates: 30/360-style days for the 30/360 family, actual
 * days otherwise.
 */
export function dayCountDays(convention: DayCountConvention, start: IsoDate, end: IsoDate, ctx: DayCountContext = {}): number {
  if (start > end) return -dayCountDays(convention, end, start, ctx);
  const name = canonicalDayCount(convention);
  switch (name) {
    case '30/360-ISDA':
    case '30E/360':
    case '30/360-SIFMA':
      return thirty360Days(name, start, end, ctx.endOfMonth ?? true);
    case 'ACT/360':
    case 'ACT/365F':
    case 'ACT/ACT-ICMA':
      return daysBetween(start, end);
    default:
      return assertNever(name);
  }
}

/** Year fraction from `start` to `end` under `convention`. */
export function yearFraction(convention: DayCountConvention, start: IsoDate, end: IsoDate, ctx: DayCountContext = {}): Decimal {
  if (start > end) return yearFraction(convention, end, start, ctx).neg();
  const name = canonicalDayCount(convention);
  switch (name) {
    case '30/360-ISDA':
    case '30E/360':
    case '30/360-SIFMA':
    case 'ACT/360':
      return new Decimal(dayCountDays(name, start, end, ctx)).div(360);
    case 'ACT/365F':
      return new Decimal(daysBetween(start, end)).div(365);
    case 'ACT/ACT-ICMA':
      return icmaYearFraction(start, end, ctx);
    default:
      return assertNever(name);
  }
}

function thirty360Days(convention: '30/360-ISDA' | '30E/360' | '30/360-SIFMA', start: IsoDate, end: IsoDate, endOfMonth: boolean): number {
  const a = civil(start);
  const b = civil(end);
  let d1 = a.day;
  let d2 = b.day;
  switch (convention) {
    case '30/360-ISDA': // ISDA 2006 4.16(f)
      if (d1 === 31) d1 = 30;
      if (d2 === 31 && d1 > 29) d2 = 30;
      break;
    case '30E/360': // ISDA 2006 4.16(g)
      if (d1 === 31) d1 = 30;
      if (d2 === 31) d2 = 30;
      break;
    case '30/360-SIFMA': {
      // SIFMA Standard Securities Calculation Methods, 30/360 rules 1–4
      const startIsFebEnd = a.month === 2 && isLastDayOfMonth(start);
      const endIsFebEnd = b.month === 2 && isLastDayOfMonth(end);
      if (endOfMonth && startIsFebEnd && endIsFebEnd) d2 = 30;
      if (endOfMonth && startIsFebEnd) d1 = 30;
      if (d2 === 31 && d1 >= 30) d2 = 30;
      if (d1 === 31) d1 = 30;
      break;
    }
    default:
      return assertNever(convention);
  }
  return 360 * (b.year - a.year) + 30 * (b.month - a.month) + (d2 - d1);
}

function icmaYearFraction(start: IsoDate, end: IsoDate, ctx: DayCountContext): Decimal {
  const { referenceStart, referenceEnd, frequency } = ctx;
  if (referenceStart === undefined || referenceEnd === undefined || frequency === undefined) {
    throw new DomainError('MISSING_REFERENCE_PERIOD', 'ACT/ACT-ICMA needs referenceStart, referenceEnd and frequency');
  }
  const quasiDates = quasiCouponDates(referenceStart, referenceEnd, frequency, ctx.endOfMonth ?? false, start, end);
  return icmaFraction(start, end, quasiDates, frequency);
}

/**
 * Quasi-coupon dates covering [coverStart, coverEnd]: the reference period's own dates,
 * extended backward from referenceStart and forward from referenceEnd in steps of one regular
 * period (each step computed from that anchor, with the end-of-month rule when the anchor is a
 * month end and `endOfMonth` is set).
 */
export function quasiCouponDates(
  referenceStart: IsoDate,
  referenceEnd: IsoDate,
  frequency: CouponFrequency,
  endOfMonth: boolean,
  coverStart: IsoDate,
  coverEnd: IsoDate,
): IsoDate[] {
  ensure(referenceStart < referenceEnd, 'INVALID_ARGUMENT', 'reference period must have start < end');
  const months = monthsPerPeriod(frequency);
  const before: IsoDate[] = [];
  const backEom = { endOfMonth: endOfMonth && isLastDayOfMonth(referenceStart) };
  for (let k = 1; (before[0] ?? referenceStart) > coverStart; k += 1) {
    ensure(k <= QUASI_PERIODS_MAX, 'INVALID_ARGUMENT', 'period is too far from its reference period');
    before.unshift(addMonths(referenceStart, -k * months, backEom));
  }
  const after: IsoDate[] = [];
  const forwardEom = { endOfMonth: endOfMonth && isLastDayOfMonth(referenceEnd) };
  for (let k = 1; (after[after.length - 1] ?? referenceEnd) < coverEnd; k += 1) {
    ensure(k <= QUASI_PERIODS_MAX, 'INVALID_ARGUMENT', 'period is too far from its reference period');
    after.push(addMonths(referenceEnd, k * months, forwardEom));
  }
  return [...before, referenceStart, referenceEnd, ...after];
}

/**
 * ICMA Rule 251 fraction of [start, end] over ascending quasi-coupon dates that cover it:
 * Σ overlapDays(q_i, q_i+1) / (frequency × days(q_i, q_i+1)).
 */
export function icmaFraction(start: IsoDate, end: IsoDate, quasiDates: readonly IsoDate[], frequency: CouponFrequency): Decimal {
  ensure(start <= end, 'INVALID_ARGUMENT', 'icmaFraction needs start <= end');
  const first = quasiDates[0];
  const last = quasiDates[quasiDates.length - 1];
  ensure(
    first !== undefined && last !== undefined && first <= start && last >= end,
    'INVALID_ARGUMENT',
    'quasi-coupon dates must cover the period',
  );
  let total = new Decimal(0);
  for (let i = 0; i + 1 < quasiDates.length; i += 1) {
    const q0 = quasiDates[i] as IsoDate;
    const q1 = quasiDates[i + 1] as IsoDate;
    ensure(q0 < q1, 'INVALID_ARGUMENT', 'quasi-coupon dates must be strictly ascending');
    const from = start > q0 ? start : q0;
    const to = end < q1 ? end : q1;
    if (from < to) {
      total = total.add(new Decimal(daysBetween(from, to)).div(frequency * daysBetween(q0, q1)));
    }
  }
  return total;
}
