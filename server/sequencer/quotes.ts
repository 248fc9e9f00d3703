/**
 * Dealer quotes inside the sequencer: a mass quote replaces the dealer's bid and ask on each named
 * note in one engine command, all or nothing. Quote sides are orders (source `quote`) that rest as
 * firm liquidity, so they carry holds like any order: a bid sets aside cash, an ask sets aside face.
 *
 * Guarantees: the whole mass quote is validated and its holds are checked (counting the holds of
 * the quotes it replaces as freed) before anything changes; if the engine refuses it, every hold
 * and quote is restored as it was.
 */
import { Decimal } from '../domain/decimal.js';
import type { QuoteEntry, Side } from '../engine/index.js';
import { CASH_ASSET } from '../ledger/types.js';
import { buyHold, sellHold } from '../risk/holds.js';
import type { RejectionCode } from '../core/rejections.js';
import { applyEvents } from './apply-events.js';
import { assertInsideBand } from './price-band.js';
import { ENGINE_TO_API, TradingRejection } from './rejections.js';
import { executionFor, orderToApi, type OrderRecord } from './records.js';
import type { TradingState } from './state.js';

export interface QuoteInput {
  noteId: string;
  bidPrice: Decimal | null;
  bidSize: Decimal;
  askPrice: Decimal | null;
  askSize: Decimal;
  /** A side entered as a spread: the spread its price was derived from, kept on the quote order. */
  bidSpreadBp?: Decimal | null;
  askSpreadBp?: Decimal | null;
}

interface PlannedSide {
  side: Side;
  priceTicks: number;
  units: number;
  size: Decimal;
  order: OrderRecord | null;
  holdAsset: string;
  holdAmount: Decimal;
  spreadBp: Decimal | null;
}

export interface MassQuoteOptions {
  /** Refuse the whole mass quote if any side would trade on entry (default false: sides may take). */
  postOnly?: boolean;
}

export function massQuote(state: TradingState, partyId: string, inputs: readonly QuoteInput[], options: MassQuoteOptions = {}) {
  if (!state.eligibleParties.has(partyId)) throw new TradingRejection('PARTY_NOT_ELIGIBLE');
  if (new Set(inputs.map((q) => q.noteId)).size !== inputs.length)
    throw new TradingRejection('VALIDATION_FAILED', { reason: 'a note appears twice' });
  const plans = inputs.map((input) => planQuote(state, partyId, input));
  if (options.postOnly) for (const plan of plans) checkPostOnly(state, partyId, plan);
  checkAffordable(
    state,
    partyId,
    plans.flatMap((p) => p.sides),
    inputs.map((q) => q.noteId),
  );

  const previous = freeReplacedHolds(
    state,
    partyId,
    inputs.map((q) => q.noteId),
  );
  const entries: QuoteEntry[] = plans.map(({ noteId, sides }) => {
    const [bid, ask] = sides;
    for (const side of sides) openQuoteOrder(state, partyId, noteId, side);
    return {
      noteId,
      bidOrderId: bid.order?.id ?? state.newOrderId(),
      bidPriceTicks: bid.priceTicks,
      bidUnits: bid.units,
      askOrderId: ask.order?.id ?? state.newOrderId(),
      askPriceTicks: ask.priceTicks,
      askUnits: ask.units,
    };
  });
  const seq = state.nextSeq();
  const events = state.applyToEngine({ kind: 'mass_quote', seq, timestamp: state.now.getTime(), partyId, entries });
  const first = events[0];
  const newOrders = plans.flatMap((p) => p.sides.map((s) => s.order).filter((o): o is OrderRecord => o !== null));
  if (first?.type === 'rejected') {
    for (const order of newOrders) {
      state.removeLiveOrder(order);
      state.accounts.discard(order.holdReference!);
      state.currentBatch().orders.delete(order.id);
    }
    for (const [reference, remaining] of previous) state.accounts.resize(reference, remaining);
    throw new TradingRejection(ENGINE_TO_API[first.code], { engineCode: first.code });
  }
  for (const order of newOrders) {
    order.createdSeq = seq;
    order.updatedSeq = seq;
  }
  for (const { noteId, sides } of plans) setDealerQuote(state, partyId, noteId, sides[0].order?.id ?? null, sides[1].order?.id ?? null);
  const trades = applyEvents(state, events);
  return { quotes: newOrders.map(orderToApi), fills: trades.map((t) => executionFor(t, partyId)) };
}

