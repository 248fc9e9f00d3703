/**
 * The on-chain registry: the outbox of transfers, their state on chain, party addresses, and the
 * back office's repairs (forced transfers, address recoveries) with their reason codes.
 */

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
