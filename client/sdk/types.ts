/**
 * The SDK's own copy of the public contract (API.md, docs/API-GUIDE.md): request and response
 * shapes of every REST endpoint. Prices, quantities and cash are decimal strings exactly as on the
 * wire; nothing here is ever converted to a JS number. Clients import these types, never the
 * server's modules.
 */

export type Role = 'investor' | 'dealer' | 'backoffice' | 'operator';
export type Side = 'buy' | 'sell';
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK' | 'GTD';
/** '30/360-ISDA' = ISDA 2006 §4.16(f) bond basis; '30/360-SIFMA' = SIFMA SSCM 30/360 (February rule); '30/360' is accepted on input as '30/360-ISDA'. */
export type DayCount = '30/360-ISDA' | '30/360-SIFMA' | '30/360' | '30E/360' | 'ACT/360' | 'ACT/365F' | 'ACT/ACT-ICMA';

export interface User {
  id: string;
  username: string;
  partyId: string;
  roles: Role[];
}
export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}

export interface Collateral {
  site: string;
  capacityMw: string;
  gpuCount: number;
  gpuModel: string;
  lessee: string;
  leaseTermMonths: number;
}

export interface NoteInput {
  isin: string;
  dealId: string;
  className: string;
  name: string;
  seniority: number;
  rating: string;
  couponType: 'fixed' | 'floating';
  couponRate: string;
  dayCount: DayCount;
  frequency: 1 | 2 | 4 | 12;
  issueDate: string;
  firstCouponDate: string;
  maturityDate: string;
  originalFace: string;
  factor: string;
  currency?: 'USD';
  minDenomination: string;
  increment: string;
  tickSize: string;
  settlementDays?: number;
  traceCategory?: string;
  disseminationCap?: string;
}

export interface Note extends Required<NoteInput> {
  id: string;
  status: 'active' | 'halted';
  currency: 'USD';
}

export interface DealInput {
  name: string;
  sponsor: string;
  issuer: string;
  dealType: string;
  closingDate: string;
  collateral: Collateral;
  description?: string;
}
export interface Deal extends Required<DealInput> {
  id: string;
  notes?: Note[];
}

export interface Party {
  id: string;
  name: string;
  kind: Role;
  eligible: boolean;
  createdAt: string;
}

export interface BookLevel {
  price: string;
  quantity: string;
  orders: number;
}
export interface Book {
  noteId: string;
  seq: number;
  bids: BookLevel[];
  asks: BookLevel[];
}
export interface TapeTrade {
  id: string;
  noteId: string;
  price: string;
  quantity: string;
  executedAt: string;
}

export interface OrderRequest {
  clOrdId: string;
  noteId: string;
  side: Side;
  type: 'limit' | 'market';
  price?: string;
  quantity: string;
  timeInForce?: TimeInForce;
  expireAt?: string;
  postOnly?: boolean;
  stpMode?: 'cancel_newest' | 'cancel_oldest' | 'cancel_both' | 'decrement_and_cancel';
}

export type OrderStatus = 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface Order {
  id: string;
  clOrdId: string;
  partyId: string;
  noteId: string;
  side: Side;
  type: 'limit' | 'market';
  price: string | null;
  quantity: string;
  timeInForce: TimeInForce;
  expireAt: string | null;
  postOnly: boolean;
  stpMode: string;
  source: string;
  status: OrderStatus;
  filledQuantity: string;
  leavesQuantity: string;
  cancelledQuantity: string;
  averagePrice: string | null;
  rejectCode: string | null;
  rejectReason: string | null;
  tradeDate: string;
  createdAt: string;
  updatedAt: string;
  /** Only on a quote side entered as a spread: the spread in bp its price was derived from. */
  spreadBp?: string;
}

/**
 * A fill / execution: one trade from the viewer's side, with the full money breakdown. Listed by
 * GET /executions once the on-chain registry has been on, it also carries `registry`: the state of
 * its settlement's transfer on chain (null until the trade settles). Fills in order results and on
 * the WebSocket never carry it.
 */
/** A note's price band now (GET /notes/:id/price-band); null bounds when it has no reference price. */
export interface PriceBand {
  noteId: string;
  widthPoints: string;
  reference: string | null;
  referenceSource: 'last_trade' | 'mid' | null;
  low: string | null;
  high: string | null;
}

