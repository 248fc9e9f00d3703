/**
 * Money (issue 15, items 1 and 2): dealer credit lines, fails that really happen, a dated
 * reference rate for the TMPG fail charge, fail charges booked through the ledger, and trades
 * re-amounted when a distribution changes their note's factor before they settle.
 *
 * - `ledger_accounts.credit_limit`: the operator's credit line of a party's USD account. The
 *   account may hold more than it has, up to that line (held <= total + credit_limit); its total
 *   still never goes below zero, so settlement pays only with cash: a buyer whose holds credit
 *   backs and who has no cash fails to pay. Each change is kept in `credit_line_changes`.
 * - `reference_rates`: the operator's dated series of the TMPG reference rate (percent).
 * - `settlement_instructions.fail_charge_entry_id`: the ledger entry that booked the fail charge
 *   when the fail settled; `original_net_amount`: the amount before a factor change re-amounted it.
 * - `trade_adjustments`: per re-amounted trade, the original and the adjusted amounts.
 * - The two settlement routines whose rule changes, in full (the previous text is in
 *   20261128000000_settlement_speed and 20261127100000_settlement_set_based):
 *   `settlement_settle_chunk`: an instruction is covered only when the buyer's USD account has no
 *   credit in use (held <= total), since a hold that credit backs is no cash to pay with;
 *   `settlement_decide_uncovered`: the buyer pays only with cash it has (total, plus what the chunk's
 *   covered instructions pay it, less what they take from it), and may commit its unused credit.
 *   With no credit line both reduce to the previous rule (held <= total implies the cash is there).
 */
import type { Knex } from 'knex';

