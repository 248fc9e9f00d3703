// Shared helpers of the registry tests (not a test file itself): a service on a given database with
// a registry configuration (so a test can restart it on the same data), trades through the order
// book, settlement runs, and reads of the chain.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { startService, type RunningService } from '../../server/bootstrap.js';
import type { Config } from '../../server/config.js';
import type { RegistryChain } from '../../server/registry/chain.js';
import type { RegistryConfig, RegistryTuning } from '../../server/registry/types.js';
import { noteIdFromUuid } from '../../contracts/registry-client.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** Fast pacing for tests: quick polls and retries, pending rows are breaks at once. */
export const FAST: Partial<RegistryTuning> = {
  pollIntervalMs: 30,
  backoffBaseMs: 30,
  backoffMaxMs: 300,
  receiptTimeoutMs: 5_000,
  requestTimeoutMs: 2_000,
  pendingBreakAfterSeconds: 0,
  leaseMs: 600,
};

export interface Venue {
  service: RunningService;
  http: ReturnType<typeof request>;
  auth(username: string): Promise<{ authorization: string }>;
  partyOf(username: string): Promise<string>;
  close(): Promise<void>;
}

export async function startVenue(database: TestDatabase, registry: RegistryConfig): Promise<Venue> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-registry-'));
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: null,
    jwtSecret: randomBytes(32).toString('hex'),
    logLevel: 'silent',
    seedDemo: true,
    demoPassword: 'demo',
    registry,
  };
  const service = await startService({ config, logger: pino({ level: 'silent' }), database });
  const http = request(service.server);
  const tokens = new Map<string, { token: string; partyId: string }>();
  const login = async (username: string) => {
    const cached = tokens.get(username);
    if (cached) return cached;
    const response = await http.post('/api/v1/auth/token').send({ username, password: 'demo' });
    expect(response.status).toBe(200);
    const entry = { token: response.body.token as string, partyId: response.body.user.partyId as string };
    tokens.set(username, entry);
    return entry;
  };
  return {
    service,
    http,
    auth: async (username) => ({ authorization: `Bearer ${(await login(username)).token}` }),
    partyOf: async (username) => (await login(username)).partyId,
    close: async () => {
      await service.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function chainOf(venue: Venue): RegistryChain {
  const chain = venue.service.registry?.chain();
  if (!chain) throw new Error('the registry is not connected');
  return chain;
}

export async function notesByClass(venue: Venue): Promise<Record<string, string>> {
  const list = (await venue.http.get('/api/v1/notes').set(await venue.auth('investor1'))).body as { id: string; className: string }[];
  return Object.fromEntries(list.map((n) => [n.className, n.id]));
}

let orderCounter = 0;

/** A trade through the book: the seller's resting offer, lifted by the buyer. Returns the trade id. */
export async function trade(venue: Venue, buyer: string, seller: string, noteId: string, quantity: string): Promise<string> {
  orderCounter += 1;
  const order = (username: string, side: string) =>
    venue.auth(username).then((auth) =>
      venue.http
        .post('/api/v1/orders')
        .set(auth)
        .send({
          clOrdId: `r-${process.pid}-${orderCounter}-${side}`,
          noteId,
          side,
          type: 'limit',
          timeInForce: 'GTC',
          price: '100',
          quantity,
        }),
    );
  const sell = await order(seller, 'sell');
  expect(sell.status, JSON.stringify(sell.body)).toBe(201);
  const buy = await order(buyer, 'buy');
  expect(buy.status, JSON.stringify(buy.body)).toBe(201);
  expect(buy.body.fills.length, JSON.stringify(buy.body)).toBe(1);
  return buy.body.fills[0].tradeId as string;
}

/** Rolls the business date and settles everything due. */
export async function rollAndSettle(venue: Venue, mode: 'gross' | 'net' = 'gross') {
  const backoffice = await venue.auth('backoffice1');
  const date = (await venue.http.post('/api/v1/business-date/roll').set(backoffice).expect(200)).body.businessDate as string;
  const run = await venue.http.post('/api/v1/settlements/run').set(backoffice).send({ date, mode });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  return run.body as { settled: number; failed: number };
}

export async function instructionOf(venue: Venue, tradeId: string) {
  const list = (await venue.http.get('/api/v1/settlements?limit=5000').set(await venue.auth('backoffice1'))).body as {
    id: string;
    tradeId: string;
    status: string;
    registry?: unknown;
  }[];
  const found = list.find((i) => i.tradeId === tradeId);
  if (!found) throw new Error(`no instruction for trade ${tradeId}`);
  return found;
}

export async function breaks(venue: Venue) {
  const response = await venue.http.get('/api/v1/reconciliation').set(await venue.auth('backoffice1'));
  expect(response.status).toBe(200);
  return response.body.breaks as {
    kind: string;
    entity: string;
    expected: string;
    actual: string;
    difference: string;
    message: string;
    repair?: { noteId: string; fromPartyId: string; toPartyId: string; amount: string; resolvesOutboxId: string | null };
  }[];
}

export async function addressOf(venue: Venue, username: string): Promise<string> {
  const partyId = await venue.partyOf(username);
  const list = (await venue.http.get('/api/v1/registry/addresses').set(await venue.auth('backoffice1'))).body as {
    partyId: string;
    address: string;
  }[];
  const found = list.find((a) => a.partyId === partyId);
  if (!found) throw new Error(`${username} has no address`);
  return found.address;
}

export async function chainBalance(venue: Venue, username: string, noteUuid: string): Promise<bigint> {
  return chainOf(venue).contract.balanceOf(await addressOf(venue, username), noteIdFromUuid(noteUuid));
}

export async function ledgerFace(venue: Venue, username: string, noteUuid: string): Promise<bigint> {
  const list = (await venue.http.get(`/api/v1/balances?partyId=${await venue.partyOf(username)}`).set(await venue.auth('backoffice1')))
    .body as { asset: string; total: string }[];
  return BigInt(list.find((b) => b.asset === noteUuid)?.total ?? '0');
}

export async function outbox(venue: Venue, query = '') {
  const response = await venue.http.get(`/api/v1/registry/outbox?limit=5000${query}`).set(await venue.auth('backoffice1'));
  expect(response.status).toBe(200);
  return response.body as {
    id: string;
    settlementRef: string;
    chainRef: string;
    kind: string;
    status: string;
    fromAddress: string | null;
    toAddress: string | null;
    txHash: string | null;
    attempts: number;
    lastError: string | null;
    reasonCode: string | null;
    reason: string | null;
    resolvesOutboxId: string | null;
    noteIds: string[] | null;
    publishedAt: string | null;
  }[];
}

/** Waits until the condition holds (polling), or fails the test after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function drained(venue: Venue): Promise<void> {
  await venue.service.registry!.ready;
  await eventually('the outbox to drain', async () => (await outbox(venue, '&status=pending')).length === 0);
}

/**
 * The test file's venue: a fresh database and a service on an embedded chain, started before the
 * file's tests (the demo market seeded and published on chain) and closed after them.
 */
export function useEmbeddedVenue(ready: (setup: { database: TestDatabase; venue: Venue; notes: Record<string, string> }) => void): void {
  let setup: { database: TestDatabase; venue: Venue; notes: Record<string, string> } | null = null;
  beforeAll(async () => {
    const database = await createTestDatabase();
    const venue = await startVenue(database, { mode: 'embedded', tuning: FAST });
    const notes = await notesByClass(venue);
    await drained(venue);
    setup = { database, venue, notes };
    ready(setup);
  });
  afterAll(async () => {
    await setup?.venue.close();
    await setup?.database.close();
  });
}
