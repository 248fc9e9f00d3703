import { describe, it, expect } from 'vitest';
import { Decimal, DomainError, weightedAverageLife, yearFraction } from '../../server/domain/index.js';
import { d } from './arbitraries.js';

describe('weightedAverageLife', () => {
  it('hand-computed amortizing example (ACT/365F default)', () => {
    // From 2025-01-01: 2026-01-01 is 365 days (t = 1), 2027-01-01 is 730 days (t = 2),
    // 2028-01-01 is 1095 days (t = 3). WAL = (1×100 + 2×200 + 3×700) / 1000 = 2.6 years.
    const wal = weightedAverageLife({
      settlementDate: d('2025-01-01'),
      principalFlows: [
        { date: d('2026-01-01'), amount: '100' },
        { date: d('2027-01-01'), amount: '200' },
        { date: d('2028-01-01'), amount: '700' },
      ],
    });
    expect(wal.toFixed()).toBe('2.6');
  });

  it('hand-computed monthly example under 30/360', () => {
    // Three equal monthly payments 1, 2, 3 months out: t = 30/360, 60/360, 90/360 → WAL = 60/360 = 1/6.
    const wal = weightedAverageLife({
      settlementDate: d('2025-01-15'),
      dayCount: '30/360',
      principalFlows: [
        { date: d('2025-02-15'), amount: new Decimal('333.33') },
        { date: d('2025-03-15'), amount: new Decimal('333.33') },
        { date: d('2025-04-15'), amount: new Decimal('333.33') },
      ],
    });
    expect(wal.eq(new Decimal(60).div(360))).toBe(true);
  });

  it('a bullet has WAL = time to maturity', () => {
    const settlementDate = d('2025-03-10');
    const maturity = d('2030-06-15');
    const wal = weightedAverageLife({ settlementDate, principalFlows: [{ date: maturity, amount: '1000000' }] });
    expect(wal.eq(yearFraction('ACT/365F', settlementDate, maturity))).toBe(true);
    expect(wal.eq(new Decimal(1923).div(365))).toBe(true); // 2025-03-10 → 2030-06-15 is 1923 days
  });

  it('ignores principal paid on or before the settlement date', () => {
    const wal = weightedAverageLife({
      settlementDate: d('2026-01-01'),
      principalFlows: [
        { date: d('2025-07-01'), amount: '500' },
        { date: d('2026-01-01'), amount: '500' },
        { date: d('2027-01-01'), amount: '1000' },
      ],
    });
    expect(wal.eq(1)).toBe(true);
  });

  it('rejects schedules with nothing left to repay or negative amounts', () => {
    const attempt = (amount: string) => {
      try {
        weightedAverageLife({ settlementDate: d('2026-01-01'), principalFlows: [{ date: d('2027-01-01'), amount }] });
      } catch (error) {
        return (error as DomainError).code;
      }
      return undefined;
    };
    expect(attempt('0')).toBe('INVALID_ARGUMENT');
    expect(attempt('-1')).toBe('INVALID_ARGUMENT');
  });
});
