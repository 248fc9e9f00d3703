/**
 * The WebSocket gateway on the API's own port: `/ws` upgrades are checked (path, Origin allow-list,
 * connection limits, an optional bearer token) before the handshake completes; accepted
 * connections get heartbeats, token-expiry checks, cancel-on-disconnect and a bounded send buffer.
 *
 * Guarantees: a refused upgrade is answered with the REST error shape and never becomes a
 * WebSocket; a browser page from a foreign origin cannot open a session: its Origin must be one of
 * the service's own origins — PUBLIC_ORIGIN, or by default loopback on the listening port — or
 * listed in WS_ALLOWED_ORIGINS, and never what the request's Host header claims (a DNS-rebinding
 * page sends a Host of its own); a connection that keeps churning subscriptions is closed (1008,
 * SUBSCRIPTION_CHURN) and its user (or, without a token, its address) may not
 * come back for a while; a peer that misses a heartbeat is dropped; a dealer's
 * quotes are pulled when a connection that asked for cancel-on-disconnect ends, however it ends;
 * close() ends every connection and waits for those pulls and in-flight order entry.
 * Never: let one client slow down another — the slowest is disconnected instead.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorBody } from '../api/errors.js';
import type { RejectionCode } from '../core/rejections.js';
import type { AppServices } from '../services.js';
import { TokenError } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { pullAllQuotes } from '../trading/order-entry.js';
import { authenticateToken, bearerToken, type SessionIdentity } from './auth.js';
import { WsClient } from './client.js';
import { LAG_PROBE_FRAME } from './fanout.js';
import { Hub, type FeedHub } from './hub.js';
import { resolveLimits, type WsLimits } from './limits.js';
import { CLOSE_CODES, errorMessage } from './protocol.js';
import { runOrderEntry } from './order-ops.js';
import { SessionHandler, type WsServices } from './session.js';
import type { SnapshotStats } from './snapshots.js';

export const WS_PATH = '/ws';
/** Fan-out statistics are logged (at debug level) this often. */
const STATS_LOG_INTERVAL_MS = 5_000;
/** How long shutdown waits for order entry already running before it closes the database anyway. */
const IN_FLIGHT_WAIT_MS = 10_000;
/** Attempts to pull a dealer's quotes on disconnect (backoff 0.1, 0.4, 1.6, 6.4 s between them). */
const COD_ATTEMPTS_MAX = 5;

export interface GatewayStats {
  connections: number;
  messagesWritten: number;
  /** Socket writes of channel messages (one per client per fan-out turn that had something for it). */
  writes: number;
  /** Bytes of those writes. */
  bytesWritten: number;
  cycles: number;
  /** Book and quote subscriptions conflated because their client was behind. */
  staleMarks: number;
  cycleMsAverage: number;
  /** From a committed change to the write of the update carrying it, per client (server side only). */
  publishLatencyMs: { p50: number; p99: number; samples: number };
  /** Snapshot reads from the database: running, waiting, and what happened to them (snapshots.ts). */
  snapshots: SnapshotStats;
}

export interface WebSocketGateway {
  readonly limits: WsLimits;
  /** Open connections, and what the fan-out has done since the last reset. */
  stats(): GatewayStats;
  resetStats(): void;
  close(): Promise<void>;
}

const gateways = new WeakMap<http.Server, WebSocketGateway>();

/** The gateway attached to an HTTP server (for benchmarks and operations tooling). */
export function gatewayOf(server: http.Server): WebSocketGateway | undefined {
  return gateways.get(server);
}

/** Builds the feeds of a gateway: in process from the sequencer (Hub), or from the bus (server/bus/hub.ts). */
export type HubFactory = (limits: WsLimits, onSlowConsumer: (client: WsClient) => void) => FeedHub;

/** What /ws of the service itself needs: its services, with order entry run in process. */
export function serviceWsServices(services: AppServices): WsServices {
  return {
    jwtSecret: services.jwtSecret,
    clock: services.clock,
    logger: services.logger,
    orderEntry: (principal, message) => runOrderEntry(services, principal, message),
    pullQuotes: async (partyId) => (await pullAllQuotes(services, partyId)).quotes.length,
  };
}

