/**
 * Feeds of a gateway fed by the bus: the same Feed (ws/feed.ts) the fan-out serves, but their
 * state comes from a snapshot of the service and the channel's messages on the stream, and their
 * seq is the stream's: each bus message becomes exactly one update, with the message's seq, so
 * every gateway shows every client the same seq stream.
 *
 * Guarantees: messages are applied in seq order, each once; one with a seq at or below what the
 * state already holds is ignored (the snapshot covers it); a gap (a seq skipped) stops the feed
 * from applying anything further and asks for a fresh snapshot (`onGap`) — its subscribers then
 * get that snapshot, whose seq says what they skipped, as after falling behind; so does a message
 * `{resync: true}` (the private-feed publisher after a crash: changes it may have lost); the state a
 * snapshot shows is always the state after the update carrying the feed's seq (updates waiting
 * for the fan-out are applied only when they are emitted).
 * A gateway behind the stream conflates as it does for a slow client: when a book or quotes feed
 * holds more than RELAY_CONFLATE_AFTER messages in one cycle, they are applied at once and its
 * subscribers get one fresh snapshot with the seq of the last of them, instead of one update per
 * message (a gateway that fell behind would otherwise write ever larger frames and fall further
 * behind). Every gateway still numbers the channel alike: the snapshot's seq is the stream's.
 */
import { Feed } from '../ws/feed.js';
import type { BusLevel, BusMessage } from './subjects.js';

/**
 * Messages a feed may hold for the fan-out (each goes out as an update of its own, with its seq);
 * beyond this the gateway is behind the stream, and the feed resyncs from a fresh snapshot instead
 * of queueing without bound — its clients get that snapshot, as slow consumers do.
 */
export const RELAY_BACKLOG_MAX = 256;
/** More messages than this waiting on a conflatable feed in one cycle: one snapshot instead (see above). */
export const RELAY_CONFLATE_AFTER = 4;

export abstract class RelayFeed extends Feed {
  /** Messages that arrived while the snapshot was being fetched. */
  private early: BusMessage[] | null = [];
  private readonly pending: BusMessage[] = [];
  /** Seq of the last message accepted (applied or waiting for the fan-out). */
  private received = 0;

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    /** The subject this feed follows. */
    readonly subject: string,
    private readonly onGap: (feed: RelayFeed) => void,
  ) {
    super(key, channel, markDirty);
  }

  /** Builds the state from a snapshot's data. */
  protected abstract reset(data: unknown): void;
  /** Applies a message's data to the state; returns the update's data. */
  protected abstract apply(data: unknown): unknown;

  receive(message: BusMessage): void {
    if (this.early) {
      this.early.push(message);
      return;
    }
    if (message.seq <= this.received) return;
    if (message.seq !== this.received + 1) {
      this.early = [message];
      this.onGap(this);
      return;
    }
    if ((message.data as { resync?: boolean } | null)?.resync === true) {
      // The snapshot asked for now is read after this message was stored: its seq covers it.
      this.pending.length = 0;
      this.early = [];
      this.onGap(this);
      return;
    }
    this.received = message.seq;
    this.pending.push(message);
    if (this.pending.length > RELAY_BACKLOG_MAX) {
      this.pending.length = 0;
      this.early = [];
      this.onGap(this);
      return;
    }
    this.changed();
  }

  /** Whether the feed waits for a snapshot (first load, or after a gap). */
  get resyncing(): boolean {
    return this.early !== null;
  }

  /**
   * A snapshot arrived with the seq of the last message it includes. The first makes the feed
   * ready; a later one (after a gap) replaces the state, and every subscriber gets it afresh.
   */
  loaded(seq: number, data: unknown): void {
    this.reset(data);
    this.seq = seq;
    this.received = seq;
    this.pending.length = 0;
    const early = this.early ?? [];
    this.early = null;
    for (const message of early) {
      this.receive(message);
      if (this.early) return;
    }
    if (!this.ready) {
      this.becomeReady();
      return;
    }
    this.snapshot = null;
    this.snapshotCycle = -1;
    for (const subscription of this.subscribers) {
      if (subscription.state === 'joining') continue;
      subscription.state = 'joining';
      this.joining.push(subscription);
    }
    this.changed();
  }

  override updatesWaiting(): number {
    return this.pending.length;
  }

  /**
   * Behind the stream (a conflatable feed holding more than RELAY_CONFLATE_AFTER messages): applies
   * them all and gives every live subscriber a fresh snapshot at the last one's seq. False when the
   * feed is not behind, and then nothing changes.
   */
  override conflateBacklog(): boolean {
    if (!this.conflatable || this.pending.length <= RELAY_CONFLATE_AFTER) return false;
    for (const message of this.pending.splice(0)) this.apply(message.data);
    this.seq = this.received;
    this.snapshot = null;
    this.snapshotCycle = -1;
    for (const subscription of this.subscribers) {
      if (subscription.state !== 'live') continue;
      subscription.state = 'joining';
      this.joining.push(subscription);
    }
    return true;
  }

  /** The next message's update (one per message, so the fan-out's seq is the message's seq). */
  takeUpdate(): unknown {
    const message = this.pending.shift();
    if (!message) return null;
    const update = this.apply(message.data);
    if (this.pending.length > 0) this.changed();
    return update;
  }
}

type WireLevel = { price: string; quantity: string; orders: number };

