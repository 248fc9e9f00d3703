/**
 * The state hash of the engine: a 64-bit non-cryptographic hash (two 32-bit multiply-xor lanes,
 * pure integer arithmetic) over the canonical snapshot, except `lastSeq` — so a rejected command,
 * which changes nothing but the sequence counter, leaves the hash unchanged. Computed on demand,
 * never per command. Equal states give equal hashes whatever the history; it detects divergence
 * (replay, snapshot/restore, two implementations), it does not authenticate.
 */
import type { EngineSnapshot, SnapshotOrder } from './snapshot.js';

export class Hasher {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  word(value: number): void {
    this.h1 = Math.imul(this.h1 ^ value, 2654435761);
    this.h2 = Math.imul(this.h2 ^ value, 1597334677);
    this.h1 = (this.h1 << 13) | (this.h1 >>> 19);
    this.h2 = (this.h2 << 17) | (this.h2 >>> 15);
  }

  /** Any safe integer (or ±Infinity/NaN, hashed by kind), as two 32-bit words. */
  number(value: number): void {
    if (!Number.isFinite(value)) {
      this.word(0x7ff00000);
      this.word(value > 0 ? 1 : value < 0 ? 2 : 3);
      return;
    }
    this.word(value >>> 0);
    this.word(Math.floor(value / 4294967296) | 0);
  }

  string(value: string | null): void {
    if (value === null) {
      this.word(-1);
      return;
    }
    this.word(value.length);
    for (let i = 0; i < value.length; i++) this.word(value.charCodeAt(i));
  }

  boolean(value: boolean): void {
    this.word(value ? 1 : 0);
  }

  digest(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
  }
}

export function hashSnapshot(snapshot: EngineSnapshot): string {
  const h = new Hasher();
  h.string(snapshot.format);
  h.number(snapshot.nextOrderNo);
  h.number(snapshot.notes.length);
  for (const note of snapshot.notes) {
    h.string(note.noteId);
    h.number(note.minQuantityUnits);
    h.number(note.minPriceTicks);
    h.number(note.maxPriceTicks);
    h.boolean(note.halted);
    hashOrders(h, note.bids);
    hashOrders(h, note.asks);
    h.number(note.quotes.length);
    for (const quote of note.quotes) {
      h.string(quote.partyId);
      h.string(quote.bidOrderId);
      h.string(quote.askOrderId);
    }
  }
  return h.digest();
}

function hashOrders(h: Hasher, orders: readonly SnapshotOrder[]): void {
  h.number(orders.length);
  for (const order of orders) {
    h.string(order.orderId);
    h.string(order.partyId);
    h.number(order.priceTicks);
    h.number(order.quantityUnits);
    h.number(order.filledUnits);
    h.number(order.leavesUnits);
    h.number(order.cancelledUnits);
    h.string(order.timeInForce);
    h.number(order.expireAt);
    h.boolean(order.postOnly);
    h.string(order.selfTrade);
    h.boolean(order.isQuote);
    h.number(order.orderNo);
  }
}
