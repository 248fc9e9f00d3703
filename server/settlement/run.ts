/**
 * A settlement run: settles every open instruction due on or before a date (never after the
 * business date), in chunks, each chunk one transaction and one call of the database function
 * `settlement_settle_chunk` (server/settlement/sql/settlement_settle_chunk.sql), set-based:
 *   1. claim the chunk's due instructions in the run queue (FOR UPDATE SKIP LOCKED, held until
 *      commit: two overlapping runs never see the same instruction; settled ones leave the queue,
 *      fails stay in it), with the trades' active holds;
 *   2. decide (all or nothing per instruction). An instruction whose paying legs its own trade
 *      holds cover ("covered", the normal case) settles whatever else happens, so the run settles
 *      those first, as sets, in ranges of the due instructions side by side (PostgreSQL: two
 *      connections). The rest follow in id order, chunk after chunk, against the balances that
 *      everything settled before them left: the decisions of the reference model evaluate.ts;
 *   3. post the settled ones with the ledger's set-based DVP writer (`ledger_post_dvp_batch`,
 *      server/ledger/sql/: one insert of entries, one of postings, one update of consumed holds;
 *      the balances move at the commit, one update per account, `ledger_dvp_apply_balances`) —
 *      gross: one entry per instruction; net: one per chunk, the netting sets of entries.ts — and
 *      mark them settled with their entry;
 *   4. here: record fails with their side and fail charge, freeze the charge of fails that
 *      settled and book it through the ledger (the failing seller's cash to the buyer), write the
 *      registry outbox (with the registry on) and count. The charge uses the reference rate
 *      series (reference-rates.ts) and is TMPG's: only a failure to deliver is charged.
 * After each chunk commits, `afterChunk` tells the trading side (the sequencer's balances).
 *
 * Guarantees: an instruction settles at most once (the queue claim, the status filter and the
 * ledger's unique idempotency key `settle:<id>` each ensure it); a second run for the same date
 * settles nothing new and leaves open fails as they were unless balances changed meanwhile.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { assertNotAfterBusinessDate } from '../businessdate/index.js';
import { inTransaction } from '../db/transaction.js';
import type { SettledTrade } from '../sequencer/ledger-sync.js';
import { failChargeOf } from './fail-charge.js';
import { loadReferenceRates, type ReferenceRates } from './reference-rates.js';
import { CASH_ASSET, postEntries, type EntryInput } from '../ledger/index.js';
import { backfillInstructions } from './instructions.js';
import { outboxEnabled, recordSettlementOutbox } from '../registry/outbox.js';
import type { FailedSide, SettlementMode } from './types.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

/**
 * Instructions per transaction in gross mode, at most: bounds statement sizes and how long a chunk
 * holds the accounts it locks (it locks them at its commit, for its balance update). A chunk
 * updates each account it moves once, whatever its size, so larger chunks cost less per trade:
 * measured on the 100,000-trade bench (2,000 parties, 8,000 accounts), about 15% less PostgreSQL
 * CPU per trade at 25,000 than at 10,000, little more beyond.
 */
export const GROSS_CHUNK_INSTRUCTIONS = 25_000;
/** In net mode a chunk is a netting cycle; one chunk holds a whole day in any realistic run. */
export const NET_CHUNK_INSTRUCTIONS = 200_000;
/** Chunks settled side by side, each in its own transaction and connection. */
export const CONCURRENT_CHUNKS_MAX = 4;
const CHUNKS_MAX = 1_000_000;

export interface RunRequest {
  date: string;
  mode: SettlementMode;
  createdBy: string | null;
  /** The reference rate before the first date of the operator's series (reference_rates). */
  referenceRatePercent: Decimal;
  chunkSize?: number;
  /** Chunks of covered instructions settled side by side (default: defaultConcurrency). */
  concurrency?: number;
  /** Who ran it: the run's final status and its audit row commit together. */
  actor?: AuditActor;
  /** What started it, for the audit row: the back office's request (default) or the end-of-day roll. */
  trigger?: 'request' | 'end_of_day';
}

