/**
 * The derived credit metrics of a deal's monthly performance report, computed one way for
 * servicing (triggers), surveillance and projection. Pure: no I/O, no clock, no randomness.
 *
 * Inputs: the report (sites, tenant leases, deal-level revenue and costs, GPU fleet), what it needs
 * from the deal (the note balance outstanding and the period's debt service) and the metrics of
 * the preceding periods (most recent first) for averages.
 *
 * Definitions (each rounded once, half-even, from unrounded inputs, except the average, which
 * averages the published period DSCRs):
 * - revenue, operatingCosts, powerCost: the report's figures (USD, 2 places). Operating costs
 *   include power cost (powerCost <= operatingCosts is checked by the report's validation).
 * - netOperatingIncome = revenue − operatingCosts (USD, 2 places). Capital expenditure is not an
 *   operating cost and does not reduce NOI.
 * - debtService: the period's scheduled interest of all classes + scheduled principal + senior fees,
 *   as given (USD, 2 places).
 * - dscr = netOperatingIncome ÷ debtService (4 places); null when debt service is zero.
 * - dscrThreeMonthAverage = arithmetic mean of the published dscr of this period and the two
 *   preceding periods (fewer while the deal has fewer; periods with a null dscr are left out) (4 places).
 * - ltvPercent = noteBalance ÷ (Σ sites' appraisedValue + Σ GPU fleet lines' appraisedValue) × 100
 *   (2 places); null when nothing is appraised.
 * - largestTenantSharePercent / top5TenantSharePercent: leased MW of the largest / five largest
 *   tenants ÷ Σ sites' leased MW × 100 (2 places). A tenant is its ultimate obligor: leases of one
 *   obligor count together (look-through concentration, as the rating agencies measure it).
 * - largestTenantRentSharePercent / top5TenantRentSharePercent: the same on contracted monthly rent.
 * - utilizationPercent, uptimePercent: sites' figures weighted by critical IT MW (2 places).
 * - occupancyPercent = Σ leased MW ÷ Σ critical IT MW × 100 (2 places).
 * - walTermYears: remaining lease term (lease expiry − period end, in days ÷ 365, never below 0)
 *   weighted by contracted monthly rent (2 places); null when no rent is contracted.
 * - revenuePerMw = revenue ÷ Σ leased MW (USD per leased MW for the month, 2 places).
 * - pue: the deal's power usage effectiveness = total facility energy ÷ IT energy = Σ energyMwh ÷
 *   Σ (energyMwh ÷ pue) (4 places); sites with no energy carry no weight.
 * - powerPricePerMwh: Σ (energyMwh × powerPricePerMwh) ÷ Σ energyMwh (USD/MWh, 2 places).
 * Ratios with a zero denominator are null (never a division error).
 */
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { daysBetween, parseIsoDate } from '../domain/dates.js';

export const RATIO_PLACES = 4;
export const PERCENT_PLACES = 2;
export const MONEY_PLACES = 2;
export const YEARS_PLACES = 2;
/** Periods averaged by dscrThreeMonthAverage, this one included. */
export const DSCR_AVERAGE_PERIODS = 3;

export interface SiteFigures {
  name: string;
  criticalItMw: Decimal;
  leasedMw: Decimal;
  energizedMw: Decimal;
  utilizationPercent: Decimal;
  uptimePercent: Decimal;
  pue: Decimal;
  energyMwh: Decimal;
  powerPricePerMwh: Decimal;
  appraisedValue: Decimal;
}

export interface TenantFigures {
  name: string;
  obligorName: string;
  rating: string;
  leasedMw: Decimal;
  monthlyRent: Decimal;
  leaseStart: string;
  leaseExpiry: string;
  revenueCollected: Decimal;
  pastDue: Decimal;
}

export interface GpuFleetFigures {
  model: string;
  count: number;
  ageMonths: number;
  appraisedValue: Decimal;
  appraisalDate: string;
}

export interface ReportFigures {
  periodEnd: string;
  sites: readonly SiteFigures[];
  tenants: readonly TenantFigures[];
  revenue: Decimal;
  operatingCosts: Decimal;
  powerCost: Decimal;
  capitalExpenditure: Decimal;
  gpuFleet: readonly GpuFleetFigures[];
}

