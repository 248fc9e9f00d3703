/**
 * Read side of the registry for the API: its status (mode, chain, contract, outbox counts), the
 * outbox rows, and each settlement's and trade's on-chain state. Reads only; never calls the chain.
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
  const state: {
    mode: string;
    chain_id: string | null;
    contract_address: string | null;
    deploy_block: string | null;
    outbox_enabled: boolean;
  } = await knex('registry_state').where({ id: 1 }).first('mode', 'chain_id', 'contract_address', 'deploy_block', 'outbox_enabled');
  const counts: { status: OutboxStatus; count: string; oldest: Date | null }[] = await knex('registry_outbox')
    .groupBy('status')
    .select('status', knex.raw('count(*) as count'), knex.raw('min(created_at) as oldest'));
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
      pending: countOf('pending'),
      published: countOf('published'),
      failedPermanently: countOf('failed_permanently'),
      superseded: countOf('superseded'),
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
    noteIds: row.note_ids,
    createdAt: new Date(row.created_at).toISOString(),
    publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
  };
}

export type OutboxView = ReturnType<typeof outboxView>;

/**
 * Outbox rows in publication order, or newest first (`desc`: what a screen shows). `afterId`
 * pages in either order: it means "after this row in the order asked for".
 */
export async function listOutbox(
  knex: Knex,
  filter: { status?: OutboxStatus; kind?: string; limit: number; afterId?: string; order?: 'asc' | 'desc' },
): Promise<OutboxView[]> {
  const descending = filter.order === 'desc';
  const rows: OutboxRow[] = await knex('registry_outbox')
    .modify((q) => {
      if (filter.status) q.where('status', filter.status);
      if (filter.kind) q.where('kind', filter.kind);
      if (filter.afterId) q.where('id', descending ? '<' : '>', filter.afterId);
    })
    .orderBy('id', descending ? 'desc' : 'asc')
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

type ChainStateRow = { status: OutboxStatus; tx_hash: string | null; block_number: string | null; last_error: string | null };

function chainState(row: ChainStateRow): SettlementChainState {
  return {
    status: row.status,
    txHash: row.tx_hash,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    lastError: row.last_error,
  };
}

async function outboxEnabled(knex: Knex): Promise<boolean> {
  const state: { outbox_enabled: boolean } | undefined = await knex('registry_state').where({ id: 1 }).first('outbox_enabled');
  return state?.outbox_enabled === true;
}

/**
 * Adds `registry` (the on-chain state of the instruction's transfer, or null when it has none,
 * e.g. not settled yet) to each instruction, when the outbox is on; otherwise returns them as is.
 */
export async function withRegistryState<T extends { id: string }>(
  knex: Knex,
  instructions: T[],
): Promise<(T & { registry?: SettlementChainState | null })[]> {
  if (instructions.length === 0 || !(await outboxEnabled(knex))) return instructions;
  const keys = instructions.map((i) => settlementOutboxKey(i.id));
  const rows: (ChainStateRow & { settlement_ref: string })[] = await knex('registry_outbox')
    .whereIn('settlement_ref', keys)
    .select('settlement_ref', 'status', 'tx_hash', 'block_number', 'last_error');
  const byKey = new Map(rows.map((r) => [r.settlement_ref, r]));
  return instructions.map((instruction) => {
    const row = byKey.get(settlementOutboxKey(instruction.id));
    return { ...instruction, registry: row ? chainState(row) : null };
  });
}

/**
 * The same for trades (a party's executions): the on-chain state of the transfer of the trade's
 * settlement instruction; null while the trade has not settled (or never moves anything on chain,
 * e.g. a trade between two accounts of one party). Absent when the outbox was never on.
 */
export async function withTradeRegistryState<T extends { tradeId: string }>(
  knex: Knex,
  trades: T[],
): Promise<(T & { registry?: SettlementChainState | null })[]> {
  if (trades.length === 0 || !(await outboxEnabled(knex))) return trades;
  const tradeIds = [...new Set(trades.map((t) => t.tradeId))];
  const rows: (ChainStateRow & { trade_id: string })[] = await knex('settlement_instructions as i')
    // The outbox key of an instruction's transfer (settlementOutboxKey), as the backfill writes it too.
    .joinRaw(`join registry_outbox o on o.settlement_ref = 'settle:' || i.id`)
    .whereIn('i.trade_id', tradeIds)
    .select('i.trade_id', 'o.status', 'o.tx_hash', 'o.block_number', 'o.last_error');
  const byTrade = new Map(rows.map((r) => [String(r.trade_id), r]));
  return trades.map((trade) => {
    const row = byTrade.get(trade.tradeId);
    return { ...trade, registry: row ? chainState(row) : null };
  });
}
