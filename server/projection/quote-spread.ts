/**
 * Prices entered as a spread (RFQ answers and dealer quotes, issue 17): a dealer quotes a note at
 * a spread in bp over the benchmark curve, and the price is derived from the note's projected
 * flows under the deal's base scenario, to the ARD — the same figure the markets screen, the ticket
 * and GET /notes/:id/analytics show — then rounded to the note's tick.
 *
 *   yield = the benchmark par curve interpolated at the class's WAL + spread / 100   (percent)
 *   price = the clean price (% of par) of the projected flows at that yield, street convention
 *           (class-analytics.ts classAnalytics, analytics/bond.ts), to 6 places, half-even
 *   quoted = that price rounded to the NEAREST tick; an exact half tick goes to the counterparty
 *           (a bid rounds up, an ask rounds down), so rounding never favours the quoting dealer
 *           and the quoted price is within half a tick of the spread's price.
 *
 * Settlement is the note's own cycle from the business date. The caller checks the quoted price as
 * if typed (tick, magnitudes, the price band); the derivation says which curve and date it used.
 *
 * Refusals: no curve on or before the business date → NO_BENCHMARK_CURVE (422); a class with no
 * projected principal to repay → SPREAD_NOT_PRICEABLE (422); a deal without collateral facts →
 * COLLATERAL_NOT_AVAILABLE (422). `field` names the request field in each.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { parseIsoDate } from '../domain/dates.js';
import { settlementDate as settlementAfter } from '../domain/calendar.js';
import { getNote } from '../refdata/notes.js';
import type { ProjectionResult } from './model.js';
import { classAnalytics } from './class-analytics.js';
import { BENCHMARK, loadDealContext, type DealContext } from './context.js';
import { resolveFor } from './scenario-input.js';
import { runProjection } from './service.js';

/** bid: the quoting party buys; ask: it sells. */
export type QuoteSide = 'bid' | 'ask';

export const SPREAD_ROUNDING = 'nearest tick; an exact half tick goes to the counterparty (bid up, ask down)';

export interface SpreadPrice {
  noteId: string;
  side: QuoteSide;
  spreadBp: string;
  /** The quoted price: `unroundedPrice` on the note's tick. */
  price: string;
  /** The clean price at curve + spread, 6 places. */
  unroundedPrice: string;
  /** The yield to the ARD at curve + spread (percent, 4 places). */
  yieldPercent: string;
  walYears: string;
  tickSize: string;
  settlementDate: string;
  scenario: 'base';
  curve: { name: string; date: string };
  rounding: typeof SPREAD_ROUNDING;
}

/** Rounds `price` to a multiple of `tick`: nearest, an exact half tick toward the counterparty of `side`. */
export function roundToTick(price: Decimal, tick: Decimal, side: QuoteSide): Decimal {
  const ticks = price.div(tick);
  const floor = ticks.floor();
  const fraction = ticks.sub(floor);
  const up = fraction.gt('0.5') || (fraction.eq('0.5') && side === 'bid');
  return (up ? floor.add(1) : floor).mul(tick);
}

/**
 * Derives prices from spreads, loading each deal and running its base projection once (one pricer
 * per request: a mass quote of many notes of one deal projects it once).
 */
export class SpreadPricer {
  private readonly deals = new Map<string, Promise<{ ctx: DealContext; result: ProjectionResult }>>();

  constructor(private readonly db: Knex) {}

  private base(dealId: string) {
    let entry = this.deals.get(dealId);
    if (!entry) {
      entry = loadDealContext(this.db, dealId).then((ctx) => ({ ctx, result: runProjection(ctx, resolveFor(ctx, { name: 'base' })) }));
      this.deals.set(dealId, entry);
    }
    return entry;
  }

  async price(noteId: string, spreadBp: string, side: QuoteSide, field: string): Promise<SpreadPrice> {
    const note = await getNote(this.db, noteId);
    const { ctx, result } = await this.base(note.dealId).catch((error: unknown) => {
      throw error instanceof Rejection ? new Rejection(error.code, error.message, { ...error.details, field }) : error;
    });
    if (!ctx.curve)
      throw new Rejection(
        'NO_BENCHMARK_CURVE',
        `${field}: pricing at a spread needs a ${BENCHMARK} curve on or before ${ctx.businessDate}`,
        {
          field,
          noteId,
          curve: BENCHMARK,
          date: ctx.businessDate,
        },
      );
    const index = ctx.setup.classes.findIndex((c) => c.noteId === note.id);
    const settlement = settlementAfter(parseIsoDate(ctx.businessDate), note.settlementDays);
    const a =
      index < 0
        ? null
        : (() => {
            try {
              return classAnalytics(ctx, result, index, settlement, { noteId, spreadBp }, false);
            } catch (error) {
              if (error instanceof Rejection && error.code === 'CURVE_NOT_FOUND') return null; // no WAL: nothing to repay
              throw error;
            }
          })();
    if (!a || a.price === null || a.yieldPercent === null || a.walYears === null)
      throw new Rejection('SPREAD_NOT_PRICEABLE', `${field}: the class has no projected principal to price at a spread`, { field, noteId });
    const tick = new Decimal(note.tickSize);
    return {
      noteId,
      side,
      spreadBp: new Decimal(spreadBp).toFixed(),
      price: roundToTick(new Decimal(a.price), tick, side).toFixed(),
      unroundedPrice: a.price,
      yieldPercent: a.yieldPercent,
      walYears: a.walYears,
      tickSize: tick.toFixed(),
      settlementDate: settlement,
      scenario: 'base',
      curve: { name: ctx.curve.stored.name, date: ctx.curve.stored.date },
      rounding: SPREAD_ROUNDING,
    };
  }
}
