import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  Decimal,
  DomainError,
  accruedPer100,
  buildCouponSchedule,
  canonicalDayCount,
  dayCountDays,
  yearFraction,
  type CouponFrequency,
  type DayCountConvention,
} from '../../server/domain/index.js';
import { PROPERTY_SEED, d, dateBetween } from './arbitraries.js';

type DayCase = [start: string, end: string, days: number];

// Source: ISDA, "30/360 Day Count Conventions" (2008-12-22) worksheet of examples for the 2006 ISDA
// Definitions, https://www.isda.org/2008/12/22/30-360-day-count-conventions/ — sheet
// "30/360 (Bond Basis)", Section 4.16(f), Examples 1–3 (the same table is in QuantLib's
// test-suite/daycounters.cpp, testThirty360_BondBasis).
const ISDA_BOND_BASIS: DayCase[] = [
  ['2006-08-20', '2007-02-20', 180],
  ['2007-02-20', '2007-08-20', 180],
  ['2007-08-20', '2008-02-20', 180],
  ['2008-02-20', '2008-08-20', 180],
  ['2008-08-20', '2009-02-20', 180],
  ['2009-02-20', '2009-08-20', 180],
  ['2006-08-31', '2007-02-28', 178],
  ['2007-02-28', '2007-08-31', 183],
  ['2007-08-31', '2008-02-29', 179],
  ['2008-02-29', '2008-08-31', 182],
  ['2008-08-31', '2009-02-28', 178],
  ['2009-02-28', '2009-08-31', 183],
  ['2006-01-31', '2006-02-28', 28],
  ['2006-01-30', '2006-02-28', 28],
  ['2006-02-28', '2006-03-03', 5],
  ['2006-02-14', '2006-02-28', 14],
  ['2006-09-30', '2006-10-31', 30],
  ['2006-10-31', '2006-11-28', 28],
  ['2007-08-31', '2008-02-28', 178],
  ['2008-02-28', '2008-08-28', 180],
  ['2008-02-28', '2008-08-30', 182],
  ['2008-02-28', '2008-08-31', 183],
  ['2007-02-26', '2008-02-28', 362],
  ['2007-02-26', '2008-02-29', 363],
  ['2008-02-29', '2009-02-28', 359],
  ['2008-02-28', '2008-03-30', 32],
  ['2008-02-28', '2008-03-31', 33],
];

// Source: the same ISDA 2008 worksheet, sheet "30E/360 (Eurobond Basis)", Section 4.16(g).
const ISDA_EUROBOND_BASIS: DayCase[] = [
  ['2006-08-20', '2007-02-20', 180],
  ['2007-02-20', '2007-08-20', 180],
  ['2007-08-20', '2008-02-20', 180],
  ['2008-02-20', '2008-08-20', 180],
  ['2008-08-20', '2009-02-20', 180],
  ['2009-02-20', '2009-08-20', 180],
  ['2006-02-28', '2006-08-31', 182],
  ['2006-08-31', '2007-02-28', 178],
  ['2007-02-28', '2007-08-31', 182],
  ['2007-08-31', '2008-02-29', 179],
  ['2008-02-29', '2008-08-31', 181],
  ['2008-08-31', '2009-02-28', 178],
  ['2009-02-28', '2009-08-31', 182],
  ['2009-08-31', '2010-02-28', 178],
  ['2010-02-28', '2010-08-31', 182],
  ['2010-08-31', '2011-02-28', 178],
  ['2011-02-28', '2011-08-31', 182],
  ['2011-08-31', '2012-02-29', 179],
  ['2006-01-31', '2006-02-28', 28],
  ['2006-01-30', '2006-02-28', 28],
  ['2006-02-28', '2006-03-03', 5],
  ['2006-02-14', '2006-02-28', 14],
  ['2006-09-30', '2006-10-31', 30],
  ['2006-10-31', '2006-11-28', 28],
  ['2007-08-31', '2008-02-28', 178],
  ['2008-02-28', '2008-08-28', 180],
  ['2008-02-28', '2008-08-30', 182],
  ['2008-02-28', '2008-08-31', 182],
  ['2007-02-26', '2008-02-28', 362],
  ['2007-02-26', '2008-02-29', 363],
  ['2008-02-29', '2009-02-28', 359],
  ['2008-02-28', '2008-03-30', 32],
  ['2008-02-28', '2008-03-31', 32],
];

