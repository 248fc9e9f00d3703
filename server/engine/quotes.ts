/**
 * Dealer quotes: the mass quote command. A quote is a dealer's bid and ask on one note; it rests
 * as ordinary GTC limit orders flagged as quote orders, so it matches, rests and is cancelled
 * like any order. A dealer has at most one quote per note; the next quote replaces it.
 *
 * Guarantees: all-or-nothing validation (every entry is checked before the first change); per
 * entry, the previous quote's live orders are cancelled (reason quote_replaced) before the new
 * ones enter; the bid enters before the ask. A quote side that crosses the book trades as taker.
 */
import type { RejectCode } from './codes.js';
import { rejectRank } from './codes.js';
import type { Core, NoteBook, QuoteRecord } from './core.js';
import { matchTaker } from './matching.js';
import { hashId } from './order-index.js';
import { LAYOUT } from './order-pool.js';
import { restNewOrder } from './orders.js';
import type { MassQuoteCommand, QuoteEntry } from './types.js';
import { checkQuantityAndPrice, isId, stpCode, wouldTake } from './validate.js';

const { FLAG_LIVE, FLAG_QUOTE, NIL, SIDE_SELL, STP_SHIFT, TIF_GTC, TIF_SHIFT } = LAYOUT;

export function massQuote(core: Core, command: MassQuoteCommand): void {
  const seq = command.seq;
  const failure = validateMassQuote(core, command);
  if (failure !== null) {
    core.sink.rejected(seq, 'mass_quote', failure.code, failure.noteId, null);
    return;
  }
  core.sink.accepted(seq, 'mass_quote', null, null);
  const partyId = command.partyId;
  const party = core.parties.intern(partyId);
  const stp = stpCode(command.selfTrade);
  for (const entry of command.entries) {
    const note = core.noteOf(entry.noteId)!;
    const previous = note.quotes.get(party);
    if (previous !== undefined) {
      if (core.isLiveOrder(previous.bidSlot, previous.bidOrderNo)) {
        core.cancelResting(note, previous.bidSlot, 'quote_replaced', seq);
      }
      if (core.isLiveOrder(previous.askSlot, previous.askOrderNo)) {
        core.cancelResting(note, previous.askSlot, 'quote_replaced', seq);
      }
    }
    const hasBid = entry.bidUnits > 0;
    const hasAsk = entry.askUnits > 0;
    core.sink.quoteReplaced(
      seq,
      note.noteId,
      partyId,
      hasBid ? entry.bidOrderId : null,
      hasBid ? entry.bidPriceTicks : 0,
      hasBid ? entry.bidUnits : 0,
      hasAsk ? entry.askOrderId : null,
      hasAsk ? entry.askPriceTicks : 0,
      hasAsk ? entry.askUnits : 0,
    );
    const record: QuoteRecord = { bidSlot: NIL, bidOrderNo: 0, askSlot: NIL, askOrderNo: 0 };
    if (hasBid) {
      record.bidOrderNo = core.nextOrderNo;
      record.bidSlot = enterQuoteSide(core, note, true, entry.bidOrderId, party, partyId, stp, entry.bidPriceTicks, entry.bidUnits, seq);
    }
    if (hasAsk) {
      record.askOrderNo = core.nextOrderNo;
      record.askSlot = enterQuoteSide(core, note, false, entry.askOrderId, party, partyId, stp, entry.askPriceTicks, entry.askUnits, seq);
    }
    note.quotes.delete(party);
    if (record.bidSlot !== NIL || record.askSlot !== NIL) note.quotes.set(party, record);
  }
}

/** Enters one side of a quote as a GTC limit order; returns its slot if it rests, else NIL. */
function enterQuoteSide(
  core: Core,
  note: NoteBook,
  isBuy: boolean,
  orderId: string,
  party: number,
  partyId: string,
  stp: number,
  price: number,
  quantity: number,
  seq: number,
): number {
  const orderNo = core.nextOrderNo++;
  const offset = price - note.minPriceTicks;
  core.takerLeaves = quantity;
  core.takerFilled = 0;
  core.takerCancelled = 0;
  core.takerStopped = false;
  if (wouldTake(note, isBuy, offset)) matchTaker(core, note, isBuy, offset, party, stp, orderId, partyId, seq);
  if (core.takerLeaves === 0) return NIL;
  const flags = FLAG_LIVE | FLAG_QUOTE | (isBuy ? 0 : SIDE_SELL) | (TIF_GTC << TIF_SHIFT) | (stp << STP_SHIFT);
  return restNewOrder(core, note, orderId, hashId(orderId), party, flags, price, quantity, orderNo, 0, seq);
}

