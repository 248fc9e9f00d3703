/**
 * The lean dispatcher and Express answer alike. The same requests are sent twice: once as the
 * dispatcher takes them (a JSON body with Content-Length), once chunked (Transfer-Encoding), which
 * the dispatcher declines so that Express answers; status, body and headers must agree.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
let port: number;
beforeAll(async () => {
  t = await startTestService();
  port = (t.service.server.address() as { port: number }).port;
});
afterAll(async () => t.close());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Sends a request; `chunked` sends the body without Content-Length (declined by the dispatcher). */
function send(
  method: string,
  path: string,
  options: { token?: string; body?: string; contentType?: string; chunked?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.contentType) headers['content-type'] = options.contentType;
    if (options.body !== undefined && !options.chunked) headers['content-length'] = Buffer.byteLength(options.body);
    if (options.chunked) headers['transfer-encoding'] = 'chunked';
    const request = http.request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.on('error', reject);
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** Headers that must be equal on both paths (Date, Content-Length and Connection vary by nature). */
function comparableHeaders(headers: http.IncomingHttpHeaders): Record<string, unknown> {
  const {
    date: _date,
    'content-length': _length,
    connection: _connection,
    'keep-alive': _keepAlive,
    'transfer-encoding': _te,
    ...rest
  } = headers;
  return rest;
}

async function bothPaths(method: string, path: string, options: { token?: string; body?: (n: number) => string; contentType?: string }) {
  const { body, ...rest } = options;
  const lean = await send(method, path, { ...rest, ...(body ? { body: body(1) } : {}) });
  const express = await send(method, path, { ...rest, ...(body ? { body: body(2), chunked: true } : {}) });
  return { lean, express };
}

describe('the dispatcher answers as Express does', () => {
  it('an accepted order: 201, same headers, same shape', async () => {
    const token = await t.token('investor1');
    const notes = JSON.parse((await send('GET', '/api/v1/notes', { token })).text) as { id: string }[];
    const order = (n: number) =>
      JSON.stringify({
        clOrdId: `dispatch-${n}`,
        noteId: notes[0]!.id,
        side: 'buy',
        type: 'limit',
        price: '90',
        quantity: '100000',
        timeInForce: 'GTC',
      });
    const { lean, express } = await bothPaths('POST', '/api/v1/orders', { token, body: order, contentType: 'application/json' });
    expect(lean.status).toBe(201);
    expect(express.status).toBe(201);
    expect(comparableHeaders(lean.headers)).toEqual(comparableHeaders(express.headers));
    expect(lean.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(lean.headers['x-content-type-options']).toBe('nosniff');
    expect(lean.headers['cache-control']).toBe('no-store');
    const leanBody = JSON.parse(lean.text);
    const expressBody = JSON.parse(express.text);
    expect(Object.keys(leanBody.order).sort()).toEqual(Object.keys(expressBody.order).sort());
    expect(leanBody.order.clOrdId).toBe('dispatch-1');
    expect(expressBody.order.clOrdId).toBe('dispatch-2');
  });

  const errorCases: Array<[string, string, string, (n: number) => string, string | undefined, number, string]> = [
    ['malformed JSON', 'POST', '/api/v1/auth/token', () => '{"username": "x",', 'application/json', 400, 'MALFORMED_JSON'],
    [
      'a JSON string where an object belongs (strict)',
      'POST',
      '/api/v1/auth/token',
      () => '"investor1"',
      'application/json',
      400,
      'MALFORMED_JSON',
    ],
    ['an empty JSON body', 'POST', '/api/v1/auth/token', () => '', 'application/json', 400, 'VALIDATION_FAILED'],
    ['a body of another type', 'POST', '/api/v1/auth/token', () => 'username=investor1', 'text/plain', 400, 'VALIDATION_FAILED'],
    [
      'a wrong password',
      'POST',
      '/api/v1/auth/token',
      () => JSON.stringify({ username: 'investor1', password: 'wrong' }),
      'application/json; charset=utf-8',
      401,
      'INVALID_CREDENTIALS',
    ],
  ];
  for (const [name, method, path, body, contentType, status, code] of errorCases) {
    it(`${name}: ${status} ${code} on both paths`, async () => {
      const { lean, express } = await bothPaths(method, path, { body, ...(contentType ? { contentType } : {}) });
      expect([lean.status, express.status]).toEqual([status, status]);
      expect(JSON.parse(lean.text)).toEqual(JSON.parse(express.text));
      expect(JSON.parse(lean.text).error.code).toBe(code);
      expect(comparableHeaders(lean.headers)).toEqual(comparableHeaders(express.headers));
    });
  }

  it('parses the query string and percent-encoded parameters alike', async () => {
    const token = await t.token('investor1');
    const open = await send('GET', '/api/v1/orders?status=all&limit=5', { token });
    expect(open.status).toBe(200);
    expect(Array.isArray(JSON.parse(open.text))).toBe(true);
    const badQuery = await send('GET', '/api/v1/orders?limit=lots', { token });
    expect(badQuery.status).toBe(400);
    expect(JSON.parse(badQuery.text).error.code).toBe('VALIDATION_FAILED');
    const encoded = await send('GET', `/api/v1/orders/${encodeURIComponent('00000000-0000-4000-8000-00000000000a')}`, { token });
    const plain = await send('GET', '/api/v1/orders/00000000-0000-4000-8000-00000000000a', { token });
    expect(encoded.status).toBe(plain.status);
    expect(encoded.text).toBe(plain.text);
  });

  it('leaves to Express what it does not take: unknown paths, other casing, HEAD, bad percent-encoding', async () => {
    const token = await t.token('investor1');
    expect(JSON.parse((await send('GET', '/api/v1/nothing-here', { token })).text).error.code).toBe('NOT_FOUND');
    const upper = await send('GET', '/API/v1/notes', { token });
    expect(upper.status).toBe(200); // Express matches paths case-insensitively
    expect((await send('HEAD', '/api/v1/notes', { token })).status).toBe(200);
    const undecodable = await send('GET', '/api/v1/orders/%E0%A4%A', { token });
    expect(undecodable.status).toBe(400);
    expect(JSON.parse(undecodable.text).error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a body above the limit before reading it (Express answers 413)', async () => {
    const answer = await send('POST', '/api/v1/auth/token', {
      body: JSON.stringify({ username: 'x'.repeat(100_000), password: 'y' }),
      contentType: 'application/json',
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
