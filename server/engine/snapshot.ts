/**
 * Snapshot and restore of the whole engine as a plain JSON-serialisable object, for the service
 * to persist next to its command journal (restore the latest snapshot, then replay the journal's
 * tail with apply()).
 *
 * The snapshot is canonical: notes in registration order, each side best level first and each
 * level in queue order, quotes sorted by dealer. Internal handles (slots, party indices) never
 * appear in it, so two engines in the same state give equal snapshots whatever their history.
 *
 * Guarantees: restore(snapshot(e)) behaves exactly like e for every later command (same events,
 * same state hash). A snapshot that breaks the engine's invariants is a defect: restore asserts.
 */
import { assert } from './assert.js';
import type { Core, NoteBook, QuoteRecord } from './core.js';
import { hashId } from './order-index.js';
import { LAYOUT } from './order-pool.js';
import type { SelfTradeMode, TimeInForce } from './types.js';
import { stpCode, tifCode } from './validate.js';
import { viewOf } from './views.js';

const {
  CANCELLED,
  FILLED,
  FLAG_LIVE,
  FLAG_POST_ONLY,
  FLAG_QUOTE,
  FLAGS,
  HASH,
  LEAVES,
  NEXT,
  NIL,
  NOTE,
  PARTY,
  PRICE,
  QUANTITY,
  SIDE_SELL,
  STP_SHIFT,
  TIF_SHIFT,
} = LAYOUT;

export const SNAPSHOT_FORMAT = 'compute-notes-engine/1';

export interface SnapshotOrder {
  orderId: string;
  partyId: string;
  priceTicks: number;
  quantityUnits: number;
  filledUnits: number;
  leavesUnits: number;
  cancelledUnits: number;
  timeInForce: TimeInForce;
  expireAt: number;
  postOnly: boolean;
  selfTrade: SelfTradeMode;
  isQuote: boolean;
  orderNo: number;
}

export interface SnapshotQuote {
  partyId: string;
  bidOrderId: string | null;
  askOrderId: string | null;
}

export interface SnapshotNote {
  noteId: string;
  minQuantityUnits: number;
  minPriceTicks: number;
  maxPriceTicks: number;
  halted: boolean;
  bids: SnapshotOrder[];
  asks: SnapshotOrder[];
  quotes: SnapshotQuote[];
}

export interface EngineSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** Last sequence number applied; the next command must carry a higher one. */
  lastSeq: number;
  nextOrderNo: number;
  notes: SnapshotNote[];
}

export function takeSnapshot(core: Core): EngineSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    lastSeq: core.lastSeq,
    nextOrderNo: core.nextOrderNo,
    notes: core.notes.map((note) => snapshotNote(core, note)),
  };
}

function snapshotNote(core: Core, note: NoteBook): SnapshotNote {
  const quotes: SnapshotQuote[] = [];
  for (const [party, record] of note.quotes) {
    const bid = core.isLiveOrder(record.bidSlot, record.bidOrderNo) ? core.pool.ids[record.bidSlot]! : null;
    const ask = core.isLiveOrder(record.askSlot, record.askOrderNo) ? core.pool.ids[record.askSlot]! : null;
    if (bid !== null || ask !== null) quotes.push({ partyId: core.parties.ids[party]!, bidOrderId: bid, askOrderId: ask });
  }
  quotes.sort((a, b) => (a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0));
  return {
    noteId: note.noteId,
    minQuantityUnits: note.minQuantityUnits,
    minPriceTicks: note.minPriceTicks,
    maxPriceTicks: note.maxPriceTicks,
    halted: note.halted,
    bids: snapshotSide(core, note, true),
    asks: snapshotSide(core, note, false),
    quotes,
  };
}

function snapshotSide(core: Core, note: NoteBook, bids: boolean): SnapshotOrder[] {
  const side = bids ? note.bids : note.asks;
  const orders: SnapshotOrder[] = [];
  for (let offset = side.best; offset !== NIL; offset = side.nextWorse(offset)) {
    for (let slot = core.levels.head(side.index[offset]!); slot !== NIL; slot = core.pool.get(slot, NEXT)) {
      const v = viewOf(core, note, slot);
      orders.push({
        orderId: v.orderId,
        partyId: v.partyId,
        priceTicks: v.priceTicks,
        quantityUnits: v.quantityUnits,
        filledUnits: v.filledUnits,
        leavesUnits: v.leavesUnits,
        cancelledUnits: v.cancelledUnits,
        timeInForce: v.timeInForce,
        expireAt: v.expireAt,
        postOnly: v.postOnly,
        selfTrade: v.selfTrade,
        isQuote: v.isQuote,
        orderNo: v.orderNo,
      });
    }
  }
  return orders;
}

