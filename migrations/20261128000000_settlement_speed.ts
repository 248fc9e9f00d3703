/**
 * Settlement speed, second pass (issue 5: at least 20,000 gross trades settled per second). What a
 * profile of the 100,000-trade bench showed (pg_stat_statements with nested statements,
 * auto_explain, pg_stat_user_tables), and what this migration changes; no rule changes:
 *
 * - Every chunk read and hashed all instructions twice: to claim its range of the run queue, and
 *   to mark its instructions settled (the planner knows nothing of the temporary tables, so a hash
 *   join over the whole table looked cheap). `settlement_settle_chunk` now bounds the claim by the
 *   same range on the instructions' primary key, and reaches the settled instructions and their
 *   queue rows by their ids (taking them out of the queue before the ledger locks the accounts).
 * - A party's accounts are updated once per chunk; with half of each page free, the versions of
 *   successive chunks (still visible to the chunk running beside) filled the pages, and four in
 *   ten updates moved the row to another page and wrote all three of its indexes. Accounts now
 *   leave four fifths of their page free (a few thousand accounts: a few megabytes), so the update
 *   stays heap-only. Applies to the pages written from now on (VACUUM FULL rewrites the others).
 * - The hash tables of a chunk (holds, accounts, the postings' transition table) spilled to
 *   temporary files at the default 4 MB of work_mem: the chunk and the ledger's batch writer run
 *   with 64 MB.
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

/** What this migration changed in SETTLE_CHUNK, as [now, before]: down() puts the text of before back. */
const SETTLE_CHUNK_CHANGES: readonly (readonly [string, string])[] = [
  [
    `-- that a hash join does in one pass. The hash tables of a chunk of 25,000 need more than the default
-- 4 MB of memory (they spilled to temporary files); the ledger's batch writer it calls inherits it.
language plpgsql set jit = off set enable_mergejoin = off set work_mem = '64MB' as $$`,
    `-- that a hash join does in one pass.
language plpgsql set jit = off set enable_mergejoin = off as $$`,
  ],
  [
    `  settled_ids bigint[];
`,
    '',
  ],
  [
    `            -- The same bounds on the instructions: a range of their primary key, not a scan of all of them.
            and i.id > p_after_id and (p_up_to is null or i.id <= p_up_to)
`,
    '',
  ],
  [
    `    -- The queue and the instructions are reached by these ids through their primary keys: the
    -- planner knows nothing of the temporary table, and would hash every instruction to join it.
    settled_ids := array(select d.dvp_id from ledger_dvp_batch d);
    -- Out of the queue before the ledger locks the accounts, which stay locked until the commit.
    delete from settlement_queue q where q.instruction_id = any (settled_ids);
`,
    '',
  ],
  [
    `     where i.id = d.dvp_id and i.id = any (settled_ids);`,
    `     where i.id = d.dvp_id;
    delete from settlement_queue q where q.instruction_id = any (array(select d.dvp_id from ledger_dvp_batch d));`,
  ],
];

function previousSettleChunk(): string {
  let text = SETTLE_CHUNK;
  for (const [now, before] of SETTLE_CHUNK_CHANGES) {
    if (text.split(now).length !== 2) throw new Error('settlement_settle_chunk: a changed fragment is not found exactly once');
    text = text.replace(now, () => before);
  }
  return text;
}

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite's extended protocol refuses several commands in one query.
  for (const statement of [
    `alter table ledger_accounts set (fillfactor = 20)`,
    `alter function ledger_post_dvp_batch(date, uuid, text, text, jsonb) set work_mem = '64MB'`,
    SETTLE_CHUNK,
  ])
    await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of [
    previousSettleChunk(),
    `alter function ledger_post_dvp_batch(date, uuid, text, text, jsonb) reset work_mem`,
    `alter table ledger_accounts set (fillfactor = 50)`,
  ])
    await knex.raw(statement);
}