/** The in-process hub: the embedded default, fed by the service's own sequencer and event bus. */
export function inProcessHub(services: AppServices): HubFactory {
  const sequencer = services.sequencer;
  if (!sequencer) throw new Error('the WebSocket gateway needs a running sequencer');
  return (limits, onSlowConsumer) => new Hub(services, sequencer, limits, onSlowConsumer);
}

/** The service's /ws: feeds from `createHub` (default: in process), order entry run here. */
export function attachWebSocketGateway(
  server: http.Server,
  services: AppServices,
  config: Config,
  createHub?: HubFactory,
): WebSocketGateway {
  return attachGateway(server, serviceWsServices(services), config, createHub ?? inProcessHub(services));
}

/**
 * A /ws endpoint on `server`: the same protocol, auth, limits and slow-consumer rules whether the
 * feeds come from this process's sequencer or from the bus (`npm run gateway`).
 */
export function attachGateway(server: http.Server, services: WsServices, config: Config, createHub: HubFactory): WebSocketGateway {
  const limits = resolveLimits(config.wsLimits);
  const allowedOrigins = new Set((config.wsAllowedOrigins ?? []).map((origin) => (origin === '*' ? origin : normaliseOrigin(origin))));
  let ownOrigins: ReadonlySet<string> | null = null;
  // The listening port is known only once the server listens (PORT=0 in tests).
  const ownOriginsNow = (): ReadonlySet<string> => (ownOrigins ??= serviceOrigins(config, server));
  const clients = new Set<WsClient>();
  const perAddress = new Map<string, number>();
  const pulls = new Set<Promise<unknown>>();
  let closing = false;

  const hub = createHub(limits, (client) => dropSlowConsumer(client));
  /** Who was closed for churn, and until when (performance.now()) they may not come back. */
  const churnedUntil = new Map<string, number>();
  const churnKey = (principal: { userId: string } | null, address: string): string =>
    principal ? `user:${principal.userId}` : `address:${address}`;
  const cooling = (principal: { userId: string } | null, address: string): boolean =>
    (churnedUntil.get(churnKey(principal, address)) ?? 0) > performance.now();
  const sessions = new SessionHandler(services, hub, limits, {
    onChurn: (client) => dropChurner(client),
    mayAuthenticate: (client, principal) => !cooling(principal, client.address),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      checkUpgrade(request, socket, head);
    } catch (error) {
      services.logger.error({ err: error }, 'WebSocket upgrade failed');
      refuse(socket, 500, 'INTERNAL', 'internal error');
    }
  };

  const checkUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const [path, query = ''] = (request.url ?? '/').split('?', 2) as [string, string?];
    if (path !== WS_PATH) return refuse(socket, 404, 'NOT_FOUND', `no WebSocket endpoint at ${path}`);
    const frames = new URLSearchParams(query).get('frames') ?? 'single';
    if (frames !== 'single' && frames !== 'batch') return refuse(socket, 400, 'VALIDATION_FAILED', 'frames must be "single" or "batch"');
    if (closing) return refuse(socket, 503, 'UNAVAILABLE', 'the service is shutting down');
    const origin = request.headers.origin;
    if (origin !== undefined && !originAllowed(origin, ownOriginsNow(), allowedOrigins)) {
      return refuse(socket, 403, 'FORBIDDEN', 'this origin may not open a WebSocket session');
    }
    const address = request.socket.remoteAddress ?? 'unknown';
    if (clients.size >= limits.connectionsMax) return refuse(socket, 503, 'UNAVAILABLE', 'too many WebSocket connections; retry shortly');
    if ((perAddress.get(address) ?? 0) >= limits.connectionsPerAddressMax) {
      return refuse(socket, 429, 'RATE_LIMITED', `at most ${limits.connectionsPerAddressMax} WebSocket connections per address`);
    }
    let identity: SessionIdentity | null = null;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = bearerToken(header);
      if (!token) return refuse(socket, 401, 'UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
      try {
        identity = authenticateToken(services.jwtSecret, token, Math.floor(services.clock.now().getTime() / 1000));
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
        return refuse(socket, 401, 'UNAUTHENTICATED', `invalid token: ${error.message}`);
      }
    }
    if (cooling(identity?.principal ?? null, address)) {
      return refuse(socket, 429, 'RATE_LIMITED', `closed for subscription churn; reconnect after ${limits.churnCooldownMs / 1000} s`);
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, socket, address, identity, frames === 'batch'));
  };

  const accept = (ws: WebSocket, socket: Duplex, address: string, identity: SessionIdentity | null, batchFrames: boolean): void => {
    const client = new WsClient(ws, socket, address, batchFrames, limits, (c) => dropSlowConsumer(c));
    if (identity) {
      client.principal = identity.principal;
      client.tokenExpiresAtSeconds = identity.expiresAtSeconds;
    }
    clients.add(client);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    ws.on('message', (data, isBinary) => sessions.onMessage(client, data, isBinary));
    ws.on('pong', (data) => {
      client.alive = true;
      if (data.length === 1 && data[0] === LAG_PROBE_FRAME[2]) hub.fanOut.lagProbeAnswered(client);
    });
    ws.on('error', (error) => services.logger.debug({ err: error, client: client.id }, 'WebSocket protocol error'));
    ws.once('close', () => ended(client));
    socket.on('drain', () => hub.fanOut.drained(client));
  };

  /** Everything that must happen once when a connection ends, however it ended. */
  const ended = (client: WsClient): void => {
    if (!clients.delete(client)) return;
    client.closed = true;
    const remaining = (perAddress.get(client.address) ?? 1) - 1;
    if (remaining > 0) perAddress.set(client.address, remaining);
    else perAddress.delete(client.address);
    hub.removeClient(client);
    const partyId = client.cancelOnDisconnectPartyId;
    if (partyId === null) return;
    const pull = pullQuotesWithRetry(services, partyId);
    pulls.add(pull);
    void pull.finally(() => pulls.delete(pull));
  };

  const closeClient = (client: WsClient, code: number, reason: string): void => {
    hub.removeClient(client);
    client.closed = true;
    client.ws.close(code, reason);
    setTimeout(() => client.ws.terminate(), limits.closeGraceMs).unref();
  };

  const dropSlowConsumer = (client: WsClient): void => {
    if (client.closed) return;
    services.logger.warn(
      { client: client.id, address: client.address, unsentBytes: client.unsentBytes },
      'WebSocket slow consumer disconnected',
    );
    client.ws.send(
      JSON.stringify(
        errorMessage('SLOW_CONSUMER', `more than ${limits.sendBufferHardBytes} bytes were waiting to be sent; reconnect and resubscribe`),
      ),
    );
    closeClient(client, CLOSE_CODES.slowConsumer, 'SLOW_CONSUMER');
  };

  const dropChurner = (client: WsClient): void => {
    if (client.closed) return;
    services.logger.warn({ client: client.id, address: client.address }, 'WebSocket client closed for subscription churn');
    churnedUntil.set(churnKey(client.principal, client.address), performance.now() + limits.churnCooldownMs);
    client.send(
      errorMessage(
        'SUBSCRIPTION_CHURN',
        `more than ${limits.churnRefusalsMax} subscribes refused for rate within ${limits.churnWindowMs / 1000} s; the connection is closed`,
      ),
    );
    closeClient(client, CLOSE_CODES.policy, 'SUBSCRIPTION_CHURN');
  };

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      if (client.open) client.ws.ping();
    }
  }, limits.heartbeatIntervalMs);
  heartbeat.unref();
  let reported = { cycles: 0, messages: 0, msTotal: 0 };
  const statsLog = setInterval(() => {
    const fanOut = hub.fanOut;
    const cycles = fanOut.cycles - reported.cycles;
    services.logger.debug(
      {
        connections: clients.size,
        cycles,
        messages: fanOut.messagesWritten - reported.messages,
        cycleMsAverage: cycles > 0 ? (fanOut.cycleMsTotal - reported.msTotal) / cycles : 0,
        cycleMsMax: fanOut.cycleMsMax,
      },
      'WebSocket fan-out',
    );
    reported = { cycles: fanOut.cycles, messages: fanOut.messagesWritten, msTotal: fanOut.cycleMsTotal };
    fanOut.cycleMsMax = 0;
  }, STATS_LOG_INTERVAL_MS);
  statsLog.unref();
  const expirySweep = setInterval(() => {
    for (const client of clients) if (client.open) sessions.expireIfDue(client);
    const now = performance.now();
    for (const [key, until] of churnedUntil) if (until <= now) churnedUntil.delete(key);
  }, limits.expirySweepMs);
  expirySweep.unref();

  server.on('upgrade', onUpgrade);

  const gateway: WebSocketGateway = {
    limits,
    stats: () => {
      const fanOut = hub.fanOut;
      const latency = fanOut.publishLatency;
      return {
        connections: clients.size,
        messagesWritten: fanOut.messagesWritten,
        writes: fanOut.writes,
        bytesWritten: fanOut.bytesWritten,
        cycles: fanOut.cycles,
        staleMarks: fanOut.staleMarks,
        cycleMsAverage: fanOut.cycles > 0 ? fanOut.cycleMsTotal / fanOut.cycles : 0,
        publishLatencyMs: { p50: latency.percentile(50), p99: latency.percentile(99), samples: latency.count },
        snapshots: hub.snapshots.stats(),
      };
    },
    resetStats: () => {
      const fanOut = hub.fanOut;
      fanOut.messagesWritten = 0;
      fanOut.writes = 0;
      fanOut.bytesWritten = 0;
      fanOut.cycles = 0;
      fanOut.staleMarks = 0;
      fanOut.cycleMsTotal = 0;
      fanOut.cycleMsMax = 0;
      fanOut.publishLatency.reset();
      hub.snapshots.resetStats();
      reported = { cycles: 0, messages: 0, msTotal: 0 };
    },
    close: async () => {
      closing = true;
      clearInterval(heartbeat);
      clearInterval(expirySweep);
      clearInterval(statsLog);
      server.off('upgrade', onUpgrade);
      for (const client of clients) closeClient(client, CLOSE_CODES.goingAway, 'server shutting down');
      const deadline = Date.now() + limits.closeGraceMs;
      while (clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const client of clients) client.ws.terminate();
      await Promise.race([
        Promise.allSettled([...sessions.inFlight]),
        new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_WAIT_MS).unref()),
      ]);
      while (clients.size > 0 && Date.now() < deadline + 1_000) await new Promise((resolve) => setTimeout(resolve, 10));
      await Promise.allSettled([...pulls]);
      hub.close();
      wss.close();
    },
  };
  gateways.set(server, gateway);
  return gateway;
}

