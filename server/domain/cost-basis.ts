/**
 * Average cost and realized P&L of one party's position in one note, replayed from its fills.
 *
 * Conventions (a fixed-income desk's average-cost method):
 * - Prices are clean, percent of par of current face, as the fills carry them.
 * - The average cost is weighted by original face: a buy of q at p moves the average to
 *   (held × avg + q × p) / (held + q). A sell leaves the average where it is.
 * - A sell of q at p realizes q × factor_at_trade × (p − avg) / 100, rounded half-even to cents
 *   once per fill (as a confirmation would show it); the realized total is the sum of the cents.
 * - Face held before the first fill and not explained by fills (e.g. an issuance allocation)
 *   enters first as an opening lot at the price the caller states.
 * - A sell larger than the face held (which the ledger's holds prevent) realizes only on the face
 *   held and leaves the position flat; the average of a flat position is 0.
 *
 * Pure: no I/O, no clock.
 */
import { Decimal } from './decimal.js';
import { roundCash } from './rounding.js';

export interface Fill {
  readonly side: 'buy' | 'sell';
  /** Original face traded. */
  readonly face: Decimal;
  /** Pool factor of the trade. */
  readonly factor: Decimal;
  /** Clean price in percent of par. */
  readonly price: Decimal;
}

export interface CostBasis {
  /** Original face held after the fills. */
  readonly face: Decimal;
  /** Average clean price in percent of par (unrounded); 0 when flat. */
  readonly averageCost: Decimal;
  /** Realized P&L in cash, sum of per-fill cents. */
  readonly realizedPnl: Decimal;
}

export function costBasis(opening: { face: Decimal; price: Decimal }, fills: readonly Fill[]): CostBasis {
  let face = opening.face.gt(0) ? opening.face : new Decimal(0);
  let average = face.gt(0) ? opening.price : new Decimal(0);
  let realized = new Decimal(0);
  for (const fill of fills) {
    if (fill.side === 'buy') {
      const total = face.add(fill.face);
      average = face.mul(average).add(fill.face.mul(fill.price)).div(total);
      face = total;
      continue;
    }
    const sold = Decimal.min(fill.face, face);
    realized = realized.add(roundCash(sold.mul(fill.factor).mul(fill.price.sub(average)).div(100)));
    face = face.sub(sold);
    if (face.isZero()) average = new Decimal(0);
  }
  return { face, averageCost: average, realizedPnl: realized };
}

/** Unrealized P&L of `currentFace` marked at `mark` against `averageCost`, in cents. */
export function unrealizedPnl(currentFace: Decimal, mark: Decimal, averageCost: Decimal): Decimal {
  return roundCash(currentFace.mul(mark.sub(averageCost)).div(100));
}
