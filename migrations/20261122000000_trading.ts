/**
 * Trading schema: the sequencer's command journal (the log that rebuilds the books), orders with
 * their current state, trades with their full money breakdown (the input of settlement), and the
 * RFQ records.
 *
 * The sequencer writes all of a batch's rows in one transaction, so a committed journal entry,
 * its orders, trades and ledger holds are either all present or all absent.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sequencer_journal', (t) => {
    t.bigInteger('seq').primary();
    t.text('kind').notNullable();
    t.jsonb('command').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('orders', (t) => {
    t.uuid('id').primary();
    t.uuid('party_id').notNullable().references('parties.id');
    t.uuid('note_id').notNullable().references('notes.id');
    t.text('cl_ord_id').notNullable();
    t.text('request_hash').notNullable();
    t.text('source').notNullable().defaultTo('order');
    t.text('side').notNullable();
    t.text('type').notNullable();
    t.decimal('price', null).nullable();
    t.decimal('quantity', null).notNullable();
    t.text('time_in_force').notNullable();
    t.timestamp('expire_at', { useTz: true }).nullable();
    t.boolean('post_only').notNullable().defaultTo(false);
    t.text('stp_mode').notNullable();
    t.text('status').notNullable();
    t.decimal('filled_quantity', null).notNullable().defaultTo(0);
    t.decimal('leaves_quantity', null).notNullable();
    t.decimal('cancelled_quantity', null).notNullable().defaultTo(0);
    t.decimal('filled_notional', null).notNullable().defaultTo(0);
    t.text('reject_code').nullable();
    t.text('reject_reason').nullable();
    t.text('hold_reference').nullable();
    t.date('trade_date').notNullable();
    t.bigInteger('created_seq').notNullable();
    t.bigInteger('updated_seq').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['party_id', 'cl_ord_id']);
    t.index(['party_id', 'status']);
    t.index(['note_id', 'status']);
    t.check(`side in ('buy','sell')`, [], 'orders_side_check');
    t.check(`status in ('new','partially_filled','filled','cancelled','rejected','expired')`, [], 'orders_status_check');
    t.check("filled_quantity + leaves_quantity + cancelled_quantity = quantity or status = 'rejected'", [], 'orders_quantity_conservation');
  });

  await knex.schema.createTable('trades', (t) => {
    t.text('id').primary();
    t.uuid('note_id').notNullable().references('notes.id');
    t.decimal('price', null).notNullable();
    t.decimal('quantity', null).notNullable();
    t.decimal('factor', null).notNullable();
    t.decimal('principal', null).notNullable();
    t.decimal('accrued_interest', null).notNullable();
    t.decimal('net_amount', null).notNullable();
    t.uuid('buyer_party_id').notNullable().references('parties.id');
    t.uuid('seller_party_id').notNullable().references('parties.id');
    t.uuid('buy_order_id').nullable();
    t.uuid('sell_order_id').nullable();
    t.text('maker_side').notNullable();
    t.text('venue').notNullable();
    t.uuid('rfq_id').nullable();
    t.date('trade_date').notNullable();
    t.date('settlement_date').notNullable();
    t.text('buyer_hold_reference').notNullable();
    t.text('seller_hold_reference').notNullable();
    t.bigInteger('seq').notNullable();
    t.timestamp('executed_at', { useTz: true }).notNullable();
    t.index(['note_id', 'executed_at']);
    t.index(['buyer_party_id']);
    t.index(['seller_party_id']);
    t.index(['settlement_date']);
    t.check(`venue in ('clob','rfq')`, [], 'trades_venue_check');
    t.check('buyer_party_id <> seller_party_id', [], 'trades_no_self_trade');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trades');
  await knex.schema.dropTableIfExists('orders');
  await knex.schema.dropTableIfExists('sequencer_journal');
}
