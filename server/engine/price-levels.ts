/**
 * Price levels of one side of one book, indexed by tick offset within the note's band.
 *
 * A side keeps a dense Int32Array from tick offset to level slot (NIL when the level is empty),
 * a two-level bitset of the non-empty offsets, and a pointer to the best offset. Inserting a
 * level is O(1); finding the next non-empty level after the best one empties takes a few word
 * scans (Math.clz32), never a walk over empty ticks one by one. Level contents (queue head and
 * tail, order count in one strided Int32Array; aggregate size in a Float64Array) live in a
 * LevelPool shared by all books.
 *
 * Guarantees: `best` is the highest non-empty bid offset / lowest non-empty ask offset, or NIL;
 * a bit is set exactly when index[offset] holds a level.
 */
import { assert } from './assert.js';
import { LAYOUT } from './order-pool.js';

const { NIL } = LAYOUT;

/** Int32 fields per level in LevelPool.links: level l's field f is links[(l << 2) + f]. */
const LEVEL_HEAD = 0;
const LEVEL_TAIL = 1;
const LEVEL_COUNT = 2;
/** For importers to copy into module-level consts (see LAYOUT in order-pool.ts for why). */
export const LEVEL_LAYOUT: Readonly<Record<'LEVEL_HEAD' | 'LEVEL_TAIL' | 'LEVEL_COUNT', number>> = Object.freeze({
  LEVEL_HEAD,
  LEVEL_TAIL,
  LEVEL_COUNT,
});

export class LevelPool {
  capacity = 0;
  used = 0;
  /** Per level: queue head slot, queue tail slot, order count (and one spare int). */
  links = new Int32Array(0);
  /** Aggregate leaves; float64 because a level may hold more than 2^31 units in total. */
  size = new Float64Array(0);
  private freeHead = NIL;

  constructor(initialCapacity: number) {
    this.grow(Math.max(16, initialCapacity));
  }

  head(level: number): number {
    return this.links[(level << 2) + LEVEL_HEAD]!;
  }

  tail(level: number): number {
    return this.links[(level << 2) + LEVEL_TAIL]!;
  }

  count(level: number): number {
    return this.links[(level << 2) + LEVEL_COUNT]!;
  }

  /**
   * Takes an empty level off the free list. A free level already has tail NIL, count 0 and size 0
   * (release() and grow() leave it so, checkBook() verifies it); only its head, which links the
   * free list, needs resetting.
   */
  allocate(): number {
    if (this.freeHead === NIL) this.grow(this.capacity * 2);
    const level = this.freeHead;
    const base = level << 2;
    this.freeHead = this.links[base + LEVEL_HEAD]!;
    this.links[base + LEVEL_HEAD] = NIL;
    this.used++;
    return level;
  }

  release(level: number): void {
    const base = level << 2;
    assert(this.links[base + LEVEL_COUNT] === 0, 'release of a non-empty level');
    this.links[base + LEVEL_HEAD] = this.freeHead;
    this.links[base + LEVEL_TAIL] = NIL;
    this.size[level] = 0;
    this.freeHead = level;
    this.used--;
  }

  /** Calls `visit` with every free level (for invariant checks). */
  forEachFree(visit: (level: number) => void): void {
    let seen = 0;
    for (let level = this.freeHead; level !== NIL; level = this.links[(level << 2) + LEVEL_HEAD]!) {
      assert(++seen <= this.capacity, 'level free list has a cycle');
      visit(level);
    }
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const links = new Int32Array(capacity << 2);
    links.set(this.links);
    const size = new Float64Array(capacity);
    size.set(this.size);
    this.links = links;
    this.size = size;
    for (let level = capacity - 1; level >= old; level--) {
      this.links[(level << 2) + LEVEL_HEAD] = this.freeHead;
      this.links[(level << 2) + LEVEL_TAIL] = NIL;
      this.freeHead = level;
    }
    this.capacity = capacity;
  }
}

