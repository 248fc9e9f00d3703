/**
 * `BENCH_GATEWAYS=N npm run bench:ws` (ws.bench.ts hands over to this file): market-data fan-out to
 * many WebSocket subscribers while orders flow, the subscribers served by N gateway processes fed
 * through NATS JetStream. (It is the bench:ws harness as it was before the light-subscriber rework
 * of ws.bench.ts, plus the gateways; merging the two is left to do.)
 *
 * The real service runs in this process (on a throwaway PostgreSQL cluster when the server
 * binaries are installed, else on embedded PGlite). Clients processes (BENCH_CLIENT_PROCESSES,
 * default one per core up to 4) open N sessions between them with the SDK's WebSocket client
 * (client/sdk/ws), each subscribed to the book (depth 10) and the trades of
 * every demo note; a driver process places about BENCH_ORDERS_PER_S limit orders per second over
 * the socket (each at a new best bid, so each one changes every subscriber's book), cancels the
 * oldest to keep 40 resting per note, and every 100th order sells into the best bid (a trade).
 *
 * Measured: channel messages delivered per second to all clients; latency from the driver's order
 * acknowledgement to a client applying the update that shows the order's level (one sample per
 * order on each of BENCH_LATENCY_SESSIONS (100) sessions spread evenly over all N, so over every
 * position in the server's write order and in each process's reading order; the processes share
 * the machine's clock);
 * server memory per connection ((heapUsed + external) after connecting and subscribing, minus
 * before, over N, after a GC); at the end, how many clients hold a book equal to the REST book on
 * every note. The server's own side is printed too: fan-out cycles, messages written, and
 * commit → socket write latency per client (what the server controls, without the clients' CPU).
 * Harness note: a clients process parses each distinct frame text once and shares the parsed
 * (read-only) message between its sessions, so that N clients on one machine measure the server
 * rather than N redundant JSON.parse calls; each session still checks seqs and keeps its own book.
 * The sessions of one process are served one after another, so the last of them handles a frame
 * after all the others: real subscribers sit on many machines, so the sessions are spread over
 * several processes; on a 2-core machine the clients' work still shares the CPU with the server.
 * Env: BENCH_SUBSCRIBERS (default "1000,5000"), BENCH_ORDERS_PER_S (1000), BENCH_SECONDS (15),
 * BENCH_LATENCY_SESSIONS (100), BENCH_WS_LIMITS (JSON of gateway limits to try, e.g. '{"fanOutRestRatio":0.25}').
 * BENCH_GATEWAYS=N (issue 21): a nats-server and N gateway processes (npm run gateway) serve the
 * subscribers, fed by the service through JetStream; adds a `bus:` line (commit → gateway receipt
 * p50/p99, publisher lag, gateway CPU, subscribers per gateway core) and `gateways=<n>` on the last.
 * Prints per N: subscribers=<n> msgs_per_s=<n> p50_ms=<n> p99_ms=<n> bytes_per_connection=<n>
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { Decimal } from '../../server/domain/decimal.js';
import { startService } from '../../server/bootstrap.js';
import { openDatabase } from '../../server/db/connection.js';
import { gatewayOf } from '../../server/ws/gateway.js';
import { CnxSocket, type SocketLike } from '../../client/sdk/ws/index.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { startBenchBus } from './support/gateways.js';

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1000,5000').split(',').map(Number);
const ORDERS_PER_S = Number(process.env.BENCH_ORDERS_PER_S ?? 1000);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const WARMUP_MS = 3_000;
const DEPTH = 10;
const RESTING_PER_NOTE = 40;
const USERS = ['investor1', 'investor2', 'dealer1', 'dealer2'];
const IN_FLIGHT_MAX = 500;
const LATENCY_SAMPLED_SESSIONS = Number(process.env.BENCH_LATENCY_SESSIONS ?? 100);
/** Extra WebSocket limits as JSON (e.g. '{"fanOutRestRatio":0.25}'), to compare settings of the gateway. */
const EXTRA_WS_LIMITS = JSON.parse(process.env.BENCH_WS_LIMITS ?? '{}') as Record<string, number>;
/** Processes the sessions are spread over (real subscribers are on other machines; one process would serialise them all). */
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? Math.max(1, Math.min(4, os.cpus().length)));
// BENCH_GATEWAYS=N (issue 21): subscribers connect to N gateway processes fed by NATS JetStream instead of the service.
const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 0);

