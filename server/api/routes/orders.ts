/** Orders: place, list, get, cancel/replace, cancel; and a party's executions. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Knex } from 'knex';
import { defineRoute, requirePrincipal, type RouteResult } from '../route.js';
import { ApiError } from '../errors.js';
import { idParams, isoDate, limitParam, positiveDecimal } from '../schemas.js';
import { Decimal } from '../../domain/decimal.js';
import { placeOrder, cancelOrder, replaceOrder } from '../../sequencer/orders.js';
import { DuplicateClOrdId, TradingRejection } from '../../sequencer/rejections.js';
import { executionFor, orderToApi, type OrderRecord } from '../../sequencer/records.js';
import type { Sequencer } from '../../sequencer/sequencer.js';
import { findOrder, findOrderByClOrdId, partyExecutions, partyOrders, tradesOfOrder } from '../../trading/queries.js';

const SELF_TRADE_MODES = ['cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement_and_cancel'] as const;

export const orderRequest = z
  .object({
    clOrdId: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    noteId: z.string().uuid(),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['limit', 'market']),
    price: positiveDecimal.optional(),
    quantity: positiveDecimal,
    timeInForce: z.enum(['GTC', 'DAY', 'IOC', 'FOK', 'GTD']).optional(),
    expireAt: z.string().datetime({ offset: true }).optional(),
    postOnly: z.boolean().optional(),
    stpMode: z.enum(SELF_TRADE_MODES).optional(),
  })
  .strict()
  .superRefine((order, context) => {
    if (order.type === 'limit' && order.price === undefined) context.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    if (order.type === 'market' && order.price !== undefined) context.addIssue({ code: 'custom', path: ['price'], message: 'a market order has no price' });
    if (order.type === 'market' && order.timeInForce !== undefined && !['IOC', 'FOK'].includes(order.timeInForce)) {
      context.addIssue({ code: 'custom', path: ['timeInForce'], message: 'a market order is IOC or FOK' });
    }
    if ((order.timeInForce === 'GTD') !== (order.expireAt !== undefined)) {
      context.addIssue({ code: 'custom', path: ['expireAt'], message: 'expireAt is required for GTD orders and only for them' });
    }
    if (order.postOnly && (order.type === 'market' || order.timeInForce === 'IOC' || order.timeInForce === 'FOK')) {
      context.addIssue({ code: 'custom', path: ['postOnly'], message: 'post-only orders rest: limit with GTC, DAY or GTD' });
    }
  });

const executionSchema = z.object({
  tradeId: z.string(), orderId: z.string().nullable(), noteId: z.string(), side: z.enum(['buy', 'sell']), price: z.string(), quantity: z.string(),
  factor: z.string(), principal: z.string(), accruedInterest: z.string(), netAmount: z.string(), tradeDate: z.string(), settlementDate: z.string(),
  liquidity: z.enum(['maker', 'taker']), venue: z.enum(['clob', 'rfq']), executedAt: z.string(),
});
const orderSchema = z.object({
  id: z.string(), clOrdId: z.string(), partyId: z.string(), noteId: z.string(), side: z.string(), type: z.string(), price: z.string().nullable(),
  quantity: z.string(), timeInForce: z.string(), expireAt: z.string().nullable(), postOnly: z.boolean(), stpMode: z.string(), source: z.string(),
  status: z.string(), filledQuantity: z.string(), leavesQuantity: z.string(), cancelledQuantity: z.string(), averagePrice: z.string().nullable(),
  rejectCode: z.string().nullable(), rejectReason: z.string().nullable(), tradeDate: z.string(), createdAt: z.string(), updatedAt: z.string(),
});
const orderWithFills = z.object({ order: orderSchema, fills: z.array(executionSchema) });

function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export function sequencerOf(services: { sequencer: Sequencer | null }): Sequencer {
  if (!services.sequencer) throw new ApiError('UNAVAILABLE', 'trading is not running');
  return services.sequencer;
}

/** The original answer to an order whose clOrdId was seen before: the order and its fills, or its rejection. */
async function originalResult(db: Knex, order: OrderRecord, hash: string): Promise<RouteResult> {
  if (order.requestHash !== hash) {
    throw new ApiError('DUPLICATE_CL_ORD_ID', 'this clOrdId was already used for a different order', { orderId: order.id });
  }
  if (order.status === 'rejected') throw new TradingRejection(order.rejectCode as never, {}, orderToApi(order));
  const fills = (await tradesOfOrder(db, order.id)).filter((t) => t.seq === order.createdSeq).map((t) => executionFor(t, order.partyId));
  return { status: 200, body: { order: orderToApi(order), fills } };
}

