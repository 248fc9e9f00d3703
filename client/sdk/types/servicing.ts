/**
 * Deal servicing: the waterfall definition, collections and their calendar, rate fixings, and
 * the trustee report a distribution produces. Amounts are decimal strings as on the wire.
 */

export type WaterfallCondition = { ard?: 'before' | 'from'; triggerOn?: string; triggerOff?: string; rapidAmortization?: boolean };
export type WaterfallStep =
  | { kind: 'senior_fees'; drawReserve?: boolean; when?: WaterfallCondition }
  | { kind: 'interest'; className: string; drawReserve?: boolean; when?: WaterfallCondition }
  | { kind: 'deferred_interest' | 'additional_interest'; className: string; when?: WaterfallCondition }
  | { kind: 'reserve_top_up' | 'cash_trap'; when?: WaterfallCondition }
  | { kind: 'scheduled_principal'; amountPerPeriod: string; mode: 'sequential' | 'pro_rata'; classes: string[]; when?: WaterfallCondition }
  | { kind: 'sweep'; mode: 'sequential' | 'pro_rata'; classes: string[]; includeTrappedCash?: boolean; when?: WaterfallCondition }
  | { kind: 'residual' };
export interface WaterfallTrigger {
  name: string;
  metric: string;
  comparison: 'lt' | 'lte' | 'gt' | 'gte';
  threshold: string;
  lookbackPeriods?: number;
  curePeriods?: number;
  effect: { type: 'trap_cash'; percent: string } | { type: 'rapid_amortization' } | { type: 'defer_interest'; classes: string[] };
}
/** The step form (what the API stores and answers). */
export interface WaterfallDefinition {
  version: 2;
  paymentsPerYear: 1 | 2 | 4 | 12;
  recordDate: 'business-day-before-payment-date';
  classes: { noteId: string; className: string; stepUpRatePercent?: string | null }[];
  seniorFees: { name: string; annualRatePercent?: string; fixedPerPeriod?: string }[];
  reserve: { targetAmount: string };
  anticipatedRepaymentDate: string | null;
  triggers: WaterfallTrigger[];
  steps: WaterfallStep[];
}
/** The first fixed shape, still accepted by saveWaterfall (stored as steps). */
export interface WaterfallDefinitionV1 {
  version: 1;
  paymentsPerYear: 1 | 2 | 4 | 12;
  seniorFees: { name: string; annualRatePercent?: string; fixedPerPeriod?: string }[];
  classes: { noteId: string; className: string }[];
  reserve: { targetAmount: string };
  principal: { mode: 'sequential' | 'pro_rata'; scheduledPerPeriod: string };
  cashTrap: { dscrThreshold: string; trapPercent: string } | null;
  anticipatedRepaymentDate: string | null;
  recordDate: 'business-day-before-payment-date';
}

/** The five figures go together: send all, or none to take them from the period's performance reports. */
export interface CollectionFigures {
  revenue: string;
  operatingCosts: string;
  utilization: string;
  uptime: string;
  powerCost: string;
}
export interface CollectionInput extends Partial<CollectionFigures> {
  reference: string;
  paymentDate: string;
  /** Derived from the deal's calendar; when sent, must be the derived period. */
  periodStart?: string;
  periodEnd?: string;
}
export interface CollectionCorrection extends Partial<CollectionFigures> {
  reason: string;
}
export interface Collection extends CollectionFigures {
  id: string;
  dealId: string;
  reference: string;
  version: number;
  status: 'active' | 'superseded';
  paymentDate: string;
  periodStart: string;
  periodEnd: string;
  netCashFlow: string;
  operatingCostBreakdown: { power: string; other: string };
  performanceReportIds: string[];
  entryId: string;
  reversalEntryId: string | null;
  supersedesId: string | null;
  reason: string | null;
  recordedBy: string | null;
  businessDate: string;
  recordedAt: string;
}
export interface CollectionCalendarEntry {
  paymentDate: string;
  couponDate: string;
  periodStart: string;
  periodEnd: string;
  distributed: boolean;
}

/** A stored rate fixing: an index's published value for a date (percent). */
export interface RateFixing {
  index: string;
  date: string;
  ratePercent: string;
}

/** A floating class's rate for the period, as a trustee report shows it. */
export interface PeriodRateFixing {
  className: string;
  index: string;
  fixingPercent: string;
  marginBp: string;
  couponPercent: string;
  /** stored: the series' fixing in effect (on or before the determination date); request: given with the distribution. */
  source: 'stored' | 'request';
  determinationDate: string;
  fixingDate: string | null;
  overriddenFixing?: { date: string; ratePercent: string };
}

export interface TrusteeReport {
  dealId: string;
  dealName: string;
  paymentDate: string;
  recordDate: string;
  dscr: string | null;
  cashTrapActive: boolean;
  fullCashSweep: boolean;
  collections: {
    revenue: string;
    operatingCosts: string;
    netCashFlow: string;
    utilizationPercent: string;
    uptimePercent: string;
    powerCost: string;
  };
  seniorFees: { due: string; paid: string; shortfall: string };
  reserve: { before: string; draw: string; topUp: string; after: string };
  trappedCash: { before: string; added: string; released: string; sweptToPrincipal: string; after: string };
  residualReleased: string;
  rapidAmortization: boolean;
  /** Floating classes only: the period's fixing and coupon. */
  rateFixings?: PeriodRateFixing[];
  /** performance_report: the collection period's last report; collections: only the collections' dscr. */
  metricsSource: 'performance_report' | 'collections';
  metrics: Record<string, string>;
  triggers: {
    name: string;
    metric: string;
    comparison: string;
    value: string | null;
    threshold: string;
    testFailed: boolean;
    breached: boolean;
    on: boolean;
    cureCount: number;
    curePeriods: number;
    lookbackPeriods: number;
    effect: WaterfallTrigger['effect'];
  }[];
  steps: {
    step: number;
    kind: WaterfallStep['kind'];
    label: string;
    ran: boolean;
    availableBefore: string;
    fromReserve: string;
    fromTrappedCash: string;
    paid: string;
    toReserve: string;
    toTrappedCash: string;
    deferred: string;
    availableAfter: string;
    paidTo: { className: string; amount: string }[];
  }[];
  classes: {
    noteId: string;
    className: string;
    interestDue: string;
    interestPaid: string;
    interestShortfall: string;
    principalPaid: string;
    interestDeferred: string;
    deferredInterestPaid: string;
    deferredInterest: string;
    additionalInterestDue: string;
    additionalInterestPaid: string;
    additionalInterestShortfall: string;
    balanceBefore: string;
    balanceAfter: string;
    factorBefore: string;
    factorAfter: string;
  }[];
  holders: { noteId: string; partyId: string | null; faceOfRecord: string; interest: string; principal: string }[];
}
