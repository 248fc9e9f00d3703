/**
 * Checks an entry before anything is written: postings present, amounts non-zero with at most the
 * asset's decimal places, and the postings of each asset summing to exactly zero.
 */
import { createHash } from 'node:crypto';
import { Decimal } from '../domain/decimal.js';
import { LedgerRejection } from './errors.js';
import { accountKey } from './accounts.js';
import type { EntryInput } from './types.js';

/** Ledger amounts (cash in cents, face in currency units) never carry more than two decimals. */
export const LEDGER_DECIMAL_PLACES = 2;

export function assertLedgerAmount(amount: Decimal, what: string): void {
  if (!amount.isFinite() || amount.decimalPlaces() > LEDGER_DECIMAL_PLACES) {
    throw new LedgerRejection('INVALID_AMOUNT', `${what} must be a finite amount with at most ${LEDGER_DECIMAL_PLACES} decimals`, {
      amount: amount.toString(),
    });
  }
}

export function validateEntry(entry: EntryInput): void {
  if (entry.postings.length === 0) {
    throw new LedgerRejection('EMPTY_ENTRY', `entry ${entry.idempotencyKey} has no postings`);
  }
  const sums = new Map<string, Decimal>();
  for (const posting of entry.postings) {
    assertLedgerAmount(posting.amount, 'a posting');
    if (posting.amount.isZero()) {
      throw new LedgerRejection('INVALID_AMOUNT', 'a posting amount must not be zero', { account: accountKey(posting.account) });
    }
    const asset = posting.account.asset;
    sums.set(asset, (sums.get(asset) ?? new Decimal(0)).plus(posting.amount));
  }
  for (const [asset, sum] of sums) {
    if (!sum.isZero()) {
      throw new LedgerRejection('UNBALANCED_ENTRY', `postings in ${asset} sum to ${sum.toFixed()}, not zero`, {
        asset,
        sum: sum.toFixed(),
      });
    }
  }
  for (const use of entry.holdConsumptions ?? []) {
    assertLedgerAmount(use.amount, 'a hold consumption');
    if (use.amount.lte(0)) throw new LedgerRejection('INVALID_AMOUNT', 'a hold consumption must be positive');
  }
}

/** A digest of what the entry does, to tell a retry (same payload) from a key reused for something else. */
export function payloadHash(entry: EntryInput): string {
  const canonical = JSON.stringify({
    kind: entry.kind,
    postings: entry.postings.map((p) => [accountKey(p.account), p.amount.toFixed()]),
    holds: (entry.holdConsumptions ?? []).map((h) => [h.holdReference, h.amount.toFixed()]),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
