/**
 * A settlement run: settles every open instruction due on or before a date (never after the
 * business date), in chunks, each chunk one transaction:
 *   1. claim the chunk's due instructions from the run queue (FOR UPDATE SKIP LOCKED, then
 *      delete: two overlapping runs never see the same instruction; a failed one is queued again),
 *      with the trades' active holds;
 *   2. lock the balances of every account the chunk touches, once;
 *   3. decide each instruction in id order (evaluate.ts: all or nothing per instruction);
 *   4. post the chunk's entries with the set-based ledger writer (one insert of entries, one of
 *      postings, one balance update per account, one update of consumed holds);
 *   5. mark instructions settled (with their entry) or failed (side, fail charge), and count.
 *      With the on-chain registry on, each settled instruction's outbox row is written here too.
 * After each chunk commits, `afterChunk` tells the trading side (the sequencer's balances).
 *
 * Guarantees: an instruction settles at most once (row locks, the status filter and the ledger's
 * idempotency key `settle:<id>` each ensure it); a second run for the same date settles nothing
 * new and leaves open fails as they were unless balances changed meanwhile.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { ApiError } from '../api/errors.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { inTransaction } from '../db/transaction.js';
import { CASH_ASSET, postEntries } from '../ledger/index.js';
import { decide, partyKey, type BalanceState, type Decision, type HoldState } from './evaluate.js';
import { grossEntries, netEntries } from './entries.js';
import { failCharge } from './fail-charge.js';
import { backfillInstructions } from './instructions.js';
import { recordSettlementOutbox } from '../registry/outbox.js';
import type { DueInstruction, SettlementMode } from './types.js';

/** Instructions per transaction in gross mode: bounds lock time and statement sizes. */
export const GROSS_CHUNK_INSTRUCTIONS = 5_000;
/** In net mode a chunk is a netting cycle; one chunk holds a whole day in any realistic run. */
export const NET_CHUNK_INSTRUCTIONS = 200_000;
const CHUNKS_MAX = 1_000_000;

export interface RunRequest {
  date: string;
  mode: SettlementMode;
  createdBy: string | null;
  referenceRatePercent: Decimal;
  chunkSize?: number;
}

/** A settled trade as the trading side needs it (the shape of the sequencer's SettledTrade). */
export interface SettledMovement {
  noteId: string;
  buyerPartyId: string;
  sellerPartyId: string;
  quantity: Decimal;
  netAmount: Decimal;
  buyerHoldReference: string | null;
  sellerHoldReference: string | null;
}

export interface RunHooks {
  afterChunk?: (settled: SettledMovement[]) => Promise<void>;
}

export interface RunSummary {
  runId: string;
  date: string;
  mode: SettlementMode;
  instructionsCreated: number;
  due: number;
  settled: number;
  failed: number;
  chunks: number;
  durationMs: number;
}

export async function assertNotAfterBusinessDate(db: Knex, date: string, what: string): Promise<string> {
  const businessDate = await currentBusinessDate(db);
  if (date > businessDate) {
    throw new ApiError('DATE_AFTER_BUSINESS_DATE', `${what} ${date} is after the business date ${businessDate}`, { date, businessDate });
  }
  return businessDate;
}

export async function runSettlement(knex: Knex, request: RunRequest, hooks: RunHooks = {}): Promise<RunSummary> {
  const started = performance.now();
  await assertNotAfterBusinessDate(knex, request.date, 'the settlement date');
  const created = await backfillInstructions(knex);
  const due = await countDue(knex, request.date);
  const [run] = await knex('settlement_runs')
    .insert({ run_date: request.date, mode: request.mode, total: due, instructions_created: created, created_by: request.createdBy })
    .returning('id');
  const runId = String((run as { id: string }).id);
  const chunkSize = request.chunkSize ?? (request.mode === 'net' ? NET_CHUNK_INSTRUCTIONS : GROSS_CHUNK_INSTRUCTIONS);
  let afterId = '0';
  let settled = 0;
  let failed = 0;
  let chunks = 0;
  try {
    for (; chunks < CHUNKS_MAX; ) {
      const chunk = chunks;
      const result = await inTransaction(knex, (trx) => settleChunk(trx, { ...request, runId, chunk, afterId, chunkSize }));
      if (result.processed === 0) break;
      chunks += 1;
      afterId = result.lastId;
      settled += result.settled.length;
      failed += result.failed;
      if (hooks.afterChunk && result.settled.length > 0) await hooks.afterChunk(result.settled);
    }
    await knex('settlement_runs').where({ id: runId }).update({ status: 'completed', finished_at: knex.fn.now() });
  } catch (error) {
    await knex('settlement_runs').where({ id: runId }).update({ status: 'failed', finished_at: knex.fn.now(), error: String((error as Error).message).slice(0, 500) });
    throw error;
  }
  return { runId, date: request.date, mode: request.mode, instructionsCreated: created, due, settled, failed, chunks, durationMs: Math.round(performance.now() - started) };
}

