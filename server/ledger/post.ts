/**
 * Posting journal entries: with the database function `ledger_post_dvp_batch` (settlement's
 * set-based DVP writer, sql/ledger_post_dvp_batch.sql), the only code that
 * changes account totals. Both keep the same guarantees, which the database enforces too.
 *
 * Guarantees, for a batch of entries in the caller's transaction:
 * - every entry balances per asset (checked here, and by a statement trigger in Postgres);
 * - an idempotency key is posted at most once; a retry with the same payload is reported as
 *   `replayed`, a different payload under a used key is an IDEMPOTENCY_CONFLICT;
 * - holds named by an entry are consumed (HOLD_NOT_ACTIVE / HOLD_EXCEEDED otherwise);
 * - no party account ends below zero or below its held amount (checked here and by a CHECK);
 * - every write is one statement whatever the batch size: entries and postings are inserted from
 *   arrays (unnest), each touched account's balance is updated once, each consumed hold once —
 *   a settlement run posts thousands of entries per transaction, and a multi-row VALUES list of
 *   tens of thousands of bind parameters would cost more than the database work itself.
 * Never call it outside a transaction: a rejection throws and the caller's transaction rolls back.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type AccountRef, type EntryInput, type HoldConsumption, type PostedEntry, type SystemAccountCode } from './types.js';
import { LedgerRejection } from './errors.js';
import { accountKey, ensureAccounts, lockAccounts, writeAccountBalances, type LockedAccount } from './accounts.js';
import { payloadHash, validateEntry } from './validate.js';

export async function postEntries(trx: Knex.Transaction, entries: readonly EntryInput[]): Promise<PostedEntry[]> {
  if (entries.length === 0) return [];
  for (const entry of entries) validateEntry(entry);
  const hashes = entries.map(payloadHash);
  const keys = new Set<string>();
  for (const entry of entries) {
    if (keys.has(entry.idempotencyKey)) throw new Error(`idempotency key ${entry.idempotencyKey} appears twice in one batch`);
    keys.add(entry.idempotencyKey);
  }
  const inserted = await insertEntries(trx, entries, hashes);
  const replayed = await replayedEntries(trx, entries, hashes, inserted);
  const fresh = entries.filter((e) => inserted.has(e.idempotencyKey));
  if (fresh.length > 0) await applyFresh(trx, fresh, inserted);
  return entries.map((e) => ({
    id: inserted.get(e.idempotencyKey) ?? replayed.get(e.idempotencyKey) ?? '',
    idempotencyKey: e.idempotencyKey,
    kind: e.kind,
    businessDate: e.businessDate,
    replayed: !inserted.has(e.idempotencyKey),
  }));
}

async function applyFresh(trx: Knex.Transaction, fresh: readonly EntryInput[], entryIds: Map<string, string>): Promise<void> {
  const accounts = await lockAccountsByRef(
    trx,
    fresh.flatMap((e) => e.postings.map((p) => p.account)),
  );
  const consumed = await consumeHolds(
    trx,
    fresh.flatMap((e) => e.holdConsumptions ?? []),
  );
  const locked = new Map([...accounts.values()].map((a) => [a.id, a]));
  const holdAccounts = [...consumed.keys()].filter((id) => !locked.has(id));
  if (holdAccounts.length > 0) for (const [id, account] of await lockAccounts(trx, holdAccounts)) locked.set(id, account);
  for (const [accountId, amount] of consumed) {
    const account = locked.get(accountId);
    if (!account) throw new Error(`account ${accountId} of a consumed hold is not locked`);
    account.held = account.held.minus(amount);
  }
  for (const entry of fresh) {
    for (const posting of entry.postings) {
      const account = accounts.get(accountKey(posting.account));
      if (!account) throw new Error(`account ${accountKey(posting.account)} is not locked`);
      account.total = account.total.plus(posting.amount);
    }
  }
  assertNonNegative(locked.values());
  await writeAccountBalances(trx, locked.values());
  await insertPostings(trx, fresh, entryIds, accounts);
}

/**
 * Consumes holds in one statement: each named hold must be active with at least the amount left
 * (else HOLD_NOT_ACTIVE / HOLD_EXCEEDED and the caller rolls back). The UPDATE locks the holds
 * itself. Returns the amount consumed per account id, for the accounts' held amounts.
 */
