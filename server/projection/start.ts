/**
 * The projection's start from the trust's performance reports — pure: the collateral's base facts,
 * the base scenario and the named stresses of a deal, all read from its filed reports (latest
 * versions, ascending by period) and the GPU values at the start (gpu-values.ts). Nothing here is
 * deal-specific: every deal with a report can be projected, and the demo deals are projected from
 * their seeded reports like any other.
 *
 * From the latest report (server/performance/report.ts) and its published metrics (metrics.ts):
 * - tenants: each lease's name, contracted monthlyRent and leaseExpiry;
 * - baseUtilizationPercent (u₀) = the report's utilizationPercent (100 when it has none or 0): at
 *   u₀ the tenants pay their contracted rent; the scenario's utilization scales rents by u ÷ u₀;
 * - trustEnergyMw = Σ sites' leased MW (its energy at 100 % utilization over hoursPerMonth = 730);
 * - powerRecoveryPercent = (revenue − Σ tenants' revenueCollected) ÷ powerCost × 100, 4 places,
 *   within [0, 100] (0 without power cost): the share of power billed through to tenants;
 * - otherOpexPerMonth = operatingCosts − powerCost; siteValue = Σ sites' appraisedValue (cents);
 * - gpuFleet: the start GPU value per model, as given.
 * Base drivers: utilization u₀, rent change 0, power price and PUE the report's (powerPricePerMwh,
 * pue; 55 and 1.3 when the report has no energy), opex growth 3 % a year (not reported: a stated
 * convention), leases renew (100 %, no downtime, no rent change), refinanced at the ARD, the rate
 * index `baseRateIndexPercent` (floating classes; 0 without one), GPU value change per model = the
 * appraisals' trend (value now ÷ value k ≤ 12 months earlier, annualized: (ratio^(12/k) − 1) × 100,
 * 4 places, within [−100, 1000]; −20 % a year for a model with no earlier appraisal).
 * Stresses: utilization-70 (utilization 70, rents −30 %, power price × 1.5), largest-tenant-default
 * (the tenant with the largest rent defaults in month 24 recovering 40 %, no refinancing),
 * no-refinance (60 % renewal, 9 months' downtime, re-leasing −20 %), gpu-value-crash (−40 % a year).
 */
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import type { PerformanceReportInput } from '../performance/report.js';
import type { GpuModelValue } from './model.js';
import type { BaseScenario, ScenarioInput } from './scenario.js';
import type { CollateralBaseFacts } from './setup.js';

export const HOURS_PER_MONTH = 730;
export const DEFAULT_OPEX_GROWTH_PERCENT = '3';
export const DEFAULT_GPU_CHANGE_PERCENT = '-20';
export const STRESS_DEFAULT_MONTH = 24;

export interface FiledReport {
  periodEnd: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  /** The published metrics (wire strings). */
  metrics: Record<string, string | null>;
}

export interface ReportStart {
  collateral: CollateralBaseFacts;
  base: BaseScenario;
  stresses: Record<string, ScenarioInput>;
}

const ZERO = new Decimal(0);
const sum = (values: readonly string[]) => values.reduce((a, v) => a.add(v), ZERO);
const clamp = (v: Decimal, lo: string, hi: string) => Decimal.max(lo, Decimal.min(hi, v));
const text = (v: Decimal) => (v.isZero() ? '0' : v.toFixed(v.decimalPlaces()));

/** Σ appraised value by GPU model in a report. */
export function fleetValueByModel(report: Omit<PerformanceReportInput, 'reason'>): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const g of report.gpuFleet) out.set(g.model, (out.get(g.model) ?? ZERO).add(g.appraisedValue));
  return out;
}

/** The appraisals' annualized value change of each model (percent, 4 places), from reports ascending. */
export function gpuTrend(reports: readonly FiledReport[]): Record<string, string> {
  const latest = reports[reports.length - 1];
  if (!latest) return {};
  const now = fleetValueByModel(latest.report);
  const out: Record<string, string> = {};
  for (const [model, value] of now) {
    let change: Decimal | null = null;
    for (let k = Math.min(12, reports.length - 1); k >= 1 && change === null; k -= 1) {
      const then = fleetValueByModel(reports[reports.length - 1 - k]!.report).get(model);
      if (then?.gt(0) && value.gt(0)) change = value.div(then).pow(new Decimal(12).div(k)).sub(1).mul(100);
    }
    out[model] = text(roundHalfEven(clamp(change ?? new Decimal(DEFAULT_GPU_CHANGE_PERCENT), '-100', '1000'), 4));
  }
  return out;
}

