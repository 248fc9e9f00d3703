/**
 * Spread quotes inside the sequencer: the dealer quotes whose sides were entered as a spread over the
 * benchmark curve, and the job that keeps them true when the curve or the business date moves —
 * each is re-priced (replaced at the newly derived prices) or pulled with a reason.
 *
 * Guarantees: all the planned quotes change in one sequencer job, so nobody — the dealers' own
 * re-priced quotes included — trades against a half re-priced market. Only the quote a plan was
 * made from is touched (the same resting order ids): one the dealer replaced or pulled meanwhile,
 * or whose sides all filled, is left alone ('stale': the dealer's newer action wins). A re-priced
 * quote keeps each side's size (what is left of it), its spread, and a side typed as a price at that
 * price; it enters as an ordinary mass quote (tick, holds, engine), after a price-band check against
 * the book as it stood before the job, as a replace would be checked. Whatever is refused is pulled,
 * with the refusal's code and message recorded. Each outcome is written to quote_reprices with the
 * batch (same transaction). Never prices anything itself: the prices come from the caller.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { massQuote, pullQuotes, type QuoteInput } from './quotes.js';
import { TradingRejection } from './rejections.js';
import { bandViolation } from './price-band.js';
import type { OrderRecord } from './records.js';
import type { TradingState } from './state.js';

export type RequoteTrigger = 'curve' | 'business_date' | 'start' | 'resume';

/** One resting quote with at least one side entered as a spread, as the sequencer holds it. */
export interface SpreadQuote {
  partyId: string;
  noteId: string;
  bidOrderId: string | null;
  askOrderId: string | null;
  bidPrice: Decimal | null;
  askPrice: Decimal | null;
  bidSpreadBp: Decimal | null;
  askSpreadBp: Decimal | null;
}

/** What an outcome record says besides the quote: why the run ran and the curve the prices came from. */
interface RequoteContext {
  trigger: RequoteTrigger;
  curve: { name: string; date: string } | null;
}

