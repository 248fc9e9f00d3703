/**
 * Surveillance as CSV: one row per deal and period with every metric, in METRIC_NAMES order, so
 * a spreadsheet of one deal's history and the cross-deal table have the same columns.
 */
import { csvField } from '../core/csv.js';
import { METRIC_NAMES } from './metrics.js';

export interface MetricsRow {
  dealName: string;
  periodEnd: string;
  version: number;
  metrics: Record<string, string | null>;
}

function field(value: string | number | null): string {
  return csvField(value === null ? '' : String(value));
}

export function metricsCsv(rows: readonly MetricsRow[]): string {
  const header = ['deal', 'periodEnd', 'version', ...METRIC_NAMES];
  const lines = rows.map((r) =>
    [r.dealName, r.periodEnd, r.version, ...METRIC_NAMES.map((n) => r.metrics[n] ?? null)].map(field).join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
