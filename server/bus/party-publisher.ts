/**
 * The private-feed publisher: a party's `rfqs`, `settlements` and `balances` channels on JetStream
 * (`cnx.feed.<kind>.<partyId>`), with the same payloads the in-process feeds send (ws/hub.ts,
 * ws/feeds/settlements.ts, ws/feeds/balances.ts), for gateways to relay.
 *
 * These channels change on commits the sequencer's batch messages do not describe — RFQ activity,
 * settlement runs and cancels, cash movements — so, as in process, they are driven by signals
 * emitted after the commit (the sequencer's commit listener for trades, orders and holds; the
 * event bus for the rest) and read from the database then.
 * - `rfqs` and `settlements` (one lane, first in first out): each signal becomes one message per
 *   party concerned — the RFQ as that party sees it; the instructions of the batch's trades, of the
 *   run, or the one cancelled, each as that party sees it (items replaced by id, as in process).
 * - `balances` (a lane of its own): a signal marks the parties concerned; a read of all marked
 *   parties' balances follows, and a party's list is published only when it differs from the last
 *   one on its subject (as in process: whole list, sent when it changed). Signals that arrive
 *   while a read waits fold into it, so a burst of quotes costs one read.
 *
 * Seq and snapshots: SubjectWriter numbers each subject 1, 2, 3, … (message id `<subject>:<seq>`,
 * so a retried publish is stored once). A snapshot is read in its lane, between two signals: every
 * signal before it is stored (its seq is the subject's seq then), and every commit after the read
 * signals after it, so its changes carry a higher seq; a commit between its signal and the read
 * may show in both — an item or list the client already holds, replaced by the same value.
 *
 * Restarts: balances are compared with each subject's last message at start (every party marked),
 * so a change whose signal was lost in a crash is published then. A lost RFQ or settlement signal
 * cannot be found again from the database, so the lane records on PRIVATE_MARKER_SUBJECT whether
 * it stopped cleanly (everything signalled stored); after a crash — or when its queue overflowed
 * or a read failed — it publishes `{resync: true}` on every rfqs and settlements subject, and
 * gateways answer it as a gap: their subscribers get a fresh snapshot whose seq follows it.
 * Never: throw into the sequencer or the event bus, block a commit, or publish a subject's messages
 * out of order.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { BusEvent, EventBus } from '../events/bus.js';
import { balancesOfParties } from '../ledger/index.js';
import { instructionAsSeenBy } from '../settlement/privacy.js';
import type { CommittedBatch, Sequencer } from '../sequencer/sequencer.js';
import type { Bus } from './connection.js';
import { instructionsByParty } from './party-reads.js';
import { SubjectWriter } from './subject-writer.js';
import { channelSubject, FEED_PREFIX, PRIVATE_MARKER_SUBJECT, type BusKind } from './subjects.js';

/** Signals the RFQ and settlement lane holds before it gives way to a resync. */
export const PARTY_QUEUE_MAX = 10_000;
/** Items per message: a run's thousands of instructions of one party go out as several messages. */
export const ITEMS_PER_MESSAGE = 200;
/** A pause after each balances read, so that a burst of commits folds into the next read. */
const BALANCES_PAUSE_MS = 25;
const FAILED_READ_RETRY_MS = 500;

type Signal =
  | { type: 'trades'; tradeIds: string[]; batch: number }
  | { type: 'run'; runId: string; date: string }
  | { type: 'instruction'; instruction: { buyerPartyId: string | null; sellerPartyId: string | null }; partyIds: string[] }
  | { type: 'rfq'; views: Map<string, unknown> }
  | {
      type: 'snapshot';
      kind: BusKind;
      key: string;
      read: () => Promise<unknown>;
      resolve: (r: SnapshotAt) => void;
      reject: (e: Error) => void;
    }
  | { type: 'resync' }
  | { type: 'start' };

export interface SnapshotAt {
  seq: number;
  batch: number;
  data: unknown;
}

type BalanceWaiter = { key: string; resolve: (r: SnapshotAt) => void; reject: (e: Error) => void };

