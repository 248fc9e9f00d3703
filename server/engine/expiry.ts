/**
 * The queue of GTD orders by expiry: a binary min-heap keyed by (expireAt, orderNo), so orders
 * expire in a deterministic order. Entries are never removed when an order finishes early; a
 * popped entry counts only if its slot still holds the same live order (same orderNo). When dead
 * entries outnumber live ones the heap is rebuilt from the live ones, which bounds its size.
 */
import { LAYOUT, type OrderPool } from './order-pool.js';

const { FLAG_LIVE, FLAGS } = LAYOUT;

export class ExpiryHeap {
  private expireAt: number[] = [];
  private orderNo: number[] = [];
  private slot: number[] = [];
  /** Live GTD orders; maintained by the engine through added()/finished(). */
  liveCount = 0;

  get size(): number {
    return this.slot.length;
  }

  push(expireAt: number, orderNo: number, slot: number): void {
    this.expireAt.push(expireAt);
    this.orderNo.push(orderNo);
    this.slot.push(slot);
    this.liveCount++;
    this.siftUp(this.slot.length - 1);
  }

  /** The earliest expiry in the heap (possibly of a finished order), or +Infinity. */
  peekExpireAt(): number {
    return this.slot.length === 0 ? Infinity : this.expireAt[0]!;
  }

  /** Removes the top entry; returns its slot if it still holds the same live order, else -1. */
  pop(pool: OrderPool): number {
    const slot = this.slot[0]!;
    const orderNo = this.orderNo[0]!;
    const last = this.slot.length - 1;
    this.move(last, 0);
    this.expireAt.pop();
    this.orderNo.pop();
    this.slot.pop();
    if (last > 0) this.siftDown(0);
    return (pool.get(slot, FLAGS) & FLAG_LIVE) !== 0 && pool.orderNo(slot) === orderNo ? slot : -1;
  }

  /** Called when a live GTD order finishes for any reason. */
  finished(pool: OrderPool): void {
    this.liveCount--;
    if (this.slot.length > 1024 && this.slot.length > 3 * this.liveCount) this.compact(pool);
  }

  private compact(pool: OrderPool): void {
    const keep: number[] = [];
    for (let i = 0; i < this.slot.length; i++) {
      const slot = this.slot[i]!;
      if ((pool.get(slot, FLAGS) & FLAG_LIVE) !== 0 && pool.orderNo(slot) === this.orderNo[i]) keep.push(i);
    }
    this.expireAt = keep.map((i) => this.expireAt[i]!);
    this.orderNo = keep.map((i) => this.orderNo[i]!);
    this.slot = keep.map((i) => this.slot[i]!);
    for (let i = (this.slot.length >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private less(a: number, b: number): boolean {
    const ea = this.expireAt[a]!;
    const eb = this.expireAt[b]!;
    return ea < eb || (ea === eb && this.orderNo[a]! < this.orderNo[b]!);
  }

  private move(from: number, to: number): void {
    this.expireAt[to] = this.expireAt[from]!;
    this.orderNo[to] = this.orderNo[from]!;
    this.slot[to] = this.slot[from]!;
  }

  private swap(a: number, b: number): void {
    const e = this.expireAt[a]!;
    const o = this.orderNo[a]!;
    const s = this.slot[a]!;
    this.move(b, a);
    this.expireAt[b] = e;
    this.orderNo[b] = o;
    this.slot[b] = s;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.slot.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.less(right, left) ? right : left;
      if (!this.less(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}
