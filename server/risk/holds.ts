/**
 * Pre-trade risk: how much an order must set aside before it may rest or trade.
 *
 * - A sell sets aside the original face it sells (no short sales).
 * - A buy sets aside its worst-case cash: the net amount (principal at its limit price × factor,
 *   plus accrued interest to the settlement date) of its whole quantity, plus one cent per
 *   increment unit and one more. Each fill's principal and accrued are rounded to cents separately
 *   (half-even), so a fill's net can exceed its exact value by up to one cent, and the hold's own
 *   rounding can fall a cent short; an order has at most one fill per increment unit, so a cent
 *   per unit plus one covers every way the order can be filled. For a market order the limit is
 *   the collar price.
 * - On a fill, the trade's exact net (or face) moves from the order's hold to a hold of the trade,
 *   which settlement later consumes; what is left of an order's hold is released when it ends.
 */
import { Decimal } from '../domain/decimal.js';
import type { IsoDate } from '../domain/dates.js';
import type { Instrument } from '../refdata/instrument.js';

/** A market buy may pay at most this many points above the best ask at entry. */
export const MARKET_COLLAR_POINTS = new Decimal(5);

export function buyHold(instrument: Instrument, face: Decimal, limitPrice: Decimal, settlement: IsoDate, units: number): Decimal {
  const { netAmount } = instrument.amounts(face, limitPrice, settlement);
  return netAmount.plus(new Decimal(units + 1).mul('0.01'));
}

export function sellHold(face: Decimal): Decimal {
  return face;
}