/** Loads a snapshot into a freshly constructed core. */
export function restoreInto(core: Core, snapshot: EngineSnapshot): void {
  assert(snapshot.format === SNAPSHOT_FORMAT, `unknown snapshot format ${String(snapshot.format)}`);
  assert(core.notes.length === 0 && core.pool.live === 0, 'restore into a used engine');
  assert(Number.isSafeInteger(snapshot.lastSeq) && Number.isSafeInteger(snapshot.nextOrderNo), 'bad snapshot counters');
  const placed: number[] = [];
  for (const saved of snapshot.notes) {
    const note = core.addNote(saved.noteId, saved);
    note.halted = saved.halted;
    for (const order of saved.bids) placed.push(restoreOrder(core, note, order, true));
    for (const order of saved.asks) placed.push(restoreOrder(core, note, order, false));
  }
  // Party lists are in acceptance order, whatever order the books listed the orders in.
  const pool = core.pool;
  placed.sort((a, b) => pool.orderNo(a) - pool.orderNo(b));
  for (const slot of placed) {
    assert(core.findOrder(pool.ids[slot]!) === NIL, 'duplicate order id in snapshot');
    assert(pool.orderNo(slot) < snapshot.nextOrderNo, 'order number beyond the counter');
    core.registerResting(slot);
  }
  for (const saved of snapshot.notes) {
    const note = core.noteById.get(saved.noteId)!;
    for (const quote of saved.quotes) note.quotes.set(core.parties.intern(quote.partyId), quoteRecord(core, quote));
  }
  core.lastSeq = snapshot.lastSeq;
  core.nextOrderNo = snapshot.nextOrderNo;
}

function restoreOrder(core: Core, note: NoteBook, order: SnapshotOrder, isBuy: boolean): number {
  const tif = tifCode(order.timeInForce);
  const stp = stpCode(order.selfTrade);
  assert(tif >= 0 && stp >= 0, 'bad order flags in snapshot');
  assert(
    order.leavesUnits > 0 &&
      order.filledUnits >= 0 &&
      order.cancelledUnits >= 0 &&
      order.filledUnits + order.leavesUnits + order.cancelledUnits === order.quantityUnits,
    'bad order quantities',
  );
  assert(order.priceTicks >= note.minPriceTicks && order.priceTicks <= note.maxPriceTicks, 'order price off band');
  const pool = core.pool;
  const slot = pool.allocate();
  pool.ids[slot] = order.orderId;
  pool.set(slot, HASH, hashId(order.orderId));
  pool.set(
    slot,
    FLAGS,
    FLAG_LIVE |
      (isBuy ? 0 : SIDE_SELL) |
      (tif << TIF_SHIFT) |
      (stp << STP_SHIFT) |
      (order.postOnly ? FLAG_POST_ONLY : 0) |
      (order.isQuote ? FLAG_QUOTE : 0),
  );
  pool.set(slot, NOTE, note.index);
  pool.set(slot, PARTY, core.parties.intern(order.partyId));
  pool.set(slot, PRICE, order.priceTicks);
  pool.set(slot, QUANTITY, order.quantityUnits);
  pool.set(slot, FILLED, order.filledUnits);
  pool.set(slot, LEAVES, order.leavesUnits);
  pool.set(slot, CANCELLED, order.cancelledUnits);
  pool.setOrderNo(slot, order.orderNo);
  pool.expireAt[slot] = order.expireAt;
  core.appendToLevel(note, slot);
  return slot;
}

function quoteRecord(core: Core, quote: SnapshotQuote): QuoteRecord {
  const record: QuoteRecord = { bidSlot: NIL, bidOrderNo: 0, askSlot: NIL, askOrderNo: 0 };
  if (quote.bidOrderId !== null) {
    const slot = core.findOrder(quote.bidOrderId);
    assert(slot !== NIL, 'quote order missing from snapshot');
    record.bidSlot = slot;
    record.bidOrderNo = core.pool.orderNo(slot);
  }
  if (quote.askOrderId !== null) {
    const slot = core.findOrder(quote.askOrderId);
    assert(slot !== NIL, 'quote order missing from snapshot');
    record.askSlot = slot;
    record.askOrderNo = core.pool.orderNo(slot);
  }
  return record;
}