/**
 * Pulls the dealer's quotes (on one note when `noteId` is given): a mass quote of empty sides on
 * each note it quotes. Pulling where nothing is quoted changes nothing and answers empty lists.
 */
export function pullQuotes(state: TradingState, partyId: string, noteId?: string) {
  if (noteId !== undefined && !state.instruments.has(noteId)) throw new TradingRejection('NOTE_NOT_FOUND', { noteId });
  const notes = [...(state.quotes.get(partyId)?.entries() ?? [])]
    .filter(([id, q]) => (q.bid !== null || q.ask !== null) && (noteId === undefined || id === noteId))
    .map(([id]) => id);
  if (notes.length === 0) return { quotes: [], fills: [] };
  const zero = new Decimal(0);
  return massQuote(
    state,
    partyId,
    notes.map((id) => ({ noteId: id, bidPrice: null, bidSize: zero, askPrice: null, askSize: zero })),
  );
}

/** The dealer's live quotes, one row per note it quotes, by note id; an empty side is null. */
export function liveQuotes(state: TradingState, partyId: string) {
  const side = (orderId: string | null) => {
    const order = orderId === null ? undefined : state.liveOrders.get(orderId);
    if (!order) return null;
    const base = { orderId: order.id, price: order.price!.toFixed(), size: order.leaves.toFixed() };
    return order.spreadBp === null ? base : { ...base, spreadBp: order.spreadBp.toFixed() };
  };
  return [...(state.quotes.get(partyId)?.entries() ?? [])]
    .map(([noteId, q]) => ({ noteId, bid: side(q.bid), ask: side(q.ask) }))
    .filter((q) => q.bid !== null || q.ask !== null)
    .sort((a, b) => (a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0));
}

function planQuote(state: TradingState, _partyId: string, input: QuoteInput): { noteId: string; sides: [PlannedSide, PlannedSide] } {
  const instrument = state.instruments.get(input.noteId);
  if (!instrument) throw new TradingRejection('NOTE_NOT_FOUND', { noteId: input.noteId });
  if (state.engine.isHalted(input.noteId)) throw new TradingRejection('NOTE_HALTED', { noteId: input.noteId });
  const side = (kind: Side, price: Decimal | null, size: Decimal, spreadBp: Decimal | null): PlannedSide => {
    if (size.isZero())
      return { side: kind, priceTicks: 0, units: 0, size, order: null, holdAsset: CASH_ASSET, holdAmount: new Decimal(0), spreadBp: null };
    const units = instrument.faceToUnits(size);
    if (typeof units === 'string') throw new TradingRejection(units, { noteId: input.noteId, side: kind });
    if (price === null) throw new TradingRejection('VALIDATION_FAILED', { noteId: input.noteId, reason: `a ${kind} size needs a price` });
    const ticks = instrument.priceToTicks(price);
    if (typeof ticks === 'string') throw new TradingRejection(ticks, { noteId: input.noteId, side: kind });
    assertInsideBand(state, instrument, price, { noteId: input.noteId, side: kind });
    if (size.gt(state.limits.orderFaceMax)) throw new TradingRejection('RISK_LIMIT_EXCEEDED', { noteId: input.noteId });
    const holdAmount =
      kind === 'sell' ? sellHold(size) : buyHold(instrument, size, price, instrument.settlementDateFor(state.businessDate), units);
    const holdAsset = kind === 'sell' ? instrument.id : CASH_ASSET;
    return { side: kind, priceTicks: ticks, units, size, order: null, holdAsset, holdAmount, spreadBp };
  };
  const bid = side('buy', input.bidPrice, input.bidSize, input.bidSpreadBp ?? null);
  const ask = side('sell', input.askPrice, input.askSize, input.askSpreadBp ?? null);
  if (bid.units > 0 && ask.units > 0 && bid.priceTicks >= ask.priceTicks)
    throw new TradingRejection('QUOTE_CROSSED', { noteId: input.noteId });
  return { noteId: input.noteId, sides: [bid, ask] };
}

/**
 * A post-only quote side must not reach the best opposite price. The dealer's own quote on the
 * note is replaced before the new one enters, so it is left out: the best opposite order is the
 * first one, best level first, that is not the dealer's current quote (it has one per side, so
 * two levels always reach it).
 */
