/**
 * Self-trade prevention: a party never trades with itself; the taker's mode decides what is
 * cancelled (cancel newest by default), including how it interacts with fill-or-kill.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, fills, Harness, NOTE, only } from './harness.js';

function book(): Harness {
  const h = new Harness();
  h.limit('own', 'p1', 'sell', 100, 5); // p1's resting order, first in the queue
  h.limit('other', 'p2', 'sell', 100, 5);
  return h;
}

describe('self-trade prevention', () => {
  it('never lets a party trade with itself (default: cancel newest)', () => {
    const h = book();
    const events = h.limit('t', 'p1', 'buy', 100, 8);
    expect(fills(events)).toEqual([]);
    expect(only(events, 'cancelled')).toEqual([
      { type: 'cancelled', noteId: NOTE, orderId: 't', partyId: 'p1', reason: 'self_trade', cancelledUnits: 8, leavesUnits: 0 },
    ]);
    expect(h.queue('sell')).toEqual(['own', 'other']);
    expect(h.queue('buy')).toEqual([]);
  });

  it('cancel_oldest cancels the resting order and the taker goes on', () => {
    const h = book();
    const events = h.limit('t', 'p1', 'buy', 100, 8, { selfTrade: 'cancel_oldest' });
    expect(only(events, 'cancelled', 'fill').map((e) => [e.type, e.orderId ?? e.makerOrderId])).toEqual([
      ['cancelled', 'own'],
      ['fill', 'other'],
    ]);
    expect(h.queue('sell')).toEqual([]);
    expect(h.engine.order('t')).toMatchObject({ filledUnits: 5, leavesUnits: 3, cancelledUnits: 0 });
  });

  it('cancel_both cancels both orders', () => {
    const h = book();
    const events = h.limit('t', 'p1', 'buy', 100, 8, { selfTrade: 'cancel_both' });
    expect(only(events, 'cancelled').map((e) => [e.orderId, e.cancelledUnits, e.leavesUnits])).toEqual([
      ['own', 5, 0],
      ['t', 8, 0],
    ]);
    expect(h.queue('sell')).toEqual(['other']);
    expect(h.queue('buy')).toEqual([]);
  });

  it('decrement_and_cancel shrinks both by the smaller size and goes on', () => {
    const h = book();
    const events = h.limit('t', 'p1', 'buy', 100, 8, { selfTrade: 'decrement_and_cancel' });
    expect(
      only(events, 'cancelled', 'fill').map((e) => [e.type, e.orderId ?? e.makerOrderId, e.cancelledUnits ?? e.quantityUnits]),
    ).toEqual([
      ['cancelled', 'own', 5],
      ['cancelled', 't', 5],
      ['fill', 'other', 3],
    ]);
    expect(h.engine.order('other')).toMatchObject({ leavesUnits: 2 });
    expect(h.queue('buy')).toEqual([]);
  });

  it('decrement_and_cancel leaves the resting order smaller when the taker is smaller', () => {
    const h = book();
    const events = h.limit('t', 'p1', 'buy', 100, 3, { selfTrade: 'decrement_and_cancel' });
    expect(only(events, 'cancelled').map((e) => [e.orderId, e.cancelledUnits, e.leavesUnits])).toEqual([
      ['own', 3, 2],
      ['t', 3, 0],
    ]);
    expect(h.engine.order('own')).toMatchObject({ quantityUnits: 5, leavesUnits: 2, cancelledUnits: 3 });
    expect(h.queue('sell')).toEqual(['own', 'other']);
  });

  it('applies to market orders and to the taker side of a cancel/replace', () => {
    const h = book();
    expect(only(h.market('m', 'p1', 'buy', 3), 'cancelled')).toMatchObject([{ orderId: 'm', reason: 'self_trade' }]);
    h.limit('b', 'p2', 'buy', 90, 8, { selfTrade: 'cancel_oldest' });
    const events = h.replace('b', 'p2', 100, 8);
    expect(fills(events)).toEqual([['own', 'b', 100, 5]]);
    expect(only(events, 'cancelled')).toMatchObject([{ orderId: 'other', reason: 'self_trade' }]);
    expect(h.depth('buy')).toEqual([[100, 3, 1]]);
  });

  describe('with fill-or-kill', () => {
    it('counts only liquidity before the first own order (it would stop the taker there)', () => {
      const h = book();
      h.limit('more', 'p3', 'sell', 100, 50);
      expect(codeOf(h.limit('f', 'p1', 'buy', 100, 5, { timeInForce: 'FOK' }))).toBe('FOK_NOT_FILLABLE');
      expect(codeOf(h.limit('f', 'p1', 'buy', 100, 5, { timeInForce: 'FOK', selfTrade: 'decrement_and_cancel' }))).toBe('FOK_NOT_FILLABLE');
      expect(codeOf(h.limit('f', 'p1', 'buy', 100, 5, { timeInForce: 'FOK', selfTrade: 'cancel_both' }))).toBe('FOK_NOT_FILLABLE');
    });

    it('skips own orders in cancel_oldest mode, and cancels them when it executes', () => {
      const h = book();
      const events = h.limit('f', 'p1', 'buy', 100, 5, { timeInForce: 'FOK', selfTrade: 'cancel_oldest' });
      expect(only(events, 'cancelled')).toMatchObject([{ orderId: 'own', reason: 'self_trade' }]);
      expect(fills(events)).toEqual([['other', 'f', 100, 5]]);
      expect(codeOf(h.limit('g', 'p1', 'buy', 100, 1, { timeInForce: 'FOK', selfTrade: 'cancel_oldest' }))).toBe('FOK_NOT_FILLABLE');
    });

    it('is fillable when enough other liquidity comes before the own order', () => {
      const h = new Harness();
      h.limit('other', 'p2', 'sell', 100, 5);
      h.limit('own', 'p1', 'sell', 100, 5);
      expect(fills(h.limit('f', 'p1', 'buy', 100, 5, { timeInForce: 'FOK' }))).toEqual([['other', 'f', 100, 5]]);
    });
  });
});
