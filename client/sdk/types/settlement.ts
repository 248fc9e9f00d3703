/**
 * Settlement: instructions and their fails, settlement runs, the pre-roll checklist, a party's
 * daily statement, and reconciliation breaks. Amounts are decimal strings as on the wire.
 */
import type { ChainState, RepairSuggestion } from './registry.js';

export type SettlementStatus = 'pending' | 'settled' | 'failed' | 'cancelled';

export interface Settlement {
  id: string;
  tradeId: string;
  noteId: string;
  /** null: the counterparty, hidden from an investor or dealer (anonymous trading). */
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