export class PartyPublisher {
  private writer: SubjectWriter;
  private queue: Signal[] = [];
  private dirty = new Set<string>();
  private allDirty = false;
  private balanceSnapshots: BalanceWaiter[] = [];
  private wakeActivity: (() => void) | null = null;
  private wakeBalances: (() => void) | null = null;
  private loops: Promise<void>[] = [];
  private busy = { activity: false, balances: false };
  private closed = false;
  private listening = false;
  private counters = { signals: 0, resyncs: 0, overflows: 0, balanceReads: 0 };
  /** Items per message (tests lower it to see a long list split). */
  itemsPerMessage = ITEMS_PER_MESSAGE;

  constructor(
    private readonly bus: Bus,
    private readonly sequencer: Sequencer,
    private readonly events: EventBus,
    private readonly knex: Knex,
    private readonly logger: Logger,
    private readonly options: { queueMax?: number } = {},
  ) {
    this.writer = new SubjectWriter(bus, logger);
  }

  /** Listens to commits and the event bus and starts both lanes (after a crash, with a resync). */
  start(): void {
    if (!this.listening) {
      this.listening = true;
      this.sequencer.onCommit((batch) => this.guard(() => this.onCommit(batch)));
      this.events.subscribe((event) => this.guard(() => this.onEvent(event)));
    }
    this.closed = false;
    this.queue.unshift({ type: 'start' });
    this.allDirty = true;
    this.loops = [this.runActivity(), this.runBalances()];
  }

  /** Stops once everything signalled is stored, recording a clean stop (no resync at the next start). */
  async close(): Promise<void> {
    const clean = await Promise.race([
      this.flushed().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
    ]);
    if (clean) {
      await this.writer.publish(PRIVATE_MARKER_SUBJECT, 'settlements', '', this.lastSeq(), { clean: true }).catch(() => undefined);
    }
    this.stop();
    await Promise.all(this.loops);
  }

  /** Tests: stops as a crashed process would — what is queued is lost, no clean marker. */
  async crash(): Promise<void> {
    this.stop();
    await Promise.all(this.loops);
    this.queue = [];
    this.dirty.clear();
    this.writer = new SubjectWriter(this.bus, this.logger);
  }

  private stop(): void {
    this.closed = true;
    this.writer.closed = true;
    for (const item of this.queue.splice(0)) if (item.type === 'snapshot') item.reject(new Error('the publisher closed'));
    for (const waiter of this.balanceSnapshots.splice(0)) waiter.reject(new Error('the publisher closed'));
    this.wakeActivity?.();
    this.wakeBalances?.();
  }

  /** Resolves when every signal so far is stored (tests, shutdown). */
  async flushed(): Promise<void> {
    while (
      !this.closed &&
      (this.queue.length > 0 ||
        this.dirty.size > 0 ||
        this.allDirty ||
        this.balanceSnapshots.length > 0 ||
        this.busy.activity ||
        this.busy.balances)
    )
      await new Promise((r) => setTimeout(r, 5));
  }

  stats() {
    return { queued: this.queue.length, messages: this.writer.messages, retries: this.writer.retries, ...this.counters };
  }

