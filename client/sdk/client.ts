/**
 * `ComputeNotesClient`: one typed method per REST endpoint of the public API (API.md,
 * docs/API-GUIDE.md), grouped as the guide groups them. Amounts go in and come out as decimal
 * strings; errors are thrown as `ApiError` (http.ts). The token from `login` is kept and sent with
 * every later call; `token`/`setToken` let a caller restore or share a session.
 */
import { HttpTransport, queryString, segment, type TransportOptions } from './http.js';
import type {
  DealScenarios,
  ScenarioInput,
  SpreadPrice,
  DealLtv,
  GpuSeries,
  GpuSeriesSummary,
  AuditEntry,
  AuditQuery,
  PreRollChecklist,
  SettlementRunQuery,
  LiveQuote,
  QuoteReprice,
  RateFixing,
  Position,
  Balance,
  Book,
  CreditLine,
  ReferenceRate,
  BusinessDate,
  BusinessDateRoll,
  CashMovement,
  CashMovementInput,
  Collection,
  CollectionCalendarEntry,
  CollectionCorrection,
  CollectionInput,
  Deal,
  DealInput,
  Execution,
  ForcedTransferInput,
  JournalEntry,
  LoginResult,
  Note,
  NoteInput,
  Order,
  OrderRequest,
  OrderResult,
  OutboxKind,
  OutboxRow,
  OutboxStatus,
  Party,
  PartyAddress,
  PriceBand,
  QuoteInput,
  QuotesResult,
  ReconciliationReport,
  RecoveryInput,
  RecoveryResult,
  RegistryStatus,
  Rfq,
  RfqRequest,
  RfqResponse,
  PerformanceReport,
  PerformanceReportInput,
  PerformanceReportVersion,
  SurveillanceRow,
  ConcentrationLimit,
  ExposureDimension,
  ExposureReport,
  Obligor,
  ObligorInput,
  ObligorPatch,
  ObligorRelationship,
  ObligorRelationshipInput,
  ScenarioRequest,
  ScenarioResult,
  RfqStatistics,
  RfqStatus,
  RunSummary,
  Settlement,
  SettlementRun,
  SettlementStatus,
  Statement,
  TapeTrade,
  TrusteeReport,
  WaterfallDefinition,
  WaterfallDefinitionV1,
} from './types.js';

export type ClientOptions = TransportOptions;

export class ComputeNotesClient {
  private readonly http: HttpTransport;

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  get token(): string | undefined {
    return this.http.token;
  }

  setToken(token: string | undefined): void {
    this.http.token = token;
  }

  // --- auth and health -------------------------------------------------------------------------

  async login(username: string, password: string): Promise<LoginResult> {
    const result = await this.http.request<LoginResult>('POST', '/api/v1/auth/token', { body: { username, password } });
    this.http.token = result.token;
    return result;
  }

  health(): Promise<{ status: 'ok' }> {
    return this.http.request('GET', '/healthz');
  }

  readiness(): Promise<{ status: 'ready' | 'not_ready' }> {
    return this.http.request('GET', '/readyz');
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.http.request('GET', '/api/v1/openapi.json');
  }

  // --- reference data --------------------------------------------------------------------------

  deals(): Promise<Deal[]> {
    return this.http.request('GET', '/api/v1/deals');
  }

  deal(id: string): Promise<Deal> {
    return this.http.request('GET', `/api/v1/deals/${segment(id)}`);
  }

