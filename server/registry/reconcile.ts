/**
 * The third leg of reconciliation: the on-chain registry against the ledger. Nothing when the
 * outbox was never turned on. Otherwise:
 *   - registry_pending: an outbox row still pending after the grace period (the chain is down,
 *     the worker is off, or a key lacks its role: `message` carries the last error);
 *   - registry_failed: a row the contract refused (e.g. NotAllowListed), until a published
 *     forced transfer resolves it;
 * and, when this process is connected to the chain:
 *   - registry_balance_mismatch: per (holder, note), `balanceOf` on chain against the party's
 *     ledger position (original face) less the rows not on chain yet (pending, or failed and
 *     unresolved; those are listed above), so one missing movement is one break, not three;
 *     holders and notes seen in chain events but unknown here are expected to hold nothing;
 *   - registry_orphan_event: a balance-changing event whose settlement reference no outbox row has;
 *   - registry_unreachable: the registry is on but the chain could not be read.
 * Reads only; never sends a transaction.
 */
import type { Knex } from 'knex';
import type { Log } from 'ethers';
import { noteIdFromUuid, noteRegistryInterface } from '../../contracts/registry-client.js';
import type { Break } from '../reconciliation/index.js';
import type { RegistryChain } from './chain.js';
import { isOutboxEnabled } from './outbox.js';
import { runningRegistry } from './service.js';
import { DEFAULT_TUNING } from './types.js';

const BREAKS_MAX = 500;
const BALANCE_BATCH = 200;
const LOG_BLOCK_RANGE = 5_000;
const MOVEMENT_EVENTS = new Set(['Minted', 'Burned', 'TransferRecorded', 'ForcedTransfer', 'AddressRecovered']);

function capped(kind: string, breaks: Break[]): Break[] {
  if (breaks.length <= BREAKS_MAX) return breaks;
  return [...breaks.slice(0, BREAKS_MAX), { kind, entity: 'more', expected: '', actual: '', difference: '', message: `more than ${BREAKS_MAX} ${kind} breaks; the first ${BREAKS_MAX} are listed` }];
}

const UNPUBLISHED = `(o.status = 'pending' or (o.status = 'failed_permanently'
  and not exists (select 1 from registry_outbox r where r.resolves_id = o.id and r.status = 'published')))`;

async function outboxBreaks(db: Knex, now: Date, graceSeconds: number): Promise<Break[]> {
  const pending = await db.raw(
    `select id, settlement_ref, kind, amount, attempts, last_error, created_at from registry_outbox
      where status = 'pending' and created_at < ?::timestamptz order by id limit ${BREAKS_MAX + 1}`,
    [new Date(now.getTime() - graceSeconds * 1000).toISOString()],
  );
  const failed = await db.raw(
    `select o.id, o.settlement_ref, o.kind, o.amount, o.last_error from registry_outbox o
      where o.status = 'failed_permanently' and ${UNPUBLISHED} order by o.id limit ${BREAKS_MAX + 1}`,
  );
  type Row = { id: string; settlement_ref: string; kind: string; amount: string | null; attempts?: number; last_error: string | null; created_at?: Date };
  return [
    ...capped('registry_pending', (pending.rows as Row[]).map((r) => ({
      kind: 'registry_pending', entity: `outbox:${r.id}`, expected: 'published', actual: 'pending', difference: r.amount ?? '',
      message: `${r.kind} ${r.settlement_ref} is not on chain yet (since ${new Date(r.created_at!).toISOString()}, ${r.attempts} attempts${r.last_error ? `, last error: ${r.last_error}` : ''})`,
    }))),
    ...capped('registry_failed', (failed.rows as Row[]).map((r) => ({
      kind: 'registry_failed', entity: `outbox:${r.id}`, expected: 'published', actual: 'failed_permanently', difference: r.amount ?? '',
      message: `the registry refused ${r.kind} ${r.settlement_ref}: ${r.last_error}; repair with a forced transfer that resolves outbox row ${r.id}`,
    }))),
  ];
}

interface Holding {
  partyId: string | null;
  address: string;
  noteUuid: string | null;
  chainNoteId: bigint;
  expected: bigint;
}

/** What each holder should hold on chain: ledger position less the rows not on chain yet. */
async function expectedHoldings(db: Knex): Promise<{ holdings: Map<string, Holding>; unmapped: Break[] }> {
  const result = await db.raw(
    `with ledger as (select party_id, asset as note_id, total as amount from ledger_accounts where party_id is not null and asset <> 'USD'),
          inflight as (select o.to_party_id as party_id, o.note_id::text as note_id, -o.amount as amount from registry_outbox o where o.kind in ('mint','transfer') and ${UNPUBLISHED}
                       union all
                       select o.from_party_id, o.note_id::text, o.amount from registry_outbox o where o.kind in ('transfer','burn') and ${UNPUBLISHED})
     select e.party_id, e.note_id, e.amount, c.address
       from (select party_id, note_id, sum(amount) as amount from (select * from ledger union all select * from inflight) u group by 1, 2) e
       left join party_chain_addresses c on c.party_id = e.party_id`,
  );
  const holdings = new Map<string, Holding>();
  const unmapped: Break[] = [];
  for (const row of result.rows as { party_id: string; note_id: string; amount: string; address: string | null }[]) {
    const amount = /^-?[0-9]+(\.0+)?$/.test(row.amount) ? BigInt(row.amount.replace(/\.0+$/, '')) : null;
    if (amount === null || row.address === null) {
      if (row.amount !== '0' && !/^-?0+(\.0+)?$/.test(row.amount)) {
        unmapped.push({ kind: 'registry_balance_mismatch', entity: `party:${row.party_id}:${row.note_id}`, expected: row.amount, actual: '0', difference: `-${row.amount}`,
          message: row.address === null ? `party ${row.party_id} holds ${row.amount} of note ${row.note_id} in the ledger but has no address on chain` : `a position of ${row.amount} is not whole face units` });
      }
      continue;
    }
    const chainNoteId = noteIdFromUuid(row.note_id);
    holdings.set(`${row.address.toLowerCase()}:${chainNoteId}`, { partyId: row.party_id, address: row.address, noteUuid: row.note_id, chainNoteId, expected: amount });
  }
  return { holdings, unmapped };
}