/**
 * Pulls the dealer's quotes for cancel-on-disconnect. A failure (the sequencer rebuilding after a
 * failed commit, the database away) is retried with backoff: quotes left live without their
 * dealer are a risk the dealer asked us to remove.
 */
async function pullQuotesWithRetry(services: WsServices, partyId: string): Promise<void> {
  for (let attempt = 1; attempt <= COD_ATTEMPTS_MAX; attempt++) {
    try {
      const pulled = await services.pullQuotes(partyId);
      services.logger.info({ partyId, pulled }, 'cancel-on-disconnect: quotes pulled');
      return;
    } catch (error) {
      services.logger.error({ err: error, partyId, attempt }, 'cancel-on-disconnect: pulling quotes failed');
      if (attempt < COD_ATTEMPTS_MAX) await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
    }
  }
}

/** One of the service's own origins (the page was served by this service), or an origin configured as allowed. */
function originAllowed(origin: string, own: ReadonlySet<string>, allowed: ReadonlySet<string>): boolean {
  if (allowed.has('*')) return true;
  const normalised = normaliseOrigin(origin);
  return own.has(normalised) || allowed.has(normalised);
}

/**
 * The origins the service's own pages are served from, from configuration alone: PUBLIC_ORIGIN
 * when set; otherwise loopback (localhost, 127.0.0.1, [::1]) and a configured specific HOST, on
 * the listening port — what `npm start` prints and the tests browse.
 */
function serviceOrigins(config: Config, server: http.Server): ReadonlySet<string> {
  if (config.publicOrigins && config.publicOrigins.length > 0) return new Set(config.publicOrigins.map(normaliseOrigin));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const hosts = ['localhost', '127.0.0.1', '[::1]'];
  if (config.host !== '0.0.0.0' && config.host !== '::') hosts.push(config.host.includes(':') ? `[${config.host}]` : config.host);
  return new Set(hosts.map((host) => normaliseOrigin(`http://${host}:${port}`)));
}

/** The origin as browsers serialise it (lower-case scheme and host, no default port, no path); '' if it is not one. */
function normaliseOrigin(origin: string): string {
  try {
    const url = new URL(origin.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : '';
  } catch {
    return '';
  }
}

function refuse(socket: Duplex, status: number, code: RejectionCode, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
