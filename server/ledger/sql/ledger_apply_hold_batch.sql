-- ledger_apply_hold_batch: The sequencer's holds of one batch: opens and changes holds, creating accounts on first use,
-- locking them in id order, and moving the held amounts (ledger/hold-batch.ts calls it).
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_apply_hold_batch(opened jsonb, changed jsonb)
-- Sequential scans off: every statement reaches its rows through the unique indexes, so any plan
-- the session caches is an index plan whatever the table sizes were when it was made, and plans
-- are made once per session (…_hold_batch_cached_plans measured re-planning on every call).
returns void language plpgsql set enable_seqscan = 'off'
as $$
declare
  o_party uuid[]; o_asset text[]; o_ref text[]; o_amount numeric[]; o_remaining numeric[]; o_closed text[];
  c_ref text[]; c_remaining numeric[]; c_closed text[];
  active_locked bigint;
begin
  select array_agg(o.party_id), array_agg(o.asset), array_agg(o.reference), array_agg(o.amount), array_agg(o.remaining), array_agg(o.closed_as)
    into o_party, o_asset, o_ref, o_amount, o_remaining, o_closed
    from jsonb_to_recordset(opened) as o(party_id uuid, asset text, reference text, amount numeric, remaining numeric, closed_as text);
  select array_agg(c.reference), array_agg(c.remaining), array_agg(c.closed_as)
    into c_ref, c_remaining, c_closed
    from jsonb_to_recordset(changed) as c(reference text, remaining numeric, closed_as text);
  if o_ref is null and c_ref is null then
    return;
  end if;

  if o_ref is not null then
    insert into ledger_accounts (party_id, asset)
      select distinct u.party_id, u.asset from unnest(o_party, o_asset) as u(party_id, asset) order by 1, 2
      on conflict do nothing;
  end if;

  perform 1 from ledger_accounts a where a.id in (
      select a2.id from unnest(o_party, o_asset) as u(party_id, asset)
        join ledger_accounts a2 on a2.party_id = u.party_id and a2.asset = u.asset
      union
      select h.account_id from ledger_holds h where h.reference = any(c_ref))
    order by a.id for update;

  if c_ref is not null then
    perform 1 from ledger_holds h where h.reference = any(c_ref) and h.status = 'active' order by h.id for update;
    get diagnostics active_locked = row_count;
    if active_locked <> cardinality(c_ref) then
      raise exception 'a hold batch changes % holds that are not active', cardinality(c_ref) - active_locked using errcode = '55000';
    end if;
  end if;

  update ledger_accounts a set held = a.held + d.delta
    from (select account_id, sum(delta) as delta from (
            select a2.id as account_id, u.remaining as delta from unnest(o_party, o_asset, o_remaining) as u(party_id, asset, remaining)
              join ledger_accounts a2 on a2.party_id = u.party_id and a2.asset = u.asset
            union all
            select h.account_id, u.remaining - h.remaining from unnest(c_ref, c_remaining) as u(reference, remaining)
              join ledger_holds h on h.reference = u.reference) deltas
          group by account_id) d
    where a.id = d.account_id and d.delta <> 0;

  if c_ref is not null then
    update ledger_holds h set remaining = u.remaining, amount = greatest(h.amount, u.remaining),
           status = case when u.remaining = 0 then u.closed_as else 'active' end,
           closed_at = case when u.remaining = 0 then now() else null end
      from unnest(c_ref, c_remaining, c_closed) as u(reference, remaining, closed_as) where h.reference = u.reference;
  end if;

  if o_ref is not null then
    insert into ledger_holds (account_id, reference, amount, remaining, status, closed_at)
      select a.id, u.reference, u.amount, u.remaining,
             case when u.remaining = 0 then u.closed_as else 'active' end, case when u.remaining = 0 then now() end
        from unnest(o_party, o_asset, o_ref, o_amount, o_remaining, o_closed) as u(party_id, asset, reference, amount, remaining, closed_as)
        join ledger_accounts a on a.party_id = u.party_id and a.asset = u.asset;
  end if;
end $$;
