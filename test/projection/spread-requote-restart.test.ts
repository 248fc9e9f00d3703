/**
 * A spread quote across a restart: its spread is persisted with its order (orders.spread_bp), so the
 * recovered sequencer still knows it, and the start re-prices it — a curve saved just before a
 * stop (here: changed in the database while the service was down) never leaves it at a stale price.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { startService, type RunningService } from '../../server/bootstrap.js';
import type { Config } from '../../server/config.js';
import { Decimal } from '../../server/domain/decimal.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ManualClock } from '../support/service.js';

const config: Config = {
  port: 0,
  host: '127.0.0.1',
  dataDir: '/tmp/cnx-spread-restart-unused',
  databaseUrl: null,
  jwtSecret: 'spread-restart-test-secret-spread-restart',
  logLevel: 'silent',
  seedDemo: true,
  demoPassword: 'demo',
};
const clock = new ManualClock(new Date('2026-12-01T15:00:00Z'));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

const start = () => startService({ config, logger: pino({ level: 'silent' }), database, clock });
const as = async (service: RunningService, username: string) => {
  const token = (await request(service.server).post('/api/v1/auth/token').send({ username, password: 'demo' })).body.token;
  return { authorization: `Bearer ${token}` };
};
const points = (low: string, high: string) => [
  { tenorYears: '1', yieldPercent: low },
  { tenorYears: '10', yieldPercent: high },
];

describe('a spread quote across a restart', () => {
  it('keeps its spread and is re-priced at the start from the curve as it now is', async () => {
    let service = await start();
    const notes = (
      await request(service.server)
        .get('/api/v1/notes')
        .set(await as(service, 'investor1'))
    ).body;
    const a2 = notes.find((n: { className: string }) => n.className === 'A-2').id as string;
    const businessDate = (
      await request(service.server)
        .get('/api/v1/business-date')
        .set(await as(service, 'investor1'))
    ).body.businessDate;
    await request(service.server)
      .put(`/api/v1/curves/UST/${businessDate}`)
      .set(await as(service, 'operator1'))
      .send({ points: points('4', '4.9') })
      .expect(200);
    const band = (
      await request(service.server)
        .get(`/api/v1/notes/${a2}/price-band`)
        .set(await as(service, 'investor1'))
    ).body;
    const at = (
      await request(service.server)
        .get(`/api/v1/notes/${a2}/analytics?price=${band.reference ?? '100'}`)
        .set(await as(service, 'investor1'))
    ).body;
    const spread = new Decimal(at.spreadBp).add(5).toFixed(0);
    const quoted = await request(service.server)
      .put('/api/v1/quotes')
      .set(await as(service, 'dealer2'))
      .send({ quotes: [{ noteId: a2, bidSpreadBp: spread, bidSize: '300000', askSize: '0' }] });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    const before = quoted.body.pricedFromSpread[0].price as string;
    await service.close();

    // While the service is down the curve moves 25 bp up (a load that committed just before a stop).
    await database
      .knex('benchmark_curves')
      .where({ name: 'UST', curve_date: businessDate })
      .update({ points: JSON.stringify(points('4.25', '5.15')) });
    service = await start();
    try {
      const live = (
        await request(service.server)
          .get('/api/v1/quotes')
          .set(await as(service, 'dealer2'))
      ).body.find((q: { noteId: string }) => q.noteId === a2);
      expect(live.bid).toMatchObject({ size: '300000', spreadBp: spread });
      expect(new Decimal(live.bid.price).lt(before)).toBe(true);
      // The same spread entered now, by another dealer, derives the same price.
      const fresh = await request(service.server)
        .put('/api/v1/quotes')
        .set(await as(service, 'dealer1'))
        .send({ quotes: [{ noteId: a2, bidSpreadBp: spread, bidSize: '100000', askSize: '0' }] });
      expect(fresh.body.pricedFromSpread[0].price).toBe(live.bid.price);
      const log = (
        await request(service.server)
          .get('/api/v1/quotes/reprices')
          .set(await as(service, 'dealer2'))
      ).body;
      expect(log[0]).toMatchObject({ trigger: 'start', outcome: 'repriced', previousBidPrice: before, bidPrice: live.bid.price });
    } finally {
      await service.close();
    }
  });
});
