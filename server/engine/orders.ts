/**
 * Handlers of the order commands: new order, cancel, cancel/replace. Each validates completely
 * (codes.ts precedence) before it changes anything, so a rejection leaves the state untouched.
 *
 * Guarantees: exactly one accepted/rejected event per command, first; a taker that does not rest
 * never takes a slot in the pool; an order rests only with leaves > 0 and only if the book stays
 * uncrossed (asserted).
 */
import { assert } from './assert.js';
import type { RejectCode } from './codes.js';
import type { Core, NoteBook } from './core.js';
import { canFillEntirely, matchTaker } from './matching.js';
import { hashId } from './order-index.js';
import { LAYOUT } from './order-pool.js';
import { LEVEL_LAYOUT } from './price-levels.js';
import { checkQuantityAndPrice, isId, isTimestamp, stpCode, tifCode, wouldTake } from './validate.js';
import type { CancelCommand, CancelReplaceCommand, NewOrderCommand } from './types.js';

const {
  CANCELLED,
  FILLED,
  FLAG_LIVE,
  FLAG_POST_ONLY,
  FLAGS,
  HASH,
  LEAVES,
  NIL,
  NOTE,
  PARTY,
  PARTY_NEXT,
  PARTY_PREV,
  PRICE,
  QUANTITY,
  SHIFT,
  SIDE_SELL,
  STP_MASK,
  STP_SHIFT,
  TIF_FOK,
  TIF_GTD,
  TIF_IOC,
  TIF_MASK,
  TIF_SHIFT,
} = LAYOUT;
const { LEVEL_COUNT } = LEVEL_LAYOUT;

function reject(
  core: Core,
  seq: number,
  command: 'new_order' | 'cancel' | 'cancel_replace',
  code: RejectCode,
  noteId: unknown,
  orderId: unknown,
): void {
  core.sink.rejected(seq, command, code, typeof noteId === 'string' ? noteId : null, typeof orderId === 'string' ? orderId : null);
}

export function newOrder(core: Core, command: NewOrderCommand): void {
  const seq = command.seq;
  const { noteId, orderId, partyId, side, type, timeInForce } = command;
  const limits = core.limits;
  const isBuy = side === 'buy';
  const isMarket = type === 'market';
  const tif = tifCode(timeInForce);
  const stp = stpCode(command.selfTrade);
  const postOnly = command.postOnly;
  const expireAt = tif === TIF_GTD ? command.expireAt : 0;
  if (
    !isId(noteId, limits.idLengthMax) ||
    !isId(orderId, limits.idLengthMax) ||
    !isId(partyId, limits.idLengthMax) ||
    (!isBuy && side !== 'sell') ||
    (!isMarket && type !== 'limit') ||
    tif < 0 ||
    stp < 0 ||
    (postOnly !== undefined && postOnly !== true && postOnly !== false) ||
    (isMarket && (postOnly === true || (tif !== TIF_IOC && tif !== TIF_FOK))) ||
    (postOnly === true && (tif === TIF_IOC || tif === TIF_FOK)) ||
    (tif === TIF_GTD && !(isTimestamp(expireAt) && isTimestamp(command.timestamp) && expireAt > command.timestamp))
  ) {
    return reject(core, seq, 'new_order', 'INVALID_COMMAND', noteId, orderId);
  }
  const note = core.noteOf(noteId);
  if (note === undefined) return reject(core, seq, 'new_order', 'UNKNOWN_NOTE', noteId, orderId);
  if (note.halted) return reject(core, seq, 'new_order', 'NOTE_HALTED', noteId, orderId);
  const quantity = command.quantityUnits;
  const price = command.priceTicks;
  const fieldCode = checkQuantityAndPrice(note, quantity, price, limits.quantityUnitsMax, !isMarket, false);
  if (fieldCode !== null) return reject(core, seq, 'new_order', fieldCode, noteId, orderId);
  const hash = hashId(orderId);
  if (core.orders.find(orderId, hash) !== NIL) return reject(core, seq, 'new_order', 'DUPLICATE_ORDER_ID', noteId, orderId);
  const party = core.parties.intern(partyId);
  if (core.parties.open[party]! >= limits.ordersOpenPerPartyMax) {
    return reject(core, seq, 'new_order', 'LIMIT_EXCEEDED', noteId, orderId);
  }
  const limitOffset = isMarket ? (isBuy ? note.band - 1 : 0) : price - note.minPriceTicks;
  const takes = wouldTake(note, isBuy, limitOffset);
  if (postOnly === true && takes) {
    return reject(core, seq, 'new_order', 'POST_ONLY_WOULD_TAKE', noteId, orderId);
  }
  if (tif === TIF_FOK && !canFillEntirely(core, note, isBuy, limitOffset, party, stp, quantity)) {
    return reject(core, seq, 'new_order', 'FOK_NOT_FILLABLE', noteId, orderId);
  }

  core.sink.accepted(seq, 'new_order', noteId, orderId);
  const orderNo = core.nextOrderNo++;
  core.takerLeaves = quantity;
  core.takerFilled = 0;
  core.takerCancelled = 0;
  core.takerStopped = false;
  if (takes) matchTaker(core, note, isBuy, limitOffset, party, stp, orderId, partyId, seq);
  const leaves = core.takerLeaves;
  if (leaves === 0) return;
  if (isMarket || tif === TIF_IOC) {
    assert(!core.takerStopped, 'stopped taker with leaves');
    core.sink.cancelled(seq, noteId, orderId, partyId, isMarket ? 'market_remainder' : 'ioc_remainder', leaves, 0);
    return;
  }
  assert(tif !== TIF_FOK, 'fill-or-kill order left with leaves');
  const flags = FLAG_LIVE | (isBuy ? 0 : SIDE_SELL) | (tif << TIF_SHIFT) | (stp << STP_SHIFT) | (postOnly === true ? FLAG_POST_ONLY : 0);
  restNewOrder(core, note, orderId, hash, party, flags, price, quantity, orderNo, expireAt as number, seq);
}

