/**
 * Dealer quotes and mass quotes: firm two-sided liquidity, atomic replacement, all-or-nothing
 * validation, zero-size sides, quotes that cross the book.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, entry, fills, Harness, only } from './harness.js';

describe('mass quote', () => {
  it('rests a bid and an ask per note as firm liquidity', () => {
    const h = new Harness({ notes: ['A', 'B'] });
    const events = h.quote('d1', [entry('A', ['qa-b', 99, 10], ['qa-a', 101, 10]), entry('B', ['qb-b', 50, 5], ['qb-a', 52, 5])]);
    expect(events[0]).toMatchObject({ type: 'accepted', command: 'mass_quote', noteId: null });
    expect(only(events, 'quote_replaced')).toEqual([
      {
        type: 'quote_replaced',
        noteId: 'A',
        partyId: 'd1',
        bidOrderId: 'qa-b',
        bidPriceTicks: 99,
        bidUnits: 10,
        askOrderId: 'qa-a',
        askPriceTicks: 101,
        askUnits: 10,
      },
      {
        type: 'quote_replaced',
        noteId: 'B',
        partyId: 'd1',
        bidOrderId: 'qb-b',
        bidPriceTicks: 50,
        bidUnits: 5,
        askOrderId: 'qb-a',
        askPriceTicks: 52,
        askUnits: 5,
      },
    ]);
    expect(h.depth('buy', 'A')).toEqual([[99, 10, 1]]);
    expect(h.depth('sell', 'B')).toEqual([[52, 5, 1]]);
    expect(h.engine.order('qa-b')).toMatchObject({ isQuote: true, timeInForce: 'GTC' });
    expect(fills(h.limit('t', 'p1', 'buy', 101, 4, { noteId: 'A' }))).toEqual([['qa-a', 't', 101, 4]]);
  });

  it("replaces the dealer's previous quote on that note atomically, losing priority", () => {
    const h = new Harness({ notes: ['A'] });
    h.quote('d1', [entry('A', ['q1-b', 99, 10], ['q1-a', 101, 10])]);
    h.limit('other', 'p2', 'buy', 99, 5, { noteId: 'A' });
    const events = h.quote('d1', [entry('A', ['q2-b', 99, 8], ['q2-a', 102, 8])]);
    expect(only(events, 'cancelled', 'quote_replaced').map((e) => [e.type, e.orderId ?? e.bidOrderId, e.reason])).toEqual([
      ['cancelled', 'q1-b', 'quote_replaced'],
      ['cancelled', 'q1-a', 'quote_replaced'],
      ['quote_replaced', 'q2-b', undefined],
    ]);
    expect(h.queue('buy', 'A')).toEqual(['other', 'q2-b']);
    expect(h.queue('sell', 'A')).toEqual(['q2-a']);
  });

  it("keeps other dealers' quotes and other notes untouched", () => {
    const h = new Harness({ notes: ['A', 'B'] });
    h.quote('d1', [entry('A', ['d1-b', 98, 10], null), entry('B', ['d1-bb', 50, 1], null)]);
    h.quote('d2', [entry('A', ['d2-b', 99, 10], null)]);
    h.quote('d1', [entry('A', ['d1-b2', 97, 10], null)]);
    expect(h.queue('buy', 'A')).toEqual(['d2-b', 'd1-b2']);
    expect(h.queue('buy', 'B')).toEqual(['d1-bb']);
  });

  it('treats a side with size 0 as no quote on that side; both 0 withdraws the quote', () => {
    const h = new Harness({ notes: ['A'] });
    h.quote('d1', [entry('A', ['q1-b', 99, 10], ['q1-a', 101, 10])]);
    const events = h.quote('d1', [entry('A', null, ['q2-a', 101, 3])]);
    expect(only(events, 'quote_replaced')).toMatchObject([{ bidOrderId: null, bidUnits: 0, askOrderId: 'q2-a' }]);
    expect(h.queue('buy', 'A')).toEqual([]);
    h.quote('d1', [entry('A', null, null)]);
    expect(h.queue('sell', 'A')).toEqual([]);
    expect(h.engine.snapshot().notes[0]!.quotes).toEqual([]);
  });

  it('validates every entry before changing anything (all or nothing)', () => {
    const h = new Harness({ notes: ['A', 'B'] });
    h.quote('d1', [entry('A', ['q1-b', 99, 10], ['q1-a', 101, 10])]);
    const hash = h.engine.stateHash();
    const events = h.quote('d1', [entry('A', ['q2-b', 98, 10], ['q2-a', 102, 10]), entry('B', ['q3-b', 60, 5], ['q3-a', 59, 5])]);
    expect(only(events, 'rejected')).toEqual([
      { type: 'rejected', command: 'mass_quote', code: 'QUOTE_CROSSED', noteId: 'B', orderId: null },
    ]);
    expect(events).toHaveLength(1);
    expect(h.engine.stateHash()).toBe(hash);
    expect(h.queue('buy', 'A')).toEqual(['q1-b']);
  });

  it('reports the highest-precedence failure over all entries', () => {
    const h = new Harness({ notes: ['A', 'B'] });
    const events = h.quote('d1', [entry('A', ['x', 60, 5], ['y', 59, 5]), entry('Z', ['z', 1, 1], null)]);
    expect(only(events, 'rejected')).toMatchObject([{ code: 'UNKNOWN_NOTE', noteId: 'Z' }]);
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 0.5], null)]))).toBe('INVALID_QUANTITY');
    expect(codeOf(h.quote('d1', [entry('A', ['x', 0, 5], null)]))).toBe('PRICE_OUT_OF_BAND');
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 5], null), entry('A', ['y', 60, 5], null)]))).toBe('INVALID_COMMAND');
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 5], ['x', 61, 5])]))).toBe('INVALID_COMMAND');
    expect(codeOf(h.quote('d1', []))).toBe('INVALID_COMMAND');
    h.run({ kind: 'halt', noteId: 'B' });
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 5], null), entry('B', ['y', 60, 5], null)]))).toBe('NOTE_HALTED');
  });

  it('rejects a quote id that a live order already uses', () => {
    const h = new Harness({ notes: ['A'] });
    h.limit('taken', 'p1', 'buy', 50, 1, { noteId: 'A' });
    expect(codeOf(h.quote('d1', [entry('A', ['taken', 60, 5], null)]))).toBe('DUPLICATE_ORDER_ID');
  });

  it("trades as taker when a side crosses the book, with the dealer's self-trade mode", () => {
    const h = new Harness({ notes: ['A'] });
    h.limit('a1', 'p1', 'sell', 100, 4, { noteId: 'A' });
    h.limit('own', 'd1', 'sell', 100, 4, { noteId: 'A' });
    const events = h.quote('d1', [entry('A', ['q-b', 100, 10], ['q-a', 105, 10])], 'cancel_oldest');
    expect(fills(events)).toEqual([['a1', 'q-b', 100, 4]]);
    expect(only(events, 'cancelled')).toMatchObject([{ orderId: 'own', reason: 'self_trade' }]);
    expect(h.depth('buy', 'A')).toEqual([[100, 6, 1]]);
    expect(h.depth('sell', 'A')).toEqual([[105, 10, 1]]);
  });

  it('is cancelled by a mass cancel of the dealer (cancel on disconnect)', () => {
    const h = new Harness({ notes: ['A', 'B'] });
    h.quote('d1', [entry('A', ['qa-b', 99, 10], ['qa-a', 101, 10]), entry('B', ['qb-b', 50, 5], null)]);
    const events = h.run({ kind: 'mass_cancel', partyId: 'd1' });
    expect(only(events, 'cancelled').map((e) => e.orderId)).toEqual(['qa-b', 'qa-a', 'qb-b']);
    expect(h.engine.orderCount).toBe(0);
  });

  it('respects the entry limit and the open-orders limit', () => {
    const h = new Harness({ notes: ['A', 'B'], limits: { massQuoteEntriesMax: 1, ordersOpenPerPartyMax: 3 } });
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 5], null), entry('B', ['y', 60, 5], null)]))).toBe('LIMIT_EXCEEDED');
    h.limit('o1', 'd1', 'buy', 10, 1, { noteId: 'B' });
    h.limit('o2', 'd1', 'buy', 10, 1, { noteId: 'B' });
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 5], ['y', 70, 5])]))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(h.quote('d1', [entry('A', ['x', 60, 5], null)]))).toBe('accepted');
    expect(codeOf(h.quote('d1', [entry('A', ['x2', 60, 5], null)]))).toBe('accepted');
  });
});
