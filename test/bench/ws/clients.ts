/**
 * bench:ws's clients process: opens its share of the subscribers and measures what they see.
 *
 * The subscribers are of two kinds, so that the server's cost is not hidden behind the clients' own
 * work on the same two cores: light subscribers (light-subscriber.ts: raw WebSocket over TCP, seq
 * checks by byte search), and a sample of full SDK clients (client/sdk/ws) that parse every frame,
 * check seqs and keep local books, which must equal the REST book at the end. Latency is sampled on
 * BENCH_LATENCY_SESSIONS light sessions spread over all N and on every SDK client: from the driver's
 * order acknowledgement (sent here directly, not through the service) to the update that shows the
 * order's bid level.
 */
import net from 'node:net';
import { WebSocket } from 'ws';
import { CnxSocket, type SocketLike } from '../../../client/sdk/ws/index.js';
import { Histogram } from './histogram.js';
import { LightSubscriber } from './light-subscriber.js';
import { DEPTH, LATENCY_SAMPLED_SESSIONS, wallMs, type Ipc, type Plan, type Share } from './plan.js';

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

export async function clientsProcess(): Promise<void> {
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
        url: plan.subscriberUrls[index % plan.subscriberUrls.length]!,
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
    const subscriber = new LightSubscriber(plan.subscriberUrls[index % plan.subscriberUrls.length]!, channels, DEPTH, onFrame);
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
    const reconnects = sdks.reduce((sum, c) => sum + c.reconnects, 0) + lights.filter((l) => !l.open).length;
    const gaps = sdks.reduce((sum, c) => sum + c.gaps, 0) + lights.reduce((sum, l) => sum + l.gaps + l.protocolErrors, 0);
    return { kind: 'books', books, finalSeqs, reconnects, gaps };
  };
  process.on('message', (message: Ipc) => {
    if (message.kind === 'books') process.send!(report());
    if (message.kind !== 'exit') return;
    for (const client of sdks) client.close();
    for (const subscriber of lights) subscriber.close();
    ackServer.close();
    setTimeout(() => process.exit(0), 500);
  });
}
