/** The HTTP edge: error shape, body limits, unknown routes, security headers, health, OpenAPI, business date. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../server/api/routes/index.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.close());

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

describe('errors', () => {
  it('answers malformed JSON with 400 MALFORMED_JSON and no stack trace', async () => {
    const response = await t.http.post('/api/v1/auth/token').set('content-type', 'application/json').send('{"username": "x",');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'the request body is not valid JSON', details: {} } });
  });

  it('answers a body above the limit with 413', async () => {
    const response = await t.http.post('/api/v1/auth/token').send({ username: 'x'.repeat(100_000), password: 'y' });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers unknown API routes with 404 NOT_FOUND', async () => {
    const response = await t.http.get('/api/v1/nothing-here').set(await auth('investor1'));
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('sets security headers and hides the framework', async () => {
    const response = await t.http.get('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});

describe('health', () => {
  it('is live and ready', async () => {
    expect((await t.http.get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/readyz').expect(200)).body).toEqual({ status: 'ready' });
  });
});

describe('OpenAPI', () => {
  it('documents every route of the route table with its schemas', async () => {
    const document = (await t.http.get('/api/v1/openapi.json').expect(200)).body;
    expect(document.openapi).toBe('3.1.0');
    for (const route of routes) {
      if (route.path === '/api/v1/openapi.json') continue;
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(document.paths[path]?.[route.method], `${route.method} ${route.path}`).toBeDefined();
    }
    const deposit = document.paths['/api/v1/cash/deposits'].post;
    expect(deposit.requestBody.content['application/json'].schema.properties.amount.type).toBe('string');
    expect(deposit['x-access']).toEqual(['operator', 'backoffice']);
  });
});

describe('business date', () => {
  it('starts on a business day and rolls one business day at a time', async () => {
    const { businessDate } = (
      await t.http
        .get('/api/v1/business-date')
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(businessDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const weekday = new Date(`${businessDate}T00:00:00Z`).getUTCDay();
    expect(weekday).toBeGreaterThanOrEqual(1);
    expect(weekday).toBeLessThanOrEqual(5);

    expect((await t.http.post('/api/v1/business-date/roll').set(await auth('investor1'))).status).toBe(403);
    const rolled = (
      await t.http
        .post('/api/v1/business-date/roll')
        .set(await auth('operator1'))
        .send({ expectedDate: businessDate })
        .expect(200)
    ).body;
    expect(rolled.previousDate).toBe(businessDate);
    expect(rolled.businessDate > businessDate).toBe(true);

    const stale = await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .send({ expectedDate: businessDate });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('BUSINESS_DATE_MISMATCH');
    expect((await t.http.get('/api/v1/business-date').set(await auth('dealer1'))).body.businessDate).toBe(rolled.businessDate);
  });

  it('rolls over a weekend and a holiday (Thanksgiving 2026)', async () => {
    await t.database.knex('business_date').update({ business_date: '2026-11-25' });
    const roll = async () =>
      (
        await t.http
          .post('/api/v1/business-date/roll')
          .set(await auth('operator1'))
          .expect(200)
      ).body.businessDate;
    expect(await roll()).toBe('2026-11-27');
    expect(await roll()).toBe('2026-11-30');
  });
});

describe('docs/API-GUIDE.md', () => {
  it('documents every error code the server can send', async () => {
    const { HTTP_STATUS_BY_CODE } = await import('../../server/api/errors.js');
    const guide = (await import('node:fs')).readFileSync('docs/API-GUIDE.md', 'utf8');
    for (const code of Object.keys(HTTP_STATUS_BY_CODE)) expect(guide, code).toContain(`\`${code}\``);
  });
});
