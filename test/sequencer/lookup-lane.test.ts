/**
 * The sequencer looks up the client order ids of arriving jobs while the previous batch commits.
 * A lookup that started before the day's roll committed may miss an order that only the in-memory
 * guard held at the time; once the roll's batch commits the guard is emptied, so such jobs are
 * looked up again before they run. Here the retry of an order arrives while the batch holding the
 * original and the roll is committing: it must still get the original back, never a second order.
 * On PostgreSQL the test makes the race certain: another transaction holds the party's cash
 * account, so the batch's commit (which locks it for the order's hold) waits while the retry's
 * lookup runs and ends without seeing the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { startService, type RunningService } from '../../server/bootstrap.js';
import { rollBusinessDate } from '../../server/businessdate/index.js';
import { submitOrder, type EntryResult } from '../../server/trading/order-entry.js';
import type { Principal } from '../../server/auth/tokens.js';
import { CASH_ASSET } from '../../server/ledger/types.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/db.js';
import type { Config } from '../../server/config.js';

let database: TestDatabase;
let service: RunningService;
const config: Config = {
  port: 0,
  host: '127.0.0.1',
  dataDir: '/tmp/cnx-lookup-lane-unused',
  databaseUrl: null,
  jwtSecret: 'lookup-lane-test-secret-lookup-lane-test',
  logLevel: 'silent',
  seedDemo: true,
  demoPassword: 'demo',
};

beforeAll(async () => {
  database = await createTestDatabase();
  service = await startService({ config, logger: pino({ level: 'silent' }), database });
});
afterAll(async () => {
  await service.close();
  await database.close();
});

async function investor(): Promise<{ principal: Principal; noteId: string }> {
  const login = await request(service.server).post('/api/v1/auth/token').send({ username: 'investor2', password: 'demo' });
  const user = login.body.user as { id: string; username: string; partyId: string; roles: Principal['roles'] };
  const notes = (await request(service.server).get('/api/v1/notes').set('authorization', `Bearer ${login.body.token}`)).body as {
    id: string;
    className: string;
  }[];
  return {
    principal: { userId: user.id, username: user.username, partyId: user.partyId, roles: user.roles },
    noteId: notes.find((n) => n.className === 'C')!.id,
  };
}

/** Until some statement waits for a row lock (the batch's commit, behind the blocker). */
async function waitForLockWaiter(): Promise<void> {
  for (;;) {
    const result = await service.services.knex.raw(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'`);
    if ((result.rows as { n: number }[])[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the lookup lane across the roll', () => {
  it('a retry looked up while the roll commits finds its original', async () => {
    const { principal, noteId } = await investor();
    const sequencer = service.services.sequencer!;
    for (let round = 0; round < 5; round++) {
      const body = {
        clOrdId: `lane-${round}`,
        noteId,
        side: 'buy' as const,
        type: 'limit' as const,
        price: '90',
        quantity: '100000',
        timeInForce: 'GTC' as const,
      };
      const rolled = await rollBusinessDate(service.services.knex, { rolledBy: principal.userId }, []);
      const blocker = testDatabaseKind() === 'postgres' ? await service.services.knex.transaction() : null;
      await blocker?.raw('select 1 from ledger_accounts where party_id = ? and asset = ? for update', [principal.partyId, CASH_ASSET]);
      let retry: Promise<EntryResult> | undefined;
      // Same tick: one lookup, one batch holding the original order and the roll.
      const original = submitOrder(service.services, principal, body);
      const roll = sequencer.execute((state) => {
        state.startBusinessDay(rolled.businessDate);
        // Runs while that batch commits: the retry's lookup goes alongside the commit.
        setImmediate(() => {
          retry = submitOrder(service.services, principal, body);
        });
      });
      if (blocker) {
        await waitForLockWaiter();
        // The retry's lookup is one indexed read; it has ended long before this.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await blocker.rollback();
      }
      const [first] = await Promise.all([original, roll]);
      const again = await retry!;
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect((again.body as { order: { id: string } }).order.id).toBe((first.body as { order: { id: string } }).order.id);
      const count = await service.services
        .knex('orders')
        .where({ party_id: principal.partyId, cl_ord_id: body.clOrdId })
        .count<{ count: string }[]>('* as count');
      expect(count[0]!.count).toBe('1');
    }
  });
});