export interface Execution {
  tradeId: string;
  orderId: string | null;
  noteId: string;
  side: Side;
  price: string;
  quantity: string;
  factor: string;
  principal: string;
  accruedInterest: string;
  netAmount: string;
  tradeDate: string;
  settlementDate: string;
  liquidity: 'maker' | 'taker';
  venue: 'clob' | 'rfq';
  executedAt: string;
  registry?: ChainState | null;
  /** GET /executions only: how the trade was done — two orders in the book, a dealer's quote, or an RFQ. */
  venueType?: 'book' | 'quote' | 'rfq';
  /** GET /executions only: the trade's settlement instruction status; null before one exists. */
  settlementStatus?: 'pending' | 'settled' | 'failed' | 'cancelled' | null;
  settledDate?: string | null;
  /** A trade re-amounted at its note's new factor before it settled: the amounts it was traded at. */
  adjustment?: { paymentDate: string; original: { factor: string; principal: string; accruedInterest: string; netAmount: string } };
}

/** `warnings`: warn-mode concentration limits the order breaches (it was accepted). */
export interface OrderResult {
  order: Order;
  fills: Execution[];
  warnings?: {
    code: 'CONCENTRATION_LIMIT';
    breaches: {
      by: string;
      key: string;
      name: string;
      mode: 'warn' | 'hard';
      maxSharePercent: string;
      sharePercentBefore: string;
      sharePercentAfter: string;
    }[];
  }[];
}

export interface QuoteInput {
  noteId: string;
  bidPrice?: string;
  /** Instead of bidPrice: a spread in bp over the benchmark; the server derives the price. */
  bidSpreadBp?: string;
  bidSize: string;
  askPrice?: string;
  /** Instead of askPrice: a spread in bp over the benchmark; the server derives the price. */
  askSpreadBp?: string;
  askSize: string;
}
export interface QuotesResult {
  quotes: Order[];
  fills: Execution[];
}
export interface LiveQuoteSide {
  orderId: string;
  price: string;
  size: string;
  /** A side entered as a spread: its spread in bp; the price is re-derived from it when the curve or the date moves. */
  spreadBp?: string;
}
/** A spread quote re-priced (or pulled, with the reason) when the benchmark curve or the business date moved. */
export interface QuoteReprice {
  noteId: string;
  seq: number;
  trigger: 'curve' | 'business_date' | 'start' | 'resume';
  outcome: 'repriced' | 'pulled';
  reasonCode: string | null;
  reason: string | null;
  bidSpreadBp: string | null;
  askSpreadBp: string | null;
  previousBidPrice: string | null;
  previousAskPrice: string | null;
  bidPrice: string | null;
  askPrice: string | null;
  curve: { name: string; date: string } | null;
  businessDate: string;
  at: string;
}
/** One note this dealer quotes: the resting bid and ask (size left), null for an empty side. */
export interface LiveQuote {
  noteId: string;
  bid: LiveQuoteSide | null;
  ask: LiveQuoteSide | null;
}
/** A position as GET /api/v1/positions answers it (decimal strings; see docs/API-GUIDE.md "Positions"). */
export interface Position {
  noteId: string;
  originalFace: string;
  factor: string;
  currentFace: string;
  markPrice: string;
  markSource: 'mid' | 'last' | 'model';
  marketValue: string;
  accruedInterest: string;
  averageCost: string;
  unrealizedPnl: string;
  realizedPnl: string;
  pendingFace: string;
  pendingCash: string;
  /** Modified duration to the ARD under the base scenario at the mark; null when the deal cannot be projected. */
  modifiedDuration: string | null;
  /** (marketValue + accruedInterest) × modifiedDuration × 0.0001, in cents. */
  dv01: string | null;
  /** The last trade dated before today's business date, else the model price. */
  previousClose: string;
  previousCloseSource: 'last' | 'model';
  /** Mark change on the face carried over + today's trades against the mark / previous close (see the guide). */
  dayPnl: string;
}

