/**
 * The SDK's WebSocket client: one session to `/ws` that authenticates, subscribes, keeps a local
 * book per subscribed `book:` channel, checks every channel's seq, and sends order entry and
 * dealer quotes as requests whose replies it matches by id.
 *
 * Guarantees: an update is applied only when its seq is exactly one above the last message of its
 * channel; on a gap the channel is resubscribed and its updates are ignored until the fresh
 * snapshot arrives, so a local book is always a state the server had. When the connection drops
 * (not closed by the user), it reconnects with exponential backoff and jitter, authenticates,
 * resubscribes everything and re-arms cancel-on-disconnect; requests in flight are rejected, and
 * order entry is safe to retry with the same clOrdId. When the token expires mid-session and
 * `token` is a function, a fresh token is fetched and the private channels are subscribed again.
 */
import { LocalBook } from './book.js';
import {
  SOCKET_OPEN,
  type AuthenticatedMessage,
  type BookData,
  type ChannelMessage,
  type ErrorMessage,
  type OrderRequest,
  type QuoteRequest,
  type ReplyMessage,
  type ServerMessage,
  type SocketLike,
} from './types.js';

export interface CnxSocketOptions {
  /** e.g. `ws://localhost:3000/ws`. */
  url: string;
  /** A bearer token, or a function that returns a fresh one at each (re)connect. */
  token?: string | (() => string | Promise<string>);
  /** Creates the socket; defaults to the platform's WebSocket (browsers, Node 22+). */
  createSocket?: (url: string) => SocketLike;
  /** Reconnect backoff; false disables reconnecting. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number } | false;
  /** The client's `{"op":"ping"}` interval; the link counts as dead after two silent intervals. */
  pingIntervalMs?: number;
  requestTimeoutMs?: number;
  /** Parses a text frame; defaults to JSON.parse. The SDK never mutates what it returns. */
  parse?: (text: string) => unknown;
  /**
   * Ask for each fan-out cycle's channel messages as one JSON array frame (`/ws?frames=batch`):
   * fewer frames to parse under load. On by default; the messages are the same either way.
   */
  batchFrames?: boolean;
}

type Listener<T> = (value: T) => void;
interface Events {
  open: undefined;
  close: { code: number; reason: string };
  snapshot: ChannelMessage;
  update: ChannelMessage;
  gap: { channel: string; expected: number; received: number };
  error: ErrorMessage;
}

interface ChannelState {
  depth: number | undefined;
  /** Seq of the last message applied; null while waiting for a snapshot. */
  seq: number | null;
  /** The local book of a `book:` channel (also in `books`), so that a message costs one lookup. */
  book: LocalBook | undefined;
}

