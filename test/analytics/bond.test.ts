/**
 * Price ↔ yield, spreads and risk from dated cash flows, against references nobody here wrote:
 * the domain's street yield (itself checked against Excel's PRICE/YIELD), Microsoft's PRICE
 * example, Fabozzi's duration example, a hand-interpolated curve, the issue's A-2 figures, and
 * finite differences for convexity.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { buildCouponSchedule, type CouponSchedule } from '../../server/domain/schedule.js';
import { parseIsoDate, type IsoDate } from '../../server/domain/dates.js';
import { priceFromYield, yieldFromPrice } from '../../server/domain/yield.js';
import { flowPlan, priceAtYield, riskAtYield, yieldAtPrice, zSpreadAtPrice, dirtyAtYield } from '../../server/analytics/bond.js';
import { bootstrapZeroCurve, parCurve, parYieldAt, zeroRateAt } from '../../server/analytics/curve.js';
import { breakEven } from '../../server/analytics/breakeven.js';

const d = (s: string) => parseIsoDate(s);

/** Coupon flows of `face` at `rate` % from each coupon date after settlement, with the face at `last`. */
function bulletFlows(schedule: CouponSchedule, ratePercent: string, face: string, settlement: IsoDate, last: IsoDate) {
  const coupon = new Decimal(face).mul(ratePercent).div(100).div(schedule.frequency);
  return schedule.couponDates
    .filter((c) => c > settlement && c <= last)
    .map((c) => ({ date: c, amount: c === last ? coupon.add(face) : coupon }));
}

describe('a class paying interest only to the ARD and refinanced there', () => {
  // The demo A-2: 5.25 %, 30/360 monthly, issued 2026-03-12, first coupon 2026-04-15, ARD
  // 2031-03-15, legal final 2051-03-15; settlement 2026-12-07.
  const legal = buildCouponSchedule({
    issueDate: d('2026-03-12'),
    firstCouponDate: d('2026-04-15'),
    maturityDate: d('2051-03-15'),
    frequency: 12,
  });
  const toArd = buildCouponSchedule({
    issueDate: d('2026-03-12'),
    firstCouponDate: d('2026-04-15'),
    maturityDate: d('2031-03-15'),
    frequency: 12,
  });
  const settlementDate = d('2026-12-07');
  const terms = { couponRatePercent: '5.25', dayCount: '30/360' as const, schedule: legal, settlementDate };
  const plan = flowPlan({ ...terms, face: '592500000', flows: bulletFlows(legal, '5.25', '592500000', settlementDate, d('2031-03-15')) });

  it('yields exactly the domain street yield with maturity = ARD, at 95 and 90', () => {
    for (const price of ['95', '90', '101.5']) {
      const ours = yieldAtPrice(plan, price);
      const domain = yieldFromPrice({
        couponRatePercent: '5.25',
        dayCount: '30/360',
        schedule: toArd,
        settlementDate,
        cleanPricePercent: price,
      });
      expect(ours.sub(domain).abs().lt('1e-20')).toBe(true);
    }
  });

  it('prices exactly as the domain at a yield', () => {
    const ours = priceAtYield(plan, '6.59');
    const domain = priceFromYield({ couponRatePercent: '5.25', dayCount: '30/360', schedule: toArd, settlementDate, yieldPercent: '6.59' });
    expect(ours.clean.sub(domain.cleanPricePercent).abs().lt('1e-40')).toBe(true);
  });

  it('matches the issue (written in late November 2026): at 95, 6.59 % to the ARD where the legal-final bullet shows 5.63 %', () => {
    const late = d('2026-11-25');
    const ard = flowPlan({ ...terms, settlementDate: late, face: '100', flows: bulletFlows(legal, '5.25', '100', late, d('2031-03-15')) });
    expect(yieldAtPrice(ard, '95').toDecimalPlaces(2).toFixed(2)).toBe('6.59');
    const toLegal = flowPlan({
      ...terms,
      settlementDate: late,
      face: '100',
      flows: bulletFlows(legal, '5.25', '100', late, d('2051-03-15')),
    });
    expect(yieldAtPrice(toLegal, '95').toDecimalPlaces(2).toFixed(2)).toBe('5.63');
  });
});

