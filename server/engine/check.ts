/**
 * checkBook(): the full invariant check of the engine, in the spirit of exchange-core's
 * validateInternalState. O(state); the tests run it after every command, the service may run it
 * after a restore. It throws EngineDefect on the first broken invariant.
 *
 * Checked: every side's bitset, level index and best pointer agree; levels are non-empty and
 * their size and count equal the sums over their queues; queue links are consistent; every order
 * on a level is live, on the right note, side and price, with leaves > 0 and
 * filled + leaves + cancelled = quantity; no book is crossed; the id table, the party lists (in
 * acceptance order) and the open-order counts cover exactly the orders on the books; the level
 * pool and order pool counts match, and free levels are empty; every live GTD order is in the
 * expiry heap's live count.
 */
import { assert } from './assert.js';
import type { Core, NoteBook } from './core.js';
import { LAYOUT } from './order-pool.js';
import { hashId } from './order-index.js';
import type { BookSide } from './price-levels.js';

const {
  CANCELLED,
  FILLED,
  FLAG_LIVE,
  FLAGS,
  HASH,
  LEAVES,
  NEXT,
  NIL,
  NOTE,
  PARTY,
  PARTY_NEXT,
  PARTY_PREV,
  PREV,
  PRICE,
  QUANTITY,
  SIDE_SELL,
  TIF_GTD,
  TIF_MASK,
  TIF_SHIFT,
} = LAYOUT;

export function checkBook(core: Core): void {
  const seen = new Set<number>();
  let levelsInUse = 0;
  let gtdLive = 0;
  for (const note of core.notes) {
    assert(core.noteById.get(note.noteId) === note, `note table broken for ${note.noteId}`);
    for (const isBid of [true, false]) {
      const side = isBid ? note.bids : note.asks;
      levelsInUse += checkSide(core, note, side, isBid, seen);
    }
    const bid = note.bids.best;
    const ask = note.asks.best;
    assert(bid === NIL || ask === NIL || bid < ask, `book ${note.noteId} is crossed`);
  }
  for (const slot of seen) {
    if ((core.pool.get(slot, FLAGS) & TIF_MASK) === TIF_GTD << TIF_SHIFT) gtdLive++;
  }
  assert(levelsInUse === core.levels.used, 'level pool count differs from the books');
  checkFreeLevels(core);
  assert(seen.size === core.pool.live, 'order pool count differs from the books');
  assert(gtdLive === core.expiry.liveCount, 'expiry heap live count differs from the books');
  assert(seen.size === core.orders.size, 'order index size differs from the books');
  core.orders.forEachSlot((slot) => assert(seen.has(slot), 'order index holds a finished order'));
  for (const slot of seen) {
    const id = core.pool.ids[slot]!;
    assert(core.pool.get(slot, HASH) === hashId(id), 'stale hash in the pool');
    assert(core.findOrder(id) === slot, 'an order on the books is not findable by id');
  }
  checkParties(core, seen);
}

function checkSide(core: Core, note: NoteBook, side: BookSide, isBid: boolean, seen: Set<number>): number {
  const pool = core.pool;
  const levels = core.levels;
  let levelCount = 0;
  let best = NIL;
  for (let offset = 0; offset < note.band; offset++) {
    const level = side.index[offset]!;
    assert((level !== NIL) === side.isSet(offset), `bitset disagrees with index at ${note.noteId}:${offset}`);
    if (level === NIL) continue;
    levelCount++;
    if (best === NIL || (isBid ? offset > best : offset < best)) best = offset;
    let size = 0;
    let count = 0;
    let prev = NIL;
    for (let slot = levels.head(level); slot !== NIL; slot = pool.get(slot, NEXT)) {
      assert(!seen.has(slot), 'order on two levels');
      seen.add(slot);
      assert(pool.get(slot, PREV) === prev, 'queue back link broken');
      const flags = pool.get(slot, FLAGS);
      assert((flags & FLAG_LIVE) !== 0, 'dead order on a level');
      assert(pool.get(slot, NOTE) === note.index, 'order on the wrong note');
      assert(((flags & SIDE_SELL) === 0) === isBid, 'order on the wrong side');
      assert(pool.get(slot, PRICE) === offset + note.minPriceTicks, 'order on the wrong level');
      const leaves = pool.get(slot, LEAVES);
      assert(leaves > 0, 'resting order without leaves');
      assert(pool.get(slot, FILLED) >= 0 && pool.get(slot, CANCELLED) >= 0, 'negative filled or cancelled');
      assert(
        pool.get(slot, FILLED) + leaves + pool.get(slot, CANCELLED) === pool.get(slot, QUANTITY),
        'filled + leaves + cancelled ≠ quantity',
      );
      size += leaves;
      count++;
      prev = slot;
      assert(count <= pool.capacity, 'queue has a cycle');
    }
    assert(levels.tail(level) === prev, 'level tail broken');
    assert(count > 0 && levels.count(level) === count, 'level count broken');
    assert(levels.size[level] === size, 'level size broken');
  }
  assert(side.levelCount === levelCount, 'side level count broken');
  assert(side.best === best, `best pointer broken on ${note.noteId}`);
  return levelCount;
}

/** Free levels are empty, as allocate() relies on, and with the used ones account for the pool. */
function checkFreeLevels(core: Core): void {
  const levels = core.levels;
  let free = 0;
  levels.forEachFree((level) => {
    assert(levels.tail(level) === NIL && levels.count(level) === 0 && levels.size[level] === 0, 'free level not empty');
    free++;
  });
  assert(free + levels.used === levels.capacity, 'level pool free list and count disagree');
}

function checkParties(core: Core, seen: Set<number>): void {
  const pool = core.pool;
  let listed = 0;
  for (let party = 0; party < core.parties.ids.length; party++) {
    let count = 0;
    let prev = NIL;
    let lastOrderNo = -Infinity;
    for (let slot = core.parties.head[party]!; slot !== NIL; slot = pool.get(slot, PARTY_NEXT)) {
      assert(seen.has(slot), 'party list holds an order not on the books');
      assert(pool.get(slot, PARTY) === party, 'order in another party list');
      assert(pool.get(slot, PARTY_PREV) === prev, 'party back link broken');
      assert(pool.orderNo(slot) > lastOrderNo, 'party list out of acceptance order');
      lastOrderNo = pool.orderNo(slot);
      prev = slot;
      count++;
      assert(count <= pool.capacity, 'party list has a cycle');
    }
    assert(core.parties.tail[party] === prev, 'party tail broken');
    assert(core.parties.open[party] === count, 'party open count broken');
    listed += count;
  }
  assert(listed === seen.size, 'some orders are in no party list');
}
