/**
 * The third leg of reconciliation: the on-chain registry against the ledger. Nothing when the
 * outbox was never turned on. Otherwise:
 *   - registry_pending: an outbox row still pending after the grace period (the chain is down,
 *     the worker is off, or a key lacks its role: `message` carries the last error);
 *   - registry_failed: a row the contract refused (e.g. NotAllowListed), until a published
 *     forced transfer resolves it (a refused transfer carries that transfer as `repair`);
 * and, when this process is connected to the chain:
 *   - registry_balance_mismatch: per (holder, note), `balanceOf` on chain against the party's
 *     ledger position (original face) less the rows not on chain yet (pending, or failed and
 *     unresolved; those are listed above), so one missing movement is one break, not three;
 *     holders and notes seen only in chain events are expected to hold nothing; a
 *     party whose address recovery is not on chain yet is expected at its old address; a party
 *     short of a note is offered, as `repair`, a forced transfer from a party with too much of it;
 *   - registry_orphan_event: a balance-changing event whose settlement reference no outbox row has;
 *   - registry_unreachable: the registry is on but the chain could not be read.
 * Reads only; never sends a transaction.
 */
import type { Knex } from 'knex';
import type { Log } from 'ethers';
import { noteIdFromUuid, noteRegistryInterface } from '../../contracts/registry-client.js';
import type { Break } from './break.js';
import type { RegistryChain } from '../registry/chain.js';
import { isOutboxEnabled } from '../registry/outbox.js';
import { runningRegistry } from '../registry/service.js';
import { DEFAULT_TUNING, type RepairSuggestion } from '../registry/types.js';

const BREAKS_MAX = 500;
const BALANCE_BATCH = 200;
const LOG_BLOCK_RANGE = 5_000;
const MOVEMENT_EVENTS = new Set(['Minted', 'Burned', 'TransferRecorded', 'ForcedTransfer', 'AddressRecovered']);

function capped(kind: string, breaks: Break[]): Break[] {
  if (breaks.length <= BREAKS_MAX) return breaks;
  return [
    ...breaks.slice(0, BREAKS_MAX),
    {
      kind,
      entity: 'more',
      expected: '',
      actual: '',
      difference: '',
      message: `more than ${BREAKS_MAX} ${kind} breaks; the first ${BREAKS_MAX} are listed`,
    },
  ];
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
    `select o.id, o.settlement_ref, o.kind, o.amount, o.last_error, o.note_id, o.from_party_id, o.to_party_id from registry_outbox o
      where o.status = 'failed_permanently' and ${UNPUBLISHED} order by o.id limit ${BREAKS_MAX + 1}`,
  );
  return [
    ...capped(
      'registry_pending',
      (pending.rows as Row[]).map((r) => ({
        kind: 'registry_pending',
        entity: `outbox:${r.id}`,
        expected: 'published',
        actual: 'pending',
        difference: r.amount ?? '',
        message: `${r.kind} ${r.settlement_ref} is not on chain yet (since ${new Date(r.created_at!).toISOString()}, ${r.attempts} attempts${r.last_error ? `, last error: ${r.last_error}` : ''})`,
      })),
    ),
    ...capped(
      'registry_failed',
      (failed.rows as Row[]).map((r) => {
        const repair = repeatedTransfer(r);
        return {
          kind: 'registry_failed',
          entity: `outbox:${r.id}`,
          expected: 'published',
          actual: 'failed_permanently',
          difference: r.amount ?? '',
          message: `the registry refused ${r.kind} ${r.settlement_ref}: ${r.last_error}; repair with a forced transfer that resolves outbox row ${r.id}`,
          ...(repair ? { repair } : {}),
        };
      }),
    ),
  ];
}

type Row = {
  id: string;
  settlement_ref: string;
  kind: string;
  amount: string | null;
  attempts?: number;
  last_error: string | null;
  created_at?: Date;
  note_id?: string | null;
  from_party_id?: string | null;
  to_party_id?: string | null;
};

/**
 * A refused transfer is repaired by the same movement as a forced transfer resolving it. Mints,
 * burns, allow-listings and recoveries are not movements between two parties, and a face that is
 * not whole units cannot go on chain at all: those get no suggestion.
 */
