-- settlement_instructions_references_check: Statement trigger on updated settlement_instructions: every ledger entry and
-- settlement run the rows name exists (in place of foreign keys, checked once per statement).
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function settlement_instructions_references_check()
returns trigger language plpgsql
as $$
declare
  entry_ids bigint[];
  run_ids bigint[];
  found_count bigint;
begin
  -- Index probes over the distinct ids named (a settled chunk names a narrow, rising range of entries).
  select array_agg(distinct n.entry_id) filter (where n.entry_id is not null), array_agg(distinct n.run_id) filter (where n.run_id is not null)
    into entry_ids, run_ids from new_instructions n;
  if entry_ids is not null then
    select count(*) into found_count from ledger_entries e
     where e.id between entry_ids[1] and entry_ids[array_length(entry_ids, 1)] and e.id = any (entry_ids);
    if found_count <> array_length(entry_ids, 1) then
      raise exception 'a settlement instruction names a ledger entry that does not exist' using errcode = '23503';
    end if;
  end if;
  if run_ids is not null then
    select count(*) into found_count from settlement_runs r where r.id = any (run_ids);
    if found_count <> array_length(run_ids, 1) then
      raise exception 'a settlement instruction names a settlement run that does not exist' using errcode = '23503';
    end if;
  end if;
  return null;
end $$;
