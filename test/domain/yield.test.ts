import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  Decimal,
  DomainError,
  addDays,
  addMonths,
  buildCouponSchedule,
  daysBetween,
  makeDate,
  priceFromYield,
  yieldFromPrice,
  type CouponFrequency,
  type DayCountConvention,
  type NoteTerms,
} from '../../server/domain/index.js';
import { PROPERTY_SEED, d } from './arbitraries.js';

const excelBond = (maturity: string): NoteTerms => ({
  couponRatePercent: '5.75',
  dayCount: '30/360',
  schedule: buildCouponSchedule({ issueDate: d('2007-11-15'), maturityDate: d(maturity), frequency: 2 }),
});

describe('price ↔ yield reference values', () => {
  // Source: Microsoft Support, "PRICE function" example: PRICE(2008-02-15, 2017-11-15, 5.75%,
  // 6.50%, 100, 2, 0) = 94.6343616213221 (basis 0 = US 30/360, semi-annual).
  it('Excel PRICE example', () => {
    const p = priceFromYield({ ...excelBond('2017-11-15'), settlementDate: d('2008-02-15'), yieldPercent: '6.5' });
    expect(p.cleanPricePercent.toFixed(13)).toBe('94.6343616213221');
  });

  // Source: Microsoft Support, "YIELD function" example: YIELD(2008-02-15, 2016-11-15, 5.75%,
  // 95.04287, 100, 2, 0) = 0.065 (6.5 %). The price is quoted to 5 decimals, so the yield that
  // reproduces it exactly is 6.5 % to within 1e-5 %, and 6.5 % prices back to 95.04287.
  it('Excel YIELD example', () => {
    const bond = { ...excelBond('2016-11-15'), settlementDate: d('2008-02-15') };
    const y = yieldFromPrice({ ...bond, cleanPricePercent: '95.04287' });
    expect(y.sub('6.5').abs().lt('1e-5')).toBe(true);
    expect(y.toDecimalPlaces(4).toFixed(4)).toBe('6.5000');
    expect(
      priceFromYield({ ...bond, yieldPercent: '6.5' })
        .cleanPricePercent.toDecimalPlaces(5)
        .toFixed(5),
    ).toBe('95.04287');
  });

  it('a bond priced on a coupon date at a yield equal to its coupon is at par, for every frequency and coupon day count', () => {
    const conventions: DayCountConvention[] = ['30/360', '30/360-SIFMA', '30E/360', 'ACT/ACT-ICMA'];
    for (const frequency of [1, 2, 4, 12] as CouponFrequency[]) {
      for (const dayCount of conventions) {
        const schedule = buildCouponSchedule({ issueDate: d('2020-03-15'), maturityDate: d('2030-03-15'), frequency });
        const bond = { couponRatePercent: '6', dayCount, schedule, settlementDate: d('2024-03-15') };
        expect(
          priceFromYield({ ...bond, yieldPercent: '6' })
            .cleanPricePercent.sub(100)
            .abs()
            .lt('1e-40'),
        ).toBe(true);
        expect(
          yieldFromPrice({ ...bond, cleanPricePercent: '100' })
            .sub(6)
            .abs()
            .lt('1e-10'),
        ).toBe(true);
      }
    }
  });

  it('zero-coupon check: 10 semi-annual periods at 5 % = 100 / 1.025^10', () => {
    const schedule = buildCouponSchedule({ issueDate: d('2020-06-30'), maturityDate: d('2030-06-30'), frequency: 2 });
    const bond = { couponRatePercent: '0', dayCount: 'ACT/ACT-ICMA' as const, schedule, settlementDate: d('2025-06-30') };
    const expected = new Decimal(100).div(new Decimal('1.025').pow(10)); // 78.1198402...
    expect(
      priceFromYield({ ...bond, yieldPercent: '5' })
        .cleanPricePercent.sub(expected)
        .abs()
        .lt('1e-40'),
    ).toBe(true);
    expect(expected.toFixed(7)).toBe('78.1198402');
    expect(
      yieldFromPrice({ ...bond, cleanPricePercent: expected })
        .sub(5)
        .abs()
        .lt('1e-12'),
    ).toBe(true);
    // Half-way through a period the zero is discounted 9.5 periods (ICMA: 92 of 184 days).
    const mid = { ...bond, settlementDate: d('2025-09-30') };
    const midExpected = new Decimal(100).div(new Decimal('1.025').pow(new Decimal(9).add(new Decimal(92).div(184))));
    expect(
      priceFromYield({ ...mid, yieldPercent: '5' })
        .dirtyPricePercent.sub(midExpected)
        .abs()
        .lt('1e-40'),
    ).toBe(true);
  });

  it('uses simple interest in the last coupon period (hand-computed, closed-form yield)', () => {
    // Settlement 2017-08-15 in the last period 2017-05-15 → 2017-11-15; A = 90, E = 180, w = 0.5:
    // dirty = 102.875 / (1 + 0.5 × 0.065 / 2) ; clean = dirty − 5.75 × 90/360.
    const bond = { ...excelBond('2017-11-15'), settlementDate: d('2017-08-15') };
    const dirty = new Decimal('102.875').div(new Decimal('1.01625'));
    const p = priceFromYield({ ...bond, yieldPercent: '6.5' });
    expect(p.dirtyPricePercent.eq(dirty)).toBe(true);
    expect(p.cleanPricePercent.eq(dirty.sub('1.4375'))).toBe(true);
    expect(
      yieldFromPrice({ ...bond, cleanPricePercent: p.cleanPricePercent })
        .sub('6.5')
        .abs()
        .lt('1e-40'),
    ).toBe(true);
  });

  it('discounts a long first stub over its length in regular periods (hand-computed, ACT/ACT-ICMA)', () => {
    // ISDA 1998 long first period 2002-08-15 → 2003-07-15 is 0.915760869565 years, i.e.
    // w = 2 × that = 1.83152173913 semi-annual periods; the stub coupon at 10 % is 10 × 0.91576…
    const schedule = buildCouponSchedule({
      issueDate: d('2002-08-15'),
      firstCouponDate: d('2003-07-15'),
      maturityDate: d('2004-01-15'),
      frequency: 2,
    });
    const bond = { couponRatePercent: '10', dayCount: 'ACT/ACT-ICMA' as const, schedule, settlementDate: d('2002-08-15') };
    const fraction = new Decimal(153).div(368).add('0.5');
    const w = fraction.mul(2);
    const v = new Decimal(1).div('1.05');
    const expected = fraction
      .mul(10)
      .mul(v.pow(w))
      .add(new Decimal(105).mul(v.pow(w.add(1))));
    const p = priceFromYield({ ...bond, yieldPercent: '10' });
    expect(p.accruedPer100.isZero()).toBe(true);
    expect(p.dirtyPricePercent.sub(expected).abs().lt('1e-45')).toBe(true);
  });

  it('rejects prices no yield in range can produce', () => {
    // On a coupon date even a 1000 % yield prices this bond at about 0.57; 0.01 is unreachable.
    const bond = { ...excelBond('2017-11-15'), settlementDate: d('2007-11-15') };
    try {
      yieldFromPrice({ ...bond, cleanPricePercent: '0.01' });
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).code).toBe('YIELD_NOT_FOUND');
    }
  });
});

