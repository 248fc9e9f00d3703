/**
 * State and helpers of the reference book (reference-book.ts): plain arrays of plain orders,
 * sorted on every use; the event constructors; the canonical snapshot in the fast engine's format.
 */
import type {
  CancelReason,
  Command,
  EngineEvent,
  EngineLimits,
  EngineSnapshot,
  RejectCode,
  SelfTradeMode,
  Side,
  SnapshotOrder,
  TimeInForce,
} from '../../server/engine/index.js';
import { SNAPSHOT_FORMAT } from '../../server/engine/index.js';

export interface RefOrder {
  id: string;
  noteId: string;
  party: string;
  side: Side;
  price: number;
  quantity: number;
  filled: number;
  leaves: number;
  cancelled: number;
  tif: TimeInForce;
  expireAt: number;
  postOnly: boolean;
  stp: SelfTradeMode;
  isQuote: boolean;
  orderNo: number;
  /** Position in time priority: set when the order (re-)enters a queue. */
  priority: number;
}

export interface RefNote {
  id: string;
  minQuantity: number;
  minPrice: number;
  maxPrice: number;
  halted: boolean;
  quotes: Map<string, { bid: RefOrder | null; ask: RefOrder | null }>;
}

export interface Taker {
  id: string;
  party: string;
  side: Side;
  limit: number | null; // null: market
  stp: SelfTradeMode;
  leaves: number;
  filled: number;
  cancelled: number;
  stopped: boolean;
}

export class ReferenceState {
  protected readonly notes: RefNote[] = [];
  protected live: RefOrder[] = [];
  protected nextOrderNo = 1;
  protected nextPriority = 1;
  protected lastSeq = -1;
  protected events: EngineEvent[] = [];
  protected seq = 0;

  constructor(
    protected readonly limits: EngineLimits,
    private readonly lifo: boolean,
  ) {}

  // ---- book ----

  protected rest(note: RefNote, order: RefOrder): void {
    order.priority = this.nextPriority++;
    this.live.push(order);
    this.bookChange(note, order.side, order.price);
  }

  protected removeResting(order: RefOrder, how: 'cancelled' | 'expired', reason: CancelReason | null): void {
    const units = order.leaves;
    order.cancelled += units;
    order.leaves = 0;
    this.live = this.live.filter((o) => o !== order);
    if (how === 'expired') {
      this.events.push({
        type: 'expired',
        seq: this.seq,
        noteId: order.noteId,
        orderId: order.id,
        partyId: order.party,
        expiredUnits: units,
      });
    } else {
      this.cancelledEvent(order.noteId, order.id, order.party, reason!, units, 0);
    }
    this.bookChange(this.note(order.noteId)!, order.side, order.price);
  }

  protected sorted(noteId: string, side: Side): RefOrder[] {
    const sign = side === 'buy' ? -1 : 1;
    const time = this.lifo ? -1 : 1;
    return this.live
      .filter((o) => o.noteId === noteId && o.side === side)
      .sort((a, b) => sign * (a.price - b.price) || time * (a.priority - b.priority));
  }

  protected bookChange(note: RefNote, side: Side, price: number): void {
    const level = this.live.filter((o) => o.noteId === note.id && o.side === side && o.price === price);
    this.events.push({
      type: 'book_change',
      seq: this.seq,
      noteId: note.id,
      side,
      priceTicks: price,
      sizeUnits: level.reduce((sum, o) => sum + o.leaves, 0),
      orderCount: level.length,
    });
  }

  // ---- helpers ----

  protected fieldCode(note: RefNote, quantity: number, price: number | null, allowZero: boolean): RejectCode | null {
    if (!Number.isInteger(quantity) || quantity > this.limits.quantityUnitsMax) return 'INVALID_QUANTITY';
    if (quantity === 0 && allowZero) return null;
    if (quantity <= 0) return 'INVALID_QUANTITY';
    if (quantity < note.minQuantity) return 'BELOW_MIN_QUANTITY';
    if (price === null) return null;
    if (!Number.isInteger(price)) return 'OFF_TICK';
    if (price < note.minPrice || price > note.maxPrice) return 'PRICE_OUT_OF_BAND';
    return null;
  }

  protected isId(value: unknown): value is string {
    return typeof value === 'string' && value.length > 0 && value.length <= this.limits.idLengthMax;
  }

  protected note(noteId: string): RefNote | undefined {
    return this.notes.find((n) => n.id === noteId);
  }

  protected find(orderId: string): RefOrder | undefined {
    return this.live.find((o) => o.id === orderId);
  }

  protected accept(command: Command['kind'], noteId: string | null, orderId: string | null): void {
    this.events.push({ type: 'accepted', seq: this.seq, command, noteId, orderId });
  }

  protected reject(command: Command['kind'] | 'unknown', code: RejectCode, noteId: string | null, orderId: string | null): void {
    this.events.push({ type: 'rejected', seq: this.seq, command, code, noteId, orderId });
  }

  protected cancelledEvent(noteId: string, orderId: string, partyId: string, reason: CancelReason, units: number, leaves: number): void {
    this.events.push({ type: 'cancelled', seq: this.seq, noteId, orderId, partyId, reason, cancelledUnits: units, leavesUnits: leaves });
  }

  // ---- canonical snapshot (the fast engine's format) ----

  snapshot(): EngineSnapshot {
    const view = (o: RefOrder): SnapshotOrder => ({
      orderId: o.id,
      partyId: o.party,
      priceTicks: o.price,
      quantityUnits: o.quantity,
      filledUnits: o.filled,
      leavesUnits: o.leaves,
      cancelledUnits: o.cancelled,
      timeInForce: o.tif,
      expireAt: o.expireAt,
      postOnly: o.postOnly,
      selfTrade: o.stp,
      isQuote: o.isQuote,
      orderNo: o.orderNo,
    });
    return {
      format: SNAPSHOT_FORMAT,
      lastSeq: this.lastSeq,
      nextOrderNo: this.nextOrderNo,
      notes: this.notes.map((n) => ({
        noteId: n.id,
        minQuantityUnits: n.minQuantity,
        minPriceTicks: n.minPrice,
        maxPriceTicks: n.maxPrice,
        halted: n.halted,
        bids: this.sorted(n.id, 'buy').map(view),
        asks: this.sorted(n.id, 'sell').map(view),
        quotes: [...n.quotes]
          .map(([partyId, q]) => ({
            partyId,
            bidOrderId: q.bid && this.live.includes(q.bid) ? q.bid.id : null,
            askOrderId: q.ask && this.live.includes(q.ask) ? q.ask.id : null,
          }))
          .filter((q) => q.bidOrderId !== null || q.askOrderId !== null)
          .sort((a, b) => (a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0)),
      })),
    };
  }
}
