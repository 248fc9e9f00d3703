/**
 * Projection grids off the request thread: a small pool of worker threads (grid-worker.ts) with a
 * bounded queue, so one user's grid never holds up another user's orders on the event loop.
 *
 * Guarantees:
 * - At most `size` grids run at once, each on its own worker thread; others wait in a FIFO queue of
 *   at most `queueLimit`. A grid that finds the queue full is refused at once with
 *   GRID_QUEUE_FULL (503); a user with `perUser` grids already running or queued gets RATE_LIMITED
 *   (429). Nothing is computed for a refused grid.
 * - A cell error (e.g. INVALID_SCENARIO naming the cell's field) comes back as the same Rejection
 *   the request thread would throw; a crashed worker fails only its own grid and is replaced.
 * - Results equal the in-thread computation (gridFromTask runs in both).
 * - Workers start on first use and are unref'd: an idle pool never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import { Rejection, type RejectionCode } from '../core/rejections.js';
import type { GridResult, GridTask } from './grid-task.js';

export const GRID_WORKERS = 2;
export const GRID_QUEUE_LIMIT = 16;
export const GRID_PER_USER = 2;

interface Job {
  id: number;
  user: string;
  task: GridTask;
  resolve: (result: GridResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job: Job | null;
}

type Reply =
  | { id: number; result: GridResult }
  | { id: number; error: { code?: RejectionCode; message: string; details?: Record<string, unknown> } };

export class GridPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private next = 1;

  constructor(
    readonly size = GRID_WORKERS,
    readonly queueLimit = GRID_QUEUE_LIMIT,
    readonly perUser = GRID_PER_USER,
  ) {}

  /** Grids running or queued. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job !== null).length;
  }

  run(user: string, task: GridTask): Promise<GridResult> {
    const mine = this.queue.filter((j) => j.user === user).length + this.slots.filter((s) => s.job?.user === user).length;
    if (mine >= this.perUser)
      throw new Rejection('RATE_LIMITED', `at most ${this.perUser} grids at a time per user`, { retryAfterSeconds: 1 });
    const idle = this.slots.some((s) => s.job === null) || this.slots.length < this.size;
    if (!idle && this.queue.length >= this.queueLimit)
      throw new Rejection('GRID_QUEUE_FULL', 'the projection grid queue is full; retry shortly', { queued: this.queue.length });
    return new Promise<GridResult>((resolve, reject) => {
      this.queue.push({ id: this.next++, user, task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      const s = slot;
      s.ready.then(
        () => s.worker.postMessage({ id: job.id, task: job.task }),
        (error: Error) => this.fail(s, error),
      );
    }
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./grid-worker-entry.mjs', import.meta.url));
    worker.unref();
    let started: () => void = () => {};
    let failed: (error: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    ready.catch(() => {});
    const slot: Slot = { worker, ready, job: null };
    worker.on('message', (message: { ready: true } | Reply) => {
      if ('ready' in message) return started();
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      slot.job = null;
      if ('result' in message) job.resolve(message.result);
      else {
        const { code, message: text, details } = message.error;
        job.reject(code ? new Rejection(code, text, details ?? {}) : new Error(text));
      }
      this.pump();
    });
    worker.on('error', (error) => {
      failed(error);
      this.fail(slot, error);
    });
    worker.on('exit', () => this.fail(slot, new Error('grid worker exited')));
    this.slots.push(slot);
    return slot;
  }

  /** A worker that crashed or exited: fail its grid, drop it, carry on with the queue. */
  private fail(slot: Slot, error: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.job?.reject(error);
    slot.job = null;
    void slot.worker.terminate();
    this.pump();
  }
}

let shared: GridPool | null = null;

/** The process's grid pool (created on first use). */
export function gridPool(): GridPool {
  shared ??= new GridPool();
  return shared;
}
