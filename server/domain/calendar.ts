/**
 * US bond-market business-day calendar (SIFMA recommended full closes), computed by rule.
 *
 * Holidays: New Year's Day, Martin Luther King Jr. Day (3rd Mon Jan), Presidents Day (3rd Mon
 * Feb), Good Friday (Easter − 2, Easter by the anonymous Gregorian computus), Memorial Day (last
 * Mon May), Juneteenth (June 19, from 2022), Independence Day, Labor Day (1st Mon Sep),
 * Columbus Day (2nd Mon Oct), Veterans Day, Thanksgiving (4th Thu Nov), Christmas Day.
 *
 * Observance: a fixed-date holiday on Sunday is observed on Monday; on Saturday it is observed on
 * the preceding Friday, except New Year's Day (Friday Dec 31 stays open, e.g. 2021-12-31) and
 * Veterans Day (SIFMA kept bond markets open on Friday 2023-11-10).
 *
 * Scope and limits: this is a settlement calendar. Good Friday is always a non-business day:
 * in years when it coincides with the BLS employment report SIFMA recommends an early (noon)
 * trading close instead of a full close, but still recommends that the day "not be treated as
 * a good settlement day" (e.g. 2026-04-03). Ad-hoc closures (national days of mourning,
 * weather) are not rule-based and are not included. The rules are the current ones applied to
 * every supported year; only Juneteenth has a start year.
 *
 * Guarantees: pure arithmetic on day numbers; every loop is bounded.
 */
import { addDays, dayNumber, daysInMonth, makeDate, weekday, yearOf, type IsoDate } from './dates.js';
import { ensure } from './errors.js';

export interface Holiday {
  readonly date: IsoDate;
  readonly name: string;
}

/** Largest |n| accepted by addBusinessDays (about 40 years of business days). */
export const BUSINESS_DAYS_MAX = 10_000;
/** Largest settlement cycle accepted by settlementDate. */
export const SETTLEMENT_DAYS_MAX = 30;
/** No run of consecutive non-business days is longer than this. */
const CLOSED_RUN_MAX = 10;

type Observance = 'saturday-to-friday' | 'saturday-not-observed';

interface FixedHoliday {
  readonly name: string;
  readonly month: number;
  readonly day: number;
  readonly observance: Observance;
  readonly sinceYear?: number;
}

const FIXED_HOLIDAYS: readonly FixedHoliday[] = [
  { name: "New Year's Day", month: 1, day: 1, observance: 'saturday-not-observed' },
  { name: 'Juneteenth National Independence Day', month: 6, day: 19, observance: 'saturday-to-friday', sinceYear: 2022 },
  { name: 'Independence Day', month: 7, day: 4, observance: 'saturday-to-friday' },
  { name: 'Veterans Day', month: 11, day: 11, observance: 'saturday-not-observed' },
  { name: 'Christmas Day', month: 12, day: 25, observance: 'saturday-to-friday' },
];

