/**
 * Live data for the web app over one WebSocket session (the SDK's CnxSocket: local books from
 * snapshot + updates, seq checks with resubscription on gaps, reconnect with backoff). Views
 * `watch` a channel and get its current state on every change; a channel is subscribed while at
 * least one view watches it. The connection state ('live', 'reconnecting', …) is published so
 * the app can show it, and a book is marked stale until its fresh snapshot after a reconnect.
 */
import {
  CnxSocket,
  type Balance,
  type ChannelMessage,
  type Execution,
  type LocalBook,
  type Order,
  type Rfq,
  type TapeTrade,
} from '../../../sdk/index.js';

export type LinkStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface DealerQuote {
  dealerPartyId: string;
  bidPrice: string | null;
  bidSize: string;
  askPrice: string | null;
  askSize: string;
  /** On a side entered as a spread (bp over the benchmark): the price is re-derived when the curve or the date moves. */
  bidSpreadBp?: string;
  askSpreadBp?: string;
}
export interface NoteQuotes {
  noteId: string;
  quotes: DealerQuote[];
  bestBid: { price: string; size: string } | null;
  bestAsk: { price: string; size: string } | null;
}

interface ChannelState {
  handlers: Set<(message: ChannelMessage | null) => void>;
  trades: TapeTrade[];
  executions: Execution[];
  keyed: Map<string, unknown>;
  quotes: NoteQuotes | null;
  balances: Balance[] | null;
}

const LIST_MAX = 200;

export class LiveFeeds {
  readonly socket: CnxSocket;
  status: LinkStatus = 'connecting';
  private readonly statusListeners = new Set<(status: LinkStatus) => void>();
  private readonly channels = new Map<string, ChannelState>();
  private closedByUser = false;

  constructor(url: string, token: () => string | undefined) {
    this.socket = new CnxSocket({
      url,
      token: () => token() ?? '',
      reconnect: { initialDelayMs: 300, maxDelayMs: 5_000 },
      pingIntervalMs: 10_000,
    });
    this.socket.on('open', () => this.setStatus('live'));
    this.socket.on('close', () => this.setStatus(this.closedByUser ? 'offline' : 'reconnecting'));
    this.socket.on('snapshot', (message) => this.onMessage(message));
    this.socket.on('update', (message) => this.onMessage(message));
    this.socket.on('gap', ({ channel }) => this.notify(channel, null));
  }

  start(): void {
    this.socket.connect().catch(() => undefined);
  }

  close(): void {
    this.closedByUser = true;
    this.socket.close();
    this.setStatus('offline');
  }

  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  /** Whether the channel shows a state the server had just now (live link, snapshot received). */
  isCurrent(channel: string): boolean {
    return this.status === 'live' && this.socket.seqOf(channel) !== null;
  }

  watchBook(noteId: string, handler: (book: LocalBook | undefined, current: boolean) => void): () => void {
    const channel = `book:${noteId}`;
    return this.watch(channel, () => handler(this.socket.book(noteId), this.isCurrent(channel)));
  }

  watchTrades(noteId: string, handler: (trades: readonly TapeTrade[]) => void): () => void {
    return this.watch(`trades:${noteId}`, (state) => handler(state.trades));
  }

  watchQuotes(noteId: string, handler: (quotes: NoteQuotes | null) => void): () => void {
    return this.watch(`quotes:${noteId}`, (state) => handler(state.quotes));
  }

  /** Own orders by id: the open ones from the snapshot, then every change (filled, cancelled…). */
  watchOrders(handler: (orders: ReadonlyMap<string, Order>) => void): () => void {
    return this.watch('orders', (state) => handler(state.keyed as Map<string, Order>));
  }

  /** Own executions newest first; `fresh` are the ones that arrived with this message. */
  watchExecutions(handler: (executions: readonly Execution[], fresh: readonly Execution[]) => void): () => void {
    return this.watch('executions', (state, message) => {
      const fresh = message?.type === 'update' ? ((message.data as { executions?: Execution[] }).executions ?? []) : [];
      handler(state.executions, fresh);
    });
  }

