/**
 * A collection's five figures — revenue, operating costs, power cost, utilization and uptime — as
 * the trustee sends them, or, when none are sent, as the collection period's monthly performance
 * reports give them (sums of the amounts; the mean of the months' utilization and uptime, rounded
 * half-even to 2 places); and their checks.
 *
 * Guarantees: figures are all five or none (VALIDATION_FAILED names the missing); a period without
 * all its monthly reports is PERFORMANCE_REPORT_NOT_FOUND; amounts are zero or more with at most 2
 * decimals, percentages 0 to 100, power cost within operating costs. Must never: write anything
 * (collections.ts records them).
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { computeMetrics } from '../performance/metrics.js';
import { periodReports } from '../performance/store.js';
import { toFigures } from '../performance/report.js';
import type { PaymentDate } from './calendar.js';

const FIGURES = ['revenue', 'operatingCosts', 'utilization', 'uptime', 'powerCost'] as const;

export interface CollectionFigures {
  revenue: string;
  operatingCosts: string;
  /** Percent of capacity leased and running, 0–100. */
  utilization: string;
  /** Percent of the period the sites were up, 0–100. */
  uptime: string;
  /** The power part of the operating costs. */
  powerCost: string;
}

/** The figures sent, or those of the period's performance reports when none are sent. */
export async function resolveFigures(
  db: Knex.Transaction,
  dealId: string,
  period: PaymentDate,
  input: Partial<CollectionFigures>,
): Promise<{ figures: CollectionFigures; reportIds: string[] }> {
  const reports = await periodReports(db, dealId, period.periodStart, period.periodEnd);
  const reportIds = reports.map((r) => r.id);
  const given = FIGURES.filter((f) => input[f] !== undefined);
  if (given.length > 0 && given.length < FIGURES.length) {
    const missing = FIGURES.filter((f) => input[f] === undefined);
    throw new Rejection(
      'VALIDATION_FAILED',
      `collections carry all of ${FIGURES.join(', ')}, or none to take them from the performance reports; missing ${missing.join(', ')}`,
      { field: missing[0], missing },
    );
  }
  if (given.length === FIGURES.length) return { figures: input as CollectionFigures, reportIds };
  const months = monthsIn(period);
  if (reports.length < months) {
    throw new Rejection(
      'PERFORMANCE_REPORT_NOT_FOUND',
      `the collection period ${period.periodStart} to ${period.periodEnd} has ${reports.length} of its ${months} monthly performance reports`,
      { periodStart: period.periodStart, periodEnd: period.periodEnd },
    );
  }
  const sum = (pick: (r: (typeof reports)[number]) => string) => reports.reduce((s, r) => s.plus(pick(r)), new Decimal(0));
  const metrics = reports.map((r) =>
    computeMetrics({ report: toFigures(r.report), noteBalance: new Decimal(0), debtService: new Decimal(0), previous: [] }),
  );
  const mean = (pick: (m: (typeof metrics)[number]) => Decimal | null) =>
    roundHalfEven(metrics.reduce((s, m) => s.plus(pick(m) ?? 0), new Decimal(0)).div(metrics.length), 2).toFixed(2);
  return {
    figures: {
      revenue: sum((r) => r.report.revenue).toFixed(2),
      operatingCosts: sum((r) => r.report.operatingCosts).toFixed(2),
      powerCost: sum((r) => r.report.powerCost).toFixed(2),
      utilization: mean((m) => m.utilizationPercent),
      uptime: mean((m) => m.uptimePercent),
    },
    reportIds,
  };
}

function monthsIn(period: { periodStart: string; periodEnd: string }): number {
  const [y1, m1] = period.periodStart.split('-').map(Number) as [number, number];
  const [y2, m2] = period.periodEnd.split('-').map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1) + 1;
}

export function checkFigures(f: CollectionFigures): void {
  if (!new Decimal(f.revenue).gt(0)) throw new Rejection('VALIDATION_FAILED', 'revenue must be greater than zero', { field: 'revenue' });
  for (const field of ['revenue', 'operatingCosts', 'powerCost'] as const) {
    const v = new Decimal(f[field]);
    if (v.isNegative() || v.decimalPlaces() > 2)
      throw new Rejection('VALIDATION_FAILED', `${field} must be an amount of zero or more with at most 2 decimals`, { field });
  }
  for (const field of ['utilization', 'uptime'] as const) {
    const v = new Decimal(f[field]);
    if (v.isNegative() || v.gt(100)) throw new Rejection('PERCENT_OUT_OF_RANGE', `${field} must be from 0 to 100`, { field });
  }
  if (new Decimal(f.powerCost).gt(f.operatingCosts)) {
    throw new Rejection('POWER_COST_EXCEEDS_OPERATING_COSTS', 'power cost is a component of operating costs and cannot exceed them', {
      powerCost: f.powerCost,
      operatingCosts: f.operatingCosts,
    });
  }
}
