/**
 * Foundation schema: reference data (parties, users, deals, notes), the system business date,
 * request idempotency, and the double-entry ledger (accounts, journal entries, postings, holds).
 *
 * Invariants enforced by the database as a second line behind the code:
 * - a party account never has a negative total or held amount, and never holds more than it has;
 * - every journal entry's postings sum to zero per asset (checked per INSERT statement, because
 *   the ledger writes all postings of a batch of entries in one statement);
 * - journal entries and postings are append-only (UPDATE and DELETE raise).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parties', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable().unique();
    t.text('kind').notNullable();
    t.boolean('eligible').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`kind in ('investor','dealer','backoffice','operator')`, [], 'parties_kind_check');
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('username').notNullable().unique();
    t.text('password_hash').notNullable();
    t.uuid('party_id').notNullable().references('parties.id');
    t.specificType('roles', 'text[]').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('deals', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable().unique();
    t.text('sponsor').notNullable();
    t.text('issuer').notNullable();
    t.text('deal_type').notNullable();
    t.date('closing_date').notNullable();
    t.text('site').notNullable();
    t.decimal('capacity_mw', null).notNullable();
    t.integer('gpu_count').notNullable();
    t.text('gpu_model').notNullable();
    t.text('lessee').notNullable();
    t.integer('lease_term_months').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('notes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('isin').notNullable().unique();
    t.uuid('deal_id').notNullable().references('deals.id');
    t.text('class_name').notNullable();
    t.text('name').notNullable();
    t.integer('seniority').notNullable();
    t.text('rating').notNullable();
    t.text('coupon_type').notNullable();
    t.decimal('coupon_rate', null).notNullable();
    t.text('day_count').notNullable();
    t.integer('frequency').notNullable();
    t.date('issue_date').notNullable();
    t.date('first_coupon_date').notNullable();
    t.date('maturity_date').notNullable();
    t.decimal('original_face', null).notNullable();
    t.decimal('factor', null).notNullable();
    t.text('currency').notNullable().defaultTo('USD');
    t.decimal('min_denomination', null).notNullable();
    t.decimal('increment', null).notNullable();
    t.decimal('tick_size', null).notNullable();
    t.integer('settlement_days').notNullable().defaultTo(1);
    t.text('trace_category').notNullable().defaultTo('ABS');
    t.decimal('dissemination_cap', null).notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['deal_id', 'class_name']);
    t.check(`status in ('active','halted')`, [], 'notes_status_check');
    t.check(`factor > 0 and factor <= 1`, [], 'notes_factor_check');
    t.check(`tick_size > 0 and increment > 0 and min_denomination > 0`, [], 'notes_sizes_check');
    t.check(`issue_date <= first_coupon_date and first_coupon_date <= maturity_date`, [], 'notes_dates_check');
  });

  // The trading day that trades are dated with. Exactly one row.
  await knex.schema.createTable('business_date', (t) => {
    t.integer('id').primary();
    t.date('business_date').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('id = 1', [], 'business_date_single_row');
  });
  await knex.schema.createTable('business_date_rolls', (t) => {
    t.bigIncrements('id');
    t.date('from_date').notNullable().unique();
    t.date('to_date').notNullable();
    t.uuid('rolled_by').nullable();
    t.timestamp('rolled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Stored responses for POSTs sent with an Idempotency-Key header.
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('scope').notNullable();
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('status_code').notNullable();
    t.jsonb('response_body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['scope', 'key']);
  });

  await createLedger(knex);
}

async function createLedger(knex: Knex): Promise<void> {
  await knex.schema.createTable('ledger_accounts', (t) => {
    t.bigIncrements('id');
    t.uuid('party_id').nullable().references('parties.id');
    t.text('system_code').nullable();
    t.text('asset').notNullable();
    t.decimal('total', null).notNullable().defaultTo(0);
    t.decimal('held', null).notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['party_id', 'asset']);
    t.unique(['system_code', 'asset']);
    t.check('(party_id is null) <> (system_code is null)', [], 'ledger_accounts_owner_check');
    // System accounts (issuance, the outside world's cash) are contra accounts and may go negative.
    t.check('system_code is not null or (total >= 0 and held >= 0 and held <= total)', [], 'ledger_accounts_non_negative');
  });

  await knex.schema.createTable('ledger_entries', (t) => {
    t.bigIncrements('id');
    t.text('idempotency_key').notNullable().unique();
    t.text('payload_hash').notNullable();
    t.text('kind').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.date('business_date').notNullable();
    t.uuid('created_by').nullable();
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('ledger_postings', (t) => {
    t.bigIncrements('id');
    t.bigInteger('entry_id').notNullable().references('ledger_entries.id');
    t.bigInteger('account_id').notNullable().references('ledger_accounts.id');
    t.text('asset').notNullable();
    t.decimal('amount', null).notNullable();
    t.check('amount <> 0', [], 'ledger_postings_non_zero');
    t.index(['account_id', 'id']);
    t.index(['entry_id']);
  });

  await knex.schema.createTable('ledger_holds', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('ledger_accounts.id');
    t.text('reference').notNullable().unique();
    t.decimal('amount', null).notNullable();
    t.decimal('remaining', null).notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true }).nullable();
    t.check(`status in ('active','consumed','released')`, [], 'ledger_holds_status_check');
    t.check('amount > 0 and remaining >= 0 and remaining <= amount', [], 'ledger_holds_amount_check');
    t.index(['account_id', 'status']);
  });

  // One statement per call: PGlite's extended protocol refuses several commands in one query.
  for (const statement of LEDGER_TRIGGERS) await knex.raw(statement);
}

const LEDGER_TRIGGERS = [
  `create function ledger_postings_balance_check() returns trigger language plpgsql as $$
   declare unbalanced record;
   begin
     select entry_id, asset, sum(amount) as total into unbalanced
       from new_postings group by entry_id, asset having sum(amount) <> 0 limit 1;
     if found then
       raise exception 'ledger entry % does not balance in %: %', unbalanced.entry_id, unbalanced.asset, unbalanced.total
         using errcode = '23514';
     end if;
     return null;
   end $$`,
  `create trigger ledger_postings_balance after insert on ledger_postings
     referencing new table as new_postings for each statement execute function ledger_postings_balance_check()`,
  `create function ledger_append_only() returns trigger language plpgsql as $$
   begin
     raise exception '% is append-only', tg_table_name using errcode = '55000';
   end $$`,
  `create trigger ledger_postings_append_only before update or delete on ledger_postings
     for each row execute function ledger_append_only()`,
  `create trigger ledger_entries_append_only before update or delete on ledger_entries
     for each row execute function ledger_append_only()`,
];

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'ledger_holds',
    'ledger_postings',
    'ledger_entries',
    'ledger_accounts',
    'idempotency_keys',
    'business_date_rolls',
    'business_date',
    'notes',
    'deals',
    'users',
    'parties',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop function if exists ledger_postings_balance_check()');
  await knex.raw('drop function if exists ledger_append_only()');
}
