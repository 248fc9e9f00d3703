/**
 * Floating spread quotes: a dealer quote side entered as a spread keeps its spread, and when what
 * its price was derived from moves — the benchmark curve is loaded, the business date rolls, or the
 * service starts (a curve loaded just before a stop) — every resting spread quote is re-priced from
 * its spread, through the sequencer, as a replace of the quote. A halted note takes no order entry,
 * not even a pull, so its quotes are left until it resumes, and the resume runs them again.
 *
 * A run plans every quote (one dealer, one note), then carries the plans out in ONE sequencer job
 * (sequencer/spread-quotes.ts), so no re-priced quote meets another at its old price:
 *   - each spread side's price is derived again (projection/quote-spread.ts: base projection to the
 *     ARD, curve + spread, nearest tick, a half tick to the counterparty);
 *   - the same prices as resting → left alone (no replace: the quote keeps its time priority);
 *   - new prices → a replace with the same sizes (what is left), checked like any quote: magnitudes
 *     and the dealer's hard concentration limits here, then in the sequencer the price band, the
 *     tick, the holds;
 *   - a side that can no longer be priced (no curve, nothing to repay, no collateral facts) or a
 *     refused replace → the quote is pulled, both sides, with the refusal's code and message.
 * A re-priced side is firm like any quote: if its new price reaches a resting order on the other
 * side it trades, as it would had the dealer typed that price. A quote the dealer changed while the
 * run priced it is left to the dealer ('stale'). An operating error (the sequencer unavailable) is
 * not a reason to pull: the run throws and the next one re-prices. Every outcome is recorded
 * (quote_reprices) and listed by GET /api/v1/quotes/reprices.
 *
 * Runs never overlap (one at a time per service): two curve loads in quick succession re-price in
 * order, and the last curve wins.
 */
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import type { AppServices } from '../services.js';
import { SpreadPricer, type QuoteSide } from '../projection/quote-spread.js';
import {
  requoteSpreadQuotes as carryOut,
  spreadQuotes,
  type RequotePlan,
  type RequoteTrigger,
  type SpreadQuote,
} from '../sequencer/spread-quotes.js';
import { assertMagnitudes, concentrationGuardOf } from './order-entry.js';

export interface RequotePull {
  partyId: string;
  noteId: string;
  code: string;
  message: string;
}

export interface RequoteSummary {
  trigger: RequoteTrigger;
  repriced: number;
  unchanged: number;
  /** Quotes the dealer changed while the run priced them: left to the dealer. */
  stale: number;
  /**
   * Quotes not even a pull could touch, left as they were: a halted note (NOTE_HALTED; the resume's
   * run re-prices them), an ineligible dealer (PARTY_NOT_ELIGIBLE).
   */
  left: RequotePull[];
  pulled: RequotePull[];
}

const runs = new WeakMap<AppServices, Promise<unknown>>();

/** Re-prices every resting spread quote; one run at a time per service. */
export function requoteSpreadQuotes(services: AppServices, trigger: RequoteTrigger): Promise<RequoteSummary> {
  const previous = runs.get(services) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => requoteAll(services, trigger));
  runs.set(services, run);
  return run;
}

async function requoteAll(services: AppServices, trigger: RequoteTrigger): Promise<RequoteSummary> {
  const summary: RequoteSummary = { trigger, repriced: 0, unchanged: 0, stale: 0, left: [], pulled: [] };
  const sequencer = services.sequencer;
  if (!sequencer?.ready) return summary;
  const quotes = sequencer.view((state) => spreadQuotes(state));
  if (quotes.length === 0) return summary;
  const pricer = new SpreadPricer(services.knex); // one base projection per deal for the whole run
  const plans: RequotePlan[] = [];
  for (const quote of quotes) {
    const plan = await planOne(services, pricer, quote);
    if (plan === 'unchanged') summary.unchanged += 1;
    else plans.push(plan);
  }
  const outcomes = plans.length === 0 ? [] : await sequencer.execute((state) => carryOut(state, plans, trigger));
  outcomes.forEach((outcome, i) => {
    const { partyId, noteId } = plans[i]!.quote;
    if (outcome === 'repriced' || outcome === 'stale') summary[outcome] += 1;
    else (outcome.left ? summary.left : summary.pulled).push({ partyId, noteId, code: outcome.code, message: outcome.message });
  });
  services.logger.info({ ...summary, pulled: summary.pulled.length, left: summary.left.length }, 'spread quotes re-priced');
  return summary;
}

