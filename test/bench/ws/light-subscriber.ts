/**
 * bench:ws's light subscriber: the least any market-data subscriber must do, so that the bench
 * measures the server rather than a client library sharing its two cores.
 *
 * It speaks WebSocket itself over a plain TCP socket, as the floor's readers read plain TCP
 * (RFC 6455: the opening handshake with its accept-key check, unmasked server frames, masked client
 * frames, pong for every ping): no stream pipeline, no per-message events, no UTF-8 decoding. It
 * takes the protocol's default framing, one frame per channel message, so the frame headers give
 * each message's bounds and it reads nothing of a message past its seq: the channel, the type and
 * the seq sit at its start (the server writes the envelope's keys in a fixed order). It checks that
 * every update's seq is one above the last message of its channel. It answers pings at once, the
 * fan-out's lag probes among them, so the server sees it exactly as it sees a full client that
 * keeps up.
 */
import crypto from 'node:crypto';
import net from 'node:net';

const CHANNEL_KEY = Buffer.from('{"channel":"');
const QUOTE = 0x22;
const SEQ_KEY = Buffer.from('"seq":');
/** `","type":"` after the channel name: the type's first letter ('s'napshot or 'u'pdate) follows. */
const TYPE_OFFSET = '","type":"'.length;
const LETTER_S = 's'.charCodeAt(0);
const HEADERS_END = Buffer.from('\r\n\r\n');
/** RFC 6455 §1.3: the accept key is base64(SHA-1(key + this GUID)). */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

