/**
 * Waterfalls as ordered steps with triggers as data (issue 16, items 4–5).
 *
 * - deal_waterfalls: every stored version-1 (fixed-shape) definition is rewritten in the step form
 *   by the same conversion the API applies to a version-1 body (server/waterfall/v1.ts,
 *   `fromVersion1`, a fixed function of the v1 shape that gives identical amounts). Definitions
 *   already in the step form are left alone.
 * - deal_class_state: per class, the interest deferred (paid in kind) while a trigger defers it,
 *   and the post-ARD additional interest accrued and unpaid.
 * - deal_servicing_state: the triggers' state between payment dates (on/off, cure count, recent
 *   tests), by trigger name.
 *
 * Down drops the new columns only: the step-form definitions stay (the conversion cannot be
 * undone in general; the code before this migration cannot run them).
 */
import type { Knex } from 'knex';
import { fromVersion1, waterfallV1Schema } from '../server/waterfall/v1.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deal_class_state', (t) => {
    t.decimal('deferred_interest', null).notNullable().defaultTo(0);
    t.decimal('additional_interest_shortfall', null).notNullable().defaultTo(0);
    t.check('deferred_interest >= 0 and additional_interest_shortfall >= 0', [], 'deal_class_state_step_amounts_non_negative');
  });
  await knex.schema.alterTable('deal_servicing_state', (t) => {
    t.jsonb('trigger_state').notNullable().defaultTo('{}');
  });
  const rows: { deal_id: string; definition: unknown }[] = await knex('deal_waterfalls').select('deal_id', 'definition');
  for (const row of rows) {
    const definition = typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition;
    if ((definition as { version?: unknown }).version !== 1) continue;
    const v1 = waterfallV1Schema.parse(definition);
    await knex('deal_waterfalls')
      .where({ deal_id: row.deal_id })
      .update({ definition: JSON.stringify(fromVersion1(v1)), updated_at: knex.fn.now() });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deal_servicing_state', (t) => t.dropColumn('trigger_state'));
  await knex.schema.alterTable('deal_class_state', (t) => {
    t.dropChecks(['deal_class_state_step_amounts_non_negative']);
    t.dropColumns('deferred_interest', 'additional_interest_shortfall');
  });
}
