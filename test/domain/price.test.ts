import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  Decimal,
  DomainError,
  accruedPer100,
  buildCouponSchedule,
  cleanPriceFromDirty,
  dirtyPriceFromClean,
  formatCash,
  tradeAmounts,
  type NoteTerms,
} from '../../server/domain/index.js';
import { PROPERTY_SEED, d, dateBetween } from './arbitraries.js';

const schedule = buildCouponSchedule({ issueDate: d('2007-11-15'), maturityDate: d('2017-11-15'), frequency: 2 });
const terms: NoteTerms = { couponRatePercent: '5.75', dayCount: '30/360', schedule };

describe('clean and dirty prices', () => {
  it('dirty = clean + accrued per 100 (Excel PRICE example bond on 2008-02-15: 90/360 × 5.75 = 1.4375)', () => {
    expect(accruedPer100(terms, d('2008-02-15')).toFixed()).toBe('1.4375');
    expect(dirtyPriceFromClean('99.875', terms, d('2008-02-15')).toFixed()).toBe('101.3125');
    expect(cleanPriceFromDirty('101.3125', terms, d('2008-02-15')).toFixed()).toBe('99.875');
  });

  // Exact up to the 60-significant-digit precision of the Decimal clone (a sum of numbers with
  // different magnitudes is rounded at the 60th digit), hence the 1e-50 tolerance.
  it('property: dirty − clean = accrued per 100, and the two conversions are inverse', () => {
    const prices = fc.integer({ min: 1, max: 200_000_000 }).map((n) => new Decimal(n).div(1_000_000));
    fc.assert(
      fc.property(prices, dateBetween('2007-11-15', '2017-11-14'), (clean, settlement) => {
        const dirty = dirtyPriceFromClean(clean, terms, settlement);
        const tolerance = new Decimal('1e-50');
        return (
          dirty.sub(clean).sub(accruedPer100(terms, settlement)).abs().lt(tolerance) &&
          cleanPriceFromDirty(dirty, terms, settlement).sub(clean).abs().lt(tolerance)
        );
      }),
      { seed: PROPERTY_SEED },
    );
  });
});

describe('tradeAmounts', () => {
  it('computes principal, accrued and net in exact cents (hand-computed)', () => {
    // 1,000,000 × 0.85 × 99.875 / 100 = 848,937.50; accrued 850,000 × 5.75 % × 90/360 = 12,218.75.
    const t = tradeAmounts({ ...terms, face: '1000000', factor: '0.85', cleanPricePercent: '99.875', settlementDate: d('2008-02-15') });
    expect([t.currentFace.toFixed(), formatCash(t.principal), formatCash(t.accruedInterest), formatCash(t.netAmount)]).toEqual([
      '850000',
      '848937.50',
      '12218.75',
      '861156.25',
    ]);
  });

  it('rounds principal and accrued half-even to cents separately, once each (hand-computed)', () => {
    // current face 1,000,000 × 0.123456789 = 123,456.789
    // principal 123,456.789 × 0.99875 = 123,302.46801375 → 123,302.47
    // accrued   123,456.789 × 0.0575 × 0.25 = 1,774.691341875 → 1,774.69
    const t = tradeAmounts({
      ...terms,
      face: new Decimal('1000000'),
      factor: new Decimal('0.123456789'),
      cleanPricePercent: '99.875',
      settlementDate: d('2008-02-15'),
    });
    expect([t.currentFace.toFixed(), formatCash(t.principal), formatCash(t.accruedInterest), formatCash(t.netAmount)]).toEqual([
      '123456.789',
      '123302.47',
      '1774.69',
      '125077.16',
    ]);
  });

  it('rounds an exact half cent to even', () => {
    // 1,000 × 100.0125 / 100 = 1,000.125 → 1,000.12 ; 1,000 × 100.0135 / 100 = 1,000.135 → 1,000.14
    const at = (price: string) =>
      formatCash(
        tradeAmounts({ ...terms, face: '1000', factor: '1', cleanPricePercent: price, settlementDate: d('2007-11-15') }).principal,
      );
    expect(at('100.0125')).toBe('1000.12');
    expect(at('100.0135')).toBe('1000.14');
  });

  it('property: net = principal + accrued, all whole cents, within half a cent of the exact amounts', () => {
    const faces = fc.integer({ min: 1, max: 100_000 }).map((n) => new Decimal(n).mul(1000));
    const factors = fc.integer({ min: 0, max: 100_000_000 }).map((n) => new Decimal(n).div(100_000_000));
    const prices = fc.integer({ min: 1, max: 150 * 128 }).map((n) => new Decimal(n).div(128));
    fc.assert(
      fc.property(faces, factors, prices, dateBetween('2007-11-15', '2017-11-14'), (face, factor, price, settlement) => {
        const t = tradeAmounts({ ...terms, face, factor, cleanPricePercent: price, settlementDate: settlement });
        const exactPrincipal = face.mul(factor).mul(price).div(100);
        const exactAccrued = face.mul(factor).mul(accruedPer100(terms, settlement)).div(100);
        return (
          t.netAmount.eq(t.principal.add(t.accruedInterest)) &&
          [t.principal, t.accruedInterest, t.netAmount].every((x) => x.decimalPlaces() <= 2) &&
          t.principal.sub(exactPrincipal).abs().lte('0.005') &&
          t.accruedInterest.sub(exactAccrued).abs().lte('0.005')
        );
      }),
      { seed: PROPERTY_SEED },
    );
  });

  it('rejects non-positive and non-canonical prices', () => {
    const attempt = (price: string) => {
      try {
        tradeAmounts({ ...terms, face: '1000', factor: '1', cleanPricePercent: price, settlementDate: d('2008-02-15') });
      } catch (error) {
        return (error as DomainError).code;
      }
      return undefined;
    };
    expect(attempt('0')).toBe('INVALID_ARGUMENT');
    expect(attempt('-1')).toBe('INVALID_ARGUMENT');
    expect(attempt('99.5e0')).toBe('INVALID_DECIMAL');
  });
});
