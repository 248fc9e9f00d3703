/**
 * Settlement speed, third pass: the ledger's batch writer (issue 5: at least 20,000 gross trades
 * settled per second, with a margin). What a profile of the 100,000-trade gross bench showed
 * (perf on the backends, auto_explain per statement, the statements alone on a copy of a chunk),
 * and what this migration changes; no rule changes, the same rows and the same payload hashes:
 *
 * - Postings: most of a posting's cost is its two index insertions, and the one into
 *   (account_id, id) at a random place of a large index costs twice the one into the primary key
 *   (entry_id, id), which only appends. Nothing reads postings in id order within an account (a
 *   party's journal and statements look its accounts up by equality and sort what they find), so
 *   the index is on (account_id) alone: the postings of an account are then duplicates, stored
 *   as one deduplicated list per account and page, a third of the size, and an insertion costs
 *   about 1.6 µs less once the ledger holds a few hundred thousand postings.
 * - The legs of a DVP row were a lateral VALUES list, whose expressions PostgreSQL compiles again
 *   for every row it joins: now the rows are crossed with the four leg numbers and each leg's
 *   party, asset and amount picked with CASE (same legs, same order: entry by entry, legs 1 to 4).
 *   The movement per account is summed per kind of leg straight from the batch rows, without
 *   expanding them into legs first.
 * - Holds: the aggregated holds are consumed in id order (sorted first), not in hash order: the
 *   probes of the holds' primary key and the updates walk the index and the heap forward (a
 *   chunk's holds were created together) instead of jumping about; a third less time for that
 *   statement.
 * - The payload of a gross entry (hashed as validate.ts hashes it) is built by one format() per
 *   row with each party, amount and quantity converted to text once, instead of some forty
 *   concatenations converting each party twice: the same text, a third cheaper.
 * - Balances move when the transaction commits. The writer locked and updated the accounts last,
 *   but its caller's transaction went on (settlement marks the instructions settled, returns them,
 *   run.ts records the chunk): a run's two chunks side by side, which move the same accounts, had
 *   one wait for the other's whole tail, about 300 ms a run (7% of it). The batch now leaves its
 *   movement per account in a temporary table, and a deferred constraint trigger locks the
 *   accounts in id order and updates them at the commit, after the caller's last statement. Same
 *   guarantees: the update is in the transaction, and the accounts' checks (never negative, never
 *   more held than owned) fail the commit instead of the call; several batches of a transaction
 *   add up. Within the transaction, before its commit, the balances do not show the batches yet
 *   (no caller reads them there; SET CONSTRAINTS ALL IMMEDIATE applies them at once).
 */
import type { Knex } from 'knex';

/** The legs of every row as (row, entry, party, asset, amount), zero cash legs left out, in row then leg order. */
const LEGS = `
  select d.dvp_id, d.entry_id,
         case when k.leg in (1, 4) then d.seller_party_id else d.buyer_party_id end as party_id,
         case when k.leg <= 2 then d.asset else 'USD' end as asset,
         case k.leg when 1 then -d.quantity when 2 then d.quantity when 3 then -d.amount else d.amount end as amount
    from ledger_dvp_batch d cross join (values (1), (2), (3), (4)) as k(leg)
   where k.leg <= 2 or d.amount <> 0`;

/**
 * The canonical payload of a gross row, as validate.ts's payloadHash serializes it: quantity > 0
 * and amount >= 0 (checked first), so a negated leg is its amount's text after a minus sign.
 */
const GROSS_PAYLOAD = `
  format(case when d.amount <> 0
              then '{"kind":"trade_settlement","postings":[["party:%1$s:%3$s","-%4$s"],["party:%2$s:%3$s","%4$s"],["party:%2$s:USD","-%5$s"],["party:%1$s:USD","%5$s"]],"holds":[%6$s]}'
              else '{"kind":"trade_settlement","postings":[["party:%1$s:%3$s","-%4$s"],["party:%2$s:%3$s","%4$s"]],"holds":[%6$s]}' end,
         d.seller_party_id::text, d.buyer_party_id::text, d.asset, trim_scale(d.quantity)::text, trim_scale(d.amount)::text,
         concat_ws(',',
           case when d.seller_hold_use > 0 then format('[%s,"%s"]', to_json(d.seller_hold_reference), trim_scale(d.seller_hold_use)) end,
           case when d.buyer_hold_use > 0 then format('[%s,"%s"]', to_json(d.buyer_hold_reference), trim_scale(d.buyer_hold_use)) end))`;

