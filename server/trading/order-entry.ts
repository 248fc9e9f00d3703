/**
 * Order entry as a service, shared by the REST routes and the WebSocket: the same validation, the
 * same clOrdId idempotency, the same sequenced risk and durability, the same answers.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { nonNegativeDecimal, positiveDecimal, spreadBp } from '../core/schemas.js';
import type { AppServices } from '../services.js';
import type { Principal } from '../auth/tokens.js';
import { Decimal } from '../domain/decimal.js';
import { cancelOrder, placeOrder, replaceOrder } from '../sequencer/orders.js';
import { liveQuotes, massQuote, pullQuotes } from '../sequencer/quotes.js';
import { DuplicateClOrdId, TradingRejection } from '../sequencer/rejections.js';
import { executionFor, orderToApi, type OrderRecord } from '../sequencer/records.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { findOrder, findOrderByClOrdId, tradesOfOrder } from './queries.js';
import { PRICE_CEILING_PERCENT } from './instrument.js';
import { ConcentrationGuard, type Breach } from '../risk/limits.js';
import { SpreadPricer, type SpreadPrice } from '../projection/quote-spread.js';

const guards = new WeakMap<AppServices, ConcentrationGuard>();

/** The services' concentration-limit check (one per service instance, holding its caches). */
export function concentrationGuardOf(services: AppServices): ConcentrationGuard {
  let guard = guards.get(services);
  if (!guard) {
    guard = new ConcentrationGuard(
      services.knex,
      () => services.sequencer,
      () => services.clock.now().getTime(),
    );
    guards.set(services, guard);
  }
  return guard;
}

/** Warn-mode concentration breaches ride along in the answer (the ticket shows them). */
function withWarnings<T extends object>(
  body: T,
  warnings: readonly Breach[],
): T | (T & { warnings: { code: 'CONCENTRATION_LIMIT'; breaches: readonly Breach[] }[] }) {
  return warnings.length === 0 ? body : { ...body, warnings: [{ code: 'CONCENTRATION_LIMIT' as const, breaches: warnings }] };
}

const SELF_TRADE_MODES = ['cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement_and_cancel'] as const;

