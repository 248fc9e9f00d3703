/**
 * Balances, credit lines, the ledger's journal entries and postings, cash deposits and
 * withdrawals, and the business date. Amounts are decimal strings as on the wire.
 */

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

export interface BusinessDate {
  businessDate: string;
}
export interface BusinessDateRoll {
  businessDate: string;
  previousDate: string;
}