  /** RFQs by id (open ones from the snapshot, then every change); `changed` came with this message. */
  watchRfqs(handler: (rfqs: ReadonlyMap<string, Rfq>, changed: readonly Rfq[]) => void): () => void {
    return this.watch('rfqs', (state, message) => {
      const changed = message?.type === 'update' ? ((message.data as { rfqs?: Rfq[] }).rfqs ?? []) : [];
      handler(state.keyed as Map<string, Rfq>, changed);
    });
  }

  /**
   * Own cash and note balances (total, held, available), pushed whenever they change: quotes and
   * orders opening or releasing holds, fills, settlement, cash moves. Null until the snapshot.
   */
  watchBalances(handler: (balances: readonly Balance[] | null) => void): () => void {
    return this.watch('balances', (state) => handler(state.balances));
  }

  private watch(channel: string, render: (state: ChannelState, message: ChannelMessage | null) => void): () => void {
    let state = this.channels.get(channel);
    const first = !state;
    if (!state) {
      state = { handlers: new Set(), trades: [], executions: [], keyed: new Map(), quotes: null, balances: null };
      this.channels.set(channel, state);
    }
    const current = state;
    const handler = (message: ChannelMessage | null) => render(current, message);
    current.handlers.add(handler);
    if (first) this.socket.subscribe([channel]);
    handler(null);
    return () => {
      current.handlers.delete(handler);
      if (current.handlers.size > 0) return;
      this.channels.delete(channel);
      this.socket.unsubscribe([channel]);
    };
  }

  private onMessage(message: ChannelMessage): void {
    const state = this.channels.get(message.channel);
    if (!state) return;
    const kind = message.channel.split(':')[0];
    const data = message.data as Record<string, unknown>;
    const snapshot = message.type === 'snapshot';
    switch (kind) {
      case 'trades':
        state.trades = mergeRecent(state.trades, (data.trades as TapeTrade[]) ?? [], snapshot);
        break;
      case 'executions':
        // My trades and Fills list newest first by execution time (ISO-8601 UTC strings sort as text).
        state.executions = mergeRecent(state.executions, (data.executions as Execution[]) ?? [], snapshot).sort((a, b) =>
          a.executedAt < b.executedAt ? 1 : a.executedAt > b.executedAt ? -1 : 0,
        );
        break;
      case 'orders':
      case 'rfqs': {
        const items = (data[kind] as { id: string; status: string }[]) ?? [];
        // A snapshot lists what is open now: open items it no longer lists closed meanwhile.
        if (snapshot) dropOpenNotIn(state.keyed as Map<string, { status: string }>, items);
        for (const item of items) state.keyed.set(item.id, item);
        break;
      }
      case 'quotes':
        state.quotes = data as unknown as NoteQuotes;
        break;
      case 'balances':
        state.balances = (data.balances as Balance[]) ?? [];
        break;
      default:
        break;
    }
    this.notify(message.channel, message);
  }

  private notify(channel: string, message: ChannelMessage | null): void {
    for (const handler of this.channels.get(channel)?.handlers ?? []) handler(message);
  }

  private setStatus(status: LinkStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
    // Views re-render so books show as stale while the link is down, and current once it is back.
    for (const channel of this.channels.keys()) this.notify(channel, null);
  }
}

const OPEN_STATUSES = new Set(['open', 'new', 'partially_filled']);

function dropOpenNotIn(map: Map<string, { status: string }>, items: readonly { id: string }[]): void {
  const listed = new Set(items.map((item) => item.id));
  for (const [id, item] of map) if (OPEN_STATUSES.has(item.status) && !listed.has(id)) map.delete(id);
}

/** Snapshot: the list as sent (newest first). Update: new items (oldest first) go on top. */
function mergeRecent<T>(current: readonly T[], items: readonly T[], snapshot: boolean): T[] {
  if (snapshot) return items.slice(0, LIST_MAX);
  return [...items].reverse().concat(current).slice(0, LIST_MAX);
}
