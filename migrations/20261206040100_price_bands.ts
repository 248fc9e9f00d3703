/**
 * Issue 15 item 7: each note's price band width (points either side of the reference price), set
 * by the operator; null means the default (server/risk/price-band.ts). The reference price itself
 * is not stored: it is derived from the trades table and the books.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notes', (t) => {
    t.decimal('price_band_points', 12, 6).nullable();
  });
  await knex.raw(
    'alter table notes add constraint notes_price_band_points_positive check (price_band_points is null or price_band_points > 0)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notes', (t) => {
    t.dropColumn('price_band_points');
  });
}
