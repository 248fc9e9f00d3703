/**
 * Read side of trading, from Postgres (what is committed is what was acknowledged): a party's
 * orders and executions, and the public tape with TRACE-style size caps.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { isUuid } from '../core/schemas.js';
import { disseminatedSize, disseminationCapFor, type TraceCategory } from '../refdata/trace-caps.js';
import {
  executionFor,
  orderFromRow,
  tradeFromRow,
  type ExecutionAdjustment,
  type OrderRecord,
  type TradeRecord,
} from '../sequencer/records.js';

export async function findOrder(db: Knex, id: string): Promise<OrderRecord | null> {
  if (!isUuid(id)) return null;
  const row = await db('orders').where({ id }).first();
  return row ? orderFromRow(row) : null;
}

export async function findOrderByClOrdId(db: Knex, partyId: string, clOrdId: string): Promise<OrderRecord | null> {
  const row = await db('orders').where({ party_id: partyId, cl_ord_id: clOrdId }).first();
  return row ? orderFromRow(row) : null;
}

export async function partyOrders(
  db: Knex,
  partyId: string,
  filter: { open: boolean; noteId?: string; limit: number },
): Promise<OrderRecord[]> {
  const rows = await db('orders')
    .where({ party_id: partyId })
    .modify((q) => {
      if (filter.open) q.whereIn('status', ['new', 'partially_filled']);
      if (filter.noteId) q.where({ note_id: filter.noteId });
    })
    .orderBy('created_seq', 'desc')
    .limit(filter.limit)
    .select('*');
  return rows.map(orderFromRow);
}

export async function tradesOfOrder(db: Knex, orderId: string): Promise<TradeRecord[]> {
  const rows = await db('trades')
    .where({ buy_order_id: orderId })
    .orWhere({ sell_order_id: orderId })
    .orderBy([{ column: 'seq' }, { column: 'id' }])
    .select('*');
  return rows.map(tradeFromRow);
}

export async function partyExecutions(db: Knex, partyId: string, filter: { noteId?: string; from?: string; to?: string; limit: number }) {
  const rows: Record<string, unknown>[] = await db('trades')
    .where((q) => q.where({ buyer_party_id: partyId }).orWhere({ seller_party_id: partyId }))
    .modify((q) => {
      if (filter.noteId) q.where({ note_id: filter.noteId });
      if (filter.from) q.where('trade_date', '>=', filter.from);
      if (filter.to) q.where('trade_date', '<=', filter.to);
    })
    // Newest first by execution time: an RFQ trade carries the sequence number of the last command
    // before it, so seq alone can put it behind an older CLOB trade.
    .orderBy([
      { column: 'executed_at', order: 'desc' },
      { column: 'seq', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.limit)
    .select('*');
  const adjustments = await tradeAdjustments(
    db,
    rows.map((r) => String(r.id)),
  );
  return rows.map((row) => executionFor(tradeFromRow(row), partyId, adjustments.get(String(row.id)) ?? null));
}

/** The re-amounted trades among these (servicing/reamount.ts): original and adjusted amounts. */
export async function tradeAdjustments(db: Knex, tradeIds: readonly string[]): Promise<Map<string, ExecutionAdjustment>> {
  if (tradeIds.length === 0) return new Map();
  const rows: Record<string, string>[] = await db('trade_adjustments').whereIn('trade_id', tradeIds).select('*');
  const cash = (v: string | undefined) => new Decimal(v as string).toFixed(2);
  return new Map(
    rows.map((r) => [
      r.trade_id as string,
      {
        paymentDate: r.payment_date as string,
        original: {
          factor: new Decimal(r.factor_before as string).toFixed(),
          principal: cash(r.principal_before),
          accruedInterest: cash(r.accrued_before),
          netAmount: cash(r.net_before),
        },
        adjusted: {
          factor: new Decimal(r.factor_after as string).toFixed(),
          principal: cash(r.principal_after),
          accruedInterest: cash(r.accrued_after),
          netAmount: cash(r.net_after),
        },
      },
    ]),
  );
}

/** The public tape, newest first. Sizes above the note's TRACE dissemination cap show as "<n>MM+". */
export async function tape(db: Knex, filter: { noteId?: string; limit: number }) {
  const rows: {
    id: string;
    note_id: string;
    price: string;
    quantity: string;
    executed_at: Date;
    trace_category: TraceCategory;
    rating: string;
  }[] = await db('trades')
    .join('notes', 'notes.id', 'trades.note_id')
    .modify((q) => {
      if (filter.noteId) q.where('trades.note_id', filter.noteId);
    })
    .orderBy('trades.seq', 'desc')
    .orderBy('trades.id', 'desc')
    .limit(filter.limit)
    .select('trades.id', 'trades.note_id', 'trades.price', 'trades.quantity', 'trades.executed_at', 'notes.trace_category', 'notes.rating');
  return rows.map((row) => ({
    id: row.id,
    noteId: row.note_id,
    price: new Decimal(row.price).toFixed(),
    quantity: disseminatedSize(new Decimal(row.quantity), disseminationCapFor(row.trace_category, row.rating)),
    executedAt: new Date(row.executed_at).toISOString(),
  }));
}

export { disseminatedSize };
