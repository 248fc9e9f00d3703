/**
 * The fuzz harness (issue 14, the standing guard): requests generated from the route table's own
 * schemas (arbitraries.ts) and from the WebSocket op schemas, sent over real HTTP and WebSocket
 * connections, with hostile transports too (duplicate keys, bad content types and encodings, bytes
 * that are not UTF-8, truncated or oversized bodies, undecodable paths, forged tokens).
 *
 * Every answer is checked: never a 5xx; every error in the `{error:{code,message,details}}` shape
 * with a code of the error table (server/api/errors.ts) whose status is the one answered; on the
 * socket, only documented error codes, never INTERNAL or a 1011 close. Requests run in small
 * concurrent chunks; a chunk in which nothing could have changed the ledger (every answer an error
 * or a read) must leave the checksum of all balances, holds and entries as it found it.
 */
import http from 'node:http';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { WebSocket } from 'ws';
import { HTTP_STATUS_BY_CODE } from '../../../server/api/errors.js';
import type { AnyRoute } from '../../../server/api/route.js';
import { orderRequest, quotesRequest, replaceRequest } from '../../../server/trading/order-entry.js';
import { WS_ERROR_CODES } from '../../../server/ws/protocol.js';
import { hostileValue, requestValue, type IdPool } from './arbitraries.js';

type Json = unknown;

export interface Users {
  /** A valid token per role's demo user. */
  tokens: Record<'investor' | 'dealer' | 'backoffice' | 'operator', string>;
}

export interface RestCase {
  route: AnyRoute;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
  label: string;
}

export interface FuzzReport {
  requests: number;
  failures: string[];
  statuses: Record<number, number>;
  /** Chunks in which nothing could change the ledger, whose checksum was compared. */
  neutralChunks: number;
}

const ROLES = ['investor', 'dealer', 'backoffice', 'operator'] as const;
const BAD_TOKENS = [
  '',
  'Bearer',
  'Bearer x.y.z',
  'Basic dXNlcjpwYXNz',
  `Bearer ${'a'.repeat(4000)}`,
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
];

function authHeader(route: AnyRoute, users: Users): fc.Arbitrary<string | null> {
  const allowed = route.access === 'public' || route.access === 'user' ? [...ROLES] : [...route.access];
  return fc.oneof(
    { weight: 16, arbitrary: fc.constantFrom(...allowed).map((role) => `Bearer ${users.tokens[role]}`) },
    { weight: 2, arbitrary: fc.constantFrom(...ROLES).map((role) => `Bearer ${users.tokens[role]}`) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_TOKENS) },
  );
}

const HOSTILE_SEGMENTS = [
  '%',
  '%zz',
  '..',
  '%2e%2e',
  '0',
  '-1',
  '9223372036854775808',
  'null',
  '%00',
  'x'.repeat(300),
  '%F0%9F%98%80',
  '%C0%AF',
  ' ',
  '%20',
];

function pathOf(route: AnyRoute, ids: IdPool): fc.Arbitrary<string> {
  const segments = route.path.split('/').map((part) => {
    if (!part.startsWith(':')) return fc.constant(part);
    return fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ids.uuids, ...ids.numericIds).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent) },
    );
  });
  return fc.tuple(...segments).map((parts) => parts.join('/'));
}

function queryString(value: Json): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `?${encodeURIComponent(JSON.stringify(value) ?? '')}`;
  const search = new URLSearchParams();
  for (const [key, item] of Object.entries(value as Record<string, Json>)) {
    if (Array.isArray(item))
      for (const element of item) search.append(key, String(element)); // duplicate keys
    else search.append(key, typeof item === 'string' ? item : (JSON.stringify(item) ?? ''));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

type Transport = 'json' | 'duplicateKeys' | 'contentType' | 'notUtf8' | 'encoding' | 'truncated' | 'topLevel' | 'oversized' | 'none';
const transport: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 60, arbitrary: fc.constant('json' as const) },
  { weight: 6, arbitrary: fc.constant('duplicateKeys' as const) },
  { weight: 5, arbitrary: fc.constant('contentType' as const) },
  { weight: 4, arbitrary: fc.constant('notUtf8' as const) },
  { weight: 4, arbitrary: fc.constant('encoding' as const) },
  { weight: 4, arbitrary: fc.constant('truncated' as const) },
  { weight: 4, arbitrary: fc.constant('topLevel' as const) },
  { weight: 2, arbitrary: fc.constant('oversized' as const) },
  { weight: 4, arbitrary: fc.constant('none' as const) },
);