/** `book:<noteId>` at one depth: the note's whole book is kept; updates show what changed within the depth. */
export class RelayBookFeed extends RelayFeed {
  readonly conflatable = true;
  private readonly bids = new Map<number, BusLevel>();
  private readonly asks = new Map<number, BusLevel>();

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    subject: string,
    onGap: (feed: RelayFeed) => void,
    readonly noteId: string,
    readonly depth: number,
  ) {
    super(key, channel, markDirty, subject, onGap);
  }

  protected reset(data: unknown): void {
    this.bids.clear();
    this.asks.clear();
    this.set((data as { levels: BusLevel[] }).levels);
  }

  protected apply(data: unknown): unknown {
    const before = { buy: this.top('buy'), sell: this.top('sell') };
    const change = data as { levels: BusLevel[]; reset?: boolean };
    if (change.reset) this.reset(change);
    else this.set(change.levels);
    return { noteId: this.noteId, bids: changes(before.buy, this.top('buy'), 'buy'), asks: changes(before.sell, this.top('sell'), 'sell') };
  }

  snapshotData(): unknown {
    return { noteId: this.noteId, depth: this.depth, bids: this.top('buy').map(wire), asks: this.top('sell').map(wire) };
  }

  private set(levels: readonly BusLevel[]): void {
    for (const level of levels) {
      const side = level.side === 'buy' ? this.bids : this.asks;
      if (level.orders === 0) side.delete(level.ticks);
      else side.set(level.ticks, level);
    }
  }

  private top(side: 'buy' | 'sell'): BusLevel[] {
    const levels = [...(side === 'buy' ? this.bids : this.asks).values()];
    levels.sort((a, b) => (side === 'buy' ? b.ticks - a.ticks : a.ticks - b.ticks));
    return levels.slice(0, this.depth);
  }
}

/** Levels of `after` that are new or changed, and levels of `before` gone from the window (quantity "0"), best first. */
function changes(before: readonly BusLevel[], after: readonly BusLevel[], side: 'buy' | 'sell'): WireLevel[] {
  const old = new Map(before.map((level) => [level.ticks, level]));
  const out: BusLevel[] = [];
  for (const level of after) {
    const previous = old.get(level.ticks);
    old.delete(level.ticks);
    if (previous && previous.quantity === level.quantity && previous.orders === level.orders) continue;
    out.push(level);
  }
  for (const gone of old.values()) out.push({ ...gone, quantity: '0', orders: 0 });
  out.sort((a, b) => (side === 'buy' ? b.ticks - a.ticks : a.ticks - b.ticks));
  return out.map(wire);
}

function wire(level: BusLevel): WireLevel {
  return { price: level.price, quantity: level.quantity, orders: level.orders };
}

/** `quotes:<noteId>`: snapshot and update carry the same complete shape; an update replaces. */
export class RelayQuotesFeed extends RelayFeed {
  readonly conflatable = true;
  private current: unknown = null;

  protected reset(data: unknown): void {
    this.current = data;
  }

  protected apply(data: unknown): unknown {
    this.current = data;
    return data;
  }

  snapshotData(): unknown {
    return this.current;
  }
}

/** The most recent items, newest first (a note's tape, a party's executions), as RecentFeed shows them. */
export class RelayRecentFeed extends RelayFeed {
  readonly conflatable = false;
  private recent: unknown[] = [];

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    subject: string,
    onGap: (feed: RelayFeed) => void,
    private readonly field: string,
    private readonly envelope: Record<string, unknown>,
    private readonly max: number,
  ) {
    super(key, channel, markDirty, subject, onGap);
  }

  protected reset(data: unknown): void {
    this.recent = (data as { items: unknown[] }).items.slice(0, this.max);
  }

  protected apply(data: unknown): unknown {
    const items = (data as { items: unknown[] }).items;
    this.recent = [...items].reverse().concat(this.recent).slice(0, this.max);
    return { ...this.envelope, [this.field]: items };
  }

  snapshotData(): unknown {
    return { ...this.envelope, [this.field]: this.recent };
  }
}

/** Items replaced by id (a party's open orders), as KeyedFeed shows them. */
export class RelayKeyedFeed extends RelayFeed {
  readonly conflatable = false;
  private readonly current = new Map<string, unknown>();

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    subject: string,
    onGap: (feed: RelayFeed) => void,
    private readonly field: string,
    private readonly keep: (item: { id: string; status?: string }) => boolean,
  ) {
    super(key, channel, markDirty, subject, onGap);
  }

  protected reset(data: unknown): void {
    this.current.clear();
    this.upsert((data as { items: { id: string }[] }).items);
  }

  protected apply(data: unknown): unknown {
    const items = (data as { items: { id: string }[] }).items;
    this.upsert(items);
    return { [this.field]: items };
  }

  snapshotData(): unknown {
    return { [this.field]: [...this.current.values()] };
  }

  private upsert(items: readonly { id: string }[]): void {
    for (const item of items) {
      if (this.keep(item)) this.current.set(item.id, item);
      else this.current.delete(item.id);
    }
  }
}

/** A party's `balances`: snapshot and update carry the whole list (`{balances}`); an update replaces. */
export class RelayBalancesFeed extends RelayFeed {
  readonly conflatable = false;
  private balances: unknown[] = [];

  protected reset(data: unknown): void {
    this.balances = (data as { balances: unknown[] }).balances;
  }

  protected apply(data: unknown): unknown {
    this.balances = (data as { balances: unknown[] }).balances;
    return { balances: this.balances };
  }

  snapshotData(): unknown {
    return { balances: this.balances };
  }
}
