/**
 * Parties (legal entities that trade or service: investors, dealers, the back office, the venue's
 * operators) and their users. A user acts for exactly one party.
 */
import type { Knex } from 'knex';
import { audited, type AuditActor } from '../audit/index.js';
import { Rejection } from '../core/rejections.js';
import { isUuid } from '../core/schemas.js';
import type { Role } from '../auth/roles.js';

export type PartyKind = 'investor' | 'dealer' | 'backoffice' | 'operator';

export interface Party {
  id: string;
  name: string;
  kind: PartyKind;
  eligible: boolean;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  partyId: string;
  roles: Role[];
  active: boolean;
}

interface PartyRow {
  id: string;
  name: string;
  kind: PartyKind;
  eligible: boolean;
  created_at: Date;
}

function toParty(row: PartyRow): Party {
  return { id: row.id, name: row.name, kind: row.kind, eligible: row.eligible, createdAt: new Date(row.created_at).toISOString() };
}

export async function listParties(db: Knex): Promise<Party[]> {
  const rows: PartyRow[] = await db('parties').orderBy('name').select('*');
  return rows.map(toParty);
}

export async function findParty(db: Knex | Knex.Transaction, id: string): Promise<Party | null> {
  if (!isUuid(id)) return null;
  const row: PartyRow | undefined = await db('parties').where({ id }).first();
  return row ? toParty(row) : null;
}

export async function getParty(db: Knex | Knex.Transaction, id: string): Promise<Party> {
  const party = await findParty(db, id);
  if (!party) throw new Rejection('PARTY_NOT_FOUND', `party ${id} does not exist`, { partyId: id });
  return party;
}

export async function createParty(
  db: Knex | Knex.Transaction,
  input: { name: string; kind: PartyKind; eligible: boolean },
  actor?: AuditActor,
): Promise<Party> {
  return audited(
    db,
    actor,
    async (db) => {
      const [row]: PartyRow[] = await db('parties').insert(input).onConflict('name').ignore().returning('*');
      if (!row) throw new Rejection('DUPLICATE_NAME', `a party named ${input.name} exists`, { name: input.name });
      return toParty(row);
    },
    (party) => ({
      action: 'party.create',
      entity: `party:${party.id}`,
      details: { name: party.name, kind: party.kind, eligible: party.eligible },
    }),
  );
}

export async function setPartyEligibility(db: Knex, id: string, eligible: boolean, actor?: AuditActor): Promise<Party> {
  const before = await getParty(db, id);
  return audited(
    db,
    actor,
    async (db) => {
      const [row]: PartyRow[] = await db('parties').where({ id }).update({ eligible }).returning('*');
      if (!row) throw new Rejection('PARTY_NOT_FOUND', `party ${id} does not exist`);
      return toParty(row);
    },
    (party) => ({
      action: 'party.eligibility',
      entity: `party:${party.id}`,
      details: { eligible: party.eligible, wasEligible: before.eligible },
    }),
  );
}

export async function findUserByUsername(db: Knex, username: string): Promise<UserRecord | null> {
  const row = await db('users').where({ username }).first();
  if (!row) return null;
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    partyId: row.party_id,
    roles: row.roles,
    active: row.active,
  };
}

export async function createUser(
  db: Knex | Knex.Transaction,
  input: { username: string; passwordHash: string; partyId: string; roles: Role[] },
): Promise<{ id: string }> {
  const [row] = await db('users')
    .insert({ username: input.username, password_hash: input.passwordHash, party_id: input.partyId, roles: input.roles })
    .onConflict('username')
    .ignore()
    .returning('id');
  if (!row) throw new Rejection('DUPLICATE_NAME', `a user named ${input.username} exists`, { username: input.username });
  return { id: row.id };
}
