/**
 * Cancelling an open instruction (e.g. a trade broken by agreement of both sides): the
 * instruction ends `cancelled`, leaves the run queue, and the trade's holds are released, in one
 * transaction. Only pending or failed instructions can be cancelled (else WRONG_STATE); a
 * settled trade is undone by a new trade, never by rewriting the ledger.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { releaseHolds } from '../ledger/index.js';
import { findInstruction, type InstructionRow } from './queries.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

export interface CancelResult {
  instruction: InstructionRow;
  /** Holds released, for the trading side's view of available balances. */
  releasedHolds: { reference: string; partyId: string; asset: string }[];
}

export async function cancelInstruction(knex: Knex, id: string, reason: string, actor?: AuditActor): Promise<CancelResult> {
  return inTransaction(knex, async (trx) => {
    const found = await findInstruction(trx, id);
    // The queue row is the run's lock token: holding it, no run can settle this instruction meanwhile.
    await trx('settlement_queue').where({ instruction_id: found.id }).forUpdate().first();
    const row: InstructionRow = await trx('settlement_instructions').where({ id: found.id }).forUpdate().first();
    if (row.status !== 'pending' && row.status !== 'failed') {
      throw new Rejection('WRONG_STATE', `the instruction is ${row.status}`, { settlementId: id, status: row.status });
    }
    const references = [
      { reference: row.buyer_hold_reference, partyId: row.buyer_party_id, asset: 'USD' },
      { reference: row.seller_hold_reference, partyId: row.seller_party_id, asset: row.note_id },
    ].filter((h): h is { reference: string; partyId: string; asset: string } => h.reference !== null);
    const active: { reference: string }[] = await trx('ledger_holds')
      .whereIn(
        'reference',
        references.map((h) => h.reference),
      )
      .andWhere('status', 'active')
      .select('reference');
    await releaseHolds(
      trx,
      references.map((h) => ({ reference: h.reference })),
    );
    await trx('settlement_queue').where({ instruction_id: row.id }).delete();
    const [updated]: InstructionRow[] = await trx('settlement_instructions')
      .where({ id: row.id })
      .update({ status: 'cancelled', cancel_reason: reason, updated_at: trx.fn.now() })
      .returning('*');
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'settlement.cancel',
        entity: `settlement-instruction:${row.id}`,
        details: { tradeId: row.trade_id, noteId: row.note_id, previousStatus: row.status, netAmount: String(row.net_amount), reason },
      });
    }
    const released = new Set(active.map((h) => h.reference));
    return { instruction: updated as InstructionRow, releasedHolds: references.filter((h) => released.has(h.reference)) };
  });
}