async function countDue(db: Knex, date: string): Promise<number> {
  const result = await db.raw(
    `select count(*) as count from settlement_queue q join settlement_instructions i on i.id = q.instruction_id where i.settlement_date <= ?`, [date]);
  return Number((result.rows as { count: string }[])[0]?.count ?? 0);
}

interface ChunkContext extends RunRequest {
  runId: string;
  chunk: number;
  afterId: string;
  chunkSize: number;
}

interface ChunkResult {
  processed: number;
  lastId: string;
  settled: SettledMovement[];
  failed: number;
}

async function settleChunk(trx: Knex.Transaction, ctx: ChunkContext): Promise<ChunkResult> {
  const { instructions, holds } = await claimDueInstructions(trx, ctx);
  if (instructions.length === 0) return { processed: 0, lastId: ctx.afterId, settled: [], failed: 0 };
  const balances = await lockBalances(trx, instructions);
  const decisions = decide(instructions, balances, holds);
  const settleDecisions = decisions.filter((d): d is Extract<Decision, { kind: 'settle' }> => d.kind === 'settle');
  const failDecisions = decisions.filter((d): d is Extract<Decision, { kind: 'fail' }> => d.kind === 'fail');
  const entries = ctx.mode === 'net'
    ? netEntries(settleDecisions, ctx.runId, ctx.chunk, ctx.date, ctx.createdBy)
    : grossEntries(settleDecisions, ctx.date, ctx.createdBy);
  const posted = await postEntries(trx, entries);
  const entryIdOf = (instructionId: string): string => {
    const single = posted.length === 1 && ctx.mode === 'net' ? posted[0] : posted.find((p) => p.idempotencyKey === `settle:${instructionId}`);
    if (!single) throw new Error(`no entry was posted for instruction ${instructionId}`);
    return single.id;
  };
  const byKey = new Map(posted.map((p) => [p.idempotencyKey, p.id]));
  await markSettled(trx, ctx, settleDecisions.map((d) => ({
    id: d.instruction.id,
    entryId: byKey.get(`settle:${d.instruction.id}`) ?? entryIdOf(d.instruction.id),
    charge: d.instruction.status === 'failed' ? failCharge(d.instruction.netAmount, ctx.referenceRatePercent, d.instruction.settlementDate, ctx.date) : new Decimal(0),
  })));
  // The registry outbox moves with the face: same transaction (server/registry/outbox.ts).
  await recordSettlementOutbox(trx, settleDecisions.map((d) => d.instruction));
  await markFailed(trx, ctx, failDecisions.map((d) => ({
    id: d.instruction.id,
    side: d.failedSide,
    charge: failCharge(d.instruction.netAmount, ctx.referenceRatePercent, d.instruction.settlementDate, ctx.date),
  })));
  await trx('settlement_runs').where({ id: ctx.runId }).increment({ processed: instructions.length, settled: settleDecisions.length, failed: failDecisions.length });
  return {
    processed: instructions.length,
    lastId: instructions[instructions.length - 1]!.id,
    settled: settleDecisions.map(({ instruction: i }) => ({
      noteId: i.noteId, buyerPartyId: i.buyerPartyId, sellerPartyId: i.sellerPartyId, quantity: i.quantity, netAmount: i.netAmount,
      buyerHoldReference: i.buyerHoldReference, sellerHoldReference: i.sellerHoldReference,
    })),
    failed: failDecisions.length,
  };
}

interface InstructionRow {
  id: string; trade_id: string; note_id: string; buyer_party_id: string; seller_party_id: string; quantity: string; net_amount: string;
  buyer_hold_reference: string | null; seller_hold_reference: string | null; settlement_date: string; status: 'pending' | 'failed';
  buyer_hold_remaining: string | null; buyer_hold_party: string | null; buyer_hold_asset: string | null;
  seller_hold_remaining: string | null; seller_hold_party: string | null; seller_hold_asset: string | null;
}

/**
 * Claims the chunk: its rows leave the run queue in this transaction (a failed one is queued
 * again before commit; a rollback brings them all back). Rows another run holds are skipped.
 * The trades' active holds come with them; the ledger writer locks them when it consumes them,
 * and only settlement consumes trade holds.
 */
