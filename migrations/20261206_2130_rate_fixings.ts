/**
 * Stored rate fixings: the published value of a floating-rate index (e.g. SOFR) per date, set by an
 * operator or the back office, read by every distribution of a deal with a floating class (the
 * fixing in effect for the period: servicing/fixings.ts) and by projections of such classes.
 * A correction replaces the value; the audit trail keeps what it was.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_fixings', (t) => {
    t.text('index_name').notNullable();
    t.date('fixing_date').notNullable();
    t.specificType('rate_percent', 'numeric').notNullable();
    t.uuid('set_by').nullable().references('users.id');
    t.timestamp('set_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['index_name', 'fixing_date']);
  });
  await knex.raw("alter table rate_fixings add constraint rate_fixings_index_check check (index_name ~ '^[A-Z][A-Z0-9_-]{0,19}$')");
  await knex.raw('alter table rate_fixings add constraint rate_fixings_rate_check check (rate_percent >= -5 and rate_percent <= 100)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_fixings');
}