/** `startPrice`: the driver's first bid is one tick above it (the best bid when the round starts). */
interface Note {
  id: string;
  tickSize: string;
  startPrice?: string;
}
type Plan = {
  url: string;
  subscribers: number;
  notes: Note[];
  tokens: Record<string, string>;
  partyIds: Record<string, string>;
  /** BENCH_GATEWAYS: the gateways' /ws URLs; session i connects to gatewayUrls[i % length]. */
  gatewayUrls?: string[];
};
/** One clients process's share: sessions [first, first + count) of the plan's subscribers. */
type Share = { first: number; count: number };
type Ipc = { kind: string; [key: string]: unknown };

const wallMs = () => performance.timeOrigin + performance.now();

function child(role: string): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), role], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function next(process: ChildProcess, kind: string): Promise<Ipc> {
  return new Promise((resolve) => {
    const listener = (message: Ipc) => {
      if (message.kind !== kind) return;
      process.off('message', listener);
      resolve(message);
    };
    process.on('message', listener);
  });
}

/** Latency histogram in 0.1 ms buckets up to 10 s. */
class Histogram {
  readonly buckets = new Uint32Array(100_001);
  count = 0;
  add(ms: number): void {
    this.buckets[Math.min(100_000, Math.max(0, Math.floor(ms * 10)))]! += 1;
    this.count += 1;
  }
  merge(other: { buckets: ArrayLike<number>; count: number }): void {
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
  }
  percentile(p: number): number {
    let seen = 0;
    const target = Math.ceil((p / 100) * this.count);
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target && seen > 0) return i / 10;
    }
    return 0;
  }
}

// ---------------------------------------------------------------- the clients process

