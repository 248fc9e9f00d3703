/**
 * EventBuffer: an allocation-free event sink. Events are written into reusable columns (typed
 * arrays for numbers, arrays for strings) and read back by index, or turned into EngineEvent
 * objects on demand. The service clears it after each batch; nothing is allocated per event once
 * the columns have grown to the batch's size.
 *
 * Layout: event i owns nums[6i .. 6i+5] = type, seq, n1..n4 and strs[6i .. 6i+5] = tag, s1..s5.
 * Column use per event type (n* are numbers, s* strings, tag a code/reason/kind/side string):
 *   accepted      tag=command           s1=noteId s2=orderId
 *   rejected      tag=code  s5=command  s1=noteId s2=orderId
 *   fill          tag=takerSide s1=noteId s2=makerOrderId s3=makerPartyId s4=takerOrderId s5=takerPartyId
 *                 n1=priceTicks n2=quantityUnits n3=makerLeavesUnits n4=takerLeavesUnits
 *   cancelled     tag=reason  s1=noteId s2=orderId s3=partyId  n1=cancelledUnits n2=leavesUnits
 *   expired       s1=noteId s2=orderId s3=partyId  n1=expiredUnits
 *   replaced      s1=noteId s2=orderId  n1=priceTicks n2=quantityUnits n3=leavesUnits n4=priorityKept(0/1)
 *   book_change   tag=side  s1=noteId  n1=priceTicks n2=sizeUnits n3=orderCount
 *   quote_replaced s1=noteId s3=partyId s2=bidOrderId s4=askOrderId n1..n4=bid price, bid units, ask price, ask units
 */
import type { RejectCode } from './codes.js';
import type { EventSink } from './events.js';
import type { CancelReason, CommandKind, EngineEvent, Side } from './types.js';

const ACCEPTED = 0;
const REJECTED = 1;
const FILL = 2;
const CANCELLED = 3;
const EXPIRED = 4;
const REPLACED = 5;
const BOOK_CHANGE = 6;
const QUOTE_REPLACED = 7;
const WIDTH = 6;

