/**
 * Restart: the sequencer rebuilds the books by replaying its journal and the balances from the
 * ledger, and they equal what they were before the stop — the same engine state hash, the same
 * available balances, the same open orders. A clOrdId retried after the restart gets its
 * original order back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { startService, type RunningService } from '../../server/bootstrap.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import type { Config } from '../../server/config.js';

let database: TestDatabase;
const config: Config = {
  port: 0,
  host: '127.0.0.1',
  dataDir: '/tmp/cnx-recovery-unused',
  databaseUrl: null,
  jwtSecret: 'recovery-test-secret-recovery-test-secret',
  logLevel: 'silent',
  seedDemo: true,
  demoPassword: 'demo',
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

async function start(): Promise<RunningService> {
  return startService({ config, logger: pino({ level: 'silent' }), database });
}

async function login(service: RunningService, username: string): Promise<string> {
  return (await request(service.server).post('/api/v1/auth/token').send({ username, password: 'demo' })).body.token;
}

function fingerprint(service: RunningService) {
  return service.services.sequencer!.view((state) => ({
    hash: state.engine.stateHash(),
    lastSeq: state.lastSeq,
    openOrders: [...state.liveOrders.keys()].sort(),
    holds: [...state.accounts.holds.values()].map((h) => `${h.reference}=${h.remaining.toFixed()}`).sort(),
    available: [...state.accounts.holds.values()]
      .map((h) => `${h.partyId}:${h.asset}=${state.accounts.available(h.partyId, h.asset).toFixed()}`)
      .sort(),
  }));
}

/** A deterministic mix of resting, crossing and cancelled orders from four parties on two notes. */
async function trade(service: RunningService): Promise<void> {
  const tokens = Object.fromEntries(
    await Promise.all(['investor1', 'investor2', 'dealer1', 'dealer2'].map(async (u) => [u, await login(service, u)] as const)),
  );
  const notes = (await request(service.server).get('/api/v1/notes').set('authorization', `Bearer ${tokens.investor1}`)).body;
  const [a2, b] = [
    notes.find((n: { className: string }) => n.className === 'A-2'),
    notes.find((n: { className: string }) => n.className === 'B'),
  ];
  const orders: Promise<unknown>[] = [];
  for (let i = 0; i < 40; i++) {
    const buyer = i % 2 === 0 ? 'investor1' : 'investor2';
    const seller = i % 2 === 0 ? 'dealer1' : 'dealer2';
    const note = i % 3 === 0 ? b : a2;
    const ticks = (i * 7) % 13;
    orders.push(
      request(service.server)
        .post('/api/v1/orders')
        .set('authorization', `Bearer ${tokens[buyer]}`)
        .send({
          clOrdId: `r-buy-${i}`,
          noteId: note.id,
          side: 'buy',
          type: 'limit',
          price: String(99 + ticks * 0.0625),
          quantity: '100000',
          timeInForce: 'GTC',
        }),
    );
    orders.push(
      request(service.server)
        .post('/api/v1/orders')
        .set('authorization', `Bearer ${tokens[seller]}`)
        .send({
          clOrdId: `r-sell-${i}`,
          noteId: note.id,
          side: 'sell',
          type: 'limit',
          price: String(99.5 + ((i * 5) % 11) * 0.0625),
          quantity: '200000',
          timeInForce: 'GTC',
        }),
    );
  }
  const results = (await Promise.all(orders)) as { status: number; body: { order: { id: string; status: string } } }[];
  expect(results.every((r) => r.status === 201)).toBe(true);
  const open = results.filter((r) => r.body.order.status === 'new').slice(0, 5);
  for (const r of open) {
    const owner = r.body.order.id;
    // Cancel a few through their owners: find the owner by trying each token (only the owner succeeds).
    for (const token of Object.values(tokens)) {
      const cancelled = await request(service.server).delete(`/api/v1/orders/${owner}`).set('authorization', `Bearer ${token}`);
      if (cancelled.status === 200) break;
    }
  }
}

describe('sequencer recovery', () => {
  it('rebuilds identical books and balances after a restart', async () => {
    const first = await start();
    await trade(first);
    const before = fingerprint(first);
    const trades = (await database.knex('trades').count<{ count: string }[]>('* as count'))[0]!.count;
    expect(Number(trades)).toBeGreaterThan(0);
    await first.close();

    const second = await start();
    expect(fingerprint(second)).toEqual(before);

    // A clOrdId retried after the restart returns the original order, never a second one.
    const token = await login(second, 'investor1');
    const original = await database.knex('orders').where({ cl_ord_id: 'r-buy-0' }).first();
    const retry = await request(second.server).post('/api/v1/orders').set('authorization', `Bearer ${token}`).send({
      clOrdId: 'r-buy-0',
      noteId: original.note_id,
      side: 'buy',
      type: 'limit',
      price: '99',
      quantity: '100000',
      timeInForce: 'GTC',
    });
    expect(retry.status).toBe(200);
    expect(retry.body.order.id).toBe(original.id);
    await second.close();
  });
});
