/**
 * What a distribution works from, gathered in its transaction once the deal's state is locked:
 * the accrual period, the floating classes' rate fixings, the collections recorded for the payment
 * date and the performance report's metrics.
 *
 * Guarantees: refuses a payment date without collections (NO_COLLECTIONS), and one whose triggers
 * test a metric only the performance report supplies when there is none
 * (PERFORMANCE_REPORT_NOT_FOUND); it reads only.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import type { Decimal } from '../domain/decimal.js';
import { addMonths, parseIsoDate } from '../domain/dates.js';
import type { Deal } from '../refdata/deals.js';
import { metricValuesForPaymentDate } from '../performance/store.js';
import { markedMetricValuesForPaymentDate } from '../collateral/gpu-values.js';
import type { WaterfallDefinition } from './definition.js';
import { metricsNeedingReport } from './metrics.js';
import type { DealState } from './state.js';
import { periodRateFixings, type PeriodRateFixing } from './fixings.js';

export interface DistributionContext {
  deal: Deal;
  definition: WaterfallDefinition;
  paymentDate: string;
  businessDate: string;
  createdBy: string | null;
  state: DealState;
  collections: { revenue: string; operating_costs: string; utilization: string; uptime: string; power_cost: string }[];
  /** The performance report's metrics for the payment date (metrics.ts), or null: the collections' dscr only. */
  reportMetrics: ReadonlyMap<string, Decimal> | null;
  /** The accrual period's start: the last payment date, else one payment period before this one. */
  periodStart: string;
  /** Each floating class's fixing and coupon for the period (fixings.ts). */
  rateFixings: PeriodRateFixing[];
}

/** The period's inputs: what the context adds to the deal, its locked state and the request. */
export type PeriodInputs = Pick<DistributionContext, 'periodStart' | 'rateFixings' | 'collections' | 'reportMetrics'>;

export async function periodInputs(
  trx: Knex.Transaction,
  request: {
    definition: WaterfallDefinition;
    dealId: string;
    /** The deal's last payment date (its locked state), or null before its first distribution. */
    lastPaymentDate: string | null;
    paymentDate: string;
    /** The request's fixings by index name (percent). */
    fixings: Readonly<Record<string, string>>;
  },
): Promise<PeriodInputs> {
  const { definition, dealId, lastPaymentDate, paymentDate, fixings } = request;
  // A floating class accrues its index's fixing for the period + its margin: the request's fixing, else
  // the stored one in effect (fixings.ts: on or before the determination date); neither → refused.
  const periodStart = lastPaymentDate ?? addMonths(parseIsoDate(paymentDate), -12 / definition.paymentsPerYear);
  const rateFixings = await periodRateFixings(trx, definition, periodStart, fixings);
  const collections: DistributionContext['collections'] = await trx('servicing_collections')
    .where({ deal_id: dealId, payment_date: paymentDate, status: 'active' })
    .select('revenue', 'operating_costs', 'utilization', 'uptime', 'power_cost');
  if (collections.length === 0) throw new Rejection('NO_COLLECTIONS', `no collections are recorded for ${paymentDate}`, { paymentDate });
  // An LTV trigger tests the LTV marked by the GPU value index on the payment date (collateral/gpu-values.ts).
  const reportMetrics = await markedMetricValuesForPaymentDate(
    trx,
    dealId,
    paymentDate,
    await metricValuesForPaymentDate(trx, dealId, paymentDate),
  );
  const needed = metricsNeedingReport(definition);
  if (reportMetrics === null && needed.length > 0) {
    throw new Rejection(
      'PERFORMANCE_REPORT_NOT_FOUND',
      `the triggers test ${needed.join(', ')}: file the performance report for the last month of ${paymentDate}'s collection period first`,
      { paymentDate, metrics: needed },
    );
  }
  return { periodStart, rateFixings, collections, reportMetrics };
}
