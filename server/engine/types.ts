/**
 * Public types of the matching engine: the commands it accepts, the events it emits, the views it
 * answers, and the limits it enforces.
 *
 * Units: prices are integer ticks of the note's tick size, quantities are integer units of the
 * note's increment. The conversion from and to decimal strings lives at the edge (the service),
 * never here. Every command carries `seq` (rising, assigned by the sequencer) and `timestamp`
 * (integer, supplied by the caller); the engine never reads a clock and never makes up an id.
 *
 * Semantics in brief (the tests pin each of these down):
 * - Every command yields exactly one `accepted` or `rejected` event first, then its effects.
 * - A limit order matches as taker, then rests (GTC/DAY/GTD), or has its remainder cancelled
 *   (IOC, reason `ioc_remainder`). A market order never rests (reason `market_remainder`).
 *   FOK is checked before the book is touched: fill entirely, or reject with FOK_NOT_FILLABLE.
 * - Matching visits one price level at a time, best first, and the orders of a level in time
 *   priority. Fills and self-trade cancels are emitted as they happen; one `book_change` is
 *   emitted for a level when the taker leaves it, if the level changed.
 * - Removals outside matching (cancel, mass cancel, expiry, quote replacement) each emit their
 *   `cancelled`/`expired` event followed by a `book_change` for the order's level.
 * - Self-trade prevention always applies (a party never trades with itself); the taker's mode
 *   decides: cancel_newest (the taker, default), cancel_oldest (the resting order, the taker goes
 *   on), cancel_both, decrement_and_cancel (both shrink by the smaller leaves; whichever reaches
 *   zero is cancelled; the taker goes on if it has leaves).
 * - FOK and self-trade: the fillable quantity is counted in priority order over other parties'
 *   orders and stops at the first order of the same party, except in cancel_oldest mode, where
 *   the party's own orders are skipped (and cancelled when the FOK executes).
 * - Post-only: rejected with POST_ONLY_WOULD_TAKE if its price reaches the best opposite price
 *   (whoever owns that order). Post-only is allowed with GTC, DAY and GTD only.
 * - Cancel/replace (`quantityUnits` is the new total order quantity, FIX OrderQty semantics:
 *   leaves = quantity − filled − cancelled): same price and a quantity that does not go up keeps
 *   time priority; a new price or a larger quantity takes the order out and re-enters it at the
 *   back of its (new) level, matching first as taker if it now crosses. Side, TIF, post-only,
 *   expiry and self-trade mode never change.
 * - Quotes: one quote per (dealer, note), a bid and an ask; a mass quote validates every entry
 *   before changing anything, then per entry cancels the dealer's previous quote orders on that
 *   note (reason `quote_replaced`), emits `quote_replaced`, and enters the bid then the ask as GTC
 *   limit orders. A quote that crosses the book trades as taker like any limit order (as on
 *   Eurex or Euronext: quotes are firm and executable on entry); a dealer who wants to be only
 *   maker prices inside the spread. A side with size 0 means no quote on that side.
 * - Halt: order entry (new order, cancel/replace, mass quote) on a halted note is rejected with
 *   NOTE_HALTED. Cancels, mass cancels and expiry still work on a halted note, because a venue
 *   must always let participants take risk off.
 * - Expiry: `expire` expires GTD orders with expireAt ≤ timestamp, in (expireAt, orderNo) order,
 *   then, if `dayOrders` is set, every DAY order, in orderNo order. Nothing expires by itself.
 * - Terminal orders are forgotten: ids are unique among live orders (the service makes them
 *   globally unique); a cancel of a finished order is UNKNOWN_ORDER.
 */

import type { RejectCode } from './codes.js';

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK' | 'GTD';
export type SelfTradeMode = 'cancel_newest' | 'cancel_oldest' | 'cancel_both' | 'decrement_and_cancel';

export type CommandKind =
  | 'register_note'
  | 'new_order'
  | 'cancel'
  | 'cancel_replace'
  | 'mass_quote'
  | 'mass_cancel'
  | 'halt'
  | 'resume'
  | 'expire';

interface CommandHeader {
  /** Rising sequence number from the sequencer; every event of this command carries it. */
  seq: number;
  /**
   * Caller-supplied integer time (e.g. epoch ms). Only GTD orders (expireAt > timestamp) and the
   * expire command look at it; the engine keeps no time of its own.
   */
  timestamp: number;
}

export interface NoteSpec {
  /** Minimum denomination, in increment units (≥ 1). */
  minQuantityUnits: number;
  /** The band of valid prices, in ticks; a price outside it is PRICE_OUT_OF_BAND. */
  minPriceTicks: number;
  maxPriceTicks: number;
}

export interface RegisterNoteCommand extends CommandHeader, NoteSpec {
  kind: 'register_note';
  noteId: string;
}

export interface NewOrderCommand extends CommandHeader {
  kind: 'new_order';
  noteId: string;
  orderId: string;
  partyId: string;
  side: Side;
  type: OrderType;
  /** Limit price in ticks; ignored for market orders. */
  priceTicks: number;
  quantityUnits: number;
  timeInForce: TimeInForce;
  /** GTD only: the order expires on an `expire` command with timestamp ≥ expireAt. */
  expireAt?: number;
  postOnly?: boolean;
  /** Defaults to cancel_newest. */
  selfTrade?: SelfTradeMode;
}

export interface CancelCommand extends CommandHeader {
  kind: 'cancel';
  noteId: string;
  orderId: string;
  partyId: string;
}

