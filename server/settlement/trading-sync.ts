/**
 * Tells the trading side (the sequencer's in-memory available balances and instruments) about
 * changes settlement and servicing committed to the ledger. Always called after the commit, in
 * sequence with orders, so available balances never run ahead of the ledger (see the sequencer's
 * ledger-sync.ts for why a late notice is safe: it only underestimates what a party can commit).
 */
import type { Decimal } from '../domain/decimal.js';
import type { Note } from '../refdata/notes.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import type { TradingState } from '../sequencer/state.js';
import { applyCredits, applySettledTrades } from '../sequencer/ledger-sync.js';
import { refreshInstrument } from '../sequencer/admin.js';
import { CASH_ASSET } from '../ledger/types.js';
import type { BookedFailCharge, SettledMovement } from './run-chunk-rows.js';

export async function notifySettled(
  sequencer: Sequencer | null,
  settled: readonly SettledMovement[],
  charges: readonly BookedFailCharge[] = [],
): Promise<void> {
  if (!sequencer || (settled.length === 0 && charges.length === 0)) return;
  await sequencer.execute((state) => {
    applySettledTrades(state, settled);
    // A booked fail charge moves cash from the seller to the buyer.
    applyCredits(
      state,
      charges.flatMap((c) => [
        { partyId: c.sellerPartyId, asset: CASH_ASSET, amount: c.amount.negated() },
        { partyId: c.buyerPartyId, asset: CASH_ASSET, amount: c.amount },
      ]),
    );
  });
}

/** A trade's buyer hold lowered when a factor change re-amounted the trade (the excess was released in the ledger). */
export async function notifyHoldsLowered(
  sequencer: Sequencer | null,
  holds: readonly { reference: string; remaining: Decimal }[],
): Promise<void> {
  if (!sequencer || holds.length === 0) return;
  await sequencer.execute((state) => {
    for (const { reference, remaining } of holds) {
      const hold = state.accounts.holds.get(reference);
      if (!hold || hold.remaining.lte(remaining)) continue;
      const account = state.accounts.account(hold.partyId, hold.asset);
      account.held = account.held.minus(hold.remaining.minus(remaining));
      hold.remaining = remaining;
      if (remaining.isZero()) state.accounts.holds.delete(reference);
    }
  });
}

export async function notifyReleasedHolds(sequencer: Sequencer | null, references: readonly string[]): Promise<void> {
  if (!sequencer || references.length === 0) return;
  await sequencer.execute((state) => forgetHolds(state, references));
}

export async function notifyDistribution(
  sequencer: Sequencer | null,
  credits: readonly { partyId: string; asset: string; amount: Decimal }[],
  notes: readonly Note[],
): Promise<void> {
  if (!sequencer || (credits.length === 0 && notes.length === 0)) return;
  await sequencer.execute((state) => {
    applyCredits(state, credits);
    // New trades must price on the new factor; a note unknown to trading has nothing to refresh.
    for (const note of notes) if (state.instruments.has(note.id)) refreshInstrument(state, note);
  });
}

/** A released hold frees its remaining amount for new orders. */
function forgetHolds(state: TradingState, references: readonly string[]): void {
  for (const reference of references) {
    const hold = state.accounts.holds.get(reference);
    if (!hold) continue;
    const account = state.accounts.account(hold.partyId, hold.asset);
    account.held = account.held.minus(hold.remaining);
    state.accounts.holds.delete(reference);
  }
}
