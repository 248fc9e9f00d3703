/**
 * A settlement run interrupted by a crash (issue 14, item 5). The crash is simulated as it happens:
 * a run settles its first chunk (committed with the run's counters), then the process stops before
 * the rest — here the run's after-chunk hook never returns and the service is shut down under it —
 * and a new service starts on the same database. Before the fix the run stayed `running` forever.
 * Required: at start it is `interrupted` with what it did, the back office sees that, and a new
 * run settles the rest. A run that had processed everything and only missed its final status (the
 * PostgreSQL case of the issue) is closed as `completed`.
 */
import request from 'supertest';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../server/bootstrap.js';
import type { Config } from '../../server/config.js';
import { Decimal } from '../../server/domain/decimal.js';
import { runSettlement } from '../../server/settlement/run.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let service: RunningService;
const config: Config = {
  port: 0,
  host: '127.0.0.1',
  dataDir: '/tmp/cnx-interrupted-run-unused',
  databaseUrl: null,
  jwtSecret: 'interrupted-run-test-secret-interrupted-run',
  logLevel: 'silent',
  seedDemo: true,
  demoPassword: 'demo',
};
const TRADES = 6;

async function start(): Promise<void> {
  service = await startService({ config, logger: pino({ level: 'silent' }), database });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await start();
}, 60_000);
afterAll(async () => {
  await service.close();
  await database.close();
});

async function auth(username: string) {
  const response = await request(service.server).post('/api/v1/auth/token').send({ username, password: 'demo' });
  return { authorization: `Bearer ${response.body.token}` };
}

describe('a settlement run left running by a stopped service', () => {
  it('is interrupted with what it did, shown so to the back office, and a new run settles the rest', async () => {
    const http = () => request(service.server);
    const notes = (
      await http()
        .get('/api/v1/notes')
        .set(await auth('investor1'))
    ).body as { id: string; className: string }[];
    const noteId = notes.find((n) => n.className === 'B')!.id;
    for (let i = 0; i < TRADES; i++) {
      await http()
        .post('/api/v1/orders')
        .set(await auth('dealer1'))
        .send({ clOrdId: `ir-s-${i}`, noteId, side: 'sell', type: 'limit', price: '99', quantity: '100000' })
        .expect(201);
      const buy = await http()
        .post('/api/v1/orders')
        .set(await auth('investor1'))
        .send({ clOrdId: `ir-b-${i}`, noteId, side: 'buy', type: 'limit', price: '99', quantity: '100000', timeInForce: 'IOC' });
      expect(buy.body.fills).toHaveLength(1);
    }
    const rolled = (
      await http()
        .post('/api/v1/business-date/roll')
        .set(await auth('backoffice1'))
        .expect(200)
    ).body.businessDate as string;

    // The run settles one chunk of two, then hangs in its hook: the "crash" comes while it waits.
    let chunks = 0;
    void runSettlement(
      service.services.knex,
      { date: rolled, mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(5), chunkSize: 2, concurrency: 1 },
      {
        afterChunk: () => {
          chunks += 1;
          return new Promise<void>(() => {});
        },
      },
    ).catch(() => {});
    while (chunks === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const [left] = await service.services
      .knex('settlement_runs')
      .orderBy('id', 'desc')
      .limit(1)
      .select('id', 'status', 'processed', 'total');
    expect(left).toMatchObject({ status: 'running', processed: 2, total: TRADES });
    await service.close();

    await start();
    const seen = (
      await request(service.server)
        .get(`/api/v1/settlements/runs/${left.id}`)
        .set(await auth('backoffice1'))
        .expect(200)
    ).body;
    expect(seen).toMatchObject({ status: 'interrupted', processed: 2, settled: 2, failed: 0, total: TRADES });
    expect(seen.error).toContain('processing 2 of 6 instructions');
    expect(seen.finishedAt).not.toBeNull();

    const next = await request(service.server)
      .post('/api/v1/settlements/run')
      .set(await auth('backoffice1'))
      .send({ date: rolled });
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ due: TRADES - 2, settled: TRADES - 2, failed: 0 });
    const statuses = await service.services.knex('settlement_instructions').select('status');
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(Array(TRADES).fill('settled'));

    // Everything processed, only the final status missing (the crash came after the last chunk).
    await service.services.knex('settlement_runs').where({ id: next.body.runId }).update({ status: 'running', finished_at: null });
    await service.close();
    await start();
    const runs = (
      await request(service.server)
        .get('/api/v1/settlements/runs')
        .set(await auth('operator1'))
        .expect(200)
    ).body as { id: string; status: string; error: string | null }[];
    expect(runs.find((r) => r.id === next.body.runId)).toMatchObject({ status: 'completed', error: null });
    expect(runs.find((r) => r.id === String(left.id))).toMatchObject({ status: 'interrupted' });
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  }, 120_000);
});
