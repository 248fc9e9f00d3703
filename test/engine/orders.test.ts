/**
 * Unit tests of order entry: limit and market orders, every time in force, post-only, cancel,
 * cancel/replace priority rules, and the per-order state the service reads.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, fills, Harness, NOTE, only } from './harness.js';

describe('limit orders', () => {
  it('rest when they do not cross, and report accepted then the level', () => {
    const h = new Harness();
    expect(only(h.limit('b1', 'p1', 'buy', 99, 10), 'accepted', 'book_change')).toEqual([
      { type: 'accepted', command: 'new_order', noteId: NOTE, orderId: 'b1' },
      { type: 'book_change', noteId: NOTE, side: 'buy', priceTicks: 99, sizeUnits: 10, orderCount: 1 },
    ]);
    h.limit('b2', 'p2', 'buy', 99, 5);
    h.limit('a1', 'p3', 'sell', 101, 7);
    expect(h.depth('buy')).toEqual([[99, 15, 2]]);
    expect(h.depth('sell')).toEqual([[101, 7, 1]]);
    expect(h.engine.bestBid(NOTE)).toBe(99);
    expect(h.engine.bestAsk(NOTE)).toBe(101);
  });

  it("match in price-time priority at the makers' prices, across levels", () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 101, 5);
    h.limit('a2', 'p2', 'sell', 100, 5);
    h.limit('a3', 'p3', 'sell', 100, 5);
    h.limit('a4', 'p4', 'sell', 102, 5);
    const events = h.limit('b1', 'p9', 'buy', 101, 12);
    expect(fills(events)).toEqual([
      ['a2', 'b1', 100, 5],
      ['a3', 'b1', 100, 5],
      ['a1', 'b1', 101, 2],
    ]);
    expect(only(events, 'book_change')).toEqual([
      { type: 'book_change', noteId: NOTE, side: 'sell', priceTicks: 100, sizeUnits: 0, orderCount: 0 },
      { type: 'book_change', noteId: NOTE, side: 'sell', priceTicks: 101, sizeUnits: 3, orderCount: 1 },
    ]);
    expect(h.depth('sell')).toEqual([
      [101, 3, 1],
      [102, 5, 1],
    ]);
    expect(h.depth('buy')).toEqual([]);
  });

  it('rest the remainder after taking, at their own limit', () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    const events = h.limit('b1', 'p2', 'buy', 102, 8);
    expect(fills(events)).toEqual([['a1', 'b1', 100, 5]]);
    expect(h.depth('buy')).toEqual([[102, 3, 1]]);
    expect(h.engine.order('b1')).toMatchObject({
      filledUnits: 5,
      leavesUnits: 3,
      cancelledUnits: 0,
      quantityUnits: 8,
      status: 'partially_filled',
    });
  });

  it("report the fill with both sides' leaves", () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    expect(only(h.limit('b1', 'p2', 'buy', 100, 3), 'fill')).toEqual([
      {
        type: 'fill',
        noteId: NOTE,
        priceTicks: 100,
        quantityUnits: 3,
        takerSide: 'buy',
        makerOrderId: 'a1',
        makerPartyId: 'p1',
        makerLeavesUnits: 2,
        takerOrderId: 'b1',
        takerPartyId: 'p2',
        takerLeavesUnits: 0,
      },
    ]);
  });
});

describe('market orders', () => {
  it('sweep the book and never rest; the remainder is cancelled', () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    h.limit('a2', 'p1', 'sell', 150, 5);
    const events = h.market('m1', 'p2', 'buy', 12);
    expect(fills(events)).toEqual([
      ['a1', 'm1', 100, 5],
      ['a2', 'm1', 150, 5],
    ]);
    expect(only(events, 'cancelled')).toEqual([
      { type: 'cancelled', noteId: NOTE, orderId: 'm1', partyId: 'p2', reason: 'market_remainder', cancelledUnits: 2, leavesUnits: 0 },
    ]);
    expect(h.depth('buy')).toEqual([]);
  });

  it('on an empty book are accepted and cancelled whole', () => {
    const h = new Harness();
    expect(only(h.market('m1', 'p2', 'sell', 4), 'accepted', 'cancelled').map((e) => e.type)).toEqual(['accepted', 'cancelled']);
  });

  it('may be fill-or-kill but not GTC, DAY, GTD or post-only', () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    expect(codeOf(h.market('m1', 'p2', 'buy', 6, { timeInForce: 'FOK' }))).toBe('FOK_NOT_FILLABLE');
    expect(fills(h.market('m2', 'p2', 'buy', 5, { timeInForce: 'FOK' }))).toEqual([['a1', 'm2', 100, 5]]);
    for (const timeInForce of ['GTC', 'DAY', 'GTD'] as const) {
      expect(codeOf(h.market('m3', 'p2', 'buy', 1, { timeInForce }))).toBe('INVALID_COMMAND');
    }
    expect(codeOf(h.market('m4', 'p2', 'buy', 1, { postOnly: true }))).toBe('INVALID_COMMAND');
  });
});

describe('time in force', () => {
  it('IOC takes what it can and cancels the rest', () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    const events = h.limit('i1', 'p2', 'buy', 100, 8, { timeInForce: 'IOC' });
    expect(fills(events)).toEqual([['a1', 'i1', 100, 5]]);
    expect(only(events, 'cancelled')).toMatchObject([{ orderId: 'i1', reason: 'ioc_remainder', cancelledUnits: 3 }]);
    expect(h.depth('buy')).toEqual([]);
  });

  it('FOK fills entirely or is rejected without touching the book', () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    h.limit('a2', 'p1', 'sell', 101, 5);
    const hash = h.engine.stateHash();
    expect(codeOf(h.limit('f1', 'p2', 'buy', 100, 6, { timeInForce: 'FOK' }))).toBe('FOK_NOT_FILLABLE');
    expect(h.engine.stateHash()).toBe(hash);
    expect(fills(h.limit('f2', 'p2', 'buy', 101, 10, { timeInForce: 'FOK' }))).toEqual([
      ['a1', 'f2', 100, 5],
      ['a2', 'f2', 101, 5],
    ]);
  });

  it('GTD needs an expiry after the command time and expires on an expire command', () => {
    const h = new Harness();
    expect(codeOf(h.limit('g0', 'p1', 'buy', 90, 1, { timeInForce: 'GTD' }))).toBe('INVALID_COMMAND');
    expect(codeOf(h.limit('g0', 'p1', 'buy', 90, 1, { timeInForce: 'GTD', expireAt: h.now }))).toBe('INVALID_COMMAND');
    h.limit('g1', 'p1', 'buy', 90, 3, { timeInForce: 'GTD', expireAt: 5_000 });
    h.limit('g2', 'p1', 'buy', 91, 4, { timeInForce: 'GTD', expireAt: 4_000 });
    h.limit('d1', 'p1', 'buy', 92, 5, { timeInForce: 'DAY' });
    expect(only(h.run({ kind: 'expire', timestamp: 3_999 }), 'expired')).toEqual([]);
    expect(only(h.run({ kind: 'expire', timestamp: 5_000 }), 'expired', 'book_change')).toEqual([
      { type: 'expired', noteId: NOTE, orderId: 'g2', partyId: 'p1', expiredUnits: 4 },
      { type: 'book_change', noteId: NOTE, side: 'buy', priceTicks: 91, sizeUnits: 0, orderCount: 0 },
      { type: 'expired', noteId: NOTE, orderId: 'g1', partyId: 'p1', expiredUnits: 3 },
      { type: 'book_change', noteId: NOTE, side: 'buy', priceTicks: 90, sizeUnits: 0, orderCount: 0 },
    ]);
    expect(h.queue('buy')).toEqual(['d1']);
  });

  it('DAY orders expire only when the end of day is signalled', () => {
    const h = new Harness();
    h.limit('d1', 'p1', 'buy', 92, 5, { timeInForce: 'DAY' });
    h.limit('d2', 'p2', 'sell', 95, 5, { timeInForce: 'DAY' });
    h.limit('c1', 'p1', 'buy', 91, 5);
    h.run({ kind: 'expire', timestamp: 1_000_000 });
    expect(h.queue('buy')).toEqual(['d1', 'c1']);
    const events = h.run({ kind: 'expire', timestamp: 1_000_001, dayOrders: true });
    expect(only(events, 'expired').map((e) => e.orderId)).toEqual(['d1', 'd2']);
    expect(h.queue('buy')).toEqual(['c1']);
    expect(h.queue('sell')).toEqual([]);
  });

  it('a GTD order cancelled early never expires later', () => {
    const h = new Harness();
    h.limit('g1', 'p1', 'buy', 90, 3, { timeInForce: 'GTD', expireAt: 5_000 });
    h.cancel('g1', 'p1');
    h.limit('g1', 'p1', 'buy', 90, 3, { timeInForce: 'GTD', expireAt: 9_000 });
    expect(only(h.run({ kind: 'expire', timestamp: 6_000 }), 'expired')).toEqual([]);
    expect(only(h.run({ kind: 'expire', timestamp: 9_000 }), 'expired')).toHaveLength(1);
  });
});

describe('post-only', () => {
  it('rests when it does not take and is rejected when it would', () => {
    const h = new Harness();
    h.limit('a1', 'p1', 'sell', 100, 5);
    expect(codeOf(h.limit('po1', 'p2', 'buy', 99, 5, { postOnly: true }))).toBe('accepted');
    const hash = h.engine.stateHash();
    expect(codeOf(h.limit('po2', 'p2', 'buy', 100, 5, { postOnly: true }))).toBe('POST_ONLY_WOULD_TAKE');
    expect(h.engine.stateHash()).toBe(hash);
  });

  it('is only allowed with resting time in force', () => {
    const h = new Harness();
    expect(codeOf(h.limit('po1', 'p2', 'buy', 99, 5, { postOnly: true, timeInForce: 'IOC' }))).toBe('INVALID_COMMAND');
    expect(codeOf(h.limit('po1', 'p2', 'buy', 99, 5, { postOnly: true, timeInForce: 'FOK' }))).toBe('INVALID_COMMAND');
    expect(codeOf(h.limit('po1', 'p2', 'buy', 99, 5, { postOnly: true, timeInForce: 'DAY' }))).toBe('accepted');
  });
});

describe('cancel', () => {
  it('removes the order and reports what was cancelled', () => {
    const h = new Harness();
    h.limit('b1', 'p1', 'buy', 99, 10);
    h.limit('a1', 'p2', 'sell', 99, 4);
    expect(only(h.cancel('b1', 'p1'), 'accepted', 'cancelled', 'book_change')).toEqual([
      { type: 'accepted', command: 'cancel', noteId: NOTE, orderId: 'b1' },
      { type: 'cancelled', noteId: NOTE, orderId: 'b1', partyId: 'p1', reason: 'cancel_requested', cancelledUnits: 6, leavesUnits: 0 },
      { type: 'book_change', noteId: NOTE, side: 'buy', priceTicks: 99, sizeUnits: 0, orderCount: 0 },
    ]);
    expect(h.engine.order('b1')).toBeUndefined();
    expect(codeOf(h.cancel('b1', 'p1'))).toBe('UNKNOWN_ORDER');
  });

  it('keeps the rest of the queue in order', () => {
    const h = new Harness();
    for (const id of ['b1', 'b2', 'b3']) h.limit(id, 'p1', 'buy', 99, 1);
    h.cancel('b2', 'p1');
    expect(h.queue('buy')).toEqual(['b1', 'b3']);
    expect(h.depth('buy')).toEqual([[99, 2, 2]]);
  });
});

describe('cancel/replace', () => {
  it('keeps time priority when only the size goes down', () => {
    const h = new Harness();
    h.limit('b1', 'p1', 'buy', 99, 10);
    h.limit('b2', 'p2', 'buy', 99, 10);
    const events = h.replace('b1', 'p1', 99, 6);
    expect(only(events, 'replaced', 'book_change')).toEqual([
      { type: 'replaced', noteId: NOTE, orderId: 'b1', priceTicks: 99, quantityUnits: 6, leavesUnits: 6, priorityKept: true },
      { type: 'book_change', noteId: NOTE, side: 'buy', priceTicks: 99, sizeUnits: 16, orderCount: 2 },
    ]);
    expect(h.queue('buy')).toEqual(['b1', 'b2']);
  });

  it('loses time priority when the size goes up', () => {
    const h = new Harness();
    h.limit('b1', 'p1', 'buy', 99, 10);
    h.limit('b2', 'p2', 'buy', 99, 10);
    expect(only(h.replace('b1', 'p1', 99, 11), 'replaced')).toMatchObject([{ priorityKept: false, leavesUnits: 11 }]);
    expect(h.queue('buy')).toEqual(['b2', 'b1']);
  });

  it('loses time priority when the price changes, even back to the same price', () => {
    const h = new Harness();
    h.limit('b1', 'p1', 'buy', 99, 10);
    h.limit('b2', 'p2', 'buy', 99, 10);
    h.replace('b1', 'p1', 98, 10);
    h.replace('b1', 'p1', 99, 10);
    expect(h.queue('buy')).toEqual(['b2', 'b1']);
  });

  it('counts the new quantity as the total, including what has filled', () => {
    const h = new Harness();
    h.limit('b1', 'p1', 'buy', 99, 10);
    h.limit('a1', 'p2', 'sell', 99, 4);
    expect(codeOf(h.replace('b1', 'p1', 99, 4))).toBe('QUANTITY_BELOW_FILLED');
    h.replace('b1', 'p1', 99, 5);
    expect(h.engine.order('b1')).toMatchObject({ quantityUnits: 5, filledUnits: 4, leavesUnits: 1, cancelledUnits: 0 });
  });

  it('matches as taker when the new price crosses', () => {
    const h = new Harness();
    h.limit('a1', 'p2', 'sell', 101, 4);
    h.limit('b1', 'p1', 'buy', 99, 10);
    const events = h.replace('b1', 'p1', 101, 10);
    expect(fills(events)).toEqual([['a1', 'b1', 101, 4]]);
    expect(h.depth('buy')).toEqual([[101, 6, 1]]);
    expect(h.depth('sell')).toEqual([]);
  });

  it('of a post-only order is rejected if the new price would take', () => {
    const h = new Harness();
    h.limit('a1', 'p2', 'sell', 101, 4);
    h.limit('b1', 'p1', 'buy', 99, 10, { postOnly: true });
    expect(codeOf(h.replace('b1', 'p1', 101, 10))).toBe('POST_ONLY_WOULD_TAKE');
    expect(h.queue('buy')).toEqual(['b1']);
  });

  it('is rejected on a halted note', () => {
    const h = new Harness();
    h.limit('b1', 'p1', 'buy', 99, 10);
    h.run({ kind: 'halt', noteId: NOTE });
    expect(codeOf(h.replace('b1', 'p1', 99, 5))).toBe('NOTE_HALTED');
  });
});
