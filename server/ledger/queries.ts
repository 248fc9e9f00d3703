/**
 * Read side of the ledger: balances of a party and journal entries with their postings.
 * Reads never lock; they see committed data only.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type Balance } from './types.js';

/** Cash is shown in cents, face in whole units unless it carries cents. */
export function formatLedgerAmount(asset: string, amount: Decimal | string): string {
  const value = typeof amount === 'string' ? new Decimal(amount) : amount;
  return asset === CASH_ASSET ? value.toFixed(2) : value.toFixed();
}

export async function partyBalances(db: Knex | Knex.Transaction, partyId: string): Promise<Balance[]> {
  return (await balancesOfParties(db, [partyId])).get(partyId) ?? [];
}

type AccountRow = { party_id: string; asset: string; total: string; held: string; credit_limit: string };

/**
 * The balances of several parties in one read (all parties with accounts when `partyIds` is
 * null), each list as partyBalances shows it; a party without accounts is absent from the map.
 */
export async function balancesOfParties(db: Knex | Knex.Transaction, partyIds: readonly string[] | null): Promise<Map<string, Balance[]>> {
  const rows: AccountRow[] = await db('ledger_accounts')
    .modify((q) => {
      if (partyIds) q.whereIn('party_id', [...partyIds]);
    })
    .orderBy('party_id')
    .orderByRaw(`case when asset = 'USD' then 0 else 1 end, asset`)
    .select('party_id', 'asset', 'total', 'held', 'credit_limit');
  const out = new Map<string, Balance[]>();
  for (const row of rows) {
    const list = out.get(row.party_id);
    if (list) list.push(balanceOf(row));
    else out.set(row.party_id, [balanceOf(row)]);
  }
  return out;
}

function balanceOf(row: AccountRow): Balance {
  const total = new Decimal(row.total);
  const held = new Decimal(row.held);
  const credit = new Decimal(row.credit_limit);
  const balance: Balance = {
    asset: row.asset,
    total: formatLedgerAmount(row.asset, total),
    held: formatLedgerAmount(row.asset, held),
    // Holds beyond the cash use the credit line: the cash itself has nothing left to give.
    available: formatLedgerAmount(row.asset, Decimal.max(0, total.minus(held))),
  };
  if (credit.isZero() && held.lte(total)) return balance;
  const used = Decimal.max(0, held.minus(total));
  return {
    ...balance,
    creditLine: credit.toFixed(2),
    creditUsed: used.toFixed(2),
    creditAvailable: Decimal.max(0, credit.minus(used)).toFixed(2),
  };
}

export interface EntryQuery {
  partyId?: string;
  asset?: string;
  /** Entries with an id below this one (for paging backwards). */
  beforeId?: string;
  limit: number;
}

export interface EntryView {
  id: string;
  idempotencyKey: string;
  kind: string;
  description: string;
  businessDate: string;
  createdAt: string;
  metadata: Record<string, unknown>;
  postings: { accountId: string; partyId: string | null; systemAccount: string | null; asset: string; amount: string }[];
}

/**
 * Entries newest first. Filtered by party, an entry shows only that party's postings: the other
 * side of a trade is not the viewer's business.
 */
export async function journalEntries(db: Knex | Knex.Transaction, query: EntryQuery): Promise<EntryView[]> {
  const entryIds = db('ledger_postings as p')
    .join('ledger_accounts as a', 'a.id', 'p.account_id')
    .modify((q) => {
      if (query.partyId) q.where('a.party_id', query.partyId);
      if (query.asset) q.where('p.asset', query.asset);
    })
    .distinct('p.entry_id');
  const entries: {
    id: string;
    idempotency_key: string;
    kind: string;
    description: string;
    business_date: string;
    created_at: Date;
    metadata: Record<string, unknown>;
  }[] = await db('ledger_entries')
    .whereIn('id', entryIds)
    .modify((q) => {
      if (query.beforeId) q.where('id', '<', query.beforeId);
    })
    .orderBy('id', 'desc')
    .limit(query.limit)
    .select('id', 'idempotency_key', 'kind', 'description', 'business_date', 'created_at', 'metadata');
  if (entries.length === 0) return [];
  const postings: {
    entry_id: string;
    account_id: string;
    party_id: string | null;
    system_code: string | null;
    asset: string;
    amount: string;
  }[] = await db('ledger_postings as p')
    .join('ledger_accounts as a', 'a.id', 'p.account_id')
    .whereIn(
      'p.entry_id',
      entries.map((e) => e.id),
    )
    .modify((q) => {
      if (query.partyId) q.where('a.party_id', query.partyId);
    })
    .orderBy('p.id')
    .select('p.entry_id', 'p.account_id', 'a.party_id', 'a.system_code', 'p.asset', 'p.amount');
  const byEntry = new Map<string, EntryView['postings']>();
  for (const p of postings) {
    const list = byEntry.get(String(p.entry_id)) ?? [];
    list.push({
      accountId: String(p.account_id),
      partyId: p.party_id,
      systemAccount: p.system_code,
      asset: p.asset,
      amount: formatLedgerAmount(p.asset, p.amount),
    });
    byEntry.set(String(p.entry_id), list);
  }
  return entries.map((e) => ({
    id: String(e.id),
    idempotencyKey: e.idempotency_key,
    kind: e.kind,
    description: e.description,
    businessDate: e.business_date,
    createdAt: new Date(e.created_at).toISOString(),
    metadata: e.metadata,
    postings: byEntry.get(String(e.id)) ?? [],
  }));
}

/** Sum of all postings per asset over the whole ledger; every value is zero when the books balance. */
export async function postingSumsByAsset(db: Knex | Knex.Transaction): Promise<Map<string, string>> {
  const rows: { asset: string; sum: string }[] = await db('ledger_postings').groupBy('asset').select('asset', db.raw('sum(amount) as sum'));
  return new Map(rows.map((r) => [r.asset, new Decimal(r.sum).toFixed()]));
}