function expectFraction(convention: DayCountConvention, start: string, end: string, expected: string, places: number) {
  const actual = yearFraction(convention, d(start), d(end));
  expect(actual.sub(expected).abs().lte(new Decimal(10).pow(-places).div(2)), `${convention} ${start}→${end}: ${actual.toFixed(12)}`).toBe(
    true,
  );
}

describe('30/360 (ISDA 2006 4.16(f) Bond Basis = US bond basis, no February adjustment)', () => {
  it.each(ISDA_BOND_BASIS)('%s → %s = %i days', (start, end, days) => {
    expect(dayCountDays('30/360', d(start), d(end))).toBe(days);
    expect(yearFraction('30/360', d(start), d(end)).eq(new Decimal(days).div(360))).toBe(true);
  });
});

describe('30E/360 (ISDA 2006 4.16(g) Eurobond Basis)', () => {
  it.each(ISDA_EUROBOND_BASIS)('%s → %s = %i days', (start, end, days) => {
    expect(dayCountDays('30E/360', d(start), d(end))).toBe(days);
  });
});

describe('30/360-SIA (SIA Standard Securities Calculation Methods, February rule for EOM securities)', () => {
  // Expected values derived by hand from the SIFMA rules as stated in daycount.ts; they differ from
  // the ISDA Bond Basis table above exactly where February month ends are involved.
  it('treats the last day of February as day 30 for end-of-month securities', () => {
    expect(dayCountDays('30/360-SIFMA', d('2007-02-28'), d('2007-08-31'))).toBe(180); // Bond Basis: 183
    expect(dayCountDays('30/360-SIFMA', d('2008-02-29'), d('2008-08-31'))).toBe(180); // Bond Basis: 182
    expect(dayCountDays('30/360-SIFMA', d('2008-02-29'), d('2009-02-28'))).toBe(360); // Bond Basis: 359
    expect(dayCountDays('30/360-SIFMA', d('2008-02-28'), d('2008-03-31'))).toBe(33); // Feb 28 2008 is not Feb's last day
  });

  it('applies no February rule for non-EOM securities and agrees with Bond Basis elsewhere', () => {
    expect(dayCountDays('30/360-SIFMA', d('2007-02-28'), d('2007-08-31'), { endOfMonth: false })).toBe(183);
    fc.assert(
      fc.property(dateBetween('2000-01-01', '2040-12-31'), dateBetween('2000-01-01', '2040-12-31'), (a, b) => {
        fc.pre(!(a.slice(5, 7) === '02' && Number(a.slice(8)) >= 28) && !(b.slice(5, 7) === '02' && Number(b.slice(8)) >= 28));
        return dayCountDays('30/360-SIFMA', a, b) === dayCountDays('30/360', a, b);
      }),
      { seed: PROPERTY_SEED },
    );
  });
});