async function registryLogs(chain: RegistryChain, fromBlock: number): Promise<Log[]> {
  const latest = await chain.provider.getBlockNumber();
  const logs: Log[] = [];
  for (let from = fromBlock; from <= latest; from += LOG_BLOCK_RANGE) {
    logs.push(...(await chain.provider.getLogs({ address: chain.address, fromBlock: from, toBlock: Math.min(latest, from + LOG_BLOCK_RANGE - 1) })));
  }
  return logs;
}

async function chainBreaks(db: Knex, chain: RegistryChain): Promise<Break[]> {
  const { holdings, unmapped } = await expectedHoldings(db);
  const iface = noteRegistryInterface();
  const orphans: { log: Log; name: string; ref: string }[] = [];
  const refs = new Map<string, { log: Log; name: string }>();
  for (const log of await registryLogs(chain, chain.deployBlock)) {
    const parsed = iface.parseLog(log);
    if (!parsed || !MOVEMENT_EVENTS.has(parsed.name)) continue;
    refs.set(String(parsed.args.getValue('settlementRef')).toLowerCase(), { log, name: parsed.name });
    if (parsed.name === 'AddressRecovered') continue;
    const noteId = parsed.args.getValue('noteId') as bigint;
    const holders = parsed.name === 'Minted' ? [parsed.args.getValue('to')] : parsed.name === 'Burned' ? [parsed.args.getValue('from')] : [parsed.args.getValue('from'), parsed.args.getValue('to')];
    for (const holder of holders as string[]) {
      const key = `${holder.toLowerCase()}:${noteId}`;
      if (!holdings.has(key)) holdings.set(key, { partyId: null, address: holder, noteUuid: null, chainNoteId: noteId, expected: 0n });
    }
  }
  const known: { chain_ref: string }[] = refs.size === 0 ? [] : await db('registry_outbox').whereIn('chain_ref', [...refs.keys()]).select('chain_ref');
  const knownRefs = new Set(known.map((k) => k.chain_ref.toLowerCase()));
  for (const [ref, event] of refs) if (!knownRefs.has(ref)) orphans.push({ ...event, ref });

  const mismatches: Break[] = [...unmapped];
  const list = [...holdings.values()];
  for (let start = 0; start < list.length; start += BALANCE_BATCH) {
    const slice = list.slice(start, start + BALANCE_BATCH);
    const balances = await chain.contract.balanceOfBatch(slice.map((h) => h.address), slice.map((h) => h.chainNoteId));
    slice.forEach((holding, index) => {
      const actual = balances[index] ?? 0n;
      if (actual === holding.expected) return;
      const who = holding.partyId ? `party ${holding.partyId}` : `address ${holding.address} (no party)`;
      const what = holding.noteUuid ? `note ${holding.noteUuid}` : `chain note ${holding.chainNoteId}`;
      mismatches.push({
        kind: 'registry_balance_mismatch', entity: holding.partyId ? `party:${holding.partyId}:${holding.noteUuid}` : `address:${holding.address}:${holding.chainNoteId}`,
        expected: holding.expected.toString(), actual: actual.toString(), difference: (actual - holding.expected).toString(),
        message: `${who} holds ${actual} of ${what} on chain; the ledger (less rows not on chain yet) says ${holding.expected}`,
      });
    });
  }
  return [
    ...capped('registry_balance_mismatch', mismatches),
    ...capped('registry_orphan_event', orphans.map(({ log, name, ref }) => ({
      kind: 'registry_orphan_event', entity: `tx:${log.transactionHash}:${log.index}`, expected: '0', actual: '1', difference: '1',
      message: `${name} in block ${log.blockNumber} carries settlement reference ${ref}, which no outbox row has`,
    }))),
  ];
}

export async function registryBreaks(db: Knex, now: Date): Promise<Break[]> {
  if (!(await isOutboxEnabled(db))) return [];
  const handle = runningRegistry(db);
  const breaks = await outboxBreaks(db, now, handle?.tuning.pendingBreakAfterSeconds ?? DEFAULT_TUNING.pendingBreakAfterSeconds);
  if (!handle) return breaks;
  const chain = handle.chain();
  if (!chain) {
    return [...breaks, { kind: 'registry_unreachable', entity: `registry:${handle.mode}`, expected: 'connected', actual: 'not connected', difference: '',
      message: `the registry is not connected to its chain${handle.lastError() ? `: ${handle.lastError()}` : ''}; balances were not compared` }];
  }
  try {
    return [...breaks, ...(await chainBreaks(db, chain))];
  } catch (error) {
    return [...breaks, { kind: 'registry_unreachable', entity: `registry:${chain.address}`, expected: 'readable', actual: 'unreadable', difference: '',
      message: `the chain could not be read: ${String((error as { shortMessage?: string; message?: string }).shortMessage ?? (error as Error).message).slice(0, 300)}; balances were not compared` }];
  }
}
