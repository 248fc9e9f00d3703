/**
 * Writes a batch of hold changes decided elsewhere (by the sequencer, which owns available
 * balances in memory): holds opened in the batch, and new remaining amounts of existing holds.
 * The work is done by the database function `ledger_apply_hold_batch` (sql/ledger_apply_hold_batch.sql)
 * in one round trip; this module shapes its input.
 *
 * Guarantees: each account's `held` moves by exactly the sum of its holds' changes, under locks
 * taken in id order; a changed hold must be active; a party account never ends holding more
 * than it has (the CHECK constraint; the sequencer checked it first, so a violation is a defect);
 * a hold whose remaining reaches zero is closed with the given status; a hold may grow (a buy
 * re-priced upwards) and its amount grows with it.
 */
import type { Knex } from 'knex';
import type { Decimal } from '../domain/decimal.js';

export interface OpenedHold {
  reference: string;
  account: { partyId: string; asset: string };
  amount: Decimal;
  remaining: Decimal;
  /** The status when remaining is zero: consumed by trades, or released. */
  closedAs: 'consumed' | 'released';
}

export interface ChangedHold {
  reference: string;
  remaining: Decimal;
  closedAs: 'consumed' | 'released';
}

/** The JSON arguments of ledger_apply_hold_batch (also passed through trading_commit_batch). */
export function holdBatchArguments(opened: readonly OpenedHold[], changed: readonly ChangedHold[]): [string, string] {
  return [
    JSON.stringify(
      opened.map((h) => ({
        party_id: h.account.partyId,
        asset: h.account.asset,
        reference: h.reference,
        amount: h.amount.toFixed(),
        remaining: h.remaining.toFixed(),
        closed_as: h.closedAs,
      })),
    ),
    JSON.stringify(changed.map((h) => ({ reference: h.reference, remaining: h.remaining.toFixed(), closed_as: h.closedAs }))),
  ];
}

export async function applyHoldBatch(
  trx: Knex.Transaction | Knex,
  opened: readonly OpenedHold[],
  changed: readonly ChangedHold[],
): Promise<void> {
  if (opened.length === 0 && changed.length === 0) return;
  await trx.raw('select ledger_apply_hold_batch(?::jsonb, ?::jsonb)', holdBatchArguments(opened, changed));
}
