-- ledger_append_only: Refuses UPDATE, DELETE and TRUNCATE of journal entries and postings: the journal is append-only.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_append_only()
returns trigger language plpgsql
as $$
   begin
     raise exception '% is append-only', tg_table_name using errcode = '55000';
   end $$;
