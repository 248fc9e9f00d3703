/**
 * Migration identity: a version-1 definition converted to steps (fromVersion1) gives the same
 * amounts as the fixed-shape waterfall it replaces (kept as test/waterfall/reference-v1.ts), on
 * random deals and periods: fees, every class's interest, shortfall, principal and balance, the
 * reserve, trapped cash, DSCR, trap and sweep flags and the residual, to the cent.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { Decimal } from '../../server/domain/decimal.js';
import { runWaterfallPeriod, validateDefinition } from '../../server/waterfall/index.js';
import { runWaterfall, type WaterfallInput } from './reference-v1.js';
import { translate } from './v1-harness.js';

const cents = (max: number) => fc.integer({ min: 0, max }).map((c) => new Decimal(c).div(100));
const rate = (maxThousandths: number) => fc.integer({ min: 0, max: maxThousandths }).map((v) => new Decimal(v).div(1000));
const yearFraction = fc.constantFrom('1/12', '1/2', '1/4', '1', '31/360', '28/365').map((f) => {
  const [n, m] = f.split('/');
  return new Decimal(n!).div(m ?? 1);
});

const oldInput: fc.Arbitrary<WaterfallInput & { ardDefined: boolean }> = fc
  .record({
    availableFunds: cents(2_000_000_000),
    netCashFlow: fc.integer({ min: -50_000_000, max: 2_000_000_000 }).map((c) => new Decimal(c).div(100)),
    reserveBalance: cents(200_000_000),
    reserveTarget: cents(300_000_000),
    trappedCash: cents(100_000_000),
    feeShortfall: cents(5_000_000),
    feeYearFraction: fc.constantFrom(1, 2, 4, 12).map((n) => new Decimal(1).div(n)),
    fees: fc.array(
      fc.record({
        name: fc.constantFrom('trustee', 'servicer', 'backup'),
        annualRatePercent: rate(1000),
        fixedPerPeriod: cents(5_000_000),
      }),
      { maxLength: 3 },
    ),
    classes: fc
      .array(
        fc.record({ couponRatePercent: rate(15000), yearFraction, balance: cents(100_000_000_000), interestShortfall: cents(50_000_000) }),
        { minLength: 1, maxLength: 4 },
      )
      .map((cs) =>
        cs.map((c, i) => ({
          ...c,
          noteId: `00000000-0000-4000-8000-00000000000${i}`,
          className: `C${i}`,
          originalFace: c.balance.plus(1),
        })),
      ),
    principalMode: fc.constantFrom('sequential' as const, 'pro_rata' as const),
    scheduledPrincipal: cents(500_000_000),
    dscrThreshold: fc.option(rate(3000), { nil: null }),
    trapPercent: rate(100_000).map((v) => Decimal.min(v, 100)),
    sweep: fc.boolean(),
    ard: fc.boolean(),
  })
  .map(({ ard, ...input }) => ({ ...input, sweep: ard && input.sweep, ardDefined: ard }) as WaterfallInput & { ardDefined: boolean });

const money = (v: Decimal) => v.toFixed(2);

describe('version-1 definitions in the step form', () => {
  it('give the same amounts as the fixed-shape waterfall, to the cent', () => {
    fc.assert(
      fc.property(oldInput, (input) => {
        const old = runWaterfall(input);
        const { definition, state, period } = translate(input);
        validateDefinition(definition);
        const now = runWaterfallPeriod(definition, state, period);
        expect([now.fees.current, now.fees.shortfallBefore, now.fees.paid, now.fees.shortfallAfter].map(money)).toEqual(
          [old.fees.current, old.fees.shortfallBefore, old.fees.paid, old.fees.shortfallAfter].map(money),
        );
        expect(
          now.classFlows.map((c) =>
            [
              c.className,
              c.balanceBefore,
              c.interestCurrent,
              c.interestShortfallBefore,
              c.interestPaid,
              c.interestShortfallAfter,
              c.principalPaid,
              c.balanceAfter,
            ].map(String),
          ),
        ).toEqual(
          old.classes.map((c) =>
            [
              c.className,
              c.balanceBefore,
              c.interestCurrent,
              c.interestShortfallBefore,
              c.interestPaid,
              c.interestShortfallAfter,
              c.principalPaid,
              c.balanceAfter,
            ].map(String),
          ),
        );
        expect([now.reserve.before, now.reserve.draw, now.reserve.topUp, now.reserve.after].map(money)).toEqual(
          [old.reserve.before, old.reserve.draw, old.reserve.topUp, old.reserve.after].map(money),
        );
        expect(
          [now.trappedCash.before, now.trappedCash.added, now.trappedCash.released, now.trappedCash.swept, now.trappedCash.after].map(
            money,
          ),
        ).toEqual([old.trapped.before, old.trapped.added, old.trapped.released, old.trapped.swept, old.trapped.after].map(money));
        expect([money(now.residual), money(now.principalPaid), now.cashTrapActive, now.sweepActive]).toEqual([
          money(old.residualReleased),
          money(old.principalPaid),
          old.cashTrapActive,
          old.sweepActive,
        ]);
        expect(period.metrics.get('dscr')?.toFixed() ?? null).toBe(old.dscr?.toFixed() ?? null);
        // No new kind of amount appears in a converted definition.
        expect(now.classFlows.every((c) => c.interestDeferred.isZero() && c.additionalInterestCurrent.isZero())).toBe(true);
        expect(money(now.unspent)).toBe('0.00');
      }),
      { numRuns: 400, seed: 20261206 },
    );
  });

  it('keep the trap on its edge: a DSCR exactly at the threshold does not trap', () => {
    // Debt service: one class of 1,200,000 at 10% for 1/12 → 10,000.00; no fees. Net cash flow 13,500
    // → DSCR 13,500 / 10,000 = 1.35, not below 1.35: no trap; 13,499.99 → 1.349999 < 1.35: trap.
    const base = {
      availableFunds: new Decimal(50000),
      reserveBalance: new Decimal(0),
      reserveTarget: new Decimal(0),
      trappedCash: new Decimal(100),
      feeShortfall: new Decimal(0),
      feeYearFraction: new Decimal(1).div(12),
      fees: [],
      classes: [
        {
          noteId: '00000000-0000-4000-8000-000000000000',
          className: 'A',
          couponRatePercent: new Decimal(10),
          yearFraction: new Decimal(1).div(12),
          originalFace: new Decimal(1200000),
          balance: new Decimal(1200000),
          interestShortfall: new Decimal(0),
        },
      ],
      principalMode: 'sequential' as const,
      scheduledPrincipal: new Decimal(0),
      dscrThreshold: new Decimal('1.35'),
      trapPercent: new Decimal(100),
      sweep: false,
      ardDefined: false,
    };
    for (const [net, trapped] of [
      ['13500', false],
      ['13499.99', true],
    ] as const) {
      const { definition, state, period } = translate({ ...base, netCashFlow: new Decimal(net) });
      const now = runWaterfallPeriod(definition, state, period);
      expect(now.cashTrapActive).toBe(trapped);
      expect(runWaterfall({ ...base, netCashFlow: new Decimal(net) }).cashTrapActive).toBe(trapped);
      // 50,000 − 10,000 interest = 40,000: trapped whole (plus the 100 held) or released with the 100.
      expect([money(now.trappedCash.after), money(now.residual)]).toEqual(trapped ? ['40100.00', '0.00'] : ['0.00', '40100.00']);
    }
  });
});