function checkPostOnly(state: TradingState, partyId: string, plan: { noteId: string; sides: [PlannedSide, PlannedSide] }): void {
  const own = new Set(currentQuoteOrders(state, partyId, plan.noteId));
  for (const side of plan.sides) {
    if (side.units === 0) continue;
    const opposite = side.side === 'buy' ? 'sell' : 'buy';
    const best = state.engine.level3(plan.noteId, opposite, 2)?.find((o) => !own.has(o.orderId))?.priceTicks ?? null;
    if (best === null) continue;
    if (side.side === 'buy' ? side.priceTicks >= best : side.priceTicks <= best) {
      const instrument = state.instruments.get(plan.noteId)!;
      throw new TradingRejection('POST_ONLY_WOULD_TAKE', {
        noteId: plan.noteId,
        side: side.side,
        price: instrument.ticksToPrice(side.priceTicks).toFixed(),
        bestOpposite: instrument.ticksToPrice(best).toFixed(),
      });
    }
  }
}

function checkAffordable(state: TradingState, partyId: string, sides: readonly PlannedSide[], noteIds: readonly string[]): void {
  const needed = new Map<string, Decimal>();
  for (const side of sides)
    if (side.units > 0) needed.set(side.holdAsset, (needed.get(side.holdAsset) ?? new Decimal(0)).plus(side.holdAmount));
  const freed = new Map<string, Decimal>();
  for (const noteId of noteIds) {
    for (const orderId of currentQuoteOrders(state, partyId, noteId)) {
      const hold = state.accounts.holds.get(`order:${orderId}`);
      if (hold) freed.set(hold.asset, (freed.get(hold.asset) ?? new Decimal(0)).plus(hold.remaining));
    }
  }
  for (const [asset, amount] of needed) {
    const available = state.accounts.available(partyId, asset).plus(freed.get(asset) ?? 0);
    if (amount.gt(available)) {
      const code: RejectionCode = asset === CASH_ASSET ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION';
      throw new TradingRejection(code, { asset, required: amount.toFixed(), available: available.toFixed() });
    }
  }
}

function currentQuoteOrders(state: TradingState, partyId: string, noteId: string): string[] {
  const quote = state.quotes.get(partyId)?.get(noteId);
  return [quote?.bid, quote?.ask].filter((id): id is string => typeof id === 'string');
}

/** Releases the holds of the quotes about to be replaced; returns what they held, to restore on rejection. */
function freeReplacedHolds(state: TradingState, partyId: string, noteIds: readonly string[]): Map<string, Decimal> {
  const previous = new Map<string, Decimal>();
  for (const noteId of noteIds) {
    for (const orderId of currentQuoteOrders(state, partyId, noteId)) {
      const reference = `order:${orderId}`;
      const hold = state.accounts.holds.get(reference);
      if (!hold) continue;
      previous.set(reference, hold.remaining);
      state.accounts.release(reference);
    }
  }
  return previous;
}

function openQuoteOrder(state: TradingState, partyId: string, noteId: string, side: PlannedSide): void {
  if (side.units === 0) return;
  const id = state.newOrderId();
  const order: OrderRecord = {
    id,
    partyId,
    noteId,
    clOrdId: `quote:${id}`,
    requestHash: '',
    source: 'quote',
    side: side.side,
    type: 'limit',
    price: state.instruments.get(noteId)!.ticksToPrice(side.priceTicks),
    quantity: side.size,
    timeInForce: 'GTC',
    expireAt: null,
    postOnly: false,
    stpMode: 'cancel_newest',
    status: 'new',
    filled: new Decimal(0),
    leaves: side.size,
    cancelled: new Decimal(0),
    filledNotional: new Decimal(0),
    rejectCode: null,
    rejectReason: null,
    holdReference: `order:${id}`,
    tradeDate: state.businessDate,
    createdSeq: state.lastSeq,
    updatedSeq: state.lastSeq,
    createdAt: state.now,
    updatedAt: state.now,
    spreadBp: side.spreadBp,
  };
  if (!state.accounts.open(order.holdReference!, partyId, side.holdAsset, side.holdAmount)) {
    throw new Error('a quote hold failed after the affordability check');
  }
  side.order = order;
  state.addLiveOrder(order);
  state.currentBatch().touch(order);
}

function setDealerQuote(state: TradingState, partyId: string, noteId: string, bid: string | null, ask: string | null): void {
  let byNote = state.quotes.get(partyId);
  if (!byNote) {
    byNote = new Map();
    state.quotes.set(partyId, byNote);
  }
  byNote.set(noteId, { bid, ask });
}
