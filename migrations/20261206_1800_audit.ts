/**
 * Issue 19 (back office): the audit trail. One row per operator or back-office action — who
 * (username, user id, the role that allowed it), what (a closed set of action names), on what
 * (an entity reference such as `note:<id>`), when, and the action's figures as jsonb — appended by
 * the action's own transaction (server/audit/index.ts), so a refused or rolled-back action leaves
 * no row and a committed one always has its row.
 *
 * Append-only: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE
 * (function audit_log_append_only, server/audit/sql/, created here once from that file's text and
 * kept current by the routine step).
 *
 * Settlement-run history with totals: each run also sums the cash (net amount) and face of what it
 * settled and failed (`settled_amount`, `settled_face`, `failed_amount`, `failed_face`), added per
 * chunk in the chunk's transaction (server/settlement/run.ts). Runs before this migration get their
 * settled sums from their instructions; which instructions an earlier run failed was not kept, so
 * their failed sums stay 0.
 */
import fs from 'node:fs';
import type { Knex } from 'knex';

const FUNCTION_FILE = new URL('../server/audit/sql/audit_log_append_only.sql', import.meta.url);

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table audit_log (
       id bigserial primary key,
       at timestamptz not null default now(),
       actor text not null,
       actor_user_id uuid null,
       role text not null,
       action text not null,
       entity text not null,
       details jsonb not null default '{}'::jsonb)`);
  await knex.raw('create index audit_log_at on audit_log (at desc, id desc)');
  await knex.raw('create index audit_log_actor on audit_log (actor, id desc)');
  await knex.raw('create index audit_log_action on audit_log (action, id desc)');
  await knex.raw(fs.readFileSync(FUNCTION_FILE, 'utf8'));
  await knex.raw(
    'create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_append_only()',
  );
  await knex.raw(
    'create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()',
  );
  await knex.raw(`alter table settlement_runs
       add column settled_amount numeric not null default 0,
       add column settled_face numeric not null default 0,
       add column failed_amount numeric not null default 0,
       add column failed_face numeric not null default 0`);
  await knex.raw(`update settlement_runs r set settled_amount = s.amount, settled_face = s.face
       from (select run_id, sum(net_amount) as amount, sum(quantity) as face from settlement_instructions
              where status = 'settled' and run_id is not null group by run_id) s
      where s.run_id = r.id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table settlement_runs drop column settled_amount, drop column settled_face,
       drop column failed_amount, drop column failed_face`);
  await knex.raw('drop table if exists audit_log');
  await knex.raw('drop function if exists audit_log_append_only()');
}
