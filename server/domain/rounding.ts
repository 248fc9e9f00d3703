/**
 * The only module of the domain that rounds explicitly.
 *
 * Guarantees:
 * - Cash is rounded to cents, half-even (banker's rounding), exactly once, at the end of a
 *   calculation (`roundCash`). Callers never round intermediate results.
 * - Prices and other quantities are rounded half-even to an explicit number of places.
 * - Nothing here touches JS floating point.
 *
 * The other implicit rounding of the domain is the Decimal clone's 60-significant-digit
 * half-even rounding of each operation (see decimal.ts).
 */
import { Decimal } from './decimal.js';
import { DomainError } from './errors.js';

/** Number of decimals of USD cash amounts. */
export const CASH_PLACES = 2;

/** Rounds to `places` decimals, half-even. `places` is an integer in [0, 60]. */
export function roundHalfEven(value: Decimal, places: number): Decimal {
  if (!Number.isSafeInteger(places) || places < 0 || places > 60) {
    throw new DomainError('INVALID_ARGUMENT', `places must be an integer in [0, 60], got ${places}`);
  }
  if (!value.isFinite()) throw new DomainError('INVALID_ARGUMENT', 'cannot round a non-finite value');
  const rounded = new Decimal(value).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
  return rounded.isZero() ? new Decimal(0) : rounded;
}

/** Cash to cents, half-even: 0.125 → 0.12, 0.135 → 0.14, -0.004 → 0. */
export function roundCash(amount: Decimal): Decimal {
  return roundHalfEven(amount, CASH_PLACES);
}

/**
 * Cash to cents, rounded toward zero: for shares of a payment split among holders, which together
 * must never pay out more than the payment (the remainder stays with the payer).
 */
export function roundCashDown(amount: Decimal): Decimal {
  if (!amount.isFinite()) throw new DomainError('INVALID_ARGUMENT', 'cannot round a non-finite value');
  const rounded = new Decimal(amount).toDecimalPlaces(CASH_PLACES, Decimal.ROUND_DOWN);
  return rounded.isZero() ? new Decimal(0) : rounded;
}

/** A price (percent of par) to `places` decimals, half-even. */
export function roundPrice(price: Decimal, places: number): Decimal {
  return roundHalfEven(price, places);
}
