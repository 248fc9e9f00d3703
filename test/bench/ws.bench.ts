/**
 * `npm run bench:ws`: market-data fan-out to many WebSocket subscribers while orders flow, beside
 * the floor this machine allows (bench:ws-floor), measured in the same run.
 *
 * The real service runs in this process (on a throwaway PostgreSQL cluster when the server
 * binaries are installed, else on embedded PGlite). For each subscriber count N, bench:ws-floor runs
 * right before and right after the round (as a child process, same N, same duration): the bare TCP
 * fan-out on the same machine around the same moment; the ratio is taken against the mean of the two. Then clients processes
 * (BENCH_CLIENT_PROCESSES, default one per core up to 4) open N sessions between them, each
 * subscribed to the book (depth 10) and the trades of every demo note; a driver process places about
 * BENCH_ORDERS_PER_S limit orders per second over the socket (each at a new best bid, so each one
 * changes every subscriber's book), cancels the oldest to keep 40 resting per note, and every 100th
 * order of each note sells into its best bid (a trade).
 *
 * The subscribers are of two kinds, so that the server's cost is not hidden behind the clients' own
 * work on the same two cores:
 * - light subscribers (all but a sample; ws/light-subscriber.ts): WebSocket spoken directly over a
 *   TCP socket (handshake, frames, pongs; no client library), one frame per channel message, reading
 *   only each message's head (channel, type, seq) and checking that every update's seq follows the
 *   last one — what any subscriber must do at the least, as the floor's readers only read;
 * - full SDK clients (BENCH_SDK_CLIENTS, default 20, at most a tenth of N, spread over the connection
 *   order): client/sdk/ws sessions that parse every frame, check seqs and keep local books, which
 *   must equal the REST book at the end.
 * At the end every subscriber must be on the newest seq of every channel, with no gap.
 *
 * Measured: channel messages delivered per second to all clients; latency from the driver's order
 * acknowledgement to a subscriber seeing the update that shows the order's level (one sample per
 * order on each of BENCH_LATENCY_SESSIONS (100) light sessions spread evenly over all N, so over every
 * position in the server's write order and in each process's reading order; they read the new bid
 * levels from the bytes, best first; the processes share the machine's clock), and the same for the SDK sample;
 * server memory per connection ((heapUsed + external) after connecting and subscribing, minus
 * before, over N, after a GC). The server's own side is printed too: fan-out cycles, messages and
 * bytes written, commit → socket write latency per client, and its CPU per client write beside the
 * floor's (the whole service process, order entry included; and the fan-out's own busy time).
 * Env: BENCH_SUBSCRIBERS (default "1000,5000"), BENCH_ORDERS_PER_S (1000), BENCH_SECONDS (15),
 * BENCH_LATENCY_SESSIONS (100), BENCH_SDK_CLIENTS (20), BENCH_FLOOR (0 skips the floor),
 * BENCH_FLOOR_AFTER (0 runs the floor only before each round),
 * BENCH_WS_LIMITS (JSON of gateway limits to try, e.g. '{"fanOutRestRatio":0.25}'),
 * BENCH_GATEWAYS=N (issue 21): a nats-server and N gateway processes (`npm run gateway`, started by
 * support/gateways.ts) serve the subscribers, fed by the service through JetStream; the driver still
 * places its orders on the service. Adds a `bus:` line (commit → gateway receipt p50/p99, publisher
 * lag, service and gateway CPU, subscribers per gateway core), and the fan-out figures and
 * server_cpu_us_per_write become the gateways'.
 * Prints per N the floor's lines, then: subscribers=<n> msgs_per_s=<n> p50_ms=<n> p99_ms=<n>
 * bytes_per_connection=<n> sdk_p50_ms=<n> sdk_p99_ms=<n> server_cpu_us_per_write=<n>
 * fanout_us_per_write=<n> floor_p50_ms=<n> floor_p99_ms=<n> (means) floor_p99_each_ms=<before,after>
 * floor_cpu_us_per_write=<n> ratio=<p99 / floor p99> gateways=<n>
 * load_average=<1,5,15 min> sched_autogroup=<1|0> (the figures are taken with 0: ws/floor.ts)
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import request from 'supertest';
import { pino } from 'pino';
import { Decimal } from '../../server/domain/decimal.js';
import { startService } from '../../server/bootstrap.js';
import { openDatabase } from '../../server/db/connection.js';
import { gatewayOf } from '../../server/ws/gateway.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { startBenchBus, type BenchBus, type GatewayFigures } from './support/gateways.js';
import { convergence, type BooksReply, type Converged } from './ws/convergence.js';
import { clientsProcess } from './ws/clients.js';
import { driverProcess } from './ws/driver.js';
import { loadAverage, runFloor, schedAutogroup } from './ws/floor.js';
import { Histogram } from './ws/histogram.js';
import { watchPauses } from './ws/pauses.js';
import {
  BRACKET_FLOOR,
  CLIENT_PROCESSES,
  CONVERGE_MS,
  DEPTH,
  EXTRA_WS_LIMITS,
  GATEWAYS,
  MEASURE_MS,
  SDK_CLIENTS,
  SUBSCRIBERS,
  USERS,
  WARMUP_MS,
  WITH_FLOOR,
  child,
  next,
  type Ipc,
  type Note,
  type Plan,
  type Share,
} from './ws/plan.js';

// ---------------------------------------------------------------- the service process

/** The service under test, its database, and (BENCH_GATEWAYS) the NATS server and gateways. */
interface Bench {
  service: Awaited<ReturnType<typeof startService>>;
  cluster: PgCluster | null;
  bus: BenchBus | null;
  http: ReturnType<typeof request>;
  tokens: Record<string, string>;
  notes: Note[];
  plan: Plan;
  close(): Promise<void>;
}

