/**
 * The seam for the GPU collateral's value at a projection's start: one function gives, for a deal
 * on a date, the value of its GPU fleet by model. From the fleet of the trust's latest performance
 * report on or before the date (loaded by the caller; the lines' appraisedValue and unit counts, summed by model) and
 * marks each line to `asOf` by the operator's GPU value index for its model (issue 18,
 * server/collateral/gpu-values.ts: the appraisal moved by the index's change since the appraisal
 * date); a model without a series keeps its appraisal. Every projection, grid, break-even and LTV
 * trigger of every deal follows from here. The projection engines then move each model's value by
 * the scenario's curve for that model (`gpuValueByModel`, else `gpuValueChangePercentPerYear`,
 * else the appraisals' trend: start.ts).
 *
 * Guarantees: models in the report's order of first appearance, each value ≥ 0 in cents (half-even);
 * an empty list when the deal has no report or no GPU fleet.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { allGpuSeries, markedFleet, type FleetLine } from '../collateral/gpu-values.js';

export interface GpuStartValue {
  model: string;
  /** USD, cents. */
  value: string;
  /** Units in the fleet (from the report). */
  count: number;
  /** The date the value is as of (the latest appraisal of the model's lines). */
  asOf: string;
  /** `gpu_value_index`: marked by the operator's series; `performance_report`: the appraisal as reported. */
  source: 'performance_report' | 'gpu_value_index';
}

type Db = Knex | Knex.Transaction;

/** `fleet`: the GPU fleet lines of the trust's latest performance report on or before `asOf` (the caller has it loaded). */
export async function startGpuValues(db: Db, fleet: readonly FleetLine[], asOf: string): Promise<GpuStartValue[]> {
  const series = await allGpuSeries(
    db,
    fleet.map((line) => line.model),
  );
  const byModel = new Map<string, { value: Decimal; count: number; asOf: string; indexed: boolean }>();
  // markedFleet answers one line per fleet line, in order: the unit count is the same line's.
  for (const [i, line] of markedFleet(fleet, series, asOf).entries()) {
    const count = fleet[i]?.count ?? 0;
    const indexed = line.source === 'index';
    const seen = byModel.get(line.model) ?? { value: new Decimal(0), count: 0, asOf: line.appraisalDate, indexed };
    byModel.set(line.model, {
      value: seen.value.add(line.markedValue),
      count: seen.count + count,
      asOf: indexed ? asOf : line.appraisalDate > seen.asOf ? line.appraisalDate : seen.asOf,
      indexed: seen.indexed || indexed,
    });
  }
  return [...byModel].map(([model, v]) => ({
    model,
    value: roundHalfEven(v.value, 2).toFixed(),
    count: v.count,
    asOf: v.asOf,
    source: v.indexed ? 'gpu_value_index' : 'performance_report',
  }));
}
