import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  DomainError,
  addDays,
  buildCouponSchedule,
  couponPeriodContaining,
  nextCouponDate,
  previousCouponDate,
  type CouponFrequency,
} from '../../server/domain/index.js';
import { PROPERTY_SEED, d, dateBetween } from './arbitraries.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('buildCouponSchedule', () => {
  it('generates backward from maturity; an on-grid issue date gives a regular first period', () => {
    const s = buildCouponSchedule({ issueDate: d('2024-05-15'), maturityDate: d('2026-05-15'), frequency: 2 });
    expect(s.couponDates).toEqual(['2024-11-15', '2025-05-15', '2025-11-15', '2026-05-15']);
    expect(s.periods[0]).toEqual({ start: '2024-05-15', end: '2024-11-15', isStub: false, quasiDates: ['2024-05-15', '2024-11-15'] });
    expect(s.periods.every((p) => !p.isStub)).toBe(true);
  });

  it('makes a short first stub when the issue date is off-grid', () => {
    const s = buildCouponSchedule({ issueDate: d('2024-07-01'), maturityDate: d('2026-05-15'), frequency: 2 });
    expect(s.couponDates[0]).toBe('2024-11-15');
    expect(s.periods[0]).toEqual({ start: '2024-07-01', end: '2024-11-15', isStub: true, quasiDates: ['2024-05-15', '2024-11-15'] });
  });

  it('makes a long first stub from an explicit first coupon date (ISDA 1998 long-first example dates)', () => {
    const s = buildCouponSchedule({
      issueDate: d('2002-08-15'),
      firstCouponDate: d('2003-07-15'),
      maturityDate: d('2005-01-15'),
      frequency: 2,
    });
    expect(s.couponDates).toEqual(['2003-07-15', '2004-01-15', '2004-07-15', '2005-01-15']);
    expect(s.periods[0]).toEqual({
      start: '2002-08-15',
      end: '2003-07-15',
      isStub: true,
      quasiDates: ['2002-07-15', '2003-01-15', '2003-07-15'],
    });
  });

  it('applies the end-of-month rule when the first coupon date is a month end', () => {
    const eom = buildCouponSchedule({
      issueDate: d('2024-03-15'),
      firstCouponDate: d('2024-04-30'),
      maturityDate: d('2025-04-30'),
      frequency: 4,
    });
    expect(eom.endOfMonth).toBe(true);
    expect(eom.couponDates).toEqual(['2024-04-30', '2024-07-31', '2024-10-31', '2025-01-31', '2025-04-30']);
    const plain = buildCouponSchedule({
      issueDate: d('2024-03-15'),
      firstCouponDate: d('2024-04-30'),
      maturityDate: d('2025-04-30'),
      frequency: 4,
      endOfMonth: false,
    });
    expect(plain.couponDates).toEqual(['2024-04-30', '2024-07-30', '2024-10-30', '2025-01-30', '2025-04-30']);
  });

  it('anchors every date on the anchor, so clamping never drifts (non-EOM)', () => {
    const s = buildCouponSchedule({ issueDate: d('2023-08-31'), maturityDate: d('2025-08-31'), frequency: 2, endOfMonth: false });
    expect(s.couponDates).toEqual(['2024-02-29', '2024-08-31', '2025-02-28', '2025-08-31']);
  });

  it('keeps February month ends under the end-of-month rule (monthly ABS-style schedule)', () => {
    const s = buildCouponSchedule({
      issueDate: d('2024-01-10'),
      firstCouponDate: d('2024-01-31'),
      maturityDate: d('2024-06-30'),
      frequency: 12,
    });
    expect(s.couponDates).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30']);
  });

  it('rejects inconsistent inputs with INVALID_SCHEDULE', () => {
    expect(codeOf(() => buildCouponSchedule({ issueDate: d('2026-01-01'), maturityDate: d('2025-01-01'), frequency: 2 }))).toBe(
      'INVALID_SCHEDULE',
    );
    expect(
      codeOf(() =>
        buildCouponSchedule({ issueDate: d('2024-01-01'), firstCouponDate: d('2024-01-01'), maturityDate: d('2025-01-01'), frequency: 2 }),
      ),
    ).toBe('INVALID_SCHEDULE');
    expect(
      codeOf(() =>
        buildCouponSchedule({ issueDate: d('2024-01-01'), firstCouponDate: d('2024-06-15'), maturityDate: d('2025-01-01'), frequency: 2 }),
      ),
    ).toBe('INVALID_SCHEDULE');
    expect(
      codeOf(() => buildCouponSchedule({ issueDate: d('2024-01-01'), maturityDate: d('2025-01-01'), frequency: 3 as CouponFrequency })),
    ).toBe('INVALID_ARGUMENT');
  });

  it('property: periods are contiguous, ascending, cover [issue, maturity], and regular periods are one grid step', () => {
    const frequencies = fc.constantFrom<CouponFrequency>(1, 2, 4, 12);
    fc.assert(
      fc.property(
        dateBetween('2000-01-01', '2040-12-31'),
        fc.integer({ min: 1, max: 30 * 365 }),
        frequencies,
        fc.boolean(),
        (issue, tenorDays, frequency, eom) => {
          const maturity = addDays(issue, tenorDays);
          const s = buildCouponSchedule({ issueDate: issue, maturityDate: maturity, frequency, endOfMonth: eom });
          let start = issue;
          for (const p of s.periods) {
            if (p.start !== start || !(p.start < p.end)) return false;
            if (!p.isStub && monthIndex(p.end) - monthIndex(p.start) !== 12 / frequency) return false;
            if ((p.quasiDates[0] ?? '') > p.start || p.quasiDates[p.quasiDates.length - 1] !== p.end) return false;
            start = p.end;
          }
          return start === maturity && s.couponDates[s.couponDates.length - 1] === maturity;
        },
      ),
      { seed: PROPERTY_SEED },
    );
  });
});

function monthIndex(date: string): number {
  return Number.parseInt(date.slice(0, 4), 10) * 12 + Number.parseInt(date.slice(5, 7), 10);
}

describe('coupon date look-ups', () => {
  const s = buildCouponSchedule({ issueDate: d('2024-07-01'), maturityDate: d('2026-05-15'), frequency: 2 });

  it('finds previous and next coupon dates', () => {
    expect(previousCouponDate(s, d('2024-08-01'))).toBeNull();
    expect(previousCouponDate(s, d('2024-11-15'))).toBe('2024-11-15');
    expect(previousCouponDate(s, d('2025-02-01'))).toBe('2024-11-15');
    expect(nextCouponDate(s, d('2024-11-15'))).toBe('2025-05-15');
    expect(nextCouponDate(s, d('2024-07-01'))).toBe('2024-11-15');
    expect(nextCouponDate(s, d('2026-05-15'))).toBeNull();
  });

  it('finds the period containing a date (start <= date < end)', () => {
    expect(couponPeriodContaining(s, d('2024-07-01'))).toMatchObject({ start: '2024-07-01', end: '2024-11-15', isStub: true });
    expect(couponPeriodContaining(s, d('2024-11-15'))).toMatchObject({ start: '2024-11-15', end: '2025-05-15', isStub: false });
    expect(couponPeriodContaining(s, d('2026-05-14'))).toMatchObject({ start: '2025-11-15', end: '2026-05-15' });
    expect(codeOf(() => couponPeriodContaining(s, d('2026-05-15')))).toBe('SETTLEMENT_OUT_OF_RANGE');
    expect(codeOf(() => couponPeriodContaining(s, d('2024-06-30')))).toBe('SETTLEMENT_OUT_OF_RANGE');
  });
});
