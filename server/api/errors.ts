/**
 * The one table that maps rejection codes to HTTP statuses, and the error type the edge throws.
 * Every code a client can see is listed here; the error body is
 * `{"error": {"code", "message", "details"}}` (API.md), never a stack trace.
 */
export const HTTP_STATUS_BY_CODE = {
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  INVALID_ISIN: 400,
  INVALID_DECIMAL: 400,
  INVALID_DATE: 400,
  INVALID_AMOUNT: 400,
  UNBALANCED_ENTRY: 400,
  INVALID_ARGUMENT: 400,
  DATE_OUT_OF_RANGE: 400,
  INVALID_SCHEDULE: 400,
  SETTLEMENT_OUT_OF_RANGE: 400,
  INVALID_IDENTIFIER: 400,
  INVALID_FACTOR: 400,
  EMPTY_ENTRY: 400,
  INVALID_WATERFALL: 400,
  INVALID_SCENARIO: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOTE_NOT_FOUND: 404,
  DEAL_NOT_FOUND: 404,
  PARTY_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  SETTLEMENT_NOT_FOUND: 404,
  SETTLEMENT_RUN_NOT_FOUND: 404,
  DISTRIBUTION_NOT_FOUND: 404,
  RFQ_NOT_FOUND: 404,
  RESPONSE_NOT_FOUND: 404,
  REGISTRY_ROW_NOT_FOUND: 404,
  CURVE_NOT_FOUND: 404,
  SCENARIO_NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  DUPLICATE_ISIN: 409,
  DUPLICATE_NAME: 409,
  DUPLICATE_CL_ORD_ID: 409,
  BUSINESS_DATE_MISMATCH: 409,
  WRONG_STATE: 409,
  RFQ_EXPIRED: 409,
  RESPONSE_EXPIRED: 409,
  REGISTRY_NOT_ENABLED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  OFF_TICK: 422,
  OFF_INCREMENT: 422,
  INSUFFICIENT_FUNDS: 422,
  INSUFFICIENT_POSITION: 422,
  HOLD_NOT_ACTIVE: 422,
  HOLD_EXCEEDED: 422,
  PARTY_NOT_ELIGIBLE: 422,
  NOTE_HALTED: 422,
  BELOW_MIN_DENOMINATION: 422,
  PRICE_OUT_OF_BAND: 422,
  QUOTE_CROSSED: 422,
  POST_ONLY_WOULD_TAKE: 422,
  FOK_NOT_FILLABLE: 422,
  RISK_LIMIT_EXCEEDED: 422,
  NO_LIQUIDITY: 422,
  DATE_AFTER_BUSINESS_DATE: 422,
  WATERFALL_NOT_DEFINED: 422,
  NO_COLLECTIONS: 422,
  COLLATERAL_NOT_AVAILABLE: 422,
  YIELD_NOT_FOUND: 422,
  NO_CONVERGENCE: 422,
  NOT_A_DEALER: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(HTTP_STATUS_BY_CODE, code);
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = HTTP_STATUS_BY_CODE[code];
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}
