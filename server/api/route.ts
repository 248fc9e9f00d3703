/**
 * A route is data: method, path, who may call it, the zod schemas of its input, and a handler.
 * The same table registers the Express handlers, generates the OpenAPI document and drives the
 * authorization-matrix test, so a route cannot exist without a declared access rule.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Role } from '../auth/roles.js';
import type { Principal } from '../auth/tokens.js';
import type { AppServices } from './services.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `public`: no token; `user`: any valid token; a role list: a token with one of those roles. */
export type Access = 'public' | 'user' | readonly Role[];

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
  services: AppServices;
  /** The underlying HTTP request (e.g. for the peer address). */
  request: IncomingMessage;
}

export interface RouteResult {
  status?: number;
  body: unknown;
  /** For CSV and other non-JSON downloads. */
  contentType?: string;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response?: z.ZodType;
  successStatus?: number;
  /** Accepts an Idempotency-Key header: a repeated key returns the stored response. */
  idempotent?: boolean;
  handler: (ctx: RouteContext<P, Q, B>) => Promise<RouteResult>;
}

/** Identity function that lets TypeScript infer P, Q and B from the schemas. */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}

export type AnyRoute = RouteSpec<any, any, any>;

/** The principal of an authenticated route; routes with access other than 'public' always have one. */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw new Error('route without a principal reached an authenticated handler');
  return principal;
}