/** The canonical payload of the net entry (postings in netting-set order, holds in row order). */
const NET_PAYLOAD = `
  '{"kind":"trade_settlement","postings":['
  || (select string_agg('["party:' || m.party_id || ':' || m.asset || '","' || trim_scale(m.delta) || '"]', ','
                        order by m.party_id::text collate "C", m.asset collate "C") from ledger_dvp_accounts m where m.delta <> 0)
  || '],"holds":['
  || coalesce((select string_agg('[' || to_json(u.reference)::text || ',"' || trim_scale(u.used) || '"]', ',' order by u.dvp_id, u.side)
                 from (select d.dvp_id, 1 as side, d.seller_hold_reference as reference, d.seller_hold_use as used from ledger_dvp_batch d where d.seller_hold_use > 0
                       union all
                       select d.dvp_id, 2, d.buyer_hold_reference, d.buyer_hold_use from ledger_dvp_batch d where d.buyer_hold_use > 0) u), '')
  || ']}'`;

const DVP_BATCH_OPEN = `
create or replace function ledger_dvp_batch_open() returns void language plpgsql as $$
begin
  if to_regclass('pg_temp.ledger_dvp_batch') is null then
    -- entry_id: drawn in insertion order, the gross entry of the row (unused, a gap, when netted).
    create temp table ledger_dvp_batch (
      dvp_id bigint not null,
      entry_key text not null,
      description text not null,
      metadata jsonb not null,
      asset text not null,
      seller_party_id uuid not null,
      buyer_party_id uuid not null,
      quantity numeric not null,
      amount numeric not null,
      seller_hold_id bigint,
      seller_hold_reference text,
      seller_hold_use numeric not null default 0,
      buyer_hold_id bigint,
      buyer_hold_reference text,
      buyer_hold_use numeric not null default 0,
      entry_id bigint not null default nextval('ledger_entries_id_seq')
    ) on commit delete rows;
    -- Per account (party, asset) of the batch's legs: its id and the sum of its legs.
    create temp table ledger_dvp_accounts (party_id uuid not null, asset text not null, id bigint, delta numeric not null) on commit delete rows;
    -- Per account of the consumed holds: what they release.
    create temp table ledger_dvp_released (account_id bigint not null, released numeric not null) on commit delete rows;
  else
    delete from ledger_dvp_batch;
    delete from ledger_dvp_accounts;
    delete from ledger_dvp_released;
  end if;
  -- What the transaction's batches move per account, kept until it commits; and one row per posted
  -- batch, whose deferred trigger applies that movement at the commit. Checked on their own: a
  -- session may have opened a batch before these existed.
  if to_regclass('pg_temp.ledger_dvp_pending') is null then
    create temp table ledger_dvp_pending (account_id bigint not null, delta numeric not null, released numeric not null) on commit delete rows;
    create temp table ledger_dvp_commit (posted boolean not null) on commit delete rows;
    create constraint trigger ledger_dvp_commit_balances after insert on ledger_dvp_commit
      deferrable initially deferred for each row execute function ledger_dvp_apply_balances();
  end if;
end $$`;

/**
 * At the commit of a transaction that posted DVP batches (before its temporary tables are emptied):
 * lock the moved accounts in id order, then one update per account with the sum of what the
 * batches move. The accounts' checks (never negative, never more held than owned) apply here: a
 * batch that overdraws fails the commit. Later triggers of the same commit find nothing pending.
 */
const APPLY_BALANCES = `
create function ledger_dvp_apply_balances() returns trigger language plpgsql set jit = off set work_mem = '64MB' as $$
begin
  perform 1 from ledger_accounts a where a.id in (select p.account_id from ledger_dvp_pending p) order by a.id for update;
  update ledger_accounts a set total = trim_scale(a.total + x.delta), held = trim_scale(a.held - x.released)
    from (select p.account_id, sum(p.delta) as delta, sum(p.released) as released from ledger_dvp_pending p group by p.account_id) x
   where a.id = x.account_id;
  delete from ledger_dvp_pending;
  return null;
end $$`;

