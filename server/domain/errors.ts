/**
 * Typed errors of the fixed-income domain.
 *
 * Every failure the domain raises is a `DomainError` carrying a stable `code` from one closed
 * union, so the HTTP/WebSocket edge can map codes to responses in a single table without
 * parsing messages. Messages are for humans and logs only; they may change, codes may not.
 * This module never performs I/O and never logs.
 */

/** Closed set of error codes. Adding a code is an API change: update the edge's mapping table. */
export type DomainErrorCode =
  | 'INVALID_DECIMAL' // a string is not a canonical decimal (see parseDecimal)
  | 'INVALID_DATE' // a string is not a valid 'YYYY-MM-DD' calendar date
  | 'DATE_OUT_OF_RANGE' // a date or date arithmetic result lies outside the supported years
  | 'OFF_TICK' // a price is not an integral multiple of the tick size
  | 'OFF_INCREMENT' // a face amount is not an integral multiple of the increment
  | 'UNSAFE_INTEGER' // a tick or unit count does not fit a JS safe integer
  | 'INVALID_ARGUMENT' // an argument violates a documented precondition
  | 'INVALID_FACTOR' // a pool factor outside [0, 1]
  | 'MISSING_REFERENCE_PERIOD' // ACT/ACT-ICMA called without its reference coupon period
  | 'INVALID_SCHEDULE' // inconsistent issue / first coupon / maturity / frequency
  | 'SETTLEMENT_OUT_OF_RANGE' // settlement before the issue date or on/after maturity
  | 'INVALID_IDENTIFIER' // malformed ISIN or CUSIP input to a computing function
  | 'YIELD_NOT_FOUND' // no yield in the supported range reproduces the price
  | 'NO_CONVERGENCE'; // a bounded iteration ran out of steps

export class DomainError extends Error {
  readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** Throws a DomainError with `code` unless `condition` holds. */
export function ensure(condition: boolean, code: DomainErrorCode, message: string): asserts condition {
  if (!condition) throw new DomainError(code, message);
}

/** Exhaustiveness guard: the compiler proves this is unreachable; at runtime it is a defect. */
export function assertNever(value: never): never {
  throw new Error(`unreachable: unexpected value ${String(value)}`);
}
