/**
 * The engine's state and the primitive moves on it: the notes and their books, the order pool,
 * the id and party tables, and the operations that put an order on a level, take it off, and
 * finish it. Command handling (engine.ts) and matching (matching.ts) are built from these.
 *
 * Guarantees: after every public move, each live order is on exactly one level of its note and
 * side, in its party's list, and in the id table; level sizes and counts equal the sums over
 * their queues; a finished order is in none of these and its slot is free.
 */
import { assert } from './assert.js';
import type { EventSink } from './events.js';
import { ExpiryHeap } from './expiry.js';
import { LAYOUT, OrderPool } from './order-pool.js';
import { hashId, OrderIndex } from './order-index.js';
import { PartyTable } from './parties.js';
import { BookSide, LEVEL_LAYOUT, LevelPool } from './price-levels.js';
import type { CancelReason, EngineLimits, NoteSpec } from './types.js';

const {
  CANCELLED,
  FLAG_LIVE,
  FLAGS,
  LEAVES,
  NEXT,
  NIL,
  PARTY,
  PARTY_NEXT,
  PARTY_PREV,
  PREV,
  PRICE,
  SHIFT,
  SIDE_SELL,
  TIF_GTD,
  TIF_MASK,
  TIF_SHIFT,
} = LAYOUT;
const { LEVEL_HEAD, LEVEL_TAIL, LEVEL_COUNT } = LEVEL_LAYOUT;

/** A dealer's quote on one note: its live bid and ask orders (slot + orderNo), or NIL. */
export interface QuoteRecord {
  bidSlot: number;
  bidOrderNo: number;
  askSlot: number;
  askOrderNo: number;
}

export class NoteBook {
  readonly band: number;
  readonly bids: BookSide;
  readonly asks: BookSide;
  halted = false;
  /** Quotes by dealer party index, in the order the dealers first quoted. */
  readonly quotes = new Map<number, QuoteRecord>();

  constructor(
    readonly noteId: string,
    readonly index: number,
    readonly minQuantityUnits: number,
    readonly minPriceTicks: number,
    readonly maxPriceTicks: number,
  ) {
    this.band = maxPriceTicks - minPriceTicks + 1;
    this.bids = new BookSide(true, this.band);
    this.asks = new BookSide(false, this.band);
  }
}

export class Core {
  readonly pool: OrderPool;
  readonly levels: LevelPool;
  readonly notes: NoteBook[] = [];
  readonly noteById = new Map<string, NoteBook>();
  readonly orders: OrderIndex;
  readonly parties = new PartyTable();
  readonly expiry = new ExpiryHeap();
  nextOrderNo = 1;
  lastSeq = -1;
  private lastNoteId = '';
  private lastNote: NoteBook | undefined = undefined;

  // Scratch of the order being matched as taker (see matching.ts).
  takerLeaves = 0;
  takerFilled = 0;
  takerCancelled = 0;
  takerStopped = false;

  constructor(
    readonly sink: EventSink,
    readonly limits: EngineLimits,
    initialOrderCapacity: number,
  ) {
    this.pool = new OrderPool(initialOrderCapacity);
    this.orders = new OrderIndex(this.pool, initialOrderCapacity);
    this.levels = new LevelPool(1024);
  }

  addNote(noteId: string, spec: NoteSpec): NoteBook {
    const note = new NoteBook(noteId, this.notes.length, spec.minQuantityUnits, spec.minPriceTicks, spec.maxPriceTicks);
    this.notes.push(note);
    this.noteById.set(noteId, note);
    return note;
  }

  /** Puts a live order at the back of the queue of its price level; returns the level. */
  appendToLevel(note: NoteBook, slot: number): number {
    const data = this.pool.data;
    const levels = this.levels;
    const base = slot << SHIFT;
    const side = (data[base + FLAGS]! & SIDE_SELL) === 0 ? note.bids : note.asks;
    const offset = data[base + PRICE]! - note.minPriceTicks;
    let level = side.index[offset]!;
    if (level === NIL) level = side.openLevel(offset, levels);
    const links = levels.links;
    const levelBase = level << 2;
    const tail = links[levelBase + LEVEL_TAIL]!;
    data[base + PREV] = tail;
    data[base + NEXT] = NIL;
    if (tail === NIL) links[levelBase + LEVEL_HEAD] = slot;
    else data[(tail << SHIFT) + NEXT] = slot;
    links[levelBase + LEVEL_TAIL] = slot;
    links[levelBase + LEVEL_COUNT]!++;
    levels.size[level]! += data[base + LEAVES]!;
    return level;
  }

