/**
 * The hub: which feeds exist and who is subscribed to each. Committed batches of the sequencer
 * feed the books, quotes, tapes, orders and executions; the event bus feeds RFQs and settlements;
 * feed-router.ts takes each to the feeds it concerns. Feeds are created on the first subscription
 * and dropped with the last one.
 *
 * Guarantees: market data is built only from committed batches, read at a commit boundary — in
 * the sequencer's commit listener, or while no batch is open — so no client ever sees a change
 * that could still be rolled back; a private feed is keyed by the party of the token and carries
 * only that party's data. A feed's initial state read from the database (tape, executions, RFQs,
 * settlements) goes through the service-wide snapshot scheduler (snapshots.ts), attributed to the
 * connection that asked for it: a read whose feed is dropped before it runs never runs, and one
 * whose feed is dropped while it runs has its result discarded.
 * Never: throw into the sequencer or the bus (a failing feed is logged and its subscribers told).
 */
import type { AppServices } from '../services.js';
import { orderToApi, type ApiOrder, type executionFor } from '../sequencer/records.js';
import { CommitBoundary } from '../sequencer/boundary.js';
import type { CommittedBatch, Sequencer } from '../sequencer/sequencer.js';
import type { TradingState } from '../sequencer/state.js';
import { partyExecutions, tape } from '../trading/queries.js';
import type { WsClient } from './client.js';
import { FanOut } from './fanout.js';
import { attachSubscription, type Feed, KeyedFeed, RecentFeed, type Subscription, subscriptionsOf } from './feed.js';
import { feedKey, type FeedRequest } from './feed-keys.js';
import { FeedRouter } from './feed-router.js';
import { BookFeed, LevelFormat } from './feeds/book.js';
import { QuotesFeed } from './feeds/quotes.js';
import { SettlementsFeed } from './feeds/settlements.js';
import { BalancesFeed } from './feeds/balances.js';
import type { WsLimits } from './limits.js';
import { openRfqs, type RfqView } from './open-rfqs.js';
import { errorMessage } from './protocol.js';
import { SnapshotReads, type SnapshotTicket } from './snapshots.js';

type Execution = ReturnType<typeof executionFor>;
type TapeEntry = Awaited<ReturnType<typeof tape>>[number];

/** Feeds whose snapshot is read from the database (the others are built from the trading state). */
const READ_FROM_DATABASE: ReadonlySet<FeedRequest['kind']> = new Set(['trades', 'executions', 'rfqs', 'settlements', 'balances']);

/**
 * What sessions and the gateway need of a hub: the in-process one below, or one fed by the bus
 * (server/bus/hub.ts). Both hand their feeds to the same fan-out and snapshot scheduler types.
 */
export interface FeedHub {
  readonly fanOut: FanOut;
  readonly snapshots: SnapshotReads;
  hasNote(noteId: string): boolean;
  snapshotReadsNeeded(requests: Iterable<FeedRequest>): number;
  snapshotQueueSpace(): number;
  subscribe(client: WsClient, channel: string, request: FeedRequest): Subscription;
  unsubscribe(client: WsClient, channel: string): void;
  removeClient(client: WsClient): void;
  close(): void;
}

export class Hub implements FeedHub {
  readonly fanOut: FanOut;
  private readonly feeds = new Map<string, Feed>();
  private readonly books = new Map<string, Set<BookFeed>>();
  private readonly formats = new Map<string, LevelFormat>();
  private readonly boundary: CommitBoundary;
  private readonly router: FeedRouter;
  private readonly unsubscribeBus: () => void;
  readonly snapshots: SnapshotReads;
  /** The snapshot read of each feed still loading from the database. */
  private readonly loads = new Map<Feed, SnapshotTicket>();

  constructor(
    private readonly services: AppServices,
    private readonly sequencer: Sequencer,
    private readonly limits: WsLimits,
    onSlowConsumer: (client: WsClient) => void,
  ) {
    this.fanOut = new FanOut(limits, services.logger, onSlowConsumer);
    this.snapshots = new SnapshotReads(limits);
    this.boundary = new CommitBoundary(sequencer, (error) =>
      services.logger.error({ err: error }, 'a WebSocket feed could not read the committed state'),
    );
    this.router = new FeedRouter(this.feeds, this.books, services.logger);
    sequencer.onCommit((batch) => this.onCommit(batch));
    this.unsubscribeBus = services.events.subscribe((event) => this.router.busEvent(event));
  }

  close(): void {
    this.unsubscribeBus();
    this.boundary.close();
  }

  /** Whether the note is listed for trading (a channel of an unknown note is refused). */
  hasNote(noteId: string): boolean {
    return this.sequencer.view((state) => state.instruments.has(noteId));
  }

  /** How many snapshot reads from the database subscribing to these feeds would queue. */
  snapshotReadsNeeded(requests: Iterable<FeedRequest>): number {
    let reads = 0;
    for (const request of requests) if (READ_FROM_DATABASE.has(request.kind) && !this.feeds.has(feedKey(request))) reads += 1;
    return reads;
  }

  snapshotQueueSpace(): number {
    return this.snapshots.space();
  }

  /** Subscribes (or resubscribes: a fresh snapshot follows) the client to the channel's feed. */
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

