/** Orders: place, list, get, cancel/replace, cancel; and a party's executions. */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { idParams, isoDate, limitParam } from '../schemas.js';
import { orderToApi } from '../../sequencer/records.js';
import { partyExecutions, partyOrders } from '../../trading/queries.js';
import { cancelOwnOrder, orderRequest, ownOrder, replaceOwnOrder, replaceRequest, submitOrder } from '../../trading/order-entry.js';
import { withTradeRegistryState } from '../../registry/queries.js';
import { registryStateSchema } from './registry.js';
import { withBlotterColumns } from '../../desk/blotter.js';
import { INSTRUCTION_STATUSES } from '../../settlement/types.js';

const executionSchema = z.object({
  tradeId: z.string(),
  orderId: z.string().nullable(),
  noteId: z.string(),
  side: z.enum(['buy', 'sell']),
  price: z.string(),
  quantity: z.string(),
  factor: z.string(),
  principal: z.string(),
  accruedInterest: z.string(),
  netAmount: z.string(),
  tradeDate: z.string(),
  settlementDate: z.string(),
  liquidity: z.enum(['maker', 'taker']),
  venue: z.enum(['clob', 'rfq']),
  executedAt: z.string(),
  /** Present when a distribution re-amounted the trade at its note's new factor before it settled. */
  adjustment: z
    .object({
      paymentDate: z.string(),
      original: z.object({ factor: z.string(), principal: z.string(), accruedInterest: z.string(), netAmount: z.string() }),
    })
    .optional(),
});
const orderSchema = z.object({
  id: z.string(),
  clOrdId: z.string(),
  partyId: z.string(),
  noteId: z.string(),
  side: z.string(),
  type: z.string(),
  price: z.string().nullable(),
  quantity: z.string(),
  timeInForce: z.string(),
  expireAt: z.string().nullable(),
  postOnly: z.boolean(),
  stpMode: z.string(),
  source: z.string(),
  status: z.string(),
  filledQuantity: z.string(),
  leavesQuantity: z.string(),
  cancelledQuantity: z.string(),
  averagePrice: z.string().nullable(),
  rejectCode: z.string().nullable(),
  rejectReason: z.string().nullable(),
  tradeDate: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const orderWithFills = z.object({ order: orderSchema, fills: z.array(executionSchema) });
/** An own trade as listed: with the registry on, also the on-chain state of its settlement's transfer. */
const listedExecutionSchema = executionSchema.extend({
  registry: registryStateSchema,
  /** How the trade was done: an RFQ, a dealer's quote in the book, or two orders in the book. */
  venueType: z.enum(['book', 'quote', 'rfq']),
  /** The trade's settlement instruction: pending, settled, failed or cancelled; null before one exists. */
  settlementStatus: z.enum(INSTRUCTION_STATUSES).nullable(),
  settledDate: z.string().nullable(),
});

export const orderRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/orders',
    summary: 'Place an order (idempotent by clOrdId)',
    tag: 'orders',
    access: ['investor', 'dealer'],
    body: orderRequest,
    response: orderWithFills,
    successStatus: 201,
    handler: async ({ body, principal, services }) => submitOrder(services, requirePrincipal(principal), body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/orders',
    summary: 'Own orders, newest first',
    tag: 'orders',
    access: ['investor', 'dealer'],
    query: z
      .object({ status: z.enum(['open', 'all']).default('open'), noteId: z.string().uuid().optional(), limit: limitParam(200, 1000) })
      .strict(),
    response: z.array(orderSchema),
    handler: async ({ query, principal, services }) => {
      const orders = await partyOrders(services.knex, requirePrincipal(principal).partyId, {
        open: query.status === 'open',
        limit: query.limit,
        ...(query.noteId ? { noteId: query.noteId } : {}),
      });
      return { body: orders.map(orderToApi) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/orders/:id',
    summary: 'One own order',
    tag: 'orders',
    access: ['investor', 'dealer'],
    params: idParams,
    response: orderSchema,
    handler: async ({ params, principal, services }) => ({
      body: orderToApi(await ownOrder(services.knex, requirePrincipal(principal).partyId, params.id)),
    }),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/orders/:id',
    summary: 'Cancel/replace: new price and/or new total quantity',
    tag: 'orders',
    access: ['investor', 'dealer'],
    params: idParams,
    body: replaceRequest,
    response: orderWithFills,
    handler: async ({ params, body, principal, services }) => ({
      body: await replaceOwnOrder(services, requirePrincipal(principal).partyId, params.id, body),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/orders/:id',
    summary: 'Cancel an order',
    tag: 'orders',
    access: ['investor', 'dealer'],
    params: idParams,
    response: orderSchema,
    handler: async ({ params, principal, services }) => ({
      body: await cancelOwnOrder(services, requirePrincipal(principal).partyId, params.id),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/executions',
    summary: 'Own trades with the full money breakdown, how each was done (book, quote, RFQ) and its settlement status',
    tag: 'orders',
    access: ['investor', 'dealer'],
    query: z
      .object({ noteId: z.string().uuid().optional(), from: isoDate.optional(), to: isoDate.optional(), limit: limitParam(200, 1000) })
      .strict(),
    response: z.array(listedExecutionSchema),
    handler: async ({ query, principal, services }) => {
      const executions = await partyExecutions(services.knex, requirePrincipal(principal).partyId, {
        limit: query.limit,
        ...(query.noteId ? { noteId: query.noteId } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      });
      return { body: await withBlotterColumns(services.knex, await withTradeRegistryState(services.knex, executions)) };
    },
  }),
];
