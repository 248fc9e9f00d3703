/**
 * The order and trade records the sequencer keeps and persists, and their public (API.md) shapes.
 * Quantities are original face and prices percent of par, as Decimals; the wire gets strings.
 */
import { Decimal } from '../domain/decimal.js';
import { roundPrice } from '../domain/rounding.js';
import type { SelfTradeMode, Side, TimeInForce } from '../engine/index.js';

export type OrderStatus = 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface OrderRecord {
  id: string;
  partyId: string;
  noteId: string;
  clOrdId: string;
  requestHash: string;
  source: 'order' | 'quote';
  side: Side;
  type: 'limit' | 'market';
  price: Decimal | null;
  quantity: Decimal;
  timeInForce: TimeInForce;
  expireAt: Date | null;
  postOnly: boolean;
  stpMode: SelfTradeMode;
  status: OrderStatus;
  filled: Decimal;
  leaves: Decimal;
  cancelled: Decimal;
  filledNotional: Decimal;
  rejectCode: string | null;
  rejectReason: string | null;
  holdReference: string | null;
  tradeDate: string;
  createdSeq: number;
  updatedSeq: number;
  createdAt: Date;
  updatedAt: Date;
  /** A quote side entered as a spread: its spread in bp over the benchmark (the price is derived from it); else null. */
  spreadBp: Decimal | null;
}

export interface TradeRecord {
  id: string;
  noteId: string;
  price: Decimal;
  quantity: Decimal;
  factor: Decimal;
  principal: Decimal;
  accruedInterest: Decimal;
  netAmount: Decimal;
  buyerPartyId: string;
  sellerPartyId: string;
  buyOrderId: string | null;
  sellOrderId: string | null;
  makerSide: Side;
  venue: 'clob' | 'rfq';
  rfqId: string | null;
  tradeDate: string;
  settlementDate: string;
  buyerHoldReference: string;
  sellerHoldReference: string;
  seq: number;
  executedAt: Date;
}

/** Average execution price, shown to 8 decimals (half-even), or null before the first fill. */
export function averagePrice(order: OrderRecord): string | null {
  if (order.filled.isZero()) return null;
  return roundPrice(order.filledNotional.div(order.filled), 8).toFixed();
}

export function orderToApi(order: OrderRecord) {
  return {
    id: order.id,
    clOrdId: order.clOrdId,
    partyId: order.partyId,
    noteId: order.noteId,
    side: order.side,
    type: order.type,
    price: order.price?.toFixed() ?? null,
    quantity: order.quantity.toFixed(),
    timeInForce: order.timeInForce,
    expireAt: order.expireAt?.toISOString() ?? null,
    postOnly: order.postOnly,
    stpMode: order.stpMode,
    source: order.source,
    status: order.status,
    filledQuantity: order.filled.toFixed(),
    leavesQuantity: order.leaves.toFixed(),
    cancelledQuantity: order.cancelled.toFixed(),
    averagePrice: averagePrice(order),
    rejectCode: order.rejectCode,
    rejectReason: order.rejectReason,
    tradeDate: order.tradeDate,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    // Only on quote sides entered as a spread, so every other order keeps its shape.
    ...(order.spreadBp === null ? {} : { spreadBp: order.spreadBp.toFixed() }),
  };
}

export type ApiOrder = ReturnType<typeof orderToApi>;

/** A trade from one party's side: the fill/execution shape of API.md. */
/** A trade's amounts (factor and cash as decimal strings). */
export interface ExecutionAmounts {
  factor: string;
  principal: string;
  accruedInterest: string;
  netAmount: string;
}

/** A trade re-amounted at a new factor before it settled (servicing/reamount.ts). */
export interface ExecutionAdjustment {
  paymentDate: string;
  original: ExecutionAmounts;
  adjusted: ExecutionAmounts;
}

/**
 * A party's view of a trade. A re-amounted trade shows the amounts it settles at, with the
 * original ones and the payment date that changed them under `adjustment`.
 */
export function executionFor(trade: TradeRecord, partyId: string, adjustment: ExecutionAdjustment | null = null) {
  const execution = executionAsTraded(trade, partyId);
  if (adjustment === null) return execution as typeof execution & { adjustment?: { paymentDate: string; original: ExecutionAmounts } };
  return { ...execution, ...adjustment.adjusted, adjustment: { paymentDate: adjustment.paymentDate, original: adjustment.original } };
}

