/**
 * Settlement runs the service left running when it stopped (a crash, a kill): closed at start, so
 * the back office sees the truth and never a run `running` forever (issue 14).
 *
 * Each chunk of a run commits its instructions and the run's counters (processed, settled, failed)
 * in one transaction (run-chunk.ts), so the counters of a run left running are exactly what it did. A
 * run whose counters reached its total had settled everything it was due to and only missed its
 * final status: it is `completed`. Otherwise it is `interrupted`, with what it did in `error`; its
 * unprocessed instructions are still open (the chunk that was running rolled back) and any new
 * run settles them. Only one service writes a database (the sequencer's rule), so at start no run
 * of this database can still be alive.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';

export interface ClosedRun {
  id: string;
  status: 'completed' | 'interrupted';
  processed: number;
  total: number;
}

export async function closeInterruptedRuns(knex: Knex, logger: Logger): Promise<ClosedRun[]> {
  const running: { id: string; total: number; processed: number; settled: number; failed: number }[] = await knex('settlement_runs')
    .where({ status: 'running' })
    .select('id', 'total', 'processed', 'settled', 'failed');
  const closed: ClosedRun[] = [];
  for (const run of running) {
    const done = run.processed >= run.total;
    const status = done ? 'completed' : 'interrupted';
    const error = done
      ? null
      : `interrupted: the service stopped during the run after processing ${run.processed} of ${run.total} instructions ` +
        `(${run.settled} settled, ${run.failed} failed); the rest are still open and the next run settles them`;
    await knex('settlement_runs').where({ id: run.id, status: 'running' }).update({ status, error, finished_at: knex.fn.now() });
    closed.push({ id: String(run.id), status, processed: run.processed, total: run.total });
    logger.warn(
      { runId: String(run.id), status, processed: run.processed, total: run.total },
      'a settlement run left running by a stopped service was closed',
    );
  }
  return closed;
}