const SETTLE_CHUNK = `
create or replace function settlement_settle_chunk(p_run_id bigint, p_chunk int, p_date date, p_after_id bigint, p_up_to bigint, p_limit int,
                                                   p_mode text, p_created_by uuid, p_defer_uncovered boolean)
-- One row per claimed instruction, in id order. outcome: 'settled', 'deferred' (left for the second
-- phase), or the failed side ('buyer', 'seller', 'both'). charge_from: the contractual settlement
-- date when a fail charge is due (the instruction fails now, or settles after failing), else null.
returns table (id bigint, outcome text, note_id uuid, buyer_party_id uuid, seller_party_id uuid, quantity numeric, net_amount numeric,
               buyer_hold_reference text, seller_hold_reference text, charge_from date)
-- Plans of thousands of rows cost enough to trigger JIT, whose compilation costs more than it saves
-- here; and temporary tables have no statistics, so the planner would sort both sides of a join
-- that a hash join does in one pass. The hash tables of a chunk of 25,000 need more than the default
-- 4 MB of memory (they spilled to temporary files); the ledger's batch writer it calls inherits it.
language plpgsql set jit = off set enable_mergejoin = off set work_mem = '64MB' as $$
#variable_conflict use_column
declare
  claimed_count int;
  settled_count int;
  settled_ids bigint[];
  net_entry bigint;
begin
  perform settlement_chunk_open();
  -- The queue rows stay locked until commit; settled ones leave the queue below, fails stay in it.
  with picked as materialized (
         select i.id, i.trade_id, i.note_id, i.buyer_party_id, i.seller_party_id, i.quantity, i.net_amount, i.buyer_hold_reference,
                i.seller_hold_reference, i.settlement_date, i.status
           from settlement_queue q join settlement_instructions i on i.id = q.instruction_id
          where q.instruction_id > p_after_id and (p_up_to is null or q.instruction_id <= p_up_to)
            -- The same bounds on the instructions: a range of their primary key, not a scan of all of them.
            and i.id > p_after_id and (p_up_to is null or i.id <= p_up_to)
            and i.settlement_date <= p_date and i.status in ('pending', 'failed')
          order by q.instruction_id limit p_limit for update of q skip locked),
       due as (
         select p.*, hs.id as seller_hold_id, hs.remaining as seller_hold_remaining,
                (hsa.party_id = p.seller_party_id and hsa.asset = p.note_id::text) is true as seller_hold_usable,
                hb.id as buyer_hold_id, hb.remaining as buyer_hold_remaining,
                (hba.party_id = p.buyer_party_id and hba.asset = 'USD') is true as buyer_hold_usable,
                -- Credit in use (held above total): the buyer's holds are not all backed by cash.
                (hba.held <= hba.total) is true as buyer_cash_backed
           from picked p
           -- One index probe per hold (LIMIT keeps the planner from hashing the whole holds table).
           left join lateral (select h.id, h.remaining, h.account_id from ledger_holds h
                               where h.reference = p.seller_hold_reference and h.status = 'active' limit 1) hs on true
           left join lateral (select h.id, h.remaining, h.account_id from ledger_holds h
                               where h.reference = p.buyer_hold_reference and h.status = 'active' limit 1) hb on true
           left join ledger_accounts hsa on hsa.id = hs.account_id
           left join ledger_accounts hba on hba.id = hb.account_id),
       decided as (
         select d.*, (d.seller_hold_usable and d.seller_hold_remaining >= d.quantity and d.buyer_hold_usable and d.buyer_hold_remaining >= d.net_amount
                      and d.buyer_cash_backed) as covered
           from due d)
  insert into settlement_chunk
    select d.id, d.trade_id, d.note_id, d.buyer_party_id, d.seller_party_id, d.quantity, d.net_amount, d.buyer_hold_reference, d.seller_hold_reference,
           d.settlement_date, d.status, d.seller_hold_id, d.seller_hold_remaining, d.seller_hold_usable, d.buyer_hold_id, d.buyer_hold_remaining,
           d.buyer_hold_usable, d.covered, d.covered, case when d.covered then d.quantity else 0 end, case when d.covered then d.net_amount else 0 end, null
      from decided d order by d.id;
  get diagnostics claimed_count = row_count;
  if claimed_count = 0 then
    return;
  end if;

  -- A hold named twice in the chunk is not cover for either use: those are decided in order.
  with shared as (
         select h.hold_id from (select c.seller_hold_id as hold_id from settlement_chunk c union all select c.buyer_hold_id from settlement_chunk c) h
          where h.hold_id is not null group by h.hold_id having count(*) > 1)
  update settlement_chunk c set covered = false, settle = false, seller_use = 0, buyer_use = 0
   where c.covered and (c.seller_hold_id in (select s.hold_id from shared s) or c.buyer_hold_id in (select s.hold_id from shared s));
  if exists (select 1 from settlement_chunk c where not c.covered) and not p_defer_uncovered then
    perform settlement_decide_uncovered();
  end if;

  perform ledger_dvp_batch_open();
  insert into ledger_dvp_batch (dvp_id, entry_key, description, metadata, asset, seller_party_id, buyer_party_id, quantity, amount,
                                seller_hold_id, seller_hold_reference, seller_hold_use, buyer_hold_id, buyer_hold_reference, buyer_hold_use)
    select c.id, 'settle:' || c.id, 'DVP settlement of trade ' || c.trade_id, jsonb_build_object('instructionId', c.id::text, 'tradeId', c.trade_id),
           c.note_id::text, c.seller_party_id, c.buyer_party_id, c.quantity, c.net_amount,
           case when c.seller_use > 0 then c.seller_hold_id end, c.seller_hold_reference, c.seller_use,
           case when c.buyer_use > 0 then c.buyer_hold_id end, c.buyer_hold_reference, c.buyer_use
      from settlement_chunk c where c.settle order by c.id;
  get diagnostics settled_count = row_count;
  if settled_count > 0 then
    -- The queue and the instructions are reached by these ids through their primary keys: the
    -- planner knows nothing of the temporary table, and would hash every instruction to join it.
    settled_ids := array(select d.dvp_id from ledger_dvp_batch d);
    -- Out of the queue before the ledger locks the accounts, which stay locked until the commit.
    delete from settlement_queue q where q.instruction_id = any (settled_ids);
    net_entry := ledger_post_dvp_batch(p_date, p_created_by,
      case when p_mode = 'net' then 'settle-net:' || p_run_id || ':' || p_chunk end,
      format('net DVP settlement of %s trades (run %s, chunk %s)', settled_count, p_run_id, p_chunk),
      jsonb_build_object('runId', p_run_id::text, 'chunk', p_chunk, 'instructions', settled_count));
    -- A fail that settles keeps its charge until the caller freezes it as of today (fail-charge.ts rounds).
    update settlement_instructions i
       set status = 'settled', settled_date = p_date, entry_id = coalesce(net_entry, d.entry_id), run_id = p_run_id, settlement_mode = p_mode,
           fail_charge = case when i.status = 'failed' then i.fail_charge else 0 end,
           attempts = i.attempts + 1, last_attempt_date = p_date, updated_at = now()
      from ledger_dvp_batch d
     where i.id = d.dvp_id and i.id = any (settled_ids);
  end if;
  return query
    select c.id, case when c.settle then 'settled' when c.failed_side is not null then c.failed_side else 'deferred' end,
           c.note_id, c.buyer_party_id, c.seller_party_id, c.quantity, c.net_amount, c.buyer_hold_reference, c.seller_hold_reference,
           case when c.failed_side is not null or (c.settle and c.status = 'failed') then c.settlement_date end
      from settlement_chunk c order by c.id;
end $$`;

