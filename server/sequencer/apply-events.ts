/**
 * Turns the engine's events into changes of order records, trades and holds.
 *
 * Guarantees: every fill becomes exactly one trade with its full money breakdown (principal,
 * accrued interest to the settlement date, net), and moves the trade's net cash out of the buy
 * order's hold and its face out of the sell order's hold into holds of the trade (which settlement
 * consumes); an order that ends (filled, cancelled, expired) releases what is left of its hold.
 * For every order, filled + leaves + cancelled = quantity after each event.
 */
import { Decimal } from '../domain/decimal.js';
import type { CancelledEvent, EngineEvent, ExpiredEvent, FillEvent, ReplacedEvent } from '../engine/index.js';
import type { Instrument } from '../refdata/instrument.js';
import type { OrderRecord, TradeRecord } from './records.js';
import type { TradingState } from './state.js';

export function applyEvents(state: TradingState, events: readonly EngineEvent[]): TradeRecord[] {
  const trades: TradeRecord[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'fill':
        trades.push(applyFill(state, event));
        break;
      case 'cancelled':
        applyCancelled(state, event);
        break;
      case 'expired':
        applyExpired(state, event);
        break;
      case 'replaced':
        applyReplaced(state, event);
        break;
      case 'accepted':
      case 'rejected':
      case 'book_change':
      case 'quote_replaced':
        break;
    }
  }
  return trades;
}

function instrumentOf(state: TradingState, noteId: string): Instrument {
  const instrument = state.instruments.get(noteId);
  if (!instrument) throw new Error(`event for unknown note ${noteId}`);
  return instrument;
}

function liveOrder(state: TradingState, orderId: string): OrderRecord {
  const order = state.liveOrders.get(orderId);
  if (!order) throw new Error(`event for an order the sequencer does not know: ${orderId}`);
  return order;
}

function touch(state: TradingState, order: OrderRecord, seq: number): void {
  order.updatedSeq = seq;
  order.updatedAt = state.now;
  state.currentBatch().touch(order);
}

function finishIfDone(state: TradingState, order: OrderRecord, endStatus: OrderRecord['status']): void {
  if (!order.leaves.isZero()) return;
  order.status = order.filled.eq(order.quantity) ? 'filled' : endStatus;
  if (order.holdReference) state.accounts.release(order.holdReference);
  state.removeLiveOrder(order);
}

function applyFill(state: TradingState, event: FillEvent): TradeRecord {
  const instrument = instrumentOf(state, event.noteId);
  const taker = liveOrder(state, event.takerOrderId);
  const maker = liveOrder(state, event.makerOrderId);
  const buy = event.takerSide === 'buy' ? taker : maker;
  const sell = event.takerSide === 'buy' ? maker : taker;
  const price = instrument.ticksToPrice(event.priceTicks);
  const face = instrument.unitsToFace(event.quantityUnits);
  const settlementDate = instrument.settlementDateFor(state.businessDate);
  const amounts = instrument.amounts(face, price, settlementDate);
  const id = state.nextTradeId(event.seq);
  const trade: TradeRecord = {
    id,
    noteId: event.noteId,
    price,
    quantity: face,
    factor: instrument.factor,
    principal: amounts.principal,
    accruedInterest: amounts.accruedInterest,
    netAmount: amounts.netAmount,
    buyerPartyId: buy.partyId,
    sellerPartyId: sell.partyId,
    buyOrderId: buy.id,
    sellOrderId: sell.id,
    makerSide: maker.side,
    venue: 'clob',
    rfqId: null,
    tradeDate: state.businessDate,
    settlementDate,
    buyerHoldReference: `trade:${id}:buyer`,
    sellerHoldReference: `trade:${id}:seller`,
    seq: event.seq,
    executedAt: state.now,
  };
  state.accounts.transfer(requireHold(buy), trade.buyerHoldReference, amounts.netAmount);
  state.accounts.transfer(requireHold(sell), trade.sellerHoldReference, face);
  for (const [order, leavesUnits] of [
    [taker, event.takerLeavesUnits],
    [maker, event.makerLeavesUnits],
  ] as const) {
    order.filled = order.filled.plus(face);
    order.filledNotional = order.filledNotional.plus(face.mul(price));
    order.leaves = instrument.unitsToFace(leavesUnits);
    order.status = 'partially_filled';
    touch(state, order, event.seq);
    finishIfDone(state, order, 'filled');
  }
  state.recordTrade(trade);
  return trade;
}

function requireHold(order: OrderRecord): string {
  if (!order.holdReference) throw new Error(`order ${order.id} traded without a hold`);
  return order.holdReference;
}

function applyCancelled(state: TradingState, event: CancelledEvent): void {
  const instrument = instrumentOf(state, event.noteId);
  const order = liveOrder(state, event.orderId);
  order.cancelled = order.cancelled.plus(instrument.unitsToFace(event.cancelledUnits));
  order.leaves = instrument.unitsToFace(event.leavesUnits);
  if (!event.leavesUnits) order.status = 'cancelled';
  touch(state, order, event.seq);
  if (event.leavesUnits === 0) finishIfDone(state, order, 'cancelled');
  else resizeSellHold(state, order);
}

function applyExpired(state: TradingState, event: ExpiredEvent): void {
  const instrument = instrumentOf(state, event.noteId);
  const order = liveOrder(state, event.orderId);
  order.cancelled = order.cancelled.plus(instrument.unitsToFace(event.expiredUnits));
  order.leaves = new Decimal(0);
  order.status = 'expired';
  touch(state, order, event.seq);
  finishIfDone(state, order, 'expired');
}

function applyReplaced(state: TradingState, event: ReplacedEvent): void {
  const instrument = instrumentOf(state, event.noteId);
  const order = liveOrder(state, event.orderId);
  order.price = instrument.ticksToPrice(event.priceTicks);
  order.quantity = instrument.unitsToFace(event.quantityUnits);
  order.leaves = instrument.unitsToFace(event.leavesUnits);
  touch(state, order, event.seq);
}

/** A sell's hold is exactly its leaves; a partly cancelled buy keeps its (larger) hold until it ends. */
function resizeSellHold(state: TradingState, order: OrderRecord): void {
  if (order.side === 'sell' && order.holdReference) state.accounts.resize(order.holdReference, order.leaves);
}