async function startBench(): Promise<Bench> {
  let cluster: PgCluster | null = null;
  if (findPostgresBin() !== null) cluster = await startPgCluster(BENCH_PG_SETTINGS);
  process.once('exit', () => cluster?.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-ws-'));
  // BENCH_GATEWAYS: NATS first (the service publishes to it), the gateways once the service answers snapshots.
  const bus = GATEWAYS > 0 ? await startBenchBus() : null;
  const database = await openDatabase(
    cluster ? { kind: 'postgres', url: cluster.url, poolMax: 10 } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
  );
  const wsLimits = { connectionsMax: 50_000, connectionsPerAddressMax: 50_000, messagesPerSecond: 20_000, ...EXTRA_WS_LIMITS };
  const service = await startService({
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: null,
      jwtSecret: 'bench-secret-bench-secret-bench-secret',
      logLevel: 'silent',
      seedDemo: true,
      demoPassword: 'demo',
      wsLimits: { ...wsLimits, requestsInFlightMax: 5_000 },
      ...(bus ? { natsUrl: bus.natsUrl } : {}),
    },
    logger: pino({ level: process.env.BENCH_DEBUG ? 'debug' : 'warn' }, pino.destination(2)),
    database,
    riskLimits: { orderFaceMax: new Decimal(50_000_000), openOrdersMax: 1_000_000, dailyNotionalMax: new Decimal('1e15') },
  });
  const http = request(service.server);
  const tokens: Record<string, string> = {};
  const partyIds: Record<string, string> = {};
  for (const user of USERS) {
    const login = await http.post('/api/v1/auth/token').send({ username: user, password: 'demo' });
    tokens[user] = login.body.token;
    partyIds[user] = login.body.user.partyId;
  }
  const operator = (await http.post('/api/v1/auth/token').send({ username: 'operator1', password: 'demo' })).body.token;
  for (const user of USERS) {
    await http
      .post('/api/v1/cash/deposits')
      .set({ authorization: `Bearer ${operator}` })
      .send({ partyId: partyIds[user], amount: '100000000000', reference: `bench-${user}` });
  }
  const notes = ((await http.get('/api/v1/notes').set({ authorization: `Bearer ${tokens.investor1}` })).body as Note[]).map((n) => ({
    id: n.id,
    tickSize: n.tickSize,
  }));
  const url = `${service.url.replace(/^http/, 'ws')}/ws`;
  if (bus) await bus.startGateways(GATEWAYS, { jwtSecret: service.services.jwtSecret, wsLimits });
  const plan: Plan = { url, subscriberUrls: bus ? bus.urls : [url], subscribers: 0, sdkClients: 0, notes, tokens, partyIds };
  return {
    service,
    cluster,
    bus,
    http,
    tokens,
    notes,
    plan,
    close: async () => {
      await service.close();
      await bus?.close();
      await database.close();
      cluster?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the fan-out did during the measurement: the service's own, or the gateways' summed. */
type FanOutFigures = Pick<
  GatewayFigures,
  'cycles' | 'staleMarks' | 'cycleMsAverage' | 'messagesWritten' | 'writes' | 'bytesWritten' | 'publishLatencyMs'
>;

async function main(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const bench = await startBench();
  const { service, cluster, bus, http, tokens, notes, plan } = bench;
  const memory = () => {
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };

  if (schedAutogroup() === '1')
    process.stderr.write(
      'bench:ws: kernel.sched_autogroup_enabled=1 weighs each PostgreSQL backend like the whole bench; the figures are taken with 0 (see ws/floor.ts)\n',
    );
  const phase = (name: string) => process.env.BENCH_DEBUG && process.stderr.write(`bench:ws ${new Date().toISOString()} ${name}\n`);
  for (const subscribers of SUBSCRIBERS) {
    // The yardstick first, on the same machine at the same moment, with the same subscriber count.
    const floor = WITH_FLOOR ? await runFloor(subscribers) : null;
    if (floor) process.stdout.write(`${floor.line}\n`);
    const sdkClients = Math.min(SDK_CLIENTS, Math.floor(subscribers / 10));
    const before = memory();
    const shares: Share[] = Array.from({ length: CLIENT_PROCESSES }, (_, i) => {
      const first = Math.floor((i * subscribers) / CLIENT_PROCESSES);
      return { first, count: Math.floor(((i + 1) * subscribers) / CLIENT_PROCESSES) - first };
    });
    const clients = shares.map((share) => {
      const clientProcess = child('--clients');
      clientProcess.send({ kind: 'plan', plan: { ...plan, subscribers, sdkClients }, share });
      return clientProcess;
    });
    const toClients = (message: Ipc) => clients.forEach((c) => c.send(message));
    const fromClients = (kind: string) => Promise.all(clients.map((c) => next(c, kind)));
    const clientsExited = Promise.all(clients.map((c) => new Promise((resolve) => c.once('exit', resolve))));
    const ready = await fromClients('ready');
    phase('clients ready');
    const sdkConnected = ready.reduce((sum, r) => sum + (r.sdks as number), 0);
    // With gateways, the connections live in their processes: the service holds none of them.
    const bytesPerConnection = bus ? null : Math.round((memory() - before) / subscribers);

    const driver = child('--driver');
    // Each round's orders must improve the best bid, so start above what the last round left resting.
    const startPrices = await Promise.all(
      notes.map(async (note) => {
        const book = (await http.get(`/api/v1/notes/${note.id}/book?depth=1`).set({ authorization: `Bearer ${tokens.investor1}` })).body;
        return { ...note, startPrice: (book.bids[0]?.price as string | undefined) ?? '20' };
      }),
    );
    const driving = next(driver, 'driving');
    driver.send({ kind: 'plan', plan: { ...plan, notes: startPrices }, ackPorts: ready.map((r) => r.ackPort as number) });
    await driving;
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const gateway = gatewayOf(service.server)!;
    phase('measuring');
    toClients({ kind: 'measure', on: true });
    driver.send({ kind: 'measure', on: true });
    gateway.resetStats();
    await bus?.resetStats();
    service.bus?.publisher.resetStats();
    const pauses = watchPauses();
    const serviceCpuBefore = process.cpuUsage();
    const pgCpuBefore = cluster?.cpuSeconds() ?? 0;
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    // BENCH_GATEWAYS: the fan-out's figures and CPU are the gateways'; the service's CPU is printed beside them.
    const onBus = bus ? await bus.stats() : null;
    const server: FanOutFigures = onBus ?? gateway.stats();
    const serviceCpu = process.cpuUsage(serviceCpuBefore);
    const servicePauses = pauses.stop();
    const serviceCpuMicros = serviceCpu.user + serviceCpu.system;
    const serverCpuMicros = onBus ? onBus.cpuMicros : serviceCpuMicros;
    const pgCpuMicros = ((cluster?.cpuSeconds() ?? 0) - pgCpuBefore) * 1e6;
    const measuredReplies = fromClients('measured');
    const driverMeasured = next(driver, 'measured');
    toClients({ kind: 'measure', on: false });
    driver.send({ kind: 'measure', on: false });
    let clientsCpuMicros = 0;
    const light = new Histogram();
    const sdk = new Histogram();
    let delivered = 0;
    for (const reply of await measuredReplies) {
      light.merge(reply.light as { buckets: number[]; count: number });
      sdk.merge(reply.sdk as { buckets: number[]; count: number });
      delivered += reply.messages as number;
      clientsCpuMicros += reply.cpuMicros as number;
    }
    const driverCpuMicros = (await driverMeasured).cpuMicros as number;
    phase('measured');
    const done = next(driver, 'done');
    driver.send({ kind: 'stop' });
    const driven = await done;
    phase('driver done');

    await service.services.sequencer!.idle();
    await service.bus?.publisher.flushed(); // BENCH_GATEWAYS: everything committed is on the stream
    phase('sequencer idle');
    // The last cycles still reach the slowest subscribers (and the conflated ones get a fresh
    // snapshot): ask until everyone agrees with the server, for at most CONVERGE_MS.
    let converged: Converged;
    const convergeUntil = performance.now() + CONVERGE_MS;
    do {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const replies = fromClients('books');
      toClients({ kind: 'books' });
      converged = await convergence((await replies) as unknown as BooksReply[], notes, (noteId) =>
        http.get(`/api/v1/notes/${noteId}/book?depth=${DEPTH}`).set({ authorization: `Bearer ${tokens.investor1}` }),
      );
    } while ((converged.booksEqual < sdkConnected || converged.current < subscribers) && performance.now() < convergeUntil);
    toClients({ kind: 'exit' });
    phase('books');
    const { booksEqual, current, gaps, reconnects } = converged;
    const stats = driven.stats as { placed: number; rejected: number; cancels: number; trades: number; skipped: number };
    const seconds = MEASURE_MS / 1000;
    const cores = (micros: number) => (micros / 1000 / MEASURE_MS).toFixed(2);
    process.stdout.write(
      `orders_per_s=${Math.round(stats.placed / (driven.seconds as number))} not_sent_over_in_flight_cap=${stats.skipped} rejected=${stats.rejected}${stats.rejected > 0 ? ` rejections=${JSON.stringify(driven.rejections)}` : ''} cancels=${stats.cancels} trades=${stats.trades} ` +
        `latency_samples=${light.count} sdk_latency_samples=${sdk.count} sdk_clients=${sdkConnected} sdk_clients_with_every_book_equal=${booksEqual}/${sdkConnected} ` +
        `clients_on_newest_seq=${current}/${subscribers} gaps=${gaps} reconnects=${reconnects} ` +
        `client_processes=${CLIENT_PROCESSES} database=${cluster ? 'pg' : 'pglite'} load_average=${loadAverage()}\n`,
    );
    process.stdout.write(
      `server_side: fanout_cycles_per_s=${(server.cycles / seconds).toFixed(1)} cycle_ms_avg=${server.cycleMsAverage.toFixed(1)} ` +
        `messages_written_per_s=${Math.round(server.messagesWritten / seconds)} writes_per_client_per_s=${(server.writes / subscribers / seconds).toFixed(1)} stale_marks=${server.staleMarks} ` +
        `bytes_per_write=${Math.round(server.bytesWritten / Math.max(1, server.writes))} commit_to_write_p50_ms=${server.publishLatencyMs.p50} commit_to_write_p99_ms=${server.publishLatencyMs.p99} ${servicePauses}\n`,
    );
    // CPU per client write (one socket write = one frame per client per cycle), so that runs at
    // different cycle rates and on a busier or quieter machine compare: what the machine's two cores
    // are spent on, server versus the clients that share them. fanout_us_per_write is the time the
    // fan-out cycles kept the server's event loop busy, per write (order entry and commits excluded).
    const perWrite = (micros: number) => Math.round(micros / Math.max(1, server.writes));
    process.stdout.write(
      `cpu_cores: server=${cores(serverCpuMicros)} clients=${cores(clientsCpuMicros)} driver=${cores(driverCpuMicros)} postgres=${cores(pgCpuMicros)} ` +
        `cpu_us_per_client_write: server=${perWrite(serverCpuMicros)} clients=${perWrite(clientsCpuMicros)}\n`,
    );
    if (onBus) {
      const gatewayCores = onBus.cpuMicros / 1000 / MEASURE_MS;
      const publisher = service.bus!.publisher.stats();
      process.stdout.write(
        `bus: commit_to_gateway_p50_ms=${onBus.busHopMs.p50} commit_to_gateway_p99_ms=${onBus.busHopMs.p99} samples=${onBus.busHopMs.samples} ` +
          `publisher_lag_p50_ms=${publisher.lagMs.p50} publisher_lag_p99_ms=${publisher.lagMs.p99} publisher_peak_queued=${publisher.peakQueued} publisher_batches=${publisher.batches} publisher_messages=${publisher.messages} publisher_retries=${publisher.retries} ` +
          `service_cpu_cores=${cores(serviceCpuMicros)} gateway_cpu_cores=${gatewayCores.toFixed(2)} ` +
          `subscribers_per_gateway_core=${Math.round(subscribers / Math.max(0.01, gatewayCores))} writes_per_gateway_core_s=${Math.round(server.writes / seconds / Math.max(0.01, gatewayCores))}\n`,
      );
    }
    const serverPerWrite = serverCpuMicros / Math.max(1, server.writes);
    const fanOutPerWrite = (server.cycleMsAverage * server.cycles * 1000) / Math.max(1, server.writes);
    const p99 = light.percentile(99);
    const loadDuring = loadAverage();
    await clientsExited;
    // The floor again right after, so that the yardstick brackets the measurement in time: the
    // machine's load drifts, and the ratio is taken against the mean of the two.
    const floorAfter = WITH_FLOOR && BRACKET_FLOOR ? await runFloor(subscribers) : null;
    if (floorAfter) process.stdout.write(`${floorAfter.line}\n`);
    const floors = [floor, floorAfter].filter((f) => f !== null);
    const floorMean = (key: string) => floors.reduce((sum, f) => sum + Number(f.values[key]), 0) / floors.length;
    process.stdout.write(
      `subscribers=${subscribers} msgs_per_s=${Math.round(delivered / seconds)} p50_ms=${light.percentile(50)} p99_ms=${p99} bytes_per_connection=${bytesPerConnection ?? 'n/a'} ` +
        `sdk_p50_ms=${sdk.percentile(50)} sdk_p99_ms=${sdk.percentile(99)} server_cpu_us_per_write=${serverPerWrite.toFixed(1)} fanout_us_per_write=${fanOutPerWrite.toFixed(1)}` +
        (floors.length > 0
          ? ` floor_p50_ms=${floorMean('p50_ms').toFixed(1)} floor_p99_ms=${floorMean('p99_ms').toFixed(1)} floor_p99_each_ms=${floors.map((f) => f.values.p99_ms).join(',')} ` +
            `floor_cpu_us_per_write=${floorMean('server_cpu_us_per_write').toFixed(1)} ratio=${(p99 / floorMean('p99_ms')).toFixed(2)}`
          : '') +
        ` gateways=${GATEWAYS} load_average=${loadDuring} sched_autogroup=${schedAutogroup()}\n`,
    );
  }
  await bench.close();
}

if (process.argv.includes('--clients')) await clientsProcess();
else if (process.argv.includes('--driver')) await driverProcess();
else await main();
