/**
 * Settlement instructions are created by a trigger on `trades` (migration 20261123000000; its
 * function is sql/settlement_instructions_for_trades.sql), in the statement that inserts the
 * trade, so a committed trade always has one. backfillInstructions repairs trades that predate
 * the trigger; the reconciliation reports any trade still without.
 *
 * Guarantees: at most one instruction per trade (unique trade_id; a repeat is ignored).
 */
import type { Knex } from 'knex';

/** Creates the missing instruction of every trade that has none; returns how many. */
export async function backfillInstructions(db: Knex | Knex.Transaction): Promise<number> {
  const result = await db.raw(
    `with created as (insert into settlement_instructions
       (trade_id, note_id, buyer_party_id, seller_party_id, quantity, net_amount, buyer_hold_reference, seller_hold_reference, trade_date, settlement_date)
     select t.id, t.note_id, t.buyer_party_id, t.seller_party_id, t.quantity, t.net_amount, t.buyer_hold_reference, t.seller_hold_reference, t.trade_date, t.settlement_date
       from trades t
      where not exists (select 1 from settlement_instructions i where i.trade_id = t.id)
      order by t.seq, t.id
     on conflict (trade_id) do nothing returning id),
     queued as (insert into settlement_queue (instruction_id) select id from created returning 1)
     select count(*) as count from queued`,
  );
  return Number((result.rows as { count: string }[])[0]?.count ?? 0);
}
