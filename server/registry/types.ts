/**
 * Types of the on-chain registry's outbox and its configuration.
 *
 * Outbox row state machine (every row starts `pending`):
 *   pending ──worker: receipt with status 1─────────────────► published           (tx hash, block)
 *   pending ──worker: the contract says ReferenceAlreadyUsed─► published           (it landed before a
 *                                                                                   crash; hash read from the chain)
 *   pending ──worker: RPC failure, timeout, pause, bad key───► pending             (attempts + 1, next_attempt_at
 *                                                                                   = now + bounded exponential backoff)
 *   pending ──worker: a permanent revert (NotAllowListed, ───► failed_permanently  (a reconciliation break until a
 *             FrozenAddress, InsufficientBalance, …)                                published forced transfer resolves it)
 *   any ledger row ──embedded chain redeployed at start─────► pending             (the fresh chain is rebuilt; address
 *   or recovery                                                                     recoveries too: later rows use the new address)
 *   forced_transfer ──embedded chain redeployed at start────► superseded          (a repair of a chain that is gone)
 * Rows are published strictly in id order: a pending row that cannot be sent yet holds back every
 * row behind it (a later transfer may depend on it); a failed row does not.
 */

export const OUTBOX_KINDS = ['mint', 'transfer', 'burn', 'allow_list', 'forced_transfer', 'recover'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export const OUTBOX_STATUSES = ['pending', 'published', 'failed_permanently', 'superseded'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const REPAIR_REASONS = [
  'RECONCILIATION_REPAIR',
  'LOST_KEY',
  'COMPROMISED_KEY',
  'COURT_ORDER',
  'ERRONEOUS_SETTLEMENT',
  'CORPORATE_ACTION',
] as const;

/**
 * The forced transfer that would repair a registry break: for a refused transfer, the same
 * movement resolving the refused row; for a balance mismatch, face moved from a party that holds
 * too much of the note on chain to one that holds too little.
 */
export interface RepairSuggestion {
  noteId: string;
  fromPartyId: string;
  toPartyId: string;
  /** Whole face units, as forced transfers take them. */
  amount: string;
  resolvesOutboxId: string | null;
}

/** A row as the worker reads it (amount as an integer string of original face units). */
export interface OutboxRow {
  id: string;
  settlement_ref: string;
  chain_ref: string;
  kind: OutboxKind;
  note_id: string | null;
  from_party_id: string | null;
  to_party_id: string | null;
  from_address: string | null;
  to_address: string | null;
  amount: string | null;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  tx_hash: string | null;
  block_number: string | null;
  reason_code: string | null;
  reason: string | null;
  resolves_id: string | null;
  /** A `recover` row's notes (UUIDs): every note the party ever moved on chain. */
  note_ids: string[] | null;
  created_at: Date;
  published_at: Date | null;
}

export type RegistryMode = 'off' | 'embedded' | 'rpc';

/** How the worker paces itself; every field has a default (see DEFAULT_TUNING). */
export interface RegistryTuning {
  /** Sleep between polls when the outbox is empty. */
  pollIntervalMs: number;
  /** First retry delay after an RPC failure; doubles per attempt up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long to wait for a sent transaction's receipt before treating the send as failed. */
  receiptTimeoutMs: number;
  /** Timeout of one JSON-RPC request (RPC mode). */
  requestTimeoutMs: number;
  /** A pending row older than this is a reconciliation break (`registry_pending`). */
  pendingBreakAfterSeconds: number;
  /** The worker's lease on the outbox: another process's worker takes over after it expires. */
  leaseMs: number;
}

export const DEFAULT_TUNING: RegistryTuning = {
  pollIntervalMs: 500,
  backoffBaseMs: 250,
  backoffMaxMs: 30_000,
  receiptTimeoutMs: 60_000,
  requestTimeoutMs: 10_000,
  pendingBreakAfterSeconds: 60,
  leaseMs: 15_000,
};

export type RegistryConfig =
  | { mode: 'off' }
  | { mode: 'embedded'; tuning?: Partial<RegistryTuning> }
  | {
      mode: 'rpc';
      rpcUrl: string;
      /** Private key of the account holding REGISTRAR_ROLE (mints, burns, settled transfers). */
      registrarKey: string;
      /** Private key of the account holding BACK_OFFICE_ROLE (allow-list, forced transfers); defaults to the registrar's. */
      backOfficeKey: string | null;
      /** The deployed NoteRegistry; when null, the one recorded in the database, else a new deployment. */
      contractAddress: string | null;
      tuning?: Partial<RegistryTuning>;
    };
