/**
 * Order entry inside the sequencer: place, cancel and cancel/replace. Each runs synchronously in
 * the sequencer's loop, validates completely before it changes anything, sets aside the order's
 * worst case (risk), hands the engine one command and applies the engine's events.
 *
 * Guarantees: a rejection leaves books, holds and counters as they were (the rejected order is
 * recorded so that a retry of its clOrdId answers the same); an accepted order always has a hold
 * covering everything it can still trade.
 */
import { Decimal } from '../domain/decimal.js';
import type { SelfTradeMode, TimeInForce, Side } from '../engine/index.js';
import { CASH_ASSET } from '../ledger/types.js';
import { buyHold, MARKET_COLLAR_POINTS, sellHold } from '../risk/holds.js';
import type { Instrument } from '../refdata/instrument.js';
import type { RejectionCode } from '../core/rejections.js';
import { applyEvents } from './apply-events.js';
import { assertInsideBand, bandViolation } from './price-band.js';
import { clOrdIdKey } from './batch.js';
import { DuplicateClOrdId, ENGINE_TO_API, TradingRejection } from './rejections.js';
import { executionFor, orderToApi, type OrderRecord } from './records.js';
import type { TradingState } from './state.js';

export interface PlaceOrderInput {
  partyId: string;
  noteId: string;
  clOrdId: string;
  requestHash: string;
  side: Side;
  type: 'limit' | 'market';
  price: Decimal | null;
  quantity: Decimal;
  timeInForce: TimeInForce;
  expireAt: Date | null;
  postOnly: boolean;
  stpMode: SelfTradeMode;
  source?: 'order' | 'quote';
}

