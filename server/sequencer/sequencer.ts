/**
 * The sequencer: the single writer of the books and of available balances. Requests become jobs
 * that run one at a time, in arrival order, against the in-memory state; the changes of a batch
 * of jobs are committed to Postgres in one transaction (group commit), and only then are the
 * jobs answered and the batch's events published. While one batch commits, the next one fills,
 * and the client order ids of the jobs that arrive are looked up in the database alongside.
 *
 * Guarantees: nothing is acknowledged before it is durable; a job that throws (a defect) is undone
 * and rejected alone (COMMAND_FAILED) while the rest of its batch commits; a batch that fails to
 * commit, or a defect that cannot be undone in memory (after the engine accepted the job's
 * command), answers every job of the batch with an error and rebuilds the state from the
 * database, so memory never runs ahead of what is stored.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Rejection } from '../core/rejections.js';
import type { Clock } from '../core/clock.js';
import type { EngineEvent } from '../engine/index.js';
import { Batch, commitBatch, clOrdIdKey, type StoredClOrdIds } from './batch.js';
import { recoverState } from './recovery.js';
import { orderToApi, type ApiOrder, type TradeRecord } from './records.js';
import { DEFAULT_RISK_LIMITS, type RiskLimits, type TradingState } from './state.js';

/** Jobs per group commit: bounds a transaction's size and the latency of its first job. */
export const BATCH_JOBS_MAX = 2_000;
/** Jobs waiting beyond this are refused at once rather than queued without bound. */
export const QUEUE_JOBS_MAX = 50_000;

export interface CommittedBatch {
  /** The engine's events of the batch, in order (book changes, fills, quote replacements, …). */
  events: readonly EngineEvent[];
  trades: readonly TradeRecord[];
  /** The final state of every order the batch touched (new, filled, cancelled, replaced, rejected). */
  orders: readonly ApiOrder[];
  /** The sequencer's sequence number after the batch. */
  lastSeq: number;
}

/** A party's client order id, which a job is about to use for a new order. */
export interface ClOrdIdKey {
  partyId: string;
  clOrdId: string;
}

export interface ExecuteOptions {
  /**
   * Client order ids the job uses: looked up in the database once for the whole batch before it
   * runs (one query, not one per request), so an id used on an earlier day is a duplicate.
   */
  clOrdIds?: readonly ClOrdIdKey[];
}

interface Job {
  work: (state: TradingState) => unknown;
  clOrdIds: readonly ClOrdIdKey[] | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Jobs whose client order ids have been looked up, waiting for their batch. */
interface LookedUp {
  jobs: Job[];
  stored: StoredClOrdIds;
  /** The sequencer's guard epoch when the lookup started (see Sequencer.guardEpoch). */
  epoch: number;
  lookupMs: number;
}

export class Sequencer {
  private state: TradingState | null = null;
  /** Jobs waiting for the lookup of their client order ids, in arrival order. */
  private readonly arrivals: Job[] = [];
  /** Looked-up jobs waiting for the sequencer, in arrival order. */
  private readonly lookedUp: LookedUp[] = [];
  private lookingUp: Promise<void> | null = null;
  private sequencing: Promise<void> | null = null;
  /**
   * Moves whenever the in-memory race guards lose entries (the day's roll committed, or the state
   * was rebuilt). A lookup that started in an earlier epoch may have missed an id that only the
   * guards held when it started, so its jobs are looked up again before they run.
   */
  private guardEpoch = 0;
  private lastCommittedMs = 0;
  private readonly listeners: ((batch: CommittedBatch) => void)[] = [];

  /**
   * `knex` is the sequencer's own connection (group commits, recovery); `lookups` another pool, so
   * that a lookup runs while a commit holds the sequencer's connection.
   */
  constructor(
    private readonly knex: Knex,
    private readonly lookups: Knex,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly limits: RiskLimits = DEFAULT_RISK_LIMITS,
  ) {}

  async start(): Promise<void> {
    this.state = await this.recover();
    await this.execute((state) => registerUnknownNotes(state));
  }

  get ready(): boolean {
    return this.state !== null;
  }

  /** Runs `work` in sequence; resolves with its result once the batch holding it is committed. */
  execute<T>(work: (state: TradingState) => T, options: ExecuteOptions = {}): Promise<T> {
    if (this.arrivals.length + this.readyJobs >= QUEUE_JOBS_MAX)
      return Promise.reject(new Rejection('UNAVAILABLE', 'the order queue is full; retry shortly'));
    return new Promise<T>((resolve, reject) => {
      this.arrivals.push({ work, clOrdIds: options.clOrdIds, resolve: resolve as (value: unknown) => void, reject });
      this.startLookups();
    });
  }