/**
 * Puts an accepted order's remainder on the book (the taker scratch gives its history so far)
 * and reports the level; returns its slot.
 *
 * Every order that rests passes here, so after the level (Core.appendToLevel) the rest of
 * Core.registerResting is written out, as Core.cancelResting does on the way out: V8 inlines
 * only so much bytecode into one function, and what it does not inline costs a call each time.
 */
export function restNewOrder(
  core: Core,
  note: NoteBook,
  orderId: string,
  hash: number,
  party: number,
  flags: number,
  price: number,
  quantity: number,
  orderNo: number,
  expireAt: number,
  seq: number,
): number {
  const pool = core.pool;
  const slot = pool.allocate();
  const data = pool.data;
  const base = slot << SHIFT;
  pool.ids[slot] = orderId;
  pool.expireAt[slot] = expireAt;
  pool.setOrderNo(slot, orderNo);
  // The integer parameters are made int32 once here: stored into the Int32Array as they come,
  // each would pay a round trip through float64.
  data[base + HASH] = hash | 0;
  data[base + FLAGS] = flags | 0;
  data[base + NOTE] = note.index;
  data[base + PARTY] = party | 0;
  data[base + PRICE] = price | 0;
  data[base + QUANTITY] = quantity | 0;
  data[base + FILLED] = core.takerFilled;
  data[base + CANCELLED] = core.takerCancelled;
  data[base + LEAVES] = core.takerLeaves;
  const level = core.appendToLevel(note, slot);
  // The party's list of live orders, in acceptance order; the index; the expiry queue.
  const parties = core.parties;
  const partyTail = parties.tail[party]!;
  data[base + PARTY_PREV] = partyTail;
  data[base + PARTY_NEXT] = NIL;
  if (partyTail === NIL) parties.head[party] = slot;
  else data[(partyTail << SHIFT) + PARTY_NEXT] = slot;
  parties.tail[party] = slot;
  parties.open[party]!++;
  core.orders.insert(slot);
  if ((flags & TIF_MASK) === TIF_GTD << TIF_SHIFT) core.expiry.push(expireAt, orderNo, slot);
  const bid = note.bids.best;
  const ask = note.asks.best;
  assert(bid === NIL || ask === NIL || bid < ask, 'book crossed at rest');
  const levels = core.levels;
  core.sink.bookChange(
    seq,
    note.noteId,
    (flags & SIDE_SELL) === 0 ? 'buy' : 'sell',
    price,
    levels.size[level]!,
    levels.links[(level << 2) + LEVEL_COUNT]!,
  );
  return slot;
}

export function assertUncrossed(note: NoteBook): void {
  const bid = note.bids.best;
  const ask = note.asks.best;
  assert(bid === NIL || ask === NIL || bid < ask, 'book crossed at rest');
}

/** Finds the live order `orderId` on `note` owned by `partyId`, or returns the rejection code. */
function findOwnOrder(core: Core, note: NoteBook, orderId: string, partyId: string): number | RejectCode {
  const slot = core.findOrder(orderId);
  if (slot === NIL || core.pool.get(slot, NOTE) !== note.index) return 'UNKNOWN_ORDER';
  if (core.parties.ids[core.pool.get(slot, PARTY)] !== partyId) return 'NOT_ORDER_OWNER';
  return slot;
}

