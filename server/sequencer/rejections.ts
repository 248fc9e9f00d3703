/**
 * Market rejections of the trading path: the engine's codes and the sequencer's own (risk, limits,
 * eligibility), translated into the API's codes in one place. A rejected order is still recorded
 * (status `rejected`) so that a retry with the same clOrdId gets the same answer.
 */
import type { RejectCode } from '../engine/index.js';
import { Rejection, type RejectionCode } from '../core/rejections.js';
import type { ApiOrder } from './records.js';

export const ENGINE_TO_API: Readonly<Record<RejectCode, RejectionCode>> = {
  INVALID_COMMAND: 'VALIDATION_FAILED',
  UNKNOWN_NOTE: 'NOTE_NOT_FOUND',
  NOTE_ALREADY_REGISTERED: 'WRONG_STATE',
  NOTE_HALTED: 'NOTE_HALTED',
  INVALID_QUANTITY: 'VALIDATION_FAILED',
  BELOW_MIN_QUANTITY: 'BELOW_MIN_DENOMINATION',
  OFF_TICK: 'OFF_TICK',
  PRICE_OUT_OF_BAND: 'PRICE_OUT_OF_BAND',
  QUOTE_CROSSED: 'QUOTE_CROSSED',
  UNKNOWN_ORDER: 'ORDER_NOT_FOUND',
  NOT_ORDER_OWNER: 'ORDER_NOT_FOUND',
  QUANTITY_BELOW_FILLED: 'WRONG_STATE',
  DUPLICATE_ORDER_ID: 'WRONG_STATE',
  LIMIT_EXCEEDED: 'RISK_LIMIT_EXCEEDED',
  POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
  FOK_NOT_FILLABLE: 'FOK_NOT_FILLABLE',
};

export const REJECTION_MESSAGES: Partial<Record<RejectionCode, string>> = {
  NOTE_HALTED: 'trading in this note is halted',
  BELOW_MIN_DENOMINATION: "the quantity is below the note's minimum denomination",
  OFF_INCREMENT: "the quantity is not a multiple of the note's increment",
  ORDER_FACE_TOO_LARGE: "the quantity is above the note's maximum order face (maxOrderFace, default its original face)",
  OFF_TICK: "the price is not a whole number of the note's ticks",
  PRICE_OUT_OF_BAND: 'the price is outside the accepted band (one tick to 200% of par)',
  POST_ONLY_WOULD_TAKE: 'a post-only order would have traded on entry',
  FOK_NOT_FILLABLE: 'a fill-or-kill order could not be filled entirely',
  INSUFFICIENT_FUNDS: "not enough available cash for the order's worst case",
  INSUFFICIENT_POSITION: 'not enough available face to sell (short sales are not allowed)',
  PARTY_NOT_ELIGIBLE: 'the party is not eligible to trade',
  RISK_LIMIT_EXCEEDED: 'a pre-trade risk limit would be exceeded',
  NO_LIQUIDITY: 'a market order needs a price on the other side to set its collar',
  QUOTE_CROSSED: "a quote's bid must be below its ask",
  EXPIRE_AT_IN_PAST: "a GTD order's expireAt must be after the time the order is entered",
  PRICE_OUTSIDE_BAND: "the price is outside the note's price band around its reference price",
};

/** A rejection thrown by a sequencer command; `order` is the recorded rejected order, if any. */
export class TradingRejection extends Rejection {
  constructor(
    code: RejectionCode,
    details: Record<string, unknown> = {},
    readonly order: ApiOrder | null = null,
  ) {
    super(code, REJECTION_MESSAGES[code] ?? code.toLowerCase().replaceAll('_', ' '), order ? { ...details, order } : details);
  }
}

/** The clOrdId was used before: `sameRequest` tells a retry (answer the original) from a conflict. */
export class DuplicateClOrdId extends Rejection {
  constructor(
    readonly orderId: string,
    readonly sameRequest: boolean,
  ) {
    super('DUPLICATE_CL_ORD_ID', 'this clOrdId was already used by the party', { orderId });
  }
}
