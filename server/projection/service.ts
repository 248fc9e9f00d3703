/**
 * Projections for the API: one projection of a deal's context under a resolved scenario, a grid
 * over two drivers (each cell projected and priced), and a class's break-even level of a driver by
 * bisection. The context (context.ts), the scenario (scenario-input.ts), the pricing
 * (class-analytics.ts) and the answer's shape (view.ts) are modules of their own.
 *
 * Guarantees: every projection is the integer engine's (fast.ts), the same figures to the cent as
 * the decimal.js reference; a note that is not a class of the deal is VALIDATION_FAILED.
 * Must never: touch the database (the context is loaded before), or round a figure the analytics
 * round.
 */
import { Rejection } from '../core/rejections.js';
import type { Decimal } from '../domain/decimal.js';
import type { IsoDate } from '../domain/dates.js';
import { breakEven } from '../analytics/breakeven.js';
import { classAnalytics, type PricingInput } from './class-analytics.js';
import type { DealContext } from './context.js';
import { projectFast } from './fast.js';
import type { ProjectionResult } from './model.js';
import type { ResolvedScenario, ScenarioInput } from './scenario.js';
import { resolveFor } from './scenario-input.js';

export function runProjection(ctx: DealContext, scenario: ResolvedScenario): ProjectionResult {
  return projectFast(ctx.compiled, scenario);
}

export interface GridAxis {
  driver: string;
  values: string[];
}

/** A grid over two drivers: each cell projects the scenario with both set, and prices the note at a price (→ yield) or a yield (→ price). */
export function runGrid(
  ctx: DealContext,
  base: ScenarioInput,
  noteId: string,
  at: { price?: string; yield?: string },
  x: GridAxis,
  y: GridAxis,
  settlement: IsoDate,
) {
  const index = ctx.setup.classes.findIndex((c) => c.noteId === noteId);
  if (index < 0) throw new Rejection('VALIDATION_FAILED', 'noteId is not a class of this deal', { field: 'noteId' });
  const pricing: PricingInput = at.yield !== undefined ? { noteId, yield: at.yield } : { noteId, price: at.price ?? '100' };
  const cells = y.values.map((yv, iy) =>
    x.values.map((xv, ix) => {
      const input = { ...base, [x.driver]: xv, [y.driver]: yv } as ScenarioInput;
      const scenario = resolveFor(ctx, input, `cell[${iy}][${ix}]`);
      const a = classAnalytics(ctx, projectFast(ctx.compiled, scenario), index, settlement, pricing, false);
      return at.yield !== undefined
        ? { price: a.price, walYears: a.walYears, lossPercent: a.lossPercent }
        : { yieldPercent: a.yieldPercent, walYears: a.walYears, lossPercent: a.lossPercent };
    }),
  );
  return {
    dealId: ctx.deal.id,
    noteId,
    settlementDate: settlement,
    ...(at.yield !== undefined ? { yield: at.yield } : { price: at.price ?? '100' }),
    x,
    y,
    cells,
  };
}

/** Break-even directions: from a mild level (the class is paid) toward the harsh end of each driver. */
export const BREAK_EVEN_RANGES: Readonly<Record<string, { mild: (base: string) => string; harsh: string }>> = {
  utilizationPercent: { mild: (b) => b, harsh: '0' },
  rentChangePercent: { mild: (b) => b, harsh: '-100' },
  powerPricePerMwh: { mild: (b) => b, harsh: '100000' },
  pue: { mild: (b) => b, harsh: '5' },
  opexGrowthPercent: { mild: (b) => b, harsh: '1000' },
  renewalProbabilityPercent: { mild: (b) => b, harsh: '0' },
  releaseRentChangePercent: { mild: (b) => b, harsh: '-100' },
};
export const BREAK_EVEN_TOLERANCE = '0.01';

/**
 * The harshest flat level of `driver` (other drivers as in `input`) at which the class still gets all
 * its principal (no write-down), by bisection to BREAK_EVEN_TOLERANCE from the base value toward the
 * driver's harsh end (analytics/breakeven.ts). Null level: the class is written down even at the base value.
 */
export function classBreakEven(ctx: DealContext, input: ScenarioInput, noteId: string, driver: string) {
  const index = ctx.setup.classes.findIndex((c) => c.noteId === noteId);
  if (index < 0) throw new Rejection('VALIDATION_FAILED', 'breakEven.noteId is not a class of this deal', { field: 'breakEven.noteId' });
  const range = BREAK_EVEN_RANGES[driver];
  if (!range)
    throw new Rejection('VALIDATION_FAILED', `breakEven.driver must be one of ${Object.keys(BREAK_EVEN_RANGES).join(', ')}`, {
      field: 'breakEven.driver',
    });
  const base = ctx.collateral.base.drivers[driver as keyof typeof ctx.collateral.base.drivers];
  const holds = (level: Decimal) => {
    const result = projectFast(ctx.compiled, resolveFor(ctx, { ...input, [driver]: level.toFixed() } as ScenarioInput, 'breakEven'));
    return result.periods.every((p) => p.classes[index]!.writedown === 0);
  };
  const found = breakEven(range.mild(base), range.harsh, BREAK_EVEN_TOLERANCE, holds);
  return {
    noteId,
    driver,
    level: found.level === null ? null : found.level.toFixed(),
    passesEverywhere: found.passesEverywhere,
    tolerance: BREAK_EVEN_TOLERANCE,
    evaluations: found.evaluations,
  };
}
