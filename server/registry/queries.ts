/**
 * Read side of the registry for the API: its status (mode, chain, contract, outbox counts), the
 * outbox rows, and each settlement's on-chain state. Reads only; never calls the chain.
 */
import type { Knex } from 'knex';
import { runningRegistry } from './service.js';
import { settlementOutboxKey } from './outbox.js';
import type { OutboxRow, OutboxStatus } from './types.js';

export interface RegistryStatus {
  /** The mode this process runs (`off` when it runs no registry), and the last one recorded in the database. */
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

export async function registryStatus(knex: Knex): Promise<RegistryStatus> {
  const state: { mode: string; chain_id: string | null; contract_address: string | null; deploy_block: string | null; outbox_enabled: boolean } =
    await knex('registry_state').where({ id: 1 }).first('mode', 'chain_id', 'contract_address', 'deploy_block', 'outbox_enabled');
  const counts: { status: OutboxStatus; count: string; oldest: Date | null }[] =
    await knex('registry_outbox').groupBy('status').select('status', knex.raw('count(*) as count'), knex.raw('min(created_at) as oldest'));
  const countOf = (status: OutboxStatus) => Number(counts.find((c) => c.status === status)?.count ?? 0);
  const oldest = counts.find((c) => c.status === 'pending')?.oldest ?? null;
  const handle = runningRegistry(knex);
  return {
    mode: handle?.mode ?? 'off',
    recordedMode: state.mode,
    outboxEnabled: state.outbox_enabled,
    connected: handle?.chain() != null,
    lastError: handle?.lastError() ?? null,
    chainId: state.chain_id,
    contractAddress: state.contract_address,
    deployBlock: state.deploy_block === null ? null : Number(state.deploy_block),
    outbox: {
      pending: countOf('pending'), published: countOf('published'), failedPermanently: countOf('failed_permanently'), superseded: countOf('superseded'),
      oldestPendingAt: oldest ? new Date(oldest).toISOString() : null,
    },
  };
}

export function outboxView(row: OutboxRow) {
  return {
    id: String(row.id),
    settlementRef: row.settlement_ref,
    chainRef: row.chain_ref,
    kind: row.kind,
    noteId: row.note_id,
    fromPartyId: row.from_party_id,
    toPartyId: row.to_party_id,
    fromAddress: row.from_address,
    toAddress: row.to_address,
    amount: row.amount,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    txHash: row.tx_hash,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    reasonCode: row.reason_code,
    reason: row.reason,
    resolvesOutboxId: row.resolves_id === null ? null : String(row.resolves_id),
    createdAt: new Date(row.created_at).toISOString(),
    publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
  };
}

export type OutboxView = ReturnType<typeof outboxView>;

export async function listOutbox(knex: Knex, filter: { status?: OutboxStatus; kind?: string; limit: number; afterId?: string }): Promise<OutboxView[]> {
  const rows: OutboxRow[] = await knex('registry_outbox')
    .modify((q) => {
      if (filter.status) q.where('status', filter.status);
      if (filter.kind) q.where('kind', filter.kind);
      if (filter.afterId) q.where('id', '>', filter.afterId);
    })
    .orderBy('id')
    .limit(filter.limit)
    .select('*');
  return rows.map(outboxView);
}

export async function getOutboxRow(knex: Knex, id: string): Promise<OutboxView | null> {
  const row: OutboxRow | undefined = /^\d{1,18}$/.test(id) ? await knex('registry_outbox').where({ id }).first() : undefined;
  return row ? outboxView(row) : null;
}

export interface SettlementChainState {
  status: OutboxStatus;
  txHash: string | null;
  blockNumber: number | null;
  lastError: string | null;
}

/**
 * Adds `registry` (the on-chain state of the instruction's transfer, or null when it has none,
 * e.g. not settled yet) to each instruction, when the outbox is on; otherwise returns them as is.
 */
export async function withRegistryState<T extends { id: string }>(knex: Knex, instructions: T[]): Promise<(T & { registry?: SettlementChainState | null })[]> {
  const state: { outbox_enabled: boolean } | undefined = await knex('registry_state').where({ id: 1 }).first('outbox_enabled');
  if (!state?.outbox_enabled || instructions.length === 0) return instructions;
  const keys = instructions.map((i) => settlementOutboxKey(i.id));
  const rows: { settlement_ref: string; status: OutboxStatus; tx_hash: string | null; block_number: string | null; last_error: string | null }[] =
    await knex('registry_outbox').whereIn('settlement_ref', keys).select('settlement_ref', 'status', 'tx_hash', 'block_number', 'last_error');
  const byKey = new Map(rows.map((r) => [r.settlement_ref, r]));
  return instructions.map((instruction) => {
    const row = byKey.get(settlementOutboxKey(instruction.id));
    return {
      ...instruction,
      registry: row ? { status: row.status, txHash: row.tx_hash, blockNumber: row.block_number === null ? null : Number(row.block_number), lastError: row.last_error } : null,
    };
  });
}
