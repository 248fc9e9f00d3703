/**
 * Login and the JWT attack suite: only a well-formed HS256 token from this server, for this
 * audience and issuer, unexpired and carrying `exp`, is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
const clock = new ManualClock(new Date('2026-11-23T14:00:00Z'));

beforeAll(async () => {
  t = await startTestService({ clock });
});
afterAll(async () => t.close());

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function claims() {
  const token = await t.token('investor1');
  return jwt.decode(token) as Record<string, unknown>;
}

async function balancesWith(token: string) {
  return t.http.get('/api/v1/balances').set('authorization', `Bearer ${token}`);
}

describe('POST /api/v1/auth/token', () => {
  it('issues a token with the user, party and roles', async () => {
    const response = await t.http.post('/api/v1/auth/token').send({ username: 'dealer1', password: 'demo' }).expect(200);
    expect(response.body.user).toMatchObject({ username: 'dealer1', roles: ['dealer'] });
    expect(response.body.expiresAt).toBe('2026-11-23T22:00:00.000Z');
    await balancesWith(response.body.token).then((r) => expect(r.status).toBe(200));
  });

  it('refuses a wrong password or unknown user with the same answer', async () => {
    const wrong = await t.http.post('/api/v1/auth/token').send({ username: 'dealer2', password: 'nope' });
    const unknown = await t.http.post('/api/v1/auth/token').send({ username: 'nobody', password: 'demo' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('validates the body', async () => {
    const response = await t.http.post('/api/v1/auth/token').send({ username: 'dealer1' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('rate limits repeated attempts on one username', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await t.http.post('/api/v1/auth/token').send({ username: 'backoffice1', password: 'guess' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await t.http.post('/api/v1/auth/token').send({ username: 'backoffice1', password: 'demo' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    clock.advance(61_000);
  });
});

describe('JWT verification', () => {
  it('accepts the genuine token', async () => {
    expect((await balancesWith(await t.token('investor1'))).status).toBe(200);
  });

  const attacks: Array<[string, () => Promise<string>]> = [
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await t.token('investor1')).split('.');
        return `${header}.${base64url({ ...(await claims()), roles: ['operator'] })}.${signature}`;
      },
    ],
    ['an unsigned token (alg none)', async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(await claims())}.`],
    [
      'a token signed with another secret',
      async () => jwt.sign({ ...(await claims()) }, 'another-secret-another-secret-another', { algorithm: 'HS256' }),
    ],
    [
      'a token for another audience',
      async () => jwt.sign({ ...(await claims()), aud: 'someone-else' }, t.config.jwtSecret!, { algorithm: 'HS256' }),
    ],
    [
      'a token from another issuer',
      async () => jwt.sign({ ...(await claims()), iss: 'evil' }, t.config.jwtSecret!, { algorithm: 'HS256' }),
    ],
    [
      'a token without exp',
      async () => {
        const { exp: _exp, ...rest } = await claims();
        return jwt.sign(rest, t.config.jwtSecret!, { algorithm: 'HS256' });
      },
    ],
    [
      'an expired token',
      async () => {
        const now = Math.floor(clock.now().getTime() / 1000);
        return jwt.sign({ ...(await claims()), iat: now - 7200, exp: now - 3600 }, t.config.jwtSecret!, { algorithm: 'HS256' });
      },
    ],
    [
      'a token older than the maximum age',
      async () => {
        const now = Math.floor(clock.now().getTime() / 1000);
        return jwt.sign({ ...(await claims()), iat: now - 9 * 3600, exp: now + 3600 }, t.config.jwtSecret!, { algorithm: 'HS256' });
      },
    ],
    ['an HS512 token', async () => jwt.sign({ ...(await claims()) }, t.config.jwtSecret!, { algorithm: 'HS512' })],
    ['garbage', async () => 'not.a.token'],
  ];

  for (const [name, forge] of attacks) {
    it(`rejects ${name} with 401 UNAUTHENTICATED`, async () => {
      const response = await balancesWith(await forge());
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    });
  }

  it('rejects a missing or malformed Authorization header', async () => {
    expect((await t.http.get('/api/v1/balances')).status).toBe(401);
    expect((await t.http.get('/api/v1/balances').set('authorization', 'Basic abc')).status).toBe(401);
    expect((await t.http.get('/api/v1/balances').set('authorization', `bearer  ${await t.token('investor1')}`)).status).toBe(401);
  });

  it('stops accepting a token once it expires', async () => {
    const token = await t.token('dealer2');
    expect((await balancesWith(token)).status).toBe(200);
    clock.advance(8 * 3600 * 1000 + 60_000);
    expect((await balancesWith(token)).status).toBe(401);
  });
});