export type RfqStatus = 'open' | 'done' | 'expired' | 'cancelled';
export interface RfqRequest {
  noteId: string;
  side: Side;
  quantity: string;
  dealerPartyIds?: string[];
  expiresInSeconds?: number;
}
/** A dealer's answer, or its decline (status `declined`, price null, optional reason). */
export interface RfqResponse {
  id: string;
  dealerPartyId: string;
  price: string | null;
  validUntil: string;
  status: 'open' | 'accepted' | 'not_chosen' | 'expired' | 'replaced' | 'declined';
  reason?: string | null;
  /** The spread (bp over the benchmark) the dealer answered at, the price derived from it; absent when typed as a price. */
  spreadBp?: string;
}
export interface Rfq {
  id: string;
  noteId: string;
  side: Side;
  quantity: string;
  dealerPartyIds?: string[];
  status: RfqStatus;
  expiresAt: string;
  createdAt: string;
  acceptedResponseId: string | null;
  tradeId: string | null;
  responses: RfqResponse[];
}
export interface RfqStatistics {
  dealerPartyId: string;
  received: number;
  answered: number;
  done: number;
  covered: number;
  notChosen: number;
  expired: number;
  noResponse: number;
  declined: number;
  hitRatio: string | null;
}

export interface Balance {
  asset: string;
  total: string;
  held: string;
  available: string;
  /** USD of a dealer with a credit line: the line, what its holds use of it, what is left. */
  creditLine?: string;
  creditUsed?: string;
  creditAvailable?: string;
}

export interface CreditLine {
  partyId: string;
  creditLine: string;
  creditUsed: string;
  creditAvailable: string;
}

export interface ReferenceRate {
  date: string;
  ratePercent: string;
}
export interface Posting {
  accountId: string;
  partyId: string | null;
  systemAccount: string | null;
  asset: string;
  amount: string;
}
export interface JournalEntry {
  id: string;
  idempotencyKey: string;
  kind: string;
  description: string;
  businessDate: string;
  createdAt: string;
  metadata: Record<string, unknown>;
  postings: Posting[];
}
export interface CashMovementInput {
  partyId: string;
  amount: string;
  reference: string;
}
export interface CashMovement {
  entryId: string;
  partyId: string;
  amount: string;
  reference: string;
  businessDate: string;
  balance: Balance;
}

export type SettlementStatus = 'pending' | 'settled' | 'failed' | 'cancelled';

export interface Settlement {
  id: string;
  tradeId: string;
  noteId: string /** null: the counterparty, hidden from an investor or dealer (anonymous trading). */;
  buyerPartyId: string | null;
  sellerPartyId: string | null;
  quantity: string;
  netAmount: string;
  tradeDate: string;
  settlementDate: string;
  status: SettlementStatus;
  failedSide: 'buyer' | 'seller' | 'both' | null;
  failSince: string | null;
  failAgeBusinessDays: number | null;
  failCharge: string;
  failChargePayer: 'seller' | null;
  attempts: number;
  /** The ledger entry that booked the fail charge when the fail settled. */
  failChargeEntryId?: string | null;
  /** The amount before a distribution re-amounted the trade at its note's new factor. */
  originalNetAmount?: string | null;
  lastAttemptDate?: string | null;
  settledDate: string | null;
  settlementMode: string | null;
  entryId: string | null;
  runId?: string | null;
  cancelReason?: string | null;
  /** Once the on-chain registry has been on: the state of the instruction's transfer on chain (null until it settles). */
  registry?: ChainState | null;
}

export interface RunSummary {
  runId: string;
  date: string;
  mode: 'gross' | 'net';
  instructionsCreated: number;
  due: number;
  settled: number;
  failed: number;
  chunks: number;
  durationMs: number;
}

export interface SettlementRun {
  id: string;
  date: string;
  mode: string;
  status: 'running' | 'completed' | 'failed' | 'interrupted';
  total: number;
  processed: number;
  settled: number;
  failed: number;
  instructionsCreated?: number;
  error?: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** USD net amounts and face of what the run settled and failed (decimal strings). */
  settledAmount: string;
  settledFace: string;
  failedAmount: string;
  failedFace: string;
  /** Who ran it (username); null for the roll's own run before the audit trail, or unknown. */
  createdBy: string | null;
}

export type SettlementRunQuery = {
  date?: string;
  from?: string;
  to?: string;
  /** Paging: runs with an id below this one. */
  before?: string;
  limit?: number;
};

