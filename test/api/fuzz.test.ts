/**
 * The standing fuzz suite (issue 14): at least 10,000 generated requests per run, over every REST
 * route of the route table and every WebSocket op, from the same schemas that validate them, with
 * a fixed seed (a failure names the request; rerun with the same seed to reproduce). Runs on
 * PGlite and, with TEST_DB=postgres, on PostgreSQL. The rules are in fuzz/harness.ts: no 5xx,
 * every error in the error shape with a code from the table, and the ledger's checksum unchanged
 * by chunks of refused requests. The last tests show the harness fails when a route breaks them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler } from '../../server/api/app.js';
import { ApiError } from '../../server/api/errors.js';
import { defineRoute, type AnyRoute } from '../../server/api/route.js';
import { routes } from '../../server/api/routes/index.js';
import { Decimal } from '../../server/domain/decimal.js';
import { moveCash } from '../../server/sequencer/cash.js';
import { startWsService, type WsTestService } from '../ws/support.js';
import type { IdPool } from './fuzz/arbitraries.js';
import { restCase, runRest, runWs, wsMessage, type Users } from './fuzz/harness.js';

const SEED = 20_261_206;
const REST_REQUESTS = Number(process.env.FUZZ_REST ?? 6_000);
const WS_MESSAGES = Number(process.env.FUZZ_WS ?? 4_000);

let t: WsTestService;
let users: Users;
let ids: IdPool;

beforeAll(async () => {
  // The per-connection message rate is lifted so that the fuzz reaches the ops instead of RATE_LIMITED.
  t = await startWsService({ wsLimits: { messagesPerSecond: 1_000_000 } });
  users = {
    tokens: {
      investor: await t.token('investor1'),
      dealer: await t.token('dealer1'),
      backoffice: await t.token('backoffice1'),
      operator: await t.token('operator1'),
    },
  };
  // Give the pool entities of every kind: a resting order, an RFQ with an answer.
  const notes = await t.notes();
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  await t.http
    .post('/api/v1/orders')
    .set(auth(users.tokens.investor))
    .send({ clOrdId: 'fuzz-seed', noteId: notes['B'], side: 'buy', type: 'limit', price: '95', quantity: '100000' })
    .expect(201);
  const rfq = await t.http
    .post('/api/v1/rfqs')
    .set(auth(users.tokens.investor))
    .send({ noteId: notes['B'], side: 'buy', quantity: '100000' })
    .expect(201);
  await t.http
    .post(`/api/v1/rfqs/${rfq.body.id}/responses`)
    .set(auth(users.tokens.dealer))
    .send({ price: '99', validForSeconds: 300 })
    .expect(201);
  ids = await idPool();
}, 120_000);
afterAll(async () => t?.close());

async function idPool(): Promise<IdPool> {
  const knex = t.database.knex;
  const uuids: string[] = [];
  for (const table of ['notes', 'deals', 'parties', 'users', 'orders', 'rfqs', 'rfq_responses']) {
    const rows: { id: string }[] = await knex(table).select('id').orderBy('id').limit(12);
    uuids.push(...rows.map((r) => String(r.id)));
  }
  const numericIds: string[] = [];
  for (const table of ['settlement_instructions', 'settlement_runs', 'ledger_entries']) {
    const rows: { id: string }[] = await knex(table).select('id').orderBy('id').limit(5);
    numericIds.push(...rows.map((r) => String(r.id)));
  }
  return { uuids, numericIds: numericIds.length > 0 ? numericIds : ['1'] };
}

const idle = async () => t.service.services.sequencer!.idle();

describe('the fuzz suite', () => {
  it(`answers ${REST_REQUESTS} generated REST requests over every route without a 5xx, in the error shape, leaving the ledger alone when refusing`, async () => {
    // One arbitrary per route, built once (each derives its schemas' JSON Schema).
    const everyRoute = fc.oneof(...routes.map((route) => restCase(route, ids, users)));
    let started = performance.now();
    const cases = fc.sample(everyRoute, { seed: SEED, numRuns: REST_REQUESTS });
    if (process.env.FUZZ_DEBUG) console.log('generated', performance.now() - started);
    started = performance.now();
    expect(new Set(cases.map((c) => `${c.route.method} ${c.route.path}`)).size).toBe(routes.length);
    const report = await runRest({ baseUrl: t.url, knex: t.database.knex, cases, idle, chunk: 32 });
    if (process.env.FUZZ_DEBUG) console.log('ran', performance.now() - started, report.statuses, report.failures.length);
    expect(report.failures.slice(0, 20)).toEqual([]);
    expect(report.requests).toBe(REST_REQUESTS);
    // Most chunks are refused requests only: their checksums were compared.
    expect(report.neutralChunks).toBeGreaterThan(REST_REQUESTS / 32 / 4);
    // Reachability: the suite gets past validation too (successes and market rejections).
    expect(
      Object.keys(report.statuses)
        .map(Number)
        .filter((s) => s < 300).length,
    ).toBeGreaterThan(0);
    expect(report.statuses[422] ?? 0).toBeGreaterThan(0);
  }, 300_000);

  it(`answers ${WS_MESSAGES} generated WebSocket messages over every op with documented codes only`, async () => {
    const messages = fc.sample(wsMessage(ids, users), { seed: SEED + 1, numRuns: WS_MESSAGES });
    const report = await runWs({ wsUrl: t.wsUrl, users, messages, idle });
    expect(report.failures.slice(0, 20)).toEqual([]);
    expect(report.requests).toBe(WS_MESSAGES);
    if (!process.env.FUZZ_REST) expect(REST_REQUESTS + report.requests).toBeGreaterThanOrEqual(10_000);
  }, 300_000);
});

describe('the harness fails when a route breaks the rules', () => {
  let server: http.Server;
  let baseUrl: string;
  const broken = defineRoute({
    method: 'get',
    path: '/api/v1/fuzz-broken',
    summary: 'answers 500',
    tag: 'test',
    access: 'user',
    handler: async () => {
      throw new Error('a deliberate defect');
    },
  });
  const leaky = defineRoute({
    method: 'post',
    path: '/api/v1/fuzz-leaky',
    summary: 'moves cash, then answers 400',
    tag: 'test',
    access: 'user',
    handler: async ({ services }) => {
      const partyId = (await services.knex('users').where({ username: 'investor2' }).first('party_id')).party_id as string;
      await services.sequencer!.execute((state) =>
        moveCash(state, { direction: 'deposit', partyId, amount: new Decimal(1), reference: `leak-${Math.random()}`, createdBy: partyId }),
      );
      throw new ApiError('VALIDATION_FAILED', 'refused (but the cash moved)');
    },
  });
  const unshaped = defineRoute({
    method: 'get',
    path: '/api/v1/fuzz-unshaped',
    summary: 'answers 400 with an undocumented code',
    tag: 'test',
    access: 'user',
    handler: async () => ({ status: 400, body: { error: { code: 'NOT_A_CODE', message: 'no such code', details: {} } } }),
  });

  beforeAll(async () => {
    const extra: AnyRoute[] = [broken, leaky, unshaped];
    server = http.createServer(createRequestHandler(t.service.services, [...routes, ...extra], { webAppDir: null }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    async () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it('reports a route that answers 500', async () => {
    const cases = fc.sample(restCase(broken, ids, users), { seed: SEED, numRuns: 30 });
    const report = await runRest({ baseUrl, knex: t.database.knex, cases, idle });
    expect(report.failures.some((f) => f.startsWith('status 500'))).toBe(true);
  });

  it('reports a refusal that changed the ledger', async () => {
    const cases = fc
      .sample(restCase(leaky, ids, users), { seed: SEED, numRuns: 12 })
      .map((c) => ({ ...c, headers: { ...c.headers, authorization: `Bearer ${users.tokens.investor}` } }));
    const report = await runRest({ baseUrl, knex: t.database.knex, cases, idle });
    expect(report.failures.some((f) => f.startsWith('the ledger changed during a chunk of refused requests'))).toBe(true);
  });

  it('reports an error code that is not in the table', async () => {
    const cases = fc
      .sample(restCase(unshaped, ids, users), { seed: SEED, numRuns: 12 })
      .map((c) => ({ ...c, headers: { ...c.headers, authorization: `Bearer ${users.tokens.investor}` } }));
    const report = await runRest({ baseUrl, knex: t.database.knex, cases, idle });
    expect(report.failures.some((f) => f.startsWith('undocumented error code NOT_A_CODE'))).toBe(true);
  });
});
