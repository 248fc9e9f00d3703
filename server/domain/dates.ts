/**
 * Calendar dates without time zones: ISO 'YYYY-MM-DD' strings at the boundary, integer day
 * numbers inside.
 *
 * Guarantees:
 * - An `IsoDate` is always a valid Gregorian date between MIN_YEAR-01-01 and MAX_YEAR-12-31
 *   in the exact form 'YYYY-MM-DD' (so string order is chronological order).
 * - Day numbers count days since 1970-01-01 (day 0), computed with Howard Hinnant's
 *   days_from_civil / civil_from_days integer algorithms; no JS Date is ever used, so results
 *   never depend on the host time zone or clock.
 * - Every result is range-checked; leaving the supported years throws DATE_OUT_OF_RANGE.
 */
import { DomainError, ensure } from './errors.js';

/** A validated calendar date 'YYYY-MM-DD'. Build one with parseIsoDate or makeDate. */
export type IsoDate = string & { readonly __brand: 'IsoDate' };

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2299;

/** 0 = Sunday, 1 = Monday, …, 6 = Saturday (the numbering of JS getUTCDay). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface CivilDate {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  ensure(Number.isInteger(month) && month >= 1 && month <= 12, 'INVALID_DATE', `month ${month} is not in 1..12`);
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Builds an IsoDate from components; throws INVALID_DATE / DATE_OUT_OF_RANGE. */
export function makeDate(year: number, month: number, day: number): IsoDate {
  ensure(Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day), 'INVALID_DATE', 'date parts must be integers');
  ensure(year >= MIN_YEAR && year <= MAX_YEAR, 'DATE_OUT_OF_RANGE', `year ${year} is outside ${MIN_YEAR}..${MAX_YEAR}`);
  ensure(day >= 1 && day <= daysInMonth(year, month), 'INVALID_DATE', `${year}-${month}-${day} is not a calendar date`);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}` as IsoDate;
}

/** Formats components as an IsoDate (validating them); the inverse of `civil`. */
export function formatIsoDate(date: CivilDate): IsoDate {
  return makeDate(date.year, date.month, date.day);
}

/** Strictly parses 'YYYY-MM-DD' (rejects 2026-02-30, '2026-2-3', times, whitespace). */
export function parseIsoDate(text: string): IsoDate {
  if (typeof text !== 'string') throw new DomainError('INVALID_DATE', `expected a date string, got ${typeof text}`);
  const match = ISO_DATE.exec(text);
  if (match === null) throw new DomainError('INVALID_DATE', `not a YYYY-MM-DD date: ${JSON.stringify(text.slice(0, 40))}`);
  return makeDate(Number.parseInt(match[1] ?? '', 10), Number.parseInt(match[2] ?? '', 10), Number.parseInt(match[3] ?? '', 10));
}

/** True when `text` is a valid IsoDate in the supported range. */
export function isIsoDate(text: string): text is IsoDate {
  try {
    parseIsoDate(text);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}

/** Components of a date. The argument is trusted to be an IsoDate (branded). */
export function civil(date: IsoDate): CivilDate {
  return {
    year: Number.parseInt(date.slice(0, 4), 10),
    month: Number.parseInt(date.slice(5, 7), 10),
    day: Number.parseInt(date.slice(8, 10), 10),
  };
}

export function yearOf(date: IsoDate): number {
  return civil(date).year;
}

export function monthOf(date: IsoDate): number {
  return civil(date).month;
}

export function dayOf(date: IsoDate): number {
  return civil(date).day;
}

/** Days since 1970-01-01 (Hinnant's days_from_civil). */
export function dayNumber(date: IsoDate): number {
  const { year, month, day } = civil(date);
  return daysFromCivil(year, month, day);
}

/** Inverse of dayNumber; throws DATE_OUT_OF_RANGE outside the supported years. */
export function fromDayNumber(days: number): IsoDate {
  ensure(Number.isSafeInteger(days), 'INVALID_ARGUMENT', `day number must be an integer, got ${days}`);
  const { year, month, day } = civilFromDays(days);
  return makeDate(year, month, day);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  ensure(Number.isSafeInteger(days), 'INVALID_ARGUMENT', `days must be an integer, got ${days}`);
  return fromDayNumber(dayNumber(date) + days);
}

/** Actual calendar days from `start` to `end` (negative when end is earlier). */
export function daysBetween(start: IsoDate, end: IsoDate): number {
  return dayNumber(end) - dayNumber(start);
}

export function weekday(date: IsoDate): Weekday {
  return ((((dayNumber(date) + 4) % 7) + 7) % 7) as Weekday; // 1970-01-01 was a Thursday (4)
}

export function isLastDayOfMonth(date: IsoDate): boolean {
  const { year, month, day } = civil(date);
  return day === daysInMonth(year, month);
}

export function lastDayOfMonth(year: number, month: number): IsoDate {
  return makeDate(year, month, daysInMonth(year, month));
}

export interface AddMonthsOptions {
  /** When true and `date` is the last day of its month, the result is the last day of its month. */
  readonly endOfMonth?: boolean;
}

/**
 * Adds calendar months. The day is kept and clamped to the target month's length
 * (2024-01-31 + 1M = 2024-02-29). With `endOfMonth`, a month-end date maps to month ends
 * (2024-04-30 + 1M = 2024-05-31).
 */
export function addMonths(date: IsoDate, months: number, options: AddMonthsOptions = {}): IsoDate {
  ensure(Number.isSafeInteger(months), 'INVALID_ARGUMENT', `months must be an integer, got ${months}`);
  const { year, month, day } = civil(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  ensure(targetYear >= MIN_YEAR && targetYear <= MAX_YEAR, 'DATE_OUT_OF_RANGE', `year ${targetYear} is out of range`);
  const lastDay = daysInMonth(targetYear, targetMonth);
  const keepsMonthEnd = options.endOfMonth === true && day === daysInMonth(year, month);
  return makeDate(targetYear, targetMonth, keepsMonthEnd ? lastDay : Math.min(day, lastDay));
}

/** Negative, zero or positive as a is before, equal to or after b. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // [0, 399]
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1; // [0, 365]
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // [0, 146096]
  return era * 146097 + doe - 719468;
}

// Howard Hinnant, civil_from_days.
function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097; // [0, 146096]
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // [0, 365]
  const mp = Math.floor((5 * doy + 2) / 153); // [0, 11]
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