export class EventBuffer implements EventSink {
  length = 0;
  private capacity = 0;
  private nums = new Float64Array(0);
  private strs: (string | null)[] = [];

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(16, initialCapacity));
  }

  clear(): void {
    this.length = 0;
  }

  // The four events of the order path (accepted, fill, cancelled, book_change) open their entry
  // themselves instead of calling next(): the engine's hot functions inline these methods, and V8
  // inlines only so much bytecode into one function, so a nested call here would cost the engine
  // the inlining of something else.

  accepted(seq: number, command: CommandKind, noteId: string | null, orderId: string | null): void {
    const i = this.length;
    if (i === this.capacity) this.grow(i * 2);
    this.length = i + 1;
    const b = i * WIDTH;
    this.nums[b] = ACCEPTED;
    this.nums[b + 1] = seq;
    const strs = this.strs;
    strs[b] = command;
    strs[b + 1] = noteId;
    strs[b + 2] = orderId;
  }

  rejected(seq: number, command: CommandKind | 'unknown', code: RejectCode, noteId: string | null, orderId: string | null): void {
    const b = this.next(REJECTED, seq);
    const strs = this.strs;
    strs[b] = code;
    strs[b + 1] = noteId;
    strs[b + 2] = orderId;
    strs[b + 5] = command;
  }

  fill(
    seq: number,
    noteId: string,
    priceTicks: number,
    quantityUnits: number,
    takerSide: Side,
    makerOrderId: string,
    makerPartyId: string,
    makerLeavesUnits: number,
    takerOrderId: string,
    takerPartyId: string,
    takerLeavesUnits: number,
  ): void {
    const i = this.length;
    if (i === this.capacity) this.grow(i * 2);
    this.length = i + 1;
    const b = i * WIDTH;
    const strs = this.strs;
    const nums = this.nums;
    nums[b] = FILL;
    nums[b + 1] = seq;
    strs[b] = takerSide;
    strs[b + 1] = noteId;
    strs[b + 2] = makerOrderId;
    strs[b + 3] = makerPartyId;
    strs[b + 4] = takerOrderId;
    strs[b + 5] = takerPartyId;
    nums[b + 2] = priceTicks;
    nums[b + 3] = quantityUnits;
    nums[b + 4] = makerLeavesUnits;
    nums[b + 5] = takerLeavesUnits;
  }

  cancelled(
    seq: number,
    noteId: string,
    orderId: string,
    partyId: string,
    reason: CancelReason,
    cancelledUnits: number,
    leavesUnits: number,
  ): void {
    const i = this.length;
    if (i === this.capacity) this.grow(i * 2);
    this.length = i + 1;
    const b = i * WIDTH;
    const strs = this.strs;
    const nums = this.nums;
    nums[b] = CANCELLED;
    nums[b + 1] = seq;
    strs[b] = reason;
    strs[b + 1] = noteId;
    strs[b + 2] = orderId;
    strs[b + 3] = partyId;
    nums[b + 2] = cancelledUnits;
    nums[b + 3] = leavesUnits;
  }

  expired(seq: number, noteId: string, orderId: string, partyId: string, expiredUnits: number): void {
    const b = this.next(EXPIRED, seq);
    const strs = this.strs;
    strs[b + 1] = noteId;
    strs[b + 2] = orderId;
    strs[b + 3] = partyId;
    this.nums[b + 2] = expiredUnits;
  }

  replaced(
    seq: number,
    noteId: string,
    orderId: string,
    priceTicks: number,
    quantityUnits: number,
    leavesUnits: number,
    priorityKept: boolean,
  ): void {
    const b = this.next(REPLACED, seq);
    const nums = this.nums;
    this.strs[b + 1] = noteId;
    this.strs[b + 2] = orderId;
    nums[b + 2] = priceTicks;
    nums[b + 3] = quantityUnits;
    nums[b + 4] = leavesUnits;
    nums[b + 5] = priorityKept ? 1 : 0;
  }

  bookChange(seq: number, noteId: string, side: Side, priceTicks: number, sizeUnits: number, orderCount: number): void {
    const i = this.length;
    if (i === this.capacity) this.grow(i * 2);
    this.length = i + 1;
    const b = i * WIDTH;
    const strs = this.strs;
    const nums = this.nums;
    nums[b] = BOOK_CHANGE;
    nums[b + 1] = seq;
    strs[b] = side;
    strs[b + 1] = noteId;
    nums[b + 2] = priceTicks;
    nums[b + 3] = sizeUnits;
    nums[b + 4] = orderCount;
  }

  quoteReplaced(
    seq: number,
    noteId: string,
    partyId: string,
    bidOrderId: string | null,
    bidPriceTicks: number,
    bidUnits: number,
    askOrderId: string | null,
    askPriceTicks: number,
    askUnits: number,
  ): void {
    const b = this.next(QUOTE_REPLACED, seq);
    const strs = this.strs;
    const nums = this.nums;
    strs[b + 1] = noteId;
    strs[b + 2] = bidOrderId;
    strs[b + 3] = partyId;
    strs[b + 4] = askOrderId;
    nums[b + 2] = bidPriceTicks;
    nums[b + 3] = bidUnits;
    nums[b + 4] = askPriceTicks;
    nums[b + 5] = askUnits;
  }

  /** The i-th event as a plain object. */
  event(i: number): EngineEvent {
    const b = i * WIDTH;
    const nums = this.nums;
    const strs = this.strs;
    const seq = nums[b + 1]!;
    const s = (k: number): string => strs[b + k] as string;
    const n = (k: number): number => nums[b + k]!;
    switch (nums[b]) {
      case ACCEPTED:
        return { type: 'accepted', seq, command: s(0) as CommandKind, noteId: strs[b + 1]!, orderId: strs[b + 2]! };
      case REJECTED:
        return {
          type: 'rejected',
          seq,
          command: s(5) as CommandKind | 'unknown',
          code: s(0) as RejectCode,
          noteId: strs[b + 1]!,
          orderId: strs[b + 2]!,
        };
      case FILL:
        return {
          type: 'fill',
          seq,
          noteId: s(1),
          priceTicks: n(2),
          quantityUnits: n(3),
          takerSide: s(0) as Side,
          makerOrderId: s(2),
          makerPartyId: s(3),
          makerLeavesUnits: n(4),
          takerOrderId: s(4),
          takerPartyId: s(5),
          takerLeavesUnits: n(5),
        };
      case CANCELLED:
        return {
          type: 'cancelled',
          seq,
          noteId: s(1),
          orderId: s(2),
          partyId: s(3),
          reason: s(0) as CancelReason,
          cancelledUnits: n(2),
          leavesUnits: n(3),
        };
      case EXPIRED:
        return { type: 'expired', seq, noteId: s(1), orderId: s(2), partyId: s(3), expiredUnits: n(2) };
      case REPLACED:
        return {
          type: 'replaced',
          seq,
          noteId: s(1),
          orderId: s(2),
          priceTicks: n(2),
          quantityUnits: n(3),
          leavesUnits: n(4),
          priorityKept: n(5) === 1,
        };
      case BOOK_CHANGE:
        return { type: 'book_change', seq, noteId: s(1), side: s(0) as Side, priceTicks: n(2), sizeUnits: n(3), orderCount: n(4) };
      default:
        return {
          type: 'quote_replaced',
          seq,
          noteId: s(1),
          partyId: s(3),
          bidOrderId: strs[b + 2]!,
          bidPriceTicks: n(2),
          bidUnits: n(3),
          askOrderId: strs[b + 4]!,
          askPriceTicks: n(4),
          askUnits: n(5),
        };
    }
  }

  toEvents(): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (let i = 0; i < this.length; i++) events.push(this.event(i));
    return events;
  }

  /** Appends an event header; returns the event's base index into nums and strs. */
  private next(type: number, seq: number): number {
    if (this.length === this.capacity) this.grow(this.capacity * 2);
    const b = this.length++ * WIDTH;
    this.nums[b] = type;
    this.nums[b + 1] = seq;
    return b;
  }

  private grow(capacity: number): void {
    const nums = new Float64Array(capacity * WIDTH);
    nums.set(this.nums);
    this.nums = nums;
    while (this.strs.length < capacity * WIDTH) this.strs.push(null);
    this.capacity = capacity;
  }
}
