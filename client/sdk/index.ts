/**
 * A minimal typed HTTP client of the Compute Notes Exchange API (docs/API-GUIDE.md) for the back
 * office: login, business date, settlement runs and instructions, statements, collections,
 * distributions, trustee reports and reconciliation. Amounts stay decimal strings, as on the wire.
 * It imports nothing from the server: these types are the SDK's own copy of the contract.
 */

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

export type SettlementStatus = 'pending' | 'settled' | 'failed' | 'cancelled';

export interface Settlement {
  id: string; tradeId: string; noteId: string; buyerPartyId: string; sellerPartyId: string; quantity: string; netAmount: string;
  tradeDate: string; settlementDate: string; status: SettlementStatus; failedSide: 'buyer' | 'seller' | 'both' | null; failSince: string | null;
  failAgeBusinessDays: number | null; failCharge: string; failChargePayer: 'buyer' | 'seller' | null; attempts: number; settledDate: string | null;
  settlementMode: string | null; entryId: string | null;
}

export interface RunSummary { runId: string; date: string; mode: 'gross' | 'net'; instructionsCreated: number; due: number; settled: number; failed: number; chunks: number; durationMs: number }

export interface SettlementRun { id: string; date: string; mode: string; status: 'running' | 'completed' | 'failed'; total: number; processed: number; settled: number; failed: number; startedAt: string; finishedAt: string | null }

export interface Statement {
  partyId: string; date: string;
  trades: { tradeId: string; noteId: string; side: string; price: string; quantity: string; netAmount: string; settlementDate: string }[];
  settlements: (Settlement & { side: string })[];
  fails: (Settlement & { side: string })[];
  movements: { entryId: string; kind: string; description: string; asset: string; amount: string }[];
  closingBalances: { asset: string; total: string }[];
}

export interface TrusteeReport {
  dealId: string; dealName: string; paymentDate: string; recordDate: string; dscr: string | null; cashTrapActive: boolean; fullCashSweep: boolean;
  collections: { revenue: string; operatingCosts: string; netCashFlow: string; utilizationPercent: string; uptimePercent: string; powerCost: string };
  seniorFees: { due: string; paid: string; shortfall: string };
  reserve: { before: string; draw: string; topUp: string; after: string };
  trappedCash: { before: string; added: string; released: string; sweptToPrincipal: string; after: string };
  residualReleased: string;
  classes: { noteId: string; className: string; interestDue: string; interestPaid: string; interestShortfall: string; principalPaid: string; balanceBefore: string; balanceAfter: string; factorBefore: string; factorAfter: string }[];
  holders: { noteId: string; partyId: string | null; faceOfRecord: string; interest: string; principal: string }[];
}

export interface CollectionInput {
  reference: string; paymentDate: string; periodStart: string; periodEnd: string; revenue: string; operatingCosts: string; utilization: string; uptime: string; powerCost: string;
}

export interface ReconciliationBreak { kind: string; entity: string; expected: string; actual: string; difference: string; message: string }
export interface ReconciliationReport { breaks: ReconciliationBreak[]; checkedAt: string }
export interface Deal { id: string; name: string; notes: { id: string; className: string; factor: string }[] }

export class ComputeNotesClient {
  private token: string | undefined;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async login(username: string, password: string): Promise<{ token: string; user: { partyId: string; roles: string[] } }> {
    const result = await this.request<{ token: string; user: { partyId: string; roles: string[] } }>('POST', '/api/v1/auth/token', { username, password });
    this.token = result.token;
    return result;
  }

  businessDate(): Promise<{ businessDate: string }> {
    return this.request('GET', '/api/v1/business-date');
  }

  runSettlement(input: { date: string; mode?: 'gross' | 'net' }): Promise<RunSummary> {
    return this.request('POST', '/api/v1/settlements/run', input);
  }

  settlementRuns(query: { date?: string; limit?: number } = {}): Promise<SettlementRun[]> {
    return this.request('GET', `/api/v1/settlements/runs${queryString(query)}`);
  }

  settlements(query: { date?: string; status?: SettlementStatus; partyId?: string; limit?: number } = {}): Promise<Settlement[]> {
    return this.request('GET', `/api/v1/settlements${queryString(query)}`);
  }

  statement(query: { partyId?: string; date?: string }): Promise<Statement> {
    return this.request('GET', `/api/v1/statements${queryString({ ...query, format: 'json' })}`);
  }

  statementCsv(query: { partyId?: string; date?: string }): Promise<string> {
    return this.request('GET', `/api/v1/statements${queryString({ ...query, format: 'csv' })}`, undefined, 'text');
  }

  deals(): Promise<Deal[]> {
    return this.request('GET', '/api/v1/deals');
  }

  recordCollection(dealId: string, input: CollectionInput): Promise<Record<string, string>> {
    return this.request('POST', `/api/v1/deals/${encodeURIComponent(dealId)}/collections`, input);
  }

  runDistribution(dealId: string, paymentDate: string): Promise<TrusteeReport> {
    return this.request('POST', `/api/v1/deals/${encodeURIComponent(dealId)}/distributions`, { paymentDate });
  }

  trusteeReports(dealId: string, paymentDate?: string): Promise<TrusteeReport[]> {
    return this.request('GET', `/api/v1/deals/${encodeURIComponent(dealId)}/trustee-reports${queryString({ paymentDate })}`);
  }

  reconciliation(): Promise<ReconciliationReport> {
    return this.request('GET', '/api/v1/reconciliation');
  }

  private async request<T>(method: string, path: string, body?: unknown, as: 'json' | 'text' = 'json'): Promise<T> {
    const headers: Record<string, string> = { accept: as === 'json' ? 'application/json' : 'text/csv' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    if (!response.ok) {
      let error: { code?: string; message?: string; details?: Record<string, unknown> } = {};
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
      } catch {
        // Not a JSON error body (e.g. a proxy's page): report the status alone.
      }
      throw new ApiError(response.status, error.code ?? 'HTTP_ERROR', error.message ?? `${method} ${path} answered ${response.status}`, error.details ?? {});
    }
    return (as === 'text' ? text : text ? JSON.parse(text) : null) as T;
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}
