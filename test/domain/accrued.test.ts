import { describe, it, expect } from 'vitest';
import {
  Decimal,
  DomainError,
  accrualYearFraction,
  accruedInterest,
  accruedInterestUnrounded,
  buildCouponSchedule,
  formatCash,
  periodCouponPer100,
  type NoteTerms,
} from '../../server/domain/index.js';
import { d } from './arbitraries.js';

describe('accruedInterest', () => {
  // Source: Microsoft Support, "ACCRINT function", example: issue 2008-03-01, first interest
  // 2008-08-31, settlement 2008-05-01, rate 10%, par 1,000, frequency 2, basis 0 (30/360)
  // → 16.666666667. Accrual runs from the issue date (first, short period) to settlement.
  it('reproduces the Microsoft ACCRINT example', () => {
    const schedule = buildCouponSchedule({
      issueDate: d('2008-03-01'),
      firstCouponDate: d('2008-08-31'),
      maturityDate: d('2010-08-31'),
      frequency: 2,
    });
    const input = {
      couponRatePercent: '10',
      dayCount: '30/360' as const,
      schedule,
      face: '1000',
      factor: '1',
      settlementDate: d('2008-05-01'),
    };
    expect(accruedInterestUnrounded(input).toFixed(9)).toBe('16.666666667');
    expect(formatCash(accruedInterest(input))).toBe('16.67');
  });

  const semiannual = buildCouponSchedule({ issueDate: d('2007-11-15'), maturityDate: d('2017-11-15'), frequency: 2 });
  const terms: NoteTerms = { couponRatePercent: '5.75', dayCount: '30/360', schedule: semiannual };

  it('accrues zero on a coupon date and on the issue date', () => {
    expect(accruedInterest({ ...terms, face: '1000000', factor: '1', settlementDate: d('2008-05-15') }).isZero()).toBe(true);
    expect(accruedInterest({ ...terms, face: '1000000', factor: '1', settlementDate: d('2007-11-15') }).isZero()).toBe(true);
  });

  it('multiplies by the factor and rounds half-even to cents only at the end', () => {
    // Hand-computed: 1,000,000 × 0.85 × 5.75% × 90/360 = 12,218.75 exactly.
    expect(formatCash(accruedInterest({ ...terms, face: '1000000', factor: '0.85', settlementDate: d('2008-02-15') }))).toBe('12218.75');
    // 1,000 × 4.5% × 1/360 = 0.125 → 0.12 (half-even); × 3 days = 0.375 → 0.38.
    const t45: NoteTerms = { ...terms, couponRatePercent: '4.5' };
    expect(formatCash(accruedInterest({ ...t45, face: '1000', factor: '1', settlementDate: d('2007-11-16') }))).toBe('0.12');
    expect(formatCash(accruedInterest({ ...t45, face: '1000', factor: '1', settlementDate: d('2007-11-18') }))).toBe('0.38');
  });

  it('uses the containing period as the ACT/ACT-ICMA reference, splitting a long first stub', () => {
    // ISDA 1998 "EMU and Market Conventions" long first period 2002-08-15 → 2003-07-15 (semi-annual):
    // the full stub accrues 0.915760869565 years; the coupon per 100 at 10 % is 9.15760869565.
    const schedule = buildCouponSchedule({
      issueDate: d('2002-08-15'),
      firstCouponDate: d('2003-07-15'),
      maturityDate: d('2005-01-15'),
      frequency: 2,
    });
    const icma: NoteTerms = { couponRatePercent: '10', dayCount: 'ACT/ACT-ICMA', schedule };
    const stubCoupon = periodCouponPer100(icma, schedule.periods[0]!);
    expect(stubCoupon.sub('9.15760869565').abs().lt('1e-11')).toBe(true);
    // Up to the quasi-coupon date 2003-01-15: 153 days of a 184-day quasi period → 153 / (2 × 184).
    expect(accrualYearFraction(icma, d('2003-01-15')).eq(new Decimal(153).div(368))).toBe(true);
    // Then 31 more days of the 181-day quasi period 2003-01-15 → 2003-07-15.
    expect(accrualYearFraction(icma, d('2003-02-15')).eq(new Decimal(153).div(368).add(new Decimal(31).div(362)))).toBe(true);
  });

  it('ICMA short first period (annual): ISDA 1998 example 1999-02-01 → 1999-07-01 = 150/365', () => {
    const schedule = buildCouponSchedule({
      issueDate: d('1999-02-01'),
      firstCouponDate: d('1999-07-01'),
      maturityDate: d('2002-07-01'),
      frequency: 1,
    });
    const icma: NoteTerms = { couponRatePercent: '8', dayCount: 'ACT/ACT-ICMA', schedule };
    expect(periodCouponPer100(icma, schedule.periods[0]!).eq(new Decimal(8).mul(150).div(365))).toBe(true);
    expect(periodCouponPer100(icma, schedule.periods[1]!).eq(8)).toBe(true);
  });

  it('rejects bad factors and settlement outside [issue, maturity)', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as DomainError).code;
      }
      return undefined;
    };
    expect(codeOf(() => accruedInterest({ ...terms, face: '1000', factor: '1.01', settlementDate: d('2008-02-15') }))).toBe(
      'INVALID_FACTOR',
    );
    expect(codeOf(() => accruedInterest({ ...terms, face: '1000', factor: '-0.1', settlementDate: d('2008-02-15') }))).toBe(
      'INVALID_FACTOR',
    );
    expect(codeOf(() => accruedInterest({ ...terms, face: '1e3', factor: '1', settlementDate: d('2008-02-15') }))).toBe('INVALID_DECIMAL');
    expect(codeOf(() => accruedInterest({ ...terms, face: '1000', factor: '1', settlementDate: d('2017-11-15') }))).toBe(
      'SETTLEMENT_OUT_OF_RANGE',
    );
    expect(codeOf(() => accruedInterest({ ...terms, face: '1000', factor: '1', settlementDate: d('2007-11-14') }))).toBe(
      'SETTLEMENT_OUT_OF_RANGE',
    );
  });
});