export interface MetricsInput {
  report: ReportFigures;
  /** The deal's note balance outstanding (all classes) for the period. */
  noteBalance: Decimal;
  /** The period's scheduled interest of all classes + scheduled principal + senior fees. */
  debtService: Decimal;
  /** Metrics of the preceding periods, most recent first (only the first two are read). */
  previous: readonly DealMetrics[];
}

export interface DealMetrics {
  periodEnd: string;
  revenue: Decimal;
  operatingCosts: Decimal;
  powerCost: Decimal;
  netOperatingIncome: Decimal;
  debtService: Decimal;
  dscr: Decimal | null;
  dscrThreeMonthAverage: Decimal | null;
  ltvPercent: Decimal | null;
  largestTenantSharePercent: Decimal | null;
  top5TenantSharePercent: Decimal | null;
  largestTenantRentSharePercent: Decimal | null;
  top5TenantRentSharePercent: Decimal | null;
  utilizationPercent: Decimal | null;
  uptimePercent: Decimal | null;
  occupancyPercent: Decimal | null;
  walTermYears: Decimal | null;
  revenuePerMw: Decimal | null;
  pue: Decimal | null;
  powerPricePerMwh: Decimal | null;
}

/** Metric names, in the order the API lists them. */
export const METRIC_NAMES = [
  'revenue',
  'operatingCosts',
  'powerCost',
  'netOperatingIncome',
  'debtService',
  'dscr',
  'dscrThreeMonthAverage',
  'ltvPercent',
  'largestTenantSharePercent',
  'top5TenantSharePercent',
  'largestTenantRentSharePercent',
  'top5TenantRentSharePercent',
  'utilizationPercent',
  'uptimePercent',
  'occupancyPercent',
  'walTermYears',
  'revenuePerMw',
  'pue',
  'powerPricePerMwh',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);
const DAYS_PER_YEAR = new Decimal(365);

function total<T>(items: readonly T[], value: (item: T) => Decimal): Decimal {
  return items.reduce((sum, item) => sum.plus(value(item)), ZERO);
}

/** numerator ÷ denominator rounded, or null for a zero denominator. */
function ratio(numerator: Decimal, denominator: Decimal, places: number, scale: Decimal = new Decimal(1)): Decimal | null {
  if (denominator.isZero()) return null;
  return roundHalfEven(numerator.mul(scale).div(denominator), places);
}

function weighted<T>(items: readonly T[], value: (item: T) => Decimal, weight: (item: T) => Decimal, places: number): Decimal | null {
  return ratio(
    total(items, (i) => value(i).mul(weight(i))),
    total(items, weight),
    places,
  );
}

/** Shares (percent) of the largest and the five largest obligors in `amount`. */
function concentration(tenants: readonly TenantFigures[], amount: (t: TenantFigures) => Decimal, denominator: Decimal) {
  const byObligor = new Map<string, Decimal>();
  for (const t of tenants) byObligor.set(t.obligorName, (byObligor.get(t.obligorName) ?? ZERO).plus(amount(t)));
  const sorted = [...byObligor.values()].sort((a, b) => b.comparedTo(a));
  return {
    largest: ratio(sorted[0] ?? ZERO, denominator, PERCENT_PLACES, HUNDRED),
    top5: ratio(
      total(sorted.slice(0, 5), (v) => v),
      denominator,
      PERCENT_PLACES,
      HUNDRED,
    ),
  };
}

function remainingYears(periodEnd: string, leaseExpiry: string): Decimal {
  const days = daysBetween(parseIsoDate(periodEnd), parseIsoDate(leaseExpiry));
  return days <= 0 ? ZERO : new Decimal(days).div(DAYS_PER_YEAR);
}

/** Mean of this period's dscr and the preceding ones' published dscr (up to three in all). */
function dscrAverage(current: Decimal | null, previous: readonly DealMetrics[]): Decimal | null {
  const values = [current, ...previous.slice(0, DSCR_AVERAGE_PERIODS - 1).map((m) => m.dscr)].filter((v): v is Decimal => v !== null);
  return ratio(
    total(values, (v) => v),
    new Decimal(values.length),
    RATIO_PLACES,
  );
}