async function ownOrder(db: Knex, partyId: string, id: string): Promise<OrderRecord> {
  const order = await findOrder(db, id);
  if (!order || order.partyId !== partyId) throw new ApiError('ORDER_NOT_FOUND', `order ${id} does not exist`, { orderId: id });
  return order;
}

function assertOpen(order: OrderRecord): void {
  if (order.status !== 'new' && order.status !== 'partially_filled') {
    throw new ApiError('WRONG_STATE', `the order is ${order.status}`, { orderId: order.id, status: order.status });
  }
}

export const orderRoutes = [
  defineRoute({
    method: 'post', path: '/api/v1/orders', summary: 'Place an order (idempotent by clOrdId)', tag: 'orders', access: ['investor', 'dealer'],
    body: orderRequest, response: orderWithFills, successStatus: 201,
    handler: async ({ body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const hash = requestHash(body);
      const earlier = await findOrderByClOrdId(services.knex, viewer.partyId, body.clOrdId);
      if (earlier) return originalResult(services.knex, earlier, hash);
      try {
        const result = await sequencerOf(services).execute((state) =>
          placeOrder(state, {
            partyId: viewer.partyId,
            noteId: body.noteId,
            clOrdId: body.clOrdId,
            requestHash: hash,
            side: body.side,
            type: body.type,
            price: body.price === undefined ? null : new Decimal(body.price),
            quantity: new Decimal(body.quantity),
            timeInForce: body.timeInForce ?? (body.type === 'market' ? 'IOC' : 'GTC'),
            expireAt: body.expireAt ? new Date(body.expireAt) : null,
            postOnly: body.postOnly ?? false,
            stpMode: body.stpMode ?? 'cancel_newest',
          }),
        );
        return { status: 201, body: result };
      } catch (error) {
        if (!(error instanceof DuplicateClOrdId)) throw error;
        const original = await findOrderByClOrdId(services.knex, viewer.partyId, body.clOrdId);
        if (!original) throw error;
        return originalResult(services.knex, original, hash);
      }
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/orders', summary: 'Own orders, newest first', tag: 'orders', access: ['investor', 'dealer'],
    query: z.object({ status: z.enum(['open', 'all']).default('open'), noteId: z.string().uuid().optional(), limit: limitParam(200, 1000) }).strict(),
    response: z.array(orderSchema),
    handler: async ({ query, principal, services }) => {
      const orders = await partyOrders(services.knex, requirePrincipal(principal).partyId, { open: query.status === 'open', limit: query.limit, ...(query.noteId ? { noteId: query.noteId } : {}) });
      return { body: orders.map(orderToApi) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/orders/:id', summary: 'One own order', tag: 'orders', access: ['investor', 'dealer'],
    params: idParams, response: orderSchema,
    handler: async ({ params, principal, services }) => ({ body: orderToApi(await ownOrder(services.knex, requirePrincipal(principal).partyId, params.id)) }),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/orders/:id', summary: 'Cancel/replace: new price and/or new total quantity', tag: 'orders', access: ['investor', 'dealer'],
    params: idParams,
    body: z.object({ price: positiveDecimal.optional(), quantity: positiveDecimal.optional() }).strict()
      .refine((b) => b.price !== undefined || b.quantity !== undefined, 'give a price, a quantity or both'),
    response: orderWithFills,
    handler: async ({ params, body, principal, services }) => {
      const partyId = requirePrincipal(principal).partyId;
      assertOpen(await ownOrder(services.knex, partyId, params.id));
      const change = { ...(body.price ? { price: new Decimal(body.price) } : {}), ...(body.quantity ? { quantity: new Decimal(body.quantity) } : {}) };
      return { body: await sequencerOf(services).execute((state) => replaceOrder(state, partyId, params.id, change)) };
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/orders/:id', summary: 'Cancel an order', tag: 'orders', access: ['investor', 'dealer'],
    params: idParams, response: orderSchema,
    handler: async ({ params, principal, services }) => {
      const partyId = requirePrincipal(principal).partyId;
      assertOpen(await ownOrder(services.knex, partyId, params.id));
      return { body: await sequencerOf(services).execute((state) => cancelOrder(state, partyId, params.id)) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/executions', summary: 'Own trades with the full money breakdown', tag: 'orders', access: ['investor', 'dealer'],
    query: z.object({ noteId: z.string().uuid().optional(), from: isoDate.optional(), to: isoDate.optional(), limit: limitParam(200, 1000) }).strict(),
    response: z.array(executionSchema),
    handler: async ({ query, principal, services }) => ({
      body: await partyExecutions(services.knex, requirePrincipal(principal).partyId, {
        limit: query.limit, ...(query.noteId ? { noteId: query.noteId } : {}), ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}),
      }),
    }),
  }),
];
