/**
 * The waterfall on a worked example, every figure computed by hand in the comments.
 *
 * Deal: three classes paid monthly on 30/360 (year fraction 30/360 = 1/12):
 *   A 1,000,000 at 6%  → interest 1,000,000 × 6%  / 12 = 5,000.00
 *   B   500,000 at 12% → interest   500,000 × 12% / 12 = 5,000.00
 *   C   200,000 at 18% → interest   200,000 × 18% / 12 = 3,000.00
 * Senior fees: trustee 0.12% a year of the 1,700,000 aggregate = 1,700,000 × 0.12% / 12 = 170.00,
 *   servicer 830.00 fixed → 1,000.00. Debt service = 1,000 + 13,000 = 14,000.00.
 * Reserve target 10,000; scheduled principal 20,000 a month; DSCR trap below 1.35×, 100% trapped.
 * Written for the fixed-shape waterfall (version 1); it runs the same definition converted to steps.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import type { WaterfallInput } from '../waterfall/reference-v1.js';
// The version-1 worked examples, run on the step engine (a v1 definition converted to steps).
import { runV1ViaSteps as runWaterfall } from '../waterfall/v1-harness.js';
import { allocateToHolders, floorToCents } from '../../server/servicing/allocation.js';

const d = (v: string | number) => new Decimal(v);
const twelfth = d(1).div(12);

function deal(overrides: Partial<WaterfallInput> = {}): WaterfallInput {
  return {
    availableFunds: d(60000),
    netCashFlow: d(60000),
    reserveBalance: d(4000),
    reserveTarget: d(10000),
    trappedCash: d(0),
    feeShortfall: d(0),
    feeYearFraction: twelfth,
    fees: [
      { name: 'trustee', annualRatePercent: d('0.12'), fixedPerPeriod: d(0) },
      { name: 'servicer', annualRatePercent: d(0), fixedPerPeriod: d(830) },
    ],
    classes: [
      {
        noteId: 'A',
        className: 'A',
        couponRatePercent: d(6),
        yearFraction: twelfth,
        originalFace: d(1000000),
        balance: d(1000000),
        interestShortfall: d(0),
      },
      {
        noteId: 'B',
        className: 'B',
        couponRatePercent: d(12),
        yearFraction: twelfth,
        originalFace: d(500000),
        balance: d(500000),
        interestShortfall: d(0),
      },
      {
        noteId: 'C',
        className: 'C',
        couponRatePercent: d(18),
        yearFraction: twelfth,
        originalFace: d(200000),
        balance: d(200000),
        interestShortfall: d(0),
      },
    ],
    principalMode: 'sequential',
    scheduledPrincipal: d(20000),
    dscrThreshold: d('1.35'),
    trapPercent: d(100),
    sweep: false,
    ...overrides,
  };
}

const money = (v: Decimal) => v.toFixed(2);
const perClass = (
  r: ReturnType<typeof runWaterfall>,
  field: 'interestPaid' | 'interestShortfallAfter' | 'principalPaid' | 'balanceAfter',
) => r.classes.map((c) => money(c[field]));

describe('the waterfall, worked by hand', () => {
  it('pays fees, interest by seniority, tops up the reserve, pays scheduled principal sequentially and releases the rest', () => {
    const r = runWaterfall(deal());
    // 60,000 − fees 1,000 = 59,000; − interest 13,000 = 46,000.
    expect(money(r.fees.paid)).toBe('1000.00');
    expect(perClass(r, 'interestPaid')).toEqual(['5000.00', '5000.00', '3000.00']);
    // DSCR = 60,000 / 14,000 = 4.2857… ≥ 1.35: no trap.
    expect(r.dscr!.toDecimalPlaces(4).toFixed()).toBe('4.2857');
    expect(r.cashTrapActive).toBe(false);
    // Reserve 4,000 → 10,000: top-up 6,000; 46,000 − 6,000 = 40,000.
    expect([money(r.reserve.topUp), money(r.reserve.after)]).toEqual(['6000.00', '10000.00']);
    // Scheduled principal 20,000, all to A (sequential): A 1,000,000 → 980,000; 20,000 left, released.
    expect(perClass(r, 'principalPaid')).toEqual(['20000.00', '0.00', '0.00']);
    expect(perClass(r, 'balanceAfter')).toEqual(['980000.00', '500000.00', '200000.00']);
    expect(money(r.residualReleased)).toBe('20000.00');
  });

  it('draws the reserve for interest, carries the shortfall forward, and traps cash below 1.35×', () => {
    // 12,000 available, C already owed 500 from before, trapped cash 2,000 from an earlier date, reserve 1,500.
    const r = runWaterfall(
      deal({
        availableFunds: d(12000),
        netCashFlow: d(12000),
        reserveBalance: d(1500),
        trappedCash: d(2000),
        classes: deal().classes.map((c) => (c.noteId === 'C' ? { ...c, interestShortfall: d(500) } : c)),
      }),
    );
    // 12,000 − fees 1,000 − A 5,000 − B 5,000 = 1,000 left for C, which is owed 3,000 + 500 = 3,500:
    // 1,000 from funds + 1,500 drawn from the reserve = 2,500 paid; 1,000 carried forward.
    expect(perClass(r, 'interestPaid')).toEqual(['5000.00', '5000.00', '2500.00']);
    expect(perClass(r, 'interestShortfallAfter')).toEqual(['0.00', '0.00', '1000.00']);
    expect([money(r.reserve.draw), money(r.reserve.topUp), money(r.reserve.after)]).toEqual(['1500.00', '0.00', '0.00']);
    // DSCR = 12,000 / 14,000 = 0.8571… < 1.35: the trap holds the 2,000 trapped before; nothing is released.
    expect(r.cashTrapActive).toBe(true);
    expect([money(r.trapped.added), money(r.trapped.after), money(r.residualReleased), money(r.principalPaid)]).toEqual([
      '0.00',
      '2000.00',
      '0.00',
      '0.00',
    ]);
  });

  it('traps the excess after scheduled principal while the DSCR is below the threshold', () => {
    // 40,000 available but only 18,000 of this period's net cash flow: DSCR = 18,000 / 14,000 = 1.2857… < 1.35.
    const r = runWaterfall(deal({ availableFunds: d(40000), netCashFlow: d(18000), reserveBalance: d(10000), trappedCash: d(2000) }));
    // 40,000 − 1,000 − 13,000 = 26,000; reserve full; principal 20,000 to A; excess 6,000 trapped → 8,000.
    expect(perClass(r, 'principalPaid')).toEqual(['20000.00', '0.00', '0.00']);
    expect([money(r.trapped.added), money(r.trapped.after), money(r.residualReleased)]).toEqual(['6000.00', '8000.00', '0.00']);
  });

  it('sweeps all excess and trapped cash into principal from the anticipated repayment date', () => {
    const r = runWaterfall(
      deal({ availableFunds: d(40000), netCashFlow: d(18000), reserveBalance: d(10000), trappedCash: d(8000), sweep: true }),
    );
    // 40,000 − 1,000 − 13,000 = 26,000, plus the 8,000 trapped = 34,000, all to A: 1,000,000 → 966,000.
    expect(r.cashTrapActive).toBe(false);
    expect(perClass(r, 'principalPaid')).toEqual(['34000.00', '0.00', '0.00']);
    expect([money(r.trapped.swept), money(r.trapped.after), money(r.residualReleased)]).toEqual(['8000.00', '0.00', '0.00']);
  });

  it('pays principal pro rata by balance when the deal says so, leftover cents by seniority', () => {
    const r = runWaterfall(deal({ principalMode: 'pro_rata' }));
    // 20,000 × 1,000,000 / 1,700,000 = 11,764.705… → 11,764.70; B 5,882.352… → 5,882.35; C 2,352.941… → 2,352.94;
    // they sum to 19,999.99, so the last cent goes to A: 11,764.71.
    expect(perClass(r, 'principalPaid')).toEqual(['11764.71', '5882.35', '2352.94']);
  });

  it('keeps the books whole: available + reserve draw + trapped released = everything paid or kept', () => {
    for (const input of [
      deal(),
      deal({ availableFunds: d(12000), netCashFlow: d(12000), reserveBalance: d(1500), trappedCash: d(2000) }),
      deal({ availableFunds: d(40000), trappedCash: d(8000), sweep: true }),
    ]) {
      const r = runWaterfall(input);
      const inflow = input.availableFunds.plus(r.reserve.draw).plus(r.trapped.released).plus(r.trapped.swept);
      const interest = r.classes.reduce((s, c) => s.plus(c.interestPaid), d(0));
      const outflow = r.fees.paid.plus(interest).plus(r.reserve.topUp).plus(r.principalPaid).plus(r.trapped.added).plus(r.residualReleased);
      expect(money(inflow)).toBe(money(outflow));
    }
  });
});

describe('paying holders of record', () => {
  it('pays each holder its share by original face, rounded down, the rest of the class through the paying agent, and keeps the remainder', () => {
    // Class of 1,000,000 original face; 5,000.00 of interest. P1 holds 333,333: 1,666.665 → 1,666.66;
    // P2 holds 166,667: 833.335 → 833.33; the 500,000 outside the venue: 2,500.00. Paid 4,999.99, kept 0.01.
    const { shares, remainder } = allocateToHolders(d(5000), d(1000000), [
      { partyId: 'P1', face: d(333333) },
      { partyId: 'P2', face: d(166667) },
    ]);
    expect(shares.map((s) => [s.partyId, money(s.amount)])).toEqual([
      ['P1', '1666.66'],
      ['P2', '833.33'],
      [null, '2500.00'],
    ]);
    expect(money(remainder)).toBe('0.01');
  });

  it('floors to the cent with the domain rounding', () => {
    expect(floorToCents(d('1.239')).toFixed(2)).toBe('1.23');
    expect(floorToCents(d('1.235')).toFixed(2)).toBe('1.23');
    expect(floorToCents(d('1.23')).toFixed(2)).toBe('1.23');
    expect(floorToCents(d('0.009')).toFixed(2)).toBe('0.00');
  });
});
