/**
 * Cash deposits and withdrawals, sequenced: they change what a party can commit to orders, so
 * they pass through the single writer of available balances. A withdrawal can only take what no
 * order has set aside.
 */
import { createHash } from 'node:crypto';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type EntryInput } from '../ledger/index.js';
import { TradingRejection } from './rejections.js';
import type { TradingState } from './state.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

export interface CashMovement {
  direction: 'deposit' | 'withdrawal';
  partyId: string;
  amount: Decimal;
  reference: string;
  createdBy: string;
  /** Who moved it: the audit row commits with the batch. */
  actor?: AuditActor;
}

export function cashEntryKey(movement: Pick<CashMovement, 'direction' | 'partyId' | 'reference'>): string {
  return `cash_${movement.direction}:${movement.partyId}:${movement.reference}`;
}

/** Returns the entry that will be posted with the batch; throws a rejection if it cannot be. */
export function moveCash(state: TradingState, movement: CashMovement): EntryInput {
  const key = cashEntryKey(movement);
  const fingerprint = createHash('sha256').update(movement.amount.toFixed()).digest('hex');
  const earlier = state.cashKeys.get(key);
  if (earlier !== undefined) {
    throw new TradingRejection('IDEMPOTENCY_CONFLICT', { reference: movement.reference, sameRequest: earlier === fingerprint });
  }
  const signed = movement.direction === 'deposit' ? movement.amount : movement.amount.negated();
  // Only cash no hold needs may leave: a credit line lets a dealer commit to buys, not take cash out.
  if (signed.isNegative() && movement.amount.gt(state.accounts.unheld(movement.partyId, CASH_ASSET))) {
    throw new TradingRejection('INSUFFICIENT_FUNDS', { available: state.accounts.unheld(movement.partyId, CASH_ASSET).toFixed(2) });
  }
  state.accounts.credit(movement.partyId, CASH_ASSET, signed);
  state.cashKeys.set(key, fingerprint);
  const entry: EntryInput = {
    idempotencyKey: key,
    kind: movement.direction === 'deposit' ? 'cash_deposit' : 'cash_withdrawal',
    description: `cash ${movement.direction} ${movement.reference}`,
    businessDate: state.businessDate,
    createdBy: movement.createdBy,
    metadata: { reference: movement.reference },
    postings: [
      { account: { partyId: movement.partyId, asset: CASH_ASSET }, amount: signed },
      { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: signed.negated() },
    ],
  };
  state.currentBatch().entries.push(entry);
  const actor = movement.actor;
  if (actor) {
    state.currentBatch().alsoWrite.push((trx) =>
      appendAudit(trx, {
        actor,
        action: movement.direction === 'deposit' ? 'cash.deposit' : 'cash.withdrawal',
        entity: `party:${movement.partyId}`,
        details: { amount: movement.amount.toFixed(2), reference: movement.reference },
      }),
    );
  }
  return entry;
}
