/**
 * Group commit in one round trip. A sequencer batch (journal, orders, trades, ledger holds) is
 * written by one call of `trading_commit_batch`, a single statement and so a single atomic unit,
 * instead of a dozen statements each waiting for the network. The ledger's part stays the
 * ledger's: `ledger_apply_hold_batch` is the only code here that touches ledger tables.
 *
 * The hold function keeps the ledger's rules: accounts are created on first use and locked in id
 * order; each account's `held` moves by exactly the sum of its holds' changes; a changed hold
 * must be active; the CHECK on ledger_accounts refuses any account holding more than it has.
 */
import type { Knex } from 'knex';

export const LEDGER_APPLY_HOLD_BATCH = `
create or replace function ledger_apply_hold_batch(opened jsonb, changed jsonb) returns void language plpgsql as $$
declare
  inactive int;
begin
  insert into ledger_accounts (party_id, asset)
    select distinct o.party_id, o.asset from jsonb_to_recordset(opened) as o(party_id uuid, asset text) order by 1, 2
    on conflict do nothing;

  perform 1 from ledger_accounts a where a.id in (
      select a2.id from jsonb_to_recordset(opened) as o(party_id uuid, asset text)
        join ledger_accounts a2 on a2.party_id = o.party_id and a2.asset = o.asset
      union
      select h.account_id from jsonb_to_recordset(changed) as c(reference text) join ledger_holds h on h.reference = c.reference)
    order by a.id for update;
  perform 1 from ledger_holds h where h.reference in (select c.reference from jsonb_to_recordset(changed) as c(reference text)) order by h.id for update;

  select count(*) into inactive from jsonb_to_recordset(changed) as c(reference text)
    left join ledger_holds h on h.reference = c.reference and h.status = 'active' where h.id is null;
  if inactive > 0 then
    raise exception 'a hold batch changes % holds that are not active', inactive using errcode = '55000';
  end if;

  update ledger_accounts a set held = a.held + d.delta
    from (select account_id, sum(delta) as delta from (
            select a2.id as account_id, o.remaining as delta from jsonb_to_recordset(opened) as o(party_id uuid, asset text, remaining numeric)
              join ledger_accounts a2 on a2.party_id = o.party_id and a2.asset = o.asset
            union all
            select h.account_id, c.remaining - h.remaining from jsonb_to_recordset(changed) as c(reference text, remaining numeric)
              join ledger_holds h on h.reference = c.reference) deltas
          group by account_id) d
    where a.id = d.account_id;

  update ledger_holds h set remaining = c.remaining, amount = greatest(h.amount, c.remaining),
         status = case when c.remaining = 0 then c.closed_as else 'active' end,
         closed_at = case when c.remaining = 0 then now() else null end
    from jsonb_to_recordset(changed) as c(reference text, remaining numeric, closed_as text) where h.reference = c.reference;

  insert into ledger_holds (account_id, reference, amount, remaining, status, closed_at)
    select a.id, o.reference, o.amount, o.remaining,
           case when o.remaining = 0 then o.closed_as else 'active' end, case when o.remaining = 0 then now() end
      from jsonb_to_recordset(opened) as o(party_id uuid, asset text, reference text, amount numeric, remaining numeric, closed_as text)
      join ledger_accounts a on a.party_id = o.party_id and a.asset = o.asset;
end $$`;

const TRADING_COMMIT_BATCH = `
create or replace function trading_commit_batch(journal jsonb, orders_in jsonb, trades_in jsonb, opened jsonb, changed jsonb) returns void language plpgsql as $$
begin
  insert into sequencer_journal (seq, kind, command)
    select (j->>'seq')::bigint, j->>'kind', j from jsonb_array_elements(journal) j;
  insert into orders select * from jsonb_populate_recordset(null::orders, orders_in)
    on conflict (id) do update set price = excluded.price, quantity = excluded.quantity, status = excluded.status,
      filled_quantity = excluded.filled_quantity, leaves_quantity = excluded.leaves_quantity,
      cancelled_quantity = excluded.cancelled_quantity, filled_notional = excluded.filled_notional,
      hold_reference = excluded.hold_reference, updated_seq = excluded.updated_seq, updated_at = excluded.updated_at;
  insert into trades select * from jsonb_populate_recordset(null::trades, trades_in);
  perform ledger_apply_hold_batch(opened, changed);
end $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(LEDGER_APPLY_HOLD_BATCH);
  await knex.raw(TRADING_COMMIT_BATCH);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists trading_commit_batch(jsonb, jsonb, jsonb, jsonb, jsonb)');
  await knex.raw('drop function if exists ledger_apply_hold_batch(jsonb, jsonb)');
}
