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
 * - light subscribers (all but a sample): raw `ws` clients that read each frame's channel, type and
 *   seq with a few byte searches and check that every update's seq follows the last one — what any
 *   subscriber must do at the least, as the floor's readers only read;
 * - full SDK clients (BENCH_SDK_CLIENTS, default 20, at most a tenth of N, spread over the connection
 *   order): client/sdk/ws sessions that parse every frame, check seqs and keep local books, which
 *   must equal the REST book at the end.
 * At the end every subscriber must be on the newest seq of every channel, with no gap.
 *
 * Measured: channel messages delivered per second to all clients; latency from the driver's order
 * acknowledgement to a subscriber seeing the update that shows the order's level (one sample per
 * order on each of BENCH_LATENCY_SESSIONS (100) light sessions spread evenly over all N, so over every
 * position in the server's write order and in each process's reading order; they find the bid
 * levels with byte searches too; the processes share the machine's clock), and the same for the SDK sample;
 * server memory per connection ((heapUsed + external) after connecting and subscribing, minus
 * before, over N, after a GC). The server's own side is printed too: fan-out cycles, messages and
 * bytes written, commit → socket write latency per client, and its CPU per client write beside the
 * floor's (the whole service process, order entry included; and the fan-out's own busy time).
 * Env: BENCH_SUBSCRIBERS (default "1000,5000"), BENCH_ORDERS_PER_S (1000), BENCH_SECONDS (15),
 * BENCH_LATENCY_SESSIONS (100), BENCH_SDK_CLIENTS (20), BENCH_FLOOR (0 skips the floor),
 * BENCH_FLOOR_AFTER (0 runs the floor only before each round),
 * BENCH_WS_LIMITS (JSON of gateway limits to try, e.g. '{"fanOutRestRatio":0.25}').
 * Prints per N the floor's lines, then: subscribers=<n> msgs_per_s=<n> p50_ms=<n> p99_ms=<n>
 * bytes_per_connection=<n> sdk_p50_ms=<n> sdk_p99_ms=<n> server_cpu_us_per_write=<n>
 * fanout_us_per_write=<n> floor_p50_ms=<n> floor_p99_ms=<n> (means) floor_p99_each_ms=<before,after>
 * floor_cpu_us_per_write=<n> ratio=<p99 / floor p99>
 * load_average=<1,5,15 min>
 */
import os from 'node:os';
import net from 'node:net';
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

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1000,5000').split(',').map(Number);
const ORDERS_PER_S = Number(process.env.BENCH_ORDERS_PER_S ?? 1000);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const WARMUP_MS = 3_000;
const DEPTH = 10;
const RESTING_PER_NOTE = 40;
const USERS = ['investor1', 'investor2', 'dealer1', 'dealer2'];
const IN_FLIGHT_MAX = 500;
const LATENCY_SAMPLED_SESSIONS = Number(process.env.BENCH_LATENCY_SESSIONS ?? 100);
/** Full SDK clients among the subscribers (at most a tenth of them). */
const SDK_CLIENTS = Number(process.env.BENCH_SDK_CLIENTS ?? 20);
/** How long the end of a round waits for every subscriber to reach the server's final state. */
const CONVERGE_MS = 60_000;
/** Run bench:ws-floor for each subscriber count in the same run (0 skips it). */
const WITH_FLOOR = process.env.BENCH_FLOOR !== '0';
/** Run it again after each bench:ws round too (0: before only); the ratio is against the mean. */
const BRACKET_FLOOR = process.env.BENCH_FLOOR_AFTER !== '0';
const FLOOR_SCRIPT = fileURLToPath(new URL('./ws-floor.bench.ts', import.meta.url));
/** Extra WebSocket limits as JSON (e.g. '{"fanOutRestRatio":0.25}'), to compare settings of the gateway. */
const EXTRA_WS_LIMITS = JSON.parse(process.env.BENCH_WS_LIMITS ?? '{}') as Record<string, number>;
/** Processes the sessions are spread over (real subscribers are on other machines; one process would serialise them all). */
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? Math.max(1, Math.min(4, os.cpus().length)));

