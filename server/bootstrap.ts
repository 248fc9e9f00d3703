/**
 * Assembles the service: database (migrated), business date, demo seed when configured, HTTP app,
 * and a graceful close. Used by `npm start` (server/index.ts) and by the integration tests, so the
 * tests run exactly what production runs.
 */
import { closeInterruptedRuns } from './settlement/interrupted.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { openDatabase, migrateToLatest, targetFromEnvironment, type Database } from './db/connection.js';
import { createRequestHandler } from './api/app.js';
import { routes } from './api/routes/index.js';
import { systemClock, type Clock } from './core/clock.js';
import type { AppServices } from './services.js';
import { RateLimiter } from './auth/rate-limit.js';
import { resolveJwtSecret } from './auth/secret.js';
import { initialiseBusinessDate } from './businessdate/index.js';
import { seedDemoMarket, type DemoSummary } from './demo/seed.js';
import { seedDemoWaterfalls } from './servicing/demo.js';
import { seedDemoPerformance } from './demo/performance-seed.js';
import { seedDemoCurve } from './projection/curves.js';
import { seedDemoObligors } from './demo/obligors.js';
import { seedDemoGpuValues } from './demo/gpu-values.js';
import type { Config } from './config.js';
import { Sequencer } from './sequencer/sequencer.js';
import { requoteAfterChange } from './trading/spread-requote.js';
import type { RiskLimits } from './sequencer/state.js';
import { expireRfqs } from './rfq/store.js';
import { publishRfq } from './rfq/views.js';
import { EventBus } from './events/bus.js';
import { settleDueAtClose } from './settlement/end-of-day.js';
import { expireOrders, gtdOrdersDue } from './sequencer/admin.js';
import { attachWebSocketGateway, type HubFactory } from './ws/gateway.js';
import { resolveLimits } from './ws/limits.js';
import { connectBus, type Bus } from './bus/connection.js';
import { BusHub } from './bus/hub.js';
import { BusPublisher } from './bus/publisher.js';
import { PartyPublisher } from './bus/party-publisher.js';
import { startResponder } from './bus/responder.js';
import { startRegistry, type RegistryHandle } from './registry/service.js';

/** How often the sequencer looks for GTD orders whose expiry time has passed. */
export const GTD_SWEEP_INTERVAL_MS = 1_000;
/** How often RFQs past their expiry are closed and their outcomes recorded. */
export const RFQ_SWEEP_INTERVAL_MS = 1_000;

export const LOGIN_ATTEMPTS_PER_USERNAME_PER_MINUTE = 10;
export const LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE = 100;

export interface RunningService {
  services: AppServices;
  database: Database;
  server: http.Server;
  url: string;
  demo: DemoSummary | null;
  /** The on-chain registry, when REGISTRY is embedded or rpc (server/registry). */
  registry: RegistryHandle | null;
  /** With NATS_URL: the publisher to JetStream and the hub /ws is served through (server/bus). */
  bus: { publisher: BusPublisher; party: PartyPublisher; hub: BusHub } | null;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Use this database instead of opening one from the configuration (tests). */
  database?: Database;
  /** Per-party pre-trade limits (defaults in sequencer/state.ts). */
  riskLimits?: RiskLimits;
}