  /**
   * Takes a live order off its level (its leaves leave the level's size with it) and reports the
   * level's new state with a book_change event.
   */
  removeFromLevel(note: NoteBook, slot: number, seq: number): void {
    const data = this.pool.data;
    const levels = this.levels;
    const base = slot << SHIFT;
    const isSell = (data[base + FLAGS]! & SIDE_SELL) !== 0;
    const side = isSell ? note.asks : note.bids;
    const price = data[base + PRICE]!;
    const offset = price - note.minPriceTicks;
    const level = side.index[offset]!;
    assert(level !== NIL, 'order is not on a level');
    const links = levels.links;
    const levelBase = level << 2;
    const prev = data[base + PREV]!;
    const next = data[base + NEXT]!;
    if (prev === NIL) links[levelBase + LEVEL_HEAD] = next;
    else data[(prev << SHIFT) + NEXT] = next;
    if (next === NIL) links[levelBase + LEVEL_TAIL] = prev;
    else data[(next << SHIFT) + PREV] = prev;
    data[base + PREV] = NIL;
    data[base + NEXT] = NIL;
    const count = links[levelBase + LEVEL_COUNT]! - 1;
    const size = levels.size[level]! - data[base + LEAVES]!;
    links[levelBase + LEVEL_COUNT] = count;
    if (count === 0) {
      assert(size === 0, 'empty level with a non-zero size');
      side.closeLevel(offset, level, levels);
    } else {
      levels.size[level] = size;
    }
    this.sink.bookChange(seq, note.noteId, isSell ? 'sell' : 'buy', price, size, count);
  }

  /** Registers a newly resting order with its party (acceptance order), the index and expiry. */
  registerResting(slot: number): void {
    const pool = this.pool;
    const data = pool.data;
    const parties = this.parties;
    const base = slot << SHIFT;
    const party = data[base + PARTY]!;
    const tail = parties.tail[party]!;
    data[base + PARTY_PREV] = tail;
    data[base + PARTY_NEXT] = NIL;
    if (tail === NIL) parties.head[party] = slot;
    else data[(tail << SHIFT) + PARTY_NEXT] = slot;
    parties.tail[party] = slot;
    parties.open[party]!++;
    this.orders.insert(slot);
    if ((data[base + FLAGS]! & TIF_MASK) === TIF_GTD << TIF_SHIFT) this.trackExpiry(slot);
  }

  private trackExpiry(slot: number): void {
    this.expiry.push(this.pool.expireAt[slot]!, this.pool.orderNo(slot), slot);
  }

  /** Forgets a finished order (already off its level): party list, index, slot. */
  finish(slot: number): void {
    const pool = this.pool;
    const data = pool.data;
    const base = slot << SHIFT;
    assert(data[base + LEAVES] === 0, 'finishing an order with leaves');
    const parties = this.parties;
    const party = data[base + PARTY]!;
    const prev = data[base + PARTY_PREV]!;
    const next = data[base + PARTY_NEXT]!;
    if (prev === NIL) parties.head[party] = next;
    else data[(prev << SHIFT) + PARTY_NEXT] = next;
    if (next === NIL) parties.tail[party] = prev;
    else data[(next << SHIFT) + PARTY_PREV] = prev;
    parties.open[party]!--;
    this.orders.remove(slot);
    if ((data[base + FLAGS]! & TIF_MASK) === TIF_GTD << TIF_SHIFT) this.expiry.finished(pool);
    pool.release(slot);
  }