/** `startPrice`: the driver's first bid is one tick above it (the best bid when the round starts). */
interface Note {
  id: string;
  tickSize: string;
  startPrice?: string;
}
type Plan = {
  url: string;
  subscribers: number;
  /** How many of the subscribers are full SDK clients (the rest are light). */
  sdkClients: number;
  notes: Note[];
  tokens: Record<string, string>;
  partyIds: Record<string, string>;
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

/** What a light subscriber reads of each channel message: the envelope's first keys, in the server's order. */
const CHANNEL_KEY = Buffer.from('{"channel":"');
const SEQ_KEY = Buffer.from('"seq":');
/** `","type":"` after the channel name: the type's first letter ('s'napshot or 'u'pdate) follows. */
const TYPE_OFFSET = '","type":"'.length;
const LETTER_S = 's'.charCodeAt(0);

/**
 * A light subscriber: a raw `ws` client that reads each frame's channel, type and seq with a few
 * byte searches (no JSON.parse, no UTF-8 decoding of the frame) and checks that every update's seq
 * is one above the last message of its channel. The latency-sampled ones also parse the frame to
 * see which bid levels appeared (see recordAppearance).
 */
class LightSubscriber {
  readonly seqs = new Map<string, number>();
  gaps = 0;
  messages = 0;
  snapshots = 0;
  ws: WebSocket | null = null;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly onFrame: ((data: Buffer) => void) | null,
  ) {}

  async connect(): Promise<void> {
    const ws = new WebSocket(`${this.url}?frames=batch`, { perMessageDeflate: false, skipUTF8Validation: true });
    this.ws = ws;
    ws.on('message', (data: Buffer) => this.read(data));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ op: 'subscribe', channels: this.channels, depth: DEPTH }));
  }

  /** One frame: a JSON array of channel messages (batch mode), or one message. */
  read(data: Buffer): void {
    let at = data.indexOf(CHANNEL_KEY);
    while (at >= 0) {
      const nameStart = at + CHANNEL_KEY.length;
      const nameEnd = data.indexOf(0x22, nameStart);
      const seqAt = nameEnd < 0 ? -1 : data.indexOf(SEQ_KEY, nameEnd);
      if (seqAt < 0) {
        this.gaps += 1;
        break;
      }
      const channel = data.toString('latin1', nameStart, nameEnd);
      const snapshot = data[nameEnd + TYPE_OFFSET] === LETTER_S;
      let digit = seqAt + SEQ_KEY.length;
      let seq = 0;
      for (let c = data[digit]!; c >= 0x30 && c <= 0x39; c = data[++digit]!) seq = seq * 10 + c - 0x30;
      const last = this.seqs.get(channel);
      if (snapshot) {
        this.snapshots += 1;
        if (last !== undefined && seq < last) this.gaps += 1;
      } else if (last !== undefined && seq !== last + 1) {
        this.gaps += 1;
      }
      this.seqs.set(channel, seq);
      this.messages += 1;
      at = data.indexOf(CHANNEL_KEY, digit);
    }
    if (this.onFrame) this.onFrame(data);
  }
}

type BidLevel = readonly [noteId: string, price: string, orders: number];
const BOOK_KEY = Buffer.from('{"channel":"book:');
const BIDS_KEY = Buffer.from('"bids":[');
const PRICE_KEY = Buffer.from('"price":"');
const ORDERS_KEY = Buffer.from('"orders":');

/**
 * The bid levels of a frame's book messages, read as the light subscribers read seqs (byte
 * searches in the server's fixed key order, no JSON.parse): what a latency-sampled session needs.
 */
function bidsIn(data: Buffer): BidLevel[] {
  const levels: BidLevel[] = [];
  for (let at = data.indexOf(BOOK_KEY); at >= 0; at = data.indexOf(BOOK_KEY, at + 1)) {
    const idStart = at + BOOK_KEY.length;
    const noteId = data.toString('latin1', idStart, data.indexOf(0x22, idStart));
    const bids = data.indexOf(BIDS_KEY, idStart);
    const end = data.indexOf(0x5d, bids); // the bids' closing bracket: levels hold no brackets
    for (let level = data.indexOf(PRICE_KEY, bids); level >= 0 && level < end; level = data.indexOf(PRICE_KEY, level + 1)) {
      const priceStart = level + PRICE_KEY.length;
      const price = data.toString('latin1', priceStart, data.indexOf(0x22, priceStart));
      let digit = data.indexOf(ORDERS_KEY, priceStart) + ORDERS_KEY.length;
      let orders = 0;
      for (let c = data[digit]!; c >= 0x30 && c <= 0x39; c = data[++digit]!) orders = orders * 10 + c - 0x30;
      levels.push([noteId, price, orders]);
    }
  }
  return levels;
}

