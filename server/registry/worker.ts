/**
 * The registry worker: publishes pending outbox rows on chain, strictly in id order.
 *
 * Each cycle: hold the lease (one worker per database across processes: a row in
 * registry_state with an expiry, renewed while working, so a crashed process's successor takes
 * over once it lapses); read the first pending rows in id order; if the first is due, publish
 * the longest run of due rows of one batchable kind in one call (or one row), then mark them.
 * - published: status `published` with tx hash and block, in one update;
 * - transient failure: attempts + 1, the error, and next_attempt_at = now + min(base × 2^attempts,
 *   max), for the whole group; the head of the queue waits, so nothing overtakes it;
 * - a revert of a batch: the group is retried row by row, to find the row the contract refuses;
 * - a row's `ReferenceAlreadyUsed`: it landed before (sent, then the worker died before marking):
 *   marked published with the hash of the transaction that used the reference;
 * - a row's permanent revert: `failed_permanently` with the decoded error; the queue moves on,
 *   and reconciliation lists the row as a break until a forced transfer resolves it.
 *
 * Guarantees: no duplicate transfer on chain, whatever crashes when (the contract accepts a
 * reference once; the worker treats "already used" as success); no row is ever dropped or
 * skipped while pending. Never holds a database transaction open while talking to the chain
 * (PGlite has a single connection); never runs two cycles at once in one process.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { RegistryChain } from './chain.js';
import { BATCHABLE_KINDS, classifyRevert, findPublication, publish, type PublishHooks } from './publisher.js';
import type { OutboxRow, RegistryTuning } from './types.js';

/** Rows per batch call: the contract's MAX_BATCH_SIZE. */
export const BATCH_ROWS_MAX = 100;

export type CycleResult =
  | { kind: 'idle' }
  | { kind: 'not_leader' }
  | { kind: 'waiting'; waitMs: number }
  | { kind: 'progress'; published: number; failed: number; retrying: number };

type QueuedRow = OutboxRow & { wait_ms: string };

interface GroupResult {
  published: number;
  failed: number;
  /** True when the group (or a row of it) must wait for a retry: stop processing behind it. */
  retrying: boolean;
}

export interface WorkerOptions {
  knex: Knex;
  chain: RegistryChain;
  logger: Logger;
  tuning: RegistryTuning;
  hooks?: PublishHooks;
}

export class OutboxWorker {
  readonly id = `worker-${randomUUID()}`;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private cycleQueue: Promise<unknown> = Promise.resolve();
  private wake: (() => void) | null = null;
  private leaseRenewedAt = 0;

  constructor(private readonly options: WorkerOptions) {}

  /** Runs cycles in the background until `stop`. */
  start(): void {
    if (this.loop !== null) return;
    this.loop = (async () => {
      while (!this.stopped) {
        let delayMs = this.options.tuning.pollIntervalMs;
        try {
          const result = await this.runOnce();
          if (result.kind === 'progress') delayMs = 0;
          else if (result.kind === 'waiting') delayMs = Math.min(Math.max(result.waitMs, 1), this.options.tuning.backoffMaxMs);
        } catch (error) {
          this.options.logger.warn({ err: error }, 'registry worker cycle failed');
        }
        if (delayMs > 0 && !this.stopped) await this.sleep(delayMs);
      }
    })();
  }

  /** Stops after the current cycle and gives up the lease (so a successor need not wait for it to lapse). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.cycleQueue.catch(() => undefined);
    await this.options.knex('registry_state').where({ id: 1, worker_id: this.id }).update({ worker_id: null, worker_lease_until: null });
  }

  /** One cycle; cycles never overlap. */
  runOnce(): Promise<CycleResult> {
    const next = this.cycleQueue.catch(() => undefined).then(() => this.cycle());
    this.cycleQueue = next;
    return next;
  }

