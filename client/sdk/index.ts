/**
 * The Compute Notes Exchange SDK: a typed client of every REST endpoint (client.ts, one mixin per
 * API area in endpoints/), its error type (http.ts), the contract's types (types.ts, one module per
 * API area in types/), client order ids (ids.ts), settlement runs with progress (progress.ts), and
 * the WebSocket session with local books, gap recovery and reconnect with backoff (ws/). Amounts
 * stay decimal strings, as on the wire. It imports nothing from the server: these types are the
 * SDK's own copy of the contract. The CLI, the web app and the tests use it.
 */
export { ComputeNotesClient, type ClientOptions } from './client.js';
export { ApiError, HttpTransport, queryString, type QueryValue, type TransportOptions } from './http.js';
export * from './types.js';
export { newClOrdId } from './ids.js';
export { runSettlementWithProgress } from './progress.js';
export {
  CnxSocket,
  LocalBook,
  compareDecimals,
  type CnxSocketOptions,
  type ChannelMessage,
  type ErrorMessage,
  type ReplyMessage,
  type SocketLike,
  type BookData,
} from './ws/index.js';
