/**
 * The price band of a note inside the sequencer, the single writer of the books: the reference is
 * computed from the state the check runs against — the note's last trade (kept in memory as trades
 * are recorded, rebuilt from the trades table at recovery) and the engine's best bid and ask (the
 * books, rebuilt by replaying the journal) — so the same commands against the same committed state
 * always get the same decision, before and after a restart.
 */
import type { Decimal } from '../domain/decimal.js';
import { bandDetails, isInsideBand, priceBand, referencePrice, type PriceBand } from '../risk/price-band.js';
import type { Instrument } from '../refdata/instrument.js';
import { TradingRejection } from './rejections.js';
import type { TradingState } from './state.js';

/** The note's band now, or null when it has no reference price. */
export function currentBand(state: TradingState, instrument: Instrument): PriceBand | null {
  const bid = state.engine.bestBid(instrument.id);
  const ask = state.engine.bestAsk(instrument.id);
  const reference = referencePrice(
    state.lastTrade.get(instrument.id)?.price ?? null,
    bid === null ? null : instrument.ticksToPrice(bid),
    ask === null ? null : instrument.ticksToPrice(ask),
  );
  return reference === null ? null : priceBand(reference, instrument.priceBandPoints);
}

/** Null when the price is inside the band (or there is none), else the rejection's details. */
export function bandViolation(state: TradingState, instrument: Instrument, price: Decimal): ReturnType<typeof bandDetails> | null {
  const band = currentBand(state, instrument);
  return band === null || isInsideBand(price, band) ? null : bandDetails(band);
}

export function assertInsideBand(state: TradingState, instrument: Instrument, price: Decimal, context: Record<string, unknown> = {}): void {
  const violation = bandViolation(state, instrument, price);
  if (violation) throw new TradingRejection('PRICE_OUTSIDE_BAND', { ...context, price: price.toFixed(), ...violation });
}