function bodyBytes(kind: Transport, body: Json, hostile: Json): { bytes: Buffer | null; headers: Record<string, string> } {
  const json = { 'content-type': 'application/json' };
  const text = JSON.stringify(body === undefined ? {} : body) ?? 'null';
  switch (kind) {
    case 'json':
      return body === undefined ? { bytes: null, headers: {} } : { bytes: Buffer.from(text), headers: json };
    case 'duplicateKeys': {
      if (!text.startsWith('{') || text === '{}') return { bytes: Buffer.from(text), headers: json };
      const firstKey = Object.keys(body as object)[0]!;
      return { bytes: Buffer.from(`{${JSON.stringify(firstKey)}:${JSON.stringify(hostile) ?? 'null'},${text.slice(1)}`), headers: json };
    }
    case 'contentType': {
      const types = [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        'application/xml',
        'application/json; charset=utf-16',
      ];
      return { bytes: Buffer.from(text), headers: { 'content-type': types[text.length % types.length]! } };
    }
    case 'notUtf8':
      return {
        bytes: Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]),
        headers: json,
      };
    case 'encoding': {
      const encodings = ['gzip', 'br', 'deflate', 'compress', 'identity, gzip'];
      return { bytes: Buffer.from(text), headers: { ...json, 'content-encoding': encodings[text.length % encodings.length]! } };
    }
    case 'truncated':
      return { bytes: Buffer.from(text.slice(0, Math.max(1, Math.floor(text.length / 2)))), headers: json };
    case 'topLevel':
      return { bytes: Buffer.from(JSON.stringify(hostile) ?? '1'), headers: json };
    case 'oversized':
      return { bytes: Buffer.from(JSON.stringify({ padding: 'x'.repeat(70 * 1024) })), headers: json };
    case 'none':
      return { bytes: null, headers: {} };
  }
}

/** One generated request to one route. */
export function restCase(route: AnyRoute, ids: IdPool, users: Users): fc.Arbitrary<RestCase> {
  return fc
    .record({
      path: pathOf(route, ids),
      query: requestValue(route.query, ids),
      body: route.body ? requestValue(route.body, ids) : fc.constant(undefined),
      authorization: authHeader(route, users),
      transport: route.method === 'get' ? fc.constant('none' as const) : transport,
      hostile: hostileValue,
      idempotencyKey: route.idempotent
        ? fc.option(fc.constantFrom('k1', 'k2', '', 'x'.repeat(300)), { nil: undefined })
        : fc.constant(undefined),
    })
    .map(({ path, query, body, authorization, transport: kind, hostile, idempotencyKey }) => {
      const { bytes, headers } = bodyBytes(kind, body, hostile);
      const all: Record<string, string> = { ...headers };
      if (authorization !== null) all.authorization = authorization;
      if (idempotencyKey !== undefined) all['idempotency-key'] = idempotencyKey;
      // Node refuses request heads above 16 kB itself (a bare 431) before the application sees them.
      const url = `${path}${queryString(query)}`.slice(0, 8_000);
      return {
        route,
        method: route.method.toUpperCase(),
        path: url,
        headers: all,
        body: bytes,
        label: `${route.method.toUpperCase()} ${url.slice(0, 200)} [${kind}] ${bytes ? bytes.toString('utf8', 0, Math.min(bytes.length, 300)) : ''}`,
      };
    });
}