async function clientsProcess(): Promise<void> {
  const start = (await new Promise<Ipc>((resolve) => process.once('message', resolve))) as Ipc & { plan: Plan; share: Share };
  const { plan, share } = start;
  const light = new Histogram();
  const sdk = new Histogram();
  const acks = new Map<string, Map<string, number>>(plan.notes.map((note) => [note.id, new Map()]));
  const early = new Map<string, Map<string, { at: number; histogram: Histogram }[]>>(plan.notes.map((note) => [note.id, new Map()]));
  let measuring = false;
  let cpuAtMeasureStart = process.cpuUsage();
  const appeared = function recordAppearance(histogram: Histogram, noteId: string, price: string, at: number) {
    if (!measuring) return;
    const ackedAt = acks.get(noteId)?.get(price);
    if (ackedAt !== undefined) {
      histogram.add(at - ackedAt);
      return;
    }
    const waiting = early.get(noteId);
    const arrivals = waiting?.get(price);
    if (arrivals) arrivals.push({ at, histogram });
    else waiting?.set(price, [{ at, histogram }]);
  };
  /** A latency probe of one session: the bid levels above any it saw before appeared now. */
  const prober = (histogram: Histogram) => {
    // The highest probe price this session has seen per note: bids only ever appear higher.
    const highest = new Map<string, number>();
    return function onBookLevels(levels: readonly BidLevel[], at: number) {
      if (levels.length === 0) return;
      const tops = new Map<string, number>();
      for (const [noteId, price, orders] of levels) {
        const value = Number(price);
        if (orders === 0 || value <= (highest.get(noteId) ?? 0)) continue;
        if (value > (tops.get(noteId) ?? 0)) tops.set(noteId, value);
        appeared(histogram, noteId, price, at);
      }
      for (const [noteId, top] of tops) highest.set(noteId, top);
    };
  };
  const levelsOf = (message: { channel: string; data: unknown }): BidLevel[] => {
    if (!message.channel.startsWith('book:')) return [];
    const data = message.data as { noteId: string; bids: { price: string; orders: number }[] };
    return data.bids.map((level) => [data.noteId, level.price, level.orders]);
  };

  const channels = plan.notes.flatMap((n) => [`book:${n.id}`, `trades:${n.id}`]);
  const lights: LightSubscriber[] = [];
  const sdks: CnxSocket[] = [];
  let sdkMessages = 0;
  let sdkSnapshots = 0;
  const latencyEvery = Math.max(1, Math.floor(plan.subscribers / LATENCY_SAMPLED_SESSIONS));
  const sdkEvery = Math.max(1, Math.floor(plan.subscribers / Math.max(1, plan.sdkClients)));
  let created = 0;
  const connectOne = async () => {
    const index = share.first + created++;
    if (plan.sdkClients > 0 && index % sdkEvery === Math.floor(sdkEvery / 2) && index / sdkEvery < plan.sdkClients) {
      // A full SDK client: parses every frame itself, keeps its books, checks its seqs.
      const client = new CnxSocket({
        url: plan.url,
        reconnect: { initialDelayMs: 500, maxDelayMs: 5_000 },
        createSocket: (url) => new WebSocket(url, { perMessageDeflate: false }) as unknown as SocketLike,
      });
      const probe = prober(sdk);
      client.on('update', (message) => {
        sdkMessages += 1;
        probe(levelsOf(message), wallMs());
      });
      client.on('snapshot', (message) => {
        sdkSnapshots += 1;
        sdkMessages += 1;
        probe(levelsOf(message), wallMs());
      });
      await client.connect();
      client.subscribe(channels, { depth: DEPTH });
      sdks.push(client);
      return;
    }
    let onFrame: ((data: Buffer) => void) | null = null;
    if (index % latencyEvery === 0) {
      const probe = prober(light);
      onFrame = (data) => probe(bidsIn(data), wallMs());
    }
    const subscriber = new LightSubscriber(plan.url, channels, onFrame);
    await subscriber.connect();
    lights.push(subscriber);
  };
  for (let i = 0; i < share.count; i += 100) await Promise.all(Array.from({ length: Math.min(100, share.count - i) }, connectOne));
  const expected = channels.length;
  for (let waited = 0; sdkSnapshots < sdks.length * expected || lights.some((l) => l.seqs.size < expected); waited += 1) {
    if (process.env.BENCH_DEBUG && waited % 100 === 0)
      process.stderr.write(
        `clients ${share.first}: sdk snapshots ${sdkSnapshots}/${sdks.length * expected}, light waiting ${lights.filter((l) => l.seqs.size < expected).length}/${lights.length}\n`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const messagesNow = () => lights.reduce((sum, l) => sum + l.messages, 0) + sdkMessages;
  let messagesAtStart = 0;
  const onAcks = function onAcks(list: [string, string, number][]) {
    for (const [noteId, price, at] of list) {
      acks.get(noteId)?.set(price, at);
      const waiting = early.get(noteId);
      for (const arrival of waiting?.get(price) ?? []) arrival.histogram.add(Math.max(0, arrival.at - at));
      waiting?.delete(price);
    }
  };
  // The driver sends its acknowledgements here directly (one JSON array a line), not through the
  // service process, so that the harness's traffic costs the service nothing.
  const ackServer = net.createServer((socket) => {
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) onAcks(JSON.parse(line));
    });
  });
  await new Promise<void>((resolve) => ackServer.listen(0, '127.0.0.1', resolve));
  process.on('message', function onControl(message: Ipc) {
    if (message.kind === 'measure') {
      measuring = message.on as boolean;
      if (measuring) {
        messagesAtStart = messagesNow();
        cpuAtMeasureStart = process.cpuUsage();
      } else {
        const cpu = process.cpuUsage(cpuAtMeasureStart);
        process.send!({
          kind: 'measured',
          messages: messagesNow() - messagesAtStart,
          light: { buckets: Array.from(light.buckets), count: light.count },
          sdk: { buckets: Array.from(sdk.buckets), count: sdk.count },
          cpuMicros: cpu.user + cpu.system,
        });
      }
    }
  });
  process.send!({ kind: 'ready', lights: lights.length, sdks: sdks.length, ackPort: (ackServer.address() as net.AddressInfo).port });

  /** The SDK clients' books, to compare with the REST book; everyone's last seq per channel. */
  const report = () => {
    const books: Record<string, Record<string, number>> = {};
    for (const note of plan.notes) {
      const counts: Record<string, number> = {};
      for (const client of sdks) {
        const book = client.book(note.id);
        const key = JSON.stringify(book ? { bids: book.bids, asks: book.asks } : null);
        counts[key] = (counts[key] ?? 0) + 1;
      }
      books[note.id] = counts;
    }
    // Everyone's last seq on each channel, counted by distinct combination (they should all be one).
    const finalSeqs: Record<string, number> = {};
    const countSeqs = (seqOf: (channel: string) => number | undefined) => {
      const key = JSON.stringify(channels.map((channel) => seqOf(channel) ?? -1));
      finalSeqs[key] = (finalSeqs[key] ?? 0) + 1;
    };
    for (const subscriber of lights) countSeqs((channel) => subscriber.seqs.get(channel));
    for (const client of sdks) countSeqs((channel) => client.seqOf(channel) ?? undefined);
    const reconnects = sdks.reduce((sum, c) => sum + c.reconnects, 0) + lights.filter((l) => l.ws?.readyState !== WebSocket.OPEN).length;
    const gaps = sdks.reduce((sum, c) => sum + c.gaps, 0) + lights.reduce((sum, l) => sum + l.gaps, 0);
    return { kind: 'books', books, finalSeqs, reconnects, gaps };
  };
  process.on('message', (message: Ipc) => {
    if (message.kind === 'books') process.send!(report());
    if (message.kind !== 'exit') return;
    for (const client of sdks) client.close();
    for (const subscriber of lights) subscriber.ws?.close();
    ackServer.close();
    setTimeout(() => process.exit(0), 500);
  });
}

