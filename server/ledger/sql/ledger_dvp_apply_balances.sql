-- ledger_dvp_apply_balances: At the commit of a transaction that posted DVP batches (a deferred constraint trigger on the
-- session's ledger_dvp_commit): locks the moved accounts in id order, then one update per account
-- with the sum of what the batches move. The accounts' checks (never negative, never more held
-- than owned) apply here: a batch that overdraws fails the commit.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_dvp_apply_balances()
returns trigger language plpgsql set jit = 'off' set work_mem = '64MB'
as $$
begin
  perform 1 from ledger_accounts a where a.id in (select p.account_id from ledger_dvp_pending p) order by a.id for update;
  update ledger_accounts a set total = trim_scale(a.total + x.delta), held = trim_scale(a.held - x.released)
    from (select p.account_id, sum(p.delta) as delta, sum(p.released) as released from ledger_dvp_pending p group by p.account_id) x
   where a.id = x.account_id;
  delete from ledger_dvp_pending;
  return null;
end $$;
