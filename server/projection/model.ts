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
 * Collateral month m (1 = the first projected month), for the scenario's values in month m
 * (u = utilization %, r = rent change %, price, pue, g = opex growth %/yr, v = GPU value change %/yr):
 * - a tenant's rent = leasedMw × rentPerMwMonth × u/100 × (1 + r/100) × f, rounded to cents
 *   (half-even), where f = 1 while m ≤ E (its lease's last month); after E, with the renewal
 *   probability p, downtime d and re-lease change c read at month E + 1 (expected values):
 *   f = p for m ≤ E + d, then p + (1 − p)(1 + c/100). A tenant that defaults in month M pays
 *   nothing from M on and, in M, recovers recovery% × leasedMw × rentPerMwMonth × max(E − M + 1, 0)
 *   (the rest of its contracted rent), rounded to cents;
 * - power cost = trustEnergyMw × u/100 × hoursPerMonth × pue × price per MWh, rounded to cents;
 * - other operating cost: the base per month, stepped at each anniversary (months 13, 25, …) to
 *   round(level × (1 + g/100)); GPU value likewise with v (for LTV);
 * - a payment period sums its months; operating costs its revenue cannot cover (with the trust's
 *   free cash) carry into the next period's costs.
 * The waterfall of each period is the deal's step-form definition run by server/waterfall
 * (runWaterfallPeriod), as servicing runs it, with availableFunds = free cash + revenue − costs and
 * the period's metrics for its triggers: dscr = (revenue − costs) ÷ scheduled debt service (senior
 * fees + every class's current interest), unrounded, as servicing computes it; dscrThreeMonthAverage
 * (below); ltvPercent on the balances at the start of the period; revenue, operatingCosts,
 * netOperatingIncome, debtService (cents); utilizationPercent, pue, powerPricePerMwh of the
 * period's last month. Triggers on other metrics are not tested (they pass). After it: on the
 * refinancing period (true: the ARD, or the legal final for a deal without one) every class is repaid (balance and unpaid interest) from outside proceeds; on
 * the legal final any balance left is written down. Free cash after a period is zero (holder-level
 * rounding remainders are a servicing detail the projection leaves out).
 * Per period: DSCR (4 places, half-even), its average over this and the two preceding periods'
 * rounded DSCRs (nulls left out), LTV = Σ class balances at the period's start ÷ (site value + GPU
 * value at the period's last month) × 100 (2 places).
 */

import type { WaterfallDefinition } from '../waterfall/index.js';

export interface YearFraction {
  /** yearFraction = days ÷ basis (both whole numbers), as servicing computes it. */
  days: number;
  basis: number;
}

export interface TenantFacts {
  name: string;
  /** Leased capacity, at most 3 decimals. */
  leasedMw: string;
  /** USD per MW-month at 100 % utilization, at most 2 decimals. */
  rentPerMwMonth: string;
  /** The lease's last month counted from the first projected month (0 or less: already expired). */
  expiryMonth: number;
}

export interface CollateralFacts {
  tenants: TenantFacts[];
  /** The trust's own power draw at 100 % utilization (MW, at most 3 decimals). */
  trustEnergyMw: string;
  hoursPerMonth: number;
  otherOpexPerMonth: string;
  siteValue: string;
  gpuValue: string;
}

export interface ClassStart {
  noteId: string;
  className: string;
  couponRatePercent: string;
  balance: string;
  interestShortfall: string;
  deferredInterest: string;
  additionalInterestShortfall: string;
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
    recentDscrs: string[];
    triggers: Record<string, TriggerStart>;
  };
  collateral: CollateralFacts;
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