/** The actions the audit trail records (GET /api/v1/audit?action=). */
export const AUDIT_ACTIONS = [
  'business_date.roll',
  'settlement.run',
  'settlement.cancel',
  'collection.record',
  'collection.correct',
  'distribution.run',
  'performance_report.file',
  'waterfall.set',
  'registry.forced_transfer',
  'registry.address_set',
  'registry.recover',
  'note.create',
  'note.halt',
  'note.resume',
  'note.price_band',
  'deal.create',
  'party.create',
  'party.eligibility',
  'credit_line.set',
  'reference_rate.set',
  'rate_fixing.set',
  'cash.deposit',
  'cash.withdrawal',
  'risk_limits.set',
  'obligor.create',
  'obligor.update',
  'obligor.relationship_add',
  'obligor.import',
  'curve.load',
  'gpu_values.load',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One row of the audit trail: who did what, on what, when. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: AuditAction;
  entity: string;
  details: Record<string, unknown>;
}

export type AuditQuery = {
  /** A date YYYY-MM-DD (the whole UTC day) or an ISO instant with offset. */
  from?: string;
  to?: string;
  actor?: string;
  action?: AuditAction;
  before?: string;
  limit?: number;
};

export type ChecklistKey =
  | 'instructions_due'
  | 'open_fails'
  | 'settlement_runs_running'
  | 'collections_undistributed'
  | 'registry_pending'
  | 'registry_failed';

export interface ChecklistItem {
  key: ChecklistKey;
  label: string;
  count: number;
  amount: string | null;
  ok: boolean;
  rows: Record<string, string>[];
}

/** What is open before the end-of-day roll. */
export interface PreRollChecklist {
  businessDate: string;
  nextBusinessDate: string;
  ready: boolean;
  items: ChecklistItem[];
}

export interface Statement {
  partyId: string;
  date: string;
  trades: { tradeId: string; noteId: string; side: string; price: string; quantity: string; netAmount: string; settlementDate: string }[];
  settlements: (Settlement & { side: string })[];
  fails: (Settlement & { side: string })[];
  /** Distributions paid to the party that day: interest and principal apart (`amount` is their sum, the cash movement). */
  distributions: {
    entryId: string;
    dealId: string;
    noteId: string;
    paymentDate: string;
    faceOfRecord: string;
    interest: string;
    principal: string;
    amount: string;
  }[];
  movements: { entryId: string; kind: string; description: string; asset: string; amount: string }[];
  closingBalances: { asset: string; total: string }[];
}

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

