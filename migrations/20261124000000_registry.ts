/**
 * The on-chain registry's side of the database (server/registry):
 *
 * - registry_state: one row. Which chain and contract the outbox publishes to (mode, chain id,
 *   contract address, deployment block), whether settlement writes outbox rows (`outbox_enabled`,
 *   set by the first registry start and never cleared, so rows keep accumulating while the worker
 *   is off and drain when it returns), and the worker's lease (one worker per database).
 * - party_chain_addresses: each party's holder address on chain (addresses only: holders never
 *   sign, so no key is stored). Generated for the demo, set by the back office in production.
 * - registry_outbox: every change the chain must mirror, written in the transaction that moved
 *   the face in the ledger, published in id order by the worker. `settlement_ref` is the
 *   service's unique key (e.g. `settle:<instructionId>`), `chain_ref` its keccak256, the bytes32
 *   the contract accepts at most once. Amounts are original face in whole units (integers; a
 *   fractional face, which the register cannot record, is written as failed: a break).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registry_state', (t) => {
    t.smallint('id').primary();
    t.text('mode').notNullable().defaultTo('off');
    t.text('chain_id').nullable();
    t.text('contract_address').nullable();
    t.bigInteger('deploy_block').nullable();
    t.boolean('outbox_enabled').notNullable().defaultTo(false);
    t.text('worker_id').nullable();
    t.timestamp('worker_lease_until', { useTz: true }).nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('id = 1', [], 'registry_state_single_row');
    t.check(`mode in ('off','embedded','rpc')`, [], 'registry_state_mode_check');
  });
  await knex('registry_state').insert({ id: 1 });

  await knex.schema.createTable('party_chain_addresses', (t) => {
    t.uuid('party_id').primary().references('parties.id');
    t.text('address').notNullable().unique();
    t.text('source').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`source in ('generated','configured')`, [], 'party_chain_addresses_source_check');
    t.check(`address ~ '^0x[0-9a-fA-F]{40}$'`, [], 'party_chain_addresses_address_check');
  });

  await knex.schema.createTable('registry_outbox', (t) => {
    t.bigIncrements('id');
    t.text('settlement_ref').notNullable().unique();
    t.text('chain_ref').notNullable().unique();
    t.text('kind').notNullable();
    t.uuid('note_id').nullable().references('notes.id');
    t.uuid('from_party_id').nullable().references('parties.id');
    t.uuid('to_party_id').nullable().references('parties.id');
    t.text('from_address').nullable();
    t.text('to_address').nullable();
    t.decimal('amount', null).nullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('tx_hash').nullable();
    t.bigInteger('block_number').nullable();
    t.text('reason_code').nullable();
    t.text('reason').nullable();
    t.bigInteger('resolves_id').nullable().references('registry_outbox.id');
    t.uuid('created_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true }).nullable();
    t.index(['resolves_id']);
    t.index(['note_id', 'to_party_id']);
    t.check(`kind in ('mint','transfer','burn','allow_list','forced_transfer')`, [], 'registry_outbox_kind_check');
    t.check(`status in ('pending','published','failed_permanently','superseded')`, [], 'registry_outbox_status_check');
    t.check(
      `amount is null or (amount > 0 and (amount = trunc(amount) or status = 'failed_permanently'))`,
      [],
      'registry_outbox_amount_check',
    );
    t.check(
      `status <> 'published' or (tx_hash is not null and block_number is not null and published_at is not null)`,
      [],
      'registry_outbox_published_check',
    );
    t.check(
      `case kind
         when 'allow_list' then to_address is not null
         when 'mint' then note_id is not null and to_address is not null and amount is not null
         when 'burn' then note_id is not null and from_address is not null and amount is not null
         else note_id is not null and from_address is not null and to_address is not null and amount is not null and from_address <> to_address
       end`,
      [],
      'registry_outbox_shape_check',
    );
    t.check(`(kind = 'forced_transfer') = (reason_code is not null)`, [], 'registry_outbox_reason_check');
  });
  // The worker's queue: pending rows in id order.
  await knex.raw(`create index registry_outbox_pending on registry_outbox (id) where status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('registry_outbox');
  await knex.schema.dropTableIfExists('party_chain_addresses');
  await knex.schema.dropTableIfExists('registry_state');
}
