/**
 * Request for quote: an investor asks chosen dealers (or all) for a firm price on a size; each
 * dealer may answer with a price valid for some seconds; the investor accepts one answer and a
 * trade results; every RFQ's outcome per dealer is kept for hit-ratio statistics.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rfqs', (t) => {
    t.uuid('id').primary();
    t.uuid('investor_party_id').notNullable().references('parties.id');
    t.uuid('note_id').notNullable().references('notes.id');
    t.text('side').notNullable();
    t.decimal('quantity', null).notNullable();
    t.specificType('dealer_party_ids', 'uuid[]').nullable();
    t.text('status').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.uuid('accepted_response_id').nullable();
    t.text('trade_id').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('closed_at', { useTz: true }).nullable();
    t.index(['investor_party_id', 'created_at']);
    t.index(['status', 'expires_at']);
    t.check(`side in ('buy','sell')`, [], 'rfqs_side_check');
    t.check(`status in ('open','done','expired','cancelled')`, [], 'rfqs_status_check');
  });
  await knex.schema.createTable('rfq_responses', (t) => {
    t.uuid('id').primary();
    t.uuid('rfq_id').notNullable().references('rfqs.id');
    t.uuid('dealer_party_id').notNullable().references('parties.id');
    t.decimal('price', null).notNullable();
    t.timestamp('valid_until', { useTz: true }).notNullable();
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['rfq_id']);
    t.check(`status in ('open','replaced','accepted','not_chosen','expired')`, [], 'rfq_responses_status_check');
  });
  // One row per (RFQ, addressed dealer) once the RFQ ends: FIX QuoteRespType-style outcomes.
  await knex.schema.createTable('rfq_outcomes', (t) => {
    t.uuid('rfq_id').notNullable().references('rfqs.id');
    t.uuid('dealer_party_id').notNullable().references('parties.id');
    t.text('outcome').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.primary(['rfq_id', 'dealer_party_id']);
    t.check(`outcome in ('done','covered','not_chosen','expired','no_response')`, [], 'rfq_outcomes_outcome_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rfq_outcomes');
  await knex.schema.dropTableIfExists('rfq_responses');
  await knex.schema.dropTableIfExists('rfqs');
}
