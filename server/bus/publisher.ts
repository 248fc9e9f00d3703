/**
 * The publisher: after each committed batch, its public and private channel messages go to
 * JetStream — a note's book levels, tape and quotes, a party's orders and executions — one
 * message per channel touched, numbered 1, 2, 3, … per channel (its `seq`), followed by a batch
 * marker that records the batch as fully published.
 *
 * Decoupled from the commit path: the commit listener only prepares the batch's messages (from
 * the committed state, at the commit boundary) and appends them to a bounded queue; an async loop
 * publishes them in commit order. The loop falling behind is measured (queue depth, commit →
 * stored latency) and logged, and never blocks the sequencer. When the queue is full, the queued
 * batches are dropped from memory and replaced by a recovery from the database (below), so memory
 * stays bounded and nothing is lost.
 *
 * Exactly once, across restarts and crashes:
 * - a publish is retried until JetStream acknowledges it, with the message id `<subject>:<seq>`,
 *   so a retry after a lost acknowledgement is stored once (JetStream deduplication);
 * - the per-channel seq continues from the last message stored on the channel's subject, read
 *   back from the stream when the channel is first published in this process;
 * - on start (and after an overflow) the publisher recovers from what is durable: the last batch
 *   marker says which batch was fully published; the trades (`trades.seq`) and orders
 *   (`orders.updated_seq`) committed after it are read from the database and published, less
 *   what the channel's last stored message already carries (a crash in the middle of a batch
 *   leaves some channels published and others not); each note's book and quotes are published
 *   as a reset (the full state at the recovery boundary). A fresh stream (no marker) starts at
 *   the current state: gateways take snapshots for what came before.
 * Never: throw into the sequencer, publish a batch before an earlier one, or block order entry.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { orderFromRow, orderToApi, tradeFromRow, type ApiOrder } from '../sequencer/records.js';
import type { EventBus } from '../events/bus.js';
import { CommitBoundary } from '../sequencer/boundary.js';
import type { CommittedBatch, Sequencer } from '../sequencer/sequencer.js';
import type { TradingState } from '../sequencer/state.js';
import { LatencyHistogram } from '../ws/latency.js';
import { ensureStream, type Bus } from './connection.js';
import { itemIds, merge, push, tradeMessages, type Outgoing } from './batch-messages.js';
import { BatchPreparer } from './batch-preparer.js';
import { SubjectWriter } from './subject-writer.js';
import { BATCH_MARKER_SUBJECT, channelSubject, type BusKind, type BusLevel } from './subjects.js';

/** Batches the queue holds before it is replaced by a recovery from the database. */
export const PUBLISH_QUEUE_MAX = 10_000;
const BEHIND_LOG_INTERVAL_MS = 5_000;
/** Queued batches published together when the loop is behind (one message per channel for all of them). */
const GROUP_BATCHES_MAX = 500;

type Item =
  | { type: 'batch'; lastSeq: number; messages: Outgoing[]; tradeIdsAtSeq: string[]; committedAtMs: number }
  /** Executions re-amounted by a distribution (not a sequencer batch): each party's views, behind the batches before them. */
  | { type: 'adjusted'; messages: Outgoing[] }
  | { type: 'marker'; subject: string; resolve: (seq: number) => void; reject: (error: Error) => void }
  | { type: 'recover' };

/** What the subject's last stored message says: its seq, batch, and the ids of the items it carried. */
interface SubjectState {
  seq: number;
  batch: number;
  ids: ReadonlySet<string>;
}

export interface PublisherStats {
  /** Batches waiting to be published, now and at most since the last reset. */
  queued: number;
  peakQueued: number;
  batches: number;
  messages: number;
  /** Retried publishes (NATS away or slow). */
  retries: number;
  /** Times the queue was full and replaced by a recovery from the database. */
  overflows: number;
  recoveries: number;
  /** From the commit listener to JetStream's acknowledgement of the batch's last message. */
  lagMs: { p50: number; p99: number; samples: number };
}

