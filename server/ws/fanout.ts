/**
 * The fan-out cycle: turns what changed in the feeds into messages and writes them to the
 * subscribers, so that thousands of clients cost one serialisation per feed and one socket write
 * per client per cycle.
 *
 * A cycle runs as soon as the event loop is free after something changed; whatever changes while a
 * cycle is being written (at least a thousand clients per turn of the event loop, so that order
 * entry and commits run in between) and while it rests afterwards (half as long as it kept the loop
 * busy, less what it lent the loop between turns and while waiting to start) is merged into the
 * next one — book levels conflate, lists append — so the cycle rate adapts to the load, fan-out
 * takes about two thirds of the loop at most and, when order entry is saturated, at least, and
 * nothing queues without bound. In a cycle:
 * 1. each changed feed emits at most one update (seq + 1), serialised once;
 * 2. subscribers that joined (or re-joined after a gap) get a snapshot, serialised once per feed;
 * 3. each client's messages of the cycle are written with one socket write — as frames of their
 *    own, or as one JSON array frame for clients that asked for batch mode — and clients with the
 *    same messages share the very same buffer: a client's messages of the cycle are a path in a
 *    per-cycle tree of message combinations (a MessageSet), so that a client costs no array, no
 *    string key and no lookup by content, and each distinct combination is framed once.
 *
 * Slow consumers: a client that is behind — more unsent bytes than the soft limit, or a lag probe
 * (a ping written behind its frames) unanswered for longer than lagMaxMs, which catches a client
 * that is behind while the kernel's socket buffers still absorb its backlog — stops receiving book
 * and quote updates (its subscription goes stale); once it has caught up, it gets a fresh snapshot
 * whose seq is the feed's current one, so it converges on the latest book and its seq says it skipped.
 * A client above the hard limit is told SLOW_CONSUMER and disconnected; no one else waits for it.
 */
import type { Logger } from 'pino';
import type { WsClient } from './client.js';
import { subscriptionsOf, type Feed, type Subscription } from './feed.js';
import type { WsLimits } from './limits.js';
import { LatencyHistogram } from './latency.js';
import { batchFrame, channelPayload, type ChannelPayload } from './protocol.js';

/** A ping with the payload "l": the lag probe. Its pong echoes the payload. */
export const LAG_PROBE_FRAME = Buffer.from([0x89, 0x01, 0x6c]);

/** Clients written between two looks at the clock in a turn that must last a minimum time. */
const WRITES_BETWEEN_CLOCK_READS = 64;

/** A cycle being written: its clients, how far it got, and how the loop was shared so far. */
interface CycleWrite {
  readonly touched: WsClient[];
  next: number;
  /** Time the cycle kept the loop busy (building and writing). */
  busyMs: number;
  /** Time the loop spent elsewhere between the cycle's turns. */
  lentMs: number;
  /** When the last turn yielded the loop (performance.now()), or null before the second turn. */
  yieldedAtMs: number | null;
  readonly changedAtMs: number | null;
}

export class FanOut {
  private readonly dirty = new Set<Feed>();
  private readonly staleClients = new Set<WsClient>();
  private cycleNo = 0;
  private phase: 'idle' | 'scheduled' | 'writing' | 'resting' = 'idle';
  /** Something changed while a cycle was being written or resting. */
  private wanted = false;
  private touched: WsClient[] = [];
  /** The empty combination of the current cycle: every client's messages of the cycle start here. */
  private root = new MessageSet([]);
  /** Channel messages and client writes made, cycles run and their duration, for the logs. */
  messagesWritten = 0;
  writes = 0;
  bytesWritten = 0;
  cycles = 0;
  /** Book and quote subscriptions set stale because their client was behind (slow-consumer conflations). */
  staleMarks = 0;
  cycleMsTotal = 0;
  cycleMsMax = 0;
  /** From a committed change to the write of the update carrying it, per client written. */
  readonly publishLatency = new LatencyHistogram();
  private cycleChangedAtMs: number | null = null;
  /** When the scheduled cycle could have started: its rest's planned end, or the change that woke an idle fan-out. */
  private readyAtMs = 0;

  constructor(
    private readonly limits: WsLimits,
    private readonly logger: Logger,
    private readonly onSlowConsumer: (client: WsClient) => void,
  ) {}

  readonly markDirty = (feed: Feed): void => {
    this.dirty.add(feed);
    this.schedule();
  };

  /** The client's socket drained: its stale subscriptions can catch up now. */
  drained(client: WsClient): void {
    if (this.staleClients.has(client)) this.schedule();
  }

  /** The client answered its lag probe: it has read everything sent before it. */
  lagProbeAnswered(client: WsClient): void {
    client.lagProbeSentAtMs = null;
    if (this.staleClients.has(client)) this.schedule();
  }

  forget(client: WsClient): void {
    this.staleClients.delete(client);
  }

  /** Runs a cycle soon; if one is being written or resting, right after it. */
  private schedule(readyAtMs = performance.now()): void {
    if (this.phase !== 'idle') {
      this.wanted = true;
      return;
    }
    this.phase = 'scheduled';
    this.readyAtMs = readyAtMs;
    setImmediate(() => this.run());
  }