  private detach(subscription: Subscription): void {
    const feed = subscription.feed;
    feed.subscribers.delete(subscription);
    if (feed.subscribers.size === 0) {
      this.drop(feed);
      return;
    }
    // The read's owner left but others still wait for the snapshot: one of them owns it now.
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

  removeClient(client: WsClient): void {
    for (const channel of [...subscriptionsOf(client).keys()]) this.unsubscribe(client, channel);
    this.fanOut.forget(client);
  }

  private feedFor(client: WsClient, channel: string, request: FeedRequest): Feed {
    const key = feedKey(request);
    const existing = this.feeds.get(key);
    if (existing) return existing;
    const feed = this.createFeed(client, key, channel, request);
    this.feeds.set(key, feed);
    return feed;
  }

  private createFeed(client: WsClient, key: string, channel: string, request: FeedRequest): Feed {
    const mark = this.fanOut.markDirty;
    const db = this.services.knex;
    const limit = this.limits.recentTradesMax;
    switch (request.kind) {
      case 'book': {
        const feed = new BookFeed(key, channel, mark, request.noteId, request.depth, this.format(request.noteId));
        let byNote = this.books.get(request.noteId);
        if (!byNote) this.books.set(request.noteId, (byNote = new Set()));
        byNote.add(feed);
        this.whenAtBoundary(feed, (state) => feed.load(state.engine));
        return feed;
      }
      case 'quotes': {
        const feed = new QuotesFeed(key, channel, mark, request.noteId);
        this.whenAtBoundary(feed, (state) => feed.load(state));
        return feed;
      }
      case 'trades': {
        const feed = new RecentFeed<TapeEntry>(key, channel, mark, 'trades', { noteId: request.noteId }, limit);
        this.loadLater(
          client,
          feed,
          () => tape(db, { noteId: request.noteId, limit }),
          (items) => feed.loaded(items),
        );
        return feed;
      }
      case 'executions': {
        const feed = new RecentFeed<Execution>(key, channel, mark, 'executions', {}, limit);
        this.loadLater(
          client,
          feed,
          () => partyExecutions(db, request.principal.partyId, { limit }),
          (items) => feed.loaded(items),
        );
        return feed;
      }
      case 'orders': {
        const partyId = request.principal.partyId;
        const feed = new KeyedFeed<ApiOrder>(key, channel, mark, 'orders', (order) => order.id, isOpenOrder);
        this.whenAtBoundary(feed, (state) =>
          feed.loaded([...state.liveOrders.values()].filter((o) => o.partyId === partyId).map(orderToApi)),
        );
        return feed;
      }
      case 'rfqs': {
        const feed = new KeyedFeed<RfqView>(
          key,
          channel,
          mark,
          'rfqs',
          (rfq) => rfq.id,
          (rfq) => rfq.status === 'open',
        );
        this.loadLater(
          client,
          feed,
          () => openRfqs(db, request.principal, this.limits.rfqSnapshotMax, this.services.clock.now()),
          (items) => feed.loaded(items),
        );
        return feed;
      }
      case 'settlements': {
        const onReadError = (error: unknown) =>
          this.services.logger.error({ err: error, feed: key }, 'a settlements feed could not read its instructions');
        const feed = new SettlementsFeed(key, channel, mark, request.principal.partyId, db, onReadError);
        this.loadLater(
          client,
          feed,
          () => feed.load(this.limits.settlementSnapshotMax),
          () => undefined,
        );
        return feed;
      }
      case 'balances': {
        const onReadError = (error: unknown) =>
          this.services.logger.error({ err: error, feed: key }, 'a balances feed could not read its balances');
        const feed = new BalancesFeed(key, channel, mark, request.principal.partyId, db, onReadError);
        this.loadLater(
          client,
          feed,
          () => feed.load(),
          () => undefined,
        );
        return feed;
      }
    }
  }

  private drop(feed: Feed): void {
    if (this.feeds.get(feed.key) !== feed) return;
    this.feeds.delete(feed.key);
    const load = this.loads.get(feed);
    if (load) {
      this.loads.delete(feed);
      this.snapshots.cancel(load);
    }
    if (feed instanceof BookFeed) this.books.get(feed.noteId)?.delete(feed);
  }

  private format(noteId: string): LevelFormat {
    let format = this.formats.get(noteId);
    if (!format) {
      const instrument = this.sequencer.view((state) => state.instruments.get(noteId));
      if (!instrument) throw new Error(`note ${noteId} is not listed`);
      format = new LevelFormat(instrument);
      this.formats.set(noteId, format);
    }
    return format;
  }

  /**
   * Loads a feed's initial state from the database through the snapshot scheduler, as a read of
   * the client whose subscribe created the feed; on failure its subscribers are told and dropped.
   */
  private loadLater<T>(client: WsClient, feed: Feed, read: () => Promise<T>, loaded: (value: T) => void): void {
    const ticket = this.snapshots.enqueue(client, feed.channel, {
      read,
      apply: (value: T) => {
        this.loads.delete(feed);
        loaded(value);
      },
      fail: (error: unknown) => {
        this.loads.delete(feed);
        this.services.logger.warn({ err: error, feed: feed.key }, 'a WebSocket feed could not load its snapshot');
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

  /** Runs `read` on the committed state (sequencer/boundary.ts), unless the feed was dropped by then: churn leaves no work behind. */
  private whenAtBoundary(feed: Feed, read: (state: TradingState) => void): void {
    this.boundary.whenCommitted(read, () => this.feeds.get(feed.key) === feed);
  }

  /** The sequencer's commit listener: its state is exactly the committed one while this runs. */
  private onCommit(batch: CommittedBatch): void {
    this.sequencer.view((state) => {
      this.router.committed(batch, state);
      this.boundary.committed(state);
    });
  }
}

function isOpenOrder(order: ApiOrder): boolean {
  return order.status === 'new' || order.status === 'partially_filled';
}
