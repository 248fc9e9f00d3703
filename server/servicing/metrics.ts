/**
 * Where servicing's trigger metrics come from — pure. A `MetricsSource` gives a period's metrics
 * by name; the waterfall's triggers test them. Until performance reports feed the derived credit
 * metrics (dscrThreeMonthAverage, ltvPercent, …), servicing supplies the one metric version 1
 * tested, `dscr` for the single period, computed exactly as before: the period's net cash flow
 * (collections' revenue − operating costs) ÷ its scheduled debt service (this period's senior
 * fees + every class's current interest, shortfalls excluded), unrounded; no debt service → no
 * value, so no trigger on it is breached.
 */
import { Decimal } from '../domain/decimal.js';
import { scheduledDebtService, type PeriodMetrics, type WaterfallDefinition, type WaterfallPeriod, type WaterfallState } from '../waterfall/index.js';

/** The period without its metrics: what a metrics source may look at. */
export type PeriodWithoutMetrics = Omit<WaterfallPeriod, 'metrics'>;

export type MetricsSource = (definition: WaterfallDefinition, state: WaterfallState, period: PeriodWithoutMetrics) => PeriodMetrics;

/** The collections' single-period DSCR as `dscr`. */
export function collectionMetrics(netCashFlow: Decimal): MetricsSource {
  return (definition, state, period) => {
    const debtService = scheduledDebtService(definition, state, { ...period, metrics: new Map() });
    return debtService.gt(0) ? new Map([['dscr', netCashFlow.div(debtService)]]) : new Map();
  };
}