function repeatedTransfer(row: Row): RepairSuggestion | null {
  if (row.kind !== 'transfer' && row.kind !== 'forced_transfer') return null;
  if (!row.note_id || !row.from_party_id || !row.to_party_id || row.amount === null || !/^[1-9][0-9]*(\.0+)?$/.test(row.amount))
    return null;
  return {
    noteId: String(row.note_id),
    fromPartyId: String(row.from_party_id),
    toPartyId: String(row.to_party_id),
    amount: row.amount.replace(/\.0+$/, ''),
    resolvesOutboxId: String(row.id),
  };
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
                       select o.from_party_id, o.note_id::text, o.amount from registry_outbox o where o.kind in ('transfer','burn') and ${UNPUBLISHED}),
          recovering as (select distinct on (o.from_party_id) o.from_party_id as party_id, o.from_address from registry_outbox o
                          where o.kind = 'recover' and ${UNPUBLISHED} order by o.from_party_id, o.id)
     select e.party_id, e.note_id, e.amount, coalesce(r.from_address, c.address) as address
       from (select party_id, note_id, sum(amount) as amount from (select * from ledger union all select * from inflight) u group by 1, 2) e
       left join party_chain_addresses c on c.party_id = e.party_id
       left join recovering r on r.party_id = e.party_id`,
  );
  const holdings = new Map<string, Holding>();
  const unmapped: Break[] = [];
  for (const row of result.rows as { party_id: string; note_id: string; amount: string; address: string | null }[]) {
    const amount = /^-?[0-9]+(\.0+)?$/.test(row.amount) ? BigInt(row.amount.replace(/\.0+$/, '')) : null;
    if (amount === null || row.address === null) {
      if (row.amount !== '0' && !/^-?0+(\.0+)?$/.test(row.amount)) {
        unmapped.push({
          kind: 'registry_balance_mismatch',
          entity: `party:${row.party_id}:${row.note_id}`,
          expected: row.amount,
          actual: '0',
          difference: `-${row.amount}`,
          message:
            row.address === null
              ? `party ${row.party_id} holds ${row.amount} of note ${row.note_id} in the ledger but has no address on chain`
              : `a position of ${row.amount} is not whole face units`,
        });
      }
      continue;
    }
    const chainNoteId = noteIdFromUuid(row.note_id);
    holdings.set(`${row.address.toLowerCase()}:${chainNoteId}`, {
      partyId: row.party_id,
      address: row.address,
      noteUuid: row.note_id,
      chainNoteId,
      expected: amount,
    });
  }
  return { holdings, unmapped };
}

async function registryLogs(chain: RegistryChain, fromBlock: number): Promise<Log[]> {
  const latest = await chain.provider.getBlockNumber();
  const logs: Log[] = [];
  for (let from = fromBlock; from <= latest; from += LOG_BLOCK_RANGE) {
    logs.push(
      ...(await chain.provider.getLogs({ address: chain.address, fromBlock: from, toBlock: Math.min(latest, from + LOG_BLOCK_RANGE - 1) })),
    );
  }
  return logs;
}

/**
 * Who's who for holders seen only in chain events: each party's address (not of a party whose
 * recovery is still queued: its holdings are expected at the old address, which then names it)
 * and each note's chain id, so such a holding is reported as the party's and the note's.
 */
async function chainNames(db: Knex): Promise<{ partyOf: Map<string, string>; noteOf: Map<bigint, string> }> {
  const parties = await db.raw(
    `select c.party_id, c.address from party_chain_addresses c
      where not exists (select 1 from registry_outbox o where o.kind = 'recover' and o.from_party_id = c.party_id and ${UNPUBLISHED})`,
  );
  const notes: { id: string }[] = await db('notes').select('id');
  return {
    partyOf: new Map((parties.rows as { party_id: string; address: string }[]).map((r) => [r.address.toLowerCase(), String(r.party_id)])),
    noteOf: new Map(notes.map((n) => [noteIdFromUuid(String(n.id)), String(n.id)])),
  };
}

async function chainBreaks(db: Knex, chain: RegistryChain): Promise<Break[]> {
  const { holdings, unmapped } = await expectedHoldings(db);
  const { partyOf, noteOf } = await chainNames(db);
  const iface = noteRegistryInterface();
  const orphans: { log: Log; name: string; ref: string }[] = [];
  const refs = new Map<string, { log: Log; name: string }>();
  for (const log of await registryLogs(chain, chain.deployBlock)) {
    const parsed = iface.parseLog(log);
    if (!parsed || !MOVEMENT_EVENTS.has(parsed.name)) continue;
    refs.set(String(parsed.args.getValue('settlementRef')).toLowerCase(), { log, name: parsed.name });
    if (parsed.name === 'AddressRecovered') continue;
    const noteId = parsed.args.getValue('noteId') as bigint;
    const holders =
      parsed.name === 'Minted'
        ? [parsed.args.getValue('to')]
        : parsed.name === 'Burned'
          ? [parsed.args.getValue('from')]
          : [parsed.args.getValue('from'), parsed.args.getValue('to')];
    for (const holder of holders as string[]) {
      const key = `${holder.toLowerCase()}:${noteId}`;
      if (!holdings.has(key)) {
        holdings.set(key, {
          partyId: partyOf.get(holder.toLowerCase()) ?? null,
          address: holder,
          noteUuid: noteOf.get(noteId) ?? null,
          chainNoteId: noteId,
          expected: 0n,
        });
      }
    }
  }
  const known: { chain_ref: string }[] =
    refs.size === 0
      ? []
      : await db('registry_outbox')
          .whereIn('chain_ref', [...refs.keys()])
          .select('chain_ref');
  const knownRefs = new Set(known.map((k) => k.chain_ref.toLowerCase()));
  for (const [ref, event] of refs) if (!knownRefs.has(ref)) orphans.push({ ...event, ref });

  const differing: { holding: Holding; actual: bigint }[] = [];
  const list = [...holdings.values()];
  for (let start = 0; start < list.length; start += BALANCE_BATCH) {
    const slice = list.slice(start, start + BALANCE_BATCH);
    const balances = await chain.contract.balanceOfBatch(
      slice.map((h) => h.address),
      slice.map((h) => h.chainNoteId),
    );
    slice.forEach((holding, index) => {
      const actual = balances[index] ?? 0n;
      if (actual !== holding.expected) differing.push({ holding, actual });
    });
  }
  const repairs = pairedRepairs(differing);
  const mismatches: Break[] = [
    ...unmapped,
    ...differing.map(({ holding, actual }) => {
      const who = holding.partyId ? `party ${holding.partyId}` : `address ${holding.address} (no party)`;
      const what = holding.noteUuid ? `note ${holding.noteUuid}` : `chain note ${holding.chainNoteId}`;
      const repair = repairs.get(holding);
      return {
        kind: 'registry_balance_mismatch',
        entity:
          holding.partyId && holding.noteUuid
            ? `party:${holding.partyId}:${holding.noteUuid}`
            : `address:${holding.address}:${holding.chainNoteId}`,
        expected: holding.expected.toString(),
        actual: actual.toString(),
        difference: (actual - holding.expected).toString(),
        message: `${who} holds ${actual} of ${what} on chain; the ledger (less rows not on chain yet) says ${holding.expected}`,
        ...(repair ? { repair } : {}),
      };
    }),
  ];
  return [
    ...capped('registry_balance_mismatch', mismatches),
    ...capped(
      'registry_orphan_event',
      orphans.map(({ log, name, ref }) => ({
        kind: 'registry_orphan_event',
        entity: `tx:${log.transactionHash}:${log.index}`,
        expected: '0',
        actual: '1',
        difference: '1',
        message: `${name} in block ${log.blockNumber} carries settlement reference ${ref}, which no outbox row has`,
      })),
    ),
  ];
}

/**
 * For each party short of a note on chain, a forced transfer from a party that holds too much of
 * the same note (first come, first served, for the smaller of the two differences). Only
 * parties: an address no party owns cannot be named in a forced transfer, and a surplus with no
 * party short of the note is not something a transfer between parties repairs.
 */
function pairedRepairs(differing: readonly { holding: Holding; actual: bigint }[]): Map<Holding, RepairSuggestion> {
  const surplus = new Map<string, { holding: Holding; left: bigint }[]>();
  for (const { holding, actual } of differing) {
    if (holding.partyId === null || holding.noteUuid === null || actual <= holding.expected) continue;
    const list = surplus.get(holding.noteUuid) ?? [];
    list.push({ holding, left: actual - holding.expected });
    surplus.set(holding.noteUuid, list);
  }
  const repairs = new Map<Holding, RepairSuggestion>();
  for (const { holding, actual } of differing) {
    if (holding.partyId === null || holding.noteUuid === null || actual >= holding.expected) continue;
    const source = surplus.get(holding.noteUuid)?.find((s) => s.left > 0n);
    if (!source) continue;
    const shortBy = holding.expected - actual;
    const amount = shortBy < source.left ? shortBy : source.left;
    source.left -= amount;
    repairs.set(holding, {
      noteId: holding.noteUuid,
      fromPartyId: source.holding.partyId!,
      toPartyId: holding.partyId,
      amount: amount.toString(),
      resolvesOutboxId: null,
    });
  }
  return repairs;
}

export async function registryBreaks(db: Knex, now: Date): Promise<Break[]> {
  if (!(await isOutboxEnabled(db))) return [];
  const handle = runningRegistry(db);
  const breaks = await outboxBreaks(db, now, handle?.tuning.pendingBreakAfterSeconds ?? DEFAULT_TUNING.pendingBreakAfterSeconds);
  if (!handle) return breaks;
  const chain = handle.chain();
  if (!chain) {
    return [
      ...breaks,
      {
        kind: 'registry_unreachable',
        entity: `registry:${handle.mode}`,
        expected: 'connected',
        actual: 'not connected',
        difference: '',
        message: `the registry is not connected to its chain${handle.lastError() ? `: ${handle.lastError()}` : ''}; balances were not compared`,
      },
    ];
  }
  try {
    return [...breaks, ...(await chainBreaks(db, chain))];
  } catch (error) {
    return [
      ...breaks,
      {
        kind: 'registry_unreachable',
        entity: `registry:${chain.address}`,
        expected: 'readable',
        actual: 'unreadable',
        difference: '',
        message: `the chain could not be read: ${String((error as { shortMessage?: string; message?: string }).shortMessage ?? (error as Error).message).slice(0, 300)}; balances were not compared`,
      },
    ];
  }
}