/** Every resting spread quote, dealers and notes in id order (a stable order makes runs reproducible). */
export function spreadQuotes(state: TradingState): SpreadQuote[] {
  const found: SpreadQuote[] = [];
  for (const [partyId, byNote] of state.quotes) {
    for (const [noteId, ids] of byNote) {
      const bid = ids.bid === null ? undefined : state.liveOrders.get(ids.bid);
      const ask = ids.ask === null ? undefined : state.liveOrders.get(ids.ask);
      if ((bid?.spreadBp ?? null) === null && (ask?.spreadBp ?? null) === null) continue;
      found.push({
        partyId,
        noteId,
        bidOrderId: bid?.id ?? null,
        askOrderId: ask?.id ?? null,
        bidPrice: bid?.price ?? null,
        askPrice: ask?.price ?? null,
        bidSpreadBp: bid?.spreadBp ?? null,
        askSpreadBp: ask?.spreadBp ?? null,
      });
    }
  }
  const key = (q: SpreadQuote) => `${q.partyId}\u0000${q.noteId}`;
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The quote's live sides if it is still the one planned from, else null. */
function current(state: TradingState, planned: SpreadQuote): { bid: OrderRecord | null; ask: OrderRecord | null } | null {
  const ids = state.quotes.get(planned.partyId)?.get(planned.noteId);
  if (!ids || ids.bid !== planned.bidOrderId || ids.ask !== planned.askOrderId) return null;
  const bid = ids.bid === null ? null : (state.liveOrders.get(ids.bid) ?? null);
  const ask = ids.ask === null ? null : (state.liveOrders.get(ids.ask) ?? null);
  if (bid === null && ask === null) return null;
  return { bid, ask };
}

/** What to do with one spread quote: re-price its spread sides at `prices`, or pull it for `refusal`. */
export type RequotePlan =
  | { quote: SpreadQuote; prices: { bid: Decimal | null; ask: Decimal | null }; curve: { name: string; date: string } | null }
  | { quote: SpreadQuote; refusal: { code: string; message: string }; curve: { name: string; date: string } | null };

/** A refusal object: the quote was pulled for it; with `left`, not even a pull was possible and it stays as it was. */
export type RequoteOutcome = 'repriced' | 'stale' | { code: string; message: string; left?: true };

/**
 * Carries out the plans in one sequencer job, so nobody trades against a half re-priced market:
 * first every planned quote that is still current is taken off the book, then each is entered again
 * at its new prices (sizes: what was left of each side; a typed side at its own price). An entry the
 * mass quote refuses (the band, crossed, holds) stays off the book, pulled with the refusal's code; a
 * plan with a refusal (it could not be priced) is only pulled. Each outcome is recorded.
 */
export function requoteSpreadQuotes(state: TradingState, plans: readonly RequotePlan[], trigger: RequoteTrigger): RequoteOutcome[] {
  const zero = new Decimal(0);
  // The band as a replace of each quote would meet it: around the book before anything is taken off.
  const checked = plans.map((plan) => ('prices' in plan ? (outsideBand(state, plan) ?? plan) : plan));
  // A quote not even a pull may touch (a halted note, an ineligible dealer) is left as it is for a later run
  // (the resume's): the pull's refusal comes before any change, so the rest of the job goes on.
  const left = new Map<number, { code: string; message: string; left: true }>();
  // The seq that took each quote off the book: a pulled quote's record points at it.
  const pulledAt = new Map<number, number>();
  const taken = checked.map((plan, i) => {
    const live = current(state, plan.quote);
    if (live === null) return null;
    const sidePrice = (order: OrderRecord | null, derived: Decimal | null) =>
      order === null ? null : order.spreadBp === null ? order.price : derived;
    const prices = 'prices' in plan ? plan.prices : { bid: null, ask: null };
    const input: QuoteInput = {
      noteId: plan.quote.noteId,
      bidPrice: sidePrice(live.bid, prices.bid),
      bidSize: live.bid?.leaves ?? zero,
      bidSpreadBp: live.bid?.spreadBp ?? null,
      askPrice: sidePrice(live.ask, prices.ask),
      askSize: live.ask?.leaves ?? zero,
      askSpreadBp: live.ask?.spreadBp ?? null,
    };
    try {
      pullQuotes(state, plan.quote.partyId, plan.quote.noteId);
    } catch (error) {
      if (!(error instanceof TradingRejection)) throw error;
      left.set(i, { code: error.code, message: error.message, left: true });
      return null;
    }
    pulledAt.set(i, state.lastSeq);
    return input;
  });
  return checked.map((plan, i) => {
    const input = taken[i];
    if (!input) return left.get(i) ?? 'stale';
    const context = { trigger, curve: plan.curve };
    if ('refusal' in plan) {
      record(state, plan.quote, context, pulledAt.get(i)!, {
        outcome: 'pulled',
        reasonCode: plan.refusal.code,
        reason: plan.refusal.message,
        bidPrice: null,
        askPrice: null,
      });
      return plan.refusal;
    }
    try {
      massQuote(state, plan.quote.partyId, [input]);
    } catch (error) {
      if (!(error instanceof TradingRejection)) throw error;
      const refusal = { code: error.code, message: error.message };
      record(state, plan.quote, context, pulledAt.get(i)!, {
        outcome: 'pulled',
        reasonCode: refusal.code,
        reason: refusal.message,
        bidPrice: null,
        askPrice: null,
      });
      return refusal;
    }
    record(state, plan.quote, context, state.lastSeq, {
      outcome: 'repriced',
      reasonCode: null,
      reason: null,
      bidPrice: input.bidPrice,
      askPrice: input.askPrice,
    });
    return 'repriced';
  });
}

/** The plan turned into a refusal when a new price is outside the note's band now, else null. */
function outsideBand(state: TradingState, plan: Extract<RequotePlan, { prices: unknown }>): RequotePlan | null {
  const instrument = state.instruments.get(plan.quote.noteId);
  if (!instrument) return null; // the mass quote refuses it as NOTE_NOT_FOUND
  for (const price of [plan.prices.bid, plan.prices.ask]) {
    if (price === null || bandViolation(state, instrument, price) === null) continue;
    const refusal = new TradingRejection('PRICE_OUTSIDE_BAND');
    return { quote: plan.quote, refusal: { code: refusal.code, message: refusal.message }, curve: plan.curve };
  }
  return null;
}

function record(
  state: TradingState,
  planned: SpreadQuote,
  context: RequoteContext,
  seq: number,
  outcome: {
    outcome: 'repriced' | 'pulled';
    reasonCode: string | null;
    reason: string | null;
    bidPrice: Decimal | null;
    askPrice: Decimal | null;
  },
): void {
  const row = {
    seq,
    party_id: planned.partyId,
    note_id: planned.noteId,
    trigger: context.trigger,
    outcome: outcome.outcome,
    reason_code: outcome.reasonCode,
    reason: outcome.reason,
    bid_spread_bp: planned.bidSpreadBp?.toFixed() ?? null,
    ask_spread_bp: planned.askSpreadBp?.toFixed() ?? null,
    previous_bid_price: planned.bidPrice?.toFixed() ?? null,
    previous_ask_price: planned.askPrice?.toFixed() ?? null,
    bid_price: outcome.bidPrice?.toFixed() ?? null,
    ask_price: outcome.askPrice?.toFixed() ?? null,
    curve_name: context.curve?.name ?? null,
    curve_date: context.curve?.date ?? null,
    business_date: state.businessDate,
    created_at: state.now,
  };
  state.currentBatch().alsoWrite.push(async (trx: Knex.Transaction) => void (await trx('quote_reprices').insert(row)));
}

/** A dealer's recorded re-pricings and pulls, newest first. */
export async function quoteReprices(db: Knex, partyId: string, limit: number) {
  const rows = await db('quote_reprices').where({ party_id: partyId }).orderBy('id', 'desc').limit(limit).select('*');
  return rows.map((r) => ({
    noteId: r.note_id as string,
    seq: Number(r.seq),
    trigger: r.trigger as RequoteTrigger,
    outcome: r.outcome as 'repriced' | 'pulled',
    reasonCode: r.reason_code as string | null,
    reason: r.reason as string | null,
    bidSpreadBp: canonical(r.bid_spread_bp),
    askSpreadBp: canonical(r.ask_spread_bp),
    previousBidPrice: canonical(r.previous_bid_price),
    previousAskPrice: canonical(r.previous_ask_price),
    bidPrice: canonical(r.bid_price),
    askPrice: canonical(r.ask_price),
    curve: r.curve_name === null ? null : { name: r.curve_name as string, date: r.curve_date as string },
    businessDate: r.business_date as string,
    at: new Date(r.created_at).toISOString(),
  }));
}

/** NUMERIC text without trailing zeros (as the wire shows every decimal). */
function canonical(value: string | null): string | null {
  if (value === null) return null;
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