function executionAsTraded(trade: TradeRecord, partyId: string) {
  const side: Side = trade.buyerPartyId === partyId ? 'buy' : 'sell';
  return {
    tradeId: trade.id,
    orderId: side === 'buy' ? trade.buyOrderId : trade.sellOrderId,
    noteId: trade.noteId,
    side,
    price: trade.price.toFixed(),
    quantity: trade.quantity.toFixed(),
    factor: trade.factor.toFixed(),
    principal: trade.principal.toFixed(2),
    accruedInterest: trade.accruedInterest.toFixed(2),
    netAmount: trade.netAmount.toFixed(2),
    tradeDate: trade.tradeDate,
    settlementDate: trade.settlementDate,
    liquidity: trade.makerSide === side ? 'maker' : 'taker',
    venue: trade.venue,
    executedAt: trade.executedAt.toISOString(),
  };
}

export function orderRow(order: OrderRecord): Record<string, unknown> {
  return {
    id: order.id,
    party_id: order.partyId,
    note_id: order.noteId,
    cl_ord_id: order.clOrdId,
    request_hash: order.requestHash,
    source: order.source,
    side: order.side,
    type: order.type,
    price: order.price?.toFixed() ?? null,
    quantity: order.quantity.toFixed(),
    time_in_force: order.timeInForce,
    expire_at: order.expireAt,
    post_only: order.postOnly,
    stp_mode: order.stpMode,
    status: order.status,
    filled_quantity: order.filled.toFixed(),
    leaves_quantity: order.leaves.toFixed(),
    cancelled_quantity: order.cancelled.toFixed(),
    filled_notional: order.filledNotional.toFixed(),
    reject_code: order.rejectCode,
    reject_reason: order.rejectReason,
    hold_reference: order.holdReference,
    trade_date: order.tradeDate,
    created_seq: order.createdSeq,
    updated_seq: order.updatedSeq,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    spread_bp: order.spreadBp?.toFixed() ?? null,
  };
}

export function orderFromRow(row: Record<string, any>): OrderRecord {
  return {
    id: row.id,
    partyId: row.party_id,
    noteId: row.note_id,
    clOrdId: row.cl_ord_id,
    requestHash: row.request_hash,
    source: row.source,
    side: row.side,
    type: row.type,
    price: row.price === null ? null : new Decimal(row.price),
    quantity: new Decimal(row.quantity),
    timeInForce: row.time_in_force,
    expireAt: row.expire_at ? new Date(row.expire_at) : null,
    postOnly: row.post_only,
    stpMode: row.stp_mode,
    status: row.status,
    filled: new Decimal(row.filled_quantity),
    leaves: new Decimal(row.leaves_quantity),
    cancelled: new Decimal(row.cancelled_quantity),
    filledNotional: new Decimal(row.filled_notional),
    rejectCode: row.reject_code,
    rejectReason: row.reject_reason,
    holdReference: row.hold_reference,
    tradeDate: row.trade_date,
    createdSeq: Number(row.created_seq),
    updatedSeq: Number(row.updated_seq),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    spreadBp: row.spread_bp === null || row.spread_bp === undefined ? null : new Decimal(row.spread_bp),
  };
}

export function tradeRow(trade: TradeRecord): Record<string, unknown> {
  return {
    id: trade.id,
    note_id: trade.noteId,
    price: trade.price.toFixed(),
    quantity: trade.quantity.toFixed(),
    factor: trade.factor.toFixed(),
    principal: trade.principal.toFixed(2),
    accrued_interest: trade.accruedInterest.toFixed(2),
    net_amount: trade.netAmount.toFixed(2),
    buyer_party_id: trade.buyerPartyId,
    seller_party_id: trade.sellerPartyId,
    buy_order_id: trade.buyOrderId,
    sell_order_id: trade.sellOrderId,
    maker_side: trade.makerSide,
    venue: trade.venue,
    rfq_id: trade.rfqId,
    trade_date: trade.tradeDate,
    settlement_date: trade.settlementDate,
    buyer_hold_reference: trade.buyerHoldReference,
    seller_hold_reference: trade.sellerHoldReference,
    seq: trade.seq,
    executed_at: trade.executedAt,
  };
}

export function tradeFromRow(row: Record<string, any>): TradeRecord {
  return {
    id: row.id,
    noteId: row.note_id,
    price: new Decimal(row.price),
    quantity: new Decimal(row.quantity),
    factor: new Decimal(row.factor),
    principal: new Decimal(row.principal),
    accruedInterest: new Decimal(row.accrued_interest),
    netAmount: new Decimal(row.net_amount),
    buyerPartyId: row.buyer_party_id,
    sellerPartyId: row.seller_party_id,
    buyOrderId: row.buy_order_id,
    sellOrderId: row.sell_order_id,
    makerSide: row.maker_side,
    venue: row.venue,
    rfqId: row.rfq_id,
    tradeDate: row.trade_date,
    settlementDate: row.settlement_date,
    buyerHoldReference: row.buyer_hold_reference,
    sellerHoldReference: row.seller_hold_reference,
    seq: Number(row.seq),
    executedAt: new Date(row.executed_at),
  };
}
