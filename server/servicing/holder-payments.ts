/**
 * What each holder of record receives of a distribution: the parties' note positions on the
 * record date from the ledger, and each class's interest and principal shared among them pro rata
 * to original face held (allocation.ts: floored to cents; holders outside the venue through the
 * paying agent; the sub-cent remainder stays in the trust as free cash).
 *
 * Never: writes anything; a trade that settles after the record date does not carry the payment
 * (no payment claims), because positions come from postings dated on or before the record date.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import type { Note } from '../refdata/notes.js';
import type { ClassFlow, WaterfallPeriodResult } from '../waterfall/index.js';
import { allocateToHolders, type HolderOfRecord, type HolderShare } from './allocation.js';

export interface ClassPayment extends HolderShare {
  interest: Decimal;
  principal: Decimal;
}

/** Every kind of interest a class received this period: current and shortfall, deferred, post-ARD. */
export function interestReceived(c: ClassFlow): Decimal {
  return c.interestPaid.plus(c.deferredInterestPaid).plus(c.additionalInterestPaid);
}

export async function holderPayments(trx: Knex.Transaction, result: WaterfallPeriodResult, notes: readonly Note[], recordDate: string) {
  const byClass = new Map<string, ClassPayment[]>();
  let retained = new Decimal(0);
  for (const c of result.classFlows) {
    const note = notes.find((n) => n.id === c.noteId)!;
    const holders = await holdersOfRecord(trx, c.noteId, recordDate);
    const originalFace = new Decimal(note.originalFace);
    const interest = allocateToHolders(interestReceived(c), originalFace, holders);
    const principal = allocateToHolders(c.principalPaid, originalFace, holders);
    retained = retained.plus(interest.remainder).plus(principal.remainder);
    const lines = new Map<string, ClassPayment>();
    for (const [share, kind] of [
      ...interest.shares.map((s) => [s, 'interest'] as const),
      ...principal.shares.map((s) => [s, 'principal'] as const),
    ]) {
      const key = share.partyId ?? '';
      const line = lines.get(key) ?? {
        partyId: share.partyId,
        face: share.face,
        amount: new Decimal(0),
        interest: new Decimal(0),
        principal: new Decimal(0),
      };
      line[kind] = line[kind].plus(share.amount);
      line.amount = line.interest.plus(line.principal);
      lines.set(key, line);
    }
    byClass.set(c.noteId, [...lines.values()]);
  }
  return { byClass, retained };
}

/** Parties' original face of the note from postings dated on or before the record date. */
export async function holdersOfRecord(db: Knex | Knex.Transaction, noteId: string, recordDate: string): Promise<HolderOfRecord[]> {
  const result = await db.raw(
    `select a.party_id, sum(p.amount) as face from ledger_postings p
       join ledger_accounts a on a.id = p.account_id join ledger_entries e on e.id = p.entry_id
      where a.asset = ? and a.party_id is not null and e.business_date <= ?::date
      group by a.party_id having sum(p.amount) > 0 order by a.party_id`,
    [noteId, recordDate],
  );
  return (result.rows as { party_id: string; face: string }[]).map((r) => ({ partyId: r.party_id, face: new Decimal(r.face) }));
}
