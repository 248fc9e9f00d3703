/**
 * Storage for live orders: a pool of integer slots. The integer fields of a slot are 16
 * consecutive int32s (64 bytes) of one Int32Array, so an order's fields share a cache line or
 * two and the engine touches one array object instead of a dozen; GTD expiry times sit in a
 * Float64Array and id strings in a plain array. A slot is the engine's internal handle of an
 * order; it is reused after the order finishes, so nothing outside the engine may keep one.
 *
 * Why: one JavaScript object per order costs 150+ bytes and a GC trace; this costs about 80 and
 * nothing to trace. Quantities are 32-bit integers (the engine caps an order at
 * quantityUnitsMax ≤ 2^31 − 1); the acceptance number (orderNo) is split into two int32 halves
 * and is exact up to 2^53.
 *
 * Guarantees: allocate() returns a free slot (the caller sets every field: the placing code
 * writes the order's fields, appendToLevel and registerResting its links); release() frees the
 * slot and drops its id string. The pool never shrinks.
 */
import { assert } from './assert.js';

const NIL = -1;

/** Int32 fields per slot; field f of slot s is data[(s << SHIFT) + f]. */
const SHIFT = 4;
const PRICE = 0;
const QUANTITY = 1;
const FILLED = 2;
const LEAVES = 3;
const CANCELLED = 4;
/** Queue links within a price level. */
const PREV = 5;
const NEXT = 6;
/** Links of the owning party's list of live orders, in acceptance order. */
const PARTY_PREV = 7;
const PARTY_NEXT = 8;
const PARTY = 9;
const NOTE = 10;
const FLAGS = 11;
/** hashId(id), for the order index. */
const HASH = 12;
const ORDER_NO_LOW = 13;
const ORDER_NO_HIGH = 14;

// Bit layout of FLAGS.
const SIDE_SELL = 1; // bit 0: 0 buy, 1 sell
const TIF_SHIFT = 1; // bits 1-3
const TIF_MASK = 7 << TIF_SHIFT;
const STP_SHIFT = 4; // bits 4-5
const STP_MASK = 3 << STP_SHIFT;
const FLAG_POST_ONLY = 1 << 6;
const FLAG_QUOTE = 1 << 7;
const FLAG_LIVE = 1 << 8;

// Codes stored in FLAGS.
const TIF_GTC = 0;
const TIF_DAY = 1;
const TIF_IOC = 2;
const TIF_FOK = 3;
const TIF_GTD = 4;
const STP_CANCEL_NEWEST = 0;
const STP_CANCEL_OLDEST = 1;
const STP_CANCEL_BOTH = 2;
const STP_DECREMENT = 3;

/**
 * The layout and codes above as one frozen object. Modules copy what they need into module-level
 * consts (`const { NIL, LEAVES } = LAYOUT;`): V8 folds such consts into optimized code, while an
 * imported binding is loaded (and hole-checked) at every use, which costs the hot paths ~20%.
 */
export type LayoutName =
  | 'NIL'
  | 'SHIFT'
  | 'PRICE'
  | 'QUANTITY'
  | 'FILLED'
  | 'LEAVES'
  | 'CANCELLED'
  | 'PREV'
  | 'NEXT'
  | 'PARTY_PREV'
  | 'PARTY_NEXT'
  | 'PARTY'
  | 'NOTE'
  | 'FLAGS'
  | 'HASH'
  | 'SIDE_SELL'
  | 'TIF_SHIFT'
  | 'TIF_MASK'
  | 'STP_SHIFT'
  | 'STP_MASK'
  | 'FLAG_POST_ONLY'
  | 'FLAG_QUOTE'
  | 'FLAG_LIVE'
  | 'TIF_GTC'
  | 'TIF_DAY'
  | 'TIF_IOC'
  | 'TIF_FOK'
  | 'TIF_GTD'
  | 'STP_CANCEL_NEWEST'
  | 'STP_CANCEL_OLDEST'
  | 'STP_CANCEL_BOTH'
  | 'STP_DECREMENT';

export const LAYOUT: Readonly<Record<LayoutName, number>> = Object.freeze({
  NIL,
  SHIFT,
  PRICE,
  QUANTITY,
  FILLED,
  LEAVES,
  CANCELLED,
  PREV,
  NEXT,
  PARTY_PREV,
  PARTY_NEXT,
  PARTY,
  NOTE,
  FLAGS,
  HASH,
  SIDE_SELL,
  TIF_SHIFT,
  TIF_MASK,
  STP_SHIFT,
  STP_MASK,
  FLAG_POST_ONLY,
  FLAG_QUOTE,
  FLAG_LIVE,
  TIF_GTC,
  TIF_DAY,
  TIF_IOC,
  TIF_FOK,
  TIF_GTD,
  STP_CANCEL_NEWEST,
  STP_CANCEL_OLDEST,
  STP_CANCEL_BOTH,
  STP_DECREMENT,
});

export class OrderPool {
  capacity = 0;
  live = 0;
  data = new Int32Array(0);
  expireAt = new Float64Array(0);
  ids: string[] = [];
  private freeHead = NIL;

  constructor(initialCapacity: number) {
    this.grow(Math.max(16, initialCapacity));
  }

  allocate(): number {
    if (this.freeHead === NIL) this.grow(this.capacity * 2);
    const slot = this.freeHead;
    this.freeHead = this.data[(slot << SHIFT) + NEXT]!;
    this.live++;
    return slot;
  }

  release(slot: number): void {
    const base = slot << SHIFT;
    assert((this.data[base + FLAGS]! & FLAG_LIVE) !== 0, 'release of a free slot');
    this.data[base + FLAGS] = 0;
    this.ids[slot] = '';
    this.data[base + NEXT] = this.freeHead;
    this.freeHead = slot;
    this.live--;
  }

  get(slot: number, field: number): number {
    return this.data[(slot << SHIFT) + field]!;
  }

  set(slot: number, field: number, value: number): void {
    this.data[(slot << SHIFT) + field] = value;
  }

  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.capacity && (this.data[(slot << SHIFT) + FLAGS]! & FLAG_LIVE) !== 0;
  }

  orderNo(slot: number): number {
    const base = slot << SHIFT;
    return this.data[base + ORDER_NO_HIGH]! * 4294967296 + (this.data[base + ORDER_NO_LOW]! >>> 0);
  }

  setOrderNo(slot: number, orderNo: number): void {
    const base = slot << SHIFT;
    this.data[base + ORDER_NO_LOW] = orderNo >>> 0;
    this.data[base + ORDER_NO_HIGH] = Math.floor(orderNo * 2.3283064365386963e-10); // × 2^-32, exact
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const data = new Int32Array(capacity << SHIFT);
    data.set(this.data);
    this.data = data;
    const expireAt = new Float64Array(capacity);
    expireAt.set(this.expireAt);
    this.expireAt = expireAt;
    for (let slot = old; slot < capacity; slot++) this.ids.push('');
    // Chain the new slots in ascending order in front of the (empty) free list.
    for (let slot = capacity - 1; slot >= old; slot--) {
      data[(slot << SHIFT) + NEXT] = this.freeHead;
      this.freeHead = slot;
    }
    this.capacity = capacity;
  }
}