interface Pending {
  resolve: (reply: ReplyMessage) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class CnxSocket {
  private socket: SocketLike | null = null;
  private readonly channels = new Map<string, ChannelState>();
  private readonly books = new Map<string, LocalBook>();
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  private nextId = 1;
  private attempts = 0;
  private userClosed = false;
  private cancelOnDisconnect = false;
  private lastHeardMs = 0;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Gaps seen and reconnects made, for monitoring. */
  gaps = 0;
  reconnects = 0;

  constructor(private readonly options: CnxSocketOptions) {}

  /** Opens the session; resolves once open (and authenticated, with a token). */
  connect(): Promise<void> {
    this.userClosed = false;
    return this.open();
  }

  close(): void {
    this.userClosed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopPing();
    this.socket?.close(1000, 'client closed');
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  get connected(): boolean {
    return this.socket?.readyState === SOCKET_OPEN;
  }

  subscribe(channels: readonly string[], options: { depth?: number } = {}): void {
    for (const channel of channels) {
      let book = this.books.get(channel);
      if (channel.startsWith('book:') && !book) this.books.set(channel, (book = new LocalBook(channel.slice(5))));
      this.channels.set(channel, { depth: options.depth, seq: null, book });
    }
    this.sendRaw({ op: 'subscribe', channels, ...(options.depth !== undefined ? { depth: options.depth } : {}) });
  }

  unsubscribe(channels: readonly string[]): void {
    for (const channel of channels) {
      this.channels.delete(channel);
      this.books.delete(channel);
    }
    this.sendRaw({ op: 'unsubscribe', channels });
  }

  /** The local book of a subscribed `book:<noteId>` channel. */
  book(noteId: string): LocalBook | undefined {
    return this.books.get(`book:${noteId}`);
  }

  /** Seq of the last message applied on a channel (null while waiting for a snapshot). */
  seqOf(channel: string): number | null {
    return this.channels.get(channel)?.seq ?? null;
  }

  placeOrder(order: OrderRequest): Promise<ReplyMessage> {
    return this.request({ op: 'order', order });
  }

  cancelOrder(orderId: string): Promise<ReplyMessage> {
    return this.request({ op: 'cancel', orderId });
  }

  replaceOrder(orderId: string, change: { price?: string; quantity?: string }): Promise<ReplyMessage> {
    return this.request({ op: 'replace', orderId, ...change });
  }

  putQuotes(quotes: readonly QuoteRequest[]): Promise<ReplyMessage> {
    return this.request({ op: 'quotes', quotes });
  }

  pullQuotes(): Promise<ReplyMessage> {
    return this.request({ op: 'pull_quotes' });
  }

  /** Dealers: pull this party's quotes when this connection drops (re-armed after a reconnect). */
  setCancelOnDisconnect(enabled: boolean): Promise<ReplyMessage> {
    this.cancelOnDisconnect = enabled;
    return this.request({ op: 'cancel_on_disconnect', enabled });
  }

  private request(body: Record<string, unknown>): Promise<ReplyMessage> {
    const id = this.nextId++;
    return new Promise<ReplyMessage>((resolve, reject) => {
      if (!this.connected) {
        reject(new Error('not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${String(body.op)} within ${this.options.requestTimeoutMs ?? 10_000} ms`));
      }, this.options.requestTimeoutMs ?? 10_000);
      this.pending.set(id, { resolve, reject, timer });
      this.sendRaw({ ...body, id });
    });
  }

  private async open(): Promise<void> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    const create = this.options.createSocket ?? defaultSocket;
    const batch = this.options.batchFrames ?? true;
    const socket = create(batch ? `${this.options.url}${this.options.url.includes('?') ? '&' : '?'}frames=batch` : this.options.url);
    this.socket = socket;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      socket.onopen = () => {
        this.attempts = 0;
        this.lastHeardMs = Date.now();
        if (token) this.sendRaw({ op: 'auth', token, id: 'auth' });
        this.resubscribeAll();
        if (this.cancelOnDisconnect) this.sendRaw({ op: 'cancel_on_disconnect', enabled: true });
        this.startPing();
        this.emit('open', undefined);
        if (!token) settle();
      };
      socket.onmessage = (event) => {
        const message = this.handle(String(event.data));
        if (message === null || !('op' in message)) return;
        if (message.op === 'authenticated') settle();
        if (message.op === 'error' && message.id === 'auth') settle(new Error(`${message.code}: ${message.message}`));
      };
      socket.onerror = () => undefined;
      socket.onclose = (event) => {
        settle(new Error(`connection closed (${event.code})`));
        this.closed(socket, event);
      };
    });
  }

  private handle(text: string): ServerMessage | null {
    this.lastHeardMs = Date.now();
    let message: ServerMessage | ChannelMessage[];
    try {
      message = (this.options.parse ?? JSON.parse)(text) as ServerMessage | ChannelMessage[];
    } catch {
      return null;
    }
    if (Array.isArray(message)) {
      for (const item of message) this.onChannelMessage(item);
      return null;
    }
    if (!('op' in message)) {
      this.onChannelMessage(message);
      return message;
    }
    if (message.op === 'reply' && typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      if (pending) {
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        pending.resolve(message);
      }
    } else if (message.op === 'error') {
      if (typeof message.id === 'number') {
        const pending = this.pending.get(message.id);
        if (pending) {
          this.pending.delete(message.id);
          clearTimeout(pending.timer);
          pending.reject(new Error(`${message.code}: ${message.message}`));
        }
      }
      if (message.code === 'TOKEN_EXPIRED') this.tokenExpired(message.channels ?? []);
      this.emit('error', message);
    }
    return message;
  }

