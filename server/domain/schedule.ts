/**
 * Coupon schedules: unadjusted coupon dates and accrual periods of a fixed-coupon note.
 *
 * Generation:
 * - With a first coupon date, regular dates run forward from it in steps of 12/frequency
 *   months; the maturity date must be one of them (no final stub). The first period runs from
 *   the issue date and may be regular, a short stub or a long stub.
 * - Without one, dates run backward from the maturity date; the first period is then regular
 *   or a short stub.
 * - Each date is computed from the anchor (first coupon or maturity) as anchor + k periods, so
 *   day-of-month clamping never drifts. End-of-month rule: when `endOfMonth` (default true) and
 *   the anchor is the last day of its month, every generated date is a month end.
 * - Dates are unadjusted (coupon accrual uses unadjusted dates; payment-date rolling belongs to
 *   the servicing calendar, not to accrual).
 *
 * Every period carries the regular quasi-coupon dates covering it, which ACT/ACT-ICMA uses to
 * split stubs (ICMA Rule 251). Guarantees: periods are contiguous, ascending, cover
 * [issueDate, maturityDate], and their count is bounded by COUPON_PERIODS_MAX.
 */
import { addMonths, isLastDayOfMonth, type IsoDate } from './dates.js';
import { monthsPerPeriod, type CouponFrequency } from './daycount.js';
import { DomainError, ensure } from './errors.js';

/** 100 years of monthly coupons. */
export const COUPON_PERIODS_MAX = 1200;

export interface CouponPeriod {
  /** Accrual start: the issue date for the first period, else the previous coupon date. */
  readonly start: IsoDate;
  /** Coupon date ending the period (unadjusted). */
  readonly end: IsoDate;
  /** True when the period is not exactly one regular coupon period long. */
  readonly isStub: boolean;
  /** Ascending regular (quasi-)coupon dates with first <= start and last = end. */
  readonly quasiDates: readonly IsoDate[];
}

export interface CouponSchedule {
  readonly issueDate: IsoDate;
  readonly maturityDate: IsoDate;
  readonly frequency: CouponFrequency;
  /** Whether the end-of-month rule is in force (requested and the anchor is a month end). */
  readonly endOfMonth: boolean;
  /** Ascending coupon dates; the last one is the maturity date. */
  readonly couponDates: readonly IsoDate[];
  readonly periods: readonly CouponPeriod[];
}

export interface CouponScheduleInput {
  readonly issueDate: IsoDate;
  readonly maturityDate: IsoDate;
  readonly frequency: CouponFrequency;
  readonly firstCouponDate?: IsoDate;
  /** Apply the end-of-month rule when the anchor date is a month end. Default true. */
  readonly endOfMonth?: boolean;
}

export function buildCouponSchedule(input: CouponScheduleInput): CouponSchedule {
  const { issueDate, maturityDate, frequency, firstCouponDate } = input;
  ensure(issueDate < maturityDate, 'INVALID_SCHEDULE', 'issue date must be before maturity date');
  const months = monthsPerPeriod(frequency);
  const anchor = firstCouponDate ?? maturityDate;
  const endOfMonth = (input.endOfMonth ?? true) && isLastDayOfMonth(anchor);
  const grid = (k: number): IsoDate => addMonths(anchor, k * months, { endOfMonth });

  const couponDates =
    firstCouponDate === undefined ? backwardDates(grid, issueDate) : forwardDates(grid, issueDate, firstCouponDate, maturityDate);
  const firstCoupon = couponDates[0] as IsoDate;
  const firstIndex = firstCouponDate === undefined ? 1 - couponDates.length : 0;
  const firstQuasi = quasiDatesBefore(grid, firstIndex, issueDate);
  const periods: CouponPeriod[] = [
    { start: issueDate, end: firstCoupon, isStub: firstQuasi[0] !== issueDate || firstQuasi.length !== 2, quasiDates: firstQuasi },
  ];
  for (let i = 1; i < couponDates.length; i += 1) {
    const start = couponDates[i - 1] as IsoDate;
    const end = couponDates[i] as IsoDate;
    periods.push({ start, end, isStub: false, quasiDates: [start, end] });
  }
  return { issueDate, maturityDate, frequency, endOfMonth, couponDates, periods };
}