describe('ACT/360 and ACT/365F (ISDA 2006 4.16(e), 4.16(d))', () => {
  // Source: ECMA-376 Office Open XML, Part 1, SpreadsheetML function reference, YEARFRAC examples:
  // YEARFRAC(DATE(2006,1,1),DATE(2006,7,1),2) = 0.502777778 (basis 2 = Actual/360) and
  // YEARFRAC(DATE(2006,1,1),DATE(2006,7,1),3) = 0.495890411 (basis 3 = Actual/365).
  it('ECMA-376 YEARFRAC examples', () => {
    expectFraction('ACT/360', '2006-01-01', '2006-07-01', '0.502777778', 9);
    expectFraction('ACT/365F', '2006-01-01', '2006-07-01', '0.495890411', 9);
    // basis 0 (US 30/360) and 4 (European 30/360) give 0.5 for the same dates.
    expectFraction('30/360', '2006-01-01', '2006-07-01', '0.5', 12);
    expectFraction('30E/360', '2006-01-01', '2006-07-01', '0.5', 12);
  });

  // Source: Microsoft Support, "YEARFRAC function" example: start 1/1/2012, end 7/30/2012:
  // YEARFRAC(A2,A3) = 0.58055556 (US 30/360) and YEARFRAC(A2,A3,3) = 0.57808219 (Actual/365).
  it('Microsoft YEARFRAC example', () => {
    expectFraction('30/360', '2012-01-01', '2012-07-30', '0.58055556', 8);
    expectFraction('ACT/365F', '2012-01-01', '2012-07-30', '0.57808219', 8);
  });

  // Source: Apple iWork '09 Numbers formula reference, YEARFRAC: 12/15/2009 to 6/30/2010 gives
  // 0.541666667 (30/360), 0.547222222 (actual/360), 0.539726027 (actual/365), 0.541666667 (30E/360).
  it('Apple Numbers YEARFRAC example', () => {
    expectFraction('30/360', '2009-12-15', '2010-06-30', '0.541666667', 9);
    expectFraction('ACT/360', '2009-12-15', '2010-06-30', '0.547222222', 9);
    expectFraction('ACT/365F', '2009-12-15', '2010-06-30', '0.539726027', 9);
    expectFraction('30E/360', '2009-12-15', '2010-06-30', '0.541666667', 9);
  });
});

describe('ACT/ACT-ICMA (ISDA 2006 4.16(c), ICMA Rule 251)', () => {
  // Source: ISDA, "EMU and Market Conventions: Recent Developments" (1998, mktc1198), section on
  // the Actual/Actual day count fraction, ISMA examples (also in QuantLib's daycounters.cpp
  // testActualActual). Columns: start, end, reference start, reference end, frequency, fraction.
  const cases: Array<[string, string, string, string, string, CouponFrequency, string]> = [
    ['regular semi-annual period', '2003-11-01', '2004-05-01', '2003-11-01', '2004-05-01', 2, '0.500000000000'],
    ['short first period (annual)', '1999-02-01', '1999-07-01', '1998-07-01', '1999-07-01', 1, '0.410958904110'],
    ['regular period after short first', '1999-07-01', '2000-07-01', '1999-07-01', '2000-07-01', 1, '1.000000000000'],
    ['long first period (semi-annual)', '2002-08-15', '2003-07-15', '2003-01-15', '2003-07-15', 2, '0.915760869565'],
    ['regular period after long first', '2003-07-15', '2004-01-15', '2003-07-15', '2004-01-15', 2, '0.500000000000'],
    ['penultimate regular period', '1999-07-30', '2000-01-30', '1999-07-30', '2000-01-30', 2, '0.500000000000'],
    ['short final period', '2000-01-30', '2000-06-30', '2000-01-30', '2000-07-30', 2, '0.417582417582'],
  ];
  it.each(cases)('%s', (_name, start, end, refStart, refEnd, frequency, expected) => {
    const actual = yearFraction('ACT/ACT-ICMA', d(start), d(end), { referenceStart: d(refStart), referenceEnd: d(refEnd), frequency });
    expect(actual.sub(expected).abs().lt('5e-13'), actual.toFixed(15)).toBe(true);
  });

  it('long final quarterly period with the end-of-month rule = 91/(91×4) + 61/(92×4) (same ISDA paper)', () => {
    const actual = yearFraction('ACT/ACT-ICMA', d('1999-11-30'), d('2000-04-30'), {
      referenceStart: d('1999-11-30'),
      referenceEnd: d('2000-02-29'),
      frequency: 4,
      endOfMonth: true,
    });
    const expected = new Decimal(91).div(91 * 4).add(new Decimal(61).div(92 * 4));
    expect(actual.eq(expected)).toBe(true);
  });

  it('requires a reference period', () => {
    expect(() => yearFraction('ACT/ACT-ICMA', d('2024-01-01'), d('2024-02-01'))).toThrow(DomainError);
    try {
      yearFraction('ACT/ACT-ICMA', d('2024-01-01'), d('2024-02-01'));
    } catch (error) {
      expect((error as DomainError).code).toBe('MISSING_REFERENCE_PERIOD');
    }
  });
});

