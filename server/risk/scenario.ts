/**
 * Contagion scenarios WITHOUT the projection engine (pure): the exposure-at-default
 * approximation, clearly labelled as such in every answer.
 *
 * For each holding, the defaulted share of its deal's rent (the ultimate obligor groups named by
 * the scenario) is lost except for its recovery:
 *   exposureAtDefault = baseValue × Σ_defaults share_k
 *   stressedValue     = baseValue − Σ_defaults baseValue × share_k × (1 − recovery_k)
 * It ignores the default month (timing and discounting), subordination and the waterfall (every
 * class loses in proportion), re-leasing, and the GPU value shock — the projection engine
 * (issue 17) replaces this module; the request and response shapes stay. yieldChangeBp is null
 * until then.
 */
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import type { DealLookThrough, Holding } from './exposure.js';

export const SCENARIO_METHOD =
  'exposure-at-default approximation (projection engine not available): loss = value × defaulted rent share × (1 − recovery); ignores the default month, subordination, the waterfall and the GPU value shock';

export interface ScenarioDefault {
  obligorKey: string;
  month: number;
  recoveryPercent: Decimal;
}

export function runScenario(
  holdings: readonly Holding[],
  deals: ReadonlyMap<string, DealLookThrough>,
  defaults: readonly ScenarioDefault[],
) {
  const rows = holdings.map((h) => {
    const weights = deals.get(h.dealId)?.obligor ?? [];
    let share = new Decimal(0);
    let loss = new Decimal(0);
    for (const d of defaults) {
      const w = weights.find((a) => a.key === d.obligorKey)?.weight ?? new Decimal(0);
      share = share.plus(w);
      loss = loss.plus(h.marketValue.mul(w).mul(new Decimal(1).minus(d.recoveryPercent.div(100))));
    }
    return { h, share, loss };
  });
  const base = holdings.reduce((a, h) => a.plus(h.marketValue), new Decimal(0));
  const lost = rows.reduce((a, r) => a.plus(r.loss), new Decimal(0));
  const pct = (part: Decimal, whole: Decimal) => (whole.isZero() ? '0.00' : roundHalfEven(part.div(whole).mul(100), 2).toFixed(2));
  return {
    method: SCENARIO_METHOD,
    holdings: rows.map(({ h, share, loss }) => ({
      noteId: h.noteId,
      face: roundHalfEven(h.face, 2).toFixed(2),
      baseValue: roundHalfEven(h.marketValue, 2).toFixed(2),
      stressedValue: roundHalfEven(h.marketValue.minus(loss), 2).toFixed(2),
      lossPercent: pct(loss, h.marketValue),
      yieldChangeBp: null,
      defaultedSharePercent: roundHalfEven(share.mul(100), 2).toFixed(2),
      exposureAtDefault: roundHalfEven(h.marketValue.mul(share), 2).toFixed(2),
    })),
    total: {
      baseValue: roundHalfEven(base, 2).toFixed(2),
      stressedValue: roundHalfEven(base.minus(lost), 2).toFixed(2),
      lossPercent: pct(lost, base),
    },
  };
}
