/**
 * Settlement, servicing and reconciliation schema.
 *
 * - settlement_instructions: one delivery-versus-payment instruction per trade (created by a
 *   trigger in the statement that inserts the trade), with its state, fail tracking and
 *   the ledger entry that settled it. Settled ⇔ an entry and a settled date are recorded.
 * - settlement_runs: each run (gross or net) with its progress, so a client can show a bar.
 * - deal_waterfalls: each deal's payment priorities as data (jsonb, validated in code).
 * - servicing_collections, deal_servicing_state, deal_class_state: what the trustee recorded and
 *   the deal's running balances (free cash, reserve, trapped cash, class balances, shortfalls).
 * - distributions, distribution_payments: one row per deal and payment date (its trustee report),
 *   and what each holder of record was paid.
 *
 * A retired class has factor 0, so the notes' factor check is widened from (0, 1] to [0, 1].
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await createSettlement(knex);
  await createServicing(knex);
  await knex.raw('alter table notes drop constraint notes_factor_check');
  await knex.raw('alter table notes add constraint notes_factor_check check (factor >= 0 and factor <= 1)');
}

async function createSettlement(knex: Knex): Promise<void> {
  await knex.schema.createTable('settlement_runs', (t) => {
    t.bigIncrements('id');
    t.date('run_date').notNullable();
    t.text('mode').notNullable();
    t.text('status').notNullable().defaultTo('running');
    t.integer('total').notNullable().defaultTo(0);
    t.integer('processed').notNullable().defaultTo(0);
    t.integer('settled').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.integer('instructions_created').notNullable().defaultTo(0);
    t.uuid('created_by').nullable();
    t.text('error').nullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.index(['run_date']);
    t.check(`mode in ('gross','net')`, [], 'settlement_runs_mode_check');
    t.check(`status in ('running','completed','failed')`, [], 'settlement_runs_status_check');
  });

  await knex.schema.createTable('settlement_instructions', (t) => {
    t.bigIncrements('id');
    t.text('trade_id').notNullable().unique().references('trades.id');
    t.uuid('note_id').notNullable().references('notes.id');
    t.uuid('buyer_party_id').notNullable().references('parties.id');
    t.uuid('seller_party_id').notNullable().references('parties.id');
    t.decimal('quantity', null).notNullable();
    t.decimal('net_amount', null).notNullable();
    t.text('buyer_hold_reference').nullable();
    t.text('seller_hold_reference').nullable();
    t.date('trade_date').notNullable();
    t.date('settlement_date').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.text('failed_side').nullable();
    t.date('fail_since').nullable();
    t.decimal('fail_charge', null).notNullable().defaultTo(0);
    t.integer('attempts').notNullable().defaultTo(0);
    t.date('last_attempt_date').nullable();
    t.date('settled_date').nullable();
    t.text('settlement_mode').nullable();
    t.bigInteger('entry_id').nullable().references('ledger_entries.id');
    t.bigInteger('run_id').nullable().references('settlement_runs.id');
    t.text('cancel_reason').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['buyer_party_id', 'settlement_date']);
    t.index(['seller_party_id', 'settlement_date']);
    t.index(['settlement_date']);
    t.check(`status in ('pending','settled','failed','cancelled')`, [], 'settlement_instructions_status_check');
    t.check(`failed_side is null or failed_side in ('buyer','seller','both')`, [], 'settlement_instructions_failed_side_check');
    t.check(`quantity > 0 and net_amount >= 0 and fail_charge >= 0`, [], 'settlement_instructions_amounts_check');
    t.check(`(status = 'settled') = (entry_id is not null and settled_date is not null)`, [], 'settlement_instructions_settled_check');
    t.check('buyer_party_id <> seller_party_id', [], 'settlement_instructions_two_sides');
  });
  // Settling changes only columns that no index covers, and leaves room on the page, so the
  // update is a heap-only (HOT) update: no index is written. That is most of a run's speed.
  await knex.raw('alter table settlement_instructions set (fillfactor = 45)');
  // The open instructions (pending or failed): what a run scans, in id order. A row leaves the
  // queue when its instruction settles or is cancelled.
  await knex.schema.createTable('settlement_queue', (t) => {
    t.bigInteger('instruction_id').primary();
  });
  // Every trade gets its DVP instruction in the statement that inserts it, whichever path wrote
  // the trade (order book, RFQ, the sequencer's one-statement group commit): a committed trade
  // never lacks an instruction, and trading code needs no call into settlement.
  for (const statement of INSTRUCTION_TRIGGER) await knex.raw(statement);
}

const INSTRUCTION_TRIGGER = [
  `create function settlement_instructions_for_trades() returns trigger language plpgsql as $$
   begin
     with created as (
       insert into settlement_instructions
         (trade_id, note_id, buyer_party_id, seller_party_id, quantity, net_amount, buyer_hold_reference, seller_hold_reference, trade_date, settlement_date)
       select id, note_id, buyer_party_id, seller_party_id, quantity, net_amount, buyer_hold_reference, seller_hold_reference, trade_date, settlement_date
         from new_trades order by seq, id
       on conflict (trade_id) do nothing
       returning id)
     insert into settlement_queue (instruction_id) select id from created;
     return null;
   end $$`,
  `create trigger trades_settlement_instructions after insert on trades
     referencing new table as new_trades for each statement execute function settlement_instructions_for_trades()`,
];

async function createServicing(knex: Knex): Promise<void> {
  await knex.schema.createTable('deal_waterfalls', (t) => {
    t.uuid('deal_id').primary().references('deals.id');
    t.jsonb('definition').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('servicing_collections', (t) => {
    t.bigIncrements('id');
    t.uuid('deal_id').notNullable().references('deals.id');
    t.text('reference').notNullable();
    t.date('payment_date').notNullable();
    t.date('period_start').notNullable();
    t.date('period_end').notNullable();
    t.decimal('revenue', null).notNullable();
    t.decimal('operating_costs', null).notNullable();
    t.decimal('utilization', null).notNullable();
    t.decimal('uptime', null).notNullable();
    t.decimal('power_cost', null).notNullable();
    t.bigInteger('entry_id').notNullable().references('ledger_entries.id');
    t.date('business_date').notNullable();
    t.uuid('recorded_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['deal_id', 'reference']);
    t.index(['deal_id', 'payment_date']);
    t.check('revenue >= 0 and operating_costs >= 0 and power_cost >= 0', [], 'servicing_collections_amounts_check');
    t.check('period_start <= period_end', [], 'servicing_collections_period_check');
  });

  // Cash of the deal inside the (shared) trust account: free + reserve + trapped.
  await knex.schema.createTable('deal_servicing_state', (t) => {
    t.uuid('deal_id').primary().references('deals.id');
    t.decimal('free_cash', null).notNullable().defaultTo(0);
    t.decimal('reserve_balance', null).notNullable().defaultTo(0);
    t.decimal('trapped_cash', null).notNullable().defaultTo(0);
    t.decimal('fee_shortfall', null).notNullable().defaultTo(0);
    t.date('last_payment_date').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(
      'free_cash >= 0 and reserve_balance >= 0 and trapped_cash >= 0 and fee_shortfall >= 0',
      [],
      'deal_servicing_state_non_negative',
    );
  });

  await knex.schema.createTable('deal_class_state', (t) => {
    t.uuid('note_id').primary().references('notes.id');
    t.uuid('deal_id').notNullable().references('deals.id');
    t.decimal('balance', null).notNullable();
    t.decimal('interest_shortfall', null).notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('balance >= 0 and interest_shortfall >= 0', [], 'deal_class_state_non_negative');
  });

  await knex.schema.createTable('distributions', (t) => {
    t.bigIncrements('id');
    t.uuid('deal_id').notNullable().references('deals.id');
    t.date('payment_date').notNullable();
    t.date('record_date').notNullable();
    t.date('business_date').notNullable();
    t.jsonb('report').notNullable();
    t.uuid('created_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['deal_id', 'payment_date']);
  });

  await knex.schema.createTable('distribution_payments', (t) => {
    t.bigIncrements('id');
    t.bigInteger('distribution_id').notNullable().references('distributions.id');
    t.uuid('deal_id').notNullable().references('deals.id');
    t.date('payment_date').notNullable();
    t.uuid('note_id').notNullable().references('notes.id');
    // Null: the holders outside the venue, paid through the paying agent (external cash).
    t.uuid('party_id').nullable().references('parties.id');
    t.decimal('face_of_record', null).notNullable();
    t.decimal('interest', null).notNullable();
    t.decimal('principal', null).notNullable();
    t.bigInteger('entry_id').notNullable().references('ledger_entries.id');
    t.index(['party_id', 'payment_date']);
    t.index(['distribution_id']);
    t.check('interest >= 0 and principal >= 0', [], 'distribution_payments_non_negative');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'distribution_payments',
    'distributions',
    'deal_class_state',
    'deal_servicing_state',
    'servicing_collections',
    'deal_waterfalls',
    'settlement_queue',
    'settlement_instructions',
    'settlement_runs',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop trigger if exists trades_settlement_instructions on trades');
  await knex.raw('drop function if exists settlement_instructions_for_trades()');
  await knex.raw('alter table notes drop constraint notes_factor_check');
  await knex.raw('alter table notes add constraint notes_factor_check check (factor > 0 and factor <= 1)');
}
