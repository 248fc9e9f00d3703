/**
 * Where servicing's trigger metrics come from — pure. A `MetricsSource` gives a period's metrics
 * by name; the waterfall's triggers test them.
 *
 * - With a performance report for the last month of the payment date's collection period, the
 *   triggers test that report's derived metrics (server/performance: `dscr`,
 *   `dscrThreeMonthAverage`, `ltvPercent`, …, as published, latest versions): the same figures
 *   the surveillance page and the performance-report API show.
 * - Without one, only `dscr` can be computed, from the collections: the period's net cash flow
 *   (revenue − operating costs) ÷ its scheduled debt service (this period's senior fees + every
 *   class's current interest, shortfalls excluded), unrounded — exactly what version 1 tested, so
 *   deals without reports keep working. No debt service → no value, so no trigger on it breaches.
 * - Without one, a definition whose triggers test any other metric cannot be run: treating the
 *   missing value as "passed" would release cash a trap should hold, so the distribution refuses
 *   (`metricsNeedingReport` names them; distribution-inputs.ts answers PERFORMANCE_REPORT_NOT_FOUND).
 */
import type { Decimal } from '../domain/decimal.js';
import {
  scheduledDebtService,
  type PeriodMetrics,
  type WaterfallDefinition,
  type WaterfallPeriod,
  type WaterfallState,
} from '../waterfall/index.js';

/** The metric the collections alone supply. */
export const COLLECTION_METRIC = 'dscr';

/** The period without its metrics: what a metrics source may look at. */
export type PeriodWithoutMetrics = Omit<WaterfallPeriod, 'metrics'>;

export type MetricsSource = (definition: WaterfallDefinition, state: WaterfallState, period: PeriodWithoutMetrics) => PeriodMetrics;

/** The collections' single-period DSCR as `dscr`. */
export function collectionMetrics(netCashFlow: Decimal): MetricsSource {
  return (definition, state, period) => {
    const debtService = scheduledDebtService(definition, state, { ...period, metrics: new Map() });
    return debtService.gt(0) ? new Map([[COLLECTION_METRIC, netCashFlow.div(debtService)]]) : new Map();
  };
}

/** A performance report's metrics, as they are. */
export function reportMetrics(values: ReadonlyMap<string, Decimal>): MetricsSource {
  return () => values;
}

/** The report's metrics when there is a report, else the collections' `dscr`. */
export function periodMetricsSource(report: ReadonlyMap<string, Decimal> | null, netCashFlow: Decimal): MetricsSource {
  return report === null ? collectionMetrics(netCashFlow) : reportMetrics(report);
}

/** The metrics the definition's triggers test that only a performance report supplies (sorted, distinct). */
export function metricsNeedingReport(definition: WaterfallDefinition): string[] {
  return [...new Set(definition.triggers.map((t) => t.metric).filter((m) => m !== COLLECTION_METRIC))].sort();
}