  private run(): void {
    const startedMs = performance.now();
    // The loop was busy elsewhere between the moment this cycle could start and now (order entry,
    // commits, I/O that queued while the last cycle was written): that is lent time like the gaps
    // between turns, so the rest after this cycle is shorter by it and order entry's share of the
    // loop stays a third rather than a third plus whatever overran the rest.
    const lateMs = Math.max(0, startedMs - this.readyAtMs);
    this.wanted = false;
    this.phase = 'writing';
    let touched: WsClient[] = [];
    this.cycleChangedAtMs = null;
    try {
      const cycle = ++this.cycleNo;
      this.root = new MessageSet([]);
      const feeds = [...this.dirty];
      this.dirty.clear();
      for (const feed of feeds) this.publish(feed, cycle);
      this.catchUp(cycle);
    } catch (error) {
      this.logger.error({ err: error }, 'a WebSocket fan-out cycle failed');
    } finally {
      touched = this.touched;
      this.touched = [];
    }
    this.writeTurn({
      touched,
      next: 0,
      busyMs: performance.now() - startedMs,
      lentMs: lateMs,
      yieldedAtMs: null,
      changedAtMs: this.cycleChangedAtMs,
    });
  }

  /**
   * Writes the cycle's frames a turn of the event loop at a time, so that order entry and commits
   * run in between, and shares the loop between them and the fan-out: fan-out takes at most
   * 1 / (1 + fanOutRestRatio) of it (two thirds by default), the rest of the service at least the remainder.
   * - A turn writes at least fanOutClientsPerTurn clients, and, when the loop was away for G ms
   *   since the previous turn (order entry, commits, reads), for at least G / fanOutRestRatio ms:
   *   when the service is saturated with order entry, the fan-out still gets its share instead of
   *   a thousand clients per whole backlog drained.
   * - After the cycle, the loop rests fanOutRestRatio times as long as the cycle kept it busy, less
   *   what the cycle already lent it between turns and while waiting to start (a rest timer fires
   *   late, and a cycle starts after the I/O queued behind the last one); what changes meanwhile
   *   merges into the next cycle.
   */
  private writeTurn(turn: CycleWrite): void {
    const startedMs = performance.now();
    if (turn.yieldedAtMs !== null) turn.lentMs += startedMs - turn.yieldedAtMs;
    const minimumMs = turn.yieldedAtMs === null ? 0 : (startedMs - turn.yieldedAtMs) / this.limits.fanOutRestRatio;
    const { touched, changedAtMs } = turn;
    const perTurn = this.limits.fanOutClientsPerTurn;
    let i = turn.next;
    let end = Math.min(touched.length, i + perTurn);
    for (;;) {
      for (; i < end; i++) this.write(touched[i]!, changedAtMs);
      if (i >= touched.length || performance.now() - startedMs >= minimumMs) break;
      end = Math.min(touched.length, i + WRITES_BETWEEN_CLOCK_READS);
    }
    turn.next = i;
    turn.busyMs += performance.now() - startedMs;
    if (i < touched.length) {
      turn.yieldedAtMs = performance.now();
      setImmediate(() => this.writeTurn(turn));
      return;
    }
    this.cycles += 1;
    this.cycleMsTotal += turn.busyMs;
    this.cycleMsMax = Math.max(this.cycleMsMax, turn.busyMs);
    this.phase = 'resting';
    const restMs = turn.busyMs * this.limits.fanOutRestRatio - turn.lentMs;
    const restEndsAtMs = performance.now() + Math.max(0, restMs);
    const next = () => {
      this.phase = 'idle';
      if (this.wanted || this.dirty.size > 0) this.schedule(restEndsAtMs);
    };
    if (restMs < 1) next();
    else setTimeout(next, restMs);
  }

  private publish(feed: Feed, cycle: number): void {
    if (!feed.ready) return;
    // A feed relaying a stream (server/bus/feeds.ts) may hold several updates, each with the seq the
    // stream gave it: each goes out as an update of its own (the others hold at most one) — unless
    // it is a book or quotes feed that fell behind the stream, which gives its subscribers one
    // snapshot instead, as a slow client gets.
    if (feed.conflateBacklog() && feed.changedAtMs !== null) {
      this.cycleChangedAtMs = Math.min(this.cycleChangedAtMs ?? feed.changedAtMs, feed.changedAtMs);
      feed.changedAtMs = null;
    }
    while (feed.updatesWaiting() > 1) this.publishNext(feed, cycle);
    this.publishNext(feed, cycle);
  }

