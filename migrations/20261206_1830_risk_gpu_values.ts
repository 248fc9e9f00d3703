/**
 * GPU value index per model (issue 18): the operator's dated series of a GPU model's value — a
 * USD value per unit (rental-implied or resale) or a dimensionless index level. A model's series
 * is all one kind. It marks each deal's GPU collateral (server/collateral/gpu-values.ts).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('gpu_value_points', (t) => {
    t.text('model').notNullable();
    t.date('date').notNullable();
    t.decimal('value_usd', null).nullable();
    t.decimal('index_value', null).nullable();
    t.uuid('loaded_by').nullable().references('users.id');
    t.timestamp('loaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['model', 'date']);
    t.check('(value_usd is null) <> (index_value is null)', [], 'gpu_value_points_one_value');
    t.check('value_usd is null or value_usd > 0', [], 'gpu_value_points_usd_positive');
    t.check('index_value is null or index_value > 0', [], 'gpu_value_points_index_positive');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('gpu_value_points');
}