  /**
   * A snapshot of a private channel with the seq of its subject at the read (see the header):
   * `read` runs in the channel's lane, after every signal before it is stored.
   */
  snapshot(kind: BusKind, key: string, read: () => Promise<unknown>): Promise<SnapshotAt> {
    if (this.closed) return Promise.reject(new Error('the publisher is closed'));
    return new Promise((resolve, reject) => {
      if (kind === 'balances') {
        this.balanceSnapshots.push({ key, resolve, reject });
        this.wakeBalances?.();
      } else {
        this.enqueue({ type: 'snapshot', kind, key, read, resolve, reject });
      }
    });
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.error({ err: error }, 'the private-feed publisher could not take a signal; resyncing');
      this.enqueue({ type: 'resync' });
    }
  }

  private onCommit(batch: CommittedBatch): void {
    for (const order of batch.orders) this.markBalances(order.partyId);
    for (const trade of batch.trades) {
      this.markBalances(trade.buyerPartyId);
      this.markBalances(trade.sellerPartyId);
    }
    // Each trade's instruction was created in the same commit: its parties see it as pending.
    if (batch.trades.length > 0) this.enqueue({ type: 'trades', tradeIds: batch.trades.map((t) => t.id), batch: batch.lastSeq });
  }

  private onEvent(event: BusEvent): void {
    switch (event.kind) {
      case 'settlement_changed':
        // A cancelled instruction releases its trade's holds.
        for (const partyId of event.partyIds) this.markBalances(partyId);
        this.enqueue({ type: 'instruction', instruction: event.instruction, partyIds: event.partyIds });
        return;
      case 'balances_changed':
        for (const partyId of event.partyIds) this.markBalances(partyId);
        return;
      case 'executions_adjusted':
        for (const partyId of event.views.keys()) this.markBalances(partyId);
        return;
      case 'settlement_run':
        // A run moves face and cash and consumes holds: every party's balances may have changed.
        this.allDirty = true;
        this.wakeBalances?.();
        this.enqueue({ type: 'run', runId: event.runId, date: event.date });
        return;
      default:
        this.enqueue({ type: 'rfq', views: event.views });
    }
  }

  private markBalances(partyId: string | null): void {
    if (!partyId) return;
    this.dirty.add(partyId);
    this.wakeBalances?.();
  }

  private enqueue(signal: Signal): void {
    if (this.closed) {
      if (signal.type === 'snapshot') signal.reject(new Error('the publisher is closed'));
      return;
    }
    this.counters.signals += 1;
    if (signal.type !== 'snapshot' && signal.type !== 'resync' && this.queue.length >= (this.options.queueMax ?? PARTY_QUEUE_MAX)) {
      this.overflow();
      return;
    }
    this.queue.push(signal);
    this.wakeActivity?.();
  }

  /** The queued signals give way to one resync: their changes reach clients as fresh snapshots. */
  private overflow(): void {
    this.counters.overflows += 1;
    this.logger.warn({ queued: this.queue.length }, 'the private-feed publisher queue is full; resyncing instead');
    this.queue = this.queue.filter((s) => s.type === 'snapshot' || s.type === 'start');
    this.queue.push({ type: 'resync' });
  }

  private lastSeq(): number {
    try {
      return this.sequencer.view((state) => state.lastSeq);
    } catch {
      return 0;
    }
  }

  private async runActivity(): Promise<void> {
    while (!this.closed) {
      const signal = this.queue.shift();
      if (!signal) {
        await new Promise<void>((resolve) => {
          this.wakeActivity = resolve;
        });
        this.wakeActivity = null;
        continue;
      }
      this.busy.activity = true;
      try {
        if (signal.type === 'trades') {
          // Batches waiting behind it are read with it: one query for all their trades' instructions.
          while (this.queue[0]?.type === 'trades') signal.tradeIds.push(...(this.queue.shift() as typeof signal).tradeIds);
        }
        await this.process(signal);
      } catch (error) {
        if (this.closed) break;
        this.logger.error({ err: error, signal: signal.type }, 'the private-feed publisher failed on a signal; resyncing');
        if (signal.type === 'snapshot') signal.reject(error as Error);
        this.queue.unshift({ type: 'resync' });
        await new Promise((resolve) => setTimeout(resolve, FAILED_READ_RETRY_MS));
      } finally {
        this.busy.activity = false;
      }
    }
  }

  private async process(signal: Signal): Promise<void> {
    switch (signal.type) {
      case 'start': {
        const marker = await this.writer.head(PRIVATE_MARKER_SUBJECT);
        const crashed = marker.seq > 0 && !(marker.data as { clean?: boolean } | null)?.clean;
        if (crashed) await this.resync();
        await this.writer.publish(PRIVATE_MARKER_SUBJECT, 'settlements', '', this.lastSeq(), { clean: false });
        return;
      }
      case 'resync':
        await this.resync();
        return;
      case 'snapshot': {
        const head = await this.writer.head(channelSubject(signal.kind, signal.key));
        const data = await signal.read();
        signal.resolve({ seq: head.seq, batch: this.lastSeq(), data });
        return;
      }
      case 'rfq':
        for (const [partyId, view] of signal.views) await this.send('rfqs', partyId, [view]);
        return;
      case 'instruction':
        // Its own side only, as GET /settlements and the run's messages show it.
        for (const partyId of new Set(signal.partyIds))
          await this.send('settlements', partyId, [instructionAsSeenBy(signal.instruction, partyId)]);
        return;
      case 'trades':
        await this.sendAll(await instructionsByParty(this.knex, (q) => q.whereIn('trade_id', signal.tradeIds)), signal.batch);
        return;
      case 'run':
        await this.sendAll(
          await instructionsByParty(this.knex, (q) =>
            q.where((w) =>
              w.where('run_id', signal.runId).orWhere((f) => f.where('status', 'failed').andWhere('last_attempt_date', signal.date)),
            ),
          ),
        );
        return;
    }
  }

  private async sendAll(byParty: Map<string, unknown[]>, batch = this.lastSeq()): Promise<void> {
    for (const [partyId, items] of byParty) await this.send('settlements', partyId, items, batch);
  }

  /** The items as one message (several for a long list) on the party's subject. */
  private async send(kind: 'rfqs' | 'settlements', partyId: string, items: readonly unknown[], batch = this.lastSeq()): Promise<void> {
    for (let i = 0; i < items.length; i += this.itemsPerMessage) {
      await this.writer.publish(channelSubject(kind, partyId), kind, partyId, batch, { items: items.slice(i, i + this.itemsPerMessage) });
    }
  }

  /** `{resync: true}` on every rfqs and settlements subject: gateways reload those feeds from a fresh snapshot. */
  private async resync(): Promise<void> {
    this.counters.resyncs += 1;
    for (const kind of ['rfqs', 'settlements'] as const) {
      for (const subject of await this.writer.subjects(`${FEED_PREFIX}.${kind}.*`)) {
        const partyId = subject.slice(`${FEED_PREFIX}.${kind}.`.length);
        await this.writer.publish(subject, kind, partyId, this.lastSeq(), { resync: true });
      }
    }
  }

  private async runBalances(): Promise<void> {
    while (!this.closed) {
      if (this.balanceSnapshots.length === 0 && this.dirty.size === 0 && !this.allDirty) {
        await new Promise<void>((resolve) => {
          this.wakeBalances = resolve;
        });
        this.wakeBalances = null;
        continue;
      }
      this.busy.balances = true;
      const all = this.allDirty;
      const parties = [...this.dirty];
      const waiters = this.balanceSnapshots.splice(0);
      this.allDirty = false;
      this.dirty.clear();
      try {
        await this.publishBalances(all, parties, waiters);
      } catch (error) {
        if (this.closed) break;
        this.logger.error({ err: error }, 'the private-feed publisher could not read balances; retrying');
        this.allDirty ||= all;
        for (const partyId of parties) this.dirty.add(partyId);
        this.balanceSnapshots.unshift(...waiters);
        await new Promise((resolve) => setTimeout(resolve, FAILED_READ_RETRY_MS));
      } finally {
        this.busy.balances = false;
      }
      await new Promise((resolve) => setTimeout(resolve, BALANCES_PAUSE_MS));
    }
  }

  /** One read of the marked parties (and snapshot askers); a list is published when it differs from its subject's last. */
  private async publishBalances(all: boolean, parties: string[], waiters: BalanceWaiter[]): Promise<void> {
    const asked = [...parties, ...waiters.map((w) => w.key)];
    const balances = await balancesOfParties(this.knex, all ? null : asked);
    this.counters.balanceReads += 1;
    const batch = this.lastSeq();
    // A snapshot asker's list is published too when it moved (its signal may still be on the way):
    // the snapshot then carries the seq of the message that shows it, as every gateway sees it.
    const marked = new Set([...(all ? balances.keys() : []), ...parties, ...waiters.map((w) => w.key)]);
    for (const partyId of marked) {
      const data = { balances: balances.get(partyId) ?? [] };
      const subject = channelSubject('balances', partyId);
      if (JSON.stringify((await this.writer.head(subject)).data) === JSON.stringify(data)) continue;
      await this.writer.publish(subject, 'balances', partyId, batch, data);
    }
    for (const waiter of waiters) {
      const head = await this.writer.head(channelSubject('balances', waiter.key));
      waiter.resolve({ seq: head.seq, batch, data: { balances: balances.get(waiter.key) ?? [] } });
    }
  }
}
