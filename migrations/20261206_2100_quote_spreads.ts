/**
 * A dealer quote side entered as a spread keeps its spread (bp over the benchmark curve) on the
 * quote order it rests as, so the side can be re-priced from it when the curve or the business date
 * moves (trading/spread-requote.ts); null for a side entered as a price and for every ordinary order.
 *
 * quote_reprices records each re-pricing of a spread quote and each pull of one that could no
 * longer be priced or was refused (with the rejection code as its reason); it is written in the
 * same transaction as the sequencer batch that replaced or pulled the quote.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table orders add column spread_bp numeric null');
  await knex.raw(
    "alter table orders add constraint orders_spread_check check (spread_bp is null or (source = 'quote' and price is not null))",
  );
  await knex.schema.createTable('quote_reprices', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('seq').notNullable();
    t.uuid('party_id').notNullable().references('parties.id');
    t.uuid('note_id').notNullable().references('notes.id');
    t.text('trigger').notNullable();
    t.text('outcome').notNullable();
    t.text('reason_code').nullable();
    t.text('reason').nullable();
    t.specificType('bid_spread_bp', 'numeric').nullable();
    t.specificType('ask_spread_bp', 'numeric').nullable();
    t.specificType('previous_bid_price', 'numeric').nullable();
    t.specificType('previous_ask_price', 'numeric').nullable();
    t.specificType('bid_price', 'numeric').nullable();
    t.specificType('ask_price', 'numeric').nullable();
    t.text('curve_name').nullable();
    t.date('curve_date').nullable();
    t.date('business_date').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['party_id', 'id']);
  });
  await knex.raw(
    "alter table quote_reprices add constraint quote_reprices_outcome_check check (outcome in ('repriced', 'pulled') and (outcome = 'pulled') = (reason_code is not null))",
  );
  await knex.raw(
    "alter table quote_reprices add constraint quote_reprices_trigger_check check (trigger in ('curve', 'business_date', 'start', 'resume'))",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('quote_reprices');
  await knex.raw('alter table orders drop constraint orders_spread_check');
  await knex.raw('alter table orders drop column spread_bp');
}
