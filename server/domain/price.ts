/**
 * Clean/dirty prices and the cash amounts of a trade.
 *
 * Prices are percent of par of current face. dirty = clean + accrued per 100 of current face
 * (unrounded; callers that display a dirty price round it with roundPrice).
 *
 * Trade amounts, used by the trading service for every trade:
 *   currentFace     = face × factor                                   (exact, not rounded)
 *   principal       = face × factor × cleanPrice / 100                 rounded half-even to cents
 *   accruedInterest = face × factor × coupon/100 × yearFraction         rounded half-even to cents
 *   netAmount       = principal + accruedInterest                      (exact sum of cents)
 * Principal and accrued are rounded separately (as they appear on a confirmation), each once.
 */
import { toDecimal, type Decimal, type DecimalInput } from './decimal.js';
import { accruedInterest, accruedPer100, currentFaceOf, type NoteTerms } from './accrued.js';
import { ensure } from './errors.js';
import type { IsoDate } from './dates.js';
import { roundCash } from './rounding.js';

export interface TradeAmountsInput extends NoteTerms {
  /** Original face traded, in currency units. */
  readonly face: DecimalInput;
  /** Pool factor in [0, 1]. */
  readonly factor: DecimalInput;
  /** Clean price in percent of par, > 0. */
  readonly cleanPricePercent: DecimalInput;
  readonly settlementDate: IsoDate;
}

export interface TradeAmounts {
  readonly currentFace: Decimal;
  readonly principal: Decimal;
  readonly accruedInterest: Decimal;
  readonly netAmount: Decimal;
}

function positivePrice(price: DecimalInput): Decimal {
  const value = toDecimal(price);
  ensure(value.gt(0), 'INVALID_ARGUMENT', `price must be > 0, got ${value.toFixed()}`);
  return value;
}

export function dirtyPriceFromClean(cleanPricePercent: DecimalInput, terms: NoteTerms, settlementDate: IsoDate): Decimal {
  return positivePrice(cleanPricePercent).add(accruedPer100(terms, settlementDate));
}

export function cleanPriceFromDirty(dirtyPricePercent: DecimalInput, terms: NoteTerms, settlementDate: IsoDate): Decimal {
  return positivePrice(dirtyPricePercent).sub(accruedPer100(terms, settlementDate));
}

export function tradeAmounts(input: TradeAmountsInput): TradeAmounts {
  const currentFace = currentFaceOf(input.face, input.factor);
  const principal = roundCash(currentFace.mul(positivePrice(input.cleanPricePercent)).div(100)); // /100 is exact
  const accrued = accruedInterest(input);
  return { currentFace, principal, accruedInterest: accrued, netAmount: principal.add(accrued) };
}