export function startFromReports(
  reports: readonly FiledReport[],
  gpuStart: readonly GpuModelValue[],
  baseRateIndexPercent = '0',
): ReportStart {
  const latest = reports[reports.length - 1]!;
  const r = latest.report;
  const m = latest.metrics;
  const utilization = m.utilizationPercent && new Decimal(m.utilizationPercent).gt(0) ? text(new Decimal(m.utilizationPercent)) : '100';
  const powerCost = new Decimal(r.powerCost);
  const recovered = new Decimal(r.revenue).sub(sum(r.tenants.map((t) => t.revenueCollected)));
  const recovery = powerCost.gt(0) ? roundHalfEven(clamp(recovered.mul(100).div(powerCost), '0', '100'), 4) : ZERO;
  const powerPrice = m.powerPricePerMwh ?? '55';
  const pue = m.pue && new Decimal(m.pue).gte(1) && new Decimal(m.pue).lte(5) ? m.pue : '1.3';
  const collateral: CollateralBaseFacts = {
    tenants: r.tenants.map((t) => ({
      name: t.name,
      monthlyRent: roundHalfEven(new Decimal(t.monthlyRent), 2).toFixed(),
      leaseExpiry: t.leaseExpiry,
    })),
    baseUtilizationPercent: utilization,
    powerRecoveryPercent: text(recovery),
    trustEnergyMw: text(sum(r.sites.map((s) => s.leasedMw))),
    hoursPerMonth: HOURS_PER_MONTH,
    otherOpexPerMonth: text(roundHalfEven(Decimal.max(0, new Decimal(r.operatingCosts).sub(powerCost)), 2)),
    siteValue: text(roundHalfEven(sum(r.sites.map((s) => s.appraisedValue)), 2)),
    gpuFleet: gpuStart.map((g) => ({ model: g.model, value: g.value })),
  };
  const base: BaseScenario = {
    drivers: {
      utilizationPercent: utilization,
      rentChangePercent: '0',
      powerPricePerMwh: text(new Decimal(powerPrice)),
      pue: text(roundHalfEven(new Decimal(pue), 4)),
      opexGrowthPercent: DEFAULT_OPEX_GROWTH_PERCENT,
      renewalProbabilityPercent: '100',
      downtimeMonths: '0',
      releaseRentChangePercent: '0',
      gpuValueChangePercentPerYear: DEFAULT_GPU_CHANGE_PERCENT,
      ratePath: baseRateIndexPercent,
    },
    refinanceAtArd: true,
    gpuValueChangeByModel: gpuTrend(reports),
  };
  const largest = [...r.tenants].sort((a, b) => new Decimal(b.monthlyRent).comparedTo(a.monthlyRent))[0];
  const stresses: Record<string, ScenarioInput> = {
    'utilization-70': {
      name: 'utilization-70',
      utilizationPercent: '70',
      rentChangePercent: '-30',
      powerPricePerMwh: text(roundHalfEven(new Decimal(powerPrice).mul('1.5'), 2)),
    },
    ...(largest
      ? {
          'largest-tenant-default': {
            name: 'largest-tenant-default',
            tenantDefaults: [{ tenant: largest.name, month: STRESS_DEFAULT_MONTH, recoveryPercent: '40' }],
            refinanceAtArd: false,
          },
        }
      : {}),
    'no-refinance': {
      name: 'no-refinance',
      refinanceAtArd: false,
      renewalProbabilityPercent: '60',
      downtimeMonths: '9',
      releaseRentChangePercent: '-20',
    },
    'gpu-value-crash': { name: 'gpu-value-crash', gpuValueChangePercentPerYear: '-40' },
  };
  return { collateral, base, stresses };
}
