/**
 * The one Decimal type of the domain, strict parsing of decimal strings, and formatting.
 *
 * Guarantees:
 * - Every money, price, rate and factor value is a `Decimal` from the single clone below
 *   (60 significant digits, ROUND_HALF_EVEN). JS floats never carry money.
 * - `parseDecimal` accepts only the canonical grammar `-?(0|[1-9][0-9]*)(\.[0-9]+)?` (at most
 *   MAX_DECIMAL_STRING_LENGTH characters) and throws DomainError('INVALID_DECIMAL') otherwise.
 * - Formatting never rounds: `formatCash` refuses a value that is not a whole number of cents,
 *   `formatDecimal` prints every digit. Rounding lives in rounding.ts only.
 *
 * Implicit rounding: each arithmetic operation of the clone (in particular every division and
 * every non-integer power) is rounded half-even to 60 significant digits. That is 40+ digits
 * below a cent for any realistic amount and is the only rounding outside rounding.ts.
 */
import { Decimal as D0 } from 'decimal.js';
import { DomainError } from './errors.js';

export const Decimal = D0.clone({ precision: 60, rounding: D0.ROUND_HALF_EVEN });
export type Decimal = D0;

/** A decimal given either as a Decimal or as a canonical decimal string (parsed strictly). */
export type DecimalInput = Decimal | string;

/** Upper bound on accepted input length; keeps products of inputs far inside 60 digits. */
export const MAX_DECIMAL_STRING_LENGTH = 40;

const CANONICAL_DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/**
 * Parses a canonical decimal string: optional '-', integer digits without leading zeros,
 * optional '.' followed by at least one digit. Rejects exponents, spaces, '+', a leading or
 * trailing '.', leading zeros ('007'), and non-strings. '-0' parses as 0.
 */
export function parseDecimal(text: string): Decimal {
  if (typeof text !== 'string') {
    throw new DomainError('INVALID_DECIMAL', `expected a decimal string, got ${typeof text}`);
  }
  if (text.length === 0 || text.length > MAX_DECIMAL_STRING_LENGTH || !CANONICAL_DECIMAL.test(text)) {
    throw new DomainError('INVALID_DECIMAL', `not a canonical decimal: ${JSON.stringify(text.slice(0, 60))}`);
  }
  const value = new Decimal(text);
  return value.isZero() ? new Decimal(0) : value;
}

/** Returns `value` as a Decimal of the domain clone; strings go through parseDecimal. */
export function toDecimal(value: DecimalInput): Decimal {
  if (typeof value === 'string') return parseDecimal(value);
  if (!D0.isDecimal(value) || !value.isFinite()) {
    throw new DomainError('INVALID_DECIMAL', 'expected a finite Decimal');
  }
  return new Decimal(value);
}

/** '12345.67': exactly two decimals. Throws INVALID_ARGUMENT unless `amount` is whole cents. */
export function formatCash(amount: Decimal): string {
  if (!amount.isFinite() || amount.decimalPlaces() > 2) {
    throw new DomainError('INVALID_ARGUMENT', `formatCash needs a whole number of cents, got ${amount.toFixed()}`);
  }
  return normalizeZero(amount).toFixed(2);
}

/**
 * Plain notation with every significant digit (never exponent notation, never rounding),
 * padded with zeros to at least `minPlaces` decimals.
 */
export function formatDecimal(value: Decimal, minPlaces = 0): string {
  if (!value.isFinite()) throw new DomainError('INVALID_ARGUMENT', 'cannot format a non-finite value');
  if (!Number.isSafeInteger(minPlaces) || minPlaces < 0 || minPlaces > 60) {
    throw new DomainError('INVALID_ARGUMENT', `minPlaces must be an integer in [0, 60], got ${minPlaces}`);
  }
  const v = normalizeZero(value);
  return v.toFixed(Math.max(v.decimalPlaces(), minPlaces));
}

function normalizeZero(value: Decimal): Decimal {
  return value.isZero() ? new Decimal(0) : value;
}
