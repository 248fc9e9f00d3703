/**
 * A feed is one stream of channel messages shared by every subscriber who asked for the same
 * thing (a note's book at one depth, a note's tape, one party's orders, …): it keeps the state a
 * snapshot shows, accumulates what changed since the last fan-out cycle, and numbers its messages.
 * Two generic feeds live here: a list of recent items (tape, executions) and a keyed set whose
 * items are replaced by id (orders, RFQs, settlements).
 *
 * Guarantees: `seq` rises by exactly one per update a feed emits; a snapshot taken in a cycle
 * shows the state after that cycle's update, so it carries that update's seq; nothing is emitted
 * before the feed is ready (its initial state is loaded), and what arrived while it was loading
 * is folded into that state, never lost and never shown twice.
 * Never: read uncommitted trading state (feeds are fed from committed batches and bus events).
 */
import type { WsClient } from './client.js';
import type { ChannelPayload } from './protocol.js';

/**
 * One client's subscription to a feed: `joining` until its snapshot is sent, then `live`; `stale`
 * while its updates are being skipped because the client fell behind (conflatable feeds only).
 */
export class Subscription {
  state: 'joining' | 'live' | 'stale' = 'joining';
  constructor(
    readonly client: WsClient,
    readonly feed: Feed,
  ) {}
}

/**
 * Each client's subscriptions by channel name on the wire. Kept here rather than on WsClient, so
 * that the client (a connection) does not depend on feeds: the arrows point feed → client only.
 */
const subscriptionsByClient = new WeakMap<WsClient, Map<string, Subscription>>();

/** The client's subscriptions by channel name (created empty on first use). */
export function subscriptionsOf(client: WsClient): Map<string, Subscription> {
  let subscriptions = subscriptionsByClient.get(client);
  if (subscriptions === undefined) {
    subscriptions = new Map();
    subscriptionsByClient.set(client, subscriptions);
  }
  return subscriptions;
}

/**
 * Puts the client on `feed` as its subscription to `channel`, to be sent the feed's snapshot next.
 * Answers the subscription and the one it replaces, still attached: the hub detaches that only
 * after, so that a feed this client alone kept alive is reused, not reloaded.
 */
export function attachSubscription(
  client: WsClient,
  channel: string,
  feed: Feed,
): { subscription: Subscription; previous: Subscription | undefined } {
  const previous = subscriptionsOf(client).get(channel);
  const subscription = new Subscription(client, feed);
  feed.subscribers.add(subscription);
  feed.joining.push(subscription);
  subscriptionsOf(client).set(channel, subscription);
  return { subscription, previous };
}

export abstract class Feed {
  /** Seq of the last update emitted; a snapshot carries the seq of the state it shows. */
  seq = 0;
  ready = false;
  readonly subscribers = new Set<Subscription>();
  /** Subscriptions waiting for their first snapshot. */
  joining: Subscription[] = [];
  /** The snapshot built in cycle `snapshotCycle`, shared by everyone who needs one then. */
  snapshotCycle = -1;
  snapshot: ChannelPayload | null = null;
  /** Book and quote updates may be skipped for a client that falls behind: a snapshot catches it up. */
  abstract readonly conflatable: boolean;
  /** When the oldest change not yet emitted arrived (performance.now()), for the fan-out's latency figures. */
  changedAtMs: number | null = null;

  constructor(
    readonly key: string,
    /** The channel name on the wire. */
    readonly channel: string,
    private readonly markDirty: (feed: Feed) => void,
  ) {}

  /** What changed since the previous call, as the `data` of an update; null when nothing did. */
  abstract takeUpdate(): unknown;
  /** Updates takeUpdate() would still return in this cycle (a feed relaying a stream may hold several). */
  updatesWaiting(): number {
    return 0;
  }
  /**
   * A feed relaying a stream that fell behind it may turn its waiting updates into one snapshot for
   * its subscribers (server/bus/feeds.ts); true when it did. Feeds of the service merge their
   * changes by themselves and never do.
   */
  conflateBacklog(): boolean {
    return false;
  }
  /** The current state, as the `data` of a snapshot. */
  abstract snapshotData(): unknown;

  protected changed(): void {
    this.changedAtMs ??= performance.now();
    this.markDirty(this);
  }

  protected becomeReady(): void {
    this.ready = true;
    this.markDirty(this);
  }
}

/**
 * The most recent items of a stream, newest first (tape of a note, executions of a party).
 * Snapshot: `{...envelope, [field]: recent newest first}`; update: `{...envelope, [field]: new
 * items in the order they happened}`.
 */
export class RecentFeed<T extends { id: string } | { tradeId: string }> extends Feed {
  readonly conflatable = false;
  private recent: T[] = [];
  private pending: T[] = [];
  private early: T[] | null = [];

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    private readonly field: string,
    private readonly envelope: Record<string, unknown>,
    private readonly max: number,
  ) {
    super(key, channel, markDirty);
  }

  /** New items, oldest first. */
  add(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.early) {
      this.early.push(...items);
      return;
    }
    this.pending.push(...items);
    this.recent = [...items].reverse().concat(this.recent).slice(0, this.max);
    this.changed();
  }

  /** The stored history (newest first) arrived: what came in meanwhile is added unless already in it. */
  loaded(history: readonly T[]): void {
    const known = new Set(history.map(itemId));
    const meanwhile = (this.early ?? []).filter((item) => !known.has(itemId(item)));
    this.recent = meanwhile.reverse().concat(history).slice(0, this.max);
    this.early = null;
    this.becomeReady();
  }

  takeUpdate(): unknown {
    if (this.pending.length === 0) return null;
    const items = this.pending;
    this.pending = [];
    return { ...this.envelope, [this.field]: items };
  }

  snapshotData(): unknown {
    return { ...this.envelope, [this.field]: this.recent };
  }
}

function itemId(item: { id: string } | { tradeId: string }): string {
  return 'tradeId' in item ? item.tradeId : item.id;
}

/**
 * A set of items replaced by id (a party's open orders, open RFQs, settlement instructions).
 * Snapshot: `{[field]: items kept}`; update: `{[field]: the latest state of each item changed}`.
 * `keep` says whether an item stays in the snapshot state (an order that is no longer open does not).
 */
export class KeyedFeed<T> extends Feed {
  readonly conflatable = false;
  private readonly current = new Map<string, T>();
  private pending = new Map<string, T>();
  private early: Map<string, T> | null = new Map();

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    private readonly field: string,
    private readonly idOf: (item: T) => string,
    private readonly keep: (item: T) => boolean,
  ) {
    super(key, channel, markDirty);
  }

  upsert(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.early) {
      for (const item of items) this.early.set(this.idOf(item), item);
      return;
    }
    for (const item of items) {
      const id = this.idOf(item);
      this.pending.delete(id);
      this.pending.set(id, item);
      this.apply(id, item);
    }
    this.changed();
  }

  /** The initial state arrived; changes that came in meanwhile are newer and win. */
  loaded(initial: readonly T[]): void {
    for (const item of initial) this.apply(this.idOf(item), item);
    for (const [id, item] of this.early ?? []) this.apply(id, item);
    this.early = null;
    this.becomeReady();
  }

  takeUpdate(): unknown {
    if (this.pending.size === 0) return null;
    const items = [...this.pending.values()];
    this.pending = new Map();
    return { [this.field]: items };
  }

  snapshotData(): unknown {
    return { [this.field]: [...this.current.values()] };
  }

  private apply(id: string, item: T): void {
    if (this.keep(item)) this.current.set(id, item);
    else this.current.delete(id);
  }
}