/** The error-shape and status rules every answer must satisfy; null when it does. */
export function checkAnswer(status: number, contentType: string | undefined, text: string): string | null {
  if (status >= 500) return `status ${status}: ${text.slice(0, 300)}`;
  if (status < 400) return null;
  if (!contentType?.startsWith('application/json')) return `status ${status} without a JSON error body (${contentType})`;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${status} with a body that is not JSON`;
  }
  const error = body?.error;
  if (
    !error ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string' ||
    error.details === null ||
    typeof error.details !== 'object' ||
    Array.isArray(error.details)
  ) {
    return `status ${status} without the error shape: ${text.slice(0, 300)}`;
  }
  if (Object.keys(body).length !== 1 || Object.keys(error).sort().join() !== 'code,details,message')
    return `extra keys in the error body: ${text.slice(0, 300)}`;
  if (!Object.hasOwn(HTTP_STATUS_BY_CODE, error.code)) return `undocumented error code ${error.code}`;
  const expected = HTTP_STATUS_BY_CODE[error.code as keyof typeof HTTP_STATUS_BY_CODE];
  if (expected !== status) return `code ${error.code} answered with ${status}, the table says ${expected}`;
  return null;
}

export function send(
  baseUrl: string,
  agent: http.Agent,
  request: RestCase,
): Promise<{ status: number; contentType: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body) headers['content-length'] = String(request.body.length);
    const outgoing = http.request(`${baseUrl}${request.path}`, { method: request.method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'],
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body ?? undefined);
  });
}

/** A checksum of every balance, hold and journal entry: equal before and after means the ledger did not move. */
export async function ledgerChecksum(knex: Knex): Promise<string> {
  const result = await knex.raw(`select
      (select coalesce(md5(string_agg(id || ':' || total::text || ':' || held::text, ',' order by id)), '') from ledger_accounts) as accounts,
      (select coalesce(md5(string_agg(reference || ':' || remaining::text || ':' || status, ',' order by reference)), '') from ledger_holds) as holds,
      (select count(*) || ':' || coalesce(max(id), 0) from ledger_entries) as entries,
      (select count(*) || ':' || coalesce(sum(amount), 0)::text from ledger_postings) as postings`);
  return JSON.stringify(result.rows[0]);
}

/** Runs the cases in concurrent chunks, checks every answer and the checksum of neutral chunks. */
export async function runRest(options: {
  baseUrl: string;
  knex: Knex;
  cases: RestCase[];
  chunk?: number;
  idle?: () => Promise<void>;
}): Promise<FuzzReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.chunk ?? 24 });
  const report: FuzzReport = { requests: 0, failures: [], statuses: {}, neutralChunks: 0 };
  const size = options.chunk ?? 24;
  try {
    let before = await ledgerChecksum(options.knex);
    for (let start = 0; start < options.cases.length; start += size) {
      const chunk = options.cases.slice(start, start + size);
      const answers = await Promise.all(
        chunk.map(async (request) => {
          try {
            return await send(options.baseUrl, agent, request);
          } catch (error) {
            return { status: 599, contentType: undefined, text: `transport error: ${(error as Error).message}` };
          }
        }),
      );
      let neutral = true;
      answers.forEach((answer, i) => {
        const request = chunk[i]!;
        report.requests += 1;
        report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
        const problem = checkAnswer(answer.status, answer.contentType, answer.text);
        if (problem) report.failures.push(`${problem} <- ${request.label}`);
        if (answer.status < 400 && request.method !== 'GET') neutral = false;
      });
      await options.idle?.();
      const after = await ledgerChecksum(options.knex);
      if (neutral) {
        report.neutralChunks += 1;
        if (after !== before)
          report.failures.push(
            `the ledger changed during a chunk of refused requests: ${chunk.map((c) => c.label.slice(0, 120)).join(' | ')}`,
          );
      }
      before = after;
    }
  } finally {
    agent.destroy();
  }
  return report;
}

/** A WebSocket client message, from the op schemas; order ops carry the REST schemas' payloads. */
export function wsMessage(ids: IdPool, users: Users): fc.Arbitrary<string | Buffer> {
  const id = fc.oneof({ weight: 8, arbitrary: fc.constant('ID') }, { weight: 1, arbitrary: hostileValue });
  const channel = fc.oneof(
    fc
      .constantFrom('book:', 'trades:', 'quotes:')
      .chain((prefix) => fc.constantFrom(...ids.uuids, 'x', '').map((noteId) => `${prefix}${noteId}`)),
    fc.constantFrom('executions', 'orders', 'rfqs', 'settlements', 'balances', 'unknown', '', 'x'.repeat(250)),
  );
  const structured = fc.oneof(
    fc.record({ op: fc.constant('auth'), token: fc.constantFrom(users.tokens.investor, users.tokens.dealer, 'x', ''), id }),
    fc.record(
      {
        op: fc.constantFrom('subscribe', 'unsubscribe'),
        channels: fc.array(channel, { maxLength: 4 }),
        depth: fc.option(fc.integer({ min: -5, max: 200 }), { nil: undefined }),
        id,
      },
      { requiredKeys: ['op', 'channels'] },
    ),
    fc.record({ op: fc.constant('ping'), id }),
    fc.record({ op: fc.constant('order'), id, order: requestValue(orderRequest, ids) }),
    fc.record({ op: fc.constant('cancel'), id, orderId: fc.oneof(fc.constantFrom(...ids.uuids), hostileValue) }),
    fc
      .record({
        op: fc.constant('replace'),
        id,
        orderId: fc.oneof(fc.constantFrom(...ids.uuids), hostileValue),
        change: requestValue(replaceRequest, ids),
      })
      .map(({ change, ...rest }) => ({
        ...rest,
        ...(change !== null && typeof change === 'object' && !Array.isArray(change) ? change : { price: change }),
      })),
    fc
      .record({ op: fc.constant('quotes'), id, body: requestValue(quotesRequest, ids) })
      .map(({ body, ...rest }) => ({ ...rest, quotes: (body as { quotes?: unknown } | null)?.quotes ?? body })),
    fc.record({ op: fc.constant('pull_quotes'), id }),
    fc.record({ op: fc.constant('cancel_on_disconnect'), enabled: fc.oneof(fc.boolean(), hostileValue), id }),
    fc.record({ op: fc.oneof(fc.constantFrom('nope', '', 'ORDER', '__proto__'), hostileValue), id }),
  );
  return fc.oneof(
    { weight: 12, arbitrary: structured.map((m) => JSON.stringify(m)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'not json',
        '{',
        '[]',
        '[{"op":"ping"}]',
        'null',
        '"ping"',
        '{"op":"ping","op":"order"}',
        '{"op":"order","id":"ID","order":{"clOrdId":"d","clOrdId":5}}',
      ),
    },
    { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  );
}

interface WsConnection {
  ws: WebSocket;
  messages: Record<string, any>[];
  closed: { code: number } | null;
}

function connect(url: string, token: string | null): Promise<WsConnection> {
  const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const connection: WsConnection = { ws, messages: [], closed: null };
  ws.on('message', (data) => {
    try {
      const parsed = JSON.parse(data.toString());
      if (Array.isArray(parsed)) connection.messages.push(...parsed);
      else connection.messages.push(parsed);
    } catch {
      connection.messages.push({ op: 'unparseable' });
    }
  });
  ws.on('close', (code) => {
    connection.closed = { code };
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(connection));
    ws.once('error', reject);
  });
}

async function waitFor(connection: WsConnection, match: (m: Record<string, any>) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (connection.messages.some(match)) return true;
    if (connection.closed) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}

/** Checks one server message; null when it is acceptable. */
export function checkWsMessage(message: Record<string, any>): string | null {
  if (message.op === 'unparseable') return 'a server message that is not JSON';
  if (message.op === 'error') {
    if (!(WS_ERROR_CODES as readonly string[]).includes(message.code) || message.code === 'INTERNAL')
      return `WebSocket error ${message.code}: ${message.message}`;
    return null;
  }
  if (message.op === 'reply') {
    if (typeof message.status !== 'number') return 'a reply without a status';
    if (message.status >= 400) return checkAnswer(message.status, 'application/json', JSON.stringify(message.body));
  }
  return null;
}

/**
 * Sends each message on one of the connections (investor, dealer, anonymous), each followed by a
 * ping barrier, and checks everything the server sends. A connection the server closes with a
 * policy code is reopened; a 1011 (internal error) close is a failure.
 */
export async function runWs(options: {
  wsUrl: string;
  users: Users;
  messages: (string | Buffer)[];
  idle: () => Promise<void>;
}): Promise<FuzzReport> {
  const report: FuzzReport = { requests: 0, failures: [], statuses: {}, neutralChunks: 0 };
  const tokens = [options.users.tokens.investor, options.users.tokens.dealer, null];
  const connections: (WsConnection | null)[] = [null, null, null];
  const checked = [0, 0, 0];
  const drain = (i: number) => {
    const connection = connections[i]!;
    for (; checked[i]! < connection.messages.length; checked[i]! += 1) {
      const problem = checkWsMessage(connection.messages[checked[i]!]!);
      if (problem) report.failures.push(problem);
    }
  };
  for (let n = 0; n < options.messages.length; n++) {
    const i = n % 3;
    if (!connections[i] || connections[i]!.closed) {
      if (connections[i]?.closed?.code === 1011) report.failures.push('a connection was closed with 1011 (internal error)');
      connections[i] = await connect(options.wsUrl, tokens[i]!);
      checked[i] = 0;
    }
    const connection = connections[i]!;
    const raw = options.messages[n]!;
    const message = typeof raw === 'string' ? raw.replaceAll('"ID"', `"m${n}"`) : raw;
    connection.ws.send(message);
    connection.ws.send(JSON.stringify({ op: 'ping', id: `barrier-${n}` }));
    report.requests += 1;
    await waitFor(connection, (m) => m.op === 'pong' && m.id === `barrier-${n}`, 5_000);
    drain(i);
  }
  await options.idle();
  await new Promise((resolve) => setTimeout(resolve, 200));
  connections.forEach((connection, i) => {
    if (!connection) return;
    drain(i);
    if (connection.closed?.code === 1011) report.failures.push('a connection was closed with 1011 (internal error)');
    connection.ws.close();
  });
  return report;
}
