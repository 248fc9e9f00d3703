/**
 * Crash safety: the server process is killed with SIGKILL, repeatedly, while clients send orders.
 * After each restart, every acknowledged order and trade is present, no clOrdId has two orders,
 * the books rebuilt by replay match the open orders (the server refuses to start otherwise),
 * every account's held amount equals its active holds, and every asset's postings sum to zero.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Decimal } from '../../server/domain/decimal.js';
import { openDatabase, type Database } from '../../server/db/connection.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/db.js';
import { startServerProcess, stopServerProcess } from '../support/server-process.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-crash-'));
let database: TestDatabase | null = null;
/** Every server this file started: none may outlive it, even when a test times out. */
const started = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function environment(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    JWT_SECRET: 'crash-test-secret-crash-test-secret-xx',
  };
  delete env.DATABASE_URL;
  if (testDatabaseKind() === 'postgres') {
    database ??= await createTestDatabase({ poolMax: 2 });
    Object.assign(env, { DATABASE_URL: database.url, SEED_DEMO: '1' });
  }
  return env;
}

async function start(env: NodeJS.ProcessEnv) {
  const server = await startServerProcess(env);
  started.add(server.child);
  return server;
}
const kill = async (child: ChildProcess): Promise<void> => void (await stopServerProcess(child, 'SIGKILL'));

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

interface Acked {
  partyId: string;
  clOrdId: string;
  orderId: string;
  tradeIds: string[];
}

/** Sends orders from four users until the server dies; returns what was acknowledged. */
async function sendUntilKilled(url: string, round: number, killAfterMs: number, child: ChildProcess): Promise<Acked[]> {
  const acked: Acked[] = [];
  const users = ['investor1', 'investor2', 'dealer1', 'dealer2'];
  const sessions = await Promise.all(
    users.map(async (username) => {
      const login = await json(`${url}/api/v1/auth/token`, { method: 'POST', body: JSON.stringify({ username, password: 'demo' }) });
      return { username, token: login.body.token as string, partyId: login.body.user.partyId as string };
    }),
  );
  const notes = (await json(`${url}/api/v1/notes`, { headers: { authorization: `Bearer ${sessions[0]!.token}` } })).body as {
    id: string;
    className: string;
  }[];
  const b = notes.find((n) => n.className === 'B')!;
  const killer = new Promise<void>((resolve) => setTimeout(() => void kill(child).then(resolve), killAfterMs));
  let alive = true;
  void killer.then(() => {
    alive = false;
  });
  await Promise.all(
    sessions.map(async (session, index) => {
      for (let i = 0; alive && i < 400; i++) {
        const side = session.username.startsWith('investor') ? 'buy' : 'sell';
        const price = side === 'buy' ? String(99 + ((i + index) % 8) / 8) : String(99.5 + ((i * 3 + index) % 8) / 8);
        const clOrdId = `k${round}-${session.username}-${i}`;
        try {
          const response = await json(`${url}/api/v1/orders`, {
            method: 'POST',
            headers: { authorization: `Bearer ${session.token}` },
            body: JSON.stringify({ clOrdId, noteId: b.id, side, type: 'limit', price, quantity: '100000', timeInForce: 'GTC' }),
          });
          if (response.status === 201)
            acked.push({
              partyId: session.partyId,
              clOrdId,
              orderId: response.body.order.id,
              tradeIds: response.body.fills.map((f: { tradeId: string }) => f.tradeId),
            });
        } catch {
          return; // the server is gone
        }
      }
    }),
  );
  await killer;
  return acked;
}

async function checkBooks(db: Database, acked: readonly Acked[]): Promise<void> {
  const knex = db.knex;
  for (const order of acked) {
    const row = await knex('orders').where({ party_id: order.partyId, cl_ord_id: order.clOrdId }).first();
    expect(row?.id, `acknowledged order ${order.clOrdId}`).toBe(order.orderId);
  }
  const tradeIds = acked.flatMap((a) => a.tradeIds);
  const found = await knex('trades').whereIn('id', tradeIds).count<{ count: string }[]>('* as count');
  expect(Number(found[0]!.count)).toBe(new Set(tradeIds).size);
  const sums: { asset: string; sum: string }[] = await knex('ledger_postings')
    .groupBy('asset')
    .select('asset', knex.raw('sum(amount) as sum'));
  for (const { sum } of sums) expect(new Decimal(sum).isZero()).toBe(true);
  const held = await knex.raw(`select a.id, a.held, coalesce(sum(h.remaining) filter (where h.status = 'active'), 0) as holds
    from ledger_accounts a left join ledger_holds h on h.account_id = a.id group by a.id, a.held`);
  for (const row of held.rows) expect(new Decimal(row.held).eq(row.holds)).toBe(true);
}

/** Four server starts and three kills: a safety net for a loaded CI machine, not a speed requirement. */
const CRASH_TEST_TIMEOUT_MS = 240_000;

describe('SIGKILL while orders are in flight', () => {
  it(
    'loses nothing acknowledged and comes back consistent, three times',
    async () => {
      const env = await environment();
      const acked: Acked[] = [];
      for (let round = 0; round < 3; round++) {
        const server = await start(env);
        acked.push(...(await sendUntilKilled(server.url, round, 700 + round * 300, server.child)));
      }
      expect(acked.length).toBeGreaterThan(10);
      const final = await start(env);
      const ready = await json(`${final.url}/readyz`);
      expect(ready.status).toBe(200);
      await kill(final.child);
      const db = database ?? (await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }));
      try {
        await checkBooks(db, acked);
      } finally {
        if (!database) await db.close();
      }
    },
    CRASH_TEST_TIMEOUT_MS,
  );
});
