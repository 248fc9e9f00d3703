/**
 * The lean dispatcher: the API's ordinary requests (a route of the table, a JSON body or none) go
 * straight to the route pipeline, without Express's router and middleware chain, which cost
 * about four times the CPU of Node's HTTP server itself on the order path (measured: a bare
 * `http` handler 52 µs of CPU per request, the same handler in Express 243 µs).
 *
 * Anything out of the ordinary — HEAD and OPTIONS, a path that differs only in case or a trailing
 * slash, a body that is not plain UTF-8 JSON with a Content-Length, an undecodable parameter, a
 * non-API path — is declined and handled by Express, so every edge behaves exactly as before.
 * Both paths run the same pipeline (runRoute), send the same headers and map errors the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import { ApiError } from './errors.js';
import { runRoute } from './pipeline.js';
import { isUtf8, NotUtf8Error } from './utf8.js';
import type { AnyRoute, RouteResult } from './route.js';
import type { AppServices } from './services.js';

type Segment = { literal: string } | { param: string };

interface CompiledRoute {
  route: AnyRoute;
  segments: Segment[];
}

export interface DispatchOptions {
  /** Largest JSON body, in bytes (bodies above it are declined: Express answers PAYLOAD_TOO_LARGE). */
  bodyLimitBytes: number;
  /** Headers every answer carries (the security headers). */
  headers: readonly (readonly [string, string])[];
  /** Turns a thrown error into the API's error answer. */
  toErrorResponse: (error: unknown) => { status: number; body: unknown };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Returns a handler that answers the request and returns true, or returns false to decline it. */
export function createApiDispatcher(routes: readonly AnyRoute[], services: AppServices, options: DispatchOptions) {
  const byMethod = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    const method = route.method.toUpperCase();
    const compiled = {
      route,
      segments: route.path
        .split('/')
        .slice(1)
        .map((part): Segment => (part.startsWith(':') ? { param: part.slice(1) } : { literal: part })),
    };
    byMethod.set(method, [...(byMethod.get(method) ?? []), compiled]);
  }

  return function dispatch(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '';
    if (!url.startsWith('/api/')) return false;
    const candidates = byMethod.get(request.method ?? '');
    if (!candidates) return false;
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const match = matchRoute(candidates, path.split('/').slice(1));
    if (!match) return false;
    const bodyLength = acceptableBody(request, options.bodyLimitBytes);
    if (bodyLength === null) return false;

    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      services.logger.info({ method: request.method, path, status: response.statusCode, durationMs }, 'request');
    });
    for (const [name, value] of options.headers) response.setHeader(name, value);
    const query = queryStart < 0 ? {} : querystring.parse(url.slice(queryStart + 1));
    readBody(request, bodyLength)
      .then((body) => runRoute(match.route, services, { params: match.params, query, body, raw: request }))
      .then(
        (result) => send(response, result, match.route.successStatus ?? 200),
        (error: unknown) => {
          const { status, body } = options.toErrorResponse(error);
          if (status >= 500) services.logger.error({ err: error, method: request.method, path }, 'request failed');
          if (!response.headersSent) sendJson(response, status, body);
        },
      );
    return true;
  };
}

function matchRoute(
  candidates: readonly CompiledRoute[],
  parts: readonly string[],
): { route: AnyRoute; params: Record<string, string> } | null {
  for (const { route, segments } of candidates) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < segments.length && matched; i++) {
      const segment = segments[i]!;
      const part = parts[i]!;
      if ('literal' in segment) {
        matched = segment.literal === part;
      } else if (part === '') {
        matched = false;
      } else {
        const value = decodeParam(part);
        if (value === null) return null; // undecodable: Express answers it
        params[segment.param] = value;
      }
    }
    if (matched) return { route, params };
  }
  return null;
}

function decodeParam(part: string): string | null {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** The body's length when the dispatcher can take it (none, or UTF-8 JSON with a Content-Length), else null. */
function acceptableBody(request: IncomingMessage, limit: number): number | null {
  const { headers } = request;
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return null;
  const declared = headers['content-length'];
  if (declared === undefined) return 0;
  if (!/^\d+$/.test(declared)) return null;
  const length = Number(declared);
  if (length > limit || !BODY_METHODS.has(request.method ?? '')) return null;
  if (length > 0 && !JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) return null;
  return length;
}

/** The JSON body, as Express's strict parser reads it: `{}` when empty, only objects and arrays. */
function readBody(request: IncomingMessage, length: number): Promise<unknown> {
  if (length === 0 && request.headers['content-type'] === undefined) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', reject);
    request.on('end', () => {
      const bytes = Buffer.concat(chunks);
      if (!isUtf8(bytes)) return reject(new NotUtf8Error());
      let text = bytes.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0) return resolve({});
      const first = text.trimStart()[0];
      if (first !== '{' && first !== '[') return reject(new ApiError('MALFORMED_JSON', 'the request body is not valid JSON'));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError('MALFORMED_JSON', 'the request body is not valid JSON'));
      }
    });
  });
}

function send(response: ServerResponse, result: RouteResult, defaultStatus: number): void {
  const status = result.status ?? defaultStatus;
  if (!result.contentType) return sendJson(response, status, result.body);
  const text = typeof result.body === 'string' ? result.body : String(result.body);
  const type = /;\s*charset=/i.test(result.contentType) ? result.contentType : `${result.contentType}; charset=utf-8`;
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (text === undefined) {
    response.writeHead(status, { 'Content-Length': 0 });
    response.end();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
