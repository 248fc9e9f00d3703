/**
 * Address recovery in the registry outbox (server/registry/recovery.ts): a `recover` row moves a
 * party's holdings on chain from its lost address to its new one through the contract's
 * `recoverAddress`, with a reason code like a forced transfer.
 *
 * - `note_ids`: the notes a recovery row moves (a JSON array of note UUIDs). The contract does not
 *   enumerate a holder's notes, so the row lists every note the party ever moved on chain; a note
 *   whose balance is already zero is skipped when the row is sent.
 * - The kind, shape and reason checks admit the new kind: a recovery has both addresses (different)
 *   and its notes, and always a reason code.
 */
import type { Knex } from 'knex';

const SHAPE_WITH_RECOVERY = `case kind
     when 'allow_list' then to_address is not null
     when 'mint' then note_id is not null and to_address is not null and amount is not null
     when 'burn' then note_id is not null and from_address is not null and amount is not null
     when 'recover' then note_ids is not null and from_address is not null and to_address is not null and from_address <> to_address
     else note_id is not null and from_address is not null and to_address is not null and amount is not null and from_address <> to_address
   end`;

const SHAPE_BEFORE = `case kind
     when 'allow_list' then to_address is not null
     when 'mint' then note_id is not null and to_address is not null and amount is not null
     when 'burn' then note_id is not null and from_address is not null and amount is not null
     else note_id is not null and from_address is not null and to_address is not null and amount is not null and from_address <> to_address
   end`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('registry_outbox', (t) => {
    t.jsonb('note_ids').nullable();
  });
  await knex.raw('alter table registry_outbox drop constraint registry_outbox_kind_check');
  await knex.raw(
    `alter table registry_outbox add constraint registry_outbox_kind_check check (kind in ('mint','transfer','burn','allow_list','forced_transfer','recover'))`,
  );
  await knex.raw('alter table registry_outbox drop constraint registry_outbox_shape_check');
  await knex.raw(`alter table registry_outbox add constraint registry_outbox_shape_check check (${SHAPE_WITH_RECOVERY})`);
  await knex.raw('alter table registry_outbox drop constraint registry_outbox_reason_check');
  await knex.raw(
    `alter table registry_outbox add constraint registry_outbox_reason_check check ((kind in ('forced_transfer','recover')) = (reason_code is not null))`,
  );
}

/** Fails while recovery rows exist: they are records of changes made on chain, not to be dropped silently. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table registry_outbox drop constraint registry_outbox_reason_check');
  await knex.raw(
    `alter table registry_outbox add constraint registry_outbox_reason_check check ((kind = 'forced_transfer') = (reason_code is not null))`,
  );
  await knex.raw('alter table registry_outbox drop constraint registry_outbox_shape_check');
  await knex.raw(`alter table registry_outbox add constraint registry_outbox_shape_check check (${SHAPE_BEFORE})`);
  await knex.raw('alter table registry_outbox drop constraint registry_outbox_kind_check');
  await knex.raw(
    `alter table registry_outbox add constraint registry_outbox_kind_check check (kind in ('mint','transfer','burn','allow_list','forced_transfer'))`,
  );
  await knex.schema.alterTable('registry_outbox', (t) => {
    t.dropColumn('note_ids');
  });
}