export function computeMetrics(input: MetricsInput): DealMetrics {
  const { report, noteBalance, debtService } = input;
  const { sites, tenants } = report;
  const leasedMw = total(sites, (s) => s.leasedMw);
  const criticalItMw = total(sites, (s) => s.criticalItMw);
  const noi = report.revenue.minus(report.operatingCosts);
  const dscr = ratio(noi, debtService, RATIO_PLACES);
  const appraised = total(sites, (s) => s.appraisedValue).plus(total(report.gpuFleet, (g) => g.appraisedValue));
  const mwShare = concentration(tenants, (t) => t.leasedMw, leasedMw);
  const rentShare = concentration(
    tenants,
    (t) => t.monthlyRent,
    total(tenants, (t) => t.monthlyRent),
  );
  const itEnergy = total(
    sites.filter((s) => s.energyMwh.gt(0) && s.pue.gt(0)),
    (s) => s.energyMwh.div(s.pue),
  );
  return {
    periodEnd: report.periodEnd,
    revenue: roundHalfEven(report.revenue, MONEY_PLACES),
    operatingCosts: roundHalfEven(report.operatingCosts, MONEY_PLACES),
    powerCost: roundHalfEven(report.powerCost, MONEY_PLACES),
    netOperatingIncome: roundHalfEven(noi, MONEY_PLACES),
    debtService: roundHalfEven(debtService, MONEY_PLACES),
    dscr,
    dscrThreeMonthAverage: dscrAverage(dscr, input.previous),
    ltvPercent: ratio(noteBalance, appraised, PERCENT_PLACES, HUNDRED),
    largestTenantSharePercent: mwShare.largest,
    top5TenantSharePercent: mwShare.top5,
    largestTenantRentSharePercent: rentShare.largest,
    top5TenantRentSharePercent: rentShare.top5,
    utilizationPercent: weighted(
      sites,
      (s) => s.utilizationPercent,
      (s) => s.criticalItMw,
      PERCENT_PLACES,
    ),
    uptimePercent: weighted(
      sites,
      (s) => s.uptimePercent,
      (s) => s.criticalItMw,
      PERCENT_PLACES,
    ),
    occupancyPercent: ratio(leasedMw, criticalItMw, PERCENT_PLACES, HUNDRED),
    walTermYears: weighted(
      tenants,
      (t) => remainingYears(report.periodEnd, t.leaseExpiry),
      (t) => t.monthlyRent,
      YEARS_PLACES,
    ),
    revenuePerMw: ratio(report.revenue, leasedMw, MONEY_PLACES),
    pue: ratio(
      total(sites, (s) => (s.pue.gt(0) ? s.energyMwh : ZERO)),
      itEnergy,
      RATIO_PLACES,
    ),
    powerPricePerMwh: weighted(
      sites,
      (s) => s.powerPricePerMwh,
      (s) => s.energyMwh,
      MONEY_PLACES,
    ),
  };
}

/** Decimal strings for the wire (null stays null). Money with 2 places, others as rounded. */
export function metricsToWire(m: DealMetrics): Record<MetricName, string | null> {
  const out = {} as Record<MetricName, string | null>;
  for (const name of METRIC_NAMES) {
    const value = m[name];
    out[name] = value === null ? null : value.toFixed(placesOf(name));
  }
  return out;
}

function placesOf(name: MetricName): number {
  if (name === 'dscr' || name === 'dscrThreeMonthAverage' || name === 'pue') return RATIO_PLACES;
  if (name === 'walTermYears') return YEARS_PLACES;
  if (name.endsWith('Percent')) return PERCENT_PLACES;
  return MONEY_PLACES;
}

/** Metric name → value, the non-null ones: what a trigger tests. */
export function metricsMap(m: DealMetrics): ReadonlyMap<string, Decimal> {
  const map = new Map<string, Decimal>();
  for (const name of METRIC_NAMES) {
    const value = m[name];
    if (value !== null) map.set(name, value);
  }
  return map;
}
