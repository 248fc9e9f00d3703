-- ledger_postings_balance_check: Statement trigger on ledger_postings: every entry the statement touched sums to zero per asset.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_postings_balance_check()
returns trigger language plpgsql
as $$
declare
  unbalanced record;
  first_entry bigint;
  last_entry bigint;
  entry_count bigint;
  account_count bigint;
  found_count bigint;
begin
  select entry_id, asset, sum(amount) as total into unbalanced
    from new_postings group by entry_id, asset having sum(amount) <> 0 limit 1;
  if found then
    raise exception 'ledger entry % does not balance in %: %', unbalanced.entry_id, unbalanced.asset, unbalanced.total
      using errcode = '23514';
  end if;
  if not exists (select 1 from new_postings) then
    return null;
  end if;
  -- What the foreign keys checked row by row, once per statement over the distinct ids: index
  -- probes bounded to the statement's narrow, rising range of entries; the accounts with their asset.
  select min(entry_id), max(entry_id) into first_entry, last_entry from new_postings;
  select count(*), count(e.id) into entry_count, found_count
    from (select p.entry_id from new_postings p group by p.entry_id) d
    left join ledger_entries e on e.id = d.entry_id and e.id between first_entry and last_entry;
  if found_count <> entry_count then
    raise exception 'a posting names a ledger entry that does not exist' using errcode = '23503';
  end if;
  select count(*), count(a.id) into account_count, found_count
    from (select distinct p.account_id, p.asset from new_postings p) d
    left join ledger_accounts a on a.id = d.account_id and a.asset = d.asset;
  if found_count <> account_count then
    raise exception 'a posting names an account that does not exist in its asset' using errcode = '23503';
  end if;
  return null;
end $$;
