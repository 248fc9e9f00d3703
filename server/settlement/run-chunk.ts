/**
 * One chunk of a settlement run, in one transaction: one call of the database function
 * `settlement_settle_chunk` (claim, decide, post through the ledger's DVP writer, mark settled:
 * steps 1 to 3 of run.ts), then here the fails and fail charges (run-fails.ts), the registry
 * outbox, and the chunk's counts and amounts added to the run's row.
 *
 * Never: does here what can wait for the commit (the settled movements for the trading side:
 * run-progress.ts); the chunk holds the locks of the accounts it moves and the queue rows it
 * claimed until then.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { outboxEnabled, recordSettlementOutbox } from '../registry/outbox.js';
import { failChargeOf } from './fail-charge.js';
import type { ReferenceRates } from './reference-rates.js';
import { type BookedFailCharge, type ChunkRow, toSettled } from './run-chunk-rows.js';
import { freezeFailCharges, markFailed } from './run-fails.js';
import type { FailedSide, SettlementMode } from './types.js';

/** What a chunk needs of its run, and where in the due instructions it starts and ends. */
export interface ChunkContext {
  date: string;
  mode: SettlementMode;
  createdBy: string | null;
  rates: ReferenceRates;
  runId: string;
  chunk: number;
  afterId: string;
  upTo: string | null;
  chunkSize: number;
  deferUncovered: boolean;
}

export interface ChunkResult {
  /** Instructions claimed: settled, failed, or left for the second phase. */
  claimed: number;
  lastId: string;
  /** As the database returned them: turned into movements after the commit (RunProgress.record). */
  settled: ChunkRow[];
  failed: number;
  charges: BookedFailCharge[];
}

export async function settleChunk(trx: Knex.Transaction, ctx: ChunkContext): Promise<ChunkResult> {
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
  await addChunkToRun(trx, ctx.runId, settled, failed);
  return { claimed: rows.length, lastId: String(rows[rows.length - 1]!.id), settled, failed: failed.length, charges };
}

/** Counts and amounts (cash and face) of what this chunk settled and failed, for the run's history. */
async function addChunkToRun(
  trx: Knex.Transaction,
  runId: string,
  settled: readonly ChunkRow[],
  failed: readonly ChunkRow[],
): Promise<void> {
  const sum = (list: readonly ChunkRow[], field: 'net_amount' | 'quantity') =>
    list.reduce((total, r) => total.plus(r[field]), new Decimal(0)).toFixed();
  const add = (column: string, amount: string) => trx.raw('?? + ?::numeric', [column, amount]);
  const count = (column: string, n: number) => trx.raw('?? + ?::int', [column, n]);
  await trx('settlement_runs')
    .where({ id: runId })
    .update({
      processed: count('processed', settled.length + failed.length),
      settled: count('settled', settled.length),
      failed: count('failed', failed.length),
      settled_amount: add('settled_amount', sum(settled, 'net_amount')),
      settled_face: add('settled_face', sum(settled, 'quantity')),
      failed_amount: add('failed_amount', sum(failed, 'net_amount')),
      failed_face: add('failed_face', sum(failed, 'quantity')),
    });
}
