/**
 * Holds: amounts of a party's account set aside (cash for a buy order, face for a sell order) so
 * they cannot be spent twice. A hold is later consumed by an entry (see post.ts) or released.
 *
 * Guarantees: `held` of an account always equals the sum of `remaining` of its active holds; a hold
 * never exceeds what was available when it was placed; placing a hold with a known reference and
 * the same amount returns the existing hold (idempotent), with another amount it is a conflict.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type Hold, type HoldInput } from './types.js';
import { LedgerRejection } from './errors.js';
import { ensureAccounts, lockAccounts, writeAccountBalances, accountKey } from './accounts.js';
import { assertLedgerAmount } from './validate.js';

interface HoldRow {
  id: string;
  reference: string;
  accountId: string;
  amount: Decimal;
  remaining: Decimal;
}

interface HoldDbRow {
  id: string;
  reference: string;
  account_id: string;
  amount: string;
  remaining: string;
  status: Hold['status'];
}

function toHold(row: HoldDbRow): Hold {
  return {
    id: String(row.id),
    reference: row.reference,
    accountId: String(row.account_id),
    amount: row.amount,
    remaining: row.remaining,
    status: row.status,
  };
}

/** Active holds by reference, locked for update (callers change them). */
async function loadActiveHolds(trx: Knex.Transaction, references: readonly string[]): Promise<Map<string, HoldRow>> {
  const holds = new Map<string, HoldRow>();
  if (references.length === 0) return holds;
  const rows: HoldDbRow[] = await trx('ledger_holds')
    .whereIn('reference', [...new Set(references)])
    .andWhere('status', 'active')
    .orderBy('id')
    .forUpdate()
    .select('id', 'reference', 'account_id', 'amount', 'remaining', 'status');
  for (const row of rows) {
    holds.set(row.reference, {
      id: String(row.id),
      reference: row.reference,
      accountId: String(row.account_id),
      amount: new Decimal(row.amount),
      remaining: new Decimal(row.remaining),
    });
  }
  return holds;
}

export async function placeHolds(trx: Knex.Transaction, inputs: readonly HoldInput[]): Promise<Hold[]> {
  if (inputs.length === 0) return [];
  for (const input of inputs) {
    assertLedgerAmount(input.amount, 'a hold');
    if (input.amount.lte(0)) throw new LedgerRejection('INVALID_AMOUNT', 'a hold must be positive', { reference: input.reference });
  }
  const existing = await existingHolds(trx, inputs);
  const fresh = inputs.filter((i) => !existing.has(i.reference));
  if (fresh.length > 0) {
    const accountIds = await ensureAccounts(
      trx,
      fresh.map((i) => i.account),
    );
    const locked = await lockAccounts(trx, [...accountIds.values()]);
    const rows = fresh.map((input) => {
      const accountId = accountIds.get(accountKey(input.account)) ?? '';
      const account = locked.get(accountId);
      if (!account) throw new Error(`account of hold ${input.reference} is not locked`);
      account.held = account.held.plus(input.amount);
      // A USD account's credit line lets its holds exceed its cash (a dealer's buys; migration 20261206030000).
      if (account.held.gt(account.total.plus(account.credit))) {
        const code = input.account.asset === CASH_ASSET ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_POSITION';
        throw new LedgerRejection(
          code,
          `party ${input.account.partyId} cannot set aside ${input.amount.toFixed()} ${input.account.asset}`,
          {
            partyId: input.account.partyId,
            asset: input.account.asset,
            requested: input.amount.toFixed(),
          },
        );
      }
      return { account_id: accountId, reference: input.reference, amount: input.amount.toFixed(), remaining: input.amount.toFixed() };
    });
    await writeAccountBalances(trx, locked.values());
    const inserted: HoldDbRow[] = await trx('ledger_holds')
      .insert(rows)
      .returning(['id', 'reference', 'account_id', 'amount', 'remaining', 'status']);
    for (const row of inserted) existing.set(row.reference, toHold(row));
  }
  return inputs.map((i) => existing.get(i.reference) as Hold);
}

async function existingHolds(trx: Knex.Transaction, inputs: readonly HoldInput[]): Promise<Map<string, Hold>> {
  const rows: HoldDbRow[] = await trx('ledger_holds')
    .whereIn(
      'reference',
      inputs.map((i) => i.reference),
    )
    .select('id', 'reference', 'account_id', 'amount', 'remaining', 'status');
  const found = new Map(rows.map((r) => [r.reference, toHold(r)]));
  for (const input of inputs) {
    const hold = found.get(input.reference);
    if (hold && !new Decimal(hold.amount).eq(input.amount)) {
      throw new LedgerRejection('IDEMPOTENCY_CONFLICT', `hold ${input.reference} exists with another amount`, {
        reference: input.reference,
      });
    }
  }
  return found;
}

/**
 * Releases what remains of each hold (or the given part of it). Releasing a hold that is no longer
 * active is a no-op, so a retried release is safe.
 */
export async function releaseHolds(trx: Knex.Transaction, releases: readonly { reference: string; amount?: Decimal }[]): Promise<void> {
  const holds = await loadActiveHolds(
    trx,
    releases.map((r) => r.reference),
  );
  if (holds.size === 0) return;
  const locked = await lockAccounts(
    trx,
    [...holds.values()].map((h) => h.accountId),
  );
  for (const release of releases) {
    const hold = holds.get(release.reference);
    if (!hold) continue;
    const amount = release.amount ?? hold.remaining;
    if (amount.gt(hold.remaining) || amount.lte(0)) {
      throw new LedgerRejection('HOLD_EXCEEDED', `cannot release ${amount.toFixed()} of hold ${hold.reference}`, {
        remaining: hold.remaining.toFixed(),
      });
    }
    const account = locked.get(hold.accountId);
    if (!account) throw new Error(`account of hold ${hold.reference} is not locked`);
    hold.remaining = hold.remaining.minus(amount);
    account.held = account.held.minus(amount);
  }
  await writeAccountBalances(trx, locked.values());
  const list = [...holds.values()];
  await trx.raw(
    `update ledger_holds h set remaining = v.remaining,
            status = case when v.remaining = 0 then 'released' else h.status end,
            closed_at = case when v.remaining = 0 then now() else h.closed_at end
       from unnest(?::bigint[], ?::numeric[]) as v(id, remaining) where h.id = v.id`,
    [list.map((h) => h.id), list.map((h) => h.remaining.toFixed())],
  );
}