// ---------------------------------------------------------------- the driver process

async function driverProcess(): Promise<void> {
  const start = (await new Promise<Ipc>((resolve) => process.once('message', resolve))) as Ipc & { plan: Plan; ackPorts: number[] };
  const plan = start.plan;
  const ackSockets = await Promise.all(
    start.ackPorts.map(async (port) => {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    }),
  );
  const sendAcks = (list: [string, string, number][]) => {
    const line = `${JSON.stringify(list)}\n`;
    for (const socket of ackSockets) socket.write(line);
  };
  const sockets = new Map<string, WebSocket>();
  for (const user of USERS) {
    const ws = new WebSocket(plan.url, { headers: { authorization: `Bearer ${plan.tokens[user]}` }, perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    sockets.set(user, ws);
  }
  const stats = { placed: 0, rejected: 0, cancels: 0, trades: 0, skipped: 0 };
  const rejections: Record<string, number> = {};
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
          const code = `${reply.status}:${reply.body?.error?.code ?? reply.body?.code ?? '?'}`;
          rejections[code] = (rejections[code] ?? 0) + 1;
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
        // Every note's every 100th order (not every 100th order overall, which always fell on the
        // same note): each note trades, so its reference price follows its bids and they stay in its band.
        if (Math.floor(index / plan.notes.length) % 100 === 99) {
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
  process.send!({ kind: 'driving' });
  const started = performance.now();
  while (!stop) {
    const due = Math.floor(((performance.now() - started) / 1000) * ORDERS_PER_S);
    // Open loop at the target rate, but never more than IN_FLIGHT_MAX unanswered: a server that
    // falls behind is measured at the rate it sustains instead of being buried.
    while (index < due && inFlight < IN_FLIGHT_MAX) placeOne(index++);
    if (index < due) skipped += due - index;
    index = Math.max(index, due);
    if (acks.length > 0) {
      sendAcks(acks);
      acks = [];
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  stats.skipped = skipped;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  sendAcks(acks);
  process.send!({ kind: 'done', stats, seconds, rejections });
  for (const ws of sockets.values()) ws.close();
  for (const socket of ackSockets) socket.end();
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
  const plan: Plan = { url: `${service.url.replace(/^http/, 'ws')}/ws`, subscribers: 0, sdkClients: 0, notes, tokens, partyIds };
  const memory = () => {
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };

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
    const bytesPerConnection = Math.round((memory() - before) / subscribers);

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
    const serverCpuBefore = process.cpuUsage();
    const pgCpuBefore = cluster?.cpuSeconds() ?? 0;
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const server = gateway.stats();
    const serverCpu = process.cpuUsage(serverCpuBefore);
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
    process.stdout.write(
      `orders_per_s=${Math.round(stats.placed / (driven.seconds as number))} not_sent_over_in_flight_cap=${stats.skipped} rejected=${stats.rejected}${stats.rejected > 0 ? ` rejections=${JSON.stringify(driven.rejections)}` : ''} cancels=${stats.cancels} trades=${stats.trades} ` +
        `latency_samples=${light.count} sdk_latency_samples=${sdk.count} sdk_clients=${sdkConnected} sdk_clients_with_every_book_equal=${booksEqual}/${sdkConnected} ` +
        `clients_on_newest_seq=${current}/${subscribers} gaps=${gaps} reconnects=${reconnects} ` +
        `client_processes=${CLIENT_PROCESSES} database=${cluster ? 'pg' : 'pglite'} load_average=${loadAverage()}\n`,
    );
    process.stdout.write(
      `server_side: fanout_cycles_per_s=${(server.cycles / seconds).toFixed(1)} cycle_ms_avg=${server.cycleMsAverage.toFixed(1)} ` +
        `messages_written_per_s=${Math.round(server.messagesWritten / seconds)} writes_per_client_per_s=${(server.writes / subscribers / seconds).toFixed(1)} ` +
        `bytes_per_write=${Math.round(server.bytesWritten / Math.max(1, server.writes))} commit_to_write_p50_ms=${server.publishLatencyMs.p50} commit_to_write_p99_ms=${server.publishLatencyMs.p99}\n`,
    );
    // CPU per client write (one socket write = one frame per client per cycle), so that runs at
    // different cycle rates and on a busier or quieter machine compare: what the machine's two cores
    // are spent on, server versus the clients that share them. fanout_us_per_write is the time the
    // fan-out cycles kept the server's event loop busy, per write (order entry and commits excluded).
    const perWrite = (micros: number) => Math.round(micros / Math.max(1, server.writes));
    process.stdout.write(
      `cpu_cores: server=${((serverCpu.user + serverCpu.system) / 1000 / MEASURE_MS).toFixed(2)} clients=${(clientsCpuMicros / 1000 / MEASURE_MS).toFixed(2)} ` +
        `driver=${(driverCpuMicros / 1000 / MEASURE_MS).toFixed(2)} postgres=${(pgCpuMicros / 1000 / MEASURE_MS).toFixed(2)} ` +
        `cpu_us_per_client_write: server=${perWrite(serverCpu.user + serverCpu.system)} clients=${perWrite(clientsCpuMicros)}\n`,
    );
    const serverPerWrite = (serverCpu.user + serverCpu.system) / Math.max(1, server.writes);
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
      `subscribers=${subscribers} msgs_per_s=${Math.round(delivered / seconds)} p50_ms=${light.percentile(50)} p99_ms=${p99} bytes_per_connection=${bytesPerConnection} ` +
        `sdk_p50_ms=${sdk.percentile(50)} sdk_p99_ms=${sdk.percentile(99)} server_cpu_us_per_write=${serverPerWrite.toFixed(1)} fanout_us_per_write=${fanOutPerWrite.toFixed(1)}` +
        (floors.length > 0
          ? ` floor_p50_ms=${floorMean('p50_ms').toFixed(1)} floor_p99_ms=${floorMean('p99_ms').toFixed(1)} floor_p99_each_ms=${floors.map((f) => f.values.p99_ms).join(',')} ` +
            `floor_cpu_us_per_write=${floorMean('server_cpu_us_per_write').toFixed(1)} ratio=${(p99 / floorMean('p99_ms')).toFixed(2)}`
          : '') +
        ` load_average=${loadDuring}\n`,
    );
  }
  await service.close();
  await database.close();
  cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

type BooksReply = { books: Record<string, Record<string, number>>; finalSeqs: Record<string, number>; reconnects: number; gaps: number };
type Converged = { booksEqual: number; current: number; gaps: number; reconnects: number };

/** How many SDK clients hold the REST book on every note, and how many subscribers are on the newest seq of every channel. */
async function convergence(
  replies: BooksReply[],
  notes: readonly Note[],
  restBook: (noteId: string) => PromiseLike<{ body: { bids: unknown; asks: unknown } }>,
): Promise<Converged> {
  const books: Record<string, Record<string, number>> = {};
  const finalSeqs = new Map<string, number>();
  let reconnects = 0;
  let gaps = 0;
  for (const reply of replies) {
    reconnects += reply.reconnects;
    gaps += reply.gaps;
    for (const [seqs, count] of Object.entries(reply.finalSeqs)) finalSeqs.set(seqs, (finalSeqs.get(seqs) ?? 0) + count);
    for (const [noteId, counts] of Object.entries(reply.books)) {
      const merged = (books[noteId] ??= {});
      for (const [book, count] of Object.entries(counts)) merged[book] = (merged[book] ?? 0) + count;
    }
  }
  let booksEqual = Number.POSITIVE_INFINITY;
  for (const note of notes) {
    const rest = (await restBook(note.id)).body;
    booksEqual = Math.min(booksEqual, books[note.id]?.[JSON.stringify({ bids: rest.bids, asks: rest.asks })] ?? 0);
  }
  // Every subscriber, light or SDK, must end on the same seq on every channel: the newest.
  const lists = [...finalSeqs].map(([seqs, count]) => [JSON.parse(seqs) as number[], count] as const);
  const newest = lists.reduce((max: number[], [seqs]) => seqs.map((seq, i) => Math.max(seq, max[i] ?? -1)), []);
  const current = lists.filter(([seqs]) => seqs.every((seq, i) => seq === newest[i])).reduce((sum, [, count]) => sum + count, 0);
  return { booksEqual, current, gaps, reconnects };
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(',');
}

/** bench:ws-floor for `subscribers`, as a child process (its own readers), for as long as this run measures. */
async function runFloor(subscribers: number): Promise<{ line: string; values: Record<string, string> }> {
  const floor = spawn(process.execPath, [...process.execArgv, FLOOR_SCRIPT], {
    env: { ...process.env, BENCH_SUBSCRIBERS: String(subscribers), BENCH_SECONDS: String(MEASURE_MS / 1000) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  floor.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => floor.once('exit', resolve));
  const line = output.split('\n').find((l) => l.startsWith('floor '));
  if (code !== 0 || !line) throw new Error(`bench:ws-floor failed (${code}): ${output}`);
  const values = Object.fromEntries(
    line
      .split(' ')
      .filter((pair) => pair.includes('='))
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  return { line, values };
}

// BENCH_GATEWAYS=N: the subscribers are served by N gateway processes fed through NATS JetStream
// (issue 21); that harness (SDK clients only, no same-run floor yet) lives in ws-gateways.bench.ts
// until the two are one.
if (process.env.BENCH_GATEWAYS) await import('./ws-gateways.bench.js');
else if (process.argv.includes('--clients')) await clientsProcess();
else if (process.argv.includes('--driver')) await driverProcess();
else await main();
