/**
 * Splitting a class's payment among its holders of record — pure, no I/O.
 *
 * Rule: each holder on the venue receives amount × its original face of record ÷ the class's
 * original face, rounded DOWN to the cent; the holders outside the venue (face issued but not
 * held on this ledger) are paid as one line through the paying agent, also rounded down; the
 * sub-cent remainder stays in the deal's trust account and joins the next period's available
 * funds. So the class never pays out more than its amount, and every cent is accounted for.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCashDown } from '../domain/rounding.js';

/** Rounds a non-negative amount down to whole cents (the domain's rounding, toward zero). */
export function floorToCents(amount: Decimal): Decimal {
  if (amount.isNegative()) throw new Error('floorToCents takes a non-negative amount');
  return roundCashDown(amount);
}

export interface HolderOfRecord {
  partyId: string;
  /** Original face held at the record date. */
  face: Decimal;
}

export interface HolderShare {
  /** Null: holders outside the venue, paid through the paying agent. */
  partyId: string | null;
  face: Decimal;
  amount: Decimal;
}

export function allocateToHolders(
  amount: Decimal,
  originalFace: Decimal,
  holders: readonly HolderOfRecord[],
): { shares: HolderShare[]; remainder: Decimal } {
  if (amount.isZero() || originalFace.isZero()) return { shares: [], remainder: amount };
  const onVenue = holders.reduce((sum, h) => sum.plus(h.face), new Decimal(0));
  if (onVenue.gt(originalFace))
    throw new Error(`holders of record hold ${onVenue.toFixed()}, more than the class's ${originalFace.toFixed()}`);
  const shares: HolderShare[] = holders
    .filter((h) => h.face.gt(0))
    .map((h) => ({ partyId: h.partyId, face: h.face, amount: floorToCents(amount.mul(h.face).div(originalFace)) }));
  const outsideFace = originalFace.minus(onVenue);
  if (outsideFace.gt(0)) shares.push({ partyId: null, face: outsideFace, amount: floorToCents(amount.mul(outsideFace).div(originalFace)) });
  const paid = shares.reduce((sum, s) => sum.plus(s.amount), new Decimal(0));
  return { shares: shares.filter((s) => s.amount.gt(0)), remainder: amount.minus(paid) };
}