/** What this migration changed in DVP_BATCH_OPEN, as [now, before]. */
const DVP_BATCH_OPEN_CHANGES: readonly (readonly [string, string])[] = [
  [
    `  -- What the transaction's batches move per account, kept until it commits; and one row per posted
  -- batch, whose deferred trigger applies that movement at the commit. Checked on their own: a
  -- session may have opened a batch before these existed.
  if to_regclass('pg_temp.ledger_dvp_pending') is null then
    create temp table ledger_dvp_pending (account_id bigint not null, delta numeric not null, released numeric not null) on commit delete rows;
    create temp table ledger_dvp_commit (posted boolean not null) on commit delete rows;
    create constraint trigger ledger_dvp_commit_balances after insert on ledger_dvp_commit
      deferrable initially deferred for each row execute function ledger_dvp_apply_balances();
  end if;
`,
    '',
  ],
];

const POST_DVP_BATCH = `
create or replace function ledger_post_dvp_batch(p_business_date date, p_created_by uuid, p_net_key text, p_net_description text, p_net_metadata jsonb)
-- No JIT (its compilation costs more than it saves here), and hash joins over the temporary tables,
-- which have no statistics (the planner would sort both sides for a merge join). The hash tables of
-- a batch of 25,000 need more than the default 4 MB of memory.
returns bigint language plpgsql set jit = off set enable_mergejoin = off set work_mem = '64MB' as $$
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
      values (p_net_key, encode(sha256(convert_to(${NET_PAYLOAD}, 'UTF8')), 'hex'), 'trade_settlement', p_net_description, p_business_date, p_created_by, p_net_metadata)
      returning id into net_entry;
    insert into ledger_postings (entry_id, account_id, asset, amount)
      select net_entry, m.id, m.asset, trim_scale(m.delta) from ledger_dvp_accounts m where m.delta <> 0
       order by m.party_id::text collate "C", m.asset collate "C";
  else
    -- Gross; also a net batch whose netting sets are all zero (an entry needs postings).
    insert into ledger_entries (id, idempotency_key, payload_hash, kind, description, business_date, created_by, metadata)
      select d.entry_id, d.entry_key, encode(sha256(convert_to(${GROSS_PAYLOAD}, 'UTF8')), 'hex'),
             'trade_settlement', d.description, p_business_date, p_created_by, d.metadata
        from ledger_dvp_batch d;
    insert into ledger_postings (entry_id, account_id, asset, amount)
      select l.entry_id, m.id, l.asset, trim_scale(l.amount) from (${LEGS}) l join ledger_dvp_accounts m on m.party_id = l.party_id and m.asset = l.asset;
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
end $$`;

/** The text of …_ledger_dvp_batch's legs and gross payload, which down() puts back. */
const PREVIOUS_LEGS = `
  select d.dvp_id, d.entry_id, l.party_id, l.asset, l.amount
    from ledger_dvp_batch d
    cross join lateral (values (d.seller_party_id, d.asset, -d.quantity),
                               (d.buyer_party_id, d.asset, d.quantity),
                               (d.buyer_party_id, 'USD', -d.amount),
                               (d.seller_party_id, 'USD', d.amount)) as l(party_id, asset, amount)
   where l.amount <> 0`;

const PREVIOUS_GROSS_PAYLOAD = `
  '{"kind":"trade_settlement","postings":[' ||
  concat_ws(',',
    '["party:' || d.seller_party_id || ':' || d.asset || '","' || trim_scale(-d.quantity) || '"]',
    '["party:' || d.buyer_party_id || ':' || d.asset || '","' || trim_scale(d.quantity) || '"]',
    case when d.amount <> 0 then '["party:' || d.buyer_party_id || ':USD","' || trim_scale(-d.amount) || '"]' end,
    case when d.amount <> 0 then '["party:' || d.seller_party_id || ':USD","' || trim_scale(d.amount) || '"]' end) ||
  '],"holds":[' ||
  concat_ws(',',
    case when d.seller_hold_use > 0 then '[' || to_json(d.seller_hold_reference)::text || ',"' || trim_scale(d.seller_hold_use) || '"]' end,
    case when d.buyer_hold_use > 0 then '[' || to_json(d.buyer_hold_reference)::text || ',"' || trim_scale(d.buyer_hold_use) || '"]' end) ||
  ']}'`;

