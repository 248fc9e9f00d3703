/**
 * The data both projection engines read and write — pure types plus the rules they share, stated
 * once here so the integer engine (fast.ts) and the decimal.js reference (reference.ts) implement
 * the same steps.
 *
 * A setup is everything fixed for a deal at the projection's start: the payment dates to the legal
 * final, each class's accrual fraction per period (the servicing rule: 30/360 days ÷ 360 for the
 * 30/360 family and ACT/360, actual days ÷ 365 for ACT/365F, 1 ÷ payments per year for
 * ACT/ACT-ICMA), the waterfall definition's terms (the same the trustee services with), the trust's
 * actual state, and the collateral's base facts. Amounts are decimal strings of USD.
 *
 * Collateral month m (1 = the first month of the first projected payment's collection period,
 * server/servicing/calendar.ts), for the scenario's values in month m (u = utilization %, r = rent
 * change %, price, pue, g = opex growth %/yr, per GPU model v = value change %/yr, i = the rate
 * index %). The collateral's base facts come from the trust's latest performance report
 * (start.ts): each tenant's contracted monthly rent and lease expiry, the report's utilization u₀,
 * the sites' leased MW, the share of power cost billed to tenants, other operating costs, the
 * sites' appraised value and the GPU fleet's value by model (gpu-values.ts, the seam the GPU value
 * index plugs into).
 * - a tenant's rent = monthlyRent × u ÷ u₀ × (1 + r/100) × f, rounded to cents (half-even, one
 *   division last), where f = 1 while m ≤ E (its lease's last month); after E, with the renewal
 *   probability p, downtime d and re-lease change c read at month E + 1 (expected values):
 *   f = p for m ≤ E + d, then p + (1 − p)(1 + c/100). A tenant that defaults in month M pays
 *   nothing from M on and, in M, recovers recovery% × monthlyRent × max(E − M + 1, 0)
 *   (the rest of its contracted rent), rounded to cents;
 * - power cost = trustEnergyMw × u/100 × hoursPerMonth × pue × price per MWh, rounded to cents;
 *   revenue also recovers powerRecoveryPercent of it from the tenants (rounded to cents);
 * - other operating cost: the base per month, stepped at each anniversary (months 13, 25, …) to
 *   round(level × (1 + g/100)); each GPU model's value likewise with its own v (for LTV);
 * - a payment period sums its months; operating costs its revenue cannot cover (with the trust's
 *   free cash) carry into the next period's costs.
 * The waterfall of each period is the deal's step-form definition run by server/waterfall
 * (runWaterfallPeriod), as servicing runs it, with availableFunds = free cash + revenue − costs.
 * Its triggers test the metrics servicing tests: those of the performance report of the period's
 * last collection month (server/performance/metrics.ts). Where that report is filed
 * (setup.actuals) they are its published metrics; otherwise the projection writes the month's
 * report itself: dscr = the month's NOI (revenue − costs, no carry) ÷ its debt service as
 * performance/debt-service.ts defines it (Σ balance × coupon ÷ 12 + fees + the scheduled principal
 * of performance/store.ts's debtServiceTerms, on the balances at the start of the period, rounded
 * to cents), 4 places half-even; dscrThreeMonthAverage = the mean of the published dscr of this and
 * the two preceding months (reports filed before the projection included, nulls left out), 4
 * places; ltvPercent on the balances at the start of the period ÷ (site value + Σ GPU values at the
 * month) (2 places); revenue, operatingCosts, netOperatingIncome, debtService of that month;
 * utilizationPercent, pue, powerPricePerMwh of that month. Triggers on other metrics are not
 * tested (they pass). A floating class's coupon for a period is i (read at the period's first
 * month) + its margin (bp ÷ 100). After the waterfall: on the
 * refinancing period (true: the ARD, or the legal final for a deal without one) every class is repaid (balance and unpaid interest) from outside proceeds; on
 * the legal final any balance left is written down. Free cash after a period is zero (holder-level
 * rounding remainders are a servicing detail the projection leaves out).
 * Per period: DSCR and its average are those of its last month; LTV as above.
 */

import type { WaterfallDefinition } from '../waterfall/index.js';

export interface YearFraction {
  /** yearFraction = days ÷ basis (both whole numbers), as servicing computes it. */
  days: number;
  basis: number;
}

export interface TenantFacts {
  name: string;
  /** Contracted rent a month (USD, cents) at the base utilization u₀. */
  monthlyRent: string;
  /** The lease's last month counted from the first projected month (0 or less: already expired). */
  expiryMonth: number;
}

export interface GpuModelValue {
  model: string;
  /** Value at the start (USD, cents). */
  value: string;
}

