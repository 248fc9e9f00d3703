/**
 * Writes the registry outbox: the list of changes the chain must mirror.
 *
 * - `recordSettlementOutbox`: called by the settlement run inside the transaction that moves the
 *   face, one `transfer` row per settled instruction (`settle:<instructionId>`, seller to buyer,
 *   the instruction's original face), in gross and in net mode alike: a net run books one ledger
 *   entry, but publishing its trades one by one in instruction order reaches the same balances
 *   and keeps one on-chain reference per settlement.
 * - `backfillOutbox`: at registry start, turns the outbox on and writes the rows the ledger has
 *   but the outbox lacks (the demo's opening positions are `issuance` entries: a positive party
 *   posting is a `mint`, a negative one a `burn`; settled instructions from before the registry
 *   was on), in ledger entry order, so every mint precedes the transfers that spend it.
 * - `recordForcedTransfer`: a back-office repair, with its reason, optionally resolving a failed row.
 *
 * Amounts on chain are original face in whole units. A principal paydown changes the note's
 * factor, not anyone's original face, so it writes nothing here; a fully retired class (factor 0)
 * stays on chain at its original face like it stays in the ledger (burning it would make the
 * register disagree with the ledger's positions).
 *
 * Guarantees: every row is written with `onConflict ignore` on its unique key, so writing the same
 * movement twice writes one row; settlement rows and the backfill serialize on registry_state (a
 * settlement chunk reads the flag `for key share`, the backfill locks it `for update`), so no
 * settled instruction is missed while the registry turns on. Never fails the settlement over the
 * registry: a face that is not a whole number of units is written as `failed_permanently` (a
 * break). Never talks to the chain; never writes outside a transaction it was given or opened.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { Decimal } from '../domain/decimal.js';
import { getNote } from '../refdata/notes.js';
import { getParty } from '../refdata/parties.js';
import { settlementRefFromKey } from '../../contracts/registry-client.js';
import { ensurePartyAddresses } from './addresses.js';
import type { OutboxKind } from './types.js';

const INSERT_CHUNK = 1_000;

/** What the run knows of a settled instruction (a subset of DueInstruction). */
export interface SettledInstruction {
  id: string;
  noteId: string;
  buyerPartyId: string;
  sellerPartyId: string;
  quantity: Decimal;
}

interface Movement {
  key: string;
  kind: Exclude<OutboxKind, 'allow_list' | 'forced_transfer'>;
  noteId: string;
  fromPartyId: string | null;
  toPartyId: string | null;
  amount: string;
}

export function settlementOutboxKey(instructionId: string): string {
  return `settle:${instructionId}`;
}

/** Face as the registry records it; null when it is not a positive whole number of units. */
function wholeUnits(amount: string): string | null {
  if (!/^[0-9]+(\.0+)?$/.test(amount) || /^0+(\.0+)?$/.test(amount)) return null;
  return amount.replace(/\.0+$/, '');
}

/**
 * Whether settlement writes outbox rows. Key-share-locks the flag until the caller's commit: the
 * backfill's `for update` waits for it, the worker's lease updates do not.
 */
export async function outboxEnabled(trx: Knex.Transaction): Promise<boolean> {
  const result = await trx.raw('select outbox_enabled from registry_state where id = 1 for key share');
  return (result.rows as { outbox_enabled: boolean }[])[0]?.outbox_enabled === true;
}

