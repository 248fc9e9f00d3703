/**
 * Issue 17: a dealer may answer an RFQ at a spread (bp over the benchmark curve); the price is
 * derived from it (projection/quote-spread.ts) and stored as the answer's price as before. The
 * spread it was entered at is kept next to it, so the investor sees both; null for answers given
 * as a price and for declines.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table rfq_responses add column spread_bp numeric null');
  await knex.raw('alter table rfq_responses add constraint rfq_responses_spread_check check (spread_bp is null or price is not null)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table rfq_responses drop constraint rfq_responses_spread_check');
  await knex.raw('alter table rfq_responses drop column spread_bp');
}
