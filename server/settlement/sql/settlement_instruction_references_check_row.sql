-- settlement_instruction_references_check_row: Row trigger on inserted settlement_instructions carrying an entry or a run: the entry and
-- the run exist (the statement trigger's check, for inserts).
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function settlement_instruction_references_check_row()
returns trigger language plpgsql
as $$
begin
  if (new.entry_id is not null and not exists (select 1 from ledger_entries e where e.id = new.entry_id))
     or (new.run_id is not null and not exists (select 1 from settlement_runs r where r.id = new.run_id)) then
    raise exception 'settlement instruction % names a ledger entry or run that does not exist', new.id using errcode = '23503';
  end if;
  return null;
end $$;
