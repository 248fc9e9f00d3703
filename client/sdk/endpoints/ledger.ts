/**
 * Ledger endpoints of ComputeNotesClient: balances and credit lines, the TMPG reference rate,
 * journal entries, cash deposits and withdrawals, and the business date and its roll.
 */
import { queryString } from '../http.js';
import type {
  Balance,
  CreditLine,
  ReferenceRate,
  BusinessDate,
  BusinessDateRoll,
  CashMovement,
  CashMovementInput,
  JournalEntry,
} from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the ledger endpoints to a client class. */
export function withLedger<TBase extends ClientBase>(Base: TBase) {
  return class LedgerEndpoints extends Base {
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
  };
}
