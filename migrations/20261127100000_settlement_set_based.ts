/**
 * Set-based settlement (issue 5: settlement speed). A chunk of a settlement run is one call of
 * `settlement_settle_chunk`, in the chunk's transaction:
 *   1. claim the chunk's due instructions in the run queue (FOR UPDATE SKIP LOCKED until commit:
 *      two overlapping runs never see the same instruction), with the trades' active holds;
 *   2. decide. An instruction whose two paying legs are each covered by the trade's own hold (the
 *      normal case: order entry reserved both) is "covered": it settles whatever else happens —
 *      consuming a hold lowers total and held alike, and receipts only raise what others have —
 *      so covered instructions are decided as a set, in any order, even by chunks running side by
 *      side. The others (no hold, a partial one, a hold named twice) are decided after every
 *      covered one, one by one in id order, by `settlement_decide_uncovered`, against the locked
 *      balances plus what the chunk's covered instructions deliver and pay. A run first settles
 *      all covered instructions (`p_defer_uncovered`: the others are left in the queue untouched),
 *      then the rest in id order, chunk after chunk: the decisions of the reference model
 *      server/settlement/evaluate.ts, which the tests compare the database with;
 *   3. post the settled ones through the ledger's `ledger_post_dvp_batch` (gross: one entry per
 *      instruction; net: one for the chunk), mark them settled with their entry and take them out
 *      of the run queue (fails stay in it for the next run).
 * It returns every claimed instruction with its outcome (settled, deferred, or failed and which
 * side); the caller (server/settlement/run.ts) records fails with their fail charge and writes
 * the registry outbox.
 *
 * The instructions' foreign keys to ledger entries and runs become one set-based check per
 * statement (entries are append-only and runs are never deleted, which the keys also ensured).
 */
import type { Knex } from 'knex';

const CHUNK_OPEN = `
create or replace function settlement_chunk_open() returns void language plpgsql as $$
begin
  if to_regclass('pg_temp.settlement_chunk') is null then
    create temp table settlement_chunk (
      id bigint not null,
      trade_id text not null,
      note_id uuid not null,
      buyer_party_id uuid not null,
      seller_party_id uuid not null,
      quantity numeric not null,
      net_amount numeric not null,
      buyer_hold_reference text,
      seller_hold_reference text,
      settlement_date date not null,
      status text not null,
      seller_hold_id bigint,
      seller_hold_remaining numeric,
      seller_hold_usable boolean not null,
      buyer_hold_id bigint,
      buyer_hold_remaining numeric,
      buyer_hold_usable boolean not null,
      covered boolean not null,
      settle boolean not null,
      seller_use numeric not null,
      buyer_use numeric not null,
      failed_side text
    ) on commit delete rows;
  else
    delete from settlement_chunk;
  end if;
end $$`;

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
-- that a hash join does in one pass.
language plpgsql set jit = off set enable_mergejoin = off as $$
#variable_conflict use_column
declare
  claimed_count int;
  settled_count int;
  net_entry bigint;
