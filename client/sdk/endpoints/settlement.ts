/**
 * Settlement endpoints of ComputeNotesClient: instructions, settlement runs and their history,
 * the pre-roll checklist, statements, and the reconciliation report.
 */
import { queryString, segment } from '../http.js';
import type {
  PreRollChecklist,
  SettlementRunQuery,
  ReconciliationReport,
  RunSummary,
  Settlement,
  SettlementRun,
  SettlementStatus,
  Statement,
} from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the settlement endpoints to a client class. */
export function withSettlement<TBase extends ClientBase>(Base: TBase) {
  return class SettlementEndpoints extends Base {
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

    reconciliation(): Promise<ReconciliationReport> {
      return this.http.request('GET', '/api/v1/reconciliation');
    }
  };
}
