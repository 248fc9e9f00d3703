/**
 * The engine's data structures against obviously correct models: the price-level bitset (next
 * and previous non-empty level across word and summary boundaries), the order index (open
 * addressing with backward-shift deletion) and the event buffer (same events as EventLog).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBuffer, EventLog, MatchingEngine } from '../../server/engine/index.js';
import { hashId, OrderIndex } from '../../server/engine/order-index.js';
import { OrderPool } from '../../server/engine/order-pool.js';
import { BookSide } from '../../server/engine/price-levels.js';
import { commandStream } from './arbitraries.js';

describe('BookSide bitset', () => {
  it('finds the best and next levels like a sorted set', () => {
    const band = fc.constantFrom(1, 31, 32, 33, 1024, 1025, 33_000);
    fc.assert(fc.property(band, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 200 }),
      (size, isBid, ops) => {
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
      }), { seed: 7, numRuns: 200 });
  });
});

describe('OrderIndex', () => {
  it('behaves like a Map under random inserts and removals', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('ins', 'del'), fc.string({ maxLength: 6 })), { maxLength: 400 }),
      (ops) => {
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
      }), { seed: 8, numRuns: 200 });
  });
});

describe('EventBuffer', () => {
  it('records the same events as EventLog', () => {
    fc.assert(fc.property(commandStream(100), (commands) => {
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
    }), { seed: 9, numRuns: 60 });
  });
});