describe('published references', () => {
  // Microsoft Support, "PRICE function": PRICE(2008-02-15, 2017-11-15, 5.75 %, 6.50 %, 100, 2, 0)
  // = 94.6343616213221 (US 30/360, semi-annual).
  it('Excel PRICE example from flows', () => {
    const schedule = buildCouponSchedule({ issueDate: d('2007-11-15'), maturityDate: d('2017-11-15'), frequency: 2 });
    const settlementDate = d('2008-02-15');
    const plan = flowPlan({
      couponRatePercent: '5.75',
      dayCount: '30/360',
      schedule,
      settlementDate,
      face: '100',
      flows: bulletFlows(schedule, '5.75', '100', settlementDate, d('2017-11-15')),
    });
    expect(priceAtYield(plan, '6.5').clean.toFixed(13)).toBe('94.6343616213221');
  });

  // Fabozzi, "Bond Markets, Analysis and Strategies", ch. 4: a 9 % 5-year semi-annual bond at a
  // 9 % yield (price 100) has Macaulay duration 4.13 years and modified duration 3.96.
  it('Fabozzi duration example', () => {
    const schedule = buildCouponSchedule({ issueDate: d('2020-01-15'), maturityDate: d('2025-01-15'), frequency: 2 });
    const settlementDate = d('2020-01-15');
    const plan = flowPlan({
      couponRatePercent: '9',
      dayCount: '30/360',
      schedule,
      settlementDate,
      face: '100',
      flows: bulletFlows(schedule, '9', '100', settlementDate, d('2025-01-15')),
    });
    expect(priceAtYield(plan, '9').clean.toDecimalPlaces(10).toFixed(4)).toBe('100.0000');
    const risk = riskAtYield(plan, '9');
    expect(risk.macaulayYears.toDecimalPlaces(2).toFixed(2)).toBe('4.13');
    expect(risk.modifiedDuration.toDecimalPlaces(2).toFixed(2)).toBe('3.96');
    // DV01 per 100 at par = modified duration / 100 (in price points per bp × 100).
    expect(risk.dv01.toDecimalPlaces(4).toFixed(4)).toBe('0.0396');
  });

  it('convexity and modified duration agree with finite differences of the price', () => {
    const schedule = buildCouponSchedule({
      issueDate: d('2026-03-12'),
      firstCouponDate: d('2026-04-15'),
      maturityDate: d('2031-03-15'),
      frequency: 12,
    });
    const settlementDate = d('2026-12-07');
    const plan = flowPlan({
      couponRatePercent: '5.25',
      dayCount: '30/360',
      schedule,
      settlementDate,
      face: '100',
      flows: bulletFlows(schedule, '5.25', '100', settlementDate, d('2031-03-15')),
    });
    const y = new Decimal('0.0659');
    const h = new Decimal('1e-6');
    const p0 = dirtyAtYield(plan, y).price;
    const up = dirtyAtYield(plan, y.add(h)).price;
    const down = dirtyAtYield(plan, y.sub(h)).price;
    const risk = riskAtYield(plan, '6.59');
    expect(down.sub(up).div(h.mul(2)).div(p0).sub(risk.modifiedDuration).abs().lt('1e-8')).toBe(true);
    expect(up.add(down).sub(p0.mul(2)).div(h.mul(h)).div(p0).sub(risk.convexity).abs().lt('1e-3')).toBe(true);
  });
});

describe('benchmark curves and spreads', () => {
  const curve = parCurve([
    { tenorYears: '1', yieldPercent: '3.95' },
    { tenorYears: '2', yieldPercent: '3.60' },
    { tenorYears: '5', yieldPercent: '3.75' },
    { tenorYears: '10', yieldPercent: '4.15' },
  ]);

  it('interpolates the par curve linearly (by hand: 3.60 + (3.75 − 3.60) × (4.2 − 2) / 3 = 3.71 %)', () => {
    expect(parYieldAt(curve, new Decimal('4.2')).mul(100).toFixed()).toBe('3.71');
    expect(parYieldAt(curve, new Decimal('0.25')).mul(100).toFixed()).toBe('3.95'); // flat before the first point
    expect(parYieldAt(curve, new Decimal('30')).mul(100).toFixed()).toBe('4.15'); // flat after the last
  });

  it('bootstraps a flat par curve into the same flat zero curve', () => {
    const zero = bootstrapZeroCurve(
      parCurve([
        { tenorYears: '1', yieldPercent: '4' },
        { tenorYears: '30', yieldPercent: '4' },
      ]),
    );
    for (const r of zero.rates) expect(r.sub('0.04').abs().lt('1e-50')).toBe(true);
  });

  it('bootstraps by hand: par 2 % at 0.5y and 3 % at 1y give z(1) = 2 × ((1 / D1)^(1/2) − 1) with D1 = (1 − 0.015/1.01) / 1.015', () => {
    // D(0.5) = 1/1.01 = 0.990099…; D(1) = (1 − 0.015 × 0.990099…) / 1.015 = 0.9705896698…;
    // z(1) = 3.0075375… % (recomputed independently with Python's decimal module, 50 digits).
    const zero = bootstrapZeroCurve(
      parCurve([
        { tenorYears: '0.5', yieldPercent: '2' },
        { tenorYears: '1', yieldPercent: '3' },
      ]),
    );
    expect(zeroRateAt(zero, new Decimal('0.5')).mul(100).toDecimalPlaces(10).toFixed()).toBe('2');
    expect(zeroRateAt(zero, new Decimal(1)).mul(100).toDecimalPlaces(5).toFixed(5)).toBe('3.00754');
  });

  it('Z-spread over a flat curve equals yield minus the curve for a semi-annual bond settling on a coupon date', () => {
    const zero = bootstrapZeroCurve(
      parCurve([
        { tenorYears: '1', yieldPercent: '4' },
        { tenorYears: '30', yieldPercent: '4' },
      ]),
    );
    const schedule = buildCouponSchedule({ issueDate: d('2026-02-01'), maturityDate: d('2031-02-01'), frequency: 2 });
    const settlementDate = d('2026-08-01');
    const plan = flowPlan({
      couponRatePercent: '9.5',
      dayCount: '30/360',
      schedule,
      settlementDate,
      face: '100',
      flows: bulletFlows(schedule, '9.5', '100', settlementDate, d('2031-02-01')),
    });
    const y = yieldAtPrice(plan, '98.25');
    const z = zSpreadAtPrice(plan, zero, '98.25');
    expect(z.sub(y.sub(4).mul(100)).abs().lt('1e-6')).toBe(true);
  });
});

describe('break-even search', () => {
  it('finds the harshest passing level within the tolerance, and says when there is none', () => {
    const cutoff = new Decimal('37.25');
    const found = breakEven('100', '0', '0.01', (u) => u.gte(cutoff));
    expect(found.level!.gte(cutoff) && found.level!.sub(cutoff).lte('0.01')).toBe(true);
    expect(breakEven('100', '0', '0.01', () => true)).toMatchObject({ passesEverywhere: true });
    expect(breakEven('100', '0', '0.01', () => false).level).toBeNull();
  });
});
