/**
 * Types of the projection and pricing API (issue 17): projections, scenarios, and prices entered as
 * a spread. Decimal strings throughout; yields in percent, spreads in bp.
 */

/** A driver: a flat decimal string, or a vector of steps by month (month 1 = the first projected month). */
export type ScenarioDriver = string | { fromMonth: number; value: string }[];

export interface ScenarioInput {
  name?: string;
  utilizationPercent?: ScenarioDriver;
  rentChangePercent?: ScenarioDriver;
  powerPricePerMwh?: ScenarioDriver;
  pue?: ScenarioDriver;
  opexGrowthPercent?: ScenarioDriver;
  renewalProbabilityPercent?: ScenarioDriver;
  downtimeMonths?: ScenarioDriver;
  releaseRentChangePercent?: ScenarioDriver;
  gpuValueChangePercentPerYear?: ScenarioDriver;
  tenantDefaults?: { tenant: string; month: number; recoveryPercent: string }[];
  /** true: refinanced at the ARD; false: never; a number: in that month. */
  refinanceAtArd?: boolean | number;
}

/** GET /api/v1/deals/:id/scenarios */
export interface DealScenarios {
  benchmark: string;
  base: ScenarioInput & { name: 'base' };
  stresses: ScenarioInput[];
  saved: { id: string; name: string; scenario: ScenarioInput }[];
}

export interface ProjectedCashFlow {
  date: string;
  interest: string;
  principal: string;
  balance: string;
  interestShortfall: string;
  deferredInterest: string;
  writedown: string;
}

export interface ProjectedClass {
  noteId: string;
  className: string;
  cashFlows: ProjectedCashFlow[];
  price: string | null;
  yieldPercent: string | null;
  spreadBp: string | null;
  zSpreadBp: string | null;
  walYears: string | null;
  modifiedDuration: string | null;
  convexity: string | null;
  dv01: string | null;
  lossPercent: string | null;
}

export interface ProjectedPeriod {
  date: string;
  revenue: string;
  operatingCosts: string;
  netOperatingIncome: string;
  dscr: string | null;
  dscrThreeMonthAverage: string | null;
  ltvPercent: string | null;
  trappedCash: string;
  reserve: string;
  cashTrap: boolean;
  fullCashSweep: boolean;
  refinanced: boolean;
  triggers: Record<string, boolean>;
}

/** POST /api/v1/projections */
export interface Projection {
  dealId: string;
  settlementDate: string;
  scenario: ScenarioInput & { name: string };
  curve: { name: string; date: string } | null;
  classes: ProjectedClass[];
  periods: ProjectedPeriod[];
  triggerBreaches: { name: string; firstDate: string | null }[];
}

/** How: one of price, yield (percent) or spreadBp, for a class. */
export type PricingInput = { noteId: string; price: string } | { noteId: string; yield: string } | { noteId: string; spreadBp: string };

/** A price derived from a spread (RFQ answers and dealer quotes entered as a spread). */
export interface SpreadPrice {
  noteId: string;
  side: 'bid' | 'ask';
  spreadBp: string;
  /** On the note's tick: the nearest tick to `unroundedPrice` (an exact half tick goes to the counterparty). */
  price: string;
  unroundedPrice: string;
  yieldPercent: string;
  walYears: string;
  tickSize: string;
  settlementDate: string;
  scenario: 'base';
  curve: { name: string; date: string };
  rounding: string;
}
