/**
 * The index from order id (string) to pool slot: an open-addressing hash table with linear
 * probing and backward-shift deletion, over an Int32Array of slots. Each live order's hash is
 * kept in the pool, so removal and growth never touch the id strings again.
 *
 * Why not a Map: a Map with constant insert/delete churn keeps rehashing into fresh backing
 * stores (about 45 bytes of garbage per insert) and costs ~40 bytes per entry; this table makes
 * no garbage, costs ~12 bytes per order, and needs one string hash per command. Any string is a
 * valid key (`__proto__`, `toString`, ...): keys are only ever compared with ===.
 *
 * Hash flooding: the hash is FNV-1a with a murmur finaliser and a fixed seed. Only the service
 * assigns order ids (clients look ids up but cannot insert chosen ones), so an attacker cannot
 * fill a probe chain.
 *
 * Guarantees: the load factor stays ≤ 1/2; find() returns the slot of the live order with that
 * id or NIL; every live order registered with insert() is findable until remove().
 */
import { assert } from './assert.js';
import { LAYOUT, type OrderPool } from './order-pool.js';

const { HASH, NIL, SHIFT } = LAYOUT;

export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class OrderIndex {
  size = 0;
  private table: Int32Array;
  private mask: number;

  constructor(
    private readonly pool: OrderPool,
    initialCapacity: number,
  ) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.table = new Int32Array(capacity).fill(NIL);
    this.mask = capacity - 1;
  }

  get capacity(): number {
    return this.table.length;
  }

  /** The slot of the live order `id` whose hash is `hash` (= hashId(id)), or NIL. */
  find(id: string, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    const data = this.pool.data;
    const ids = this.pool.ids;
    let i = hash & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === NIL) return NIL;
      if (data[(slot << SHIFT) + HASH] === hash && ids[slot] === id) return slot;
      i = (i + 1) & mask;
    }
  }

  /** Registers a live order; its id and hash must already be in the pool, and not be in use. */
  insert(slot: number): void {
    if ((this.size + 1) * 2 > this.table.length) this.grow();
    this.place(slot);
    this.size++;
  }

  remove(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    const data = this.pool.data;
    let i = data[(slot << SHIFT) + HASH]! & mask;
    while (table[i] !== slot) {
      assert(table[i] !== NIL, 'removing an order that is not indexed');
      i = (i + 1) & mask;
    }
    // Backward-shift: pull later members of the probe run into the hole, so no tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const moving = table[j]!;
      if (moving === NIL) break;
      const home = data[(moving << SHIFT) + HASH]! & mask;
      const reachable = i <= j ? home <= i || home > j : home <= i && home > j;
      if (reachable) {
        table[i] = moving;
        i = j;
      }
    }
    table[i] = NIL;
    this.size--;
  }

  /** Calls `visit` with every indexed slot (for invariant checks). */
  forEachSlot(visit: (slot: number) => void): void {
    for (let i = 0; i < this.table.length; i++) {
      const slot = this.table[i]!;
      if (slot !== NIL) visit(slot);
    }
  }

  private place(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.pool.data[(slot << SHIFT) + HASH]! & mask;
    while (table[i] !== NIL) i = (i + 1) & mask;
    table[i] = slot;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2).fill(NIL);
    this.mask = this.table.length - 1;
    for (let i = 0; i < old.length; i++) {
      const slot = old[i]!;
      if (slot !== NIL) this.place(slot);
    }
  }
}