  createDeal(input: DealInput, idempotencyKey?: string): Promise<Deal> {
    return this.http.request('POST', '/api/v1/deals', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  notes(query: { dealId?: string } = {}): Promise<Note[]> {
    return this.http.request('GET', `/api/v1/notes${queryString(query)}`);
  }

  note(id: string): Promise<Note> {
    return this.http.request('GET', `/api/v1/notes/${segment(id)}`);
  }

  createNote(input: NoteInput, idempotencyKey?: string): Promise<Note> {
    return this.http.request('POST', '/api/v1/notes', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  haltNote(id: string): Promise<Note> {
    return this.http.request('POST', `/api/v1/notes/${segment(id)}/halt`);
  }

  resumeNote(id: string): Promise<Note> {
    return this.http.request('POST', `/api/v1/notes/${segment(id)}/resume`);
  }

  parties(): Promise<Party[]> {
    return this.http.request('GET', '/api/v1/parties');
  }

  /** The note's price band: prices outside [low, high] are refused with PRICE_OUTSIDE_BAND. */
  priceBand(noteId: string): Promise<PriceBand> {
    return this.http.request('GET', `/api/v1/notes/${segment(noteId)}/price-band`);
  }

  /** Set a note's price band half-width in points (operator). */
  setPriceBand(noteId: string, widthPoints: string): Promise<PriceBand> {
    return this.http.request('PUT', `/api/v1/notes/${segment(noteId)}/price-band`, { body: { widthPoints } });
  }

  /** Eligible dealers by id and name (any user). */
  dealers(): Promise<{ id: string; name: string }[]> {
    return this.http.request('GET', '/api/v1/dealers');
  }

  party(id: string): Promise<Party> {
    return this.http.request('GET', `/api/v1/parties/${segment(id)}`);
  }

  createParty(input: { name: string; kind: Party['kind']; eligible?: boolean }, idempotencyKey?: string): Promise<Party> {
    return this.http.request('POST', '/api/v1/parties', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  setPartyEligibility(id: string, eligible: boolean): Promise<Party> {
    return this.http.request('PATCH', `/api/v1/parties/${segment(id)}`, { body: { eligible } });
  }

  // --- market data -----------------------------------------------------------------------------

  book(noteId: string, depth?: number): Promise<Book> {
    return this.http.request('GET', `/api/v1/notes/${segment(noteId)}/book${queryString({ depth })}`);
  }

  trades(query: { noteId?: string; limit?: number } = {}): Promise<TapeTrade[]> {
    return this.http.request('GET', `/api/v1/trades${queryString(query)}`);
  }

  // --- orders and quotes -----------------------------------------------------------------------

  placeOrder(order: OrderRequest): Promise<OrderResult> {
    return this.http.request('POST', '/api/v1/orders', { body: order });
  }

  orders(query: { status?: 'open' | 'all'; noteId?: string; limit?: number } = {}): Promise<Order[]> {
    return this.http.request('GET', `/api/v1/orders${queryString(query)}`);
  }

  order(id: string): Promise<Order> {
    return this.http.request('GET', `/api/v1/orders/${segment(id)}`);
  }

  /** Cancel/replace: a new price and/or a new total quantity. */
  replaceOrder(id: string, change: { price?: string; quantity?: string }): Promise<OrderResult> {
    return this.http.request('PATCH', `/api/v1/orders/${segment(id)}`, { body: change });
  }

  cancelOrder(id: string): Promise<Order> {
    return this.http.request('DELETE', `/api/v1/orders/${segment(id)}`);
  }

  /** Mass quote: replaces this dealer's quotes on the given notes atomically. */
  putQuotes(quotes: QuoteInput[], options: { postOnly?: boolean } = {}): Promise<QuotesResult & { pricedFromSpread?: SpreadPrice[] }> {
    return this.http.request('PUT', '/api/v1/quotes', {
      body: { quotes, ...(options.postOnly === undefined ? {} : { postOnly: options.postOnly }) },
    });
  }

  /** Pulls this dealer's quotes: all of them, or one note's. */
  pullQuotes(noteId?: string): Promise<QuotesResult> {
    return this.http.request('DELETE', `/api/v1/quotes${queryString({ noteId })}`);
  }

  /** This dealer's live quotes, one row per note. */
  quotes(): Promise<LiveQuote[]> {
    return this.http.request('GET', '/api/v1/quotes');
  }

  /** This dealer's spread quotes re-priced or pulled (with the reason) when the curve or the date moved, newest first. */
  quoteReprices(query: { limit?: number } = {}): Promise<QuoteReprice[]> {
    return this.http.request('GET', `/api/v1/quotes/reprices${queryString(query)}`);
  }

  /** A party's positions with mark, value, cost and P&L (own party; back office and operators: any). */
  positions(query: { partyId?: string } = {}): Promise<Position[]> {
    return this.http.request('GET', `/api/v1/positions${queryString(query)}`);
  }

  executions(query: { noteId?: string; from?: string; to?: string; limit?: number } = {}): Promise<Execution[]> {
    return this.http.request('GET', `/api/v1/executions${queryString(query)}`);
  }

  // --- RFQ -------------------------------------------------------------------------------------

  createRfq(request: RfqRequest): Promise<Rfq> {
    return this.http.request('POST', '/api/v1/rfqs', { body: request });
  }

  rfqs(query: { status?: RfqStatus | 'all'; limit?: number } = {}): Promise<Rfq[]> {
    return this.http.request('GET', `/api/v1/rfqs${queryString(query)}`);
  }

  rfq(id: string): Promise<Rfq> {
    return this.http.request('GET', `/api/v1/rfqs/${segment(id)}`);
  }

  /** A dealer's answer: a price, or a spreadBp from which the server derives the price (shown in `pricedFromSpread`). */
  respondToRfq(
    id: string,
    answer: { price: string; validForSeconds: number } | { spreadBp: string; validForSeconds: number },
  ): Promise<RfqResponse & { spreadBp?: string; pricedFromSpread?: SpreadPrice }> {
    return this.http.request('POST', `/api/v1/rfqs/${segment(id)}/responses`, { body: answer });
  }

  acceptRfq(id: string, responseId: string): Promise<{ trade: Execution }> {
    return this.http.request('POST', `/api/v1/rfqs/${segment(id)}/accept`, { body: { responseId } });
  }

  /** An addressed dealer declines an RFQ, with an optional reason. */
  declineRfq(id: string, reason?: string): Promise<RfqResponse> {
    return this.http.request('POST', `/api/v1/rfqs/${segment(id)}/decline`, { body: reason === undefined ? {} : { reason } });
  }

  rfqStatistics(): Promise<RfqStatistics[]> {
    return this.http.request('GET', '/api/v1/rfq-statistics');
  }

  // --- balances, ledger, cash, business date ---------------------------------------------------

  balances(query: { partyId?: string } = {}): Promise<Balance[]> {
    return this.http.request('GET', `/api/v1/balances${queryString(query)}`);
  }

  /** Operator: a dealer's credit line in USD ("0" removes it). */
  setCreditLine(partyId: string, amount: string): Promise<CreditLine> {
    return this.http.request('PUT', `/api/v1/parties/${encodeURIComponent(partyId)}/credit-line`, { body: { amount } });
  }

  referenceRates(): Promise<ReferenceRate[]> {
    return this.http.request('GET', '/api/v1/reference-rates');
  }

  /** Operator: the TMPG reference rate (percent) in force from the close of `date`. */
  setReferenceRate(date: string, ratePercent: string): Promise<ReferenceRate> {
    return this.http.request('PUT', `/api/v1/reference-rates/${encodeURIComponent(date)}`, { body: { ratePercent } });
  }

  ledgerEntries(query: { partyId?: string; asset?: string; before?: string; limit?: number } = {}): Promise<JournalEntry[]> {
    return this.http.request('GET', `/api/v1/ledger/entries${queryString(query)}`);
  }

  deposit(input: CashMovementInput): Promise<CashMovement> {
    return this.http.request('POST', '/api/v1/cash/deposits', { body: input });
  }

  withdraw(input: CashMovementInput): Promise<CashMovement> {
    return this.http.request('POST', '/api/v1/cash/withdrawals', { body: input });
  }

  businessDate(): Promise<BusinessDate> {
    return this.http.request('GET', '/api/v1/business-date');
  }

  rollBusinessDate(expectedDate?: string): Promise<BusinessDateRoll> {
    return this.http.request('POST', '/api/v1/business-date/roll', { body: expectedDate ? { expectedDate } : {} });
  }

  // --- settlement and statements ---------------------------------------------------------------

  settlements(
    query: { date?: string; status?: SettlementStatus; partyId?: string; noteId?: string; limit?: number } = {},
  ): Promise<Settlement[]> {
    return this.http.request('GET', `/api/v1/settlements${queryString(query)}`);
  }

  runSettlement(input: { date: string; mode?: 'gross' | 'net' }, idempotencyKey?: string): Promise<RunSummary> {
    return this.http.request('POST', '/api/v1/settlements/run', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  /** The settlement-run history, newest first, with counts and amounts (one date, or dates from..to). */
  settlementRuns(query: SettlementRunQuery = {}): Promise<SettlementRun[]> {
    return this.http.request('GET', `/api/v1/settlements/runs${queryString(query)}`);
  }

  /** The pre-roll checklist (back office, operator). */
  preRollChecklist(): Promise<PreRollChecklist> {
    return this.http.request('GET', '/api/v1/business-date/checklist');
  }

  /** One page of the audit trail, newest first (back office, operator). */
  audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    return this.http.request('GET', `/api/v1/audit${queryString(query)}`);
  }

  /** The whole trail matching the filters, newest first: pages of `pageSize` followed with `before`, up to `max` rows. */
  async auditAll(
    query: Omit<AuditQuery, 'before' | 'limit'> = {},
    options: { pageSize?: number; max?: number } = {},
  ): Promise<AuditEntry[]> {
    const pageSize = options.pageSize ?? 1000;
    const max = options.max ?? 100_000;
    const rows: AuditEntry[] = [];
    let before: string | undefined;
    while (rows.length < max) {
      const page = await this.audit({ ...query, limit: Math.min(pageSize, max - rows.length), ...(before ? { before } : {}) });
      rows.push(...page);
      if (page.length < pageSize) break;
      before = page[page.length - 1]!.id;
    }
    return rows;
  }

  settlementRun(id: string): Promise<SettlementRun> {
    return this.http.request('GET', `/api/v1/settlements/runs/${segment(id)}`);
  }

  cancelSettlement(id: string, reason?: string): Promise<Settlement> {
    return this.http.request('POST', `/api/v1/settlements/${segment(id)}/cancel`, { body: reason ? { reason } : {} });
  }

  statement(query: { partyId?: string; date?: string } = {}): Promise<Statement> {
    return this.http.request('GET', `/api/v1/statements${queryString({ ...query, format: 'json' })}`);
  }

  statementCsv(query: { partyId?: string; date?: string } = {}): Promise<string> {
    return this.http.request('GET', `/api/v1/statements${queryString({ ...query, format: 'csv' })}`, { as: 'text' });
  }

  // --- servicing -------------------------------------------------------------------------------

  waterfall(dealId: string): Promise<WaterfallDefinition> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/waterfall`);
  }

  saveWaterfall(dealId: string, definition: WaterfallDefinition | WaterfallDefinitionV1): Promise<WaterfallDefinition> {
    return this.http.request('PUT', `/api/v1/deals/${segment(dealId)}/waterfall`, { body: definition });
  }

  recordCollection(dealId: string, input: CollectionInput): Promise<Collection> {
    return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/collections`, { body: input });
  }

  /** A new version of the collection (same reference) replacing the active one, before its distribution. */
  correctCollection(dealId: string, reference: string, correction: CollectionCorrection): Promise<Collection> {
    return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/collections/${segment(reference)}/corrections`, {
      body: correction,
    });
  }

  /** The deal's payment dates up to the next one, with their collection periods. */
  collectionCalendar(dealId: string, count?: number): Promise<CollectionCalendarEntry[]> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/collection-calendar${queryString({ count })}`);
  }

  collections(dealId: string, paymentDate?: string): Promise<Collection[]> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/collections${queryString({ paymentDate })}`);
  }

  /** `fixings` ({SOFR: "4.40"}) overrides the stored fixing in effect for the period; without it the stored one is used. */
  runDistribution(dealId: string, paymentDate: string, fixings?: Record<string, string>): Promise<TrusteeReport> {
    return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/distributions`, {
      body: { paymentDate, ...(fixings ? { fixings } : {}) },
    });
  }

  /** An index's stored fixings, oldest first (from/to inclusive). */
  rateFixings(index: string, range: { from?: string; to?: string } = {}): Promise<RateFixing[]> {
    return this.http.request('GET', `/api/v1/rate-fixings/${segment(index)}${queryString(range)}`);
  }

  /** Operators and back office: stores (or corrects) an index's fixing for a date; answers the value it replaced. */
  setRateFixing(index: string, date: string, ratePercent: string): Promise<RateFixing & { previousRatePercent: string | null }> {
    return this.http.request('PUT', `/api/v1/rate-fixings/${segment(index)}/${segment(date)}`, { body: { ratePercent } });
  }

  trusteeReports(dealId: string, paymentDate?: string): Promise<TrusteeReport[]> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/trustee-reports${queryString({ paymentDate })}`);
  }

  // --- collateral performance ----------------------------------------------------------------

  filePerformanceReport(dealId: string, report: PerformanceReportInput): Promise<PerformanceReport> {
    return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/performance-reports`, { body: report });
  }

