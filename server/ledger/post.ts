/**
 * Posting journal entries: the only code that changes account totals.
 *
 * Guarantees, for a batch of entries in the caller's transaction:
 * - every entry balances per asset (checked here, and by a statement trigger in Postgres);
 * - an idempotency key is posted at most once; a retry with the same payload is reported as
 *   `replayed`, a different payload under a used key is an IDEMPOTENCY_CONFLICT;
 * - no party account ends below zero or below its held amount (checked here and by a CHECK);
 * - balances are updated once per account per batch, however many postings touch the account,
 *   which keeps a settlement run to a few statements per batch.
 * Never call it outside a transaction: a rejection throws and the caller's transaction rolls back.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type EntryInput, type PostedEntry } from './types.js';
import { LedgerRejection } from './errors.js';
import { accountKey, ensureAccounts, lockAccounts, writeAccountBalances, type LockedAccount } from './accounts.js';
import { payloadHash, validateEntry } from './validate.js';
import { loadActiveHolds, type HoldRow } from './holds.js';

export async function postEntries(trx: Knex.Transaction, entries: readonly EntryInput[]): Promise<PostedEntry[]> {
  if (entries.length === 0) return [];
  for (const entry of entries) validateEntry(entry);
  assertDistinctKeys(entries);

  const hashes = entries.map(payloadHash);
  const inserted = await insertEntryRows(trx, entries, hashes);
  const replayedIds = await rejectConflictingReplays(trx, entries, hashes, inserted);
  const fresh = entries.filter((e) => inserted.has(e.idempotencyKey));

  if (fresh.length > 0) {
    const accountIds = await ensureAccounts(trx, fresh.flatMap((e) => e.postings.map((p) => p.account)));
    const holds = await loadActiveHolds(trx, fresh.flatMap((e) => (e.holdConsumptions ?? []).map((h) => h.holdReference)));
    const locked = await lockAccounts(trx, [...accountIds.values(), ...[...holds.values()].map((h) => h.accountId)]);
    applyHoldConsumptions(fresh, holds, locked);
    applyPostings(fresh, accountIds, locked);
    assertNonNegative(locked.values());
    await writeAccountBalances(trx, locked.values());
    await writeHolds(trx, holds);
    await insertPostings(trx, fresh, inserted, accountIds);
  }

  return entries.map((e) => ({
    id: inserted.get(e.idempotencyKey) ?? replayedIds.get(e.idempotencyKey) ?? '',
    idempotencyKey: e.idempotencyKey,
    kind: e.kind,
    businessDate: e.businessDate,
    replayed: !inserted.has(e.idempotencyKey),
  }));
}

export async function postEntry(trx: Knex.Transaction, entry: EntryInput): Promise<PostedEntry> {
  const [posted] = await postEntries(trx, [entry]);
  if (!posted) throw new Error('postEntries returned nothing for one entry');
  return posted;
}

function assertDistinctKeys(entries: readonly EntryInput[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.idempotencyKey)) throw new Error(`idempotency key ${e.idempotencyKey} appears twice in one batch`);
    seen.add(e.idempotencyKey);
  }
}

/** Inserts the entry rows whose keys are new; returns key → new entry id for those. */
async function insertEntryRows(trx: Knex.Transaction, entries: readonly EntryInput[], hashes: readonly string[]): Promise<Map<string, string>> {
  const rows = entries.map((e, i) => ({
    idempotency_key: e.idempotencyKey,
    payload_hash: hashes[i],
    kind: e.kind,
    description: e.description,
    business_date: e.businessDate,
    created_by: e.createdBy ?? null,
    metadata: JSON.stringify(e.metadata ?? {}),
  }));
  // Sorted so that two batches sharing keys take the unique-index locks in the same order.
  rows.sort((a, b) => (a.idempotency_key < b.idempotency_key ? -1 : a.idempotency_key > b.idempotency_key ? 1 : 0));
  const returned: { id: string; idempotency_key: string }[] = await trx('ledger_entries')
    .insert(rows)
    .onConflict('idempotency_key')
    .ignore()
    .returning(['id', 'idempotency_key']);
  return new Map(returned.map((r) => [r.idempotency_key, String(r.id)]));
}

