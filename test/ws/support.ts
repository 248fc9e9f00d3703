/**
 * Helpers of the WebSocket suites: the real service (server/bootstrap.ts, as startTestService
 * starts it) with optional WebSocket limits and clock, and a probe — a real `ws` client that
 * records every message and waits for the ones a test expects.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { pino } from 'pino';
import { WebSocket, type ClientOptions } from 'ws';
import { startService, type RunningService } from '../../server/bootstrap.js';
import type { Clock } from '../../server/api/services.js';
import type { Config } from '../../server/config.js';
import type { WsLimits } from '../../server/ws/limits.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { DEMO_PASSWORD } from '../support/service.js';
import { NatsServer } from '../support/nats.js';

export interface WsTestService {
  service: RunningService;
  database: TestDatabase;
  url: string;
  wsUrl: string;
  http: ReturnType<typeof request>;
  token(username: string): Promise<string>;
  partyId(username: string): Promise<string>;
  notes(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startWsService(
  options: { clock?: Clock; wsLimits?: Partial<WsLimits>; config?: Partial<Config> } = {},
): Promise<WsTestService> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-ws-'));
  // WS_VIA_BUS=1: the same suites with /ws served through NATS JetStream (server/bus), one code path tested both ways.
  const nats = process.env.WS_VIA_BUS === '1' && !options.config?.natsUrl ? await NatsServer.start() : null;
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: null,
    jwtSecret: randomBytes(32).toString('hex'),
    logLevel: 'silent',
    seedDemo: true,
    demoPassword: DEMO_PASSWORD,
    ...(options.wsLimits ? { wsLimits: options.wsLimits } : {}),
    ...(nats ? { natsUrl: nats.url } : {}),
    ...options.config,
  };
  const service = await startService({
    config,
    logger: pino({ level: 'silent' }),
    database,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const http = request(service.server);
  const logins = new Map<string, { token: string; partyId: string }>();
  const login = async (username: string) => {
    let cached = logins.get(username);
    if (!cached) {
      const response = await request(service.server).post('/api/v1/auth/token').send({ username, password: DEMO_PASSWORD });
      if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status}`);
      cached = { token: response.body.token, partyId: response.body.user.partyId };
      logins.set(username, cached);
    }
    return cached;
  };
  return {
    service,
    database,
    url: service.url,
    wsUrl: `${service.url.replace(/^http/, 'ws')}/ws`,
    http,
    token: async (username) => (await login(username)).token,
    partyId: async (username) => (await login(username)).partyId,
    notes: async () => {
      const list = (await http.get('/api/v1/notes').set({ authorization: `Bearer ${(await login('investor1')).token}` })).body as {
        id: string;
        className: string;
      }[];
      return Object.fromEntries(list.map((n) => [n.className, n.id]));
    },
    close: async () => {
      await service.close();
      await database.close();
      await nats?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Message = Record<string, any>;

/** A real WebSocket client that keeps every message it receives. */
export class Probe {
  readonly messages: Message[] = [];
  /** Array frames received (batch mode). */
  batches = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const parsed = JSON.parse(data.toString()) as Message | Message[];
      // Batch mode (/ws?frames=batch): a cycle's channel messages arrive as one array.
      if (Array.isArray(parsed)) {
        this.batches += 1;
        this.messages.push(...parsed);
      } else {
        this.messages.push(parsed);
      }
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of [...this.waiters]) wake();
      }),
    );
  }

  static open(url: string, options: ClientOptions & { token?: string } = {}): Promise<Probe> {
    const { token, ...rest } = options;
    const ws = new WebSocket(url, {
      ...rest,
      headers: { ...(rest.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    const probe = new Probe(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(probe));
      ws.once('unexpected-response', (_request, response) =>
        reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode, response })),
      );
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (from index `from`) that matches; waits for it. */
  async waitFor(match: (message: Message) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<Message> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.messages.slice(options.from ?? 0).find(match);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed while waiting; got ${JSON.stringify(this.messages.slice(-5))}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting; last messages ${JSON.stringify(this.messages.slice(-5)).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 50);
        this.waiters.add(wake);
      });
    }
  }

  /** Sends a message with an id and waits for the answer (reply, error, pong, …) carrying that id. */
  async request(message: Record<string, unknown>): Promise<Message> {
    const from = this.messages.length;
    this.send(message);
    return this.waitFor((m) => typeof m.op === 'string' && m.id === message.id, { from });
  }

  channel(name: string): Message[] {
    return this.messages.filter((m) => m.channel === name);
  }

  close(): void {
    this.ws.close();
  }
}

/** Applies a channel's book messages in order, checking seq; returns the book best first. */
export function replayBook(messages: readonly Message[]): { bids: Message[]; asks: Message[]; seq: number } {
  const bids = new Map<string, Message>();
  const asks = new Map<string, Message>();
  let seq = -1;
  for (const message of messages) {
    if (message.type === 'snapshot') {
      bids.clear();
      asks.clear();
    } else if (message.seq !== seq + 1) {
      throw new Error(`gap: ${seq} then ${message.seq}`);
    }
    seq = message.seq;
    for (const [levels, side] of [
      [bids, message.data.bids],
      [asks, message.data.asks],
    ] as const) {
      for (const level of side as Message[]) {
        if (level.orders === 0) levels.delete(level.price);
        else levels.set(level.price, level);
      }
    }
  }
  const sorted = (levels: Map<string, Message>, descending: boolean) =>
    [...levels.values()].sort((a, b) => (Number(a.price) - Number(b.price)) * (descending ? -1 : 1));
  return { bids: sorted(bids, true), asks: sorted(asks, false), seq };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