async function consumeHolds(trx: Knex.Transaction, uses: readonly HoldConsumption[]): Promise<Map<string, Decimal>> {
  const perAccount = new Map<string, Decimal>();
  if (uses.length === 0) return perAccount;
  const total = new Map<string, Decimal>();
  for (const use of uses) total.set(use.holdReference, (total.get(use.holdReference) ?? new Decimal(0)).plus(use.amount));
  const references = [...total.keys()].sort();
  const result = await trx.raw(
    `update ledger_holds h set remaining = h.remaining - v.used,
            status = case when h.remaining = v.used then 'consumed' else h.status end,
            closed_at = case when h.remaining = v.used then now() else h.closed_at end
       from unnest(?::text[], ?::numeric[]) as v(reference, used)
      where h.reference = v.reference and h.status = 'active' and h.remaining >= v.used
      returning h.reference, h.account_id, v.used`,
    [references, references.map((r) => (total.get(r) as Decimal).toFixed())],
  );
  const rows = result.rows as { reference: string; account_id: string; used: string }[];
  if (rows.length !== references.length) await rejectHoldUses(trx, references, new Set(rows.map((r) => r.reference)), total);
  for (const row of rows) {
    const accountId = String(row.account_id);
    perAccount.set(accountId, (perAccount.get(accountId) ?? new Decimal(0)).plus(row.used));
  }
  return perAccount;
}

/** Names the first hold that could not be consumed, with the ledger's rejection code. */
async function rejectHoldUses(
  trx: Knex.Transaction,
  references: readonly string[],
  consumed: Set<string>,
  wanted: Map<string, Decimal>,
): Promise<never> {
  const missing = references.filter((r) => !consumed.has(r));
  const rows: { reference: string; remaining: string; status: string }[] = (
    await trx.raw('select reference, remaining, status from ledger_holds where reference = any(?::text[])', [missing])
  ).rows;
  const byReference = new Map(rows.map((r) => [r.reference, r]));
  for (const reference of missing) {
    const row = byReference.get(reference);
    if (!row || row.status !== 'active')
      throw new LedgerRejection('HOLD_NOT_ACTIVE', `hold ${reference} is not active`, { holdReference: reference });
    throw new LedgerRejection(
      'HOLD_EXCEEDED',
      `hold ${reference} has ${new Decimal(row.remaining).toFixed()} left, not ${(wanted.get(reference) as Decimal).toFixed()}`,
    );
  }
  throw new Error('hold consumption failed without a reason');
}

/**
 * Finds and locks (FOR UPDATE, ascending id) the accounts of the given refs in one statement;
 * creates the missing ones first only when there are any. Keyed by accountKey.
 */
async function lockAccountsByRef(trx: Knex.Transaction, refs: readonly AccountRef[]): Promise<Map<string, LockedAccount>> {
  const unique = new Map(refs.map((ref) => [accountKey(ref), ref]));
  let found = await selectForUpdate(trx, [...unique.values()]);
  if (found.size < unique.size) {
    await ensureAccounts(
      trx,
      [...unique.entries()].filter(([key]) => !found.has(key)).map(([, ref]) => ref),
    );
    found = await selectForUpdate(trx, [...unique.values()]);
  }
  if (found.size !== unique.size) throw new Error('ledger accounts were not created');
  return found;
}

async function selectForUpdate(trx: Knex.Transaction, refs: readonly AccountRef[]): Promise<Map<string, LockedAccount>> {
  const partyRefs = refs.filter((r): r is { partyId: string; asset: string } => 'partyId' in r);
  const systemRefs = refs.filter((r): r is { systemCode: SystemAccountCode; asset: string } => 'systemCode' in r);
  // One statement, two index-driven joins (an OR in the join condition would defeat both indexes).
  const result = await trx.raw(
    `select a.id, a.party_id, a.system_code, a.asset, a.total, a.held, a.credit_limit from ledger_accounts a
      where a.id in (select p.id from ledger_accounts p join unnest(?::uuid[], ?::text[]) as r(party_id, asset) on p.party_id = r.party_id and p.asset = r.asset
                     union all
                     select s.id from ledger_accounts s join unnest(?::text[], ?::text[]) as r(system_code, asset) on s.system_code = r.system_code and s.asset = r.asset)
      order by a.id for update of a`,
    [partyRefs.map((r) => r.partyId), partyRefs.map((r) => r.asset), systemRefs.map((r) => r.systemCode), systemRefs.map((r) => r.asset)],
  );
  const out = new Map<string, LockedAccount>();
  for (const row of result.rows as {
    id: string;
    party_id: string | null;
    system_code: string | null;
    asset: string;
    total: string;
    held: string;
    credit_limit: string;
  }[]) {
    const key =
      row.party_id !== null
        ? accountKey({ partyId: row.party_id, asset: row.asset })
        : accountKey({ systemCode: row.system_code as SystemAccountCode, asset: row.asset });
    out.set(key, {
      id: String(row.id),
      partyId: row.party_id,
      systemCode: row.system_code,
      asset: row.asset,
      total: new Decimal(row.total),
      held: new Decimal(row.held),
      credit: new Decimal(row.credit_limit),
    });
  }
  return out;
}