export class LightSubscriber {
  /** Channels that have had a message. */
  channelsSeen = 0;
  gaps = 0;
  messages = 0;
  snapshots = 0;
  /** Frames that broke the protocol (fragmented, malformed): each one is a failure of the run. */
  protocolErrors = 0;
  private socket: net.Socket | null = null;
  private handshaken = false;
  /** Bytes of a frame (or of the handshake's response) that a read ended in the middle of. */
  private partial: Buffer | null = null;
  /**
   * Each subscribed channel's position by a hash of its name's bytes, so that a message's channel is
   * found without making a string of it (a fresh string per message costs its hashing and a string
   * comparison in a Map: the largest part of a light subscriber's own work when it had one).
   */
  private readonly channelByHash = new Map<number, number>();
  private readonly names: Buffer[];
  /** The last seq of each channel, by position; -1 before its first message. */
  private readonly lastSeqs: number[];

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly depth: number,
    /** Called with each channel message: its channel's index in `channels`, and data[from, end) the bytes after its seq. */
    private readonly onMessage: ((channel: number, data: Buffer, from: number, end: number) => void) | null,
  ) {
    this.names = channels.map((channel) => Buffer.from(channel, 'latin1'));
    this.lastSeqs = channels.map(() => -1);
    this.names.forEach((name, i) => {
      const hash = nameHash(name, 0, name.length);
      if (this.channelByHash.has(hash))
        throw new Error(`channels ${channels[i]} and ${channels[this.channelByHash.get(hash)!]} hash alike`);
      this.channelByHash.set(hash, i);
    });
  }

  /** The last seq seen on `channel`, or undefined before its first message. */
  seqOf(channel: string): number | undefined {
    const seq = this.lastSeqs[this.channels.indexOf(channel)];
    return seq === undefined || seq < 0 ? undefined : seq;
  }

  get open(): boolean {
    return this.handshaken && this.socket !== null && !this.socket.destroyed;
  }

  async connect(): Promise<void> {
    const url = new URL(this.url);
    const key = crypto.randomBytes(16).toString('base64');
    const socket = net.connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    this.socket = socket;
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      const expected = crypto
        .createHash('sha1')
        .update(key + HANDSHAKE_GUID)
        .digest('base64');
      const onHandshake = () => {
        socket.off('error', reject);
        const headers = this.partial!.toString('latin1', 0, this.partial!.indexOf(HEADERS_END));
        if (!headers.startsWith('HTTP/1.1 101') || !headers.toLowerCase().includes(`sec-websocket-accept: ${expected.toLowerCase()}`))
          reject(new Error(`WebSocket handshake refused: ${headers.split('\r\n')[0]}`));
        else resolve();
      };
      socket.on('data', (chunk: Buffer) => this.receive(chunk, onHandshake));
    });
    socket.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await opened;
    this.sendFrame(OPCODE_TEXT, Buffer.from(JSON.stringify({ op: 'subscribe', channels: this.channels, depth: this.depth })));
  }

  close(): void {
    if (!this.open) return;
    this.sendFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])); // 1000, normal closure
    this.socket!.end();
  }

  private receive(chunk: Buffer, onHandshake: () => void): void {
    let data = this.partial === null ? chunk : Buffer.concat([this.partial, chunk]);
    this.partial = null;
    if (!this.handshaken) {
      const end = data.indexOf(HEADERS_END);
      if (end < 0) {
        this.partial = data;
        return;
      }
      this.handshaken = true;
      this.partial = data;
      onHandshake();
      this.partial = null;
      data = data.subarray(end + HEADERS_END.length);
    }
    let at = 0;
    while (at + 2 <= data.length) {
      const first = data[at]!;
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (at + 4 > data.length) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (at + 10 > data.length) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (at + header + length > data.length) break;
      this.frame(first, data, at + header, at + header + length);
      at += header + length;
    }
    if (at < data.length) this.partial = data.subarray(at);
  }

  /** One frame: its payload is data[start, end). */
  private frame(first: number, data: Buffer, start: number, end: number): void {
    const opcode = first & 0x0f;
    // The server never fragments a message: one that is fragmented (FIN clear) breaks the run.
    if ((first & 0x80) === 0) this.protocolErrors += 1;
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      this.read(data, start, end);
    } else if (opcode === OPCODE_PING) {
      this.sendFrame(OPCODE_PONG, data.subarray(start, end));
    } else if (opcode === OPCODE_CLOSE) {
      this.socket!.end();
    } else if (opcode !== OPCODE_PONG) {
      this.protocolErrors += 1;
    }
  }

  /** One channel message, data[start, end): its channel, type and seq, and nothing after them. */
  private read(data: Buffer, start: number, end: number): void {
    const nameStart = start + CHANNEL_KEY.length;
    let nameEnd = nameStart;
    while (nameEnd < end && data[nameEnd] !== QUOTE) nameEnd += 1;
    const index = this.channelByHash.get(nameHash(data, nameStart, nameEnd));
    const snapshot = data[nameEnd + TYPE_OFFSET] === LETTER_S;
    // The type, its closing quote and a comma come before `"seq":` and its digits.
    const seqAt = nameEnd + TYPE_OFFSET + (snapshot ? 'snapshot' : 'update').length + 2;
    if (
      index === undefined ||
      !bytesAt(data, start, CHANNEL_KEY) ||
      !bytesAt(data, nameStart, this.names[index]!) ||
      nameEnd !== nameStart + this.names[index]!.length ||
      !bytesAt(data, seqAt, SEQ_KEY)
    ) {
      // Not a message of a subscribed channel in the envelope's fixed key order: a broken run.
      this.protocolErrors += 1;
      return;
    }
    let digit = seqAt + SEQ_KEY.length;
    let seq = 0;
    for (let c = data[digit]!; c >= 0x30 && c <= 0x39; c = data[++digit]!) seq = seq * 10 + c - 0x30;
    const last = this.lastSeqs[index]!;
    if (last < 0) this.channelsSeen += 1;
    else if (snapshot ? seq < last : seq !== last + 1) this.gaps += 1;
    if (snapshot) this.snapshots += 1;
    this.lastSeqs[index] = seq;
    this.messages += 1;
    if (this.onMessage) this.onMessage(index, data, digit, end);
  }

  /** A client frame: FIN set, masked with a fresh key (RFC 6455 §5.3), payloads under 64 KiB. */
  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.socket === null || this.socket.destroyed) return;
    const extended = payload.length >= 126;
    const header = extended ? 4 : 2;
    const frame = Buffer.allocUnsafe(header + 4 + payload.length);
    frame[0] = 0x80 | opcode;
    if (extended) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(payload.length, 2);
    } else {
      frame[1] = 0x80 | payload.length;
    }
    const mask = crypto.randomBytes(4);
    mask.copy(frame, header);
    for (let i = 0; i < payload.length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(frame);
  }
}

/** A 32-bit hash of data[start, end) (the polynomial one of Java's String.hashCode). */
function nameHash(data: Buffer, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + data[i]!) | 0;
  return hash;
}

/** data holds `bytes` at `at`. */
export function bytesAt(data: Buffer, at: number, bytes: Buffer): boolean {
  if (at + bytes.length > data.length) return false;
  for (let i = 0; i < bytes.length; i++) if (data[at + i] !== bytes[i]) return false;
  return true;
}
