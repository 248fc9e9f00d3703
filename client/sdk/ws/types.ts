/**
 * The `/ws` protocol as the SDK sees it (docs/API-GUIDE.md, "WebSocket"): the SDK's own copy of
 * the contract, so that clients import nothing from the server. Prices and quantities stay
 * decimal strings, as on the wire.
 */

export type RequestId = string | number;

export interface BookLevel {
  price: string;
  quantity: string;
  orders: number;
}

/** `book:<noteId>` snapshot data; an update has the same lists with only the changed levels (quantity "0" = gone). */
export interface BookData {
  noteId: string;
  depth?: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export interface TapeTrade {
  id: string;
  noteId: string;
  price: string;
  quantity: string;
  executedAt: string;
}

export interface ChannelMessage<T = unknown> {
  channel: string;
  type: 'snapshot' | 'update';
  seq: number;
  data: T;
}

export interface ErrorMessage {
  op: 'error';
  code: string;
  message: string;
  id?: RequestId;
  channel?: string;
  channels?: string[];
}

export interface ReplyMessage<B = unknown> {
  op: 'reply';
  id?: RequestId;
  /** The HTTP status REST would give; the body is REST's body (an error body for 4xx/5xx). */
  status: number;
  body: B;
}

export interface AuthenticatedMessage {
  op: 'authenticated';
  partyId: string;
  roles: string[];
  expiresAt: string;
  id?: RequestId;
}

export type ServerMessage = ChannelMessage | ErrorMessage | ReplyMessage | AuthenticatedMessage | { op: 'pong'; id?: RequestId };

export interface OrderRequest {
  clOrdId: string;
  noteId: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  price?: string;
  quantity: string;
  timeInForce?: 'GTC' | 'DAY' | 'IOC' | 'FOK' | 'GTD';
  expireAt?: string;
  postOnly?: boolean;
  stpMode?: 'cancel_newest' | 'cancel_oldest' | 'cancel_both' | 'decrement_and_cancel';
}

export interface QuoteRequest {
  noteId: string;
  bidPrice?: string;
  bidSize: string;
  askPrice?: string;
  askSize: string;
}

/** The part of a WebSocket the SDK uses: the browser's WebSocket and the `ws` package both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export const SOCKET_OPEN = 1;