  private publishNext(feed: Feed, cycle: number): void {
    const data = feed.takeUpdate();
    if (data !== null && feed.changedAtMs !== null)
      this.cycleChangedAtMs = Math.min(this.cycleChangedAtMs ?? feed.changedAtMs, feed.changedAtMs);
    feed.changedAtMs = null;
    if (data !== null && feed.subscribers.size > 0) {
      feed.seq += 1;
      const frame = channelPayload(feed.channel, 'update', feed.seq, data);
      for (const subscription of feed.subscribers) {
        if (subscription.state !== 'live') continue;
        if (feed.conflatable && this.isCongested(subscription.client, cycle)) {
          subscription.state = 'stale';
          this.staleMarks += 1;
          this.staleClients.add(subscription.client);
          continue;
        }
        this.enqueue(subscription.client, cycle, frame);
        subscription.client.updated = true;
      }
    } else if (data !== null) {
      feed.seq += 1;
    }
    if (feed.joining.length === 0) return;
    const joining = feed.joining;
    feed.joining = [];
    for (const subscription of joining) {
      if (!this.isCurrent(subscription) || subscription.state !== 'joining') continue;
      this.sendSnapshot(subscription, cycle);
    }
  }

  /** Stale subscriptions of clients that have drained get a fresh snapshot. */
  private catchUp(cycle: number): void {
    for (const client of this.staleClients) {
      if (!client.open) {
        this.staleClients.delete(client);
        continue;
      }
      if (this.isCongested(client, cycle)) continue;
      for (const subscription of subscriptionsOf(client).values()) {
        if (subscription.state === 'stale' && subscription.feed.ready) this.sendSnapshot(subscription, cycle);
      }
      this.staleClients.delete(client);
    }
  }

  private sendSnapshot(subscription: Subscription, cycle: number): void {
    const feed = subscription.feed;
    if (feed.snapshotCycle !== cycle || feed.snapshot === null) {
      feed.snapshot = channelPayload(feed.channel, 'snapshot', feed.seq, feed.snapshotData());
      feed.snapshotCycle = cycle;
    }
    subscription.state = 'live';
    this.enqueue(subscription.client, cycle, feed.snapshot);
  }

  private enqueue(client: WsClient, cycle: number, message: ChannelPayload): void {
    if (client.cycle !== cycle) {
      client.cycle = cycle;
      client.messages = this.root;
      client.updated = false;
      this.touched.push(client);
    }
    client.messages = (client.messages as MessageSet).with(message);
  }

  /**
   * One write per client: its messages as frames of their own, or as one array frame in batch
   * mode, and the lag probe behind them when one is due; built once per combination in a cycle.
   */
  private write(client: WsClient, changedAtMs: number | null): void {
    const messages = client.messages as MessageSet;
    client.messages = null;
    if (!client.open) return;
    if (client.unsentBytes > this.limits.sendBufferHardBytes) {
      this.onSlowConsumer(client);
      return;
    }
    const now = performance.now();
    const probe = client.lagProbeSentAtMs === null && now - client.lastLagProbeAtMs >= this.limits.lagProbeIntervalMs;
    if (probe) {
      client.lagProbeSentAtMs = now;
      client.lastLagProbeAtMs = now;
    }
    const frames = messages.bytes(client.batchFrames, probe);
    client.writeFrames(frames);
    this.writes += 1;
    this.bytesWritten += frames.length;
    this.messagesWritten += messages.payloads.length;
    if (changedAtMs !== null && client.updated) this.publishLatency.add(now - changedAtMs);
  }

  private isCongested(client: WsClient, cycle: number): boolean {
    if (client.congestionCycle !== cycle) {
      client.congestionCycle = cycle;
      const probe = client.lagProbeSentAtMs;
      client.congested =
        client.unsentBytes > this.limits.sendBufferSoftBytes || (probe !== null && performance.now() - probe > this.limits.lagMaxMs);
    }
    return client.congested;
  }

  private isCurrent(subscription: Subscription): boolean {
    return subscriptionsOf(subscription.client).get(subscription.feed.channel) === subscription && subscription.client.open;
  }
}

/**
 * The channel messages one client gets in a cycle, in order, shared by every client that gets the
 * same ones: a node of the cycle's tree of combinations, whose children extend it by one message.
 * Clients subscribed to the same channels walk the same path, so a cycle creates one node per
 * distinct combination, however many clients there are, and frames each one once.
 */
export class MessageSet {
  private children: Map<ChannelPayload, MessageSet> | null = null;
  /** The bytes to write: [frames, batch, frames + probe, batch + probe]. */
  private readonly built: (Buffer | undefined)[] = [];

  constructor(readonly payloads: readonly ChannelPayload[]) {}

  /** This combination followed by `message`. */
  with(message: ChannelPayload): MessageSet {
    this.children ??= new Map();
    let child = this.children.get(message);
    if (child === undefined) {
      child = new MessageSet([...this.payloads, message]);
      this.children.set(message, child);
    }
    return child;
  }

  /** The bytes of one client's write: its messages, and the lag probe behind them when one is due. */
  bytes(batch: boolean, probe: boolean): Buffer {
    const slot = (batch ? 1 : 0) + (probe ? 2 : 0);
    let buffer = this.built[slot];
    if (buffer === undefined) {
      if (!batch && !probe && this.payloads.length === 1) buffer = this.payloads[0]!.frame;
      else {
        const frames = batch ? batchFrame(this.payloads) : Buffer.concat(this.payloads.map((payload) => payload.frame));
        buffer = probe ? Buffer.concat([frames, LAG_PROBE_FRAME]) : frames;
      }
      this.built[slot] = buffer;
    }
    return buffer;
  }
}