  /** Cycles until nothing is pending or due (tests, and `close` of a demo that wants to flush). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await this.runOnce();
      if (result.kind === 'idle') return;
      if (Date.now() >= deadline)
        throw new Error(`the outbox did not drain within ${timeoutMs} ms (last cycle: ${JSON.stringify(result)})`);
      if (result.kind !== 'progress')
        await new Promise((resolve) => setTimeout(resolve, result.kind === 'waiting' ? Math.min(result.waitMs, 200) : 50));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async holdLease(): Promise<boolean> {
    const { knex, tuning } = this.options;
    if (Date.now() - this.leaseRenewedAt < tuning.leaseMs / 3) return true;
    const result = await knex.raw(
      `update registry_state set worker_id = ?, worker_lease_until = now() + make_interval(secs => ?)
        where id = 1 and (worker_id is null or worker_id = ? or worker_lease_until < now()) returning id`,
      [this.id, tuning.leaseMs / 1000, this.id],
    );
    const held = (result.rows as unknown[]).length === 1;
    this.leaseRenewedAt = held ? Date.now() : 0;
    return held;
  }

  private async cycle(): Promise<CycleResult> {
    if (!(await this.holdLease())) return { kind: 'not_leader' };
    const rows: QueuedRow[] = await this.options
      .knex('registry_outbox')
      .where({ status: 'pending' })
      .orderBy('id')
      .limit(BATCH_ROWS_MAX)
      .select('*', this.options.knex.raw('greatest(0, ceil(extract(epoch from next_attempt_at - now()) * 1000)) as wait_ms'));
    const head = rows[0];
    if (!head) return { kind: 'idle' };
    if (Number(head.wait_ms) > 0) return { kind: 'waiting', waitMs: Number(head.wait_ms) };
    const group = leadingGroup(rows);
    const result = await this.processGroup(group);
    return { kind: 'progress', published: result.published, failed: result.failed, retrying: result.retrying ? 1 : 0 };
  }

  private async processGroup(rows: readonly OutboxRow[]): Promise<GroupResult> {
    const { chain, tuning, logger, hooks } = this.options;
    const outcome = await publish(chain, rows, tuning.receiptTimeoutMs, hooks);
    if (outcome.kind === 'published') {
      await this.markPublished(rows, outcome.txHash, outcome.blockNumber);
      return { published: rows.length, failed: 0, retrying: false };
    }
    if (outcome.kind === 'transient') {
      await this.markRetry(rows, outcome.message);
      logger.warn({ rows: rows.map((r) => r.id), error: outcome.message }, 'registry publish failed; will retry');
      return { published: 0, failed: 0, retrying: true };
    }
    if (rows.length > 1) return this.processOneByOne(rows);
    const row = rows[0]!;
    switch (classifyRevert(outcome.error.name)) {
      case 'already_used': {
        const found = await findPublication(chain, row.chain_ref);
        if (!found) {
          await this.markRetry(rows, `reference already used, but its transaction was not found yet: ${outcome.message}`);
          return { published: 0, failed: 0, retrying: true };
        }
        await this.markPublished(rows, found.txHash, found.blockNumber);
        return { published: 1, failed: 0, retrying: false };
      }
      case 'operational':
        await this.markRetry(rows, outcome.message);
        logger.error(
          { row: row.id, error: outcome.message },
          'the registry refused the registry worker (paused, or a key lacks its role); will retry',
        );
        return { published: 0, failed: 0, retrying: true };
      case 'permanent':
        await this.options
          .knex('registry_outbox')
          .where({ id: row.id, status: 'pending' })
          .update({ status: 'failed_permanently', attempts: row.attempts + 1, last_error: outcome.message });
        logger.error(
          { row: row.id, ref: row.settlement_ref, error: outcome.message },
          'the registry refused an outbox row; it is a reconciliation break',
        );
        return { published: 0, failed: 1, retrying: false };
    }
  }

  private async processOneByOne(rows: readonly OutboxRow[]): Promise<GroupResult> {
    const total: GroupResult = { published: 0, failed: 0, retrying: false };
    for (const row of rows) {
      const result = await this.processGroup([row]);
      total.published += result.published;
      total.failed += result.failed;
      if (result.retrying) return { ...total, retrying: true };
    }
    return total;
  }

  private async markPublished(rows: readonly OutboxRow[], txHash: string, blockNumber: number): Promise<void> {
    await this.options
      .knex('registry_outbox')
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .where({ status: 'pending' })
      .update({
        status: 'published',
        tx_hash: txHash,
        block_number: blockNumber,
        published_at: this.options.knex.fn.now(),
        last_error: null,
      });
  }

  private async markRetry(rows: readonly OutboxRow[], message: string): Promise<void> {
    const { knex, tuning } = this.options;
    const attempts = Math.max(...rows.map((r) => r.attempts));
    const delayMs = Math.min(tuning.backoffMaxMs, tuning.backoffBaseMs * 2 ** Math.min(attempts, 30));
    await knex('registry_outbox')
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .where({ status: 'pending' })
      .update({
        attempts: knex.raw('attempts + 1'),
        last_error: message.slice(0, 500),
        next_attempt_at: knex.raw('now() + make_interval(secs => ?)', [delayMs / 1000]),
      });
  }
}

/** The first row, and the rows right behind it of the same batchable kind that are due too. */
export function leadingGroup(rows: readonly QueuedRow[]): QueuedRow[] {
  const head = rows[0];
  if (!head) return [];
  if (!BATCHABLE_KINDS.has(head.kind)) return [head];
  const group = [head];
  for (const row of rows.slice(1)) {
    if (row.kind !== head.kind || Number(row.wait_ms) > 0 || group.length >= BATCH_ROWS_MAX) break;
    group.push(row);
  }
  return group;
}