export function cancel(core: Core, command: CancelCommand): void {
  const seq = command.seq;
  const { noteId, orderId, partyId } = command;
  const idMax = core.limits.idLengthMax;
  if (!isId(noteId, idMax) || !isId(orderId, idMax) || !isId(partyId, idMax)) {
    return reject(core, seq, 'cancel', 'INVALID_COMMAND', noteId, orderId);
  }
  const note = core.noteOf(noteId);
  if (note === undefined) return reject(core, seq, 'cancel', 'UNKNOWN_NOTE', noteId, orderId);
  const slot = findOwnOrder(core, note, orderId, partyId);
  if (typeof slot === 'string') return reject(core, seq, 'cancel', slot, noteId, orderId);
  core.sink.accepted(seq, 'cancel', noteId, orderId);
  core.cancelResting(note, slot, 'cancel_requested', seq);
}

export function cancelReplace(core: Core, command: CancelReplaceCommand): void {
  const seq = command.seq;
  const { noteId, orderId, partyId } = command;
  const idMax = core.limits.idLengthMax;
  if (!isId(noteId, idMax) || !isId(orderId, idMax) || !isId(partyId, idMax)) {
    return reject(core, seq, 'cancel_replace', 'INVALID_COMMAND', noteId, orderId);
  }
  const note = core.noteOf(noteId);
  if (note === undefined) return reject(core, seq, 'cancel_replace', 'UNKNOWN_NOTE', noteId, orderId);
  if (note.halted) return reject(core, seq, 'cancel_replace', 'NOTE_HALTED', noteId, orderId);
  const quantity = command.quantityUnits;
  const price = command.priceTicks;
  const fieldCode = checkQuantityAndPrice(note, quantity, price, core.limits.quantityUnitsMax, true, false);
  if (fieldCode !== null) return reject(core, seq, 'cancel_replace', fieldCode, noteId, orderId);
  const slot = findOwnOrder(core, note, orderId, partyId);
  if (typeof slot === 'string') return reject(core, seq, 'cancel_replace', slot, noteId, orderId);
  const data = core.pool.data;
  const base = slot << SHIFT;
  const done = data[base + FILLED]! + data[base + CANCELLED]!;
  if (quantity <= done) return reject(core, seq, 'cancel_replace', 'QUANTITY_BELOW_FILLED', noteId, orderId);
  const flags = data[base + FLAGS]!;
  const isBuy = (flags & SIDE_SELL) === 0;
  const offset = price - note.minPriceTicks;
  if ((flags & FLAG_POST_ONLY) !== 0 && wouldTake(note, isBuy, offset)) {
    return reject(core, seq, 'cancel_replace', 'POST_ONLY_WOULD_TAKE', noteId, orderId);
  }

  core.sink.accepted(seq, 'cancel_replace', noteId, orderId);
  const newLeaves = quantity - done;
  if (price === data[base + PRICE] && quantity <= data[base + QUANTITY]!) {
    // Same price, size not up: shrink in place and keep time priority.
    const cut = data[base + LEAVES]! - newLeaves;
    const level = (isBuy ? note.bids : note.asks).index[offset]!;
    data[base + LEAVES] = newLeaves;
    data[base + QUANTITY] = quantity;
    core.levels.size[level]! -= cut;
    core.sink.replaced(seq, noteId, orderId, price, quantity, newLeaves, true);
    if (cut > 0) core.emitLevelState(note, !isBuy, price, level, seq);
    return;
  }
  // New price or more size: out of the queue, then in again as a new arrival at the new price.
  core.sink.replaced(seq, noteId, orderId, price, quantity, newLeaves, false);
  core.removeFromLevel(note, slot, seq);
  data[base + PRICE] = price;
  data[base + QUANTITY] = quantity;
  data[base + LEAVES] = newLeaves;
  core.takerLeaves = newLeaves;
  core.takerFilled = data[base + FILLED]!;
  core.takerCancelled = data[base + CANCELLED]!;
  core.takerStopped = false;
  if (wouldTake(note, isBuy, offset)) {
    const stp = (flags & STP_MASK) >>> STP_SHIFT;
    matchTaker(core, note, isBuy, offset, data[base + PARTY]!, stp, orderId, partyId, seq);
  }
  data[base + LEAVES] = core.takerLeaves;
  data[base + FILLED] = core.takerFilled;
  data[base + CANCELLED] = core.takerCancelled;
  if (core.takerLeaves === 0) {
    core.finish(slot);
    return;
  }
  const level = core.appendToLevel(note, slot);
  assertUncrossed(note);
  core.emitLevelState(note, !isBuy, price, level, seq);
}
