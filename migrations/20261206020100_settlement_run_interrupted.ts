/**
 * A settlement run can end `interrupted` (issue 14): the service stopped while it ran. At start,
 * a run still `running` is closed as `completed` when every instruction it counted was processed,
 * else `interrupted` with what it did (server/settlement/interrupted.ts).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table settlement_runs drop constraint settlement_runs_status_check');
  await knex.raw(
    `alter table settlement_runs add constraint settlement_runs_status_check check (status in ('running','completed','failed','interrupted'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`update settlement_runs set status = 'failed' where status = 'interrupted'`);
  await knex.raw('alter table settlement_runs drop constraint settlement_runs_status_check');
  await knex.raw(
    `alter table settlement_runs add constraint settlement_runs_status_check check (status in ('running','completed','failed'))`,
  );
}
