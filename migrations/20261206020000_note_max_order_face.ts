/**
 * A per-note maximum order face (issue 14): no order, quote or RFQ may ask for more face than this
 * in one go. Null means the default, the note's original face (an order for more than the whole
 * class cannot be meant). It bounds every quantity before it is converted to the engine's integer
 * units, so a 31-digit quantity is refused at the edge instead of overflowing in the sequencer.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table notes add column max_order_face numeric null check (max_order_face is null or max_order_face > 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table notes drop column max_order_face');
}
