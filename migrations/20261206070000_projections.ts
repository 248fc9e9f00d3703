/**
 * Cash-flow projection and pricing.
 *
 * - benchmark_curves: a par curve per name (e.g. UST) and business date, loaded by the operator;
 *   points as jsonb [{tenorYears, yieldPercent}] (decimal strings), validated in code.
 * - projection_scenarios: scenarios a user saved for a deal (the scenario as sent, jsonb).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('benchmark_curves', (t) => {
    t.text('name').notNullable();
    t.date('curve_date').notNullable();
    t.jsonb('points').notNullable();
    t.uuid('updated_by').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['name', 'curve_date']);
  });
  await knex.schema.createTable('projection_scenarios', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id');
    t.uuid('deal_id').notNullable().references('deals.id');
    t.text('name').notNullable();
    t.jsonb('scenario').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['user_id', 'deal_id', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('projection_scenarios');
  await knex.schema.dropTable('benchmark_curves');
}
