/**
 * Runs a RouteSpec: authenticate, authorize, validate every input with its schema, honour
 * Idempotency-Key, run the handler. Validation happens before the handler runs, so malformed
 * input never reaches business code. The same run serves Express (routeHandler) and the lean
 * dispatcher of the API's common requests (dispatch.ts), so both answer alike.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { ApiError } from './errors.js';
import type { AnyRoute, RouteResult } from './route.js';
import type { AppServices } from './services.js';
import { verifyToken, TokenError, type Principal } from '../auth/tokens.js';

const IDEMPOTENCY_KEY_MAX = 200;
/** status_code of a key whose first request is still running. */
const IN_PROGRESS = 0;
/** How long a repeat waits for the first request with its key before it is told to retry. */
const IDEMPOTENCY_WAIT_MS = 120_000;
const IDEMPOTENCY_POLL_MS = 20;
/** A claim older than this belongs to a process that died (no request runs this long). */
const IDEMPOTENCY_CLAIM_STALE_MS = 15 * 60_000;

/** A request as the route table needs it, whichever server parsed it. */
export interface RouteRequest {
  params: Record<string, string>;
  query: unknown;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  raw: IncomingMessage;
}

export async function runRoute(route: AnyRoute, services: AppServices, request: RouteRequest): Promise<RouteResult> {
  const principal = authenticate(route, request.raw, services);
  authorize(route, principal);
  const params = parse(route.params, request.params, 'path parameters');
  const query = parse(route.query, request.query, 'query');
  const body = route.body ? parse(route.body, request.body, 'body') : undefined;
  const run = () => route.handler({ params, query, body, principal, services, request: request.raw });
  return route.idempotent ? withIdempotencyKey(route, request, principal, services, run) : run();
}

/** The route as an Express handler. */
export function routeHandler(route: AnyRoute, services: AppServices) {
  return async (request: Request, response: Response): Promise<void> => {
    const result = await runRoute(route, services, {
      params: request.params as Record<string, string>,
      query: request.query,
      body: request.body,
      raw: request,
    });
    send(response, result, route.successStatus ?? 200);
  };
}

function authenticate(route: AnyRoute, request: IncomingMessage, services: AppServices): Principal | null {
  const header = request.headers.authorization;
  if (route.access === 'public') return null;
  if (!header) throw new ApiError('UNAUTHENTICATED', 'an Authorization: Bearer token is required');
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  if (!match?.[1]) throw new ApiError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
  try {
    return verifyToken(services.jwtSecret, match[1], Math.floor(services.clock.now().getTime() / 1000));
  } catch (error) {
    if (error instanceof TokenError) throw new ApiError('UNAUTHENTICATED', `invalid token: ${error.message}`);
    throw error;
  }
}

function authorize(route: AnyRoute, principal: Principal | null): void {
  if (route.access === 'public' || route.access === 'user') return;
  const allowed = route.access;
  if (!principal || !principal.roles.some((role) => allowed.includes(role))) {
    throw new ApiError('FORBIDDEN', `this action needs one of the roles: ${allowed.join(', ')}`);
  }
}

/**
 * The path of the first string holding a NUL character, or null. PostgreSQL text cannot store
 * U+0000, so such a value would fail in the database (a 500, found by the fuzz suite): it is
 * refused for every route here, before any schema or handler sees it.
 */
function nulPath(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = nulPath(item, [...path, Array.isArray(value) ? Number(key) : key], depth + 1);
    if (found) return found;
  }
  return null;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return {} as T;
  const nul = nulPath(value);
  if (nul) {
    const path = nul.join('.');
    throw new ApiError('VALIDATION_FAILED', `invalid ${where}: ${path || '(root)'}: must not contain NUL characters`, {
      issues: [{ path, message: 'must not contain NUL characters' }],
    });
  }
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new ApiError('VALIDATION_FAILED', `invalid ${where}${first ? `: ${first.path || '(root)'}: ${first.message}` : ''}`, { issues });
}

async function withIdempotencyKey(
  route: AnyRoute,
  request: RouteRequest,
  principal: Principal | null,
  services: AppServices,
  run: () => Promise<RouteResult>,
): Promise<RouteResult> {
  const header = request.raw.headers['idempotency-key'];
  if (header === undefined) return run();
  const key = Array.isArray(header) ? header.join(', ') : header;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw new ApiError('VALIDATION_FAILED', `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`);
  }
  const scope = `${principal?.partyId ?? 'anonymous'}:${route.method}:${route.path}`;
  const requestHash = createHash('sha256')
    .update(JSON.stringify([request.params, request.body ?? null]))
    .digest('hex');
  const knex = services.knex;
  const waitUntil = Date.now() + IDEMPOTENCY_WAIT_MS;
  for (;;) {
    // Claim the key first (the primary key makes one claimant win), so that concurrent repeats
    // never run the handler twice (issue 14): the others wait for the claimant's stored answer.
    const claimed = await knex('idempotency_keys')
      .insert({ scope, key, request_hash: requestHash, status_code: IN_PROGRESS, response_body: 'null' })
      .onConflict(['scope', 'key'])
      .ignore()
      .returning('key');
    if (claimed.length > 0) return runClaimed(knex, scope, key, run, route);
    const stored: { request_hash: string; status_code: number; response_body: unknown; created_at: Date } | undefined = await knex(
      'idempotency_keys',
    )
      .where({ scope, key })
      .first();
    if (!stored) continue; // the claimant failed and let go: claim it again
    if (stored.request_hash !== requestHash) {
      throw new ApiError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used with a different request', { idempotencyKey: key });
    }
    // A repeat answers the original result with 200 (API.md), whatever the first answer's 2xx was.
    if (stored.status_code !== IN_PROGRESS) return { status: 200, body: stored.response_body };
    if (Date.now() - new Date(stored.created_at).getTime() > IDEMPOTENCY_CLAIM_STALE_MS) {
      // A claim whose process died: let it go and claim afresh.
      await knex('idempotency_keys').where({ scope, key, status_code: IN_PROGRESS, created_at: stored.created_at }).delete();
      continue;
    }
    if (Date.now() > waitUntil) {
      throw new ApiError('IDEMPOTENCY_CONFLICT', 'a request with this Idempotency-Key is still in progress; retry later', {
        idempotencyKey: key,
        inProgress: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, IDEMPOTENCY_POLL_MS));
  }
}

/** Runs the handler under a claimed key: stores its answer, or lets the key go if it failed. */
async function runClaimed(
  knex: AppServices['knex'],
  scope: string,
  key: string,
  run: () => Promise<RouteResult>,
  route: AnyRoute,
): Promise<RouteResult> {
  let result: RouteResult;
  try {
    result = await run();
  } catch (error) {
    await knex('idempotency_keys').where({ scope, key, status_code: IN_PROGRESS }).delete();
    throw error;
  }
  await knex('idempotency_keys')
    .where({ scope, key, status_code: IN_PROGRESS })
    .update({ status_code: result.status ?? route.successStatus ?? 200, response_body: JSON.stringify(result.body) });
  return result;
}

function send(response: Response, result: RouteResult, defaultStatus: number): void {
  response.status(result.status ?? defaultStatus);
  if (result.contentType) {
    response.type(result.contentType).send(result.body);
    return;
  }
  response.json(result.body);
}
