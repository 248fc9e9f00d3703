/**
 * One group commit: everything the commands of a batch changed, written to Postgres in a single
 * transaction — the engine commands (journal), the orders' new states, the trades, the ledger
 * holds and any status change of notes. Only after it commits are the batch's callers answered
 * and its market data published.
 */
import type { Knex } from 'knex';
import type { Command, EngineEvent } from '../engine/index.js';
import { applyHoldBatch, postEntries, type EntryInput } from '../ledger/index.js';
import type { AccountBook } from './accounts.js';
import { orderRow, tradeRow, type OrderRecord, type TradeRecord } from './records.js';

/** Rows per INSERT statement: far below Postgres's 65,535 bind parameters for the widest row. */
const ROWS_PER_STATEMENT = 1000;

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

  touch(order: OrderRecord): void {
    this.orders.set(order.id, order);
  }

  get isEmpty(): boolean {
    return this.journal.length === 0 && this.orders.size === 0 && this.trades.length === 0 && this.noteStatus.size === 0 && this.entries.length === 0 && this.alsoWrite.length === 0;
  }
}

export async function commitBatch(trx: Knex.Transaction, batch: Batch, accounts: AccountBook): Promise<void> {
  for (const rows of chunks(batch.journal.map((command) => ({ seq: command.seq, kind: command.kind, command: JSON.stringify(command) })))) {
    await trx('sequencer_journal').insert(rows);
  }
  for (const rows of chunks([...batch.orders.values()].map(orderRow))) {
    await trx('orders')
      .insert(rows)
      .onConflict('id')
      .merge(['price', 'quantity', 'status', 'filled_quantity', 'leaves_quantity', 'cancelled_quantity', 'filled_notional', 'hold_reference', 'updated_seq', 'updated_at']);
  }
  for (const rows of chunks(batch.trades.map(tradeRow))) await trx('trades').insert(rows);
  const { opened, changed } = accounts.pendingChanges();
  await applyHoldBatch(
    trx,
    opened.map((h) => ({ reference: h.reference, account: { partyId: h.partyId, asset: h.asset }, amount: h.amount, remaining: h.remaining, closedAs: closedAs(h.reference) })),
    changed.map((h) => ({ reference: h.reference, remaining: h.remaining, closedAs: closedAs(h.reference) })),
  );
  await postEntries(trx, batch.entries);
  for (const write of batch.alsoWrite) await write(trx);
  for (const [noteId, status] of batch.noteStatus) await trx('notes').where({ id: noteId }).update({ status });
}

/** Trade holds end consumed by settlement; order holds end released (their used part moved to trades). */
function closedAs(reference: string): 'consumed' | 'released' {
  return reference.startsWith('trade:') ? 'consumed' : 'released';
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) out.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}