async function clientsProcess(): Promise<void> {
  const start = (await new Promise<Ipc>((resolve) => process.once('message', resolve))) as Ipc & { plan: Plan; share: Share };
  const { plan, share } = start;
  const histogram = new Histogram();
  // By note, then by price: the parsed messages are shared between sessions, so these lookups use
  // the same string objects again and again (their hashes are computed once), no key is built.
  const acks = new Map<string, Map<string, number>>(plan.notes.map((note) => [note.id, new Map()]));
  const early = new Map<string, Map<string, number[]>>(plan.notes.map((note) => [note.id, new Map()]));
  let measuring = false;
  let messages = 0;
  let cpuAtMeasureStart = process.cpuUsage();
  // Sessions receive the same frames one after another: compare with the last few texts (a
  // length check, then memcmp) instead of hashing each one.
  const recent: { text: string; value: unknown }[] = [];
  const parse = function memoParse(text: string): unknown {
    for (const entry of recent) if (entry.text === text) return entry.value;
    const value = JSON.parse(text);
    recent.unshift({ text, value });
    if (recent.length > 16) recent.pop();
    return value;
  };
  const appeared = function recordAppearance(noteId: string, price: string, at: number) {
    if (!measuring) return;
    const ackedAt = acks.get(noteId)?.get(price);
    if (ackedAt !== undefined) {
      histogram.add(at - ackedAt);
      return;
    }
    const waiting = early.get(noteId);
    const arrivals = waiting?.get(price);
    if (arrivals) arrivals.push(at);
    else waiting?.set(price, [at]);
  };
  process.on('message', function onControl(message: Ipc) {
    if (message.kind === 'acks') {
      for (const [noteId, price, at] of message.acks as [string, string, number][]) {
        acks.get(noteId)?.set(price, at);
        const waiting = early.get(noteId);
        for (const arrival of waiting?.get(price) ?? []) histogram.add(Math.max(0, arrival - at));
        waiting?.delete(price);
      }
    } else if (message.kind === 'measure') {
      measuring = message.on as boolean;
      if (measuring) {
        messages = 0;
        cpuAtMeasureStart = process.cpuUsage();
      } else {
        const cpu = process.cpuUsage(cpuAtMeasureStart);
        process.send!({
          kind: 'measured',
          messages,
          buckets: Array.from(histogram.buckets),
          samples: histogram.count,
          cpuMicros: cpu.user + cpu.system,
        });
      }
    }
  });

  const channels = plan.notes.flatMap((n) => [`book:${n.id}`, `trades:${n.id}`]);
  const clients: CnxSocket[] = [];
  let snapshots = 0;
  let created = 0;
  const connectOne = async () => {
    const index = share.first + created++;
    const client = new CnxSocket({
      url: plan.gatewayUrls?.length ? plan.gatewayUrls[index % plan.gatewayUrls.length]! : plan.url,
      parse,
      reconnect: { initialDelayMs: 500, maxDelayMs: 5_000 },
      createSocket: (url) => new WebSocket(url, { perMessageDeflate: false }) as unknown as SocketLike,
    });
    // The highest probe price this client has seen per note: bids only ever appear higher.
    const highest = new Map<string, number>();
    // Latency is sampled on every k-th session (spread over the whole connection order), so that
    // recording it does not cost more than the work it measures: sampling every other session of
    // 1,000 cost the clients processes more CPU than the SDK's own work, on the server's cores.
    const sampled = index % Math.max(1, Math.floor(plan.subscribers / LATENCY_SAMPLED_SESSIONS)) === 0;
    const onLevels = function onBookLevels(message: { channel: string; data: unknown }) {
      messages += 1;
      if (!sampled || !message.channel.startsWith('book:')) return;
      const data = message.data as { noteId: string; bids: { price: string; orders: number }[] };
      const at = wallMs();
      const floor = highest.get(data.noteId) ?? 0;
      let top = floor;
      for (const level of data.bids) {
        const price = Number(level.price);
        if (level.orders === 0 || price <= floor) continue;
        top = Math.max(top, price);
        appeared(data.noteId, level.price, at);
      }
      highest.set(data.noteId, top);
    };
    client.on('update', onLevels);
    client.on('snapshot', (message) => {
      snapshots += 1;
      onLevels(message);
    });
    await client.connect();
    client.subscribe(channels, { depth: DEPTH });
    clients.push(client);
  };
  for (let i = 0; i < share.count; i += 100) await Promise.all(Array.from({ length: Math.min(100, share.count - i) }, connectOne));
  while (snapshots < share.count * channels.length) await new Promise((resolve) => setTimeout(resolve, 50));
  process.send!({ kind: 'ready' });

  await new Promise<void>((resolve) => process.on('message', (message: Ipc) => message.kind === 'books' && resolve()));
  const books: Record<string, Record<string, number>> = {};
  for (const note of plan.notes) {
    const counts: Record<string, number> = {};
    for (const client of clients) {
      const book = client.book(note.id);
      const key = JSON.stringify(book ? { bids: book.bids, asks: book.asks } : null);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    books[note.id] = counts;
  }
  const reconnects = clients.reduce((sum, c) => sum + c.reconnects, 0);
  const gaps = clients.reduce((sum, c) => sum + c.gaps, 0);
  process.send!({ kind: 'books', books, reconnects, gaps });
  for (const client of clients) client.close();
  setTimeout(() => process.exit(0), 500);
}

// ---------------------------------------------------------------- the driver process

async function driverProcess(): Promise<void> {
  const plan = (await new Promise<Ipc>((resolve) => process.once('message', resolve))).plan as Plan;
  const sockets = new Map<string, WebSocket>();
  for (const user of USERS) {
    const ws = new WebSocket(plan.url, { headers: { authorization: `Bearer ${plan.tokens[user]}` }, perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    sockets.set(user, ws);
  }
  const stats = { placed: 0, rejected: 0, cancels: 0, trades: 0, skipped: 0 };
  const price = new Map(plan.notes.map((n) => [n.id, new Decimal(n.startPrice ?? 20)]));
  const resting = new Map<string, { user: string; orderId: string; price: string }[]>(plan.notes.map((n) => [n.id, []]));
  const pending = new Map<string, (reply: { status: number; body: any }) => void>();
  let acks: [string, string, number][] = [];
  let sequence = 0;
  for (const [, ws] of sockets) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.op !== 'reply') return;
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    });
  }
  const send = (user: string, body: Record<string, unknown>, onReply: (reply: { status: number; body: any }) => void) => {
    const id = `d${++sequence}`;
    pending.set(id, onReply);
    sockets.get(user)!.send(JSON.stringify({ ...body, id }));
  };
  let inFlight = 0;
  const placeOne = (index: number) => {
    const note = plan.notes[index % plan.notes.length]!;
    const user = USERS[index % USERS.length]!;
    const level = price.get(note.id)!.plus(note.tickSize);
    price.set(note.id, level);
    const text = level.toFixed();
    inFlight += 1;
    send(
      user,
      {
        op: 'order',
        order: { clOrdId: `bench-${process.pid}-${index}`, noteId: note.id, side: 'buy', type: 'limit', price: text, quantity: '100000' },
      },
      (reply) => {
        inFlight -= 1;
        if (reply.status !== 201) {
          stats.rejected += 1;
          return;
        }
        stats.placed += 1;
        acks.push([note.id, text, wallMs()]);
        const queue = resting.get(note.id)!;
        queue.push({ user, orderId: reply.body.order.id, price: text });
        if (queue.length > RESTING_PER_NOTE) {
          const oldest = queue.shift()!;
          send(oldest.user, { op: 'cancel', orderId: oldest.orderId }, () => void (stats.cancels += 1));
        }
        if (index % 100 === 99) {
          const seller = user === 'dealer1' ? 'dealer2' : 'dealer1';
          send(
            seller,
            {
              op: 'order',
              order: {
                clOrdId: `bench-sell-${process.pid}-${index}`,
                noteId: note.id,
                side: 'sell',
                type: 'limit',
                price: text,
                quantity: '100000',
                timeInForce: 'IOC',
              },
            },
            (sell) => void (stats.trades += sell.status === 201 && sell.body.fills.length > 0 ? 1 : 0),
          );
        }
      },
    );
  };
  let index = 0;
  let skipped = 0;
  let stop = false;
  let cpuAtMeasureStart = process.cpuUsage();
  process.on('message', (message: Ipc) => {
    if (message.kind === 'stop') stop = true;
    if (message.kind === 'measure' && message.on) cpuAtMeasureStart = process.cpuUsage();
    if (message.kind === 'measure' && !message.on) {
      const cpu = process.cpuUsage(cpuAtMeasureStart);
      process.send!({ kind: 'measured', cpuMicros: cpu.user + cpu.system });
    }
  });
  const started = performance.now();
  while (!stop) {
    const due = Math.floor(((performance.now() - started) / 1000) * ORDERS_PER_S);
    // Open loop at the target rate, but never more than IN_FLIGHT_MAX unanswered: a server that
    // falls behind is measured at the rate it sustains instead of being buried.
    while (index < due && inFlight < IN_FLIGHT_MAX) placeOne(index++);
    if (index < due) skipped += due - index;
    index = Math.max(index, due);
    if (acks.length > 0) {
      process.send!({ kind: 'acks', acks });
      acks = [];
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  stats.skipped = skipped;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  process.send!({ kind: 'acks', acks });
  process.send!({ kind: 'done', stats, seconds });
  for (const ws of sockets.values()) ws.close();
  setTimeout(() => process.exit(0), 200);
}

// ---------------------------------------------------------------- the service process

async function main(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let cluster: PgCluster | null = null;
  if (findPostgresBin() !== null) cluster = await startPgCluster(BENCH_PG_SETTINGS);
  const stopCluster = () => cluster?.stop();
  process.once('exit', stopCluster);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-ws-'));
  // BENCH_GATEWAYS: NATS first (the service publishes to it), the gateways once the service answers snapshots.
  const benchBus = GATEWAYS > 0 ? await startBenchBus() : null;
  const database = await openDatabase(
    cluster ? { kind: 'postgres', url: cluster.url, poolMax: 10 } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
  );
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
      wsLimits: {
        connectionsMax: 50_000,
        connectionsPerAddressMax: 50_000,
        messagesPerSecond: 20_000,
        requestsInFlightMax: 5_000,
        ...EXTRA_WS_LIMITS,
      },
      ...(benchBus ? { natsUrl: benchBus.natsUrl } : {}),
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
  const plan: Plan = { url: `${service.url.replace(/^http/, 'ws')}/ws`, subscribers: 0, notes, tokens, partyIds };
  if (benchBus) {
    await benchBus.startGateways(GATEWAYS, {
      jwtSecret: service.services.jwtSecret,
      wsLimits: { connectionsMax: 50_000, connectionsPerAddressMax: 50_000, messagesPerSecond: 20_000, ...EXTRA_WS_LIMITS },
    });
    plan.gatewayUrls = benchBus.urls;
  }
  const memory = () => {
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };

  for (const subscribers of SUBSCRIBERS) {
    const before = memory();
    const shares: Share[] = Array.from({ length: CLIENT_PROCESSES }, (_, i) => {
      const first = Math.floor((i * subscribers) / CLIENT_PROCESSES);
      return { first, count: Math.floor(((i + 1) * subscribers) / CLIENT_PROCESSES) - first };
    });
    const clients = shares.map((share) => {
      const clientProcess = child('--clients');
      clientProcess.send({ kind: 'plan', plan: { ...plan, subscribers }, share });
      return clientProcess;
    });
    const toClients = (message: Ipc) => clients.forEach((c) => c.send(message));
    const fromClients = (kind: string) => Promise.all(clients.map((c) => next(c, kind)));
    const clientsExited = Promise.all(clients.map((c) => new Promise((resolve) => c.once('exit', resolve))));
    await fromClients('ready');
    const bytesPerConnection = Math.round((memory() - before) / subscribers);

    const driver = child('--driver');
    driver.on('message', (message: Ipc) => message.kind === 'acks' && toClients(message));
    // Each round's orders must improve the best bid, so start above what the last round left resting.
    const startPrices = await Promise.all(
      notes.map(async (note) => {
        const book = (await http.get(`/api/v1/notes/${note.id}/book?depth=1`).set({ authorization: `Bearer ${tokens.investor1}` })).body;
        return { ...note, startPrice: (book.bids[0]?.price as string | undefined) ?? '20' };
      }),
    );
    driver.send({ kind: 'plan', plan: { ...plan, notes: startPrices } });
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const gateway = gatewayOf(service.server)!;
    toClients({ kind: 'measure', on: true });
    driver.send({ kind: 'measure', on: true });
    gateway.resetStats();
    await benchBus?.resetStats();
    service.bus?.publisher.resetStats();
    const serverCpuBefore = process.cpuUsage();
    const pgCpuBefore = cluster?.cpuSeconds() ?? 0;
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    // BENCH_GATEWAYS: the fan-out's figures and CPU are the gateways'; the service's CPU is printed beside them.
    const onBus = benchBus ? await benchBus.stats() : null;
    const server = onBus ?? gateway.stats();
    const serviceCpu = process.cpuUsage(serverCpuBefore);
    const serverCpu = onBus ? { user: onBus.cpuMicros, system: 0 } : serviceCpu;
    const pgCpuMicros = ((cluster?.cpuSeconds() ?? 0) - pgCpuBefore) * 1e6;
    const measuredReplies = fromClients('measured');
    const driverMeasured = next(driver, 'measured');
    toClients({ kind: 'measure', on: false });
    driver.send({ kind: 'measure', on: false });
    let clientsCpuMicros = 0;
    const histogram = new Histogram();
    let delivered = 0;
    for (const reply of await measuredReplies) {
      histogram.merge({ buckets: reply.buckets as number[], count: reply.samples as number });
      delivered += reply.messages as number;
      clientsCpuMicros += reply.cpuMicros as number;
    }
    const driverCpuMicros = (await driverMeasured).cpuMicros as number;
    const result = { messages: delivered, samples: histogram.count, p50: histogram.percentile(50), p99: histogram.percentile(99) };
    const done = next(driver, 'done');
    driver.send({ kind: 'stop' });
    const driven = await done;

    await service.services.sequencer!.idle();
    await service.bus?.publisher.flushed(); // BENCH_GATEWAYS: everything committed is on the stream
    await new Promise((resolve) => setTimeout(resolve, benchBus ? 5_000 : 2_000));
    const booksReplies = fromClients('books');
    toClients({ kind: 'books' });
    const books: Record<string, Record<string, number>> = {};
    let reconnects = 0;
    let gaps = 0;
    for (const reply of (await booksReplies) as unknown as {
      books: Record<string, Record<string, number>>;
      reconnects: number;
      gaps: number;
    }[]) {
      reconnects += reply.reconnects;
      gaps += reply.gaps;
      for (const [noteId, counts] of Object.entries(reply.books)) {
        const merged = (books[noteId] ??= {});
        for (const [book, count] of Object.entries(counts)) merged[book] = (merged[book] ?? 0) + count;
      }
    }
    const equal = new Map<string, number>();
    for (const note of notes) {
      const rest = (await http.get(`/api/v1/notes/${note.id}/book?depth=${DEPTH}`).set({ authorization: `Bearer ${tokens.investor1}` }))
        .body;
      equal.set(note.id, books[note.id]![JSON.stringify({ bids: rest.bids, asks: rest.asks })] ?? 0);
    }
    const stats = driven.stats as { placed: number; rejected: number; cancels: number; trades: number; skipped: number };
    process.stdout.write(
      `orders_per_s=${Math.round(stats.placed / (driven.seconds as number))} not_sent_over_in_flight_cap=${stats.skipped} rejected=${stats.rejected} cancels=${stats.cancels} trades=${stats.trades} ` +
        `latency_samples=${result.samples} clients_with_every_book_equal=${Math.min(...equal.values())}/${subscribers} gaps=${gaps} reconnects=${reconnects} ` +
        `client_processes=${CLIENT_PROCESSES} database=${cluster ? 'pg' : 'pglite'} load_average=${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(',')}\n`,
    );
    process.stdout.write(
      `server_side: fanout_cycles_per_s=${(server.cycles / (MEASURE_MS / 1000)).toFixed(1)} cycle_ms_avg=${server.cycleMsAverage.toFixed(1)} ` +
        `messages_written_per_s=${Math.round(server.messagesWritten / (MEASURE_MS / 1000))} writes_per_client_per_s=${(server.writes / subscribers / (MEASURE_MS / 1000)).toFixed(1)} commit_to_write_p50_ms=${server.publishLatencyMs.p50} commit_to_write_p99_ms=${server.publishLatencyMs.p99}\n`,
    );
    // CPU per client write (one socket write = one frame per client per cycle), so that runs at
    // different cycle rates and on a busier or quieter machine compare: what the machine's two cores
    // are spent on, server versus the clients that share them.
    const perWrite = (micros: number) => Math.round(micros / Math.max(1, server.writes));
    process.stdout.write(
      `cpu_cores: server=${((serverCpu.user + serverCpu.system) / 1000 / MEASURE_MS).toFixed(2)} clients=${(clientsCpuMicros / 1000 / MEASURE_MS).toFixed(2)} ` +
        `driver=${(driverCpuMicros / 1000 / MEASURE_MS).toFixed(2)} postgres=${(pgCpuMicros / 1000 / MEASURE_MS).toFixed(2)} ` +
        `cpu_us_per_client_write: server=${perWrite(serverCpu.user + serverCpu.system)} clients=${perWrite(clientsCpuMicros)}\n`,
    );
    if (onBus) {
      const gatewayCores = onBus.cpuMicros / 1000 / MEASURE_MS;
      const publisher = service.bus!.publisher.stats();
      process.stdout.write(
        `bus: commit_to_gateway_p50_ms=${onBus.busHopMs.p50} commit_to_gateway_p99_ms=${onBus.busHopMs.p99} samples=${onBus.busHopMs.samples} ` +
          `publisher_lag_p50_ms=${publisher.lagMs.p50} publisher_lag_p99_ms=${publisher.lagMs.p99} publisher_peak_queued=${publisher.peakQueued} publisher_batches=${publisher.batches} publisher_messages=${publisher.messages} publisher_retries=${publisher.retries} ` +
          `service_cpu_cores=${((serviceCpu.user + serviceCpu.system) / 1000 / MEASURE_MS).toFixed(2)} gateway_cpu_cores=${gatewayCores.toFixed(2)} ` +
          `subscribers_per_gateway_core=${Math.round(subscribers / Math.max(0.01, gatewayCores))}\n`,
      );
    }
    process.stdout.write(
      `subscribers=${subscribers} msgs_per_s=${Math.round((result.messages as number) / (MEASURE_MS / 1000))} p50_ms=${result.p50} p99_ms=${result.p99} bytes_per_connection=${bytesPerConnection}${GATEWAYS > 0 ? ` gateways=${GATEWAYS}` : ''}\n`,
    );
    await clientsExited;
  }
  await service.close();
  await benchBus?.close();
  await database.close();
  cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv.includes('--clients')) await clientsProcess();
else if (process.argv.includes('--driver')) await driverProcess();
else await main();
