/**
 * Where the engine's events go. The engine calls one method per event with positional arguments,
 * so producing an event allocates nothing; the sink decides whether to build objects (EventLog,
 * for the service and the tests) or to copy the fields somewhere else.
 *
 * Guarantees: the engine calls the sink synchronously, in event order, inside apply(); a sink
 * must not call back into the engine.
 */
import type { RejectCode } from './codes.js';
import type { CancelReason, CommandKind, EngineEvent, Side } from './types.js';

export interface EventSink {
  accepted(seq: number, command: CommandKind, noteId: string | null, orderId: string | null): void;
  rejected(seq: number, command: CommandKind | 'unknown', code: RejectCode, noteId: string | null, orderId: string | null): void;
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
  ): void;
  cancelled(
    seq: number,
    noteId: string,
    orderId: string,
    partyId: string,
    reason: CancelReason,
    cancelledUnits: number,
    leavesUnits: number,
  ): void;
  expired(seq: number, noteId: string, orderId: string, partyId: string, expiredUnits: number): void;
  replaced(
    seq: number,
    noteId: string,
    orderId: string,
    priceTicks: number,
    quantityUnits: number,
    leavesUnits: number,
    priorityKept: boolean,
  ): void;
  bookChange(seq: number, noteId: string, side: Side, priceTicks: number, sizeUnits: number, orderCount: number): void;
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
  ): void;
}

/** Collects events as plain, JSON-serialisable objects. */
export class EventLog implements EventSink {
  events: EngineEvent[] = [];

  /** Returns the events collected so far and starts a new list. */
  take(): EngineEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  accepted(seq: number, command: CommandKind, noteId: string | null, orderId: string | null): void {
    this.events.push({ type: 'accepted', seq, command, noteId, orderId });
  }

  rejected(seq: number, command: CommandKind | 'unknown', code: RejectCode, noteId: string | null, orderId: string | null): void {
    this.events.push({ type: 'rejected', seq, command, code, noteId, orderId });
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
    this.events.push({
      type: 'fill',
      seq,
      noteId,
      priceTicks,
      quantityUnits,
      takerSide,
      makerOrderId,
      makerPartyId,
      makerLeavesUnits,
      takerOrderId,
      takerPartyId,
      takerLeavesUnits,
    });
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
    this.events.push({ type: 'cancelled', seq, noteId, orderId, partyId, reason, cancelledUnits, leavesUnits });
  }

  expired(seq: number, noteId: string, orderId: string, partyId: string, expiredUnits: number): void {
    this.events.push({ type: 'expired', seq, noteId, orderId, partyId, expiredUnits });
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
    this.events.push({ type: 'replaced', seq, noteId, orderId, priceTicks, quantityUnits, leavesUnits, priorityKept });
  }

  bookChange(seq: number, noteId: string, side: Side, priceTicks: number, sizeUnits: number, orderCount: number): void {
    this.events.push({ type: 'book_change', seq, noteId, side, priceTicks, sizeUnits, orderCount });
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
    this.events.push({
      type: 'quote_replaced',
      seq,
      noteId,
      partyId,
      bidOrderId,
      bidPriceTicks,
      bidUnits,
      askOrderId,
      askPriceTicks,
      askUnits,
    });
  }
}
