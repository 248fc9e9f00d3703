/**
 * Dealer credit lines, sequenced: a line changes what a dealer can commit to buys, so it passes
 * through the single writer of available balances, like a deposit. The line sits on the party's
 * USD ledger account (`credit_limit`): its holds may exceed its cash by up to the line, its cash
 * never goes below zero, so a buy the line funded still has to be paid in cash at settlement (or
 * it fails to pay).
 *
 * Guarantees: a line is never set below what the party's holds already use of it
 * (CREDIT_LINE_IN_USE); every change is kept with who made it and the amount before.
 */
import type { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from '../ledger/types.js';
import { TradingRejection } from './rejections.js';
import type { TradingState } from './state.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

export interface CreditLineChange {
  partyId: string;
  amount: Decimal;
  changedBy: string | null;
  /** Who set it: the audit row commits with the batch. */
  actor?: AuditActor;
}

export interface CreditLineView {
  partyId: string;
  creditLine: string;
  creditUsed: string;
  creditAvailable: string;
}

export function setCreditLine(state: TradingState, change: CreditLineChange): CreditLineView {
  const account = state.accounts.account(change.partyId, CASH_ASSET);
  const used = state.accounts.creditUsed(change.partyId, CASH_ASSET);
  if (change.amount.lt(used)) {
    throw new TradingRejection('CREDIT_LINE_IN_USE', { creditUsed: used.toFixed(2), requested: change.amount.toFixed(2) });
  }
  const previous = account.credit;
  state.accounts.setCredit(change.partyId, CASH_ASSET, change.amount);
  const batch = state.currentBatch();
  // Raised before the batch's holds are written (they may use it), lowered to its value after them
  // (holds the batch released may have been using it): the account's check holds at every step.
  batch.writeFirst.push(async (trx) => {
    await trx('ledger_accounts').insert({ party_id: change.partyId, asset: CASH_ASSET }).onConflict(['party_id', 'asset']).ignore();
    await trx.raw(`update ledger_accounts set credit_limit = greatest(credit_limit, ?::numeric) where party_id = ? and asset = ?`, [
      change.amount.toFixed(2),
      change.partyId,
      CASH_ASSET,
    ]);
  });
  batch.alsoWrite.push(async (trx) => {
    await trx('ledger_accounts')
      .where({ party_id: change.partyId, asset: CASH_ASSET })
      .update({ credit_limit: change.amount.toFixed(2) });
    await trx('credit_line_changes').insert({
      party_id: change.partyId,
      amount: change.amount.toFixed(2),
      previous_amount: previous.toFixed(2),
      changed_by: change.changedBy,
    });
    if (change.actor) {
      await appendAudit(trx, {
        actor: change.actor,
        action: 'credit_line.set',
        entity: `party:${change.partyId}`,
        details: { amount: change.amount.toFixed(2), previousAmount: previous.toFixed(2) },
      });
    }
  });
  return creditView(state, change.partyId);
}

export function creditView(state: TradingState, partyId: string): CreditLineView {
  const account = state.accounts.account(partyId, CASH_ASSET);
  const used = state.accounts.creditUsed(partyId, CASH_ASSET);
  return {
    partyId,
    creditLine: account.credit.toFixed(2),
    creditUsed: used.toFixed(2),
    creditAvailable: account.credit.minus(used).toFixed(2),
  };
}
