/**
 * bench:ws's clients process: opens its share of the subscribers and measures what they see.
 *
 * The subscribers are of two kinds, so that the server's cost is not hidden behind the clients' own
 * work on the same two cores: light subscribers (light-subscriber.ts: raw WebSocket over TCP, seq
 * checks on each message's head), and a sample of full SDK clients (client/sdk/ws) that parse every
 * frame, check seqs and keep local books, which must equal the REST book at the end. Latency is sampled on
 * BENCH_LATENCY_SESSIONS light sessions spread over all N and on every SDK client: from the driver's
 * order acknowledgement (sent here directly, not through the service) to the update that shows the
 * order's bid level.
 */
import net from 'node:net';
import { WebSocket } from 'ws';
import { CnxSocket, type SocketLike } from '../../../client/sdk/ws/index.js';
import { Histogram } from './histogram.js';
import { bytesAt, LightSubscriber } from './light-subscriber.js';
import { DEPTH, LATENCY_SAMPLED_SESSIONS, wallMs, type Ipc, type Plan, type Share } from './plan.js';

const BIDS_KEY = Buffer.from('"bids":[');
const PRICE_KEY = Buffer.from('{"price":"');
const QUANTITY_KEY = Buffer.from(',"quantity":"');
const ORDERS_KEY = Buffer.from(',"orders":');
const QUOTE = 0x22;
const DOT = 0x2e;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
/** Prices are compared and looked up as integers of 1e-9 (see priceKey). */
const PRICE_KEY_DECIMALS = 9;

/**
 * A decimal price as an integer count of 1e-9 ("99.125" → 99_125_000_000): exact for every price
 * the bench quotes (tick sizes of at most nine decimals, such as 1/128), so that a price read from
 * a frame's bytes and one from an acknowledgement meet as the same Map key, with no string made per
 * level.
 */
function priceKey(bytes: Uint8Array, start: number, end: number): number {
  let digits = 0;
  let decimals = -1;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === DOT) decimals = 0;
    else {
      digits = digits * 10 + c - 0x30;
      if (decimals >= 0) decimals += 1;
    }
  }
  if (decimals > PRICE_KEY_DECIMALS) throw new Error(`price with more than ${PRICE_KEY_DECIMALS} decimals`);
  return digits * 10 ** (PRICE_KEY_DECIMALS - Math.max(0, decimals));
}

const priceKeyOf = (price: string): number => priceKey(Buffer.from(price, 'latin1'), 0, price.length);

/** data holds `bytes` at `at`; the server writes each level's keys in a fixed order, so a miss breaks the run. */
function expect(data: Buffer, at: number, bytes: Buffer): number {
  if (!bytesAt(data, at, bytes)) throw new Error(`unexpected book message: ${data.toString('latin1', at, at + 40)}`);
  return at + bytes.length;
}