interface Failure {
  code: RejectCode;
  noteId: string | null;
}

function validateMassQuote(core: Core, command: MassQuoteCommand): Failure | null {
  const limits = core.limits;
  const entries: unknown = command.entries;
  if (!isId(command.partyId, limits.idLengthMax) || stpCode(command.selfTrade) < 0 || !Array.isArray(entries) || entries.length === 0) {
    return { code: 'INVALID_COMMAND', noteId: null };
  }
  const notes = new Set<string>();
  const orderIds = new Set<string>();
  for (const entry of entries as unknown[]) {
    if (!isEntryShape(entry, limits.idLengthMax) || notes.has(entry.noteId)) return { code: 'INVALID_COMMAND', noteId: null };
    notes.add(entry.noteId);
    for (const [units, id] of [
      [entry.bidUnits, entry.bidOrderId],
      [entry.askUnits, entry.askOrderId],
    ] as const) {
      if (units === 0) continue;
      if (!isId(id, limits.idLengthMax) || orderIds.has(id)) return { code: 'INVALID_COMMAND', noteId: null };
      orderIds.add(id);
    }
  }
  let best: Failure | null = null;
  for (const entry of entries as QuoteEntry[]) {
    const code = entryCode(core, entry);
    if (code !== null && (best === null || rejectRank(code) < rejectRank(best.code))) {
      best = { code, noteId: entry.noteId };
    }
  }
  if (best !== null) return best;
  if (entries.length > limits.massQuoteEntriesMax) return { code: 'LIMIT_EXCEEDED', noteId: null };
  const party = core.parties.find(command.partyId);
  let open = party === NIL ? 0 : core.parties.open[party]!;
  for (const entry of entries as QuoteEntry[]) {
    const note = core.noteOf(entry.noteId)!;
    const previous = party === NIL ? undefined : note.quotes.get(party);
    if (previous !== undefined) {
      if (core.isLiveOrder(previous.bidSlot, previous.bidOrderNo)) open--;
      if (core.isLiveOrder(previous.askSlot, previous.askOrderNo)) open--;
    }
    open += (entry.bidUnits > 0 ? 1 : 0) + (entry.askUnits > 0 ? 1 : 0);
  }
  if (open > limits.ordersOpenPerPartyMax) return { code: 'LIMIT_EXCEEDED', noteId: null };
  return null;
}

function isEntryShape(entry: unknown, idLengthMax: number): entry is QuoteEntry {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return isId(e.noteId, idLengthMax) && typeof e.bidOrderId === 'string' && typeof e.askOrderId === 'string';
}

/** The first failing check of one entry, in precedence order, over both of its sides. */
function entryCode(core: Core, entry: QuoteEntry): RejectCode | null {
  const note = core.noteOf(entry.noteId);
  if (note === undefined) return 'UNKNOWN_NOTE';
  if (note.halted) return 'NOTE_HALTED';
  const qMax = core.limits.quantityUnitsMax;
  const bidCode = checkQuantityAndPrice(note, entry.bidUnits, entry.bidPriceTicks, qMax, true, true);
  const askCode = checkQuantityAndPrice(note, entry.askUnits, entry.askPriceTicks, qMax, true, true);
  if (bidCode !== null || askCode !== null) {
    if (bidCode === null) return askCode;
    if (askCode === null) return bidCode;
    return rejectRank(bidCode) <= rejectRank(askCode) ? bidCode : askCode;
  }
  if (entry.bidUnits > 0 && entry.askUnits > 0 && entry.bidPriceTicks >= entry.askPriceTicks) return 'QUOTE_CROSSED';
  if (
    (entry.bidUnits > 0 && core.findOrder(entry.bidOrderId) !== NIL) ||
    (entry.askUnits > 0 && core.findOrder(entry.askOrderId) !== NIL)
  ) {
    return 'DUPLICATE_ORDER_ID';
  }
  return null;
}