begin
  perform settlement_chunk_open();
  -- The queue rows stay locked until commit; settled ones leave the queue below, fails stay in it.
  with picked as materialized (
         select i.id, i.trade_id, i.note_id, i.buyer_party_id, i.seller_party_id, i.quantity, i.net_amount, i.buyer_hold_reference,
                i.seller_hold_reference, i.settlement_date, i.status
           from settlement_queue q join settlement_instructions i on i.id = q.instruction_id
          where q.instruction_id > p_after_id and (p_up_to is null or q.instruction_id <= p_up_to)
            and i.settlement_date <= p_date and i.status in ('pending', 'failed')
          order by q.instruction_id limit p_limit for update of q skip locked),
       due as (
         select p.*, hs.id as seller_hold_id, hs.remaining as seller_hold_remaining,
                (hsa.party_id = p.seller_party_id and hsa.asset = p.note_id::text) is true as seller_hold_usable,
                hb.id as buyer_hold_id, hb.remaining as buyer_hold_remaining,
                (hba.party_id = p.buyer_party_id and hba.asset = 'USD') is true as buyer_hold_usable
           from picked p
           -- One index probe per hold (LIMIT keeps the planner from hashing the whole holds table).
           left join lateral (select h.id, h.remaining, h.account_id from ledger_holds h
                               where h.reference = p.seller_hold_reference and h.status = 'active' limit 1) hs on true
           left join lateral (select h.id, h.remaining, h.account_id from ledger_holds h
                               where h.reference = p.buyer_hold_reference and h.status = 'active' limit 1) hb on true
           left join ledger_accounts hsa on hsa.id = hs.account_id
           left join ledger_accounts hba on hba.id = hb.account_id),
       decided as (
         select d.*, (d.seller_hold_usable and d.seller_hold_remaining >= d.quantity and d.buyer_hold_usable and d.buyer_hold_remaining >= d.net_amount) as covered
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
     where i.id = d.dvp_id;
    delete from settlement_queue q where q.instruction_id = any (array(select d.dvp_id from ledger_dvp_batch d));
  end if;
  return query
    select c.id, case when c.settle then 'settled' when c.failed_side is not null then c.failed_side else 'deferred' end,
           c.note_id, c.buyer_party_id, c.seller_party_id, c.quantity, c.net_amount, c.buyer_hold_reference, c.seller_hold_reference,
           case when c.failed_side is not null or (c.settle and c.status = 'failed') then c.settlement_date end
      from settlement_chunk c order by c.id;
end $$`;

/**
 * The instructions not covered by their own holds, one by one in id order (evaluate.ts's legCover
 * and move): a leg moves when its usable hold covers it, or when the hold's remainder plus the
 * account's available amount does. Available = the locked total − held, plus what the chunk's
 * covered instructions (settled first) deliver and pay into the account, plus the moves of
 * earlier uncovered instructions that settled (kept in arrays by account ordinal).
 */
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
            group by 1, 2)
    select u.id, u.quantity, u.net_amount, ks.ord as seller_ord, kb.ord as buyer_ord, kbf.ord as buyer_asset_ord, ksc.ord as seller_cash_ord,
           coalesce(sa.total - sa.held, 0) + coalesce(rs.amount, 0) as seller_base, coalesce(ba.total - ba.held, 0) + coalesce(rb.amount, 0) as buyer_base,
           case when u.seller_hold_usable then hs.ord end as seller_hold_ord, u.seller_hold_remaining,
           case when u.buyer_hold_usable then hb.ord end as buyer_hold_ord, u.buyer_hold_remaining
      from u
      join keys ks on ks.party_id = u.seller_party_id and ks.asset = u.note_id::text
      join keys kb on kb.party_id = u.buyer_party_id and kb.asset = 'USD'
      left join keys kbf on kbf.party_id = u.buyer_party_id and kbf.asset = u.note_id::text
      left join keys ksc on ksc.party_id = u.seller_party_id and ksc.asset = 'USD'
      left join received rs on rs.party_id = u.seller_party_id and rs.asset = u.note_id::text
      left join received rb on rb.party_id = u.buyer_party_id and rb.asset = 'USD'
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
    if r.buyer_hold_ord is not null and buyer_have >= r.net_amount then
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

const REFERENCES_CHECK = `
create or replace function settlement_instructions_references_check() returns trigger language plpgsql as $$
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
end $$`;

const REFERENCES_CHECK_ROW = `
create or replace function settlement_instruction_references_check_row() returns trigger language plpgsql as $$
begin
  if (new.entry_id is not null and not exists (select 1 from ledger_entries e where e.id = new.entry_id))
     or (new.run_id is not null and not exists (select 1 from settlement_runs r where r.id = new.run_id)) then
    raise exception 'settlement instruction % names a ledger entry or run that does not exist', new.id using errcode = '23503';
  end if;
  return null;
end $$`;

const STATEMENTS = [
  `alter table settlement_instructions drop constraint settlement_instructions_entry_id_foreign`,
  `alter table settlement_instructions drop constraint settlement_instructions_run_id_foreign`,
  REFERENCES_CHECK,
  REFERENCES_CHECK_ROW,
  `create trigger settlement_instructions_references after update on settlement_instructions
     referencing new table as new_instructions for each statement execute function settlement_instructions_references_check()`,
  // Instructions are born pending, without entry or run: the row trigger never fires on the trading path.
  `create trigger settlement_instructions_references_insert after insert on settlement_instructions
     for each row when (new.entry_id is not null or new.run_id is not null) execute function settlement_instruction_references_check_row()`,
  `create function settlement_runs_permanent() returns trigger language plpgsql as $$
   begin
     raise exception 'settlement runs are never deleted' using errcode = '55000';
   end $$`,
  `create trigger settlement_runs_no_delete before delete on settlement_runs for each row execute function settlement_runs_permanent()`,
  CHUNK_OPEN,
  DECIDE_UNCOVERED,
  SETTLE_CHUNK,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of STATEMENTS) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of [
    'drop function if exists settlement_settle_chunk(bigint, int, date, bigint, bigint, int, text, uuid, boolean)',
    'drop function if exists settlement_decide_uncovered()',
    'drop function if exists settlement_chunk_open()',
    'drop trigger if exists settlement_runs_no_delete on settlement_runs',
    'drop function if exists settlement_runs_permanent()',
    'drop trigger if exists settlement_instructions_references_insert on settlement_instructions',
    'drop trigger if exists settlement_instructions_references on settlement_instructions',
    'drop function if exists settlement_instruction_references_check_row()',
    'drop function if exists settlement_instructions_references_check()',
    'alter table settlement_instructions add constraint settlement_instructions_run_id_foreign foreign key (run_id) references settlement_runs (id)',
    'alter table settlement_instructions add constraint settlement_instructions_entry_id_foreign foreign key (entry_id) references ledger_entries (id)',
  ])
    await knex.raw(statement);
}
