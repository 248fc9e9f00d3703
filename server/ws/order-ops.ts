/**
 * Order entry over the socket: `order`, `cancel`, `replace`, `quotes` and `pull_quotes` run the
 * very functions the REST routes run (trading/order-entry.ts) — the same zod schemas, role rules,
 * clOrdId idempotency, sequenced risk and durability — and answer with the status and body REST
 * would give, in `{"op":"reply","id","status","body"}` with the request's id echoed.
 *
 * Guarantees: every order-entry message with a valid id gets exactly one reply; a reply with a
 * 2xx status is sent only after the change is committed to Postgres; a refusal changes nothing.
 * Never: invent codes of its own (the error bodies are REST's, from toErrorResponse).
 */
import type { z } from 'zod';
import { toErrorResponse } from '../api/app.js';
import { Rejection } from '../core/rejections.js';
import { idParams } from '../core/schemas.js';
import type { AppServices } from '../services.js';
import type { Role } from '../auth/roles.js';
import type { Principal } from '../auth/tokens.js';
import {
  cancelOwnOrder,
  orderRequest,
  pullAllQuotes,
  putQuotes,
  quotesRequest,
  replaceOwnOrder,
  replaceRequest,
  submitOrder,
} from '../trading/order-entry.js';
import type { ClientMessage, RequestId } from './protocol.js';

export type OrderEntryMessage = Extract<ClientMessage, { op: 'order' | 'cancel' | 'replace' | 'quotes' | 'pull_quotes' }>;

export interface Reply {
  op: 'reply';
  id: RequestId;
  status: number;
  body: unknown;
}

const TRADERS: readonly Role[] = ['investor', 'dealer'];
const DEALERS: readonly Role[] = ['dealer'];

export function isOrderEntry(message: ClientMessage): message is OrderEntryMessage {
  return (
    message.op === 'order' || message.op === 'cancel' || message.op === 'replace' || message.op === 'quotes' || message.op === 'pull_quotes'
  );
}

/** Runs one order-entry request for the session's principal; never rejects. */
export async function runOrderEntry(services: AppServices, principal: Principal | null, message: OrderEntryMessage): Promise<Reply> {
  try {
    const { status, body } = await execute(services, principal, message);
    return { op: 'reply', id: message.id, status, body };
  } catch (error) {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) services.logger.error({ err: error, op: message.op }, 'WebSocket order entry failed');
    return { op: 'reply', id: message.id, status, body };
  }
}

/** The answer REST gives when a request is refused before it reaches the handler. */
export function refusal(id: RequestId, error: Rejection): Reply {
  const { status, body } = toErrorResponse(error);
  return { op: 'reply', id, status, body };
}

async function execute(
  services: AppServices,
  principal: Principal | null,
  message: OrderEntryMessage,
): Promise<{ status: number; body: unknown }> {
  switch (message.op) {
    case 'order': {
      const viewer = authorize(principal, TRADERS);
      return submitOrder(services, viewer, parse(orderRequest, message.order, 'body'));
    }
    case 'cancel': {
      const viewer = authorize(principal, TRADERS);
      const { id } = parse(idParams, { id: message.orderId }, 'path parameters');
      return { status: 200, body: await cancelOwnOrder(services, viewer.partyId, id) };
    }
    case 'replace': {
      const viewer = authorize(principal, TRADERS);
      const { id } = parse(idParams, { id: message.orderId }, 'path parameters');
      const change = parse(replaceRequest, definedOnly({ price: message.price, quantity: message.quantity }), 'body');
      return { status: 200, body: await replaceOwnOrder(services, viewer.partyId, id, change) };
    }
    case 'quotes': {
      const viewer = authorize(principal, DEALERS);
      return {
        status: 200,
        body: await putQuotes(
          services,
          viewer.partyId,
          parse(
            quotesRequest,
            { quotes: message.quotes, ...(message.postOnly === undefined ? {} : { postOnly: message.postOnly }) },
            'body',
          ),
        ),
      };
    }
    case 'pull_quotes': {
      const viewer = authorize(principal, DEALERS);
      return { status: 200, body: await pullAllQuotes(services, viewer.partyId) };
    }
  }
}

/** The role rule of the matching REST route, with REST's codes: 401 without a session, 403 without the role. */
function authorize(principal: Principal | null, allowed: readonly Role[]): Principal {
  if (!principal)
    throw new Rejection('UNAUTHENTICATED', 'authenticate first: send {"op":"auth","token":"…"} or connect with an Authorization header');
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new Rejection('FORBIDDEN', `this action needs one of the roles: ${allowed.join(', ')}`);
  }
  return principal;
}

/** Validates like the REST pipeline does, with the same message and details. */
function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new Rejection('VALIDATION_FAILED', `invalid ${where}${first ? `: ${first.path || '(root)'}: ${first.message}` : ''}`, { issues });
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
