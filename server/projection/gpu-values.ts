/**
 * The seam for the GPU collateral's value at a projection's start: one function gives, for a deal
 * on a date, the value of its GPU fleet by model. Today it reads the trust's latest performance
 * report on or before the date (the fleet lines' appraisedValue, summed by model). The GPU value
 * index (issue 18: an operator-loaded, dated value series per model) plugs in here: replace the
 * body with "index value per unit on `asOf` × the report's unit count" (or fall back to the report
 * where the index has no series for a model) and every projection, grid, break-even and LTV
 * trigger of every deal follows, with no other change. The projection engines then move each
 * model's value by the scenario's curve for that model (`gpuValueByModel`, else
 * `gpuValueChangePercentPerYear`, else the appraisals' trend: start.ts).
 *
 * Guarantees: models in the report's order of first appearance, each value ≥ 0 in cents (half-even);
 * an empty list when the deal has no report or no GPU fleet.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';

export interface GpuStartValue {
  model: string;
  /** USD, cents. */
  value: string;
  /** Units in the fleet (from the report). */
  count: number;
  /** The date the value is as of (the latest appraisal of the model's lines). */
  asOf: string;
  source: 'performance_report';
}

type Db = Knex | Knex.Transaction;

interface FleetLine {
  model: string;
  count: number;
  appraisedValue: string;
  appraisalDate: string;
}

export async function startGpuValues(db: Db, dealId: string, asOf: string): Promise<GpuStartValue[]> {
  const row: { report: unknown } | undefined = await db('performance_reports')
    .where({ deal_id: dealId })
    .where('period_end', '<=', asOf)
    .orderBy([
      { column: 'period_end', order: 'desc' },
      { column: 'version', order: 'desc' },
    ])
    .first('report');
  if (!row) return [];
  const report = (typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as { gpuFleet?: FleetLine[] };
  const byModel = new Map<string, { value: Decimal; count: number; asOf: string }>();
  for (const line of report.gpuFleet ?? []) {
    const seen = byModel.get(line.model) ?? { value: new Decimal(0), count: 0, asOf: line.appraisalDate };
    byModel.set(line.model, {
      value: seen.value.add(line.appraisedValue),
      count: seen.count + line.count,
      asOf: line.appraisalDate > seen.asOf ? line.appraisalDate : seen.asOf,
    });
  }
  return [...byModel].map(([model, v]) => ({
    model,
    value: roundHalfEven(v.value, 2).toFixed(),
    count: v.count,
    asOf: v.asOf,
    source: 'performance_report',
  }));
}
