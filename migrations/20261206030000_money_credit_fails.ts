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
 * - The two settlement routines whose rule changes (their current text is in
 *   server/settlement/sql/, applied by the routine step after the migrations):
 *   `settlement_settle_chunk`: an instruction is covered only when the buyer's USD account has no
 *   credit in use (held <= total), since a hold that credit backs is no cash to pay with;
 *   `settlement_decide_uncovered`: the buyer pays only with cash it has (total, plus what the chunk's
 *   covered instructions pay it, less what they take from it), and may commit its unused credit.
 *   With no credit line both reduce to the previous rule (held <= total implies the cash is there).
 */
import type { Knex } from 'knex';

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
  ])
    await knex.raw(statement);
}

export async function down(): Promise<void> {
  throw new Error('20261206030000_money_credit_fails cannot be undone: restore a backup');
}
