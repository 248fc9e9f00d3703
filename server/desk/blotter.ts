/**
 * The blotter's extra columns on a party's executions (GET /executions): how each trade was done
 * and where its settlement stands.
 *
 * - venueType: 'rfq' for a trade done on an RFQ; 'quote' for a book trade where either side was a
 *   dealer's two-sided quote (PUT /quotes); 'book' for a trade between two orders.
 * - settlementStatus: the status of the trade's DVP instruction (pending, settled, failed,
 *   cancelled), null while none exists yet; settledDate when it settled.
 * Two reads for the whole page (orders by id, instructions by trade id), never one per trade.
 */
import type { Knex } from 'knex';

export type VenueType = 'book' | 'quote' | 'rfq';

interface ExecutionLike {
  tradeId: string;
  venue: string;
}

export async function withBlotterColumns<T extends ExecutionLike>(
  db: Knex,
  executions: readonly T[],
): Promise<(T & { venueType: VenueType; settlementStatus: string | null; settledDate: string | null })[]> {
  if (executions.length === 0) return [];
  const tradeIds = executions.map((e) => e.tradeId);
  const trades: { id: string; buy_order_id: string | null; sell_order_id: string | null }[] = await db('trades')
    .whereIn('id', tradeIds)
    .select('id', 'buy_order_id', 'sell_order_id');
  const orderIds = trades.flatMap((t) => [t.buy_order_id, t.sell_order_id]).filter((id): id is string => id !== null);
  const quoted = new Set(
    orderIds.length === 0
      ? []
      : (await db('orders').whereIn('id', orderIds).where({ source: 'quote' }).select('id')).map((o: { id: string }) => o.id),
  );
  const viaQuote = new Set(
    trades
      .filter((t) => (t.buy_order_id && quoted.has(t.buy_order_id)) || (t.sell_order_id && quoted.has(t.sell_order_id)))
      .map((t) => t.id),
  );
  const instructions: { trade_id: string; status: string; settled_date: unknown }[] = await db('settlement_instructions')
    .whereIn('trade_id', tradeIds)
    .select('trade_id', 'status', 'settled_date');
  const byTrade = new Map(instructions.map((i) => [i.trade_id, i]));
  return executions.map((e) => {
    const instruction = byTrade.get(e.tradeId);
    return {
      ...e,
      venueType: e.venue === 'rfq' ? 'rfq' : viaQuote.has(e.tradeId) ? 'quote' : 'book',
      settlementStatus: instruction?.status ?? null,
      settledDate: instruction?.settled_date ? dateText(instruction.settled_date) : null,
    };
  });
}

function dateText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}
