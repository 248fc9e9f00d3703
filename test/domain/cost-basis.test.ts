/** Average cost and realized P&L (server/domain/cost-basis.ts): a hand example and invariants. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../server/domain/decimal.js';
import { costBasis, type Fill } from '../../server/domain/cost-basis.js';

const d = (v: string | number) => new Decimal(v);
const fill = (side: 'buy' | 'sell', face: number, price: string, factor = '1'): Fill => ({
  side,
  face: d(face),
  price: d(price),
  factor: d(factor),
});

describe('costBasis', () => {
  it('averages buys by face and realizes sells against the average', () => {
    // Opening 100,000 at par; buy 300,000 at 98 → (100,000 × 100 + 300,000 × 98) / 400,000 = 98.5.
    // Sell 200,000 at 99 with factor 0.5: 200,000 × 0.5 × (99 − 98.5) / 100 = 500.00.
    const result = costBasis({ face: d(100000), price: d(100) }, [fill('buy', 300000, '98'), fill('sell', 200000, '99', '0.5')]);
    expect(result.face.toFixed()).toBe('200000');
    expect(result.averageCost.toFixed()).toBe('98.5');
    expect(result.realizedPnl.toFixed(2)).toBe('500.00');
  });

  it('goes flat with average 0 and never realizes on more than it holds', () => {
    const result = costBasis({ face: d(0), price: d(100) }, [fill('buy', 100000, '101'), fill('sell', 150000, '100')]);
    // Only 100,000 was held: 100,000 × (100 − 101) / 100 = −1,000.00.
    expect(result).toMatchObject({ face: d(0), averageCost: d(0) });
    expect(result.realizedPnl.toFixed(2)).toBe('-1000.00');
  });

  it('keeps the average between the lowest and highest buy price, and the face equal to buys − sells', () => {
    const arbFill = fc.record({
      side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
      face: fc.integer({ min: 1, max: 1000 }).map((n) => d(n * 1000)),
      price: fc.integer({ min: 1, max: 25600 }).map((n) => d(n).div(128)),
      factor: fc.integer({ min: 1, max: 10000 }).map((n) => d(n).div(10000)),
    });
    fc.assert(
      fc.property(fc.array(arbFill, { maxLength: 30 }), (fills) => {
        let face = d(0);
        let low: Decimal | null = null;
        let high: Decimal | null = null;
        const result = costBasis({ face: d(0), price: d(100) }, fills);
        for (const f of fills) {
          if (f.side === 'buy') {
            face = face.add(f.face);
            low = low === null ? f.price : Decimal.min(low, f.price);
            high = high === null ? f.price : Decimal.max(high, f.price);
          } else face = Decimal.max(face.sub(f.face), 0);
        }
        expect(result.face.eq(face)).toBe(true);
        if (face.gt(0)) expect(result.averageCost.gte(low!) && result.averageCost.lte(high!)).toBe(true);
        else expect(result.averageCost.isZero()).toBe(true);
        expect(result.realizedPnl.decimalPlaces()).toBeLessThanOrEqual(2);
      }),
    );
  });
});