/** Derived credit metrics (docs/API-GUIDE.md defines each); decimal strings, null when undefined (e.g. no debt service). */
export interface DealMetrics {
  revenue: string | null;
  operatingCosts: string | null;
  powerCost: string | null;
  netOperatingIncome: string | null;
  debtService: string | null;
  dscr: string | null;
  dscrThreeMonthAverage: string | null;
  ltvPercent: string | null;
  largestTenantSharePercent: string | null;
  top5TenantSharePercent: string | null;
  largestTenantRentSharePercent: string | null;
  top5TenantRentSharePercent: string | null;
  utilizationPercent: string | null;
  uptimePercent: string | null;
  occupancyPercent: string | null;
  walTermYears: string | null;
  revenuePerMw: string | null;
  pue: string | null;
  powerPricePerMwh: string | null;
}
export interface PerformanceSite {
  name: string;
  criticalItMw: string;
  leasedMw: string;
  energizedMw: string;
  utilizationPercent: string;
  uptimePercent: string;
  pue: string;
  energyMwh: string;
  powerPricePerMwh: string;
  appraisedValue: string;
}
export interface PerformanceTenant {
  name: string;
  obligorName: string;
  rating: string;
  site?: string;
  leasedMw: string;
  monthlyRent: string;
  leaseStart: string;
  leaseExpiry: string;
  renewalOptions?: string;
  revenueCollected: string;
  pastDue: string;
}
export interface GpuFleetLine {
  model: string;
  count: number;
  ageMonths: number;
  appraisedValue: string;
  appraisalDate: string;
  appraisalSource?: string;
}
export interface PerformanceReportInput {
  periodEnd: string;
  sites: PerformanceSite[];
  tenants: PerformanceTenant[];
  revenue: string;
  operatingCosts: string;
  powerCost: string;
  capitalExpenditure: string;
  gpuFleet: GpuFleetLine[];
  /** Required for a restatement (a second report for the same periodEnd). */
  reason?: string;
}
export interface PerformanceReport {
  dealId: string;
  periodEnd: string;
  version: number;
  reason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  noteBalance: string;
  debtService: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  metrics: DealMetrics;
}
export interface PerformanceReportVersion {
  periodEnd: string;
  version: number;
  reason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  publishedMetrics: DealMetrics;
}
export interface SurveillanceRow {
  dealId: string;
  dealName: string;
  periodEnd: string;
  version: number;
  metrics: DealMetrics;
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

export interface ReconciliationBreak {
  kind: string;
  entity: string;
  expected: string;
  actual: string;
  difference: string;
  message: string;
  /** A registry break a forced transfer repairs: that transfer (send it with `forcedTransfer` and a reason code). */
  repair?: RepairSuggestion;
}
export interface ReconciliationReport {
  breaks: ReconciliationBreak[];
  checkedAt: string;
}

export interface BusinessDate {
  businessDate: string;
}
export interface BusinessDateRoll {
  businessDate: string;
  previousDate: string;
}

// --- on-chain registry ---------------------------------------------------------------------------

export type OutboxStatus = 'pending' | 'published' | 'failed_permanently' | 'superseded';
export type OutboxKind = 'mint' | 'transfer' | 'burn' | 'allow_list' | 'forced_transfer' | 'recover';

/** Reason codes of back-office repairs (forced transfers, address recoveries), recorded on chain. */
export const REPAIR_REASONS = [
  'RECONCILIATION_REPAIR',
  'LOST_KEY',
  'COMPROMISED_KEY',
  'COURT_ORDER',
  'ERRONEOUS_SETTLEMENT',
  'CORPORATE_ACTION',
] as const;
export type RepairReason = (typeof REPAIR_REASONS)[number];

/** A settlement's or trade's transfer on chain: `published` with its transaction, or why not yet. */
export interface ChainState {
  status: OutboxStatus;
  txHash: string | null;
  blockNumber: number | null;
  lastError: string | null;
}

export interface RegistryStatus {
  mode: 'off' | 'embedded' | 'rpc';
  recordedMode: string;
  outboxEnabled: boolean;
  connected: boolean;
  lastError: string | null;
  chainId: string | null;
  contractAddress: string | null;
  deployBlock: number | null;
  outbox: { pending: number; published: number; failedPermanently: number; superseded: number; oldestPendingAt: string | null };
}

export interface OutboxRow {
  id: string;
  settlementRef: string;
  chainRef: string;
  kind: OutboxKind;
  noteId: string | null;
  fromPartyId: string | null;
  toPartyId: string | null;
  fromAddress: string | null;
  toAddress: string | null;
  amount: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  txHash: string | null;
  blockNumber: number | null;
  reasonCode: string | null;
  reason: string | null;
  resolvesOutboxId: string | null;
  noteIds: string[] | null;
  createdAt: string;
  publishedAt: string | null;
}

export interface PartyAddress {
  partyId: string;
  address: string;
  source: 'generated' | 'configured';
}

export interface RepairSuggestion {
  noteId: string;
  fromPartyId: string;
  toPartyId: string;
  amount: string;
  resolvesOutboxId: string | null;
}

export interface ForcedTransferInput {
  noteId: string;
  fromPartyId: string;
  toPartyId: string;
  amount: string;
  reasonCode: RepairReason;
  reason?: string;
  resolvesOutboxId?: string;
}

export interface RecoveryInput {
  newAddress: string;
  reasonCode: RepairReason;
  reason?: string;
}
export interface RecoveryResult {
  partyId: string;
  address: string;
  previousAddress: string;
  outbox: OutboxRow[];
}

// --- look-through risk ----------------------------------------------------------------------------

export type ExposureDimension = 'obligor' | 'sponsor' | 'vendor' | 'gpuModel' | 'region';
export interface Obligor {
  id: string;
  name: string;
  parentId: string | null;
  ultimateParentId: string;
  ultimateParentName: string;
  rating: string;
  sector: string;
}
/** POST /api/v1/obligors: a company of the register (rating defaults to NR). */
export interface ObligorInput {
  name: string;
  parentId?: string | null;
  rating?: string;
  sector: string;
}
/** PATCH /api/v1/obligors/:id: the fields to change (at least one); parentId null makes it a top company. */
export type ObligorPatch = Partial<ObligorInput>;
/** POST /api/v1/obligors/:id/relationships: to a deal (dealId) or a company (counterpartyId). */
export interface ObligorRelationshipInput {
  type: ObligorRelationship['type'];
  dealId?: string;
  counterpartyId?: string;
  leasedMw?: string;
  monthlyRent?: string;
  source: string;
  asOf: string;
}
export interface ObligorRelationship {
  id: string;
  type: 'tenant_of' | 'sponsor_of' | 'gpu_vendor_to' | 'equity_investor_in' | 'lender_to' | 'customer_of';
  obligorId: string;
  obligorName: string;
  dealId: string | null;
  dealName: string | null;
  counterpartyId: string | null;
  counterpartyName: string | null;
  leasedMw: string | null;
  monthlyRent: string | null;
  source: string;
  asOf: string;
}
export interface ExposureRow {
  key: string;
  name: string;
  face: string;
  marketValue: string;
  cashFlowSharePercent: string;
}
export interface ExposureReport {
  partyId: string;
  by: ExposureDimension;
  exposures: ExposureRow[];
  totalFace: string;
  totalMarketValue: string;
  largestSharePercent: string;
  herfindahl: string;
  holdings: {
    noteId: string;
    dealId: string;
    originalFace: string;
    face: string;
    marketValue: string;
    markPrice: string;
    markSource: 'mid' | 'last' | 'model' | 'par';
  }[];
}
export interface ConcentrationLimit {
  by: ExposureDimension;
  maxSharePercent: string;
  mode: 'warn' | 'hard';
}
export interface ScenarioRequest {
  defaults: { obligorId: string; month: number; recoveryPercent: string }[];
  gpuValueShockPercent?: string;
}

/** POST /api/v1/risk/scenarios: obligor defaults run through each held deal's projection. */
export interface ScenarioResult {
  partyId: string;
  method: string;
  holdings: {
    noteId: string;
    dealId: string;
    dealName: string | null;
    face: string;
    markPrice: string;
    markSource: 'mid' | 'last' | 'model' | 'par';
    baseValue: string;
    stressedValue: string;
    lossPercent: string;
    baseYieldPercent: string | null;
    stressedYieldPercent: string | null;
    stressedPrice: string | null;
    yieldChangeBp: string | null;
    triggerBreaches: { name: string; firstDate: string | null; baseFirstDate: string | null }[];
    projected: boolean;
  }[];
  total: { baseValue: string; stressedValue: string; lossPercent: string };
  deals: {
    dealId: string;
    dealName: string;
    settlementDate: string;
    tenantDefaults: { tenant: string; obligorId: string; obligorName: string; month: number; recoveryPercent: string }[];
    gpuValue: { base: string; stressed: string };
  }[];
  assumptions: string[];
  relationships: {
    relationshipId: string;
    obligorId: string;
    obligorName: string;
    type: string;
    dealId: string | null;
    counterpartyId: string | null;
    target: string;
    source: string;
    asOf: string;
    treatment: string;
    statement: string;
  }[];
}

/** A GPU model's dated value series: USD per unit or an index level (one kind per model). */
export interface GpuSeries {
  model: string;
  kind: 'valueUsd' | 'indexValue';
  points: ({ date: string; valueUsd: string } | { date: string; indexValue: string })[];
}

export interface GpuSeriesSummary {
  model: string;
  kind: 'valueUsd' | 'indexValue';
  points: number;
  first: Record<string, string>;
  latest: Record<string, string>;
}

/** GET /api/v1/deals/:id/ltv: GPU collateral and LTV, reported and marked by the GPU value index. */
export interface DealLtv {
  dealId: string;
  dealName: string;
  businessDate: string;
  thresholds: { name: string; comparison: 'lt' | 'lte' | 'gt' | 'gte'; threshold: string }[];
  models: { model: string; kind: 'valueUsd' | 'indexValue' | null; points: number }[];
  points: {
    date: string;
    reportPeriodEnd: string;
    noteBalance: string;
    siteValue: string;
    gpuValueAppraised: string;
    gpuValueMarked: string;
    reportedLtvPercent: string | null;
    markedLtvPercent: string | null;
  }[];
}
