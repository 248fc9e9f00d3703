/**
 * The harness proves it can fail: deliberately broken books must be caught by the same property
 * run that passes for the real engine (properties.test.ts is the control). One breaks the reference (newest first within a level),
 * one breaks the engine itself (appendToLevel puts arrivals at the head of the queue: the book
 * stays structurally valid, so checkBook() is happy, but time priority is gone).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Core, type NoteBook } from '../../server/engine/core.js';
import { LAYOUT } from '../../server/engine/order-pool.js';
import { LEVEL_LAYOUT } from '../../server/engine/price-levels.js';
import type { Command } from '../../server/engine/index.js';
import { commandStream } from './arbitraries.js';
import { runDifferential } from './oracle.js';
import { ReferenceBook } from './reference-book.js';

const { NIL, SHIFT, FLAGS, PRICE, LEAVES, PREV, NEXT, SIDE_SELL } = LAYOUT;
const { LEVEL_HEAD, LEVEL_TAIL, LEVEL_COUNT } = LEVEL_LAYOUT;

function findsCounterexample(makeReference: () => ReferenceBook): fc.RunDetails<[Command[]]> {
  return fc.check(
    fc.property(commandStream(150), (commands) => runDifferential(commands, makeReference())),
    { seed: 20_240_605, numRuns: 200 },
  );
}

describe('the differential harness', () => {
  const original = Core.prototype.appendToLevel;
  afterEach(() => {
    Core.prototype.appendToLevel = original;
  });

  it('catches a reference book with LIFO instead of FIFO within a level', () => {
    const run = findsCounterexample(() => new ReferenceBook({ lifoWithinLevel: true }));
    expect(run.failed).toBe(true);
    expect(String(run.errorInstance)).toMatch(/command #\d+/);
  });

  it('catches an engine that queues new arrivals at the head of the level', () => {
    Core.prototype.appendToLevel = function appendAtHead(this: Core, note: NoteBook, slot: number): number {
      const data = this.pool.data;
      const base = slot << SHIFT;
      const side = (data[base + FLAGS]! & SIDE_SELL) === 0 ? note.bids : note.asks;
      const offset = data[base + PRICE]! - note.minPriceTicks;
      let level = side.index[offset]!;
      if (level === NIL) {
        level = this.levels.allocate();
        side.index[offset] = level;
        side.markNonEmpty(offset);
      }
      const links = this.levels.links;
      const head = links[(level << 2) + LEVEL_HEAD]!;
      data[base + PREV] = NIL;
      data[base + NEXT] = head;
      if (head === NIL) links[(level << 2) + LEVEL_TAIL] = slot;
      else data[(head << SHIFT) + PREV] = slot;
      links[(level << 2) + LEVEL_HEAD] = slot;
      links[(level << 2) + LEVEL_COUNT]!++;
      this.levels.size[level]! += data[base + LEAVES]!;
      return level;
    };
    const run = findsCounterexample(() => new ReferenceBook());
    expect(run.failed).toBe(true);
    expect(run.counterexample?.[0]).toBeDefined();
  });
});