describe('price ↔ yield properties', () => {
  const conventions = fc.constantFrom<DayCountConvention>('30/360', '30E/360', '30/360-SIFMA', 'ACT/360', 'ACT/365F', 'ACT/ACT-ICMA');
  const frequencies = fc.constantFrom<CouponFrequency>(1, 2, 4, 12);
  // Regular schedules, short first stubs (issue after the grid date, generated backward) and long
  // first stubs (explicit first coupon two periods after the grid date).
  const bonds = fc
    .record({
      year: fc.integer({ min: 2000, max: 2030 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      years: fc.integer({ min: 2, max: 30 }),
      frequency: frequencies,
      dayCount: conventions,
      couponBp: fc.integer({ min: 0, max: 1500 }),
      settleOffset: fc.double({ min: 0, max: 0.999, noNaN: true }),
      stub: fc.constantFrom('regular', 'short', 'long'),
      shift: fc.integer({ min: 1, max: 27 }),
    })
    .map(({ year, month, day, years, frequency, dayCount, couponBp, settleOffset, stub, shift }) => {
      const gridStart = makeDate(year, month, day);
      const maturity = addMonths(gridStart, 12 * years);
      const issueDate = stub === 'regular' ? gridStart : addDays(gridStart, shift);
      const firstCouponDate = stub === 'long' ? addMonths(gridStart, 24 / frequency) : undefined;
      const schedule = buildCouponSchedule({ issueDate, maturityDate: maturity, frequency, firstCouponDate, endOfMonth: false });
      // Stay 5 days clear of maturity: under 30/360 the last day or two can have DSC = E − A = 0,
      // where the price no longer depends on the yield (Excel behaves the same way).
      const settlementDate = addDays(issueDate, Math.floor(settleOffset * (daysBetween(issueDate, maturity) - 5)));
      const terms: NoteTerms = { couponRatePercent: new Decimal(couponBp).div(100), dayCount, schedule };
      return { ...terms, settlementDate };
    });
  const yields = fc.integer({ min: -100, max: 2500 }).map((bp) => new Decimal(bp).div(100));

  it('property: price → yield → price round-trips within 1e-9', () => {
    fc.assert(
      fc.property(bonds, yields, (bond, y) => {
        const p = priceFromYield({ ...bond, yieldPercent: y });
        const solved = yieldFromPrice({ ...bond, cleanPricePercent: p.cleanPricePercent });
        const back = priceFromYield({ ...bond, yieldPercent: solved });
        return back.cleanPricePercent.sub(p.cleanPricePercent).abs().lt('1e-9') && solved.sub(y).abs().lt('1e-6');
      }),
      { seed: PROPERTY_SEED, numRuns: 100 },
    );
  });

  it('property: price falls as yield rises, and dirty − clean = accrued', () => {
    fc.assert(
      fc.property(bonds, yields, (bond, y) => {
        const a = priceFromYield({ ...bond, yieldPercent: y });
        const b = priceFromYield({ ...bond, yieldPercent: y.add('0.25') });
        const accruedGap = a.dirtyPricePercent.sub(a.cleanPricePercent).sub(a.accruedPer100).abs();
        return b.dirtyPricePercent.lt(a.dirtyPricePercent) && accruedGap.lt('1e-50');
      }),
      { seed: PROPERTY_SEED, numRuns: 100 },
    );
  });
});
