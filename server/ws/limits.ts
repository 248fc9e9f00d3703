/**
 * Every bound of the WebSocket gateway in one place: message size, subscriptions, connections,
 * message rate, subscription churn, requests in flight, snapshot reads (per connection and for the
 * service), the per-client send buffer, heartbeats and snapshot sizes.
 *
 * Guarantees: each limit is explicit and finite; a breach is a named rejection (protocol.ts) or a
 * disconnect, never unbounded growth. Tests and benchmarks tighten or widen them through
 * Config.wsLimits; production takes the defaults.
 */
import { BOOK_DEPTH_MAX } from '../api/routes/market.js';

export interface WsLimits {
  /** Largest client message; a bigger one closes the connection with 1009 (ws enforces it). */
  maxPayloadBytes: number;
  /** Channels one connection may be subscribed to at once. */
  subscriptionsMax: number;
  /** Channels named in one subscribe or unsubscribe message. */
  channelsPerMessageMax: number;
  /** Deepest level-2 book a subscription may ask for (the REST maximum). */
  bookDepthMax: number;
  /** Book depth when a subscribe names none (the REST default). */
  bookDepthDefault: number;
  connectionsMax: number;
  connectionsPerAddressMax: number;
  /** Client messages per second per connection (a token bucket that holds one second's worth). */
  messagesPerSecond: number;
  /**
   * Channels (re)subscribed per second per connection: a token bucket holding `subscribeBurst`.
   * Every subscribed channel costs a snapshot; a subscribe beyond the budget is refused whole
   * (RATE_LIMITED).
   */
  subscribesPerSecond: number;
  subscribeBurst: number;
  /**
   * More than this many refused (throttled) subscribes within `churnWindowMs` closes the
   * connection: SUBSCRIPTION_CHURN, close code 1008.
   */
  churnRefusalsMax: number;
  churnWindowMs: number;
  /**
   * After a churn close, the same user (or, for a connection without a token, the same address)
   * may not open /ws again (429 RATE_LIMITED) or authenticate a connection for this long.
   */
  churnCooldownMs: number;
  /** Snapshot reads from the database running at once, in the whole service (snapshots.ts). */
  snapshotReadsMax: number;
  /** Snapshot reads of one connection running at once (one per channel in any case). */
  snapshotReadsPerConnectionMax: number;
  /** Snapshot reads waiting in the whole service; a subscribe that needs more is refused (UNAVAILABLE). */
  snapshotQueueMax: number;
  /** Order-entry requests of one connection waiting for their answer. */
  requestsInFlightMax: number;
  /** Above this many unsent bytes, book and quote updates to the client are skipped (conflated). */
  sendBufferSoftBytes: number;
  /** Above this many unsent bytes, the client is told SLOW_CONSUMER and disconnected. */
  sendBufferHardBytes: number;
  /**
   * How often a lag probe (a WebSocket ping riding behind the channel frames) is sent to a client
   * that is receiving data. Its pong comes back only once the client has read everything before it,
   * so it measures how far behind the client is even while the kernel's buffers still absorb it.
   */
  lagProbeIntervalMs: number;
  /** A client whose lag probe is older than this is behind: its book and quote updates are conflated. */
  lagMaxMs: number;
  /**
   * Clients written per turn of the event loop in a fan-out cycle, at least (order entry runs in
   * between); a turn after the loop was away for G ms writes for at least G / fanOutRestRatio ms.
   */
  fanOutClientsPerTurn: number;
  /**
   * After a fan-out cycle that kept the event loop busy for T ms, the next one waits T × this, less
   * the time the cycle yielded between its turns and waited past its start: 0.5 leaves order entry
   * and commits at least a third of the loop whatever the subscriber count, and the fan-out two
   * thirds when order entry is saturated.
   */
  fanOutRestRatio: number;
  /** Server ping interval; a peer that has not answered the previous ping is dropped. */
  heartbeatIntervalMs: number;
  /** How often token expiry is checked for idle connections (messages check it too). */
  expirySweepMs: number;
  /** How long a closing connection may take to finish the close handshake. */
  closeGraceMs: number;
  /** Recent trades in a tape snapshot, recent executions in an executions snapshot. */
  recentTradesMax: number;
  /** Open RFQs in an rfqs snapshot. */
  rfqSnapshotMax: number;
  /** Open settlement instructions in a settlements snapshot (the full list is GET /settlements). */
  settlementSnapshotMax: number;
}

export const DEFAULT_WS_LIMITS: Readonly<WsLimits> = Object.freeze({
  maxPayloadBytes: 64 * 1024,
  subscriptionsMax: 100,
  channelsPerMessageMax: 50,
  bookDepthMax: BOOK_DEPTH_MAX,
  bookDepthDefault: 10,
  connectionsMax: 20_000,
  connectionsPerAddressMax: 1_000,
  messagesPerSecond: 1_000,
  subscribesPerSecond: 50,
  subscribeBurst: 100,
  churnRefusalsMax: 50,
  churnWindowMs: 10_000,
  churnCooldownMs: 10_000,
  snapshotReadsMax: 4,
  snapshotReadsPerConnectionMax: 2,
  snapshotQueueMax: 10_000,
  requestsInFlightMax: 256,
  sendBufferSoftBytes: 64 * 1024,
  sendBufferHardBytes: 1024 * 1024,
  lagProbeIntervalMs: 1_000,
  lagMaxMs: 500,
  fanOutClientsPerTurn: 1_000,
  fanOutRestRatio: 0.5,
  heartbeatIntervalMs: 15_000,
  expirySweepMs: 1_000,
  closeGraceMs: 1_000,
  recentTradesMax: 50,
  rfqSnapshotMax: 100,
  settlementSnapshotMax: 200,
});

export function resolveLimits(overrides: Partial<WsLimits> | undefined): WsLimits {
  const limits = { ...DEFAULT_WS_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`WebSocket limit ${name} must be a positive number, got ${value}`);
  }
  if (limits.sendBufferSoftBytes >= limits.sendBufferHardBytes) throw new Error('sendBufferSoftBytes must be below sendBufferHardBytes');
  // One subscribe message must fit in a full bucket, or it could never be accepted.
  if (limits.subscribeBurst < limits.channelsPerMessageMax) throw new Error('subscribeBurst must be at least channelsPerMessageMax');
  return limits;
}
