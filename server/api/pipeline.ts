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
    const result = await runRoute(route, services, { params: request.params as Record<string, string>, query: request.query, body: request.body, raw: request });
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

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return {} as T;
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
  const requestHash = createHash('sha256').update(JSON.stringify([request.params, request.body ?? null])).digest('hex');
  const stored = await services.knex('idempotency_keys').where({ scope, key }).first();
  if (stored) {
    if (stored.request_hash !== requestHash) {
      throw new ApiError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used with a different request', { idempotencyKey: key });
    }
    return { status: stored.status_code, body: stored.response_body };
  }
  const result = await run();
  await services
    .knex('idempotency_keys')
    .insert({ scope, key, request_hash: requestHash, status_code: result.status ?? route.successStatus ?? 200, response_body: JSON.stringify(result.body) })
    .onConflict(['scope', 'key'])
    .ignore();
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
