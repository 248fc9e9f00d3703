/**
 * A deal's running servicing balances: its cash inside the trust account (free cash, liquidity
 * reserve, trapped cash), unpaid senior fees, the last payment date, the waterfall triggers' state
 * (on/off, cure count, recent tests, by trigger name), and per class the balance, the interest
 * shortfall carried forward, interest deferred (paid in kind) and unpaid post-ARD interest. Read and written under a row lock, so collections
 * and distributions of one deal never interleave.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import type { Note } from '../refdata/notes.js';
import type { TriggerState } from '../waterfall/index.js';

export interface DealState {
  freeCash: Decimal;
  reserveBalance: Decimal;
  trappedCash: Decimal;
  feeShortfall: Decimal;
  lastPaymentDate: string | null;
  triggers: Map<string, TriggerState>;
}

export interface ClassState {
  noteId: string;
  balance: Decimal;
  interestShortfall: Decimal;
  deferredInterest: Decimal;
  additionalInterestShortfall: Decimal;
}

export async function lockDealState(trx: Knex.Transaction, dealId: string): Promise<DealState> {
  await trx('deal_servicing_state').insert({ deal_id: dealId }).onConflict('deal_id').ignore();
  const row: {
    free_cash: string;
    reserve_balance: string;
    trapped_cash: string;
    fee_shortfall: string;
    last_payment_date: string | null;
    trigger_state: unknown;
  } = await trx('deal_servicing_state').where({ deal_id: dealId }).forUpdate().first();
  return {
    freeCash: new Decimal(row.free_cash),
    reserveBalance: new Decimal(row.reserve_balance),
    trappedCash: new Decimal(row.trapped_cash),
    feeShortfall: new Decimal(row.fee_shortfall),
    lastPaymentDate: row.last_payment_date,
    triggers: new Map(
      Object.entries(
        (typeof row.trigger_state === 'string' ? JSON.parse(row.trigger_state) : row.trigger_state) as Record<string, TriggerState>,
      ),
    ),
  };
}

export async function writeDealState(trx: Knex.Transaction, dealId: string, state: DealState): Promise<void> {
  await trx('deal_servicing_state')
    .where({ deal_id: dealId })
    .update({
      free_cash: state.freeCash.toFixed(2),
      reserve_balance: state.reserveBalance.toFixed(2),
      trapped_cash: state.trappedCash.toFixed(2),
      fee_shortfall: state.feeShortfall.toFixed(2),
      last_payment_date: state.lastPaymentDate,
      trigger_state: JSON.stringify(Object.fromEntries(state.triggers)),
      updated_at: trx.fn.now(),
    });
}

/** Class balances, created on first use from the note's original face × factor. */
export async function lockClassStates(trx: Knex.Transaction, dealId: string, notes: readonly Note[]): Promise<Map<string, ClassState>> {
  if (notes.length > 0) {
    await trx('deal_class_state')
      .insert(notes.map((n) => ({ note_id: n.id, deal_id: dealId, balance: new Decimal(n.originalFace).mul(n.factor).toFixed() })))
      .onConflict('note_id')
      .ignore();
  }
  const rows: {
    note_id: string;
    balance: string;
    interest_shortfall: string;
    deferred_interest: string;
    additional_interest_shortfall: string;
  }[] = await trx('deal_class_state')
    .whereIn(
      'note_id',
      notes.map((n) => n.id),
    )
    .orderBy('note_id')
    .forUpdate()
    .select('note_id', 'balance', 'interest_shortfall', 'deferred_interest', 'additional_interest_shortfall');
  return new Map(
    rows.map((r) => [
      r.note_id,
      {
        noteId: r.note_id,
        balance: new Decimal(r.balance),
        interestShortfall: new Decimal(r.interest_shortfall),
        deferredInterest: new Decimal(r.deferred_interest),
        additionalInterestShortfall: new Decimal(r.additional_interest_shortfall),
      },
    ]),
  );
}

export async function writeClassStates(trx: Knex.Transaction, states: Iterable<ClassState>): Promise<void> {
  for (const s of states) {
    await trx('deal_class_state')
      .where({ note_id: s.noteId })
      .update({
        balance: s.balance.toFixed(),
        interest_shortfall: s.interestShortfall.toFixed(2),
        deferred_interest: s.deferredInterest.toFixed(2),
        additional_interest_shortfall: s.additionalInterestShortfall.toFixed(2),
        updated_at: trx.fn.now(),
      });
  }
}