function forwardDates(grid: (k: number) => IsoDate, issueDate: IsoDate, firstCouponDate: IsoDate, maturityDate: IsoDate): IsoDate[] {
  ensure(issueDate < firstCouponDate, 'INVALID_SCHEDULE', 'first coupon date must be after the issue date');
  ensure(firstCouponDate <= maturityDate, 'INVALID_SCHEDULE', 'first coupon date must not be after maturity');
  const dates: IsoDate[] = [];
  for (let k = 0; ; k += 1) {
    ensure(k < COUPON_PERIODS_MAX, 'INVALID_SCHEDULE', `more than ${COUPON_PERIODS_MAX} coupon periods`);
    const date = grid(k);
    if (date > maturityDate) {
      throw new DomainError('INVALID_SCHEDULE', `maturity ${maturityDate} is not on the coupon grid of first coupon ${firstCouponDate}`);
    }
    dates.push(date);
    if (date === maturityDate) return dates;
  }
}

function backwardDates(grid: (k: number) => IsoDate, issueDate: IsoDate): IsoDate[] {
  const dates: IsoDate[] = [];
  for (let k = 0; ; k -= 1) {
    ensure(-k < COUPON_PERIODS_MAX, 'INVALID_SCHEDULE', `more than ${COUPON_PERIODS_MAX} coupon periods`);
    const date = grid(k);
    if (date <= issueDate) return dates.reverse();
    dates.push(date);
  }
}

/** Grid dates from the last one on or before the issue date up to the first coupon date. */
function quasiDatesBefore(grid: (k: number) => IsoDate, firstIndex: number, issueDate: IsoDate): IsoDate[] {
  const dates: IsoDate[] = [grid(firstIndex)];
  for (let k = firstIndex - 1; (dates[0] as IsoDate) > issueDate; k -= 1) {
    ensure(firstIndex - k <= COUPON_PERIODS_MAX, 'INVALID_SCHEDULE', 'first period is too long');
    dates.unshift(grid(k));
  }
  return dates;
}

/** Index of the period with start <= date < end, or -1 when date is outside [issue, maturity). */
export function periodIndexContaining(schedule: CouponSchedule, date: IsoDate): number {
  const { periods } = schedule;
  if (date < schedule.issueDate || date >= schedule.maturityDate) return -1;
  let lo = 0;
  let hi = periods.length - 1;
  while (lo < hi) {
    // Invariant: the answer is in [lo, hi]; each step shrinks the range, so at most log2(n) steps.
    const mid = (lo + hi) >> 1;
    if ((periods[mid] as CouponPeriod).end > date) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The accrual period with start <= date < end; throws SETTLEMENT_OUT_OF_RANGE outside [issue, maturity). */
export function couponPeriodContaining(schedule: CouponSchedule, date: IsoDate): CouponPeriod {
  const index = periodIndexContaining(schedule, date);
  if (index < 0) {
    throw new DomainError('SETTLEMENT_OUT_OF_RANGE', `${date} is outside [${schedule.issueDate}, ${schedule.maturityDate})`);
  }
  return schedule.periods[index] as CouponPeriod;
}

/** The latest coupon date on or before `date`, or null when none (date before the first coupon). */
export function previousCouponDate(schedule: CouponSchedule, date: IsoDate): IsoDate | null {
  let found: IsoDate | null = null;
  for (const coupon of schedule.couponDates) {
    if (coupon > date) break;
    found = coupon;
  }
  return found;
}

/** The earliest coupon date strictly after `date`, or null when date is on/after maturity. */
export function nextCouponDate(schedule: CouponSchedule, date: IsoDate): IsoDate | null {
  return schedule.couponDates.find((coupon) => coupon > date) ?? null;
}
