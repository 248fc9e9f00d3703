/**
 * Finding, creating and locking ledger accounts.
 *
 * Guarantees: accounts are created on first use (idempotently, safe under concurrency), and a
 * transaction always locks the accounts it touches in ascending id order, in one statement, so two
 * concurrent entries on overlapping accounts wait for each other instead of deadlocking.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import type { AccountRef, SystemAccountCode } from './types.js';

export interface LockedAccount {
  id: string;
  partyId: string | null;
  systemCode: string | null;
  asset: string;
  total: Decimal;
  held: Decimal;
  /** The credit line of a USD account: holds may exceed the total by up to it (never the total go below zero). */
  credit: Decimal;
}

export function accountKey(ref: AccountRef): string {
  return 'partyId' in ref ? `party:${ref.partyId}:${ref.asset}` : `system:${ref.systemCode}:${ref.asset}`;
}

function keyOfRow(row: { party_id: string | null; system_code: string | null; asset: string }): string {
  return row.party_id !== null ? `party:${row.party_id}:${row.asset}` : `system:${row.system_code}:${row.asset}`;
}

function distinctRefs(refs: readonly AccountRef[]): AccountRef[] {
  const byKey = new Map<string, AccountRef>();
  for (const ref of refs) byKey.set(accountKey(ref), ref);
  return [...byKey.values()];
}

/** Creates any missing accounts and returns the id of every account, keyed by accountKey. */
export async function ensureAccounts(trx: Knex.Transaction | Knex, refs: readonly AccountRef[]): Promise<Map<string, string>> {
  const unique = distinctRefs(refs);
  const ids = new Map<string, string>();
  if (unique.length === 0) return ids;
  const rows = unique.map((ref) =>
    'partyId' in ref
      ? { party_id: ref.partyId, system_code: null, asset: ref.asset }
      : { party_id: null, system_code: ref.systemCode, asset: ref.asset },
  );
  // Sorted so that concurrent creators take the unique-index locks in the same order.
  rows.sort((a, b) => keyOfRow(a).localeCompare(keyOfRow(b)));
  await trx('ledger_accounts').insert(rows).onConflict().ignore();
  const found = await selectAccountIds(trx, unique);
  for (const row of found) ids.set(keyOfRow(row), row.id);
  for (const ref of unique) {
    if (!ids.has(accountKey(ref))) throw new Error(`ledger account ${accountKey(ref)} was not created`);
  }
  return ids;
}

async function selectAccountIds(
  trx: Knex.Transaction | Knex,
  refs: readonly AccountRef[],
): Promise<{ id: string; party_id: string | null; system_code: string | null; asset: string }[]> {
  const partyRefs = refs.filter((r): r is { partyId: string; asset: string } => 'partyId' in r);
  const systemRefs = refs.filter((r): r is { systemCode: SystemAccountCode; asset: string } => 'systemCode' in r);
  const out: { id: string; party_id: string | null; system_code: string | null; asset: string }[] = [];
  if (partyRefs.length > 0) {
    const result = await trx.raw(
      `select a.id, a.party_id, a.system_code, a.asset from ledger_accounts a
         join unnest(?::uuid[], ?::text[]) as r(party_id, asset) on a.party_id = r.party_id and a.asset = r.asset`,
      [partyRefs.map((r) => r.partyId), partyRefs.map((r) => r.asset)],
    );
    out.push(...result.rows);
  }
  if (systemRefs.length > 0) {
    const result = await trx.raw(
      `select a.id, a.party_id, a.system_code, a.asset from ledger_accounts a
         join unnest(?::text[], ?::text[]) as r(system_code, asset) on a.system_code = r.system_code and a.asset = r.asset`,
      [systemRefs.map((r) => r.systemCode), systemRefs.map((r) => r.asset)],
    );
    out.push(...result.rows);
  }
  return out;
}

/** Locks the given accounts FOR UPDATE in ascending id order and returns their current balances. */
export async function lockAccounts(trx: Knex.Transaction, accountIds: readonly string[]): Promise<Map<string, LockedAccount>> {
  const sorted = [...new Set(accountIds)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const locked = new Map<string, LockedAccount>();
  if (sorted.length === 0) return locked;
  const result = await trx.raw(
    `select id, party_id, system_code, asset, total, held, credit_limit from ledger_accounts
      where id = any(?::bigint[]) order by id for update`,
    [sorted],
  );
  for (const row of result.rows as {
    id: string;
    party_id: string | null;
    system_code: string | null;
    asset: string;
    total: string;
    held: string;
    credit_limit: string;
  }[]) {
    locked.set(row.id, {
      id: row.id,
      partyId: row.party_id,
      systemCode: row.system_code,
      asset: row.asset,
      total: new Decimal(row.total),
      held: new Decimal(row.held),
      credit: new Decimal(row.credit_limit),
    });
  }
  return locked;
}

/** Writes the new totals and held amounts of locked accounts in one statement. */
export async function writeAccountBalances(trx: Knex.Transaction, accounts: Iterable<LockedAccount>): Promise<void> {
  const list = [...accounts];
  if (list.length === 0) return;
  await trx.raw(
    `update ledger_accounts a set total = v.total, held = v.held
       from unnest(?::bigint[], ?::numeric[], ?::numeric[]) as v(id, total, held) where a.id = v.id`,
    [list.map((a) => a.id), list.map((a) => a.total.toFixed()), list.map((a) => a.held.toFixed())],
  );
}
