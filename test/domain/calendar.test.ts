import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  addBusinessDays,
  addDays,
  easterSunday,
  holidaysOf,
  isBusinessDay,
  nextBusinessDayOnOrAfter,
  previousBusinessDay,
  settlementDate,
} from '../../server/domain/index.js';
import { PROPERTY_SEED, d, dateBetween } from './arbitraries.js';

const datesOf = (year: number) => holidaysOf(year).map((h) => h.date);

describe('US bond-market holidays (SIFMA recommended full closes, computed by rule)', () => {
  // Source: SIFMA US holiday schedule (https://www.sifma.org/resources/general/holiday-schedule/),
  // 2024 US recommended full market closes.
  it('2024', () => {
    expect(datesOf(2024)).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-10-14',
      '2024-11-11',
      '2024-11-28',
      '2024-12-25',
    ]);
  });

  // Source: SIFMA US holiday schedule, 2025 recommended full closes (issued 2024-12-12). The
  // 2025-01-09 national day of mourning for President Carter was an early (2 p.m.) close, not
  // a full close, so it is correctly absent.
  it('2025', () => {
    expect(datesOf(2025)).toEqual([
      '2025-01-01',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-10-13',
      '2025-11-11',
      '2025-11-27',
      '2025-12-25',
    ]);
    expect(isBusinessDay(d('2025-01-09'))).toBe(true);
  });

  // Source: SIFMA US holiday schedule, 2026 (issued 2024-12-12). Independence Day (Saturday
  // July 4) is observed Friday July 3. Good Friday 2026-04-03 coincides with the BLS employment
  // report: SIFMA's press release of 2026-03-20 recommends a 12:00 p.m. early trading close and
  // that the day "not be treated as a good settlement day" — a non-business day for settlement.
  it('2026', () => {
    expect(datesOf(2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
    expect(holidaysOf(2026).find((h) => h.date === '2026-07-03')?.name).toBe('Independence Day (observed)');
  });

  it('observes Saturday holidays on Friday and Sunday holidays on Monday', () => {
    expect(datesOf(2027)).toContain('2027-12-24'); // Christmas Saturday 2027-12-25 → Friday
    expect(datesOf(2022)).toContain('2022-06-20'); // Juneteenth Sunday 2022-06-19 → Monday
    expect(datesOf(2022)).toContain('2022-12-26'); // Christmas Sunday → Monday
    expect(datesOf(2023)).toContain('2023-01-02'); // New Year Sunday → Monday
    expect(datesOf(2027)).toContain('2027-06-18'); // Juneteenth Saturday 2027-06-19 → Friday
  });

  it("does not observe a Saturday New Year's Day on Friday December 31", () => {
    // SIFMA 2021/2022: 2022-01-01 was a Saturday; Friday 2021-12-31 was an early close, not a holiday.
    expect(isBusinessDay(d('2021-12-31'))).toBe(true);
    expect(datesOf(2022)).not.toContain('2021-12-31');
    expect(datesOf(2022)[0]).toBe('2022-01-17');
    expect(isBusinessDay(d('2027-12-31'))).toBe(true); // 2028-01-01 is a Saturday too
  });

  it('does not observe a Saturday Veterans Day on Friday', () => {
    // Source: forexlive, 2023-11-10, "US markets will remain open on observed Veterans Day":
    // Veterans Day 2023-11-11 fell on a Saturday and the US bond market traded normally on Friday.
    expect(isBusinessDay(d('2023-11-10'))).toBe(true);
    expect(datesOf(2018)).toContain('2018-11-12'); // Sunday 2018-11-11 → Monday
  });

  it('starts Juneteenth in 2022', () => {
    expect(isBusinessDay(d('2021-06-18'))).toBe(true);
    expect(datesOf(2021).some((date) => date.startsWith('2021-06'))).toBe(false);
  });

  it('computes Easter by the anonymous Gregorian computus', () => {
    // Known Easter Sundays, including the extreme dates 2285-03-22 and 2038-04-25.
    const known = ['2000-04-23', '2019-04-21', '2024-03-31', '2025-04-20', '2026-04-05', '2038-04-25', '2285-03-22'];
    for (const date of known) expect(easterSunday(Number(date.slice(0, 4)))).toBe(date);
  });
});

describe('business-day arithmetic', () => {
  it('skips weekends and holidays', () => {
    expect(nextBusinessDayOnOrAfter(d('2026-04-03'))).toBe('2026-04-06'); // Good Friday → Monday
    expect(previousBusinessDay(d('2026-04-06'))).toBe('2026-04-02');
    expect(addBusinessDays(d('2026-04-02'), 1)).toBe('2026-04-06');
    expect(addBusinessDays(d('2026-04-06'), -1)).toBe('2026-04-02');
    expect(addBusinessDays(d('2024-12-24'), 1)).toBe('2024-12-26');
    expect(addBusinessDays(d('2026-07-02'), 1)).toBe('2026-07-06');
    expect(addBusinessDays(d('2026-07-04'), 0)).toBe('2026-07-06');
  });

  it('settles T+1 on business days and counts from the next business day for a holiday trade date', () => {
    expect(settlementDate(d('2026-04-01'), 1)).toBe('2026-04-02');
    expect(settlementDate(d('2026-04-02'), 1)).toBe('2026-04-06');
    // SIFMA press release 2026-03-20: trades entered on Good Friday 2026-04-03 settle T+2 (not T+1),
    // i.e. one business day after Monday 2026-04-06.
    expect(settlementDate(d('2026-04-03'), 1)).toBe('2026-04-07');
    expect(settlementDate(d('2025-11-26'), 1)).toBe('2025-11-28'); // skips Thanksgiving
    expect(settlementDate(d('2026-01-16'), 0)).toBe('2026-01-16');
  });

  const settlementDays = fc.integer({ min: -400, max: 400 });
  const anyDate = dateBetween('1995-01-01', '2095-12-31');

  it('property: addBusinessDays always lands on a business day', () => {
    fc.assert(
      fc.property(anyDate, settlementDays, (date, n) => isBusinessDay(addBusinessDays(date, n))),
      { seed: PROPERTY_SEED },
    );
  });

  it('property: addBusinessDays is non-decreasing in n, strictly except n = 0 → 1 from a closed day', () => {
    fc.assert(
      fc.property(anyDate, settlementDays, fc.integer({ min: 1, max: 30 }), (date, n, k) => {
        const a = addBusinessDays(date, n);
        const b = addBusinessDays(date, n + k);
        const mayTie = n === 0 && k === 1 && !isBusinessDay(date);
        return mayTie ? b >= a : b > a;
      }),
      { seed: PROPERTY_SEED },
    );
  });

  it('property: addBusinessDays is non-decreasing in the date', () => {
    fc.assert(
      fc.property(
        anyDate,
        fc.integer({ min: 0, max: 60 }),
        settlementDays,
        (date, gap, n) => addBusinessDays(date, n) <= addBusinessDays(addDays(date, gap), n),
      ),
      { seed: PROPERTY_SEED },
    );
  });

  it('property: n business days forward then n back returns the start (or, from a closed day, the business day before it)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 300 }), (date, n) => {
        const expected = isBusinessDay(date) ? date : previousBusinessDay(date);
        return addBusinessDays(addBusinessDays(date, n), -n) === expected;
      }),
      { seed: PROPERTY_SEED },
    );
  });
});
