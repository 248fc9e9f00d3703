/**
 * Parties' holder addresses on chain.
 *
 * A party that first needs an address (its first mint or transfer, inside the transaction that
 * writes that outbox row) gets a generated one: the last 20 bytes of
 * keccak256("compute-notes/party/<partyId>"), so the same party always gets the same address, and
 * nobody holds a key for it, which is fine: holders never sign anything (only the registrar and
 * the back office send transactions). In production the back office sets a party's own (or its
 * custodian's) address before the party's first movement on chain (`setPartyAddress`).
 *
 * Guarantees: a new address is always followed, in the same transaction, by an `allow_list`
 * outbox row, so it is allow-listed on chain before any row that moves notes to it (rows publish
 * in id order). Never changes the address of a party that already has movements in the outbox:
 * moving holdings to a new address is a recovery (`recoverAddress`), not a configuration change.
 */
import type { Knex } from 'knex';
import { getAddress, isAddress, keccak256, toUtf8Bytes, ZeroAddress } from 'ethers';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { getParty } from '../refdata/parties.js';
import { settlementRefFromKey } from '../../contracts/registry-client.js';

export interface PartyAddress {
  partyId: string;
  address: string;
  source: 'generated' | 'configured';
}

export function generatedAddress(partyId: string): string {
  return getAddress(`0x${keccak256(toUtf8Bytes(`compute-notes/party/${partyId.toLowerCase()}`)).slice(-40)}`);
}

function allowListKey(partyId: string, address: string): string {
  return `allow:${partyId}:${address.toLowerCase()}`;
}

/** Queues the allow-listing of a party's address (idempotent per party and address). */
export async function writeAllowListRow(trx: Knex.Transaction, partyId: string, address: string): Promise<void> {
  const key = allowListKey(partyId, address);
  await trx('registry_outbox')
    .insert({ settlement_ref: key, chain_ref: settlementRefFromKey(key), kind: 'allow_list', to_party_id: partyId, to_address: address })
    .onConflict('settlement_ref')
    .ignore();
}

/**
 * The addresses of these parties, generating (and queueing the allow-listing of) any that are
 * missing. Parties are handled in sorted order so two transactions never deadlock on them.
 */
export async function ensurePartyAddresses(trx: Knex.Transaction, partyIds: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(partyIds)].sort();
  const addresses = new Map<string, string>();
  if (wanted.length === 0) return addresses;
  const rows: { party_id: string; address: string }[] = await trx('party_chain_addresses')
    .whereIn('party_id', wanted)
    .select('party_id', 'address');
  for (const row of rows) addresses.set(row.party_id, row.address);
  for (const partyId of wanted) {
    if (addresses.has(partyId)) continue;
    const generated = generatedAddress(partyId);
    // A concurrent transaction may assign the same party first: then its address stands.
    const inserted = await trx('party_chain_addresses')
      .insert({ party_id: partyId, address: generated, source: 'generated' })
      .onConflict('party_id')
      .ignore()
      .returning('party_id');
    const address =
      inserted.length === 1
        ? generated
        : ((await trx('party_chain_addresses').where({ party_id: partyId }).first('address')) as { address: string }).address;
    await writeAllowListRow(trx, partyId, address);
    addresses.set(partyId, address);
  }
  return addresses;
}

/** Sets a party's address (back office); refused once the party has movements in the outbox. */
export async function setPartyAddress(knex: Knex, partyId: string, requested: string, actor?: AuditActor): Promise<PartyAddress> {
  if (!isAddress(requested) || getAddress(requested) === ZeroAddress) {
    throw new Rejection('INVALID_ARGUMENT', 'address must be a non-zero 20-byte hex address', { address: requested });
  }
  const address = getAddress(requested);
  const party = await getParty(knex, partyId);
  return inTransaction(knex, async (trx) => {
    await trx.raw('select party_id from party_chain_addresses where party_id = ? for update', [party.id]);
    const current: { address: string } | undefined = await trx('party_chain_addresses').where({ party_id: party.id }).first('address');
    if (current?.address === address) return { partyId: party.id, address, source: 'configured' as const };
    const moved = await trx('registry_outbox')
      .whereNot({ kind: 'allow_list' })
      .where((q) => q.where({ from_party_id: party.id }).orWhere({ to_party_id: party.id }))
      .first('id');
    if (moved) {
      throw new Rejection('WRONG_STATE', 'this party already has movements on chain; its holdings move to a new address only by recovery', {
        partyId: party.id,
      });
    }
    const taken: { party_id: string } | undefined = await trx('party_chain_addresses').where({ address }).first('party_id');
    if (taken) throw new Rejection('INVALID_ARGUMENT', 'this address belongs to another party', { address });
    await trx('party_chain_addresses')
      .insert({ party_id: party.id, address, source: 'configured' })
      .onConflict('party_id')
      .merge({ address, source: 'configured', updated_at: trx.fn.now() });
    await writeAllowListRow(trx, party.id, address);
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'registry.address_set',
        entity: `party:${party.id}`,
        details: { address, previousAddress: current?.address ?? null },
      });
    }
    return { partyId: party.id, address, source: 'configured' as const };
  });
}

export async function listPartyAddresses(knex: Knex): Promise<PartyAddress[]> {
  const rows: { party_id: string; address: string; source: 'generated' | 'configured' }[] = await knex('party_chain_addresses')
    .orderBy('party_id')
    .select('party_id', 'address', 'source');
  return rows.map((r) => ({ partyId: r.party_id, address: r.address, source: r.source }));
}