  /** Read-only access for queries (books, state hash); never mutate through it. */
  view<T>(read: (state: TradingState) => T): T {
    if (!this.state) throw new Rejection('UNAVAILABLE', 'the sequencer is starting');
    return read(this.state);
  }

  onCommit(listener: (batch: CommittedBatch) => void): void {
    this.listeners.push(listener);
  }

  /** Waits for queued jobs to finish; later calls to execute() still run. */
  async idle(): Promise<void> {
    while (this.lookingUp || this.sequencing) await Promise.all([this.lookingUp, this.sequencing]);
  }

  private get readyJobs(): number {
    let jobs = 0;
    for (const next of this.lookedUp) jobs += next.jobs.length;
    return jobs;
  }

  private async recover(): Promise<TradingState> {
    const state = await recoverState(this.knex);
    state.limits = this.limits;
    return state;
  }

  /**
   * The lookup lane: one query at a time finds which of the arrived jobs' client order ids are
   * already stored, while the sequencer runs and commits the jobs looked up before them. So the
   * lookup is off the commit cycle's path: a batch runs as soon as the previous one has committed.
   */
  private startLookups(): void {
    this.lookingUp ??= this.lookUpArrivals().finally(() => {
      this.lookingUp = null;
      if (this.arrivals.length > 0) this.startLookups();
    });
  }

  private async lookUpArrivals(): Promise<void> {
    // Let the requests that arrive in the same tick join the first lookup.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.arrivals.length > 0) {
      const jobs = this.arrivals.splice(0, BATCH_JOBS_MAX);
      const next = await this.lookUp(jobs);
      if (!next) continue;
      this.lookedUp.push(next);
      this.startSequencing();
    }
  }

  /** The stored client order ids of the jobs, or null (the jobs answered UNAVAILABLE) when the query fails. */
  private async lookUp(jobs: Job[]): Promise<LookedUp | null> {
    const epoch = this.guardEpoch;
    const startedMs = performance.now();
    try {
      const stored = await findStoredClOrdIds(this.lookups, jobs);
      return { jobs, stored, epoch, lookupMs: performance.now() - startedMs };
    } catch (error) {
      this.logger.error({ err: error, jobs: jobs.length }, 'client order ids could not be looked up');
      for (const job of jobs) job.reject(new Rejection('UNAVAILABLE', 'the request could not be checked; retry with the same clOrdId'));
      return null;
    }
  }

  private startSequencing(): void {
    this.sequencing ??= this.sequenceReady().finally(() => {
      this.sequencing = null;
      if (this.lookedUp.length > 0) this.startSequencing();
    });
  }

  /** Runs and commits the looked-up jobs, batch after batch, all that are ready (up to BATCH_JOBS_MAX) in each. */
  private async sequenceReady(): Promise<void> {
    while (this.lookedUp.length > 0) {
      const jobs: Job[] = [];
      const stored = new Map<string, { orderId: string; requestHash: string }>();
      let lookupMs = 0;
      while (this.lookedUp.length > 0 && jobs.length + this.lookedUp[0]!.jobs.length <= BATCH_JOBS_MAX) {
        let next: LookedUp | null = this.lookedUp.shift()!;
        if (next.epoch !== this.guardEpoch) next = await this.lookUp(next.jobs);
        if (!next) continue;
        jobs.push(...next.jobs);
        for (const [key, value] of next.stored) stored.set(key, value);
        lookupMs = Math.max(lookupMs, next.lookupMs);
      }
      if (jobs.length > 0) await this.runBatch(jobs, stored, lookupMs);
    }
  }