  /** Cancels a resting order outright: cancelled + book_change events, then forgets it. */
  cancelResting(note: NoteBook, slot: number, reason: CancelReason, seq: number): void {
    // The hot path of every cancel, written out in one function (unlink from the level, report,
    // unlink from the party, unindex, free) so that V8 optimizes it as one unit.
    const pool = this.pool;
    const data = pool.data;
    const levels = this.levels;
    const links = levels.links;
    const base = slot << SHIFT;
    const leaves = data[base + LEAVES]!;
    const party = data[base + PARTY]!;
    const flags = data[base + FLAGS]!;
    const sink = this.sink;
    sink.cancelled(seq, note.noteId, pool.ids[slot]!, this.parties.ids[party]!, reason, leaves, 0);
    const isSell = (flags & SIDE_SELL) !== 0;
    const side = isSell ? note.asks : note.bids;
    const price = data[base + PRICE]!;
    const offset = price - note.minPriceTicks;
    const level = side.index[offset]!;
    assert(level !== NIL, 'order is not on a level');
    const levelBase = level << 2;
    const prev = data[base + PREV]!;
    const next = data[base + NEXT]!;
    if (prev === NIL) links[levelBase + LEVEL_HEAD] = next;
    else data[(prev << SHIFT) + NEXT] = next;
    if (next === NIL) links[levelBase + LEVEL_TAIL] = prev;
    else data[(next << SHIFT) + PREV] = prev;
    const count = links[levelBase + LEVEL_COUNT]! - 1;
    const size = levels.size[level]! - leaves;
    links[levelBase + LEVEL_COUNT] = count;
    if (count === 0) side.closeLevel(offset, level, levels);
    else levels.size[level] = size;
    sink.bookChange(seq, note.noteId, isSell ? 'sell' : 'buy', price, size, count);
    data[base + CANCELLED]! += leaves;
    data[base + LEAVES] = 0;
    const parties = this.parties;
    const partyPrev = data[base + PARTY_PREV]!;
    const partyNext = data[base + PARTY_NEXT]!;
    if (partyPrev === NIL) parties.head[party] = partyNext;
    else data[(partyPrev << SHIFT) + PARTY_NEXT] = partyNext;
    if (partyNext === NIL) parties.tail[party] = partyPrev;
    else data[(partyNext << SHIFT) + PARTY_PREV] = partyPrev;
    parties.open[party]!--;
    this.orders.remove(slot);
    if ((flags & TIF_MASK) === TIF_GTD << TIF_SHIFT) this.expiry.finished(pool);
    pool.release(slot);
  }

  /** Expires a resting order: expired + book_change events, then forgets it. */
  expireResting(note: NoteBook, slot: number, seq: number): void {
    const pool = this.pool;
    const base = slot << SHIFT;
    const leaves = pool.data[base + LEAVES]!;
    const partyId = this.parties.ids[pool.data[base + PARTY]!]!;
    this.sink.expired(seq, note.noteId, pool.ids[slot]!, partyId, leaves);
    this.removeFromLevel(note, slot, seq);
    pool.data[base + CANCELLED]! += leaves;
    pool.data[base + LEAVES] = 0;
    this.finish(slot);
  }

  /** book_change for a level of a note, as it is now. */
  emitLevelState(note: NoteBook, isSell: boolean, price: number, level: number, seq: number): void {
    this.sink.bookChange(
      seq,
      note.noteId,
      isSell ? 'sell' : 'buy',
      price,
      this.levels.size[level]!,
      this.levels.links[(level << 2) + LEVEL_COUNT]!,
    );
  }

  /**
   * The note with this id. Consecutive commands usually name the same note, and ids parsed from
   * JSON are often the same string object, so the last note is checked first (=== on the same
   * object is a pointer compare; on equal content it is still cheaper than a Map probe).
   */
  noteOf(noteId: string): NoteBook | undefined {
    if (noteId === this.lastNoteId) return this.lastNote;
    const note = this.noteById.get(noteId);
    if (note !== undefined) {
      this.lastNoteId = noteId;
      this.lastNote = note;
    }
    return note;
  }

  /** The slot of the live order with this id, or NIL. */
  findOrder(orderId: string): number {
    return this.orders.find(orderId, hashId(orderId));
  }

  isLiveOrder(slot: number, orderNo: number): boolean {
    return slot !== NIL && (this.pool.get(slot, FLAGS) & FLAG_LIVE) !== 0 && this.pool.orderNo(slot) === orderNo;
  }
}
