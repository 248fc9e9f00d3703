/**
 * The hub of a gateway fed by the bus (`npm run gateway`, or the service itself with NATS_URL):
 * the same role as ws/hub.ts — which feeds exist, who is subscribed — but a feed's snapshot comes
 * from the service by request/reply and its changes from the stream (one ordered consumer per
 * gateway over every channel subject), so the gateway holds no state of its own beyond what its
 * clients watch, and any number of gateways show the same seq streams.
 *
 * Channels: book, trades and quotes of a note; a party's orders, executions, RFQs (as the
 * investor or as a dealer: two feeds on the party's one subject, each with its own snapshot),
 * settlement instructions and balances — every channel of /ws.
 * Guarantees: a snapshot is applied before any message of its channel, and messages at or below
 * its seq are skipped (feeds.ts); the snapshot requests go through the same per-connection
 * scheduler as the service's database snapshots (ws/snapshots.ts); a gap in a channel's messages
 * resyncs that feed from a fresh snapshot, as does a `{resync: true}` message (party-publisher.ts).
 * Never: let a failing feed or a malformed message reach another feed.
 */
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { FanOut } from '../ws/fanout.js';
import { attachSubscription, type Feed, type Subscription, subscriptionsOf } from '../ws/feed.js';
import type { FeedRequest } from '../ws/feed-keys.js';
import type { FeedHub } from '../ws/hub.js';
import type { WsClient } from '../ws/client.js';
import { LatencyHistogram } from '../ws/latency.js';
import type { WsLimits } from '../ws/limits.js';
import { errorMessage } from '../ws/protocol.js';
import { SnapshotReads, type SnapshotTicket } from '../ws/snapshots.js';
import { ensureStream, type Bus } from './connection.js';
import { RelayBalancesFeed, RelayBookFeed, type RelayFeed, RelayKeyedFeed, RelayQuotesFeed, RelayRecentFeed } from './feeds.js';
import { isOpenInstruction } from './party-reads.js';
import {
  channelSubject,
  FEED_SUBJECTS,
  RPC_NOTES,
  RPC_SNAPSHOT,
  STREAM,
  type BusKind,
  type BusMessage,
  type SnapshotReply,
} from './subjects.js';

const NOTES_REFRESH_MS = 2_000;
/** A pull's lifetime: heartbeats at half of it tell the ordered consumer quickly that the server went away. */
const CONSUME_EXPIRES_MS = 5_000;
const REQUEST_TIMEOUT_MS = 5_000;

export interface BusHubStats {
  /** Messages received from the stream, and those that reached a feed. */
  received: number;
  routed: number;
  /** Gaps found (a feed resynced from a fresh snapshot). */
  gaps: number;
  /** From the service's commit to this gateway's receipt of the message (same-clock hosts only). */
  busHopMs: { p50: number; p99: number; samples: number };
}