const DECIDE_UNCOVERED = `
create or replace function settlement_decide_uncovered() returns void language plpgsql as $$
declare
  r record;
  delta numeric[] := '{}';
  hold_left numeric[] := '{}';
  ids bigint[] := '{}';
  settles boolean[] := '{}';
  seller_uses numeric[] := '{}';
  buyer_uses numeric[] := '{}';
  sides text[] := '{}';
  decided int := 0;
  seller_ok boolean;
  buyer_ok boolean;
  seller_have numeric;
  buyer_have numeric;
  seller_take numeric;
  buyer_take numeric;
  -- Per account: the change of its total (cash a buyer pays, cash a seller receives) since the loop began.
  cash_delta numeric[] := '{}';
begin
  perform 1 from ledger_accounts a where a.id in (
      select a2.id from settlement_chunk c
        cross join lateral (values (c.seller_party_id, c.note_id::text), (c.buyer_party_id, c.note_id::text), (c.buyer_party_id, 'USD'), (c.seller_party_id, 'USD')) as l(party_id, asset)
        join ledger_accounts a2 on a2.party_id = l.party_id and a2.asset = l.asset)
    order by a.id for update;
  for r in
    with u as (select * from settlement_chunk c where not c.covered),
         keys as (select k.party_id, k.asset, (row_number() over (order by k.party_id, k.asset))::int as ord from (
                    select u.seller_party_id as party_id, u.note_id::text as asset from u union select u.buyer_party_id, 'USD' from u) k),
         holds as (select h.hold_id, (row_number() over (order by h.hold_id))::int as ord from (
                    select u.seller_hold_id as hold_id from u where u.seller_hold_usable union select u.buyer_hold_id from u where u.buyer_hold_usable) h),
         -- What the chunk's covered instructions (settled first) deliver and pay into those accounts.
         received as (
           select x.party_id, x.asset, sum(x.amount) as amount from (
             select c.buyer_party_id as party_id, c.note_id::text as asset, c.quantity as amount from settlement_chunk c where c.covered
             union all
             select c.seller_party_id, 'USD', c.net_amount from settlement_chunk c where c.covered) x
            group by 1, 2),
         -- What the chunk's covered instructions (settled first) pay out of buyers' cash.
         paid as (select c.buyer_party_id as party_id, sum(c.net_amount) as amount from settlement_chunk c where c.covered group by 1)
    select u.id, u.quantity, u.net_amount, ks.ord as seller_ord, kb.ord as buyer_ord, kbf.ord as buyer_asset_ord, ksc.ord as seller_cash_ord,
           coalesce(sa.total - sa.held, 0) + coalesce(rs.amount, 0) as seller_base,
           -- What the buyer may still commit (its unused credit line counts) and the cash it has.
           coalesce(ba.total - ba.held + ba.credit_limit, 0) + coalesce(rb.amount, 0) as buyer_base,
           coalesce(ba.total, 0) + coalesce(rb.amount, 0) - coalesce(pb.amount, 0) as buyer_cash,
           case when u.seller_hold_usable then hs.ord end as seller_hold_ord, u.seller_hold_remaining,
           case when u.buyer_hold_usable then hb.ord end as buyer_hold_ord, u.buyer_hold_remaining
      from u
      join keys ks on ks.party_id = u.seller_party_id and ks.asset = u.note_id::text
      join keys kb on kb.party_id = u.buyer_party_id and kb.asset = 'USD'
      left join keys kbf on kbf.party_id = u.buyer_party_id and kbf.asset = u.note_id::text
      left join keys ksc on ksc.party_id = u.seller_party_id and ksc.asset = 'USD'
      left join received rs on rs.party_id = u.seller_party_id and rs.asset = u.note_id::text
      left join received rb on rb.party_id = u.buyer_party_id and rb.asset = 'USD'
      left join paid pb on pb.party_id = u.buyer_party_id
      left join ledger_accounts sa on sa.party_id = u.seller_party_id and sa.asset = u.note_id::text
      left join ledger_accounts ba on ba.party_id = u.buyer_party_id and ba.asset = 'USD'
      left join holds hs on hs.hold_id = u.seller_hold_id
      left join holds hb on hb.hold_id = u.buyer_hold_id
     order by u.id
  loop
    seller_have := case when r.seller_hold_ord is null then 0 else coalesce(hold_left[r.seller_hold_ord], r.seller_hold_remaining) end;
    buyer_have := case when r.buyer_hold_ord is null then 0 else coalesce(hold_left[r.buyer_hold_ord], r.buyer_hold_remaining) end;
    seller_ok := true;
    if r.seller_hold_ord is not null and seller_have >= r.quantity then
      seller_take := r.quantity;
    elsif r.quantity - seller_have <= r.seller_base + coalesce(delta[r.seller_ord], 0) then
      seller_take := seller_have;
    else
      seller_ok := false;
    end if;
    buyer_ok := true;
    -- Payment is in cash: a hold that credit backs does not pay (a failure to pay).
    if r.net_amount > r.buyer_cash + coalesce(cash_delta[r.buyer_ord], 0) then
      buyer_ok := false;
    elsif r.buyer_hold_ord is not null and buyer_have >= r.net_amount then
      buyer_take := r.net_amount;
    elsif r.net_amount - buyer_have <= r.buyer_base + coalesce(delta[r.buyer_ord], 0) then
      buyer_take := buyer_have;
    else
      buyer_ok := false;
    end if;
    decided := decided + 1;
    ids[decided] := r.id;
    settles[decided] := seller_ok and buyer_ok;
    if seller_ok and buyer_ok then
      delta[r.seller_ord] := coalesce(delta[r.seller_ord], 0) - (r.quantity - seller_take);
      delta[r.buyer_ord] := coalesce(delta[r.buyer_ord], 0) - (r.net_amount - buyer_take);
      if r.buyer_asset_ord is not null then delta[r.buyer_asset_ord] := coalesce(delta[r.buyer_asset_ord], 0) + r.quantity; end if;
      if r.seller_cash_ord is not null then delta[r.seller_cash_ord] := coalesce(delta[r.seller_cash_ord], 0) + r.net_amount; end if;
      cash_delta[r.buyer_ord] := coalesce(cash_delta[r.buyer_ord], 0) - r.net_amount;
      if r.seller_cash_ord is not null then cash_delta[r.seller_cash_ord] := coalesce(cash_delta[r.seller_cash_ord], 0) + r.net_amount; end if;
      if r.seller_hold_ord is not null then hold_left[r.seller_hold_ord] := seller_have - seller_take; end if;
      if r.buyer_hold_ord is not null then hold_left[r.buyer_hold_ord] := buyer_have - buyer_take; end if;
      seller_uses[decided] := seller_take;
      buyer_uses[decided] := buyer_take;
      sides[decided] := null;
    else
      seller_uses[decided] := 0;
      buyer_uses[decided] := 0;
      sides[decided] := case when not seller_ok and not buyer_ok then 'both' when not seller_ok then 'seller' else 'buyer' end;
    end if;
  end loop;
  update settlement_chunk c set settle = v.settle, seller_use = v.seller_use, buyer_use = v.buyer_use, failed_side = v.side
    from unnest(ids, settles, seller_uses, buyer_uses, sides) as v(id, settle, seller_use, buyer_use, side)
   where c.id = v.id;
end $$`;