function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export async function startService(options: StartOptions): Promise<RunningService> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const jwtSecret = resolveJwtSecret(config);
  const database = options.database ?? (await openDatabase(targetFromEnvironment(process.env, config.dataDir)));
  const applied = await migrateToLatest(database.knex);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  // Before anything can start a new run: a run the previous process left running is closed with the truth.
  await closeInterruptedRuns(database.knex, logger);
  const businessDate = await initialiseBusinessDate(database.knex, utcDate(clock.now()));
  const demo = config.seedDemo ? await seedDemoMarket(database.knex, { password: config.demoPassword, businessDate }) : null;
  if (config.seedDemo) {
    await seedDemoWaterfalls(database.knex);
    await seedDemoPerformance(database.knex);
    await seedDemoCurve(database.knex, businessDate);
    await seedDemoObligors(database.knex);
    await seedDemoGpuValues(database.knex);
  }
  // The on-chain registry: its outbox is backfilled now (before anything settles); the chain
  // (an in-process EVM when embedded) connects in the background, so start stays quick.
  const registryConfig = config.registry ?? { mode: 'off' };
  const registry = registryConfig.mode === 'off' ? null : await startRegistry({ knex: database.knex, config: registryConfig, logger });

  const sequencer = new Sequencer(database.writer, database.knex, clock, logger, options.riskLimits);
  await sequencer.start();
  const events = new EventBus();
  const services: AppServices = {
    knex: database.knex,
    sequencer,
    events,
    clock,
    jwtSecret,
    logger,
    loginLimits: {
      perUsername: new RateLimiter(LOGIN_ATTEMPTS_PER_USERNAME_PER_MINUTE, 60_000),
      perAddress: new RateLimiter(LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE, 60_000),
    },
    // End of day: DAY orders expire (and GTD orders due) before the business date moves; what is
    // due and unsettled is attempted once more, and what cannot settle becomes a fail.
    endOfDayHooks: [
      async () => void (await sequencer.execute((state) => expireOrders(state, { dayOrders: true }))),
      async (closing, _next, actor) => void (await settleDueAtClose(database.knex, sequencer, events, closing, actor)),
    ],
    isReady: async () => {
      await database.knex.raw('select 1');
      return sequencer.ready;
    },
  };
  // Spread quotes rest at prices derived from the curve; one loaded just before a stop has not moved them yet.
  await requoteAfterChange(services, 'start');
  const server = http.createServer(createRequestHandler(services, routes));
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 65_000;
  // With NATS_URL: committed batches and the private feeds' changes are published to JetStream,
  // gateways' requests answered, and /ws itself is served through the bus, as gateways serve it.
  let bus: Bus | null = null;
  let publisher: BusPublisher | null = null;
  let partyPublisher: PartyPublisher | null = null;
  let stopResponder: (() => void) | null = null;
  let busHub: BusHub | null = null;
  let createHub: HubFactory | undefined;
  if (config.natsUrl) {
    const connected = await connectBus(config.natsUrl, logger, 'cnx-service');
    bus = connected;
    publisher = new BusPublisher(connected, sequencer, database.knex, logger);
    publisher.start(events);
    partyPublisher = new PartyPublisher(connected, sequencer, events, database.knex, logger);
    partyPublisher.start();
    const limits = resolveLimits(config.wsLimits);
    stopResponder = startResponder(connected, publisher, partyPublisher, services, {
      recentMax: limits.recentTradesMax,
      rfqSnapshotMax: limits.rfqSnapshotMax,
      settlementSnapshotMax: limits.settlementSnapshotMax,
    });
    createHub = (limits, onSlowConsumer) => (busHub = new BusHub(connected, limits, logger, onSlowConsumer));
  }
  // Market data, private feeds and order entry over /ws, on the same port (server/ws).
  const gateway = attachWebSocketGateway(server, services, config, createHub);
  const hubOnBus = busHub as BusHub | null;
  if (hubOnBus) await hubOnBus.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${address.port}`;

  const gtdSweep = setInterval(() => {
    if (!sequencer.ready || !sequencer.view((state) => gtdOrdersDue(state, clock.now().getTime()))) return;
    sequencer
      .execute((state) => expireOrders(state, { dayOrders: false }))
      .catch((error) => logger.warn({ err: error }, 'GTD expiry failed'));
  }, GTD_SWEEP_INTERVAL_MS);
  gtdSweep.unref();
  const rfqSweep = setInterval(() => {
    expireRfqs(database.knex, clock.now(), (rfq) => publishRfq(database.knex, services.events, rfq, 'rfq_expired', clock.now())).catch(
      (error) => logger.warn({ err: error }, 'RFQ expiry failed'),
    );
  }, RFQ_SWEEP_INTERVAL_MS);
  rfqSweep.unref();

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      clearInterval(gtdSweep);
      clearInterval(rfqSweep);
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await sequencer.idle();
      if (publisher) {
        await Promise.race([publisher.flushed(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        await partyPublisher?.close();
        stopResponder?.();
        await publisher.close();
      }
      await bus?.close();
      await registry?.close();
      if (!options.database) await database.close();
    })();
    return closing;
  };
  return {
    services,
    database,
    server,
    url,
    demo,
    registry,
    bus: publisher && partyPublisher && hubOnBus ? { publisher, party: partyPublisher, hub: hubOnBus } : null,
    close,
  };
}
