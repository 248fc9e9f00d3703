/**
 * A settlement run's progress while its chunks commit, possibly side by side: its counts, its
 * chunk numbers, the afterChunk calls that tell the trading side, and stopping every chunk loop
 * after the first error.
 *
 * Guarantees: afterChunk calls never overlap and come in the order the chunks are recorded
 * (run.ts records a chunk once it has committed); a run never numbers more than CHUNKS_MAX chunks.
 */
import { type BookedFailCharge, type SettledMovement, toSettled } from './run-chunk-rows.js';
import type { ChunkResult } from './run-chunk.js';

const CHUNKS_MAX = 1_000_000;

export interface RunHooks {
  /** Called after each chunk commits, one call at a time, in commit order. */
  afterChunk?: (settled: SettledMovement[], charges: BookedFailCharge[]) => Promise<void>;
}

/** Counts, chunk numbers and the afterChunk calls of a run whose chunks may run side by side. */
export class RunProgress {
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