async function insertMovements(trx: Knex.Transaction, movements: readonly Movement[]): Promise<number> {
  if (movements.length === 0) return 0;
  const parties = movements.flatMap((m) => [m.fromPartyId, m.toPartyId]).filter((p): p is string => p !== null);
  const addresses = await ensurePartyAddresses(trx, parties);
  const addressOf = (partyId: string | null): string | null => (partyId === null ? null : (addresses.get(partyId) ?? null));
  let written = 0;
  for (let start = 0; start < movements.length; start += INSERT_CHUNK) {
    const rows = movements.slice(start, start + INSERT_CHUNK).map((m) => {
      const whole = wholeUnits(m.amount);
      return {
        settlement_ref: m.key,
        chain_ref: settlementRefFromKey(m.key),
        kind: m.kind,
        note_id: m.noteId,
        from_party_id: m.fromPartyId,
        to_party_id: m.toPartyId,
        from_address: addressOf(m.fromPartyId),
        to_address: addressOf(m.toPartyId),
        amount: whole ?? m.amount,
        // Never fail the settlement over the registry: a face the register cannot record is a break to repair.
        ...(whole === null
          ? {
              status: 'failed_permanently',
              last_error: `face ${m.amount} is not a whole number of units; the registry records whole units`,
            }
          : {}),
      };
    });
    const inserted = await trx('registry_outbox').insert(rows).onConflict('settlement_ref').ignore().returning('id');
    written += inserted.length;
  }
  return written;
}

/** The settlement run's hook: one transfer row per settled instruction, in the run's transaction. */
export async function recordSettlementOutbox(trx: Knex.Transaction, settled: readonly SettledInstruction[]): Promise<number> {
  if (settled.length === 0 || !(await outboxEnabled(trx))) return 0;
  const movements: Movement[] = settled
    .filter((i) => i.buyerPartyId !== i.sellerPartyId)
    .map((i) => ({
      key: settlementOutboxKey(i.id),
      kind: 'transfer',
      noteId: i.noteId,
      fromPartyId: i.sellerPartyId,
      toPartyId: i.buyerPartyId,
      amount: i.quantity.toFixed(),
    }));
  return insertMovements(trx, movements);
}

interface LedgerMovementRow {
  entry_id: string;
  seq: string;
  source: 'issuance' | 'settlement';
  key: string;
  note_id: string;
  party_id: string | null;
  counterparty_id: string | null;
  amount: string;
}

/**
 * Turns the outbox on and writes the rows the ledger has and the outbox lacks, in ledger order.
 * Idempotent: a second call writes nothing new. Returns the number of movement rows written
 * (allow-list rows for new addresses come on top).
 */
export async function backfillOutbox(knex: Knex): Promise<number> {
  return inTransaction(knex, async (trx) => {
    await trx.raw('select id from registry_state where id = 1 for update');
    await trx('registry_state').where({ id: 1 }).update({ outbox_enabled: true, updated_at: trx.fn.now() });
    const result = await trx.raw(
      `select * from (
         select e.id as entry_id, p.id as seq, 'issuance' as source, 'issue:' || e.id || ':' || a.party_id || ':' || a.asset as key,
                a.asset as note_id, a.party_id, null::uuid as counterparty_id, p.amount
           from ledger_postings p join ledger_entries e on e.id = p.entry_id join ledger_accounts a on a.id = p.account_id
          where e.kind = 'issuance' and a.party_id is not null and a.asset <> 'USD'
         union all
         select i.entry_id, i.id, 'settlement', 'settle:' || i.id, i.note_id::text, i.seller_party_id, i.buyer_party_id, i.quantity
           from settlement_instructions i
          where i.status = 'settled' and i.seller_party_id <> i.buyer_party_id
       ) m
       where not exists (select 1 from registry_outbox o where o.settlement_ref = m.key)
       order by m.entry_id, m.seq`,
    );
    const movements = (result.rows as LedgerMovementRow[]).map((row): Movement => {
      if (row.source === 'settlement') {
        return {
          key: row.key,
          kind: 'transfer',
          noteId: row.note_id,
          fromPartyId: row.party_id,
          toPartyId: row.counterparty_id,
          amount: row.amount,
        };
      }
      const negative = row.amount.startsWith('-');
      const amount = negative ? row.amount.slice(1) : row.amount;
      return negative
        ? { key: row.key, kind: 'burn', noteId: row.note_id, fromPartyId: row.party_id, toPartyId: null, amount }
        : { key: row.key, kind: 'mint', noteId: row.note_id, fromPartyId: null, toPartyId: row.party_id, amount };
    });
    return insertMovements(trx, movements);
  });
}

