-- settlement_instructions_for_trades: Statement trigger on trades: one DVP settlement instruction per new trade, committed with it.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function settlement_instructions_for_trades()
returns trigger language plpgsql
as $$
   begin
     with created as (
       insert into settlement_instructions
         (trade_id, note_id, buyer_party_id, seller_party_id, quantity, net_amount, buyer_hold_reference, seller_hold_reference, trade_date, settlement_date)
       select id, note_id, buyer_party_id, seller_party_id, quantity, net_amount, buyer_hold_reference, seller_hold_reference, trade_date, settlement_date
         from new_trades order by seq, id
       on conflict (trade_id) do nothing
       returning id)
     insert into settlement_queue (instruction_id) select id from created;
     return null;
   end $$;
