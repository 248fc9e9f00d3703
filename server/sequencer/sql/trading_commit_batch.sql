-- trading_commit_batch: The sequencer's group commit: journal, orders, trades and holds of one batch in one statement
-- (sequencer/batch.ts calls it).
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function trading_commit_batch(journal jsonb, orders_in jsonb, trades_in jsonb, opened jsonb, changed jsonb)
returns void language plpgsql
as $$
begin
  insert into sequencer_journal (seq, kind, command)
    select (j->>'seq')::bigint, j->>'kind', j from jsonb_array_elements(journal) j;
  insert into orders select * from jsonb_populate_recordset(null::orders, orders_in)
    on conflict (id) do update set price = excluded.price, quantity = excluded.quantity, status = excluded.status,
      filled_quantity = excluded.filled_quantity, leaves_quantity = excluded.leaves_quantity,
      cancelled_quantity = excluded.cancelled_quantity, filled_notional = excluded.filled_notional,
      hold_reference = excluded.hold_reference, updated_seq = excluded.updated_seq, updated_at = excluded.updated_at;
  insert into trades select * from jsonb_populate_recordset(null::trades, trades_in);
  perform ledger_apply_hold_batch(opened, changed);
end $$;
