/**
 * The note's price band where a user prices something (order ticket, quote grid): the bounds the
 * server checks every price against, and a warning when a typed price lies outside them. The server
 * decides (PRICE_OUTSIDE_BAND); the band shown may be a few seconds old, so it warns, never blocks.
 */
import type { Note, PriceBand } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { Decimal } from '../money/domain.js';
import * as fmt from '../ui/format.js';

/** "Band 89.75 – 109.75 (±10 around the last trade 99.75)", or that there is no band yet. */
export function bandText(band: PriceBand, note: Note): string {
  if (band.low === null || band.high === null || band.reference === null)
    return `No price band yet (±${band.widthPoints} once the note trades or has a two-sided book)`;
  const source = band.referenceSource === 'mid' ? 'the mid' : 'the last trade';
  return `Band ${fmt.price(band.low, note, false)} – ${fmt.price(band.high, note, false)} (±${band.widthPoints} around ${source} ${fmt.price(band.reference, note, false)})`;
}

/** Why `price` would be refused, or null (also when it is not a number yet or there is no band). */
export function bandProblem(band: PriceBand | null, price: string): string | null {
  if (!band || band.low === null || band.high === null || !fmt.isDecimalText(price)) return null;
  const value = new Decimal(price);
  if (value.gte(band.low) && value.lte(band.high)) return null;
  return `Outside the price band ${band.low} – ${band.high}: the order would be refused.`;
}

/** Loads the note's band; null when it cannot be read (the server still checks). */
export async function loadBand(app: AppContext, noteId: string): Promise<PriceBand | null> {
  try {
    return await app.client.priceBand(noteId);
  } catch {
    return null;
  }
}