  private async runBatch(jobs: Job[], storedClOrdIds: StoredClOrdIds, lookupMs: number): Promise<void> {
    const state = this.state;
    if (!state) {
      for (const job of jobs) job.reject(new Rejection('UNAVAILABLE', 'the sequencer is starting'));
      return;
    }
    const batch = new Batch(storedClOrdIds);
    state.batch = batch;
    state.now = this.clock.now();
    const outcomes: { ok: boolean; value: unknown }[] = [];
    const startedMs = performance.now();
    try {
      for (const job of jobs) outcomes.push(runJob(state, job, this.logger));
      const ranMs = performance.now();
      await commitBatch(this.knex, batch, state.accounts);
      const committedMs = performance.now();
      // idleMs: how long the database waited for this batch after the previous one committed.
      this.logger.debug(
        { jobs: jobs.length, lookupMs, runMs: ranMs - startedMs, commitMs: committedMs - ranMs, idleMs: ranMs - this.lastCommittedMs },
        'batch committed',
      );
      this.lastCommittedMs = committedMs;
    } catch (error) {
      await this.failBatch(jobs, error);
      return;
    }
    state.batch = null;
    state.accounts.committed();
    if (state.afterCommit()) this.guardEpoch += 1;
    // The answers go out on the next turn of the event loop: by then the next batch has run and its
    // commit is on its way to the database, so writing the answers overlaps the next commit.
    setImmediate(() => {
      jobs.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.value);
      });
    });
    const committed: CommittedBatch = {
      events: batch.events,
      trades: batch.trades,
      orders: [...batch.orders.values()].map(orderToApi),
      lastSeq: state.lastSeq,
    };
    for (const listener of this.listeners) {
      try {
        listener(committed);
      } catch (error) {
        this.logger.error({ err: error }, 'a commit listener failed');
      }
    }
  }

  private async failBatch(jobs: Job[], error: unknown): Promise<void> {
    this.logger.error({ err: error, jobs: jobs.length }, 'batch failed; rebuilding the sequencer state from the database');
    for (const job of jobs) job.reject(new Rejection('UNAVAILABLE', 'the request could not be made durable; retry with the same clOrdId'));
    this.state = null;
    this.guardEpoch += 1;
    for (let attempt = 1; ; attempt++) {
      try {
        this.state = await this.recover();
        return;
      } catch (recoveryError) {
        this.logger.error({ err: recoveryError, attempt }, 'recovery failed');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }
}

/** The batch's client order ids that are already stored, from one query. */
async function findStoredClOrdIds(knex: Knex, jobs: readonly Job[]): Promise<StoredClOrdIds> {
  const partyIds: string[] = [];
  const clOrdIds: string[] = [];
  for (const job of jobs) {
    for (const key of job.clOrdIds ?? []) {
      partyIds.push(key.partyId);
      clOrdIds.push(key.clOrdId);
    }
  }
  const stored = new Map<string, { orderId: string; requestHash: string }>();
  if (partyIds.length === 0) return stored;
  // One statement text whatever the batch size (a row-value IN list would be a new statement per size).
  const result = await knex.raw(
    `select o.party_id, o.cl_ord_id, o.id, o.request_hash
       from unnest(?::uuid[], ?::text[]) as k(party_id, cl_ord_id)
       join orders o on o.party_id = k.party_id and o.cl_ord_id = k.cl_ord_id`,
    [partyIds, clOrdIds],
  );
  const rows = result.rows as { party_id: string; cl_ord_id: string; id: string; request_hash: string }[];
  for (const row of rows) stored.set(clOrdIdKey(row.party_id, row.cl_ord_id), { orderId: row.id, requestHash: row.request_hash });
  return stored;
}

/** A job that threw something other than a rejection, after its changes could not be undone. */
class UnrecoverableDefect extends Error {
  constructor(readonly defect: unknown) {
    super('a command failed after the engine had accepted it');
  }
}

/**
 * Runs one job. Rejections (Rejection) are the job's answer. Anything else is a defect of the
 * command (issue 14: one malformed order must not take its batch down): what the job changed is
 * undone and the job alone is answered COMMAND_FAILED, logged as a defect; the other jobs of the
 * batch run and commit as if it had never come. Only a defect after the engine accepted the job's
 * command cannot be undone in memory: that one still fails the batch (UnrecoverableDefect).
 */
function runJob(state: TradingState, job: Job, logger: Logger): { ok: boolean; value: unknown } {
  const mark = state.savepoint();
  try {
    const value = job.work(state);
    state.release();
    return { ok: true, value };
  } catch (error) {
    if (error instanceof Rejection) {
      state.release();
      return { ok: false, value: error };
    }
    if (!state.rollbackTo(mark)) throw new UnrecoverableDefect(error);
    logger.error({ err: error }, 'defect: a command threw; it was undone and rejected alone (COMMAND_FAILED)');
    return { ok: false, value: new Rejection('COMMAND_FAILED', 'the request could not be processed and was rejected; nothing changed') };
  }
}

/** Registers every listed note the engine does not know yet (a journaled register_note each). */
export function registerUnknownNotes(state: TradingState): number {
  const known = new Set(state.engine.noteIds());
  let registered = 0;
  for (const instrument of state.instruments.values()) {
    if (known.has(instrument.id)) continue;
    state.applyToEngine({
      kind: 'register_note',
      seq: state.nextSeq(),
      timestamp: state.now.getTime(),
      noteId: instrument.id,
      ...instrument.spec,
    });
    if (instrument.note.status === 'halted') {
      state.applyToEngine({ kind: 'halt', seq: state.nextSeq(), timestamp: state.now.getTime(), noteId: instrument.id });
    }
    registered += 1;
  }
  return registered;
}
