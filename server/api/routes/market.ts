/** Dealer quotes and public market data: the book of a note and the tape. */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { idParams, limitParam } from '../schemas.js';
import { dealerQuotes, pullAllQuotes, putQuotes, quotesRequest } from '../../trading/order-entry.js';
import { tape } from '../../trading/queries.js';
import { quoteReprices } from '../../sequencer/spread-quotes.js';
import { sequencerOf } from '../../trading/order-entry.js';

/** Deepest book a request may ask for. */
export const BOOK_DEPTH_MAX = 500;

/** spreadBp: on a side entered as a spread (its price is derived from it and re-derived when the curve or the date moves). */
const quoteSide = z.object({ orderId: z.string(), price: z.string(), size: z.string(), spreadBp: z.string().optional() });
const level = z.object({ price: z.string(), quantity: z.string(), orders: z.number() });

export const marketRoutes = [
  defineRoute({
    method: 'put',
    path: '/api/v1/quotes',
    summary:
      "Replace this dealer's quotes on the given notes, atomically (mass quote); a side may be a spread in bp over the benchmark (bidSpreadBp/askSpreadBp), its price derived",
    tag: 'quotes',
    access: ['dealer'],
    body: quotesRequest,
    handler: async ({ body, principal, services }) => ({ body: await putQuotes(services, requirePrincipal(principal).partyId, body) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/quotes',
    summary: "This dealer's live quotes, one row per note (an empty side is null)",
    tag: 'quotes',
    access: ['dealer'],
    query: z.object({}).strict(),
    response: z.array(z.object({ noteId: z.string(), bid: quoteSide.nullable(), ask: quoteSide.nullable() })),
    handler: async ({ principal, services }) => ({ body: dealerQuotes(services, requirePrincipal(principal).partyId) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/quotes/reprices',
    summary:
      "This dealer's spread quotes re-priced when the benchmark curve or the business date moved, and those pulled (with the reason), newest first",
    tag: 'quotes',
    access: ['dealer'],
    query: z.object({ limit: limitParam(100, 1000) }).strict(),
    handler: async ({ query, principal, services }) => ({
      body: await quoteReprices(services.knex, requirePrincipal(principal).partyId, query.limit),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/quotes',
    summary: "Pull this dealer's quotes: all, or one note's with ?noteId=",
    tag: 'quotes',
    access: ['dealer'],
    query: z.object({ noteId: z.string().uuid().optional() }).strict(),
    handler: async ({ query, principal, services }) => ({
      body: await pullAllQuotes(services, requirePrincipal(principal).partyId, query.noteId),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/notes/:id/book',
    summary: 'Level 2 book of a note, best first',
    tag: 'market data',
    access: 'user',
    params: idParams,
    query: z.object({ depth: limitParam(10, BOOK_DEPTH_MAX) }).strict(),
    response: z.object({ noteId: z.string(), seq: z.number(), bids: z.array(level), asks: z.array(level) }),
    handler: async ({ params, query, services }) => {
      return {
        body: sequencerOf(services).view((state) => {
          const instrument = state.instruments.get(params.id);
          // Every listed note is an instrument of the sequencer, so this is the note's existence check too.
          if (!instrument) throw new ApiError('NOTE_NOT_FOUND', `note ${params.id} does not exist`, { noteId: params.id });
          const side = (s: 'buy' | 'sell') =>
            (state.engine.level2(params.id, s, query.depth) ?? []).map((l) => ({
              price: instrument.ticksToPrice(l.priceTicks).toFixed(),
              quantity: instrument.unitsToFace(l.sizeUnits).toFixed(),
              orders: l.orderCount,
            }));
          return { noteId: params.id, seq: state.lastSeq, bids: side('buy'), asks: side('sell') };
        }),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/trades',
    summary: 'The public tape, newest first (sizes above the note\'s cap shown as "<cap>+")',
    tag: 'market data',
    access: 'user',
    query: z.object({ noteId: z.string().uuid().optional(), limit: limitParam(100, 1000) }).strict(),
    response: z.array(z.object({ id: z.string(), noteId: z.string(), price: z.string(), quantity: z.string(), executedAt: z.string() })),
    handler: async ({ query, services }) => ({
      body: await tape(services.knex, { limit: query.limit, ...(query.noteId ? { noteId: query.noteId } : {}) }),
    }),
  }),
];
