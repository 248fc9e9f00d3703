/**
 * The servicing calendar (pure): payment dates are coupon dates rolled to the next business day,
 * and each collects the calendar months before its coupon month, one payment period's worth.
 * Dates checked against a calendar by hand.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { collectionPeriod, dealPaymentDates } from '../../server/servicing/calendar.js';

describe('the servicing calendar', () => {
  it("rolls a monthly deal's 15th to the next business day and collects the month before", () => {
    const dates = dealPaymentDates([{ issueDate: '2026-03-12', firstCouponDate: '2026-04-15', maturityDate: '2027-06-15', frequency: 12 }]);
    // 2026-11-15 is a Sunday → Monday 16th; 2027-05-15 is a Saturday → Monday 17th.
    expect(dates.find((d) => d.couponDate === '2026-11-15')).toEqual({
      paymentDate: '2026-11-16',
      couponDate: '2026-11-15',
      periodStart: '2026-10-01',
      periodEnd: '2026-10-31',
    });
    expect(dates.find((d) => d.couponDate === '2027-05-15')?.paymentDate).toBe('2027-05-17');
    expect(dates.find((d) => d.couponDate === '2027-03-15')).toMatchObject({ periodStart: '2027-02-01', periodEnd: '2027-02-28' });
    expect(dates).toHaveLength(15);
  });

  it('gives a semi-annual deal six-month collection periods', () => {
    const dates = dealPaymentDates([{ issueDate: '2026-02-01', firstCouponDate: '2026-08-01', maturityDate: '2031-02-01', frequency: 2 }]);
    // 2026-08-01 is a Saturday → Monday 3 August; it collects February to July.
    expect(dates[0]).toEqual({ paymentDate: '2026-08-03', couponDate: '2026-08-01', periodStart: '2026-02-01', periodEnd: '2026-07-31' });
    expect(dates[1]).toMatchObject({ couponDate: '2027-02-01', periodStart: '2026-08-01', periodEnd: '2027-01-31' });
  });

  it('tiles time: consecutive collection periods meet without gaps or overlaps', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 12),
        fc.integer({ min: 2026, max: 2040 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (frequency, year, month, day) => {
          const coupon = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const step = 12 / frequency;
          const nextMonth = month + step;
          const next = `${year + Math.floor((nextMonth - 1) / 12)}-${String(((nextMonth - 1) % 12) + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const a = collectionPeriod(coupon, frequency);
          const b = collectionPeriod(next, frequency);
          const dayAfter = new Date(`${a.periodEnd}T00:00:00Z`);
          dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
          expect(dayAfter.toISOString().slice(0, 10)).toBe(b.periodStart);
          expect(a.periodStart.endsWith('-01')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