export async function up(knex: Knex): Promise<void> {
  for (const statement of [
    `alter table ledger_accounts add column credit_limit numeric not null default 0`,
    `alter table ledger_accounts drop constraint ledger_accounts_non_negative`,
    `alter table ledger_accounts add constraint ledger_accounts_non_negative
       check (system_code is not null or (total >= 0 and held >= 0 and credit_limit >= 0 and held <= total + credit_limit))`,
    `alter table ledger_accounts add constraint ledger_accounts_credit_usd check (credit_limit = 0 or asset = 'USD')`,
    `create table credit_line_changes (
       id bigserial primary key,
       party_id uuid not null references parties(id),
       amount numeric not null check (amount >= 0),
       previous_amount numeric not null,
       changed_by uuid,
       changed_at timestamptz not null default now())`,
    `create table reference_rates (
       rate_date date primary key,
       rate_percent numeric not null check (rate_percent >= 0 and rate_percent <= 100),
       set_by uuid,
       set_at timestamptz not null default now())`,
    `alter table settlement_instructions add column fail_charge_entry_id bigint`,
    `alter table settlement_instructions add column original_net_amount numeric`,
    `create table trade_adjustments (
       trade_id text primary key references trades(id),
       instruction_id bigint not null,
       note_id uuid not null,
       payment_date date not null,
       record_date date not null,
       factor_before numeric not null,
       factor_after numeric not null,
       principal_before numeric not null,
       accrued_before numeric not null,
       net_before numeric not null,
       principal_after numeric not null,
       accrued_after numeric not null,
       net_after numeric not null,
       created_at timestamptz not null default now())`,
    SETTLE_CHUNK,
    DECIDE_UNCOVERED,
  ]) await knex.raw(statement);
}

export async function down(): Promise<void> {
  throw new Error('20261206030000_money_credit_fails cannot be undone: restore a backup');
}