export function placeOrder(state: TradingState, input: PlaceOrderInput) {
  const instrument = requireInstrument(state, input.noteId);
  const clOrdKey = clOrdIdKey(input.partyId, input.clOrdId);
  const earlier = state.clOrdIds.get(clOrdKey) ?? state.currentBatch().storedClOrdIds.get(clOrdKey);
  if (earlier) throw new DuplicateClOrdId(earlier.orderId, earlier.requestHash === input.requestHash);
  const order = newOrderRecord(state, input);
  state.clOrdIds.set(clOrdKey, { orderId: order.id, requestHash: input.requestHash });
  const reject = (code: RejectionCode, details: Record<string, unknown> = {}): never => {
    order.status = 'rejected';
    order.rejectCode = code;
    order.leaves = new Decimal(0);
    state.currentBatch().touch(order);
    throw new TradingRejection(code, details, orderToApi(order));
  };

  // The engine would refuse it too, but only as an invalid command: say what is wrong.
  if (input.timeInForce === 'GTD' && input.expireAt !== null && input.expireAt.getTime() <= state.now.getTime()) {
    return reject('EXPIRE_AT_IN_PAST', { expireAt: input.expireAt.toISOString(), now: state.now.toISOString() });
  }
  const checked = checkOrder(state, instrument, input);
  if (typeof checked === 'string') return reject(checked);
  // Market orders are held to their collar instead; a limit price must lie in the note's band.
  if (input.type === 'limit') {
    const violation = bandViolation(state, instrument, input.price!);
    if (violation) return reject('PRICE_OUTSIDE_BAND', { price: input.price!.toFixed(), ...violation });
  }
  const hold = holdFor(state, instrument, input, checked.limitTicks, checked.units);
  if (!state.accounts.open(order.holdReference!, input.partyId, hold.asset, hold.amount)) {
    return reject(hold.asset === CASH_ASSET ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION', { required: hold.amount.toFixed() });
  }
  state.addLiveOrder(order);
  const seq = state.nextSeq();
  const events = state.applyToEngine({
    kind: 'new_order',
    seq,
    timestamp: state.now.getTime(),
    noteId: input.noteId,
    orderId: order.id,
    partyId: input.partyId,
    side: input.side,
    type: 'limit', // a market order enters as a limit at its collar: protection against sweeping the book
    priceTicks: checked.limitTicks,
    quantityUnits: checked.units,
    timeInForce: input.type === 'market' && input.timeInForce !== 'FOK' ? 'IOC' : input.timeInForce,
    ...(input.expireAt ? { expireAt: input.expireAt.getTime() } : {}),
    postOnly: input.postOnly,
    selfTrade: input.stpMode,
  });
  order.createdSeq = seq;
  order.updatedSeq = seq;
  const first = events[0];
  if (first?.type === 'rejected') {
    state.removeLiveOrder(order);
    state.accounts.discard(order.holdReference!);
    return reject(ENGINE_TO_API[first.code], { engineCode: first.code });
  }
  state.addNotional(input.partyId, notionalOf(instrument, input.quantity, instrument.ticksToPrice(checked.limitTicks)));
  state.currentBatch().touch(order);
  const trades = applyEvents(state, events);
  return { order: orderToApi(order), fills: trades.map((t) => executionFor(t, input.partyId)) };
}

function requireInstrument(state: TradingState, noteId: string): Instrument {
  const instrument = state.instruments.get(noteId);
  if (!instrument) throw new TradingRejection('NOTE_NOT_FOUND', { noteId });
  return instrument;
}

function newOrderRecord(state: TradingState, input: PlaceOrderInput): OrderRecord {
  const id = state.newOrderId();
  return {
    id,
    partyId: input.partyId,
    noteId: input.noteId,
    clOrdId: input.clOrdId,
    requestHash: input.requestHash,
    source: input.source ?? 'order',
    side: input.side,
    type: input.type,
    price: input.price,
    quantity: input.quantity,
    timeInForce: input.timeInForce,
    expireAt: input.expireAt,
    postOnly: input.postOnly,
    stpMode: input.stpMode,
    status: 'new',
    filled: new Decimal(0),
    leaves: input.quantity,
    cancelled: new Decimal(0),
    filledNotional: new Decimal(0),
    rejectCode: null,
    rejectReason: null,
    holdReference: `order:${id}`,
    tradeDate: state.businessDate,
    createdSeq: state.lastSeq,
    updatedSeq: state.lastSeq,
    createdAt: state.now,
    updatedAt: state.now,
    spreadBp: null,
  };
}

/** Market rules and limits, in a fixed order so that a doubly wrong order always gets the same code. */
function checkOrder(
  state: TradingState,
  instrument: Instrument,
  input: PlaceOrderInput,
): RejectionCode | { limitTicks: number; units: number } {
  if (!state.eligibleParties.has(input.partyId)) return 'PARTY_NOT_ELIGIBLE';
  if (state.engine.isHalted(input.noteId)) return 'NOTE_HALTED';
  const units = instrument.faceToUnits(input.quantity);
  if (typeof units === 'string') return units;
  const limitTicks = input.type === 'market' ? collarTicks(state, instrument, input.side) : instrument.priceToTicks(input.price!);
  if (typeof limitTicks === 'string') return limitTicks;
  if (input.quantity.gt(state.limits.orderFaceMax)) return 'RISK_LIMIT_EXCEEDED';
  if ((state.openOrderCount.get(input.partyId) ?? 0) >= state.limits.openOrdersMax) return 'RISK_LIMIT_EXCEEDED';
  const notional = notionalOf(instrument, input.quantity, instrument.ticksToPrice(limitTicks));
  if (state.notionalToday(input.partyId).plus(notional).gt(state.limits.dailyNotionalMax)) return 'RISK_LIMIT_EXCEEDED';
  return { limitTicks, units };
}

/** A market order may trade up to the collar beyond the best opposite price at entry. */
function collarTicks(state: TradingState, instrument: Instrument, side: Side): number | RejectionCode {
  const best = side === 'buy' ? state.engine.bestAsk(instrument.id) : state.engine.bestBid(instrument.id);
  if (best === null) return 'NO_LIQUIDITY';
  const collar = MARKET_COLLAR_POINTS.div(instrument.tickSize).floor().toNumber();
  return side === 'buy' ? Math.min(best + collar, instrument.spec.maxPriceTicks) : Math.max(best - collar, instrument.spec.minPriceTicks);
}

function notionalOf(instrument: Instrument, face: Decimal, price: Decimal): Decimal {
  return face.mul(instrument.factor).mul(price).div(100);
}

function holdFor(state: TradingState, instrument: Instrument, input: { side: Side; quantity: Decimal }, limitTicks: number, units: number) {
  if (input.side === 'sell') return { asset: instrument.id, amount: sellHold(input.quantity) };
  const settlement = instrument.settlementDateFor(state.businessDate);
  return { asset: CASH_ASSET, amount: buyHold(instrument, input.quantity, instrument.ticksToPrice(limitTicks), settlement, units) };
}

export function cancelOrder(state: TradingState, partyId: string, orderId: string) {
  const order = ownLiveOrder(state, partyId, orderId);
  const events = state.applyToEngine({
    kind: 'cancel',
    seq: state.nextSeq(),
    timestamp: state.now.getTime(),
    noteId: order.noteId,
    orderId,
    partyId,
  });
  const first = events[0];
  if (first?.type === 'rejected') throw new TradingRejection(ENGINE_TO_API[first.code], { engineCode: first.code });
  applyEvents(state, events);
  return orderToApi(order);
}

export function replaceOrder(state: TradingState, partyId: string, orderId: string, change: { price?: Decimal; quantity?: Decimal }) {
  const order = ownLiveOrder(state, partyId, orderId);
  if (order.type === 'market') throw new TradingRejection('WRONG_STATE', { reason: 'a market order cannot be replaced' });
  const instrument = requireInstrument(state, order.noteId);
  if (state.engine.isHalted(order.noteId)) throw new TradingRejection('NOTE_HALTED');
  const priceTicks = instrument.priceToTicks(change.price ?? order.price!);
  if (typeof priceTicks === 'string') throw new TradingRejection(priceTicks);
  if (change.price) assertInsideBand(state, instrument, change.price, { orderId });
  const quantity = change.quantity ?? order.quantity;
  const units = instrument.faceToUnits(quantity);
  if (typeof units === 'string') throw new TradingRejection(units);
  if (quantity.gt(state.limits.orderFaceMax)) throw new TradingRejection('RISK_LIMIT_EXCEEDED');
  const newLeaves = quantity.minus(order.filled).minus(order.cancelled);
  if (newLeaves.lte(0))
    throw new TradingRejection('WRONG_STATE', { reason: 'the new quantity is not above what is already filled or cancelled' });

  // The hold must cover the new leaves at the new price before the engine can trade them.
  const previousHold = state.accounts.holds.get(order.holdReference!)?.remaining ?? new Decimal(0);
  const leavesUnits = instrument.faceToUnits(newLeaves);
  const needed = holdFor(
    state,
    instrument,
    { side: order.side, quantity: newLeaves },
    priceTicks,
    typeof leavesUnits === 'number' ? leavesUnits : units,
  ).amount;
  if (!state.accounts.resize(order.holdReference!, needed)) {
    throw new TradingRejection(order.side === 'buy' ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION', { required: needed.toFixed() });
  }
  const events = state.applyToEngine({
    kind: 'cancel_replace',
    seq: state.nextSeq(),
    timestamp: state.now.getTime(),
    noteId: order.noteId,
    orderId,
    partyId,
    priceTicks,
    quantityUnits: units,
  });
  const first = events[0];
  if (first?.type === 'rejected') {
    state.accounts.resize(order.holdReference!, previousHold);
    throw new TradingRejection(ENGINE_TO_API[first.code], { engineCode: first.code });
  }
  const trades = applyEvents(state, events);
  return { order: orderToApi(order), fills: trades.map((t) => executionFor(t, partyId)) };
}

function ownLiveOrder(state: TradingState, partyId: string, orderId: string): OrderRecord {
  const order = state.liveOrders.get(orderId);
  // Another party's order is reported as unknown: its existence is not the caller's business.
  if (!order || order.partyId !== partyId) throw new TradingRejection('ORDER_NOT_FOUND', { orderId });
  return order;
}