describe('all conventions', () => {
  const conventions: DayCountConvention[] = ['30/360', '30/360-SIFMA', '30E/360', 'ACT/360', 'ACT/365F'];
  it('property: zero on equal dates, antisymmetric, additive for actual-day conventions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...conventions),
        dateBetween('1990-01-01', '2090-12-31'),
        dateBetween('1990-01-01', '2090-12-31'),
        dateBetween('1990-01-01', '2090-12-31'),
        (conv, a, b, c) => {
          const ab = yearFraction(conv, a, b);
          const zero = yearFraction(conv, a, a).isZero();
          const antisymmetric = yearFraction(conv, b, a).eq(ab.neg());
          const additive = conv.startsWith('ACT')
            ? ab
                .add(yearFraction(conv, b, c))
                .sub(yearFraction(conv, a, c))
                .abs()
                .lt('1e-50')
            : true;
          return zero && antisymmetric && additive;
        },
      ),
      { seed: PROPERTY_SEED },
    );
  });
});

describe('30/360 names (issue 15 item 4)', () => {
  it("keeps the old name '30/360' as ISDA bond basis and '30/360-SIA' as SIFMA", () => {
    for (const [start, end] of [
      ['2007-02-28', '2007-08-31'],
      ['2008-02-29', '2009-02-28'],
      ['2006-08-31', '2007-02-28'],
    ] as const) {
      expect(dayCountDays('30/360', d(start), d(end))).toBe(dayCountDays('30/360-ISDA', d(start), d(end)));
      expect(dayCountDays('30/360-SIA', d(start), d(end))).toBe(dayCountDays('30/360-SIFMA', d(start), d(end)));
    }
    expect(canonicalDayCount('30/360')).toBe('30/360-ISDA');
    expect(canonicalDayCount('30/360-SIA')).toBe('30/360-SIFMA');
  });

  it('agrees with the ISDA worksheet wherever no February month end is involved', () => {
    // SIFMA rules 3 and 4 are the bond-basis rules; only rules 1–2 (February) differ.
    for (const [start, end, days] of ISDA_BOND_BASIS) {
      const februaryEnd = (x: string) => x.slice(5, 7) === '02' && Number(x.slice(8)) >= 28;
      if (!februaryEnd(start) && !februaryEnd(end)) expect(dayCountDays('30/360-SIFMA', d(start), d(end))).toBe(days);
    }
  });

  it('accrues 2.9666667 per 100 on 2026-08-28 for a 6% semiannual note paying Feb 28 / Aug 31 (SIFMA), 3.0 under ISDA', () => {
    // Worked by hand. The period runs from 2026-02-28 (the last day of February 2026, not a leap
    // year) to 2026-08-31. SIFMA rule 2: D1 is the last day of February of an end-of-month security
    // → D1 = 30. D2 = 28 stays. Days = 360×0 + 30×(8 − 2) + (28 − 30) = 178.
    // Accrued per 100 = 6 × 178/360 = 2.96666…, 2.9666667 to 7 places.
    // ISDA 4.16(f) has no February rule: D1 = 28, D2 = 28, days = 180, accrued = 6 × 180/360 = 3.
    const schedule = buildCouponSchedule({ issueDate: d('2025-08-31'), maturityDate: d('2030-08-31'), frequency: 2 });
    expect(schedule.couponDates.slice(0, 2)).toEqual(['2026-02-28', '2026-08-31']);
    const sifma = accruedPer100({ couponRatePercent: '6', dayCount: '30/360-SIFMA', schedule }, d('2026-08-28'));
    expect(sifma.toFixed(7)).toBe('2.9666667');
    expect(sifma.sub(new Decimal(6).mul(178).div(360)).abs().lt('1e-50')).toBe(true);
    const isda = accruedPer100({ couponRatePercent: '6', dayCount: '30/360-ISDA', schedule }, d('2026-08-28'));
    expect(isda.toFixed()).toBe('3');
  });
});
