/**
 * Market data views (level 2, level 3, one order), the state hash and snapshot/restore.
 */
import { describe, expect, it } from 'vitest';
import { EventLog, MatchingEngine } from '../../server/engine/index.js';
import { entry, Harness, NOTE } from './harness.js';

function book(): Harness {
  const h = new Harness({ notes: [NOTE, 'B'] });
  h.limit('b1', 'p1', 'buy', 99, 10);
  h.limit('b2', 'p2', 'buy', 99, 5);
  h.limit('b3', 'p3', 'buy', 97, 1, { timeInForce: 'GTD', expireAt: 50_000 });
  h.limit('a1', 'p1', 'sell', 103, 7, { postOnly: true, selfTrade: 'cancel_both' });
  h.limit('a2', 'p2', 'sell', 101, 2, { timeInForce: 'DAY' });
  h.quote('d1', [entry('B', ['qb', 10, 3], ['qa', 12, 3])]);
  h.limit('x', 'p4', 'sell', 99, 4); // partially fills b1
  h.run({ kind: 'halt', noteId: 'B' });
  return h;
}

describe('views', () => {
  it('level 2: price, size and count per level, best first, any depth', () => {
    const h = book();
    expect(h.engine.level2(NOTE, 'buy')).toEqual([
      { priceTicks: 99, sizeUnits: 11, orderCount: 2 },
      { priceTicks: 97, sizeUnits: 1, orderCount: 1 },
    ]);
    expect(h.engine.level2(NOTE, 'sell', 1)).toEqual([{ priceTicks: 101, sizeUnits: 2, orderCount: 1 }]);
    expect(h.engine.level2('nope', 'sell')).toBeUndefined();
  });

  it('level 3: the orders in queue order, with their state', () => {
    const h = book();
    expect(h.engine.level3(NOTE, 'buy')!.map((o) => [o.orderId, o.priceTicks, o.leavesUnits])).toEqual([
      ['b1', 99, 6],
      ['b2', 99, 5],
      ['b3', 97, 1],
    ]);
    expect(h.engine.level3(NOTE, 'buy', 2)).toHaveLength(2);
    expect(h.engine.order('b1')).toEqual({
      orderId: 'b1',
      noteId: NOTE,
      partyId: 'p1',
      side: 'buy',
      priceTicks: 99,
      quantityUnits: 10,
      filledUnits: 4,
      leavesUnits: 6,
      cancelledUnits: 0,
      status: 'partially_filled',
      timeInForce: 'GTC',
      expireAt: 0,
      postOnly: false,
      selfTrade: 'cancel_newest',
      isQuote: false,
      orderNo: 1,
    });
    expect(h.engine.order('a1')).toMatchObject({ postOnly: true, selfTrade: 'cancel_both', status: 'new' });
    expect(h.engine.order('x')).toBeUndefined();
  });

  it('state hash: equal for equal states, different otherwise, independent of the sequence counter', () => {
    const a = book();
    const b = book();
    expect(a.engine.stateHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(a.engine.stateHash()).toBe(b.engine.stateHash());
    b.cancel('nope', 'p9'); // rejected: only the sequence counter moves
    expect(b.engine.stateHash()).toBe(a.engine.stateHash());
    b.replace('b2', 'p2', 99, 5); // accepted, but the same state
    expect(b.engine.stateHash()).toBe(a.engine.stateHash());
    b.replace('b2', 'p2', 99, 4);
    expect(b.engine.stateHash()).not.toBe(a.engine.stateHash());
  });
});

describe('snapshot and restore', () => {
  it('round-trips through JSON to an engine with the same state, views and future', () => {
    const h = book();
    const snapshot = JSON.parse(JSON.stringify(h.engine.snapshot()));
    const log = new EventLog();
    const restored = MatchingEngine.restore(snapshot, { sink: log });
    restored.checkBook();
    expect(restored.stateHash()).toBe(h.engine.stateHash());
    expect(restored.lastSeq).toBe(h.seq);
    expect(restored.level3(NOTE, 'buy')).toEqual(h.engine.level3(NOTE, 'buy'));
    expect(restored.isHalted('B')).toBe(true);
    // The same next commands give the same events on both.
    const next = [
      {
        kind: 'new_order',
        seq: h.seq + 1,
        timestamp: 60_000,
        noteId: NOTE,
        orderId: 's',
        partyId: 'p5',
        side: 'sell',
        type: 'limit',
        priceTicks: 97,
        quantityUnits: 20,
        timeInForce: 'GTC',
      },
      { kind: 'expire', seq: h.seq + 2, timestamp: 60_000, dayOrders: true },
      { kind: 'mass_cancel', seq: h.seq + 3, timestamp: 60_000, partyId: 'd1' },
    ] as const;
    for (const command of next) {
      h.engine.apply(command);
      restored.apply(command);
      expect(log.take()).toEqual(h.log.take());
    }
    expect(restored.stateHash()).toBe(h.engine.stateHash());
  });

  it('is canonical: the same state gives the same snapshot whatever the history', () => {
    const a = new Harness();
    a.limit('o1', 'p1', 'buy', 50, 5);
    const b = new Harness();
    b.run({ kind: 'halt', noteId: NOTE });
    b.limit('o1', 'p1', 'buy', 50, 5); // rejected: halted
    b.run({ kind: 'resume', noteId: NOTE });
    b.cancel('o1', 'p1');
    b.limit('o1', 'p1', 'buy', 50, 5);
    expect({ ...b.engine.snapshot(), lastSeq: 0 }).toEqual({ ...a.engine.snapshot(), lastSeq: 0 });
    expect(b.engine.stateHash()).toBe(a.engine.stateHash());
  });

  it('rejects a corrupt snapshot as a defect', () => {
    const h = book();
    const snapshot = h.engine.snapshot();
    snapshot.notes[0]!.bids[0]!.leavesUnits += 1;
    expect(() => MatchingEngine.restore(snapshot, { sink: new EventLog() })).toThrow(/quantities/);
  });
});