async function claimDueInstructions(trx: Knex.Transaction, ctx: ChunkContext): Promise<{ instructions: DueInstruction[]; holds: Map<string, HoldState> }> {
  const result = await trx.raw(
    `with claimed as (
       delete from settlement_queue where instruction_id in (
         select q.instruction_id from settlement_queue q join settlement_instructions i on i.id = q.instruction_id
          where q.instruction_id > ?::bigint and i.settlement_date <= ?::date and i.status in ('pending','failed')
          order by q.instruction_id limit ? for update of q skip locked)
       returning instruction_id)
     select i.id, i.trade_id, i.note_id, i.buyer_party_id, i.seller_party_id, i.quantity, i.net_amount, i.buyer_hold_reference, i.seller_hold_reference,
            i.settlement_date, i.status,
            hb.remaining as buyer_hold_remaining, ab.party_id as buyer_hold_party, ab.asset as buyer_hold_asset,
            hs.remaining as seller_hold_remaining, sa.party_id as seller_hold_party, sa.asset as seller_hold_asset
       from claimed c join settlement_instructions i on i.id = c.instruction_id
       left join ledger_holds hb on hb.reference = i.buyer_hold_reference and hb.status = 'active'
       left join ledger_accounts ab on ab.id = hb.account_id
       left join ledger_holds hs on hs.reference = i.seller_hold_reference and hs.status = 'active'
       left join ledger_accounts sa on sa.id = hs.account_id
      order by i.id`,
    [ctx.afterId, ctx.date, ctx.chunkSize],
  );
  const holds = new Map<string, HoldState>();
  const instructions = (result.rows as InstructionRow[]).map((row) => {
    if (row.buyer_hold_reference && row.buyer_hold_remaining !== null && row.buyer_hold_party !== null) {
      holds.set(row.buyer_hold_reference, { accountKey: partyKey(row.buyer_hold_party, row.buyer_hold_asset as string), remaining: new Decimal(row.buyer_hold_remaining) });
    }
    if (row.seller_hold_reference && row.seller_hold_remaining !== null && row.seller_hold_party !== null) {
      holds.set(row.seller_hold_reference, { accountKey: partyKey(row.seller_hold_party, row.seller_hold_asset as string), remaining: new Decimal(row.seller_hold_remaining) });
    }
    return {
      id: String(row.id),
      tradeId: row.trade_id,
      noteId: row.note_id,
      buyerPartyId: row.buyer_party_id,
      sellerPartyId: row.seller_party_id,
      quantity: new Decimal(row.quantity),
      netAmount: new Decimal(row.net_amount),
      buyerHoldReference: row.buyer_hold_reference,
      sellerHoldReference: row.seller_hold_reference,
      settlementDate: row.settlement_date,
      status: row.status,
    };
  });
  return { instructions, holds };
}

/** Locks (in id order) and reads every existing account of the chunk; a missing account has nothing. */
async function lockBalances(trx: Knex.Transaction, instructions: readonly DueInstruction[]): Promise<Map<string, BalanceState>> {
  const refs = new Map<string, { partyId: string; asset: string }>();
  for (const i of instructions) {
    for (const [partyId, asset] of [[i.sellerPartyId, i.noteId], [i.buyerPartyId, i.noteId], [i.buyerPartyId, CASH_ASSET], [i.sellerPartyId, CASH_ASSET]] as const) {
      refs.set(partyKey(partyId, asset), { partyId, asset });
    }
  }
  const list = [...refs.values()];
  const result = await trx.raw(
    `select a.party_id, a.asset, a.total, a.held from ledger_accounts a
       join unnest(?::uuid[], ?::text[]) as r(party_id, asset) on a.party_id = r.party_id and a.asset = r.asset
      order by a.id for update of a`,
    [list.map((r) => r.partyId), list.map((r) => r.asset)],
  );
  const balances = new Map<string, BalanceState>();
  for (const key of refs.keys()) balances.set(key, { total: new Decimal(0), held: new Decimal(0) });
  for (const row of result.rows as { party_id: string; asset: string; total: string; held: string }[]) {
    balances.set(partyKey(row.party_id, row.asset), { total: new Decimal(row.total), held: new Decimal(row.held) });
  }
  return balances;
}

async function markSettled(trx: Knex.Transaction, ctx: ChunkContext, rows: { id: string; entryId: string; charge: Decimal }[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `update settlement_instructions i
        set status = 'settled', settled_date = ?::date, entry_id = v.entry_id, run_id = ?::bigint, settlement_mode = ?, fail_charge = v.charge,
            attempts = i.attempts + 1, last_attempt_date = ?::date, updated_at = now()
       from unnest(?::bigint[], ?::bigint[], ?::numeric[]) as v(id, entry_id, charge)
      where i.id = v.id`,
    [ctx.date, ctx.runId, ctx.mode, ctx.date, rows.map((r) => r.id), rows.map((r) => r.entryId), rows.map((r) => r.charge.toFixed(2))],
  );
}

/** A fail seen again on the same date with the same outcome writes nothing (re-runs change nothing). */
async function markFailed(trx: Knex.Transaction, ctx: ChunkContext, rows: { id: string; side: string; charge: Decimal }[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw('insert into settlement_queue (instruction_id) select unnest(?::bigint[])', [rows.map((r) => r.id)]);
  await trx.raw(
    `update settlement_instructions i
        set status = 'failed', failed_side = v.side, fail_since = i.settlement_date, fail_charge = v.charge,
            attempts = case when i.last_attempt_date = ?::date then i.attempts else i.attempts + 1 end,
            last_attempt_date = ?::date, updated_at = now()
       from unnest(?::bigint[], ?::text[], ?::numeric[]) as v(id, side, charge)
      where i.id = v.id
        and (i.status, i.failed_side, i.fail_charge, i.last_attempt_date) is distinct from ('failed', v.side, v.charge, ?::date)`,
    [ctx.date, ctx.date, rows.map((r) => r.id), rows.map((r) => r.side), rows.map((r) => r.charge.toFixed(2)), ctx.date],
  );
}
