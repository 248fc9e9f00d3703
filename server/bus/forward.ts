/**
 * Order entry on a gateway: forwarded to the service by NATS request/reply (RPC_ORDER_ENTRY), where
 * the very function /ws order entry runs in the service (runOrderEntry) answers it; the reply
 * comes back unchanged — the same REST status and body, the same clOrdId idempotency.
 * Cancel-on-disconnect pulls the dealer's quotes the same way (RPC_PULL_QUOTES).
 *
 * Guarantees: every request gets exactly one reply; when the service cannot be reached in time the
 * reply is 503 UNAVAILABLE ("retry with the same clOrdId": the order may or may not have been
 * taken, and a retry with its clOrdId is answered with the original outcome).
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { Rejection } from '../core/rejections.js';
import { refusal, type Reply } from '../ws/order-ops.js';
import type { WsServices } from '../ws/session.js';
import type { Bus } from './connection.js';
import { RPC_ORDER_ENTRY, RPC_PULL_QUOTES } from './subjects.js';

const ORDER_ENTRY_TIMEOUT_MS = 10_000;

export function forwardingServices(bus: Bus, jwtSecret: string, clock: Clock, logger: Logger): WsServices {
  return {
    jwtSecret,
    clock,
    logger,
    orderEntry: async (principal, message) => {
      try {
        const reply = await bus.nc.request(RPC_ORDER_ENTRY, JSON.stringify({ principal, message }), { timeout: ORDER_ENTRY_TIMEOUT_MS });
        return reply.json<Reply>();
      } catch (error) {
        logger.warn({ err: error, op: message.op }, 'order entry could not be forwarded to the service');
        return refusal(message.id, new Rejection('UNAVAILABLE', 'the service could not be reached; retry with the same clOrdId'));
      }
    },
    pullQuotes: async (partyId) => {
      const reply = await bus.nc.request(RPC_PULL_QUOTES, JSON.stringify({ partyId }), { timeout: ORDER_ENTRY_TIMEOUT_MS });
      const body = reply.json<{ ok: boolean; pulled?: number; message?: string }>();
      if (!body.ok) throw new Error(body.message ?? 'pulling quotes failed');
      return body.pulled ?? 0;
    },
  };
}
