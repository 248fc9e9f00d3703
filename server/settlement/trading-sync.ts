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
import type { SettledMovement } from './run.js';

export async function notifySettled(sequencer: Sequencer | null, settled: readonly SettledMovement[]): Promise<void> {
  if (!sequencer || settled.length === 0) return;
  await sequencer.execute((state) => applySettledTrades(state, settled));
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
