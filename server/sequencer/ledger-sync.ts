/**
 * Keeps the sequencer's view of available balances in step with ledger changes made outside it
 * (settlement, distributions). Call these after the outside change has committed.
 *
 * Why available never runs ahead of the ledger: settling a trade lowers the payer's total and
 * held by the same amount (the trade's hold is consumed), so the payer's available amount is the
 * same before and after the notification; the receiver's available amount only goes up, and
 * until it is notified the sequencer merely underestimates it.
 */
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from '../ledger/types.js';
import type { TradingState } from './state.js';

export interface SettledTrade {
  noteId: string;
  buyerPartyId: string;
  sellerPartyId: string;
  /** Original face delivered. */
  quantity: Decimal;
  /** Cash paid. */
  netAmount: Decimal;
  buyerHoldReference: string | null;
  sellerHoldReference: string | null;
}

/** Applies committed DVP settlements: trade holds consumed, cash and face moved. */
export function applySettledTrades(state: TradingState, trades: readonly SettledTrade[]): void {
  for (const trade of trades) {
    consume(state, trade.buyerHoldReference, trade.buyerPartyId, CASH_ASSET, trade.netAmount);
    consume(state, trade.sellerHoldReference, trade.sellerPartyId, trade.noteId, trade.quantity);
    state.accounts.credit(trade.sellerPartyId, CASH_ASSET, trade.netAmount);
    state.accounts.credit(trade.buyerPartyId, trade.noteId, trade.quantity);
  }
}

/** Applies committed cash credits (coupons, principal, deposits made outside the sequencer). */
export function applyCredits(state: TradingState, credits: readonly { partyId: string; asset: string; amount: Decimal }[]): void {
  for (const credit of credits) state.accounts.credit(credit.partyId, credit.asset, credit.amount);
}

/** The payer's total and held both drop by the amount; its hold (if any) is forgotten. */
function consume(state: TradingState, reference: string | null, partyId: string, asset: string, amount: Decimal): void {
  const account = state.accounts.account(partyId, asset);
  account.total = account.total.minus(amount);
  const hold = reference ? state.accounts.holds.get(reference) : undefined;
  if (!hold) return;
  const used = Decimal.min(hold.remaining, amount);
  account.held = account.held.minus(used);
  hold.remaining = hold.remaining.minus(used);
  if (hold.remaining.isZero()) state.accounts.holds.delete(hold.reference);
}