export async function isOutboxEnabled(db: Knex): Promise<boolean> {
  const row: { outbox_enabled: boolean } | undefined = await db('registry_state').where({ id: 1 }).first('outbox_enabled');
  return row?.outbox_enabled === true;
}

export interface ForcedTransferInput {
  noteId: string;
  fromPartyId: string;
  toPartyId: string;
  amount: string;
  reasonCode: string;
  reason: string | null;
  /** The failed row this repair stands in for: once the repair is published, that row is no longer a break. */
  resolvesOutboxId: string | null;
}

/** Queues a back-office forced transfer; the worker sends it with the back-office key. */
export async function recordForcedTransfer(
  knex: Knex,
  input: ForcedTransferInput,
  createdBy: string | null,
  actor?: AuditActor,
): Promise<string> {
  if (!(await isOutboxEnabled(knex)))
    throw new Rejection('REGISTRY_NOT_ENABLED', 'the on-chain registry has never been started on this database');
  const note = await getNote(knex, input.noteId);
  const from = await getParty(knex, input.fromPartyId);
  const to = await getParty(knex, input.toPartyId);
  if (from.id === to.id) throw new Rejection('INVALID_ARGUMENT', 'a forced transfer moves notes between two different parties');
  if (!/^[1-9][0-9]{0,29}$/.test(input.amount))
    throw new Rejection('INVALID_AMOUNT', 'amount must be a positive whole number of face units', { amount: input.amount });
  return inTransaction(knex, async (trx) => {
    // Key-share lock on the registry's state, as settlement takes it: an address recovery waits
    // for this transaction, so the addresses read below cannot be abandoned under it.
    await outboxEnabled(trx);
    if (input.resolvesOutboxId !== null) await assertResolvable(trx, input.resolvesOutboxId);
    const addresses = await ensurePartyAddresses(trx, [from.id, to.id]);
    const key = `repair:${randomUUID()}`;
    const [row] = await trx('registry_outbox')
      .insert({
        settlement_ref: key,
        chain_ref: settlementRefFromKey(key),
        kind: 'forced_transfer',
        note_id: note.id,
        from_party_id: from.id,
        to_party_id: to.id,
        from_address: addresses.get(from.id),
        to_address: addresses.get(to.id),
        amount: input.amount,
        reason_code: input.reasonCode,
        reason: input.reason,
        resolves_id: input.resolvesOutboxId,
        created_by: createdBy,
      })
      .returning('id');
    const id = String((row as { id: string }).id);
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'registry.forced_transfer',
        entity: `registry-outbox:${id}`,
        details: {
          noteId: note.id,
          fromPartyId: from.id,
          toPartyId: to.id,
          amount: input.amount,
          reasonCode: input.reasonCode,
          ...(input.reason ? { reason: input.reason } : {}),
          ...(input.resolvesOutboxId ? { resolvesOutboxId: input.resolvesOutboxId } : {}),
        },
      });
    }
    return id;
  });
}

/** A repair may stand in for a failed row that no live repair already covers. */
async function assertResolvable(trx: Knex.Transaction, outboxId: string): Promise<void> {
  const found = /^\d{1,18}$/.test(outboxId)
    ? await trx.raw('select id, status from registry_outbox where id = ? for update', [outboxId])
    : { rows: [] };
  const row = (found.rows as { id: string; status: string }[])[0];
  if (!row) throw new Rejection('REGISTRY_ROW_NOT_FOUND', `outbox row ${outboxId} does not exist`, { outboxId });
  if (row.status !== 'failed_permanently')
    throw new Rejection('WRONG_STATE', `outbox row ${outboxId} is ${row.status}; only a failed row can be resolved by a repair`, {
      outboxId,
      status: row.status,
    });
  const live = await trx('registry_outbox').where({ resolves_id: outboxId }).whereIn('status', ['pending', 'published']).first('id');
  if (live)
    throw new Rejection('WRONG_STATE', `outbox row ${outboxId} is already resolved by repair ${(live as { id: string }).id}`, { outboxId });
}