export class BookSide {
  /** Tick offset → level slot, or NIL. */
  readonly index: Int32Array;
  /** Best offset (highest bid, lowest ask), or NIL when the side is empty. */
  best = NIL;
  /** Number of non-empty levels. */
  levelCount = 0;
  private readonly words: Int32Array;
  private readonly summary: Int32Array;

  constructor(
    readonly isBid: boolean,
    readonly band: number,
  ) {
    this.index = new Int32Array(band).fill(NIL);
    this.words = new Int32Array((band + 31) >>> 5);
    this.summary = new Int32Array((this.words.length + 31) >>> 5);
  }

  /** Creates the (empty) level at `offset` in `levels` and marks it non-empty; returns it. */
  openLevel(offset: number, levels: LevelPool): number {
    const level = levels.allocate();
    this.index[offset] = level;
    this.markNonEmpty(offset);
    return level;
  }

  /** Frees the emptied level at `offset`, moving `best` if needed. */
  closeLevel(offset: number, level: number, levels: LevelPool): void {
    levels.release(level);
    this.index[offset] = NIL;
    this.markEmpty(offset);
  }

  /** Records that the level at `offset` became non-empty. */
  markNonEmpty(offset: number): void {
    const word = offset >>> 5;
    this.words[word]! |= 1 << (offset & 31);
    this.summary[word >>> 5]! |= 1 << (word & 31);
    this.levelCount++;
    if (this.best === NIL || (this.isBid ? offset > this.best : offset < this.best)) this.best = offset;
  }

  /** Records that the level at `offset` became empty, and moves `best` if it was the best. */
  markEmpty(offset: number): void {
    const word = offset >>> 5;
    const bits = this.words[word]! & ~(1 << (offset & 31));
    this.words[word] = bits;
    if (bits === 0) this.summary[word >>> 5]! &= ~(1 << (word & 31));
    this.levelCount--;
    if (offset !== this.best) return;
    if (this.levelCount === 0) this.best = NIL;
    else this.best = this.isBid ? this.highestAtOrBelow(offset - 1) : this.lowestAtOrAbove(offset + 1);
  }

  /** The next non-empty offset worse than `offset` (lower bid, higher ask), or NIL. */
  nextWorse(offset: number): number {
    return this.isBid ? this.highestAtOrBelow(offset - 1) : this.lowestAtOrAbove(offset + 1);
  }

  isSet(offset: number): boolean {
    return (this.words[offset >>> 5]! & (1 << (offset & 31))) !== 0;
  }

  lowestAtOrAbove(offset: number): number {
    if (offset >= this.band) return NIL;
    if (offset < 0) offset = 0;
    let word = offset >>> 5;
    const bits = this.words[word]! & (-1 << (offset & 31));
    if (bits !== 0) return (word << 5) + lowestBit(bits);
    word++;
    const wordCount = this.words.length;
    if (word >= wordCount) return NIL;
    let group = word >>> 5;
    let mask = this.summary[group]! & (-1 << (word & 31));
    const groupCount = this.summary.length;
    for (;;) {
      if (mask !== 0) {
        const found = (group << 5) + lowestBit(mask);
        return (found << 5) + lowestBit(this.words[found]!);
      }
      group++;
      if (group >= groupCount) return NIL;
      mask = this.summary[group]!;
    }
  }

  highestAtOrBelow(offset: number): number {
    if (offset < 0) return NIL;
    if (offset >= this.band) offset = this.band - 1;
    let word = offset >>> 5;
    const bits = this.words[word]! & (-1 >>> (31 - (offset & 31)));
    if (bits !== 0) return (word << 5) + highestBit(bits);
    word--;
    if (word < 0) return NIL;
    let group = word >>> 5;
    let mask = this.summary[group]! & (-1 >>> (31 - (word & 31)));
    for (;;) {
      if (mask !== 0) {
        const found = (group << 5) + highestBit(mask);
        return (found << 5) + highestBit(this.words[found]!);
      }
      group--;
      if (group < 0) return NIL;
      mask = this.summary[group]!;
    }
  }
}

function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

function highestBit(bits: number): number {
  return 31 - Math.clz32(bits);
}