export interface CancelReplaceCommand extends CommandHeader {
  kind: 'cancel_replace';
  noteId: string;
  orderId: string;
  partyId: string;
  priceTicks: number;
  /** New total order quantity (including what has been filled or cancelled already). */
  quantityUnits: number;
}

export interface QuoteEntry {
  noteId: string;
  bidOrderId: string;
  bidPriceTicks: number;
  /** 0 means no bid. */
  bidUnits: number;
  askOrderId: string;
  askPriceTicks: number;
  /** 0 means no ask. */
  askUnits: number;
}

export interface MassQuoteCommand extends CommandHeader {
  kind: 'mass_quote';
  partyId: string;
  entries: readonly QuoteEntry[];
  selfTrade?: SelfTradeMode;
}

export interface MassCancelCommand extends CommandHeader {
  kind: 'mass_cancel';
  /** At least one of partyId and noteId; both means that party's orders on that note. */
  partyId?: string;
  noteId?: string;
}

export interface HaltCommand extends CommandHeader {
  kind: 'halt' | 'resume';
  noteId: string;
}

export interface ExpireCommand extends CommandHeader {
  kind: 'expire';
  /** Also expire every DAY order (the service sends this at the end of the business day). */
  dayOrders?: boolean;
}

export type Command =
  | RegisterNoteCommand
  | NewOrderCommand
  | CancelCommand
  | CancelReplaceCommand
  | MassQuoteCommand
  | MassCancelCommand
  | HaltCommand
  | ExpireCommand;

export type CancelReason = 'cancel_requested' | 'mass_cancel' | 'self_trade' | 'ioc_remainder' | 'market_remainder' | 'quote_replaced';

export interface AcceptedEvent {
  type: 'accepted';
  seq: number;
  command: CommandKind;
  noteId: string | null;
  orderId: string | null;
}

export interface RejectedEvent {
  type: 'rejected';
  seq: number;
  command: CommandKind | 'unknown';
  code: RejectCode;
  noteId: string | null;
  orderId: string | null;
}

export interface FillEvent {
  type: 'fill';
  seq: number;
  noteId: string;
  priceTicks: number;
  quantityUnits: number;
  takerSide: Side;
  makerOrderId: string;
  makerPartyId: string;
  makerLeavesUnits: number;
  takerOrderId: string;
  takerPartyId: string;
  takerLeavesUnits: number;
}

export interface CancelledEvent {
  type: 'cancelled';
  seq: number;
  noteId: string;
  orderId: string;
  partyId: string;
  reason: CancelReason;
  /** Units cancelled by this event; the order is finished when leavesUnits is 0. */
  cancelledUnits: number;
  leavesUnits: number;
}

export interface ExpiredEvent {
  type: 'expired';
  seq: number;
  noteId: string;
  orderId: string;
  partyId: string;
  expiredUnits: number;
}

export interface ReplacedEvent {
  type: 'replaced';
  seq: number;
  noteId: string;
  orderId: string;
  priceTicks: number;
  quantityUnits: number;
  leavesUnits: number;
  priorityKept: boolean;
}

export interface BookChangeEvent {
  type: 'book_change';
  seq: number;
  noteId: string;
  side: Side;
  priceTicks: number;
  /** The level's new aggregate leaves; 0 with orderCount 0 means the level is gone. */
  sizeUnits: number;
  orderCount: number;
}

export interface QuoteReplacedEvent {
  type: 'quote_replaced';
  seq: number;
  noteId: string;
  partyId: string;
  bidOrderId: string | null;
  bidPriceTicks: number;
  bidUnits: number;
  askOrderId: string | null;
  askPriceTicks: number;
  askUnits: number;
}

export type EngineEvent =
  | AcceptedEvent
  | RejectedEvent
  | FillEvent
  | CancelledEvent
  | ExpiredEvent
  | ReplacedEvent
  | BookChangeEvent
  | QuoteReplacedEvent;

export type OrderStatus = 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'expired';

/** The state of a live order, for the service and for market data (level 3). */
export interface OrderView {
  orderId: string;
  noteId: string;
  partyId: string;
  side: Side;
  priceTicks: number;
  quantityUnits: number;
  filledUnits: number;
  leavesUnits: number;
  cancelledUnits: number;
  status: OrderStatus;
  timeInForce: TimeInForce;
  expireAt: number;
  postOnly: boolean;
  selfTrade: SelfTradeMode;
  isQuote: boolean;
  /** Acceptance number: rises with every order the engine accepts. */
  orderNo: number;
}

export interface LevelView {
  priceTicks: number;
  sizeUnits: number;
  orderCount: number;
}

export interface EngineLimits {
  /** Largest quantity of one order, in units (the engine keeps quantities in 32-bit integers). */
  quantityUnitsMax: number;
  /** Widest tick band of a note (the book keeps a dense index over the band). */
  bandTicksMax: number;
  notesMax: number;
  ordersOpenPerPartyMax: number;
  massQuoteEntriesMax: number;
  idLengthMax: number;
}

export const DEFAULT_LIMITS: Readonly<EngineLimits> = Object.freeze({
  quantityUnitsMax: 2_147_483_647,
  bandTicksMax: 1 << 20,
  notesMax: 10_000,
  ordersOpenPerPartyMax: 1_000_000,
  massQuoteEntriesMax: 1_000,
  idLengthMax: 128,
});