export async function clientsProcess(): Promise<void> {
  const start = (await new Promise<Ipc>((resolve) => process.once('message', resolve))) as Ipc & { plan: Plan; share: Share };
  const { plan, share } = start;
  const light = new Histogram();
  const sdk = new Histogram();
  const noteIndex = new Map(plan.notes.map((note, i) => [note.id, i]));
  // By note (its index in the plan) and price key: when the driver's order at that price was acknowledged,
  // and the sessions that saw the price before its acknowledgement arrived here.
  const acks = plan.notes.map(() => new Map<number, number>());
  const early = plan.notes.map(() => new Map<number, { at: number; histogram: Histogram }[]>());
  let measuring = false;
  let cpuAtMeasureStart = process.cpuUsage();
  const appeared = function recordAppearance(histogram: Histogram, note: number, price: number, at: number) {
    if (!measuring) return;
    const ackedAt = acks[note]!.get(price);
    if (ackedAt !== undefined) {
      histogram.add(at - ackedAt);
      return;
    }
    const arrivals = early[note]!.get(price);
    if (arrivals) arrivals.push({ at, histogram });
    else early[note]!.set(price, [{ at, histogram }]);
  };
  /**
   * A light session's latency probe, on each message of its channels (book and trades of each note,
   * in the plan's order): the bid levels above any the session saw before appeared now. Bids only
   * ever appear higher (each probe order is a new best bid) and a message lists its bids best first,
   * so reading stops at the first level at or below the highest seen — read as the seqs are, from
   * the bytes in the server's fixed key order.
   */
  const lightProber = (histogram: Histogram) => {
    const highest = plan.notes.map(() => 0);
    return function onBookMessage(channel: number, data: Buffer, from: number, end: number) {
      if (channel % 2 !== 0) return; // a trades channel
      const note = channel >> 1;
      const at = wallMs();
      const bids = data.indexOf(BIDS_KEY, from);
      if (bids < 0 || bids >= end) throw new Error('a book message without bids');
      let top = highest[note]!;
      for (let level = bids + BIDS_KEY.length; data[level] !== CLOSE_BRACKET; ) {
        const priceStart = expect(data, level, PRICE_KEY);
        const priceEnd = data.indexOf(QUOTE, priceStart);
        const price = priceKey(data, priceStart, priceEnd);
        if (price <= highest[note]!) break;
        const quantityEnd = data.indexOf(QUOTE, expect(data, priceEnd + 1, QUANTITY_KEY));
        let digit = expect(data, quantityEnd + 1, ORDERS_KEY);
        let orders = 0;
        for (let c = data[digit]!; c >= 0x30 && c <= 0x39; c = data[++digit]!) orders = orders * 10 + c - 0x30;
        if (orders > 0) {
          appeared(histogram, note, price, at);
          if (price > top) top = price;
        }
        level = digit + 1; // past the level's closing brace, then a comma or the bids' closing bracket
        if (data[level] === COMMA) level += 1;
      }
      highest[note] = top;
    };
  };
  /** An SDK session's latency probe, on each message it parsed: the same rule as lightProber. */
  const sdkProber = (histogram: Histogram) => {
    const highest = plan.notes.map(() => 0);
    return function onMessage(message: { channel: string; data: unknown }) {
      if (!message.channel.startsWith('book:')) return;
      const at = wallMs();
      const data = message.data as { noteId: string; bids: { price: string; orders: number }[] };
      const note = noteIndex.get(data.noteId)!;
      let top = highest[note]!;
      for (const level of data.bids) {
        const price = priceKeyOf(level.price);
        if (price <= highest[note]!) break;
        if (level.orders > 0) {
          appeared(histogram, note, price, at);
          if (price > top) top = price;
        }
      }
      highest[note] = top;
    };
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
      const probe = sdkProber(sdk);
      client.on('update', (message) => {
        sdkMessages += 1;
        probe(message);
      });
      client.on('snapshot', (message) => {
        sdkSnapshots += 1;
        sdkMessages += 1;
        probe(message);
      });
      await client.connect();
      client.subscribe(channels, { depth: DEPTH });
      sdks.push(client);
      return;
    }
    const onMessage = index % latencyEvery === 0 ? lightProber(light) : null;
    const subscriber = new LightSubscriber(plan.subscriberUrls[index % plan.subscriberUrls.length]!, channels, DEPTH, onMessage);
    await subscriber.connect();
    lights.push(subscriber);
  };
  for (let i = 0; i < share.count; i += 100) await Promise.all(Array.from({ length: Math.min(100, share.count - i) }, connectOne));
  const expected = channels.length;
  for (let waited = 0; sdkSnapshots < sdks.length * expected || lights.some((l) => l.channelsSeen < expected); waited += 1) {
    const broken = lights.find((l) => l.protocolErrors > 0);
    if (broken) throw new Error(`a light subscriber got ${broken.protocolErrors} frames it could not read as channel messages`);
    if (process.env.BENCH_DEBUG && waited % 100 === 0)
      process.stderr.write(
        `clients ${share.first}: sdk snapshots ${sdkSnapshots}/${sdks.length * expected}, light waiting ${lights.filter((l) => l.channelsSeen < expected).length}/${lights.length}\n`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const messagesNow = () => lights.reduce((sum, l) => sum + l.messages, 0) + sdkMessages;
  let messagesAtStart = 0;
  const onAcks = function onAcks(list: [string, string, number][]) {
    for (const [noteId, priceText, at] of list) {
      const note = noteIndex.get(noteId)!;
      const price = priceKeyOf(priceText);
      acks[note]!.set(price, at);
      for (const arrival of early[note]!.get(price) ?? []) arrival.histogram.add(Math.max(0, arrival.at - at));
      early[note]!.delete(price);
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
    for (const subscriber of lights) countSeqs((channel) => subscriber.seqOf(channel));
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
