-- ledger_post_dvp_batch: The set-based DVP writer: posts the rows of ledger_dvp_batch as one entry per row (gross) or
-- one net entry, consuming holds; the balances move at the commit (ledger_dvp_apply_balances).
-- Payload hashes are those validate.ts computes.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_post_dvp_batch(p_business_date date, p_created_by uuid, p_net_key text, p_net_description text, p_net_metadata jsonb)
-- No JIT (its compilation costs more than it saves here), and hash joins over the temporary tables,
-- which have no statistics (the planner would sort both sides for a merge join). The hash tables of
-- a batch of 25,000 need more than the default 4 MB of memory.
returns bigint language plpgsql set jit = 'off' set enable_mergejoin = 'off' set work_mem = '64MB'
as $$
declare
  bad bigint;
  net_entry bigint;
  holds_wanted int;
  holds_consumed int;
begin
  select d.dvp_id into bad from ledger_dvp_batch d
   where not (d.quantity > 0 and d.amount >= 0 and d.quantity = round(d.quantity, 2) and d.amount = round(d.amount, 2)
              and d.seller_party_id <> d.buyer_party_id and d.asset <> 'USD'
              and d.seller_hold_use >= 0 and d.seller_hold_use <= d.quantity and (d.seller_hold_use = 0 or d.seller_hold_id is not null)
              and d.buyer_hold_use >= 0 and d.buyer_hold_use <= d.amount and (d.buyer_hold_use = 0 or d.buyer_hold_id is not null))
   limit 1;
  if found then
    raise exception 'DVP % of the batch is malformed', bad using errcode = '22023';
  end if;

  -- The batch's movement per account, aggregated once (per kind of leg, then per account);
  -- accounts are created on first use.
  insert into ledger_dvp_accounts (party_id, asset, id, delta)
    select g.party_id, g.asset, a.id, g.delta
      from (select x.party_id, x.asset, sum(x.delta) as delta
              from (select d.seller_party_id as party_id, d.asset, -sum(d.quantity) as delta from ledger_dvp_batch d group by 1, 2
                    union all
                    select d.buyer_party_id, d.asset, sum(d.quantity) from ledger_dvp_batch d group by 1, 2
                    union all
                    select d.buyer_party_id, 'USD', -sum(d.amount) from ledger_dvp_batch d where d.amount <> 0 group by 1
                    union all
                    select d.seller_party_id, 'USD', sum(d.amount) from ledger_dvp_batch d where d.amount <> 0 group by 1) x
             group by 1, 2) g
      left join ledger_accounts a on a.party_id = g.party_id and a.asset = g.asset;
  if exists (select 1 from ledger_dvp_accounts m where m.id is null) then
    insert into ledger_accounts (party_id, asset)
      select m.party_id, m.asset from ledger_dvp_accounts m where m.id is null order by 1, 2
      on conflict do nothing;
    update ledger_dvp_accounts m set id = a.id from ledger_accounts a where m.id is null and a.party_id = m.party_id and a.asset = m.asset;
  end if;

  -- Holds: each consumed at most its remaining amount and only while active; what it releases is
  -- taken off the held amount of the account it sits on (the caller checked that it is the paying one).
  -- In id order: the holds' index and pages are walked forward, not in the aggregate's hash order.
  with uses as (
         select d.seller_hold_id as hold_id, d.seller_hold_reference as reference, d.seller_hold_use as used from ledger_dvp_batch d where d.seller_hold_use > 0
         union all
         select d.buyer_hold_id, d.buyer_hold_reference, d.buyer_hold_use from ledger_dvp_batch d where d.buyer_hold_use > 0),
       wanted as (
         select u.hold_id, min(u.reference) as reference, sum(u.used) as used, min(u.reference) = max(u.reference) as consistent
           from uses u group by u.hold_id order by u.hold_id),
       consumed as (
         update ledger_holds h set remaining = trim_scale(h.remaining - w.used),
                status = case when h.remaining = w.used then 'consumed' else h.status end,
                closed_at = case when h.remaining = w.used then now() else h.closed_at end
           from wanted w
          where h.id = w.hold_id and h.reference = w.reference and w.consistent and h.status = 'active' and h.remaining >= w.used
         returning h.account_id, w.used),
       released as (
         insert into ledger_dvp_released (account_id, released) select c.account_id, sum(c.used) from consumed c group by c.account_id returning 1)
  select (select count(*) from wanted), (select count(*) from consumed) into holds_wanted, holds_consumed;
  if holds_consumed <> holds_wanted then
    raise exception '% of the batch''s % holds are not active on their account with enough remaining', holds_wanted - holds_consumed, holds_wanted
      using errcode = '55000';
  end if;

  if p_net_key is not null and exists (select 1 from ledger_dvp_accounts m where m.delta <> 0) then
    insert into ledger_entries (idempotency_key, payload_hash, kind, description, business_date, created_by, metadata)
      values (p_net_key, encode(sha256(convert_to(
  '{"kind":"trade_settlement","postings":['
  || (select string_agg('["party:' || m.party_id || ':' || m.asset || '","' || trim_scale(m.delta) || '"]', ','
                        order by m.party_id::text collate "C", m.asset collate "C") from ledger_dvp_accounts m where m.delta <> 0)
  || '],"holds":['
  || coalesce((select string_agg('[' || to_json(u.reference)::text || ',"' || trim_scale(u.used) || '"]', ',' order by u.dvp_id, u.side)
                 from (select d.dvp_id, 1 as side, d.seller_hold_reference as reference, d.seller_hold_use as used from ledger_dvp_batch d where d.seller_hold_use > 0
                       union all
                       select d.dvp_id, 2, d.buyer_hold_reference, d.buyer_hold_use from ledger_dvp_batch d where d.buyer_hold_use > 0) u), '')
  || ']}', 'UTF8')), 'hex'), 'trade_settlement', p_net_description, p_business_date, p_created_by, p_net_metadata)
      returning id into net_entry;
    insert into ledger_postings (entry_id, account_id, asset, amount)
      select net_entry, m.id, m.asset, trim_scale(m.delta) from ledger_dvp_accounts m where m.delta <> 0
       order by m.party_id::text collate "C", m.asset collate "C";
  else
    -- Gross; also a net batch whose netting sets are all zero (an entry needs postings).
    insert into ledger_entries (id, idempotency_key, payload_hash, kind, description, business_date, created_by, metadata)
      select d.entry_id, d.entry_key, encode(sha256(convert_to(
  format(case when d.amount <> 0
              then '{"kind":"trade_settlement","postings":[["party:%1$s:%3$s","-%4$s"],["party:%2$s:%3$s","%4$s"],["party:%2$s:USD","-%5$s"],["party:%1$s:USD","%5$s"]],"holds":[%6$s]}'
              else '{"kind":"trade_settlement","postings":[["party:%1$s:%3$s","-%4$s"],["party:%2$s:%3$s","%4$s"]],"holds":[%6$s]}' end,
         d.seller_party_id::text, d.buyer_party_id::text, d.asset, trim_scale(d.quantity)::text, trim_scale(d.amount)::text,
         concat_ws(',',
           case when d.seller_hold_use > 0 then format('[%s,"%s"]', to_json(d.seller_hold_reference), trim_scale(d.seller_hold_use)) end,
           case when d.buyer_hold_use > 0 then format('[%s,"%s"]', to_json(d.buyer_hold_reference), trim_scale(d.buyer_hold_use)) end)), 'UTF8')), 'hex'),
             'trade_settlement', d.description, p_business_date, p_created_by, d.metadata
        from ledger_dvp_batch d;
    insert into ledger_postings (entry_id, account_id, asset, amount)
      select l.entry_id, m.id, l.asset, trim_scale(l.amount) from (
  select d.dvp_id, d.entry_id,
         case when k.leg in (1, 4) then d.seller_party_id else d.buyer_party_id end as party_id,
         case when k.leg <= 2 then d.asset else 'USD' end as asset,
         case k.leg when 1 then -d.quantity when 2 then d.quantity when 3 then -d.amount else d.amount end as amount
    from ledger_dvp_batch d cross join (values (1), (2), (3), (4)) as k(leg)
   where k.leg <= 2 or d.amount <> 0) l join ledger_dvp_accounts m on m.party_id = l.party_id and m.asset = l.asset;
  end if;

  -- The balances: per moved account the sum of its legs and of the holds it releases, applied when
  -- the transaction commits (ledger_dvp_apply_balances), so the accounts are locked for the commit
  -- only, not while the caller finishes its transaction: batches side by side (a settlement run's
  -- chunks, which move the same accounts) wait for each other at most that long.
  insert into ledger_dvp_pending (account_id, delta, released)
    select coalesce(m.id, r.account_id), coalesce(m.delta, 0), coalesce(r.released, 0)
      from (select * from ledger_dvp_accounts where delta <> 0) m full join ledger_dvp_released r on r.account_id = m.id;
  insert into ledger_dvp_commit (posted) values (true);
  return net_entry;
end $$;
