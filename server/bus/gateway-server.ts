/**
 * A stateless WebSocket gateway fed by the bus (what `npm run gateway` runs): an HTTP server with
 * `/ws` (server/ws: the service's protocol, auth, limits and slow-consumer rules), feeds from the
 * stream (BusHub) and order entry forwarded to the service (forward.ts); plus GET /healthz and
 * GET /stats (connections, fan-out and bus figures as JSON) for operations and benchmarks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { systemClock } from '../core/clock.js';
import type { Config } from '../config.js';
import { attachGateway, type WebSocketGateway } from '../ws/gateway.js';
import { connectBus, type Bus } from './connection.js';
import { forwardingServices } from './forward.js';
import { BusHub } from './hub.js';

export interface RunningGateway {
  url: string;
  wsUrl: string;
  server: http.Server;
  gateway: WebSocketGateway;
  hub: BusHub;
  bus: Bus;
  /** Closes every connection (1001) and stops. */
  close(): Promise<void>;
  /** Stops as a crashed process would: sockets dropped without a close frame, NATS left unclosed. */
  kill(): Promise<void>;
}

export async function startGateway(config: Config & { natsUrl: string }, jwtSecret: string, logger: Logger): Promise<RunningGateway> {
  const bus = await connectBus(config.natsUrl, logger, 'cnx-gateway');
  let hub: BusHub | null = null;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((request, response) => {
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/healthz') return json(200, { status: 'ok' });
    if (request.url === '/stats') return json(200, { ws: gateway.stats(), bus: hub?.stats() ?? null });
    if (request.url === '/stats/reset' && request.method === 'POST') {
      gateway.resetStats();
      hub?.resetStats();
      return json(200, { reset: true });
    }
    json(404, { error: { code: 'NOT_FOUND', message: 'a gateway serves /ws, /healthz and /stats' } });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const gateway = attachGateway(server, forwardingServices(bus, jwtSecret, systemClock, logger), config, (limits, onSlowConsumer) => {
    hub = new BusHub(bus, limits, logger, onSlowConsumer);
    return hub;
  });
  const busHub = hub as unknown as BusHub;
  await busHub.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    server,
    gateway,
    hub: busHub,
    bus,
    close: async () => {
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
    },
    kill: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      busHub.close();
      await bus.close();
    },
  };
}
