/**
 * Set-based DVP posting (issue 5: settlement speed). A settlement chunk of thousands of trades is
 * written by `ledger_post_dvp_batch`, a handful of set-based statements, instead of per-row
 * work: one INSERT of entries, one of postings, one UPDATE of the consumed holds, and one UPDATE
 * per touched account carrying the chunk's aggregated movement (its locks taken last, in id
 * order, so two batches overlap until then).
 *
 * The function's input is the session's temporary table `ledger_dvp_batch` (opened and emptied by
 * `ledger_dvp_batch_open()`): one row per delivery-versus-payment exchange — the seller delivers
 * `quantity` of `asset` to the buyer against `amount` of USD, consuming the named holds. Gross
 * (no net key): one entry per row, with the row's key and four postings (zero cash legs left
 * out). Net (a net key): one entry for the batch with one posting per account and asset, the sum
 * of the gross legs, zero sums left out (all zero: booked gross instead). The payload hash is the
 * one server/ledger/validate.ts computes for the same entry (test/ledger/dvp-batch.test.ts).
 *
 * Invariants, all still enforced by the database whoever writes:
 * - every statement's postings sum to zero per entry and asset (statement trigger, as before);
 * - a posting names an existing entry and an existing account of its own asset: checked once per
 *   statement over the transition table, set-based, instead of two row-level foreign keys (whose
 *   per-row lookups and key-share locks cost more than the rest of a posting); accounts can no
 *   longer be deleted and no ledger table can be truncated, which the foreign keys ensured;
 * - a posting carries at most two decimals (CHECK, pairing validate.ts);
 * - party accounts never go negative nor hold more than they have (the existing CHECK);
 * - holds: consumed only while active, up to their remaining amount, released on the account
 *   they sit on (so `held` stays the sum of active holds whatever the caller passes).
 *
 * Indexes: holds lose (account_id, status), which no query uses, so consuming or changing a hold
 * is a heap-only update, and holds and accounts leave room on their pages for those updates;
 * postings are keyed (entry_id, id), which serves every lookup by entry, instead of (id) plus an
 * index on entry_id (nothing looks a posting up by id alone): two index insertions, not three.
 */
import type { Knex } from 'knex';

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
end $$`;

/** The legs of every row as (row, entry, party, asset, amount), zero cash legs left out. */
const LEGS = `
  select d.dvp_id, d.entry_id, l.party_id, l.asset, l.amount
    from ledger_dvp_batch d
    cross join lateral (values (d.seller_party_id, d.asset, -d.quantity),
                               (d.buyer_party_id, d.asset, d.quantity),
                               (d.buyer_party_id, 'USD', -d.amount),
                               (d.seller_party_id, 'USD', d.amount)) as l(party_id, asset, amount)
   where l.amount <> 0`;

/** The canonical payload of a gross row, as validate.ts's payloadHash serializes it. */
const GROSS_PAYLOAD = `
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

const POST_DVP_BATCH = `
create or replace function ledger_post_dvp_batch(p_business_date date, p_created_by uuid, p_net_key text, p_net_description text, p_net_metadata jsonb)
-- No JIT (its compilation costs more than it saves here), and hash joins over the temporary tables,
-- which have no statistics (the planner would sort both sides for a merge join).
returns bigint language plpgsql set jit = off set enable_mergejoin = off as $$
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

  -- The batch's movement per account, aggregated once; accounts are created on first use.
  insert into ledger_dvp_accounts (party_id, asset, id, delta)
    select g.party_id, g.asset, a.id, g.delta
      from (select l.party_id, l.asset, sum(l.amount) as delta from (${LEGS}) l group by 1, 2) g
      left join ledger_accounts a on a.party_id = g.party_id and a.asset = g.asset;
  if exists (select 1 from ledger_dvp_accounts m where m.id is null) then
    insert into ledger_accounts (party_id, asset)
      select m.party_id, m.asset from ledger_dvp_accounts m where m.id is null order by 1, 2
      on conflict do nothing;
    update ledger_dvp_accounts m set id = a.id from ledger_accounts a where m.id is null and a.party_id = m.party_id and a.asset = m.asset;
  end if;

  -- Holds: each consumed at most its remaining amount and only while active; what it releases is
  -- taken off the held amount of the account it sits on (the caller checked that it is the paying one).
  with uses as (
         select d.seller_hold_id as hold_id, d.seller_hold_reference as reference, d.seller_hold_use as used from ledger_dvp_batch d where d.seller_hold_use > 0
         union all
         select d.buyer_hold_id, d.buyer_hold_reference, d.buyer_hold_use from ledger_dvp_batch d where d.buyer_hold_use > 0),
       wanted as (
         select u.hold_id, min(u.reference) as reference, sum(u.used) as used, min(u.reference) = max(u.reference) as consistent
           from uses u group by u.hold_id),
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

  -- Last, so concurrent batches overlap until here: lock the moved accounts in id order, then one
  -- update per account with the sum of its legs and of the holds it releases.
  perform 1 from ledger_accounts a
   where a.id in (select m.id from ledger_dvp_accounts m where m.delta <> 0 union select r.account_id from ledger_dvp_released r)
   order by a.id for update;
  update ledger_accounts a set total = trim_scale(a.total + x.delta), held = trim_scale(a.held - x.released)
    from (select coalesce(m.id, r.account_id) as id, coalesce(m.delta, 0) as delta, coalesce(r.released, 0) as released
            from (select * from ledger_dvp_accounts where delta <> 0) m full join ledger_dvp_released r on r.account_id = m.id) x
   where a.id = x.id;
  return net_entry;
end $$`;

