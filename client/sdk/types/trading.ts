/**
 * Trading: orders and their results, fills (executions) with their money breakdown, a dealer's
 * quotes and their re-pricing, and positions. Prices, quantities and cash are decimal strings.
 */
import type { Side, TimeInForce } from './common.js';
import type { ChainState } from './registry.js';

export interface OrderRequest {
  clOrdId: string;
  noteId: string;
  side: Side;
  type: 'limit' | 'market';
  price?: string;
  quantity: string;
  timeInForce?: TimeInForce;
  expireAt?: string;
  postOnly?: boolean;
  stpMode?: 'cancel_newest' | 'cancel_oldest' | 'cancel_both' | 'decrement_and_cancel';
}

export type OrderStatus = 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface Order {
  id: string;
  clOrdId: string;
  partyId: string;
  noteId: string;
  side: Side;
  type: 'limit' | 'market';
  price: string | null;
  quantity: string;
  timeInForce: TimeInForce;
  expireAt: string | null;
  postOnly: boolean;
  stpMode: string;
  source: string;
  status: OrderStatus;
  filledQuantity: string;
  leavesQuantity: string;
  cancelledQuantity: string;
  averagePrice: string | null;
  rejectCode: string | null;
  rejectReason: string | null;
  tradeDate: string;
  createdAt: string;
  updatedAt: string;
  /** Only on a quote side entered as a spread: the spread in bp its price was derived from. */
  spreadBp?: string;
}

/**
 * A fill / execution: one trade from the viewer's side, with the full money breakdown. Listed by
 * GET /executions once the on-chain registry has been on, it also carries `registry`: the state of
 * its settlement's transfer on chain (null until the trade settles). Fills in order results and on
 * the WebSocket never carry it.
 */
export interface Execution {
  tradeId: string;
  orderId: string | null;
  noteId: string;
  side: Side;
  price: string;
  quantity: string;
  factor: string;
  principal: string;
  accruedInterest: string;
  netAmount: string;
  tradeDate: string;
  settlementDate: string;
  liquidity: 'maker' | 'taker';
  venue: 'clob' | 'rfq';
  executedAt: string;
  registry?: ChainState | null;
  /** GET /executions only: how the trade was done — two orders in the book, a dealer's quote, or an RFQ. */
  venueType?: 'book' | 'quote' | 'rfq';
  /** GET /executions only: the trade's settlement instruction status; null before one exists. */
  settlementStatus?: 'pending' | 'settled' | 'failed' | 'cancelled' | null;
  settledDate?: string | null;
  /** A trade re-amounted at its note's new factor before it settled: the amounts it was traded at. */
  adjustment?: { paymentDate: string; original: { factor: string; principal: string; accruedInterest: string; netAmount: string } };
}

/** `warnings`: warn-mode concentration limits the order breaches (it was accepted). */
export interface OrderResult {
  order: Order;
  fills: Execution[];
  warnings?: {
    code: 'CONCENTRATION_LIMIT';
    breaches: {
      by: string;
      key: string;
      name: string;
      mode: 'warn' | 'hard';
      maxSharePercent: string;
      sharePercentBefore: string;
      sharePercentAfter: string;
    }[];
  }[];
}

export interface QuoteInput {
  noteId: string;
  bidPrice?: string;
  /** Instead of bidPrice: a spread in bp over the benchmark; the server derives the price. */
  bidSpreadBp?: string;
  bidSize: string;
  askPrice?: string;
  /** Instead of askPrice: a spread in bp over the benchmark; the server derives the price. */
  askSpreadBp?: string;
  askSize: string;
}
export interface QuotesResult {
  quotes: Order[];
  fills: Execution[];
}
export interface LiveQuoteSide {
  orderId: string;
  price: string;
  size: string;
  /** A side entered as a spread: its spread in bp; the price is re-derived from it when the curve or the date moves. */
  spreadBp?: string;
}
/** A spread quote re-priced (or pulled, with the reason) when the benchmark curve or the business date moved. */
export interface QuoteReprice {
  noteId: string;
  seq: number;
  trigger: 'curve' | 'business_date' | 'start' | 'resume';
  outcome: 'repriced' | 'pulled';
  reasonCode: string | null;
  reason: string | null;
  bidSpreadBp: string | null;
  askSpreadBp: string | null;
  previousBidPrice: string | null;
  previousAskPrice: string | null;
  bidPrice: string | null;
  askPrice: string | null;
  curve: { name: string; date: string } | null;
  businessDate: string;
  at: string;
}
/** One note this dealer quotes: the resting bid and ask (size left), null for an empty side. */
export interface LiveQuote {
  noteId: string;
  bid: LiveQuoteSide | null;
  ask: LiveQuoteSide | null;
}

/** A position as GET /api/v1/positions answers it (decimal strings; see docs/API-GUIDE.md "Positions"). */
export interface Position {
  noteId: string;
  originalFace: string;
  factor: string;
  currentFace: string;
  markPrice: string;
  markSource: 'mid' | 'last' | 'model';
  marketValue: string;
  accruedInterest: string;
  averageCost: string;
  unrealizedPnl: string;
  realizedPnl: string;
  pendingFace: string;
  pendingCash: string;
  /** Modified duration to the ARD under the base scenario at the mark; null when the deal cannot be projected. */
  modifiedDuration: string | null;
  /** (marketValue + accruedInterest) × modifiedDuration × 0.0001, in cents. */
  dv01: string | null;
  /** The last trade dated before today's business date, else the model price. */
  previousClose: string;
  previousCloseSource: 'last' | 'model';
  /** Mark change on the face carried over + today's trades against the mark / previous close (see the guide). */
  dayPnl: string;
}