export const orderRequest = z
  .object({
    clOrdId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
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
    if (order.type === 'limit' && order.price === undefined)
      context.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    if (order.type === 'market' && order.price !== undefined)
      context.addIssue({ code: 'custom', path: ['price'], message: 'a market order has no price' });
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

export type OrderRequest = z.infer<typeof orderRequest>;

export const replaceRequest = z
  .object({ price: positiveDecimal.optional(), quantity: positiveDecimal.optional() })
  .strict()
  .refine((b) => b.price !== undefined || b.quantity !== undefined, 'give a price, a quantity or both');

/**
 * A side may be entered as a spread (bidSpreadBp / askSpreadBp, bp over the benchmark curve) instead
 * of a price: the price is derived from the note's base-scenario projection to the ARD and rounded
 * to the nearest tick (projection/quote-spread.ts), then checked like a typed price.
 */
export const quoteEntry = z
  .object({
    noteId: z.string().uuid(),
    bidPrice: positiveDecimal.optional(),
    bidSpreadBp: spreadBp.optional(),
    bidSize: nonNegativeDecimal,
    askPrice: positiveDecimal.optional(),
    askSpreadBp: spreadBp.optional(),
    askSize: nonNegativeDecimal,
  })
  .strict()
  .refine((q) => q.bidPrice === undefined || q.bidSpreadBp === undefined, {
    message: 'give bidPrice or bidSpreadBp, not both',
    path: ['bidSpreadBp'],
  })
  .refine((q) => q.askPrice === undefined || q.askSpreadBp === undefined, {
    message: 'give askPrice or askSpreadBp, not both',
    path: ['askSpreadBp'],
  });
/**
 * `postOnly` (default false, today's behaviour): when true, the whole mass quote is refused with
 * POST_ONLY_WOULD_TAKE if any side would trade on entry (its price reaches the best opposite
 * price of the book, the dealer's own quotes being replaced left out); nothing changes.
 */
export const quotesRequest = z.object({ quotes: z.array(quoteEntry).min(1).max(200), postOnly: z.boolean().optional() }).strict();

export interface EntryResult {
  status: number;
  body: unknown;
}

function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export function sequencerOf(services: { sequencer: Sequencer | null }): Sequencer {
  if (!services.sequencer) throw new Rejection('UNAVAILABLE', 'trading is not running');
  return services.sequencer;
}

/**
 * Magnitudes bounded at the edge (issue 14), before the request is queued for the sequencer: a
 * quantity above the note's maximum order face is ORDER_FACE_TOO_LARGE, a price above the hard
 * ceiling (PRICE_CEILING_PERCENT, which keeps every price within the engine's integer ticks) is
 * PRICE_OUT_OF_BAND. Finer rules (tick, increment, denomination, risk) stay with the sequencer. An
 * unknown note is left to the sequencer too (NOTE_NOT_FOUND there).
 */
export function assertMagnitudes(
  services: AppServices,
  noteId: string,
  fields: { price?: string | undefined; quantity?: string | undefined },
  path: readonly (string | number)[] = [],
): void {
  const instrument = sequencerOf(services).view((state) => state.instruments.get(noteId));
  if (!instrument) return;
  if (fields.quantity !== undefined && new Decimal(fields.quantity).gt(instrument.maxOrderFace)) {
    const field = [...path, 'quantity'].join('.');
    throw new Rejection('ORDER_FACE_TOO_LARGE', `${field} is above the note's maximum order face of ${instrument.maxOrderFace.toFixed()}`, {
      field,
      maxOrderFace: instrument.maxOrderFace.toFixed(),
    });
  }
  if (fields.price !== undefined && new Decimal(fields.price).gt(PRICE_CEILING_PERCENT)) {
    const field = [...path, 'price'].join('.');
    throw new Rejection('PRICE_OUT_OF_BAND', `${field} is above the ceiling of ${PRICE_CEILING_PERCENT.toFixed()} (percent of par)`, {
      field,
      maxPrice: PRICE_CEILING_PERCENT.toFixed(),
    });
  }
}

/** The original answer to an order whose clOrdId was seen before: the order and its fills, or its rejection. */
async function originalResult(db: Knex, order: OrderRecord, hash: string): Promise<EntryResult> {
  if (order.requestHash !== hash) {
    throw new Rejection('DUPLICATE_CL_ORD_ID', 'this clOrdId was already used for a different order', { orderId: order.id });
  }
  if (order.status === 'rejected') throw new TradingRejection(order.rejectCode as never, {}, orderToApi(order));
  const fills = (await tradesOfOrder(db, order.id)).filter((t) => t.seq === order.createdSeq).map((t) => executionFor(t, order.partyId));
  return { status: 200, body: { order: orderToApi(order), fills } };
}

export async function ownOrder(db: Knex, partyId: string, id: string): Promise<OrderRecord> {
  const order = await findOrder(db, id);
  if (!order || order.partyId !== partyId) throw new Rejection('ORDER_NOT_FOUND', `order ${id} does not exist`, { orderId: id });
  return order;
}

function assertOpen(order: OrderRecord): void {
  if (order.status !== 'new' && order.status !== 'partially_filled') {
    throw new Rejection('WRONG_STATE', `the order is ${order.status}`, { orderId: order.id, status: order.status });
  }
}

/**
 * Places an order: a repeat of its clOrdId answers with the original (200), a new one 201. The
 * sequencer tells a repeat (DuplicateClOrdId); only then is the original read from the database.
 */
export async function submitOrder(services: AppServices, viewer: Principal, body: OrderRequest): Promise<EntryResult> {
  assertMagnitudes(services, body.noteId, { price: body.price, quantity: body.quantity });
  const hash = requestHash(body);
  try {
    const change = { noteId: body.noteId, side: body.side, quantity: new Decimal(body.quantity) };
    const { result, warnings } = await concentrationGuardOf(services).guarded(viewer.partyId, change, () =>
      sequencerOf(services).execute(
        (state) =>
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
        // Seen before (today in memory, earlier days by the batch's one lookup) → DuplicateClOrdId.
        { clOrdIds: [{ partyId: viewer.partyId, clOrdId: body.clOrdId }] },
      ),
    );
    return { status: 201, body: withWarnings(result, warnings) };
  } catch (error) {
    if (!(error instanceof DuplicateClOrdId)) throw error;
    const original = await findOrderByClOrdId(services.knex, viewer.partyId, body.clOrdId);
    if (!original) throw error;
    return originalResult(services.knex, original, hash);
  }
}

/** Cancel/replace of an own open order. */
/**
 * An own order the sequencer holds live needs no database read; otherwise the stored order says
 * whether it is unknown to the party (404) or has ended (409).
 */
async function assertOwnOpenOrder(services: AppServices, partyId: string, orderId: string): Promise<void> {
  const live = sequencerOf(services).view((state) => state.liveOrders.get(orderId)?.partyId === partyId);
  if (!live) assertOpen(await ownOrder(services.knex, partyId, orderId));
}

export async function replaceOwnOrder(services: AppServices, partyId: string, orderId: string, change: z.infer<typeof replaceRequest>) {
  await assertOwnOpenOrder(services, partyId, orderId);
  const noteId = sequencerOf(services).view((state) => state.liveOrders.get(orderId)?.noteId);
  if (noteId) assertMagnitudes(services, noteId, { price: change.price, quantity: change.quantity });
  const update = {
    ...(change.price ? { price: new Decimal(change.price) } : {}),
    ...(change.quantity ? { quantity: new Decimal(change.quantity) } : {}),
  };
  const live = sequencerOf(services).view((state) => state.liveOrders.get(orderId));
  // A replacement that does not raise the quantity cannot raise a concentration; only an increase is checked.
  if (!live || !update.quantity || update.quantity.lte(live.quantity))
    return sequencerOf(services).execute((state) => replaceOrder(state, partyId, orderId, update));
  const { result, warnings } = await concentrationGuardOf(services).guarded(
    partyId,
    { noteId: live.noteId, side: live.side, quantity: update.quantity, replacesOrderId: orderId },
    () => sequencerOf(services).execute((state) => replaceOrder(state, partyId, orderId, update)),
  );
  return withWarnings(result, warnings);
}

/** Cancel of an own open order. */
export async function cancelOwnOrder(services: AppServices, partyId: string, orderId: string) {
  await assertOwnOpenOrder(services, partyId, orderId);
  return sequencerOf(services).execute((state) => cancelOrder(state, partyId, orderId));
}

/** A dealer's mass quote: replaces its quotes on the given notes atomically, within its concentration limits. */
export async function putQuotes(services: AppServices, partyId: string, original: z.infer<typeof quotesRequest>) {
  // Sides entered as a spread get their derived price first (one base projection per deal), then go on as typed prices.
  const pricer = new SpreadPricer(services.knex);
  const pricedFromSpread: SpreadPrice[] = [];
  const quotes = [];
  for (const [i, q] of original.quotes.entries()) {
    // The spread stays with the side (it rests as the derived price and keeps its spread, to be re-priced from it).
    const entry = { ...q };
    if (q.bidSpreadBp !== undefined) {
      const derived = await pricer.price(q.noteId, q.bidSpreadBp, 'bid', `quotes.${i}.bidSpreadBp`);
      pricedFromSpread.push(derived);
      entry.bidPrice = derived.price;
    }
    if (q.askSpreadBp !== undefined) {
      const derived = await pricer.price(q.noteId, q.askSpreadBp, 'ask', `quotes.${i}.askSpreadBp`);
      pricedFromSpread.push(derived);
      entry.askPrice = derived.price;
    }
    quotes.push(entry);
  }
  const result = await enterQuotes(services, partyId, { ...original, quotes });
  return pricedFromSpread.length === 0 ? result : { ...result, pricedFromSpread };
}

async function enterQuotes(services: AppServices, partyId: string, request: z.infer<typeof quotesRequest>) {
  request.quotes.forEach((q, i) => {
    assertMagnitudes(services, q.noteId, { price: q.bidPrice, quantity: q.bidSize }, ['quotes', i, 'bid']);
    assertMagnitudes(services, q.noteId, { price: q.askPrice, quantity: q.askSize }, ['quotes', i, 'ask']);
  });
  const inputs = request.quotes.map((q) => ({
    noteId: q.noteId,
    bidPrice: q.bidPrice === undefined ? null : new Decimal(q.bidPrice),
    bidSize: new Decimal(q.bidSize),
    askPrice: q.askPrice === undefined ? null : new Decimal(q.askPrice),
    askSize: new Decimal(q.askSize),
    bidSpreadBp: q.bidSpreadBp === undefined ? null : new Decimal(q.bidSpreadBp),
    askSpreadBp: q.askSpreadBp === undefined ? null : new Decimal(q.askSpreadBp),
  }));
  // Checked against the dealer's concentration limits as if its new sides filled (risk/limits.ts).
  const { result, warnings } = await concentrationGuardOf(services).guarded(
    partyId,
    { quotes: inputs.map((q) => ({ noteId: q.noteId, bidSize: q.bidSize, askSize: q.askSize })) },
    () => sequencerOf(services).execute((state) => massQuote(state, partyId, inputs, { postOnly: request.postOnly ?? false })),
  );
  return withWarnings(result, warnings);
}

/** Pulls every quote of the dealer, or its quotes on one note. */
export async function pullAllQuotes(services: AppServices, partyId: string, noteId?: string) {
  return sequencerOf(services).execute((state) => pullQuotes(state, partyId, noteId));
}

/** The dealer's live quotes (read from the sequencer's state, not the database). */
export function dealerQuotes(services: AppServices, partyId: string) {
  return sequencerOf(services).view((state) => liveQuotes(state, partyId));
}
