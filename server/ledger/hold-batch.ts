/**
 * Writes a batch of hold changes decided elsewhere (by the sequencer, which owns available
 * balances in memory): holds opened in the batch, and new remaining amounts of existing holds.
 *
 * A changed hold may grow (a buy order re-priced upwards); its amount then grows with it.
 *
 * Guarantees: each account's `held` moves by exactly the sum of its holds' changes, in one update
 * per account under locks taken in id order; a party account never ends with more held than it
 * has (checked here and by the CHECK constraint); a hold whose remaining reaches zero is closed
 * with the given status.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from './types.js';
import { LedgerRejection } from './errors.js';
import { accountKey, ensureAccounts, lockAccounts, writeAccountBalances } from './accounts.js';

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

export async function applyHoldBatch(trx: Knex.Transaction, opened: readonly OpenedHold[], changed: readonly ChangedHold[]): Promise<void> {
  if (opened.length === 0 && changed.length === 0) return;
  const accountIds = await ensureAccounts(trx, opened.map((h) => h.account));
  const existing: { id: string; reference: string; account_id: string; remaining: string; status: string }[] =
    changed.length === 0 ? [] : await trx('ledger_holds').whereIn('reference', changed.map((c) => c.reference)).orderBy('id').forUpdate()
      .select('id', 'reference', 'account_id', 'remaining', 'status');
  const byReference = new Map(existing.map((row) => [row.reference, row]));
  const locked = await lockAccounts(trx, [...accountIds.values(), ...existing.map((row) => String(row.account_id))]);

  for (const hold of opened) {
    const account = locked.get(accountIds.get(accountKey(hold.account)) ?? '');
    if (!account) throw new Error(`account of hold ${hold.reference} is not locked`);
    account.held = account.held.plus(hold.remaining);
  }
  for (const change of changed) {
    const row = byReference.get(change.reference);
    if (!row || row.status !== 'active') throw new LedgerRejection('HOLD_NOT_ACTIVE', `hold ${change.reference} is not active`);
    const account = locked.get(String(row.account_id));
    if (!account) throw new Error(`account of hold ${change.reference} is not locked`);
    account.held = account.held.plus(change.remaining.minus(row.remaining));
  }
  for (const account of locked.values()) {
    if (account.partyId !== null && (account.held.isNegative() || account.held.gt(account.total))) {
      throw new LedgerRejection(account.asset === CASH_ASSET ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION',
        `party ${account.partyId} cannot hold ${account.held.toFixed()} ${account.asset}`, { partyId: account.partyId, asset: account.asset });
    }
  }
  await writeAccountBalances(trx, locked.values());
  if (opened.length > 0) {
    await trx('ledger_holds').insert(opened.map((h) => ({
      account_id: accountIds.get(accountKey(h.account)),
      reference: h.reference,
      amount: h.amount.toFixed(),
      remaining: h.remaining.toFixed(),
      status: h.remaining.isZero() ? h.closedAs : 'active',
      closed_at: h.remaining.isZero() ? trx.fn.now() : null,
    })));
  }
  if (changed.length > 0) {
    await trx.raw(
      `update ledger_holds h set remaining = v.remaining, amount = greatest(h.amount, v.remaining),
              status = case when v.remaining = 0 then v.closed_as else 'active' end,
              closed_at = case when v.remaining = 0 then now() else null end
         from unnest(?::text[], ?::numeric[], ?::text[]) as v(reference, remaining, closed_as) where h.reference = v.reference`,
      [changed.map((c) => c.reference), changed.map((c) => c.remaining.toFixed()), changed.map((c) => c.closedAs)],
    );
  }
}