/** Easter Sunday (Gregorian), anonymous computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return makeDate(year, month, day);
}

/** The n-th (1-based) given weekday (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, day: number, n: number): IsoDate {
  const first = makeDate(year, month, 1);
  const offset = (day - weekday(first) + 7) % 7;
  return addDays(first, offset + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, day: number): IsoDate {
  const last = makeDate(year, month, daysInMonth(year, month));
  return addDays(last, -((weekday(last) - day + 7) % 7));
}

function observedDate(holiday: FixedHoliday, year: number): { date: IsoDate; shifted: boolean } | null {
  const actual = makeDate(year, holiday.month, holiday.day);
  switch (weekday(actual)) {
    case 0:
      return { date: addDays(actual, 1), shifted: true };
    case 6:
      return holiday.observance === 'saturday-to-friday' ? { date: addDays(actual, -1), shifted: true } : null;
    default:
      return { date: actual, shifted: false };
  }
}

/** The full-close holidays observed in `year`, ascending by date. */
export function holidaysOf(year: number): readonly Holiday[] {
  const MONDAY = 1;
  const THURSDAY = 4;
  const holidays: Holiday[] = [
    { date: nthWeekday(year, 1, MONDAY, 3), name: 'Martin Luther King Jr. Day' },
    { date: nthWeekday(year, 2, MONDAY, 3), name: 'Presidents Day' },
    { date: addDays(easterSunday(year), -2), name: 'Good Friday' },
    { date: lastWeekday(year, 5, MONDAY), name: 'Memorial Day' },
    { date: nthWeekday(year, 9, MONDAY, 1), name: 'Labor Day' },
    { date: nthWeekday(year, 10, MONDAY, 2), name: 'Columbus Day' },
    { date: nthWeekday(year, 11, THURSDAY, 4), name: 'Thanksgiving Day' },
  ];
  for (const fixed of FIXED_HOLIDAYS) {
    if (fixed.sinceYear !== undefined && year < fixed.sinceYear) continue;
    const observed = observedDate(fixed, year);
    if (observed === null) continue;
    holidays.push({ date: observed.date, name: observed.shifted ? `${fixed.name} (observed)` : fixed.name });
  }
  return holidays.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

// Memo of holiday day numbers per year. Deterministic (a cache of a pure function), bounded by
// the supported year range, so it does not make the module impure.
const holidayDaysByYear = new Map<number, ReadonlySet<number>>();

function holidayDays(year: number): ReadonlySet<number> {
  let days = holidayDaysByYear.get(year);
  if (days === undefined) {
    days = new Set(holidaysOf(year).map((h) => dayNumber(h.date)));
    holidayDaysByYear.set(year, days);
  }
  return days;
}

export function isWeekend(date: IsoDate): boolean {
  const day = weekday(date);
  return day === 0 || day === 6;
}

export function isHoliday(date: IsoDate): boolean {
  return holidayDays(yearOf(date)).has(dayNumber(date));
}

export function isBusinessDay(date: IsoDate): boolean {
  return !isWeekend(date) && !isHoliday(date);
}

/** `date` itself when it is a business day, else the next business day. */
export function nextBusinessDayOnOrAfter(date: IsoDate): IsoDate {
  let d = date;
  for (let i = 0; !isBusinessDay(d); i += 1) {
    ensure(i < CLOSED_RUN_MAX, 'INVALID_ARGUMENT', 'calendar invariant broken: too many closed days in a row');
    d = addDays(d, 1);
  }
  return d;
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: IsoDate): IsoDate {
  return nextBusinessDayOnOrAfter(addDays(date, 1));
}

/** The last business day strictly before `date`. */
export function previousBusinessDay(date: IsoDate): IsoDate {
  let d = addDays(date, -1);
  for (let i = 0; !isBusinessDay(d); i += 1) {
    ensure(i < CLOSED_RUN_MAX, 'INVALID_ARGUMENT', 'calendar invariant broken: too many closed days in a row');
    d = addDays(d, -1);
  }
  return d;
}

/**
 * Moves n business days: n > 0 steps forward n times to the next business day, n < 0 steps
 * backward, n = 0 returns `date` if it is a business day, else the next one. The result is
 * always a business day and is non-decreasing in both `date` and `n`.
 */
export function addBusinessDays(date: IsoDate, n: number): IsoDate {
  ensure(
    Number.isSafeInteger(n) && Math.abs(n) <= BUSINESS_DAYS_MAX,
    'INVALID_ARGUMENT',
    `n must be an integer with |n| <= ${BUSINESS_DAYS_MAX}`,
  );
  if (n === 0) return nextBusinessDayOnOrAfter(date);
  let d = date;
  for (let i = 0; i < Math.abs(n); i += 1) d = n > 0 ? nextBusinessDay(d) : previousBusinessDay(d);
  return d;
}

/**
 * Settlement date of a trade: T + `settlementDays` business days. For a trade date that is not
 * a business day the count starts from the next business day, as SIFMA recommends for trades
 * entered on a non-settlement day (T+2 instead of T+1 for trades on Good Friday 2026-04-03).
 */
export function settlementDate(tradeDate: IsoDate, settlementDays: number): IsoDate {
  ensure(
    Number.isSafeInteger(settlementDays) && settlementDays >= 0 && settlementDays <= SETTLEMENT_DAYS_MAX,
    'INVALID_ARGUMENT',
    `settlementDays must be an integer in 0..${SETTLEMENT_DAYS_MAX}`,
  );
  return addBusinessDays(nextBusinessDayOnOrAfter(tradeDate), settlementDays);
}
