/**
 * The SDK's WebSocket part: a session to `/ws` with local books, seq checking, resubscription on
 * gaps and reconnection with backoff (socket.ts), the local book (book.ts), and the protocol types.
 */
export { CnxSocket, type CnxSocketOptions } from './socket.js';
export { LocalBook, compareDecimals } from './book.js';
export * from './types.js';