export interface CollateralFacts {
  tenants: TenantFacts[];
  /** The utilization (%) at which the tenants pay their contracted rent (> 0, at most 4 decimals). */
  baseUtilizationPercent: string;
  /** Share of the power cost billed to the tenants (%, at most 4 decimals). */
  powerRecoveryPercent: string;
  /** The trust's own power draw at 100 % utilization (MW, at most 3 decimals). */
  trustEnergyMw: string;
  hoursPerMonth: number;
  otherOpexPerMonth: string;
  siteValue: string;
  /** The GPU fleet's value by model at the start (gpu-values.ts). */
  gpuFleet: GpuModelValue[];
}

export interface ClassStart {
  noteId: string;
  className: string;
  couponRatePercent: string;
  balance: string;
  interestShortfall: string;
  deferredInterest: string;
  additionalInterestShortfall: string;
  /** A floating class: coupon = the scenario's rate index + this margin (bp); null for a fixed coupon. */
  floatingMarginBp?: string | null;
}

export interface TriggerStart {
  on: boolean;
  cureCount: number;
  recentFailures: boolean[];
}

export interface ProjectionSetup {
  /** The deal's waterfall in step form: the definition servicing runs (server/waterfall). */
  definition: WaterfallDefinition;
  monthsPerPeriod: number;
  /** Payment dates to the legal final; accrualStart is the previous payment date; fractions[i] is class i's. */
  periods: { date: string; accrualStart: string; fractions: YearFraction[] }[];
  /** 1-based index of the first period on or after the ARD, or null. */
  ardPeriod: number | null;
  /** In the definition's class order. */
  classes: ClassStart[];
  start: {
    freeCash: string;
    reserve: string;
    trappedCash: string;
    feeShortfall: string;
    /** Published dscr of the months before month 1, most recent first (null: the report had none). */
    recentDscrs: (string | null)[];
    triggers: Record<string, TriggerStart>;
  };
  collateral: CollateralFacts;
  /** The month end of each projected month (month m at index m − 1). */
  monthEnds?: string[];
  /** Scheduled principal per period that a month's debt service counts (debtServiceTerms at its month end), by month − 1; missing: 0. */
  scheduledPrincipalByMonth?: string[];
  /** Filed performance reports: published dscr by month (1-based) and all published metrics by period (1-based, its last month's). */
  actuals?: { dscrByMonth: Record<number, string | null>; metricsByPeriod: Record<number, Record<string, string>> };
  /** When set, period 1's revenue and costs are these actual collections instead of the model's. */
  firstPeriodCollections?: { revenue: string; operatingCosts: string };
}

/** Results in integer cents (and DSCR in 1e-4, LTV in 1e-2 percent), so engines compare exactly. */
export interface ClassPeriod {
  interest: number;
  principal: number;
  balance: number;
  /** Interest due and unpaid, carried forward after the period (no interest on it). */
  interestShortfall: number;
  /** Interest deferred (paid in kind) by a trigger and not yet paid, after the period. */
  deferredInterest: number;
  writedown: number;
}

export interface PeriodResult {
  date: string;
  revenue: number;
  operatingCosts: number;
  netOperatingIncome: number;
  dscr: number | null;
  dscrAverage: number | null;
  ltvPercent: number | null;
  /** Each GPU model's value (cents) at the period's last month, in the collateral's model order. */
  gpuValues: number[];
  trappedCash: number;
  reserve: number;
  /** Each trigger's state after its test this period, in the definition's order. */
  triggers: boolean[];
  cashTrap: boolean;
  fullCashSweep: boolean;
  refinanced: boolean;
  classes: ClassPeriod[];
}

export interface ProjectionResult {
  periods: PeriodResult[];
}

/** Months in the projection: every period's months. */
export function projectedMonths(setup: ProjectionSetup): number {
  return setup.periods.length * setup.monthsPerPeriod;
}

/** The 1-based period at which the scenario refinances, or null. */
export function refinancePeriod(setup: ProjectionSetup, refinanceAtArd: boolean | number): number | null {
  if (refinanceAtArd === false) return null;
  if (refinanceAtArd === true) return setup.ardPeriod ?? setup.periods.length; // no ARD: a bullet refinanced at its maturity
  return Math.ceil(refinanceAtArd / setup.monthsPerPeriod);
}

/** Tenant lease phase in month m: 0 leased, 1 downtime after expiry, 2 re-leased/renewed, 3 defaulted. */
export function leasePhase(expiryMonth: number, downtime: number, defaultMonth: number | null, m: number): 0 | 1 | 2 | 3 {
  if (defaultMonth !== null && m >= defaultMonth) return 3;
  if (m <= expiryMonth) return 0;
  return m <= expiryMonth + downtime ? 1 : 2;
}

/** Index (0-based month) at which a lease's renewal terms are read: month E + 1, clamped into the projection. */
export function renewalIndex(expiryMonth: number, months: number): number {
  return Math.min(Math.max(expiryMonth, 0), months - 1);
}
