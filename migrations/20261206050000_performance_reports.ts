/**
 * Performance reports and collections by the deal's calendar (issues 16 and 15):
 * - performance_reports: one row per deal, month-end period and version. A restatement is a new
 *   version with who recorded it and why; no row is ever updated. Each version keeps the report as
 *   submitted, the deal figures it was measured against (note balance, debt service) and the
 *   metrics as published when it was stored.
 * - servicing_collections gain versions: a correction before the distribution is a new version
 *   (same reference) that supersedes the old one, whose ledger entry is reversed; both rows stay,
 *   with who and why. `report_ids` links a collection to the performance reports of its period.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('performance_reports', (t) => {
    t.bigIncrements('id');
    t.uuid('deal_id').notNullable().references('deals.id');
    t.date('period_end').notNullable();
    t.integer('version').notNullable();
    t.jsonb('report').notNullable();
    t.decimal('note_balance', null).notNullable();
    t.decimal('debt_service', null).notNullable();
    t.jsonb('metrics').notNullable();
    t.text('reason').nullable();
    t.uuid('recorded_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['deal_id', 'period_end', 'version']);
    t.check('version >= 1', [], 'performance_reports_version_check');
  });
  await knex.schema.alterTable('servicing_collections', (t) => {
    t.integer('version').notNullable().defaultTo(1);
    t.text('status').notNullable().defaultTo('active');
    t.bigInteger('supersedes_id').nullable().references('servicing_collections.id');
    t.bigInteger('reversal_entry_id').nullable().references('ledger_entries.id');
    t.text('reason').nullable();
    t.jsonb('report_ids').notNullable().defaultTo('[]');
  });
  await knex.raw('alter table servicing_collections drop constraint servicing_collections_deal_id_reference_unique');
  await knex.raw(
    'alter table servicing_collections add constraint servicing_collections_reference_version_unique unique (deal_id, reference, version)',
  );
  await knex.raw(
    `alter table servicing_collections add constraint servicing_collections_status_check check (status in ('active', 'superseded'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table servicing_collections drop constraint servicing_collections_status_check');
  await knex.raw('alter table servicing_collections drop constraint servicing_collections_reference_version_unique');
  await knex('servicing_collections').where('version', '>', 1).delete();
  await knex.raw(
    'alter table servicing_collections add constraint servicing_collections_deal_id_reference_unique unique (deal_id, reference)',
  );
  await knex.schema.alterTable('servicing_collections', (t) => {
    t.dropColumn('report_ids');
    t.dropColumn('reason');
    t.dropColumn('reversal_entry_id');
    t.dropColumn('supersedes_id');
    t.dropColumn('status');
    t.dropColumn('version');
  });
  await knex.schema.dropTable('performance_reports');
}
