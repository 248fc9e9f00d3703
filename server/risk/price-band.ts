/**
 * Price bands: every price a party sends (limit orders, replaces, dealer quotes, RFQ answers) must
 * lie within a band of ±width points around the note's reference price, or it is refused with
 * PRICE_OUTSIDE_BAND. It catches the fat finger (a buy at 150 on a note trading near 99.8) that the
 * per-note price range (one tick to 200% of par) lets through.
 *
 * The reference is, in this order: the price of the note's most recent trade (the last trade of
 * the day, else the previous close — the last trade of an earlier day), else the mid of the best
 * bid and ask. Without any of them (no trade ever, a one-sided or empty book) there is nothing to
 * measure against and no band applies. The width is the note's own (set by the operator), else
 * DEFAULT_PRICE_BAND_POINTS.
 *
 * Pure: prices are exact Decimals (percent of par); the bounds are inclusive and not rounded.
 */
import { Decimal } from '../domain/decimal.js';

/**
 * Ten points: wider than a bad day in any note listed here (a downgrade moves a BB ABS class a few
 * points), far narrower than the errors the band is for (a price typed as 150 or 9.98 for 99.8).
 */
export const DEFAULT_PRICE_BAND_POINTS = new Decimal(10);

export type ReferenceSource = 'last_trade' | 'mid';

export interface PriceBand {
  reference: Decimal;
  source: ReferenceSource;
  low: Decimal;
  high: Decimal;
}

/** The reference price, or null when there is none. */
export function referencePrice(
  lastTrade: Decimal | null,
  bestBid: Decimal | null,
  bestAsk: Decimal | null,
): { price: Decimal; source: ReferenceSource } | null {
  if (lastTrade !== null) return { price: lastTrade, source: 'last_trade' };
  if (bestBid !== null && bestAsk !== null) return { price: bestBid.plus(bestAsk).div(2), source: 'mid' };
  return null;
}

export function priceBand(reference: { price: Decimal; source: ReferenceSource }, widthPoints: Decimal): PriceBand {
  return {
    reference: reference.price,
    source: reference.source,
    low: reference.price.minus(widthPoints),
    high: reference.price.plus(widthPoints),
  };
}

export function isInsideBand(price: Decimal, band: PriceBand): boolean {
  return price.gte(band.low) && price.lte(band.high);
}

/** The details of a PRICE_OUTSIDE_BAND rejection, decimal strings as on the wire. */
export function bandDetails(band: PriceBand): { reference: string; referenceSource: ReferenceSource; low: string; high: string } {
  return { reference: band.reference.toFixed(), referenceSource: band.source, low: band.low.toFixed(), high: band.high.toFixed() };
}
