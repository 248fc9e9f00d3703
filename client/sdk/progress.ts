/**
 * A settlement run with its progress: starts `POST /settlements/run` and, while it works, polls
 * the run list for the new run's `processed` of `total` (GET /settlements/runs), reporting each
 * reading. Used by the CLI's progress bar and the web app's back office.
 *
 * Guarantees: resolves with the run's summary or rejects with its ApiError; a failed progress poll
 * never fails the run (progress is best effort); polling stops as soon as the run answers.
 */
import type { ComputeNotesClient } from './client.js';
import type { RunSummary, SettlementRun } from './types.js';

export async function runSettlementWithProgress(
  client: ComputeNotesClient,
  input: { date: string; mode?: 'gross' | 'net' },
  onProgress: (run: SettlementRun) => void,
  pollMs = 250,
): Promise<RunSummary> {
  const known = new Set((await client.settlementRuns({ date: input.date, limit: 50 })).map((r) => r.id));
  let done = false;
  const running = client.runSettlement(input).finally(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, pollMs))]);
    if (done) break;
    const run = (await client.settlementRuns({ date: input.date, limit: 5 }).catch(() => [])).find((r) => !known.has(r.id));
    if (run && !done) onProgress(run);
  }
  return running;
}
