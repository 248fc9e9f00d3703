/**
 * Pays a distribution's period, in the distribution's transaction: runs the waterfall
 * (distribution-period.ts), pays the holders of record through the ledger (holder-payments.ts,
 * distribution-entries.ts), lowers each class's balance and its note's factor, re-amounts the
 * open trades of a note whose factor changed (reamount.ts), writes the deal's new state, and
 * stores the trustee report (report.ts) with each holder's payment.
 *
 * Guarantees: a note's factor = its class's balance ÷ original face, rounded half-even to
 * FACTOR_PLACES decimals, and changes only when the class was paid principal.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { previousBusinessDay } from '../domain/calendar.js';
import { parseIsoDate } from '../domain/dates.js';
import { CASH_ASSET, postEntries } from '../ledger/index.js';
import { listNotes, setNoteFactor, type Note } from '../refdata/notes.js';
import type { DistributionContext } from './distribution-inputs.js';
import { classEntryKey, ledgerEntries } from './distribution-entries.js';
import { runDistributionPeriod } from './distribution-period.js';
import { holderPayments } from './holder-payments.js';
import { lockClassStates, writeClassStates, writeDealState } from './state.js';
import { buildReport, type TrusteeReport } from './report.js';
import type { ClassPayment } from './holder-payments.js';
import { reamountUnsettledTrades, type Reamounted } from './reamount.js';

export const FACTOR_PLACES = 12;

export interface DistributionOutcome {
  replayed: boolean;
  report: TrusteeReport;
  /** Cash credited to parties, for the trading side's available balances. */
  credits: { partyId: string; asset: string; amount: Decimal }[];
  /** Notes whose factor changed. */
  notes: Note[];
  /** The record date of the payment (null for a replay). */
  recordDate: string | null;
  /** Open trades re-amounted at their note's new factor. */
  adjustments: Reamounted[];
}

export async function distribute(trx: Knex.Transaction, ctx: DistributionContext): Promise<DistributionOutcome> {
  const { deal, definition, paymentDate } = ctx;
  const notesById = new Map((await listNotes(trx, { dealId: deal.id })).map((n) => [n.id, n]));
  const notes = definition.classes.map((c) => notesById.get(c.noteId) as Note);
  const classStates = await lockClassStates(trx, deal.id, notes);
  const recordDate = previousBusinessDay(parseIsoDate(paymentDate));
  const { revenue, costs, metrics, result } = runDistributionPeriod(ctx, notes, classStates);
  const payments = await holderPayments(trx, result, notes, recordDate);
  const entries = ledgerEntries(ctx, result, payments.byClass);
  const posted = await postEntries(trx, entries);
  const entryIds = new Map(posted.map((p) => [p.idempotencyKey, p.id]));

  const changedNotes: Note[] = [];
  const factors = new Map<string, { before: Decimal; after: Decimal }>();
  for (const c of result.classFlows) {
    const note = notesById.get(c.noteId)!;
    const factorBefore = new Decimal(note.factor);
    const factorAfter = c.principalPaid.isZero() ? factorBefore : roundHalfEven(c.balanceAfter.div(note.originalFace), FACTOR_PLACES);
    factors.set(c.noteId, { before: factorBefore, after: factorAfter });
    if (!factorAfter.eq(factorBefore)) changedNotes.push(await setNoteFactor(trx, c.noteId, factorAfter));
    const next = result.state.classes.get(c.className)!;
    Object.assign(classStates.get(c.noteId)!, next);
  }
  const adjustments: Reamounted[] = [];
  for (const note of changedNotes) adjustments.push(...(await reamountUnsettledTrades(trx, note, paymentDate, recordDate)));
  await writeClassStates(trx, classStates.values());
  await writeDealState(trx, deal.id, {
    freeCash: payments.retained.plus(result.unspent),
    reserveBalance: result.state.reserveBalance,
    trappedCash: result.state.trappedCash,
    feeShortfall: result.state.feeShortfall,
    lastPaymentDate: paymentDate,
    triggers: new Map(result.state.triggers),
  });
  const report = buildReport({
    ...ctx,
    recordDate,
    revenue,
    costs,
    result,
    metrics,
    metricsSource: ctx.reportMetrics === null ? 'collections' : 'performance_report',
    factors,
    payments: payments.byClass,
    retained: payments.retained.plus(result.unspent),
  });
  await storeDistribution(trx, ctx, recordDate, report, payments.byClass, entryIds);
  const credits = [...payments.byClass.values()]
    .flat()
    .filter((s) => s.partyId !== null)
    .map((s) => ({ partyId: s.partyId as string, asset: CASH_ASSET, amount: s.interest.plus(s.principal) }));
  return { replayed: false, report, credits, notes: changedNotes, recordDate, adjustments };
}

/** The distribution's row with its trustee report (what a replay returns), and one row per holder paid per class with its entry. */
async function storeDistribution(
  trx: Knex.Transaction,
  ctx: DistributionContext,
  recordDate: string,
  report: TrusteeReport,
  byClass: Map<string, ClassPayment[]>,
  entryIds: Map<string, string>,
): Promise<void> {
  const { deal, paymentDate } = ctx;
  const [distribution]: { id: string }[] = await trx('distributions')
    .insert({
      deal_id: deal.id,
      payment_date: paymentDate,
      record_date: recordDate,
      business_date: ctx.businessDate,
      report: JSON.stringify(report),
      created_by: ctx.createdBy,
    })
    .returning('id');
  const rows = [...byClass.entries()].flatMap(([noteId, shares]) =>
    shares.map((s) => ({
      distribution_id: distribution!.id,
      deal_id: deal.id,
      payment_date: paymentDate,
      note_id: noteId,
      party_id: s.partyId,
      face_of_record: s.face.toFixed(),
      interest: s.interest.toFixed(2),
      principal: s.principal.toFixed(2),
      entry_id: entryIds.get(classEntryKey(deal.id, paymentDate, noteId)),
    })),
  );
  if (rows.length > 0) await trx('distribution_payments').insert(rows);
}
