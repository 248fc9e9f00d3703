/**
 * The one table that maps rejections to HTTP statuses, by kind (the codes and their kinds live in
 * core/rejections.ts), and what the API layer needs of them. Every code a client can see is in
 * HTTP_STATUS_BY_CODE; the error body is `{"error": {"code", "message", "details"}}` (API.md),
 * never a stack trace.
 */
import { isRejectionCode, Rejection, REJECTIONS, type RejectionCode, type RejectionKind } from '../core/rejections.js';

/** The HTTP status of each kind of rejection: the API's one mapping table. */
export const HTTP_STATUS_BY_KIND: Readonly<Record<RejectionKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** Every code with its HTTP status (OpenAPI's x-error-codes, the API guide's table). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<RejectionCode, number>> = Object.fromEntries(
  Object.entries(REJECTIONS).map(([code, { kind }]) => [code, HTTP_STATUS_BY_KIND[kind]]),
) as Record<RejectionCode, number>;

export type ErrorCode = RejectionCode;

export const isErrorCode = isRejectionCode;

/** The API layer's name for a rejection: the same class services raise. */
export { Rejection as ApiError };

export function httpStatusOf(error: Rejection): number {
  return HTTP_STATUS_BY_CODE[error.code];
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}