/** Checks that each already-posted key was posted with the same payload; returns key → existing entry id. */
async function rejectConflictingReplays(
  trx: Knex.Transaction,
  entries: readonly EntryInput[],
  hashes: readonly string[],
  inserted: Map<string, string>,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const replayed = entries.map((e, i) => ({ key: e.idempotencyKey, hash: hashes[i] })).filter((e) => !inserted.has(e.key));
  if (replayed.length === 0) return ids;
  const existing: { idempotency_key: string; payload_hash: string; id: string }[] = await trx('ledger_entries')
    .whereIn('idempotency_key', replayed.map((r) => r.key))
    .select('idempotency_key', 'payload_hash', 'id');
  const byKey = new Map(existing.map((r) => [r.idempotency_key, r]));
  for (const r of replayed) {
    const row = byKey.get(r.key);
    if (!row || row.payload_hash !== r.hash) {
      throw new LedgerRejection('IDEMPOTENCY_CONFLICT', `idempotency key ${r.key} was already used for a different entry`, { idempotencyKey: r.key });
    }
    ids.set(r.key, String(row.id));
  }
  return ids;
}

function applyHoldConsumptions(entries: readonly EntryInput[], holds: Map<string, HoldRow>, locked: Map<string, LockedAccount>): void {
  for (const entry of entries) {
    for (const use of entry.holdConsumptions ?? []) {
      const hold = holds.get(use.holdReference);
      if (!hold) throw new LedgerRejection('HOLD_NOT_ACTIVE', `hold ${use.holdReference} is not active`, { holdReference: use.holdReference });
      if (use.amount.gt(hold.remaining)) {
        throw new LedgerRejection('HOLD_EXCEEDED', `hold ${use.holdReference} has ${hold.remaining.toFixed()} left, not ${use.amount.toFixed()}`);
      }
      const account = locked.get(hold.accountId);
      if (!account) throw new Error(`account ${hold.accountId} of hold ${hold.reference} is not locked`);
      hold.remaining = hold.remaining.minus(use.amount);
      hold.changed = true;
      account.held = account.held.minus(use.amount);
    }
  }
}

function applyPostings(entries: readonly EntryInput[], accountIds: Map<string, string>, locked: Map<string, LockedAccount>): void {
  for (const entry of entries) {
    for (const posting of entry.postings) {
      const account = locked.get(accountIds.get(accountKey(posting.account)) ?? '');
      if (!account) throw new Error(`account ${accountKey(posting.account)} is not locked`);
      account.total = account.total.plus(posting.amount);
    }
  }
}

function assertNonNegative(accounts: Iterable<LockedAccount>): void {
  for (const account of accounts) {
    if (account.partyId === null) continue;
    if (account.total.lt(account.held) || account.held.isNegative()) {
      const code = account.asset === CASH_ASSET ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION';
      throw new LedgerRejection(code, `party ${account.partyId} has too little ${account.asset} available`, {
        partyId: account.partyId,
        asset: account.asset,
        total: account.total.toFixed(),
        held: account.held.toFixed(),
      });
    }
  }
}

async function writeHolds(trx: Knex.Transaction, holds: Map<string, HoldRow>): Promise<void> {
  const changed = [...holds.values()].filter((h) => h.changed);
  if (changed.length === 0) return;
  await trx.raw(
    `update ledger_holds h set remaining = v.remaining,
            status = case when v.remaining = 0 then 'consumed' else h.status end,
            closed_at = case when v.remaining = 0 then now() else h.closed_at end
       from unnest(?::bigint[], ?::numeric[]) as v(id, remaining) where h.id = v.id`,
    [changed.map((h) => h.id), changed.map((h) => h.remaining.toFixed())],
  );
}

async function insertPostings(
  trx: Knex.Transaction,
  entries: readonly EntryInput[],
  entryIds: Map<string, string>,
  accountIds: Map<string, string>,
): Promise<void> {
  const rows = entries.flatMap((entry) =>
    entry.postings.map((p) => ({
      entry_id: entryIds.get(entry.idempotencyKey),
      account_id: accountIds.get(accountKey(p.account)),
      asset: p.account.asset,
      amount: p.amount.toFixed(),
    })),
  );
  // One statement for the whole batch: the balance trigger then checks every entry exactly once.
  await trx('ledger_postings').insert(rows);
}

