/**
 * Address recovery (back office): a party lost the key of its holder address, or the key was
 * compromised, so its holdings on chain move to a new address, with a reason code.
 *
 * In one transaction: the party's address becomes the new one (every outbox row written after
 * this uses it), the new address is queued for allow-listing, and `recover` rows are queued that
 * call the contract's `recoverAddress` from the old address to the new one for every note the
 * party ever moved on chain (the contract does not enumerate a holder's notes; at most
 * MAX_BATCH_SIZE notes per row). Rows publish in id order, so every earlier movement of the party
 * lands on the old address first and the recovery then moves it; the contract also withdraws the
 * old address from the allow-list, so it can never receive again.
 *
 * Guarantees: serializes with settlement's outbox writes on registry_state (`for update` against
 * their `for key share`), so no settlement row written concurrently can carry the old address
 * behind the recovery. A refused request changes nothing. Never talks to the chain.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { getAddress, isAddress, ZeroAddress } from 'ethers';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { getParty } from '../refdata/parties.js';
import { settlementRefFromKey } from '../../contracts/registry-client.js';
import { writeAllowListRow } from './addresses.js';
import { BATCH_ROWS_MAX } from './worker.js';

export interface RecoveryInput {
  partyId: string;
  newAddress: string;
  reasonCode: string;
  reason: string | null;
}

export interface RecoveryResult {
  partyId: string;
  address: string;
  previousAddress: string;
  /** The queued `recover` rows, in publication order. */
  outboxIds: string[];
}

function validAddress(requested: string): string {
  if (!isAddress(requested) || getAddress(requested) === ZeroAddress) {
    throw new Rejection('INVALID_ARGUMENT', 'newAddress must be a non-zero 20-byte hex address', { newAddress: requested });
  }
  return getAddress(requested);
}

/** Refuses an address that belongs to another party, or that a recovery already abandoned (its key may be in the wrong hands). */
async function assertAddressFree(trx: Knex.Transaction, address: string): Promise<void> {
  const owner: { party_id: string } | undefined = await trx('party_chain_addresses').where({ address }).first('party_id');
  if (owner) throw new Rejection('INVALID_ARGUMENT', 'this address belongs to a party already', { newAddress: address });
  const abandoned = await trx('registry_outbox').where({ kind: 'recover', from_address: address }).first('id');
  if (abandoned)
    throw new Rejection('INVALID_ARGUMENT', 'holdings were recovered away from this address; it may never hold notes again', {
      newAddress: address,
    });
}

/** Every note the party ever moved on chain, whichever address it used then. */
async function notesMoved(trx: Knex.Transaction, partyId: string): Promise<string[]> {
  const rows: { note_id: string }[] = await trx('registry_outbox')
    .whereIn('kind', ['mint', 'burn', 'transfer', 'forced_transfer'])
    .whereNotNull('note_id')
    .where((q) => q.where({ from_party_id: partyId }).orWhere({ to_party_id: partyId }))
    .distinct('note_id')
    .orderBy('note_id');
  return rows.map((r) => String(r.note_id));
}

export async function recoverAddress(
  knex: Knex,
  input: RecoveryInput,
  createdBy: string | null,
  actor?: AuditActor,
): Promise<RecoveryResult> {
  const address = validAddress(input.newAddress);
  const party = await getParty(knex, input.partyId);
  return inTransaction(knex, async (trx) => {
    const state = await trx.raw('select outbox_enabled from registry_state where id = 1 for update');
    if ((state.rows as { outbox_enabled: boolean }[])[0]?.outbox_enabled !== true) {
      throw new Rejection('REGISTRY_NOT_ENABLED', 'the on-chain registry has never been started on this database');
    }
    const current = (await trx.raw('select address from party_chain_addresses where party_id = ? for update', [party.id])).rows as {
      address: string;
    }[];
    const previousAddress = current[0]?.address;
    if (previousAddress === undefined) {
      throw new Rejection(
        'WRONG_STATE',
        'this party has no address on chain yet: set one instead (PUT /api/v1/registry/parties/:id/address)',
        { partyId: party.id },
      );
    }
    if (previousAddress === address)
      throw new Rejection('WRONG_STATE', "this is already the party's address", { partyId: party.id, newAddress: address });
    await assertAddressFree(trx, address);
    const notes = await notesMoved(trx, party.id);
    if (notes.length === 0) {
      throw new Rejection(
        'WRONG_STATE',
        'this party has never held notes on chain, so there is nothing to recover: set its address instead',
        { partyId: party.id },
      );
    }
    await trx('party_chain_addresses').where({ party_id: party.id }).update({ address, source: 'configured', updated_at: trx.fn.now() });
    await writeAllowListRow(trx, party.id, address);
    const recovery = randomUUID();
    const rows = [];
    for (let start = 0, part = 1; start < notes.length; start += BATCH_ROWS_MAX, part++) {
      const key = `recover:${recovery}:${part}`;
      rows.push({
        settlement_ref: key,
        chain_ref: settlementRefFromKey(key),
        kind: 'recover',
        from_party_id: party.id,
        to_party_id: party.id,
        from_address: previousAddress,
        to_address: address,
        note_ids: JSON.stringify(notes.slice(start, start + BATCH_ROWS_MAX)),
        reason_code: input.reasonCode,
        reason: input.reason,
        created_by: createdBy,
      });
    }
    const inserted: { id: string }[] = await trx('registry_outbox').insert(rows).returning('id');
    const outboxIds = inserted.map((r) => String(r.id)).sort((a, b) => Number(a) - Number(b));
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'registry.recover',
        entity: `party:${party.id}`,
        details: {
          previousAddress,
          address,
          notes: notes.length,
          outboxIds,
          reasonCode: input.reasonCode,
          ...(input.reason ? { reason: input.reason } : {}),
        },
      });
    }
    return { partyId: party.id, address, previousAddress, outboxIds };
  });
}