async function insertEntries(
  trx: Knex.Transaction,
  entries: readonly EntryInput[],
  hashes: readonly string[],
): Promise<Map<string, string>> {
  const result = await trx.raw(
    `insert into ledger_entries (idempotency_key, payload_hash, kind, description, business_date, created_by, metadata)
     select v.k, v.h, v.kind, v.d, v.bd, v.cb, v.m::jsonb
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::date[], ?::uuid[], ?::text[]) as v(k, h, kind, d, bd, cb, m)
      order by v.k
     on conflict (idempotency_key) do nothing
     returning id, idempotency_key`,
    [
      entries.map((e) => e.idempotencyKey),
      [...hashes],
      entries.map((e) => e.kind),
      entries.map((e) => e.description),
      entries.map((e) => e.businessDate),
      entries.map((e) => e.createdBy ?? null) as string[],
      entries.map((e) => JSON.stringify(e.metadata ?? {})),
    ],
  );
  return new Map((result.rows as { id: string; idempotency_key: string }[]).map((r) => [r.idempotency_key, String(r.id)]));
}

async function replayedEntries(
  trx: Knex.Transaction,
  entries: readonly EntryInput[],
  hashes: readonly string[],
  inserted: Map<string, string>,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const replays = entries.map((e, i) => ({ key: e.idempotencyKey, hash: hashes[i] })).filter((r) => !inserted.has(r.key));
  if (replays.length === 0) return ids;
  const result = await trx.raw('select id, idempotency_key, payload_hash from ledger_entries where idempotency_key = any(?::text[])', [
    replays.map((r) => r.key),
  ]);
  const byKey = new Map(
    (result.rows as { id: string; idempotency_key: string; payload_hash: string }[]).map((r) => [r.idempotency_key, r]),
  );
  for (const replay of replays) {
    const row = byKey.get(replay.key);
    if (!row || row.payload_hash !== replay.hash) {
      throw new LedgerRejection('IDEMPOTENCY_CONFLICT', `idempotency key ${replay.key} was already used for a different entry`, {
        idempotencyKey: replay.key,
      });
    }
    ids.set(replay.key, String(row.id));
  }
  return ids;
}

function assertNonNegative(accounts: Iterable<LockedAccount>): void {
  for (const account of accounts) {
    if (account.partyId === null) continue;
    // The credit line lets holds exceed the total (a dealer's buys); the total itself never goes below zero.
    if (account.total.isNegative() || account.total.plus(account.credit).lt(account.held) || account.held.isNegative()) {
      throw new LedgerRejection(
        account.asset === CASH_ASSET ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION',
        `party ${account.partyId} has too little ${account.asset} available`,
        {
          partyId: account.partyId,
          asset: account.asset,
          total: account.total.toFixed(),
          held: account.held.toFixed(),
        },
      );
    }
  }
}

async function insertPostings(
  trx: Knex.Transaction,
  entries: readonly EntryInput[],
  entryIds: Map<string, string>,
  accounts: Map<string, LockedAccount>,
): Promise<void> {
  const entryColumn: string[] = [];
  const accountColumn: string[] = [];
  const assetColumn: string[] = [];
  const amountColumn: string[] = [];
  for (const entry of entries) {
    const entryId = entryIds.get(entry.idempotencyKey) as string;
    for (const posting of entry.postings) {
      entryColumn.push(entryId);
      accountColumn.push((accounts.get(accountKey(posting.account)) as LockedAccount).id);
      assetColumn.push(posting.account.asset);
      amountColumn.push(posting.amount.toFixed());
    }
  }
  // One statement: the balance trigger checks every entry of the batch exactly once.
  await trx.raw(
    `insert into ledger_postings (entry_id, account_id, asset, amount)
     select * from unnest(?::bigint[], ?::bigint[], ?::text[], ?::numeric[])`,
    [entryColumn, accountColumn, assetColumn, amountColumn],
  );
}

export async function postEntry(trx: Knex.Transaction, entry: EntryInput): Promise<PostedEntry> {
  const [posted] = await postEntries(trx, [entry]);
  if (!posted) throw new Error('postEntries returned nothing for one entry');
  return posted;
}
