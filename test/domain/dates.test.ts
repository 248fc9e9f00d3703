import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  DomainError,
  addDays,
  addMonths,
  civil,
  dayNumber,
  dayOf,
  daysBetween,
  formatIsoDate,
  fromDayNumber,
  isIsoDate,
  isLastDayOfMonth,
  makeDate,
  monthOf,
  parseIsoDate,
  weekday,
  yearOf,
} from '../../server/domain/index.js';
import { PROPERTY_SEED, d, dateBetween } from './arbitraries.js';

describe('parseIsoDate', () => {
  it('accepts valid calendar dates', () => {
    expect(parseIsoDate('2026-02-28')).toBe('2026-02-28');
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29'); // leap year
    expect(parseIsoDate('2000-02-29')).toBe('2000-02-29'); // divisible by 400
  });

  it('rejects invalid dates and non-canonical forms with INVALID_DATE', () => {
    const bad = [
      '2026-02-30',
      '2025-02-29',
      '2100-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-01-00',
      '2026-2-3',
      '20260203',
      ' 2026-01-01',
      '2026-01-01T00:00:00Z',
      '2026/01/01',
      '',
    ];
    for (const text of bad) {
      expect(isIsoDate(text), text).toBe(false);
      expect(() => parseIsoDate(text)).toThrow(DomainError);
    }
  });

  it('rejects years outside the supported range with DATE_OUT_OF_RANGE', () => {
    try {
      parseIsoDate('1899-12-31');
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).code).toBe('DATE_OUT_OF_RANGE');
    }
  });
});

describe('day numbers and arithmetic', () => {
  it('counts days since 1970-01-01', () => {
    expect(dayNumber(d('1970-01-01'))).toBe(0);
    expect(dayNumber(d('2000-03-01'))).toBe(11017);
    expect(dayNumber(d('1969-12-31'))).toBe(-1);
    expect(fromDayNumber(20454)).toBe('2026-01-01');
  });

  it('agrees with Date.UTC as an independent oracle (tests may use Date; the domain may not)', () => {
    fc.assert(
      fc.property(dateBetween('1900-01-01', '2299-12-31'), (date) => {
        const { year, month, day } = civil(date);
        return (
          dayNumber(date) === Date.UTC(year, month - 1, day) / 86_400_000 &&
          weekday(date) === new Date(Date.UTC(year, month - 1, day)).getUTCDay()
        );
      }),
      { seed: PROPERTY_SEED },
    );
  });

  it('round-trips and steps by one', () => {
    fc.assert(
      fc.property(
        dateBetween('1900-01-01', '2299-12-30'),
        (date) => fromDayNumber(dayNumber(date)) === date && daysBetween(date, addDays(date, 1)) === 1 && addDays(date, 1) > date,
      ),
      { seed: PROPERTY_SEED },
    );
  });

  it('knows weekdays and accessors', () => {
    expect(weekday(d('2026-04-03'))).toBe(5); // Good Friday 2026
    expect(weekday(d('1970-01-01'))).toBe(4);
    expect([yearOf(d('2026-07-04')), monthOf(d('2026-07-04')), dayOf(d('2026-07-04'))]).toEqual([2026, 7, 4]);
    expect(isLastDayOfMonth(d('2024-02-29'))).toBe(true);
    expect(isLastDayOfMonth(d('2025-02-28'))).toBe(true);
    expect(isLastDayOfMonth(d('2024-02-28'))).toBe(false);
    expect(makeDate(2026, 1, 5)).toBe('2026-01-05');
    expect(formatIsoDate(civil(d('2026-12-31')))).toBe('2026-12-31');
    expect(() => formatIsoDate({ year: 2026, month: 2, day: 30 })).toThrow(DomainError);
  });
});

describe('addMonths', () => {
  it('clamps to the end of shorter months', () => {
    expect(addMonths(d('2024-01-31'), 1)).toBe('2024-02-29');
    expect(addMonths(d('2025-01-31'), 1)).toBe('2025-02-28');
    expect(addMonths(d('2024-08-31'), 6)).toBe('2025-02-28');
    expect(addMonths(d('2024-03-31'), -1)).toBe('2024-02-29');
    expect(addMonths(d('2024-12-15'), 1)).toBe('2025-01-15');
    expect(addMonths(d('2025-01-15'), -13)).toBe('2023-12-15');
  });

  it('keeps month ends with the end-of-month rule', () => {
    expect(addMonths(d('2024-04-30'), 1, { endOfMonth: true })).toBe('2024-05-31');
    expect(addMonths(d('2024-04-30'), 1)).toBe('2024-05-30');
    expect(addMonths(d('2025-02-28'), 6, { endOfMonth: true })).toBe('2025-08-31');
    expect(addMonths(d('2025-02-27'), 6, { endOfMonth: true })).toBe('2025-08-27');
  });

  it('property: adding then subtracting months returns the date when the day exists in both months', () => {
    fc.assert(
      fc.property(dateBetween('1950-01-01', '2250-12-28'), fc.integer({ min: -240, max: 240 }), (date, months) => {
        fc.pre(dayOf(date) <= 28);
        return addMonths(addMonths(date, months), -months) === date;
      }),
      { seed: PROPERTY_SEED },
    );
  });
});