/** What this migration changed in POST_DVP_BATCH, as [now, before]: down() puts the text of before back. */
const POST_DVP_BATCH_CHANGES: readonly (readonly [string, string])[] = [
  [
    `-- which have no statistics (the planner would sort both sides for a merge join). The hash tables of
-- a batch of 25,000 need more than the default 4 MB of memory.
returns bigint language plpgsql set jit = off set enable_mergejoin = off set work_mem = '64MB' as $$`,
    `-- which have no statistics (the planner would sort both sides for a merge join).
returns bigint language plpgsql set jit = off set enable_mergejoin = off as $$`,
  ],
  [
    `  -- The batch's movement per account, aggregated once (per kind of leg, then per account);
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
`,
    `  -- The batch's movement per account, aggregated once; accounts are created on first use.
  insert into ledger_dvp_accounts (party_id, asset, id, delta)
    select g.party_id, g.asset, a.id, g.delta
      from (select l.party_id, l.asset, sum(l.amount) as delta from (${PREVIOUS_LEGS}) l group by 1, 2) g
`,
  ],
  [
    `  -- In id order: the holds' index and pages are walked forward, not in the aggregate's hash order.
`,
    '',
  ],
  [`           from uses u group by u.hold_id order by u.hold_id),`, `           from uses u group by u.hold_id),`],
  [GROSS_PAYLOAD, PREVIOUS_GROSS_PAYLOAD],
  [LEGS, PREVIOUS_LEGS],
  [
    `  -- The balances: per moved account the sum of its legs and of the holds it releases, applied when
  -- the transaction commits (ledger_dvp_apply_balances), so the accounts are locked for the commit
  -- only, not while the caller finishes its transaction: batches side by side (a settlement run's
  -- chunks, which move the same accounts) wait for each other at most that long.
  insert into ledger_dvp_pending (account_id, delta, released)
    select coalesce(m.id, r.account_id), coalesce(m.delta, 0), coalesce(r.released, 0)
      from (select * from ledger_dvp_accounts where delta <> 0) m full join ledger_dvp_released r on r.account_id = m.id;
  insert into ledger_dvp_commit (posted) values (true);
`,
    `  -- Last, so concurrent batches overlap until here: lock the moved accounts in id order, then one
  -- update per account with the sum of its legs and of the holds it releases.
  perform 1 from ledger_accounts a
   where a.id in (select m.id from ledger_dvp_accounts m where m.delta <> 0 union select r.account_id from ledger_dvp_released r)
   order by a.id for update;
  update ledger_accounts a set total = trim_scale(a.total + x.delta), held = trim_scale(a.held - x.released)
    from (select coalesce(m.id, r.account_id) as id, coalesce(m.delta, 0) as delta, coalesce(r.released, 0) as released
            from (select * from ledger_dvp_accounts where delta <> 0) m full join ledger_dvp_released r on r.account_id = m.id) x
   where a.id = x.id;
`,
  ],
];

/** The text before this migration: each changed fragment of `text` (found exactly once) put back. */
function previous(name: string, text: string, changes: readonly (readonly [string, string])[]): string {
  for (const [now, before] of changes) {
    if (text.split(now).length !== 2) throw new Error(`${name}: a changed fragment is not found exactly once`);
    text = text.replace(now, () => before);
  }
  return text;
}

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite's extended protocol refuses several commands in one query.
  for (const statement of [
    `create index ledger_postings_account_id_index on ledger_postings (account_id)`,
    `drop index ledger_postings_account_id_id_index`,
    APPLY_BALANCES,
    DVP_BATCH_OPEN,
    POST_DVP_BATCH,
  ])
    await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of [
    previous('ledger_post_dvp_batch', POST_DVP_BATCH, POST_DVP_BATCH_CHANGES),
    previous('ledger_dvp_batch_open', DVP_BATCH_OPEN, DVP_BATCH_OPEN_CHANGES),
    // With the commit triggers of the sessions' temporary tables that call it (their pending tables
    // stay until those sessions end; the previous writer does not use them).
    'drop function ledger_dvp_apply_balances() cascade',
    // The previous text carries no work_mem: …_settlement_speed set it on the function afterwards.
    `alter function ledger_post_dvp_batch(date, uuid, text, text, jsonb) set work_mem = '64MB'`,
    `create index ledger_postings_account_id_id_index on ledger_postings (account_id, id)`,
    `drop index ledger_postings_account_id_index`,
  ])
    await knex.raw(statement);
}