  private onChannelMessage(message: ChannelMessage): void {
    const state = this.channels.get(message.channel);
    if (!state) return;
    if (message.type === 'snapshot') {
      state.seq = message.seq;
      state.book?.applySnapshot(message.data as BookData);
      this.emit('snapshot', message);
      return;
    }
    if (state.seq === null) return;
    if (message.seq !== state.seq + 1) {
      this.gaps += 1;
      this.emit('gap', { channel: message.channel, expected: state.seq + 1, received: message.seq });
      state.seq = null;
      this.sendRaw({ op: 'subscribe', channels: [message.channel], ...(state.depth !== undefined ? { depth: state.depth } : {}) });
      return;
    }
    state.seq = message.seq;
    state.book?.applyUpdate(message.data as BookData);
    this.emit('update', message);
  }

  /** With a token function, a fresh token restores the dropped private channels; otherwise they are gone. */
  private tokenExpired(channels: readonly string[]): void {
    const source = this.options.token;
    if (typeof source !== 'function') {
      for (const channel of channels) this.channels.delete(channel);
      return;
    }
    for (const channel of channels) {
      const state = this.channels.get(channel);
      if (state) state.seq = null;
    }
    Promise.resolve(source()).then(
      (token) => {
        if (!token) return;
        this.sendRaw({ op: 'auth', token });
        const restored = channels.filter((channel) => this.channels.has(channel));
        if (restored.length > 0) this.sendRaw({ op: 'subscribe', channels: restored });
      },
      () => undefined,
    );
  }

  private resubscribeAll(): void {
    const byDepth = new Map<number | undefined, string[]>();
    for (const [channel, state] of this.channels) {
      state.seq = null;
      let list = byDepth.get(state.depth);
      if (!list) byDepth.set(state.depth, (list = []));
      list.push(channel);
    }
    for (const [depth, channels] of byDepth) {
      for (let i = 0; i < channels.length; i += 50) {
        this.sendRaw({ op: 'subscribe', channels: channels.slice(i, i + 50), ...(depth !== undefined ? { depth } : {}) });
      }
    }
  }

  private closed(socket: SocketLike, event: { code: number; reason: string }): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopPing();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the connection closed before the reply; retry (order entry is idempotent by clOrdId)'));
      this.pending.delete(id);
    }
    for (const state of this.channels.values()) state.seq = null;
    this.emit('close', { code: event.code, reason: event.reason });
    if (this.userClosed || this.options.reconnect === false) return;
    const initial = this.options.reconnect?.initialDelayMs ?? 250;
    const max = this.options.reconnect?.maxDelayMs ?? 10_000;
    const delay = Math.min(max, initial * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnects += 1;
      this.open().catch(() => undefined);
    }, delay);
  }

  private startPing(): void {
    const interval = this.options.pingIntervalMs ?? 15_000;
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeardMs > 2 * interval) {
        this.socket?.close(4000, 'no answer from the server');
        return;
      }
      this.sendRaw({ op: 'ping' });
    }, interval);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private sendRaw(message: Record<string, unknown>): void {
    if (this.socket?.readyState === SOCKET_OPEN) this.socket.send(JSON.stringify(message));
  }

  private emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as Listener<Events[K]>)(value);
  }
}

function defaultSocket(url: string): SocketLike {
  const WebSocketClass = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (!WebSocketClass)
    throw new Error('no WebSocket in this runtime: pass createSocket (e.g. url => new WebSocket(url) from the "ws" package)');
  return new WebSocketClass(url);
}

export type { AuthenticatedMessage };