export class BusHub implements FeedHub {
  readonly fanOut: FanOut;
  readonly snapshots: SnapshotReads;
  private readonly feeds = new Map<string, RelayFeed>();
  private readonly bySubject = new Map<string, Set<RelayFeed>>();
  private readonly loads = new Map<Feed, SnapshotTicket>();
  /** What each feed was created for: asked again on a resync (a party's RFQ role included). */
  private readonly requests = new Map<RelayFeed, FeedRequest>();
  private notes = new Set<string>();
  private messages: ConsumerMessages | null = null;
  private notesTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private counters = { received: 0, routed: 0, gaps: 0 };
  /** The stream sequence of the last message received (where a new consumer resumes). */
  private lastStreamSeq = 0;
  readonly busHop = new LatencyHistogram();
  /** Tests: drop the next message on this subject that would reach a feed (the gap check must notice). */
  dropNextOn: string | null = null;
  /** Tests: while not null, messages wait here instead of reaching their feeds (a gateway fallen behind). */
  private held: { feeds: Set<RelayFeed>; body: BusMessage }[] | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly limits: WsLimits,
    private readonly logger: Logger,
    onSlowConsumer: (client: WsClient) => void,
  ) {
    this.fanOut = new FanOut(limits, logger, onSlowConsumer);
    this.snapshots = new SnapshotReads(limits);
  }

  /** Reads the listed notes and starts following the stream; resolves once both are in place. */
  async start(): Promise<void> {
    await ensureStream(this.bus);
    // The service may start after the gateway: wait for it to answer rather than fail.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.refreshNotes();
        break;
      } catch (error) {
        if (attempt === 1 || attempt % 30 === 0) this.logger.warn({ err: error, attempt }, 'the service does not answer yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    this.notesTimer = setInterval(() => void this.refreshNotes().catch(() => undefined), NOTES_REFRESH_MS);
    this.notesTimer.unref();
    this.messages = await this.consume();
    void this.follow(this.messages);
    void this.watchReconnects();
  }

  /** An ordered consumer over every channel subject: new messages, or those after the last one received. */
  private async consume(): Promise<ConsumerMessages> {
    const consumer = await this.bus.js.consumers.get(
      STREAM,
      this.lastStreamSeq === 0
        ? { filter_subjects: FEED_SUBJECTS, deliver_policy: DeliverPolicy.New }
        : { filter_subjects: FEED_SUBJECTS, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastStreamSeq + 1 },
    );
    return consumer.consume({ expires: CONSUME_EXPIRES_MS });
  }

  /**
   * After NATS reconnects (a restarted server has lost the ephemeral consumer), the consumer is
   * made again from the message after the last one received, at once rather than when its
   * heartbeats are missed: nothing is skipped, nothing delivered twice.
   */
  private async watchReconnects(): Promise<void> {
    for await (const status of this.bus.nc.status()) {
      if (this.closed) return;
      if (status.type !== 'reconnect') continue;
      const old = this.messages;
      this.messages = null;
      void old?.close();
      for (let attempt = 1; !this.closed && this.messages === null; attempt++) {
        try {
          this.messages = await this.consume();
          void this.follow(this.messages);
        } catch (error) {
          if (attempt === 1 || attempt % 20 === 0)
            this.logger.warn({ err: error, attempt }, 'the bus consumer could not be made again; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * attempt)));
        }
      }
    }
  }

  close(): void {
    this.closed = true;
    if (this.notesTimer) clearInterval(this.notesTimer);
    void this.messages?.close();
  }

  stats(): BusHubStats {
    return { ...this.counters, busHopMs: { p50: this.busHop.percentile(50), p99: this.busHop.percentile(99), samples: this.busHop.count } };
  }

  resetStats(): void {
    this.counters = { received: 0, routed: 0, gaps: 0 };
    this.busHop.reset();
  }

  private async follow(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const message of messages) {
        if (messages !== this.messages) break;
        if (message.seq <= this.lastStreamSeq) continue;
        this.lastStreamSeq = message.seq;
        this.counters.received += 1;
        const feeds = this.bySubject.get(message.subject);
        if (!feeds || feeds.size === 0) continue;
        if (this.dropNextOn === message.subject) {
          this.dropNextOn = null;
          continue;
        }
        let body: BusMessage;
        try {
          body = message.json<BusMessage>();
        } catch (error) {
          this.logger.error({ err: error, subject: message.subject }, 'a bus message is not JSON');
          continue;
        }
        if (typeof body.at === 'number') this.busHop.add(performance.timeOrigin + performance.now() - body.at);
        this.counters.routed += 1;
        if (this.held) this.held.push({ feeds, body });
        else this.deliver(feeds, body);
      }
    } catch (error) {
      if (!this.closed) this.logger.error({ err: error }, 'the bus consumer stopped');
    }
  }

  private deliver(feeds: Set<RelayFeed>, body: BusMessage): void {
    for (const feed of feeds) {
      try {
        feed.receive(body);
      } catch (error) {
        this.logger.error({ err: error, feed: feed.key }, 'a bus feed failed on a message');
      }
    }
  }

  /** Tests: holds the stream's messages back, as a gateway too busy to read them would. */
  holdDeliveries(): void {
    this.held ??= [];
  }

  /** Tests: hands every held message to its feeds at once (one fan-out cycle sees them all). */
  releaseDeliveries(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const { feeds, body } of held) this.deliver(feeds, body);
  }

  private async refreshNotes(): Promise<void> {
    const reply = await this.bus.nc.request(RPC_NOTES, '{}', { timeout: REQUEST_TIMEOUT_MS });
    const body = reply.json<{ ok: boolean; notes: string[] }>();
    if (body.ok) this.notes = new Set(body.notes);
  }

  hasNote(noteId: string): boolean {
    return this.notes.has(noteId);
  }

  snapshotReadsNeeded(requests: Iterable<FeedRequest>): number {
    let reads = 0;
    for (const request of requests) if (!this.feeds.has(feedKey(request))) reads += 1;
    return reads;
  }

  snapshotQueueSpace(): number {
    return this.snapshots.space();
  }

  subscribe(client: WsClient, channel: string, request: FeedRequest): Subscription {
    const feed = this.feedFor(client, channel, request);
    const { subscription, previous } = attachSubscription(client, channel, feed);
    if (previous) this.detach(previous);
    if (feed.ready) this.fanOut.markDirty(feed);
    return subscription;
  }

  unsubscribe(client: WsClient, channel: string): void {
    const subscription = subscriptionsOf(client).get(channel);
    if (!subscription) return;
    subscriptionsOf(client).delete(channel);
    this.detach(subscription);
  }

  removeClient(client: WsClient): void {
    for (const channel of [...subscriptionsOf(client).keys()]) this.unsubscribe(client, channel);
    this.fanOut.forget(client);
  }

  private detach(subscription: Subscription): void {
    const feed = subscription.feed as RelayFeed;
    feed.subscribers.delete(subscription);
    if (feed.subscribers.size === 0) {
      this.drop(feed);
      return;
    }
    const load = this.loads.get(feed);
    if (load && load.owner === subscription.client) {
      let heir: WsClient | null = null;
      for (const other of feed.subscribers) {
        heir ??= other.client;
        if (other.client === subscription.client) return;
      }
      if (heir) this.snapshots.transfer(load, heir);
    }
  }

  private drop(feed: RelayFeed): void {
    if (this.feeds.get(feed.key) !== feed) return;
    this.feeds.delete(feed.key);
    this.requests.delete(feed);
    this.bySubject.get(feed.subject)?.delete(feed);
    if (this.bySubject.get(feed.subject)?.size === 0) this.bySubject.delete(feed.subject);
    const load = this.loads.get(feed);
    if (load) {
      this.loads.delete(feed);
      this.snapshots.cancel(load);
    }
  }

  private feedFor(client: WsClient, channel: string, request: FeedRequest): RelayFeed {
    const key = feedKey(request);
    const existing = this.feeds.get(key);
    if (existing) return existing;
    const feed = this.createFeed(key, channel, request);
    this.feeds.set(key, feed);
    this.requests.set(feed, request);
    let followers = this.bySubject.get(feed.subject);
    if (!followers) this.bySubject.set(feed.subject, (followers = new Set()));
    followers.add(feed);
    this.load(client, feed, request);
    return feed;
  }

  private createFeed(key: string, channel: string, request: FeedRequest): RelayFeed {
    const mark = this.fanOut.markDirty;
    const onGap = (feed: RelayFeed) => this.resync(feed);
    const max = this.limits.recentTradesMax;
    switch (request.kind) {
      case 'book':
        return new RelayBookFeed(key, channel, mark, channelSubject('book', request.noteId), onGap, request.noteId, request.depth);
      case 'quotes':
        return new RelayQuotesFeed(key, channel, mark, channelSubject('quotes', request.noteId), onGap);
      case 'trades':
        return new RelayRecentFeed(
          key,
          channel,
          mark,
          channelSubject('trades', request.noteId),
          onGap,
          'trades',
          { noteId: request.noteId },
          max,
        );
      case 'executions':
        return new RelayRecentFeed(
          key,
          channel,
          mark,
          channelSubject('executions', request.principal.partyId),
          onGap,
          'executions',
          {},
          max,
        );
      case 'orders':
        return new RelayKeyedFeed(key, channel, mark, channelSubject('orders', request.principal.partyId), onGap, 'orders', isOpenOrder);
      case 'rfqs':
        return new RelayKeyedFeed(key, channel, mark, channelSubject('rfqs', request.principal.partyId), onGap, 'rfqs', isOpenRfq);
      case 'settlements':
        return new RelayKeyedFeed(
          key,
          channel,
          mark,
          channelSubject('settlements', request.principal.partyId),
          onGap,
          'settlements',
          isOpenInstruction,
        );
      case 'balances':
        return new RelayBalancesFeed(key, channel, mark, channelSubject('balances', request.principal.partyId), onGap);
    }
  }

  /** Asks the service for the feed's snapshot, through the snapshot scheduler, as a read of `client`. */
  private load(client: WsClient, feed: RelayFeed, request: FeedRequest): void {
    const [kind, key] = busChannel(request);
    const role = request.kind === 'rfqs' ? { role: rfqRole(request.principal) } : {};
    const ticket = this.snapshots.enqueue(client, feed.channel, {
      read: async () => {
        const reply = await this.bus.nc.request(RPC_SNAPSHOT, JSON.stringify({ kind, key, ...role }), { timeout: REQUEST_TIMEOUT_MS });
        const body = reply.json<SnapshotReply>();
        if (!body.ok) throw new Error(`${body.code}: ${body.message}`);
        return body;
      },
      apply: (body) => {
        this.loads.delete(feed);
        feed.loaded(body.seq, body.data);
      },
      fail: (error: unknown) => {
        this.loads.delete(feed);
        this.logger.warn({ err: error, feed: feed.key }, 'a bus feed could not load its snapshot');
        for (const subscription of [...feed.subscribers]) {
          subscription.client.send(
            errorMessage('UNAVAILABLE', 'the snapshot could not be read; subscribe again', { channel: feed.channel }),
          );
          this.unsubscribe(subscription.client, feed.channel);
        }
      },
    });
    this.loads.set(feed, ticket);
  }

  /** A gap in the feed's messages: a fresh snapshot replaces its state (its subscribers get it). */
  private resync(feed: RelayFeed): void {
    this.counters.gaps += 1;
    this.logger.warn({ feed: feed.key }, 'a gap in a bus channel; resyncing from a fresh snapshot');
    const owner = feed.subscribers.values().next().value?.client;
    if (!owner || this.loads.has(feed)) return;
    const request = this.requests.get(feed);
    if (request) this.load(owner, feed, request);
  }
}

function isOpenOrder(order: { status?: string }): boolean {
  return order.status === 'new' || order.status === 'partially_filled';
}

function isOpenRfq(rfq: { status?: string }): boolean {
  return rfq.status === 'open';
}

/** As ws/hub.ts: a party with the investor role sees its own RFQs, otherwise those addressed to it as a dealer. */
function rfqRole(principal: { roles: readonly string[] }): 'investor' | 'dealer' {
  return principal.roles.includes('investor') ? 'investor' : 'dealer';
}

function busChannel(request: FeedRequest): [BusKind, string] {
  if ('noteId' in request) return [request.kind, request.noteId];
  return [request.kind as BusKind, request.principal.partyId];
}

function feedKey(request: FeedRequest): string {
  if (request.kind === 'book') return `book:${request.noteId}#${request.depth}`;
  if ('noteId' in request) return `${request.kind}:${request.noteId}`;
  if (request.kind === 'rfqs') return `rfqs@${request.principal.partyId}#${rfqRole(request.principal)}`;
  return `${request.kind}@${request.principal.partyId}`;
}
