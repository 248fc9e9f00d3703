/**
 * One group commit: everything the commands of a batch changed, written to Postgres in a single
 * transaction — the engine commands (journal), the orders' new states, the trades, the ledger
 * holds and any status change of notes. Only after it commits are the batch's callers answered
 * and its market data published.
 */
import type { Knex } from 'knex';
import type { Command, EngineEvent } from '../engine/index.js';
import { holdBatchArguments, postEntries, type EntryInput } from '../ledger/index.js';
import { inTransaction } from '../db/transaction.js';
import type { AccountBook } from './accounts.js';
import { orderRow, tradeRow, type OrderRecord, type TradeRecord } from './records.js';

/** party + clOrdId → the order stored under it (see findStoredClOrdIds in the sequencer). */
export type StoredClOrdIds = ReadonlyMap<string, { orderId: string; requestHash: string }>;

export function clOrdIdKey(partyId: string, clOrdId: string): string {
  return `${partyId}\u0000${clOrdId}`;
}

export class Batch {
  readonly journal: Command[] = [];
  readonly orders = new Map<string, OrderRecord>();
  readonly trades: TradeRecord[] = [];
  readonly events: EngineEvent[] = [];
  readonly noteStatus = new Map<string, 'active' | 'halted'>();
  /** Cash movements decided in the batch (deposits, withdrawals). */
  readonly entries: EntryInput[] = [];
  /** Writes of other modules that must commit with the batch (e.g. an RFQ becoming done). */
  readonly alsoWrite: ((trx: Knex.Transaction) => Promise<void>)[] = [];
  /** Writes the batch's holds depend on (a raised credit line), made before the holds. */
  readonly writeFirst: ((trx: Knex.Transaction) => Promise<void>)[] = [];

  /** Client order ids of this batch's new orders that the database already holds. */
  constructor(readonly storedClOrdIds: StoredClOrdIds = new Map()) {}

  touch(order: OrderRecord): void {
    this.orders.set(order.id, order);
  }
}

/**
 * Writes the batch. The common case (orders, trades, holds) is one call of the database function
 * trading_commit_batch: one statement, one round trip, atomic. Batches that also move cash, change
 * a note's status or carry other modules' writes run the same call inside a transaction with them.
 */
export async function commitBatch(knex: Knex, batch: Batch, accounts: AccountBook): Promise<void> {
  const { opened, changed } = accounts.pendingChanges();
  const [openedJson, changedJson] = holdBatchArguments(
    opened.map((h) => ({
      reference: h.reference,
      account: { partyId: h.partyId, asset: h.asset },
      amount: h.amount,
      remaining: h.remaining,
      closedAs: closedAs(h.reference),
    })),
    changed.map((h) => ({ reference: h.reference, remaining: h.remaining, closedAs: closedAs(h.reference) })),
  );
  const call = (db: Knex | Knex.Transaction) =>
    db.raw('select trading_commit_batch(?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb)', [
      JSON.stringify(batch.journal),
      JSON.stringify([...batch.orders.values()].map(orderRow)),
      JSON.stringify(batch.trades.map(tradeRow)),
      openedJson,
      changedJson,
    ]);
  if (batch.entries.length === 0 && batch.alsoWrite.length === 0 && batch.writeFirst.length === 0 && batch.noteStatus.size === 0) {
    await call(knex);
    return;
  }
  await inTransaction(knex, async (trx) => {
    for (const write of batch.writeFirst) await write(trx);
    await call(trx);
    await postEntries(trx, batch.entries);
    for (const write of batch.alsoWrite) await write(trx);
    for (const [noteId, status] of batch.noteStatus) await trx('notes').where({ id: noteId }).update({ status });
  });
}

/** Trade holds end consumed by settlement; order holds end released (their used part moved to trades). */
function closedAs(reference: string): 'consumed' | 'released' {
  return reference.startsWith('trade:') ? 'consumed' : 'released';
}