/** The quote's new prices, or why it must be pulled, or 'unchanged'. Throws only operating errors and defects. */
async function planOne(services: AppServices, pricer: SpreadPricer, quote: SpreadQuote): Promise<RequotePlan | 'unchanged'> {
  let curve: { name: string; date: string } | null = null;
  const derive = async (spread: Decimal | null, side: QuoteSide) => {
    if (spread === null) return null;
    const derived = await pricer.price(quote.noteId, spread.toFixed(), side, `${side}SpreadBp`);
    curve = derived.curve;
    return new Decimal(derived.price);
  };
  try {
    const bid = await derive(quote.bidSpreadBp, 'bid');
    const ask = await derive(quote.askSpreadBp, 'ask');
    const same = (now: Decimal | null, was: Decimal | null) => now === null || (was !== null && now.eq(was));
    if (same(bid, quote.bidPrice) && same(ask, quote.askPrice)) return 'unchanged';
    if (bid) assertMagnitudes(services, quote.noteId, { price: bid.toFixed() });
    if (ask) assertMagnitudes(services, quote.noteId, { price: ask.toFixed() });
    await assertConcentration(services, quote);
    return { quote, prices: { bid, ask }, curve };
  } catch (error) {
    // A refusal is a reason to pull the quote; an operating error (retry later) or a defect is not.
    if (!(error instanceof Rejection) || error.code === 'UNAVAILABLE') throw error;
    return { quote, refusal: { code: error.code, message: error.message }, curve };
  }
}

/**
 * The dealer's hard concentration limits, as for the quote it would enter (the same sizes): a
 * breach refuses the re-price (CONCENTRATION_LIMIT). Warn-mode breaches do not stop a re-price.
 */
async function assertConcentration(services: AppServices, quote: SpreadQuote): Promise<void> {
  const sizes = services.sequencer!.view((state) => ({
    bid: quote.bidOrderId ? state.liveOrders.get(quote.bidOrderId)?.leaves : undefined,
    ask: quote.askOrderId ? state.liveOrders.get(quote.askOrderId)?.leaves : undefined,
  }));
  const zero = new Decimal(0);
  const change = { quotes: [{ noteId: quote.noteId, bidSize: sizes.bid ?? zero, askSize: sizes.ask ?? zero }] };
  const hard = (await concentrationGuardOf(services).check(quote.partyId, change)).filter((b) => b.mode === 'hard');
  if (hard.length === 0) return;
  const first = hard[0]!;
  throw new Rejection(
    'CONCENTRATION_LIMIT',
    `the quote would take ${first.name} to ${first.sharePercentAfter}% of portfolio value (hard limit ${first.maxSharePercent}% by ${first.by})`,
    { breaches: hard },
  );
}

/**
 * The run after a curve load, a roll or the start: the change that triggered it has committed and
 * stands whatever happens here, so an operating error is logged (the quotes are re-priced by the
 * next run) rather than failing the call that made the change. Null when the run did not finish.
 */
export async function requoteAfterChange(services: AppServices, trigger: RequoteTrigger): Promise<RequoteSummary | null> {
  try {
    return await requoteSpreadQuotes(services, trigger);
  } catch (error) {
    services.logger.error({ err: error, trigger }, 're-pricing spread quotes failed; the next curve load, roll or start retries');
    return null;
  }
}
