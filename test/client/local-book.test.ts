/**
 * The SDK's local level-2 book (client/sdk/ws/book.ts) against a reference model: decimal prices
 * compare exactly whatever their leading or trailing zeros, and any snapshot followed by any
 * updates leaves the book the model computes — levels at the latest quantity, zero-quantity or
 * zero-order levels gone, bids highest first, asks lowest first.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LocalBook, compareDecimals, type BookLevel } from '../../client/sdk/index.js';
import { Decimal } from '../../server/domain/decimal.js';

/** A non-negative decimal with up to 4 whole and 6 fraction digits, written with optional extra zeros. */
const decimalText = fc
  .tuple(fc.integer({ min: 0, max: 9_999 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 6 }), fc.nat(2), fc.nat(2))
  .map(([whole, fraction, places, leadingZeros, trailingZeros]) => {
    const digits = places === 0 ? '' : String(fraction % 10 ** places).padStart(places, '0');
    const point = digits.length + trailingZeros > 0 ? `.${digits}${'0'.repeat(trailingZeros)}` : '';
    return `${'0'.repeat(leadingZeros)}${whole}${point}`;
  });

/** Prices on a small grid, so that updates hit existing levels often. */
const price = fc.integer({ min: 1, max: 40 }).map((ticks) => new Decimal(ticks).div(8).plus(90).toFixed());
const level = fc.record({
  price,
  quantity: fc.constantFrom('0', '100000', '250000', '1000000.00'),
  orders: fc.integer({ min: 0, max: 3 }),
});
const levels = fc.array(level, { maxLength: 12 });
const side = fc.record({ bids: levels, asks: levels });

/** The model: a map by price value, sorted with decimal.js at the end. */
function modelBook(snapshot: { bids: BookLevel[]; asks: BookLevel[] }, updates: { bids: BookLevel[]; asks: BookLevel[] }[]) {
  const bids = new Map<string, BookLevel>();
  const asks = new Map<string, BookLevel>();
  const apply = (target: Map<string, BookLevel>, changes: BookLevel[]) => {
    for (const change of changes) {
      const key = new Decimal(change.price).toFixed();
      if (change.orders === 0 || new Decimal(change.quantity).isZero()) target.delete(key);
      else target.set(key, change);
    }
  };
  apply(bids, snapshot.bids);
  apply(asks, snapshot.asks);
  for (const update of updates) {
    apply(bids, update.bids);
    apply(asks, update.asks);
  }
  const byPrice = (a: BookLevel, b: BookLevel) => new Decimal(a.price).cmp(new Decimal(b.price));
  return { bids: [...bids.values()].sort((a, b) => byPrice(b, a)), asks: [...asks.values()].sort(byPrice) };
}

describe('compareDecimals', () => {
  it('orders any two non-negative decimal strings as their values, leading and trailing zeros aside', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        expect(Math.sign(compareDecimals(a, b))).toBe(new Decimal(a).cmp(new Decimal(b)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('compares known pairs', () => {
    expect(compareDecimals('100', '99.999')).toBeGreaterThan(0);
    expect(compareDecimals('020.50', '20.5')).toBe(0);
    expect(compareDecimals('0.5', '0.49')).toBeGreaterThan(0);
    expect(compareDecimals('0', '0.000')).toBe(0);
    expect(compareDecimals('98.125', '98.1255')).toBeLessThan(0);
  });
});

describe('LocalBook', () => {
  it('equals the model after any snapshot and updates', () => {
    fc.assert(
      fc.property(side, fc.array(side, { maxLength: 20 }), (snapshot, updates) => {
        const book = new LocalBook('note');
        book.applySnapshot({ noteId: 'note', ...snapshot });
        for (const update of updates) book.applyUpdate(update);
        const model = modelBook(snapshot, updates);
        expect({ bids: book.bids, asks: book.asks }).toEqual(model);
        expect(book.bestBid).toEqual(model.bids[0] ?? null);
        expect(book.bestAsk).toEqual(model.asks[0] ?? null);
      }),
      { numRuns: 1_000 },
    );
  });

  it('a snapshot replaces what was there', () => {
    const book = new LocalBook('note');
    book.applySnapshot({
      noteId: 'note',
      bids: [{ price: '99', quantity: '100000', orders: 1 }],
      asks: [{ price: '101', quantity: '100000', orders: 1 }],
    });
    book.applySnapshot({ noteId: 'note', bids: [{ price: '98.5', quantity: '200000', orders: 2 }], asks: [] });
    expect(book.toJSON()).toEqual({ noteId: 'note', bids: [{ price: '98.5', quantity: '200000', orders: 2 }], asks: [] });
  });

  it('hands out copies: changing a returned list does not change the book', () => {
    const book = new LocalBook('note');
    book.applySnapshot({ noteId: 'note', bids: [{ price: '99', quantity: '100000', orders: 1 }], asks: [] });
    book.bids.pop();
    expect(book.bids).toHaveLength(1);
  });
});