/** Replaces the balance check of the foundation: balance per entry and asset, plus the references the foreign keys checked. */
const POSTINGS_CHECK = `
create or replace function ledger_postings_balance_check() returns trigger language plpgsql as $$
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
end $$`;

const STATEMENTS = [
  `alter table ledger_postings drop constraint ledger_postings_entry_id_foreign`,
  `alter table ledger_postings drop constraint ledger_postings_account_id_foreign`,
  `alter table ledger_postings add constraint ledger_postings_cents check (amount = round(amount, 2))`,
  // Nothing looks a posting up by its id alone: keyed by (entry_id, id), the primary key also
  // serves every lookup by entry, and a posting costs two index insertions instead of three.
  `alter table ledger_postings drop constraint ledger_postings_pkey`,
  `alter table ledger_postings add constraint ledger_postings_pkey primary key (entry_id, id)`,
  `drop index ledger_postings_entry_id_index`,
  POSTINGS_CHECK,
  `create function ledger_accounts_permanent() returns trigger language plpgsql as $$
   begin
     raise exception 'ledger accounts are never deleted' using errcode = '55000';
   end $$`,
  `create trigger ledger_accounts_no_delete before delete on ledger_accounts for each row execute function ledger_accounts_permanent()`,
  `create trigger ledger_accounts_no_truncate before truncate on ledger_accounts for each statement execute function ledger_accounts_permanent()`,
  `create trigger ledger_entries_no_truncate before truncate on ledger_entries for each statement execute function ledger_append_only()`,
  `create trigger ledger_postings_no_truncate before truncate on ledger_postings for each statement execute function ledger_append_only()`,
  `drop index ledger_holds_account_id_status_index`,
  `alter table ledger_holds set (fillfactor = 45)`,
  `alter table ledger_accounts set (fillfactor = 50)`,
  DVP_BATCH_OPEN,
  POST_DVP_BATCH,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite's extended protocol refuses several commands in one query.
  for (const statement of STATEMENTS) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of [
    'drop function if exists ledger_post_dvp_batch(date, uuid, text, text, jsonb)',
    'drop function if exists ledger_dvp_batch_open()',
    'alter table ledger_accounts reset (fillfactor)',
    'alter table ledger_holds reset (fillfactor)',
    'create index ledger_holds_account_id_status_index on ledger_holds (account_id, status)',
    'drop trigger if exists ledger_postings_no_truncate on ledger_postings',
    'drop trigger if exists ledger_entries_no_truncate on ledger_entries',
    'drop trigger if exists ledger_accounts_no_truncate on ledger_accounts',
    'drop trigger if exists ledger_accounts_no_delete on ledger_accounts',
    'drop function if exists ledger_accounts_permanent()',
    'alter table ledger_postings drop constraint if exists ledger_postings_cents',
    'create index ledger_postings_entry_id_index on ledger_postings (entry_id)',
    'alter table ledger_postings drop constraint ledger_postings_pkey',
    'alter table ledger_postings add constraint ledger_postings_pkey primary key (id)',
    'alter table ledger_postings add constraint ledger_postings_entry_id_foreign foreign key (entry_id) references ledger_entries (id)',
    'alter table ledger_postings add constraint ledger_postings_account_id_foreign foreign key (account_id) references ledger_accounts (id)',
  ])
    await knex.raw(statement);
}
