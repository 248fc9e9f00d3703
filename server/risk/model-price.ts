/**
 * Model marks: a note's price from the projection engine's base scenario, for the notes that have
 * neither a two-sided book nor a trade.
 *
 * Convention (stated in every answer that uses it, markSource "model"): the class's projected
 * flows under the deal's base scenario (server/projection, the deal's own waterfall), settled on the
 * deal's spot settlement date after today's business date, discounted at the note's coupon rate as
 * its yield (the base yield; the desk's positions use the same yield on the scheduled flows),
 * clean, rounded half-even to PRICE_PLACES (6) as the projection API reports prices. A class the
 * base scenario writes down in full is priced 0. A deal the engine cannot project (no collateral
 * facts, no waterfall) has no model price: its notes fall back to par.
 *
 * Independent check: the same figure is POST /api/v1/projections with scenarioId "base" and
 * pricing {noteId, yield: couponRate} (test/risk/risk-api.test.ts).
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { classAnalytics, defaultSettlement } from '../projection/class-analytics.js';
import { loadDealContext, type DealContext } from '../projection/context.js';
import { resolveFor } from '../projection/scenario-input.js';
import { runProjection } from '../projection/service.js';
import type { ModelPrice } from './look-through.js';

/** The deal's projection context, or null when the engine cannot project it (the reason is a Rejection). */
export async function projectableDeal(db: Knex, dealId: string): Promise<DealContext | null> {
  try {
    return await loadDealContext(db, dealId);
  } catch (error) {
    if (error instanceof Rejection) return null;
    throw error;
  }
}

/** Base-scenario model prices (percent of current face) of the given notes; notes of unprojectable deals are left out. */
export async function modelPrices(db: Knex, noteIds: readonly string[]): Promise<Map<string, Decimal>> {
  const result = new Map<string, Decimal>();
  if (noteIds.length === 0) return result;
  const rows: { id: string; deal_id: string }[] = await db('notes')
    .whereIn('id', [...noteIds])
    .select('id', 'deal_id');
  const wanted = new Set(noteIds);
  for (const dealId of new Set(rows.map((r) => r.deal_id))) {
    const ctx = await projectableDeal(db, dealId);
    if (!ctx) continue;
    const base = runProjection(ctx, resolveFor(ctx, { name: 'base' }));
    const settlement = defaultSettlement(ctx);
    ctx.setup.classes.forEach((c, i) => {
      if (!wanted.has(c.noteId)) return;
      const note = ctx.notes.find((n) => n.id === c.noteId)!;
      const a = classAnalytics(ctx, base, i, settlement, { noteId: c.noteId, yield: note.couponRate }, false);
      if (a.price !== null) result.set(c.noteId, new Decimal(a.price));
      else if (a.lossPercent === '100.0000') result.set(c.noteId, new Decimal(0));
    });
  }
  return result;
}

/** The exposure module's model seam wired to the projection engine. */
export function projectionModel(db: Knex): ModelPrice {
  return (noteIds) => modelPrices(db, noteIds);
}