/** A settled trade as the trading side needs it. */
export type SettledMovement = SettledTrade;

/** A fail charge booked when its fail settled: the seller's cash to the buyer. */
export interface BookedFailCharge {
  sellerPartyId: string;
  buyerPartyId: string;
  amount: Decimal;
}

export interface RunHooks {
  /** Called after each chunk commits, one call at a time, in commit order. */
  afterChunk?: (settled: SettledMovement[], charges: BookedFailCharge[]) => Promise<void>;
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

/** Two chunks side by side on PostgreSQL (the database does most of the work); PGlite is one connection. */
export function defaultConcurrency(knex: Knex): number {
  return (knex.client.config as { client?: unknown }).client === 'pg' ? 2 : 1;
}

/**
 * The run in two phases: first every covered instruction (order does not matter: they cannot
 * fail), in ranges of the due instructions settled side by side; then the rest, in id order,
 * one chunk after the other, each seeing everything settled before it.
 */
export async function runSettlement(knex: Knex, request: RunRequest, hooks: RunHooks = {}): Promise<RunSummary> {
  const started = performance.now();
  await assertNotAfterBusinessDate(knex, request.date, 'the settlement date');
  const created = await backfillInstructions(knex);
  const chunkSize = request.chunkSize ?? (request.mode === 'net' ? NET_CHUNK_INSTRUCTIONS : GROSS_CHUNK_INSTRUCTIONS);
  const concurrency = Math.min(Math.max(1, request.concurrency ?? defaultConcurrency(knex)), CONCURRENT_CHUNKS_MAX);
  const plan = await planRanges(knex, request.date, chunkSize, concurrency);
  const [run] = await knex('settlement_runs')
    .insert({ run_date: request.date, mode: request.mode, total: plan.due, instructions_created: created, created_by: request.createdBy })
    .returning('id');
  const runId = String((run as { id: string }).id);
  const rates = await loadReferenceRates(knex, request.referenceRatePercent);
  const progress = new RunProgress(hooks);
  const settleRange = async (range: Range, deferUncovered: boolean): Promise<void> => {
    let afterId = range.afterId;
    while (!progress.stopped) {
      const chunk = progress.nextChunk();
      const result = await inTransaction(knex, (trx) =>
        settleChunk(trx, { ...request, rates, runId, chunk, afterId, upTo: range.upTo, chunkSize, deferUncovered }),
      );
      if (result.claimed === 0) return;
      await progress.record(result);
      afterId = result.lastId;
      // A range's upper bound is a due instruction: claimed, the range is done (no empty last call).
      if (result.claimed < chunkSize || afterId === range.upTo) return;
    }
  };
  try {
    const ranges = plan.ranges;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!progress.stopped && next < ranges.length) await settleRange(ranges[next++] as Range, true);
    };
    await progress.guard(Array.from({ length: concurrency }, worker));
    await progress.guard([settleRange({ afterId: '0', upTo: null }, false)]);
    await finishRun(knex, runId, request, progress, { status: 'completed', error: null });
  } catch (error) {
    await finishRun(knex, runId, request, progress, { status: 'failed', error: String((error as Error).message).slice(0, 500) });
    throw error;
  }
  const { settled, failed, chunks } = progress;
  return {
    runId,
    date: request.date,
    mode: request.mode,
    instructionsCreated: created,
    due: plan.due,
    settled,
    failed,
    chunks,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * The run's final status, and its audit row in the same transaction: one row per run, with its
 * counts and amounts (a run spans many chunk transactions; the row is written with the status
 * that ends it, so a run has its row exactly when it has ended).
 */
async function finishRun(
  knex: Knex,
  runId: string,
  request: RunRequest,
  progress: RunProgress,
  end: { status: 'completed' | 'failed'; error: string | null },
): Promise<void> {
  await inTransaction(knex, async (trx) => {
    const [row] = await trx('settlement_runs')
      .where({ id: runId })
      .update({ status: end.status, finished_at: trx.fn.now(), ...(end.error === null ? {} : { error: end.error }) })
      .returning(['total', 'settled_amount', 'failed_amount']);
    const amounts = row as { total: number; settled_amount: string; failed_amount: string };
    if (!request.actor) return;
    await appendAudit(trx, {
      actor: request.actor,
      action: 'settlement.run',
      entity: `settlement-run:${runId}`,
      details: {
        date: request.date,
        mode: request.mode,
        trigger: request.trigger ?? 'request',
        status: end.status,
        due: Number(amounts.total),
        settled: progress.settled,
        failed: progress.failed,
        settledAmount: new Decimal(amounts.settled_amount).toFixed(2),
        failedAmount: new Decimal(amounts.failed_amount).toFixed(2),
        ...(end.error === null ? {} : { error: end.error }),
      },
    });
  });
}

interface Range {
  afterId: string;
  /** Inclusive upper id; null: no bound. */
  upTo: string | null;
}

/**
 * The due instructions (in the queue, due on or before the date) cut into ranges in id order, at
 * most chunkSize each; more than one, then as many as a multiple of the concurrency, all about the
 * same size, so the connections settling them side by side finish together (100,000 due at 25,000
 * and 2: four ranges of 25,000; 110,000: six of 18,334, not five of 25,000 and one of 10,000). One
 * chunk's worth stays one range (a net run's day is one netting cycle).
 */
async function planRanges(db: Knex, date: string, chunkSize: number, concurrency: number): Promise<{ due: number; ranges: Range[] }> {
  // The due ids in one sorted array, and every step-th of them a bound (a window over the rows
  // would buffer and spill them: three times slower at 100,000 due).
  const result = await db.raw(
    `with due as (select coalesce(array_agg(q.instruction_id order by q.instruction_id), '{}') as ids
                    from settlement_queue q join settlement_instructions i on i.id = q.instruction_id
                   where i.settlement_date <= ?::date and i.status in ('pending', 'failed')),
          sized as (select d.ids, cardinality(d.ids) as due, ceil(cardinality(d.ids)::numeric / ?) as ranges from due d),
          plan as (select s.ids, s.due,
                          greatest(1, ceil(s.due / case when s.ranges <= 1 then 1 else ceil(s.ranges / ?) * ? end))::int as step
                     from sized s)
     select p.due, array(select p.ids[k * p.step]::text from generate_series(1, p.due / p.step) k) as bounds from plan p`,
    [date, chunkSize, concurrency, concurrency],
  );
  const row = (result.rows as { due: number | string; bounds: string[] }[])[0];
  const bounds = row?.bounds ?? [];
  const ranges: Range[] = [];
  let afterId = '0';
  for (const bound of bounds) {
    ranges.push({ afterId, upTo: bound });
    afterId = bound;
  }
  ranges.push({ afterId, upTo: null });
  return { due: Number(row?.due ?? 0), ranges };
}

/** Counts, chunk numbers and the afterChunk calls of a run whose chunks may run side by side. */
class RunProgress {
  settled = 0;
  failed = 0;
  chunks = 0;
  stopped = false;
  private chunkNumber = 0;
  private notified: Promise<void> = Promise.resolve();

  constructor(private readonly hooks: RunHooks) {}

  nextChunk(): number {
    if (this.chunkNumber >= CHUNKS_MAX) throw new Error(`a settlement run stopped after ${CHUNKS_MAX} chunks`);
    return this.chunkNumber++;
  }

  async record(result: ChunkResult): Promise<void> {
    this.chunks += 1;
    this.settled += result.settled.length;
    this.failed += result.failed;
    const afterChunk = this.hooks.afterChunk;
    if (!afterChunk || result.settled.length === 0) return;
    const settled = result.settled.map(toSettled);
    this.notified = this.notified.then(() => afterChunk(settled, result.charges));
    await this.notified;
  }

  /** Waits for every task; on the first error the others stop after their current chunk, then it is thrown. */
  async guard(tasks: Promise<void>[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      tasks.map((task) =>
        task.catch((error: unknown) => {
          this.stopped = true;
          throw error;
        }),
      ),
    );
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (rejected) throw rejected.reason;
  }
}

interface ChunkContext extends RunRequest {
  rates: ReferenceRates;
  runId: string;
  chunk: number;
  afterId: string;
  upTo: string | null;
  chunkSize: number;
  deferUncovered: boolean;
}

interface ChunkResult {
  /** Instructions claimed: settled, failed, or left for the second phase. */
  claimed: number;
  lastId: string;
  /** As the database returned them: turned into movements after the commit (RunProgress.record). */
  settled: ChunkRow[];
  failed: number;
  charges: BookedFailCharge[];
}

async function settleChunk(trx: Knex.Transaction, ctx: ChunkContext): Promise<ChunkResult> {
  const result = await trx.raw(
    'select * from settlement_settle_chunk(?::bigint, ?::int, ?::date, ?::bigint, ?::bigint, ?::int, ?::text, ?::uuid, ?::boolean)',
    [ctx.runId, ctx.chunk, ctx.date, ctx.afterId, ctx.upTo, ctx.chunkSize, ctx.mode, ctx.createdBy, ctx.deferUncovered],
  );
  const rows = result.rows as ChunkRow[];
  if (rows.length === 0) return { claimed: 0, lastId: ctx.afterId, settled: [], failed: 0, charges: [] };
  const charges: BookedFailCharge[] = [];
  // The ledger moves the balances of the accounts this chunk moved at its commit (the chunk beside
  // it waits for those locks at most that long), and the queue rows it claimed stay locked until
  // then: only what must be in the transaction is done here; the settled movements for the trading
  // side are made after the commit.
  const settled = rows.filter((r) => r.outcome === 'settled');
  const failed = rows.filter((r) => r.outcome === 'buyer' || r.outcome === 'seller' || r.outcome === 'both');
  await freezeFailCharges(trx, ctx, settled.filter((r) => r.charge_from !== null).map(toSettled), charges);
  // The registry outbox moves with the face: same transaction (server/registry/outbox.ts; it reads
  // the flag again, under the same lock).
  if (settled.length > 0 && (await outboxEnabled(trx))) await recordSettlementOutbox(trx, settled.map(toSettled));
  await markFailed(
    trx,
    ctx,
    failed.map((r) => ({
      id: String(r.id),
      side: r.outcome as FailedSide,
      charge: failChargeOf(
        r.outcome as FailedSide,
        new Decimal(r.net_amount),
        ctx.rates.forFail(r.charge_from as string),
        r.charge_from as string,
        ctx.date,
      ),
    })),
  );
  // Counts and amounts (cash and face) of what this chunk settled and failed, for the run's history.
  const sum = (list: ChunkRow[], field: 'net_amount' | 'quantity') =>
    list.reduce((total, r) => total.plus(r[field]), new Decimal(0)).toFixed();
  const add = (column: string, amount: string) => trx.raw('?? + ?::numeric', [column, amount]);
  const count = (column: string, n: number) => trx.raw('?? + ?::int', [column, n]);
  await trx('settlement_runs')
    .where({ id: ctx.runId })
    .update({
      processed: count('processed', settled.length + failed.length),
      settled: count('settled', settled.length),
      failed: count('failed', failed.length),
      settled_amount: add('settled_amount', sum(settled, 'net_amount')),
      settled_face: add('settled_face', sum(settled, 'quantity')),
      failed_amount: add('failed_amount', sum(failed, 'net_amount')),
      failed_face: add('failed_face', sum(failed, 'quantity')),
    });
  return { claimed: rows.length, lastId: String(rows[rows.length - 1]!.id), settled, failed: failed.length, charges };
}

/**
 * A claimed instruction and its outcome, as settlement_settle_chunk returns it (in id order):
 * 'settled', 'deferred' (left for the second phase) or the failed side; charge_from is the
 * contractual settlement date when a fail charge is due (a fail, or a fail that now settles).
 */
interface ChunkRow {
  id: string;
  outcome: 'settled' | 'deferred' | FailedSide;
  note_id: string;
  buyer_party_id: string;
  seller_party_id: string;
  quantity: string;
  net_amount: string;
  buyer_hold_reference: string | null;
  seller_hold_reference: string | null;
  charge_from: string | null;
}

interface SettledRow extends SettledMovement {
  id: string;
  chargeFrom: string | null;
}

function toSettled(row: ChunkRow): SettledRow {
  return {
    id: String(row.id),
    noteId: row.note_id,
    buyerPartyId: row.buyer_party_id,
    sellerPartyId: row.seller_party_id,
    quantity: new Decimal(row.quantity),
    netAmount: new Decimal(row.net_amount),
    buyerHoldReference: row.buyer_hold_reference,
    sellerHoldReference: row.seller_hold_reference,
    chargeFrom: row.charge_from,
  };
}

/**
 * A fail that settled keeps the charge it accrued until today, frozen (fail-charge.ts does the
 * rounding), and the charge is booked: the seller that failed to deliver pays it to the buyer, in
 * one ledger entry per instruction (key `fail-charge:<id>`), in the chunk's transaction. The DVP
 * writer moves balances at the commit; they are applied first here, so the seller's proceeds of
 * this very settlement are there to pay from.
 */
async function freezeFailCharges(
  trx: Knex.Transaction,
  ctx: ChunkContext,
  rows: readonly SettledRow[],
  out: BookedFailCharge[],
): Promise<void> {
  if (rows.length === 0) return;
  const sides: { id: string; failed_side: FailedSide | null }[] = await trx('settlement_instructions')
    .whereIn(
      'id',
      rows.map((r) => r.id),
    )
    .select('id', 'failed_side');
  const sideOf = new Map(sides.map((s) => [String(s.id), s.failed_side]));
  const charges = rows.map((r) => ({
    row: r,
    charge: failChargeOf(
      sideOf.get(r.id) ?? null,
      r.netAmount,
      ctx.rates.forFail(r.chargeFrom as string),
      r.chargeFrom as string,
      ctx.date,
    ),
  }));
  await trx.raw(
    `update settlement_instructions i set fail_charge = v.charge from unnest(?::bigint[], ?::numeric[]) as v(id, charge) where i.id = v.id`,
    [charges.map((c) => c.row.id), charges.map((c) => c.charge.toFixed(2))],
  );
  const booked = charges.filter((c) => c.charge.gt(0));
  if (booked.length === 0) return;
  await trx.raw('set constraints all immediate');
  const entries: EntryInput[] = booked.map(({ row, charge }) => ({
    idempotencyKey: `fail-charge:${row.id}`,
    kind: 'fail_charge',
    description: `TMPG fail charge of settlement instruction ${row.id} (${row.chargeFrom} to ${ctx.date})`,
    businessDate: ctx.date,
    createdBy: ctx.createdBy,
    metadata: { instructionId: row.id, failedSince: row.chargeFrom, settledDate: ctx.date, proceeds: row.netAmount.toFixed(2) },
    postings: [
      { account: { partyId: row.sellerPartyId, asset: CASH_ASSET }, amount: charge.negated() },
      { account: { partyId: row.buyerPartyId, asset: CASH_ASSET }, amount: charge },
    ],
  }));
  const posted = await postEntries(trx, entries);
  await trx.raw(
    `update settlement_instructions i set fail_charge_entry_id = v.entry from unnest(?::bigint[], ?::bigint[]) as v(id, entry) where i.id = v.id`,
    [booked.map((b) => b.row.id), posted.map((p) => p.id)],
  );
  out.push(...booked.map(({ row, charge }) => ({ sellerPartyId: row.sellerPartyId, buyerPartyId: row.buyerPartyId, amount: charge })));
}

/** A fail stays in the run queue; seen again on the same date with the same outcome it writes nothing (re-runs change nothing). */
async function markFailed(
  trx: Knex.Transaction,
  ctx: ChunkContext,
  rows: { id: string; side: FailedSide; charge: Decimal }[],
): Promise<void> {
  if (rows.length === 0) return;
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