  /** Latest version of each period, newest first. */
  performanceReports(dealId: string, range: { from?: string; to?: string } = {}): Promise<PerformanceReport[]> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/performance-reports${queryString(range)}`);
  }

  performanceReportsCsv(dealId: string, range: { from?: string; to?: string } = {}): Promise<string> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/performance-reports${queryString({ ...range, format: 'csv' })}`, {
      as: 'text',
    });
  }

  performanceReportVersions(dealId: string, periodEnd: string): Promise<PerformanceReportVersion[]> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/performance-reports/${segment(periodEnd)}/versions`);
  }

  /** The latest metrics of every deal with a report. */
  surveillance(): Promise<SurveillanceRow[]> {
    return this.http.request('GET', '/api/v1/surveillance');
  }

  surveillanceCsv(): Promise<string> {
    return this.http.request('GET', `/api/v1/surveillance${queryString({ format: 'csv' })}`, { as: 'text' });
  }

  // --- projection and pricing ------------------------------------------------------------------

  /** POST /api/v1/projections: a deal under a scenario, each class priced from its projected flows (see the API guide). */
  project(body: Record<string, unknown>): Promise<Record<string, any>> {
    return this.http.request('POST', '/api/v1/projections', { body });
  }

  /** POST /api/v1/projections/grid: one class's yield (or price) over two scenario drivers. */
  projectGrid(body: Record<string, unknown>): Promise<Record<string, any>> {
    return this.http.request('POST', '/api/v1/projections/grid', { body });
  }

  /** GET /api/v1/notes/:id/analytics: yield and spread to the ARD (and yield to maturity) at a price. */
  noteAnalytics(noteId: string, price?: string): Promise<Record<string, any>> {
    return this.http.request('GET', `/api/v1/notes/${segment(noteId)}/analytics${queryString({ price })}`);
  }

  /** GET /api/v1/deals/:id/scenarios: base, the deal's named stresses, and the scenarios you saved. */
  dealScenarios(dealId: string): Promise<DealScenarios> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/scenarios`);
  }

  /** POST /api/v1/scenarios: saves a scenario of a deal under a name (the same name replaces it). */
  saveScenario(request: { dealId: string; name: string; scenario: ScenarioInput }): Promise<{
    id: string;
    dealId: string;
    name: string;
    scenario: ScenarioInput;
  }> {
    return this.http.request('POST', '/api/v1/scenarios', { body: request });
  }

  // --- look-through risk -----------------------------------------------------------------------

  obligors(): Promise<Obligor[]> {
    return this.http.request('GET', '/api/v1/obligors');
  }

  obligor(id: string): Promise<Obligor & { relationships: ObligorRelationship[] }> {
    return this.http.request('GET', `/api/v1/obligors/${segment(id)}`);
  }

  /** Operator: adds a company to the obligor register. */
  createObligor(input: ObligorInput): Promise<Obligor> {
    return this.http.request('POST', '/api/v1/obligors', { body: input });
  }

  /** Operator: changes a company's name, parent (null: none), rating or sector. */
  updateObligor(id: string, patch: ObligorPatch): Promise<Obligor> {
    return this.http.request('PATCH', `/api/v1/obligors/${segment(id)}`, { body: patch });
  }

  /** Operator: records a relationship of the company to a deal or another company. */
  addObligorRelationship(id: string, input: ObligorRelationshipInput): Promise<ObligorRelationship> {
    return this.http.request('POST', `/api/v1/obligors/${segment(id)}/relationships`, { body: input });
  }

  relationships(): Promise<ObligorRelationship[]> {
    return this.http.request('GET', '/api/v1/relationships');
  }

  importObligors(csv: string): Promise<{ companiesCreated: number; companiesUpdated: number; relationshipsAdded: number }> {
    return this.http.request('POST', '/api/v1/obligors/import', { body: { csv } });
  }

  /** A party's look-through exposure (own party by default). */
  exposures(by: ExposureDimension, partyId?: string): Promise<ExposureReport> {
    return this.http.request('GET', `/api/v1/risk/exposures${queryString({ by, ...(partyId ? { partyId } : {}) })}`);
  }

  exposuresCsv(by: ExposureDimension, partyId?: string): Promise<string> {
    return this.http.request('GET', `/api/v1/risk/exposures${queryString({ by, ...(partyId ? { partyId } : {}), format: 'csv' })}`, {
      as: 'text',
    });
  }

  /** A contagion scenario on the party's holdings (own party by default). */
  scenario(request: ScenarioRequest, partyId?: string): Promise<ScenarioResult> {
    return this.http.request('POST', `/api/v1/risk/scenarios${queryString(partyId ? { partyId } : {})}`, { body: request });
  }

  /** The same scenario's holdings and total as CSV. */
  scenarioCsv(request: ScenarioRequest, partyId?: string): Promise<string> {
    return this.http.request('POST', `/api/v1/risk/scenarios${queryString({ ...(partyId ? { partyId } : {}), format: 'csv' })}`, {
      body: request,
      as: 'text',
    });
  }

  /** GPU models with a value series (GET /api/v1/gpu-values). */
  gpuValues(): Promise<GpuSeriesSummary[]> {
    return this.http.request('GET', '/api/v1/gpu-values');
  }

  gpuSeries(model: string): Promise<GpuSeries> {
    return this.http.request('GET', `/api/v1/gpu-values/${segment(model)}`);
  }

  /** Replaces a GPU model's dated value series (operator). */
  putGpuSeries(model: string, points: GpuSeries['points']): Promise<GpuSeries> {
    return this.http.request('PUT', `/api/v1/gpu-values/${segment(model)}`, { body: { points } });
  }

  /** A deal's GPU collateral value and LTV, reported and marked by the index, per date, with its LTV trigger levels. */
  dealLtv(dealId: string, range: { from?: string; to?: string } = {}): Promise<DealLtv> {
    return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/ltv${queryString(range)}`);
  }

  riskLimits(): Promise<{ limits: ConcentrationLimit[] }> {
    return this.http.request('GET', '/api/v1/risk/limits');
  }

  setRiskLimits(limits: ConcentrationLimit[]): Promise<{ limits: ConcentrationLimit[] }> {
    return this.http.request('PUT', '/api/v1/risk/limits', { body: { limits } });
  }

  // --- reconciliation --------------------------------------------------------------------------

  reconciliation(): Promise<ReconciliationReport> {
    return this.http.request('GET', '/api/v1/reconciliation');
  }

  // --- on-chain registry (back office) ---------------------------------------------------------

  registryStatus(): Promise<RegistryStatus> {
    return this.http.request('GET', '/api/v1/registry/status');
  }

  /** Outbox rows in publication order, or newest first with `order: 'desc'`; `afterId` pages in the order asked for. */
  registryOutbox(
    query: { status?: OutboxStatus; kind?: OutboxKind; afterId?: string; order?: 'asc' | 'desc'; limit?: number } = {},
  ): Promise<OutboxRow[]> {
    return this.http.request('GET', `/api/v1/registry/outbox${queryString(query)}`);
  }

  registryAddresses(): Promise<PartyAddress[]> {
    return this.http.request('GET', '/api/v1/registry/addresses');
  }

  /** A party's holder address, before its first movement on chain (afterwards: `recoverPartyAddress`). */
  setPartyAddress(partyId: string, address: string): Promise<PartyAddress> {
    return this.http.request('PUT', `/api/v1/registry/parties/${segment(partyId)}/address`, { body: { address } });
  }

  /** Repairs a break: moves notes on chain between two parties, with a reason code. */
  forcedTransfer(input: ForcedTransferInput, idempotencyKey?: string): Promise<OutboxRow> {
    return this.http.request('POST', '/api/v1/registry/forced-transfers', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  /** Moves a party's notes on chain from its lost (or compromised) address to a new one, with a reason code. */
  recoverPartyAddress(partyId: string, input: RecoveryInput, idempotencyKey?: string): Promise<RecoveryResult> {
    return this.http.request('POST', `/api/v1/registry/parties/${segment(partyId)}/recover`, {
      body: input,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  }
}
