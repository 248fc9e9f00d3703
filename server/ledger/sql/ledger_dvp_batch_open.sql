-- ledger_dvp_batch_open: Opens (or empties) the session's temporary tables of a DVP batch: the batch rows, the moved
-- accounts, the released holds, and the pending movement applied at commit by ledger_dvp_apply_balances.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_dvp_batch_open()
returns void language plpgsql
as $$
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
end $$;