export class BusPublisher {
  private readonly queue: Item[] = [];
  private batchesQueued = 0;
  /** A recovery is queued and has not read its boundary yet: committed batches are left to it. */
  private recovering = false;
  private readonly recovered: (() => void)[] = [];
  private readonly preparer = new BatchPreparer();
  private readonly boundary: CommitBoundary;
  /** The last batch marker being stored (markers are stored one after another). */
  private markerInFlight: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private closed = false;
  private lastBehindLogMs = 0;
  /**
   * The last batch whose messages were published: an adjustment carries it as its batch, so that a
   * recovery (which trusts a subject's last batch as stored) republishes anything dropped before it.
   */
  private lastPublishedSeq = 0;
  private counters = { peakQueued: 0, batches: 0, overflows: 0, recoveries: 0 };
  /** Numbers each subject's messages and stores them once (shared rule with the private-feed publisher). */
  private readonly writer: SubjectWriter;
  readonly lag = new LatencyHistogram();
  /** Batches the queue may hold before it gives way to a recovery from the database. */
  queueMax: number;
  /** Tests: publish this many more channel messages, then stop as a crashed process would. */
  crashAfterMessages: number | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly sequencer: Sequencer,
    private readonly knex: Knex,
    private readonly logger: Logger,
    options: { queueMax?: number } = {},
  ) {
    this.queueMax = options.queueMax ?? PUBLISH_QUEUE_MAX;
    this.writer = new SubjectWriter(bus, logger);
    this.boundary = new CommitBoundary(sequencer, (error) => {
      this.logger.error({ err: error }, 'the bus publisher could not read the committed state; recovering from the database');
      this.overflow();
    });
  }

  /**
   * Listens to commits (and to re-amounted executions on the event bus) and starts the loop,
   * beginning with a recovery. Call once the sequencer runs.
   */
  start(events: EventBus): void {
    this.sequencer.onCommit((batch) => this.onCommit(batch));
    events.subscribe((event) => {
      if (event.kind === 'executions_adjusted') this.enqueueAdjusted(event.views);
    });
    this.queueRecovery();
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.writer.closed = true;
    this.boundary.close();
    this.wake?.();
    await this.loop;
    await this.markerInFlight;
    for (const item of this.queue) if (item.type === 'marker') item.reject(new Error('the publisher closed'));
  }

  /** Resolves when everything committed so far is stored in JetStream (tests, shutdown). */
  async flushed(): Promise<void> {
    while (!this.closed && (this.queue.length > 0 || this.recovering || this.busy || this.markerInFlight !== null))
      await new Promise((r) => setTimeout(r, 5));
  }

  stats(): PublisherStats {
    return {
      queued: this.batchesQueued,
      ...this.counters,
      messages: this.writer.messages,
      retries: this.writer.retries,
      lagMs: { p50: this.lag.percentile(50), p99: this.lag.percentile(99), samples: this.lag.count },
    };
  }

  resetStats(): void {
    this.counters = { peakQueued: this.batchesQueued, batches: 0, overflows: 0, recoveries: 0 };
    this.writer.messages = 0;
    this.writer.retries = 0;
    this.lag.reset();
  }

  /**
   * A snapshot of a channel consistent with its stream: `read` runs on the committed state at a
   * commit boundary, and the seq returned is the channel's seq after every batch up to that
   * boundary — so the messages with a higher seq are exactly the changes the snapshot lacks.
   * `readLater` (database reads) gets the boundary's sequence number to bound its query.
   */
  async snapshot<T>(kind: BusKind, key: string, read: (state: TradingState) => T): Promise<{ seq: number; batch: number; data: T }> {
    while (this.recovering) await new Promise<void>((resolve) => this.recovered.push(resolve));
    const subject = channelSubject(kind, key);
    return new Promise((resolve, reject) => {
      this.boundary.whenCommitted((state) => {
        let data: T;
        try {
          data = read(state);
        } catch (error) {
          reject(error as Error);
          return;
        }
        const batch = state.lastSeq;
        this.queue.push({ type: 'marker', subject, resolve: (seq) => resolve({ seq, batch, data }), reject });
        this.wake?.();
      });
    });
  }

  private onCommit(batch: CommittedBatch): void {
    try {
      this.sequencer.view((state) => {
        if (!this.recovering) this.enqueueBatch(batch, state);
        this.boundary.committed(state);
      });
    } catch (error) {
      this.logger.error({ err: error }, 'the bus publisher could not prepare a batch; recovering from the database');
      this.overflow();
    }
  }

  private enqueueBatch(batch: CommittedBatch, state: TradingState): void {
    const messages = this.preparer.messagesOf(batch, state);
    if (messages.length === 0) return;
    if (this.batchesQueued >= this.queueMax) {
      this.overflow();
      return;
    }
    this.queue.push({
      type: 'batch',
      lastSeq: batch.lastSeq,
      messages,
      tradeIdsAtSeq: batch.trades.filter((t) => t.seq === batch.lastSeq).map((t) => t.id),
      committedAtMs: performance.now(),
    });
    this.batchesQueued += 1;
    this.counters.peakQueued = Math.max(this.counters.peakQueued, this.batchesQueued);
    const now = performance.now();
    if (this.batchesQueued > 100 && now - this.lastBehindLogMs > BEHIND_LOG_INTERVAL_MS) {
      this.lastBehindLogMs = now;
      this.logger.warn({ queued: this.batchesQueued }, 'the bus publisher is behind the sequencer');
    }
    this.wake?.();
  }

  /**
   * A distribution re-amounted trades: each party's adjusted executions go out on its executions
   * subject in queue order, numbered after what is queued before them. The recovery cannot find
   * them again (they are not batches), so an overflow keeps them queued; their batch is the last
   * one published before them, so a recovery still republishes what the overflow dropped. A crash
   * before they are stored leaves them to the next snapshot, which reads the adjustments from the
   * database.
   */
  private enqueueAdjusted(views: ReadonlyMap<string, unknown[]>): void {
    const messages: Outgoing[] = [...views].map(([partyId, items]) => ({ kind: 'executions', key: partyId, data: { items } }));
    if (messages.length === 0) return;
    this.queue.push({ type: 'adjusted', messages });
    this.wake?.();
  }

  /** The queue is full (or a batch could not be prepared): its batches give way to a recovery. */
  private overflow(): void {
    this.counters.overflows += 1;
    this.logger.warn({ queued: this.batchesQueued }, 'the bus publisher queue is full; recovering from the database instead');
    // Snapshots waiting for their seq were read at boundaries whose batches are now dropped (the
    // recovery republishes them with later seqs): they fail, and their gateways ask again.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i]!;
      if (item.type === 'recover' || item.type === 'adjusted') continue;
      this.queue.splice(i, 1);
      if (item.type === 'marker') item.reject(new Error('the publisher is recovering; ask again'));
    }
    this.batchesQueued = 0;
    this.queueRecovery();
  }

  private queueRecovery(): void {
    if (this.recovering) return;
    this.recovering = true;
    this.queue.push({ type: 'recover' });
    this.wake?.();
  }

  /** The full book of a note as bus levels, best first on each side (snapshots and recovery resets). */
  bookLevels(state: TradingState, noteId: string): BusLevel[] {
    return this.preparer.bookLevels(state, noteId);
  }

  private busy = false;

  private async run(): Promise<void> {
    await this.writer.retrying('create the stream', () => ensureStream(this.bus));
    while (!this.closed) {
      const item = this.queue.shift();
      if (!item) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      this.busy = true;
      try {
        if (item.type === 'batch') {
          // The batches waiting behind it go out with it: one message per channel for all of them.
          const group = [item];
          while (group.length < GROUP_BATCHES_MAX && this.queue[0]?.type === 'batch') group.push(this.queue.shift() as typeof item);
          this.batchesQueued -= group.length;
          const last = group.at(-1)!;
          await this.publishBatch(last.lastSeq, merge(group), last.tradeIdsAtSeq, performance.timeOrigin + item.committedAtMs);
          const now = performance.now();
          for (const batch of group) this.lag.add(now - batch.committedAtMs);
          this.counters.batches += group.length;
        } else if (item.type === 'adjusted') {
          const batch = this.lastPublishedSeq;
          await Promise.all(item.messages.map((message) => this.publish(channelSubject(message.kind, message.key), message, batch)));
        } else if (item.type === 'marker') {
          item.resolve((await this.writer.head(item.subject)).seq);
        } else {
          await this.recover();
        }
      } catch (error) {
        if (this.closed) break;
        this.logger.error({ err: error }, 'the bus publisher failed; recovering from the database');
        this.overflow();
      } finally {
        this.busy = false;
      }
    }
  }

  /**
   * One message per channel (channels are distinct, so they are stored concurrently: the order
   * that matters is within a channel), then the batch marker once all are stored. The marker is
   * not waited for: the next batch's channel messages go out while it is stored (markers stay in
   * order among themselves). A crash before it is stored only makes the recovery start from an
   * earlier marker, and the recovery skips what each channel already holds.
   */
  private async publishBatch(lastSeq: number, messages: readonly Outgoing[], tradeIdsAtSeq: readonly string[], at?: number): Promise<void> {
    await Promise.all(messages.map((message) => this.publish(channelSubject(message.kind, message.key), message, lastSeq, at)));
    this.lastPublishedSeq = lastSeq;
    const previous = this.markerInFlight;
    const marker = (async () => {
      await previous;
      await this.publish(BATCH_MARKER_SUBJECT, { kind: 'trades', key: '', data: { items: tradeIdsAtSeq.map((id) => ({ id })) } }, lastSeq);
    })();
    const settled = marker.catch(() => undefined);
    this.markerInFlight = settled;
    void settled.finally(() => {
      if (this.markerInFlight === settled) this.markerInFlight = null;
    });
  }

  private async publish(subject: string, message: Outgoing, batch: number, at?: number): Promise<void> {
    if (this.crashAfterMessages !== null) {
      if (this.crashAfterMessages <= 0) {
        this.closed = true;
        this.writer.closed = true;
        throw new Error('crashed (test)');
      }
      this.crashAfterMessages -= 1;
    }
    await this.writer.publish(subject, message.kind, message.key, batch, message.data, at);
  }

  /** The subject's last stored message: its seq, batch and the ids of the items it carried. */
  private async subjectState(subject: string): Promise<SubjectState> {
    const head = await this.writer.head(subject);
    return { seq: head.seq, batch: head.batch, ids: itemIds(head.data) };
  }

  /**
   * Publishes what was committed after the last fully published batch and is not yet stored: the
   * trades and orders from the database, each note's book and quotes as a reset. The boundary is
   * read first; batches committed after it are queued as usual, behind the recovery.
   */
  private async recover(): Promise<void> {
    this.counters.recoveries += 1;
    await this.markerInFlight;
    const marker = await this.subjectState(BATCH_MARKER_SUBJECT);
    const fresh = marker.seq === 0;
    const boundary = await new Promise<{ lastSeq: number; books: Outgoing[]; caps: Map<string, string | undefined> }>((resolve) =>
      this.boundary.whenCommitted((state) => {
        const books: Outgoing[] = [];
        const caps = new Map<string, string | undefined>();
        for (const [noteId, instrument] of state.instruments) {
          caps.set(noteId, instrument.note.disseminationCap);
          if (fresh) continue;
          books.push(...this.preparer.resets(state, noteId));
        }
        // From here on, committed batches are queued behind this recovery.
        this.recovering = false;
        for (const resolve of this.recovered.splice(0)) resolve();
        resolve({ lastSeq: state.lastSeq, books, caps });
      }),
    );
    if (fresh) {
      await this.publishBatch(boundary.lastSeq, [], []);
      return;
    }
    const from = marker.batch;
    const seenAtFrom = marker.ids;
    const tradeRows: Record<string, unknown>[] = await this.knex('trades')
      .where('seq', '>=', from)
      .andWhere('seq', '<=', boundary.lastSeq)
      .orderBy([{ column: 'seq' }, { column: 'executed_at' }, { column: 'id' }])
      .select('*');
    const trades = tradeRows.map(tradeFromRow).filter((t) => t.seq > from || !seenAtFrom.has(t.id));
    const orderRows: Record<string, unknown>[] = await this.knex('orders')
      .where('updated_seq', '>', from)
      .andWhere('updated_seq', '<=', boundary.lastSeq)
      .orderBy([{ column: 'updated_seq' }, { column: 'id' }])
      .select('*');
    const messages: Outgoing[] = [...boundary.books];
    messages.push(...tradeMessages(trades, (noteId) => boundary.caps.get(noteId), true));
    const orders = new Map<string, { order: ApiOrder; seq: number }[]>();
    for (const row of orderRows) {
      const record = orderFromRow(row);
      push(orders, record.partyId, { order: orderToApi(record), seq: record.updatedSeq });
    }
    for (const [partyId, items] of orders) {
      messages.push({
        kind: 'orders',
        key: partyId,
        data: { items: items.map((i) => i.order) },
        items: items.map((i) => ({ seq: i.seq, id: i.order.id })),
      });
    }
    const unsent: Outgoing[] = [];
    for (const message of messages) {
      const kept = await this.unpublished(message);
      if (kept) unsent.push(kept);
    }
    this.logger.info({ from, to: boundary.lastSeq, messages: unsent.length }, 'the bus publisher recovered from the database');
    await this.publishBatch(
      boundary.lastSeq,
      unsent,
      trades.filter((t) => t.seq === boundary.lastSeq).map((t) => t.id),
    );
  }

  /** The part of a recovered message its subject does not hold yet (null when it holds all of it). */
  private async unpublished(message: Outgoing): Promise<Outgoing | null> {
    if (!message.items) return message;
    const last = await this.subjectState(channelSubject(message.kind, message.key));
    const keep = message.items.map((item) => item.seq > last.batch || (item.seq === last.batch && !last.ids.has(item.id)));
    if (!keep.some(Boolean)) return null;
    const data = message.data as { items: unknown[] };
    return { kind: message.kind, key: message.key, data: { ...data, items: data.items.filter((_, i) => keep[i]) } };
  }
}
