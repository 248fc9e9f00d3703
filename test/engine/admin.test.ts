/**
 * Housekeeping commands: note registration, halt/resume, mass cancel by party, by note and both.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, Harness, only, SPEC } from './harness.js';

describe('register_note', () => {
  it('registers a note once, with a valid spec', () => {
    const h = new Harness({ notes: [] });
    expect(codeOf(h.run({ kind: 'register_note', noteId: 'A', ...SPEC }))).toBe('accepted');
    expect(codeOf(h.run({ kind: 'register_note', noteId: 'A', ...SPEC }))).toBe('NOTE_ALREADY_REGISTERED');
    expect(codeOf(h.run({ kind: 'register_note', noteId: 'B', ...SPEC, minQuantityUnits: 0 }))).toBe('INVALID_COMMAND');
    expect(codeOf(h.run({ kind: 'register_note', noteId: 'B', ...SPEC, minPriceTicks: 300 }))).toBe('INVALID_COMMAND');
    expect(codeOf(h.run({ kind: 'register_note', noteId: 'B', minQuantityUnits: 1, minPriceTicks: 0, maxPriceTicks: 2 ** 21 }))).toBe(
      'INVALID_COMMAND',
    );
    expect(h.engine.noteIds()).toEqual(['A']);
  });

  it('enforces the note limit', () => {
    const h = new Harness({ notes: ['A'], limits: { notesMax: 1 } });
    expect(codeOf(h.run({ kind: 'register_note', noteId: 'B', ...SPEC }))).toBe('LIMIT_EXCEEDED');
  });

  it('enforces the minimum denomination in increment units', () => {
    const h = new Harness({ notes: [] });
    h.run({ kind: 'register_note', noteId: 'A', minQuantityUnits: 5, minPriceTicks: 1, maxPriceTicks: 10 });
    expect(codeOf(h.limit('x', 'p1', 'buy', 5, 4, { noteId: 'A' }))).toBe('BELOW_MIN_QUANTITY');
    expect(codeOf(h.limit('x', 'p1', 'buy', 5, 5, { noteId: 'A' }))).toBe('accepted');
  });
});

describe('halt and resume', () => {
  it('rejects order entry on a halted note but still lets orders be cancelled', () => {
    const h = new Harness({ notes: ['A', 'B'] });
    h.limit('b1', 'p1', 'buy', 99, 10, { noteId: 'A' });
    h.limit('b2', 'p1', 'buy', 98, 10, { noteId: 'A' });
    expect(only(h.run({ kind: 'halt', noteId: 'A' }), 'accepted')).toEqual([
      { type: 'accepted', command: 'halt', noteId: 'A', orderId: null },
    ]);
    expect(h.engine.isHalted('A')).toBe(true);
    const hash = h.engine.stateHash();
    expect(codeOf(h.limit('b3', 'p1', 'buy', 99, 10, { noteId: 'A' }))).toBe('NOTE_HALTED');
    expect(codeOf(h.market('m1', 'p2', 'sell', 10, { noteId: 'A' }))).toBe('NOTE_HALTED');
    expect(h.engine.stateHash()).toBe(hash);
    expect(codeOf(h.limit('b4', 'p1', 'buy', 99, 10, { noteId: 'B' }))).toBe('accepted');
    expect(codeOf(h.cancel('b1', 'p1', 'A'))).toBe('accepted');
    expect(codeOf(h.run({ kind: 'mass_cancel', noteId: 'A' }))).toBe('accepted');
    h.run({ kind: 'resume', noteId: 'A' });
    expect(h.engine.isHalted('A')).toBe(false);
    expect(codeOf(h.limit('b3', 'p1', 'buy', 99, 10, { noteId: 'A' }))).toBe('accepted');
  });
});

describe('mass cancel', () => {
  function book(): Harness {
    const h = new Harness({ notes: ['A', 'B'] });
    h.limit('a-p1-1', 'p1', 'buy', 99, 1, { noteId: 'A' });
    h.limit('a-p2-1', 'p2', 'buy', 99, 1, { noteId: 'A' });
    h.limit('b-p1-1', 'p1', 'sell', 60, 1, { noteId: 'B' });
    h.limit('a-p1-2', 'p1', 'sell', 120, 1, { noteId: 'A' });
    h.limit('a-p2-2', 'p2', 'buy', 100, 1, { noteId: 'A' });
    return h;
  }

  it("by party cancels that party's orders on every note, in acceptance order", () => {
    const h = book();
    const events = h.run({ kind: 'mass_cancel', partyId: 'p1' });
    expect(only(events, 'cancelled').map((e) => [e.orderId, e.reason])).toEqual([
      ['a-p1-1', 'mass_cancel'],
      ['b-p1-1', 'mass_cancel'],
      ['a-p1-2', 'mass_cancel'],
    ]);
    expect(only(events, 'book_change')).toHaveLength(3);
    expect(h.queue('buy', 'A')).toEqual(['a-p2-2', 'a-p2-1']);
  });

  it('by note cancels every order on it, bids best first then asks', () => {
    const h = book();
    const events = h.run({ kind: 'mass_cancel', noteId: 'A' });
    expect(only(events, 'cancelled').map((e) => e.orderId)).toEqual(['a-p2-2', 'a-p1-1', 'a-p2-1', 'a-p1-2']);
    expect(h.engine.orderCount).toBe(1);
  });

  it("by party and note cancels only that party's orders on that note", () => {
    const h = book();
    const events = h.run({ kind: 'mass_cancel', partyId: 'p1', noteId: 'A' });
    expect(only(events, 'cancelled').map((e) => e.orderId)).toEqual(['a-p1-1', 'a-p1-2']);
  });

  it('needs a party or a note, and a known note', () => {
    const h = book();
    expect(codeOf(h.run({ kind: 'mass_cancel' }))).toBe('INVALID_COMMAND');
    expect(codeOf(h.run({ kind: 'mass_cancel', noteId: 'Z' }))).toBe('UNKNOWN_NOTE');
    expect(only(h.run({ kind: 'mass_cancel', partyId: 'nobody' }), 'accepted', 'cancelled')).toHaveLength(1);
  });
});
