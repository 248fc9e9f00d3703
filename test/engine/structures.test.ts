/**
 * The engine's data structures against obviously correct models: the price-level bitset (next
 * and previous non-empty level across word and summary boundaries), the level pool (hands out
 * empty levels), the order index (open addressing with backward-shift deletion) and the event
 * buffer (same events as EventLog).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../server/engine/core.js';
import { EventBuffer, EventLog, MatchingEngine } from '../../server/engine/index.js';
import { hashId, OrderIndex } from '../../server/engine/order-index.js';
import { OrderPool } from '../../server/engine/order-pool.js';
import { BookSide, LEVEL_LAYOUT, LevelPool } from '../../server/engine/price-levels.js';
import { commandStream } from './arbitraries.js';

describe('BookSide bitset', () => {
  it('finds the best and next levels like a sorted set', () => {
    const band = fc.constantFrom(1, 31, 32, 33, 1024, 1025, 33_000);
    fc.assert(
      fc.property(band, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 200 }), (size, isBid, ops) => {
        const side = new BookSide(isBid, size);
        const model = new Set<number>();
        for (const [raw, add] of ops) {
          const offset = raw % size;
          if (add && !model.has(offset)) {
            side.markNonEmpty(offset);
            model.add(offset);
          } else if (!add && model.has(offset)) {
            side.markEmpty(offset);
            model.delete(offset);
          }
          const sorted = [...model].sort((a, b) => (isBid ? b - a : a - b));
          expect(side.best).toBe(sorted[0] ?? -1);
          const walked: number[] = [];
          for (let o = side.best; o !== -1; o = side.nextWorse(o)) walked.push(o);
          expect(walked).toEqual(sorted);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('LevelPool', () => {
  const { LEVEL_HEAD, LEVEL_TAIL, LEVEL_COUNT } = LEVEL_LAYOUT;

  it('hands out empty levels after use, release and growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(1000)), { maxLength: 300 }), (ops) => {
        const pool = new LevelPool(16);
        const held: number[] = [];
        for (const [take, n] of ops) {
          if (take || held.length === 0) {
            const level = pool.allocate();
            const base = level << 2;
            expect([pool.links[base + LEVEL_HEAD], pool.links[base + LEVEL_TAIL]]).toEqual([-1, -1]);
            expect([pool.links[base + LEVEL_COUNT], pool.size[level]]).toEqual([0, 0]);
            // Use it as a book would, leaving what the engine leaves when a level empties: a stale
            // head, tail and size, and a count of 0.
            pool.links[base + LEVEL_HEAD] = n;
            pool.links[base + LEVEL_TAIL] = n + 1;
            pool.size[level] = n * 7;
            held.push(level);
          } else {
            const level = held.splice(n % held.length, 1)[0]!;
            pool.links[(level << 2) + LEVEL_COUNT] = 0;
            pool.release(level);
          }
          expect(pool.used).toBe(held.length);
        }
      }),
      { seed: 10, numRuns: 200 },
    );
  });

  it('is checked by checkBook(): a free level that is not empty is caught', () => {
    const engine = new MatchingEngine({ sink: new EventLog() });
    engine.registerNote(1, 0, 'N', { minQuantityUnits: 1, minPriceTicks: 1, maxPriceTicks: 100 });
    engine.apply({
      kind: 'new_order',
      seq: 2,
      timestamp: 1,
      noteId: 'N',
      orderId: 'a',
      partyId: 'p',
      side: 'buy',
      type: 'limit',
      priceTicks: 50,
      quantityUnits: 10,
      timeInForce: 'GTC',
    });
    engine.apply({ kind: 'cancel', seq: 3, timestamp: 2, noteId: 'N', orderId: 'a', partyId: 'p' });
    engine.checkBook();
    const levels = (engine as unknown as { core: Core }).core.levels;
    let dirtied = false;
    levels.forEachFree((level) => {
      if (dirtied) return;
      levels.size[level] = 10;
      dirtied = true;
    });
    expect(() => engine.checkBook()).toThrow(/free level not empty/);
  });
});

describe('hashId with the OrderIndex', () => {
  it('indexes ids of any UTF-16 units and keeps near-identical ids apart', () => {
    const ids = [
      '',
      'a',
      'b',
      'ab',
      'ba',
      'abc',
      'abd',
      'o12345',
      'o12346',
      'o21345',
      '\u00e4',
      '\u20ac',
      '\u20ac\u00e4',
      '\u00e4\u20ac',
      'x\u{1f600}',
      '\u{1f600}x',
      'a\u0100',
      'a\u0001',
    ];
    const pool = new OrderPool(4);
    const index = new OrderIndex(pool, 4);
    for (const id of ids) {
      const slot = pool.allocate();
      pool.ids[slot] = id;
      pool.set(slot, 11, 1 << 8); // FLAGS = live
      pool.set(slot, 12, hashId(id)); // HASH
      expect(index.find(id, hashId(id))).toBe(-1);
      index.insert(slot);
    }
    for (const [i, id] of ids.entries()) expect(pool.ids[index.find(id, hashId(id))]).toBe(ids[i]);
    expect(new Set(ids.map(hashId)).size).toBe(ids.length);
  });
});

describe('OrderIndex', () => {
  it('behaves like a Map under random inserts and removals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('ins', 'del'), fc.string({ maxLength: 6 })), { maxLength: 400 }), (ops) => {
        const pool = new OrderPool(4);
        const index = new OrderIndex(pool, 4);
        const model = new Map<string, number>();
        for (const [op, id] of ops) {
          if (op === 'ins' && !model.has(id)) {
            const slot = pool.allocate();
            pool.ids[slot] = id;
            pool.set(slot, 11, 1 << 8); // FLAGS = live
            pool.set(slot, 12, hashId(id)); // HASH
            index.insert(slot);
            model.set(id, slot);
          } else if (op === 'del' && model.has(id)) {
            const slot = model.get(id)!;
            index.remove(slot);
            pool.release(slot);
            model.delete(id);
          }
          expect(index.size).toBe(model.size);
        }
        for (const [id, slot] of model) expect(index.find(id, hashId(id))).toBe(slot);
        for (const id of ['__proto__', 'toString', 'zzzzzzz']) {
          if (!model.has(id)) expect(index.find(id, hashId(id))).toBe(-1);
        }
      }),
      { seed: 8, numRuns: 200 },
    );
  });
});

describe('EventBuffer', () => {
  it('records the same events as EventLog', () => {
    fc.assert(
      fc.property(commandStream(100), (commands) => {
        const log = new EventLog();
        const buffer = new EventBuffer(4);
        const a = new MatchingEngine({ sink: log });
        const b = new MatchingEngine({ sink: buffer });
        for (const command of commands) {
          a.apply(command);
          b.apply(command);
        }
        expect(buffer.toEvents()).toEqual(log.take());
        buffer.clear();
        expect(buffer.length).toBe(0);
      }),
      { seed: 9, numRuns: 60 },
    );
  });
});
