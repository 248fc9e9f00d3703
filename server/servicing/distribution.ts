/**
 * A distribution: a deal's waterfall run for one payment date, paid through the ledger. The
 * waterfall itself is the pure step engine (server/waterfall), fed with the trust's state, the
 * deal's free cash and the period's metrics (metrics.ts: the performance report of the collection
 * period's last month, or without one the collections' dscr); this module does the I/O around it.
 *
 * - Payment date: not after the business date (DATE_AFTER_BUSINESS_DATE), after the deal's last
 *   one (WRONG_STATE), with collections recorded for it (NO_COLLECTIONS), and with the
 *   performance report when a trigger tests a metric only reports supply (PERFORMANCE_REPORT_NOT_FOUND).
 * - Record date: the business day before the payment date. Holders of record are the parties'
 *   note positions from the ledger (postings dated on or before the record date); a trade that
 *   settles after the record date does not carry the payment (no payment claims).
 * - Each class's interest and principal go to its holders pro rata to original face held
 *   (allocation.ts: floored to cents; holders outside the venue through the paying agent; the
 *   sub-cent remainder stays in the trust as free cash). Senior fees go to the fees account, the
 *   residual to the sponsor outside the venue. Reserve and trapped cash stay inside the trust.
 * - Principal lowers each class's balance and its note's factor = balance ÷ original face,
 *   rounded half-even to 12 decimals.
 * - Open trades of a note whose factor changed that settle after the record date are re-amounted
 *   at the new factor (reamount.ts): their seller, as holder of record, received the payment.
 * All of it — ledger entries, the deal's balances, factors, re-amounted trades, the trustee
 * report — commits in one transaction. Running the same payment date again returns the stored
 * report and changes nothing.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { previousBusinessDay } from '../domain/calendar.js';
import { addMonths, parseIsoDate } from '../domain/dates.js';
import { yearFraction, type DayCountConvention } from '../domain/daycount.js';
import { CASH_ASSET, postEntries, type EntryInput, type PostingInput } from '../ledger/index.js';
import { getDeal, type Deal } from '../refdata/deals.js';
import { listNotes, setNoteFactor, type Note } from '../refdata/notes.js';
import { assertNotAfterBusinessDate } from '../businessdate/index.js';
import { allocateToHolders, type HolderOfRecord, type HolderShare } from './allocation.js';
import { getWaterfall, type WaterfallDefinition } from './definition.js';
import { metricsNeedingReport, periodMetricsSource } from './metrics.js';
import { metricValuesForPaymentDate } from '../performance/store.js';
import { markedMetricValuesForPaymentDate } from '../collateral/gpu-values.js';
import { lockClassStates, lockDealState, writeClassStates, writeDealState } from './state.js';
import { runWaterfallPeriod, type ClassFlow, type WaterfallPeriodResult, type WaterfallState } from '../waterfall/index.js';
import { buildReport, type TrusteeReport } from './report.js';
import { reamountUnsettledTrades, type Reamounted } from './reamount.js';
import { periodRateFixings, type PeriodRateFixing } from './fixings.js';

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

export async function runDistribution(
  knex: Knex,
  dealId: string,
  paymentDate: string,
  createdBy: string | null,
  actor?: AuditActor,
  fixings: Readonly<Record<string, string>> = {},
): Promise<DistributionOutcome> {
  const deal = await getDeal(knex, dealId);
  const definition = await getWaterfall(knex, deal.id);
  const businessDate = await assertNotAfterBusinessDate(knex, paymentDate, 'the payment date');
  const stored = await storedReport(knex, deal.id, paymentDate);
  if (stored) return { replayed: true, report: stored, credits: [], notes: [], recordDate: null, adjustments: [] };
  return inTransaction(knex, async (trx) => {
    const state = await lockDealState(trx, deal.id);
    const again = await storedReport(trx, deal.id, paymentDate);
    if (again) return { replayed: true, report: again, credits: [], notes: [], recordDate: null, adjustments: [] };
    if (state.lastPaymentDate !== null && paymentDate <= state.lastPaymentDate) {
      throw new Rejection('WRONG_STATE', `the last distribution of this deal was on ${state.lastPaymentDate}`, {
        lastPaymentDate: state.lastPaymentDate,
      });
    }
    // A floating class accrues its index's fixing for the period + its margin: the request's fixing, else
    // the stored one in effect (fixings.ts: on or before the determination date); neither → refused.
    const periodStart = state.lastPaymentDate ?? addMonths(parseIsoDate(paymentDate), -12 / definition.paymentsPerYear);
    const rateFixings = await periodRateFixings(trx, definition, periodStart, fixings);
    const collections: { revenue: string; operating_costs: string; utilization: string; uptime: string; power_cost: string }[] = await trx(
      'servicing_collections',
    )
      .where({ deal_id: deal.id, payment_date: paymentDate, status: 'active' })
      .select('revenue', 'operating_costs', 'utilization', 'uptime', 'power_cost');
    if (collections.length === 0) throw new Rejection('NO_COLLECTIONS', `no collections are recorded for ${paymentDate}`, { paymentDate });
    // An LTV trigger tests the LTV marked by the GPU value index on the payment date (collateral/gpu-values.ts).
    const reportMetrics = await markedMetricValuesForPaymentDate(
      trx,
      deal.id,
      paymentDate,
      await metricValuesForPaymentDate(trx, deal.id, paymentDate),
    );
    const needed = metricsNeedingReport(definition);
    if (reportMetrics === null && needed.length > 0) {
      throw new Rejection(
        'PERFORMANCE_REPORT_NOT_FOUND',
        `the triggers test ${needed.join(', ')}: file the performance report for the last month of ${paymentDate}'s collection period first`,
        { paymentDate, metrics: needed },
      );
    }
    const outcome = await distribute(trx, {
      deal,
      definition,
      paymentDate,
      businessDate,
      createdBy,
      state,
      collections,
      reportMetrics,
      periodStart,
      rateFixings,
    });
    if (actor) {
      const paid = outcome.credits.reduce((total, c) => total.plus(c.amount), new Decimal(0));
      await appendAudit(trx, {
        actor,
        action: 'distribution.run',
        entity: `deal:${deal.id}/distribution:${paymentDate}`,
        details: {
          paymentDate,
          recordDate: outcome.recordDate,
          holdersPaid: outcome.credits.length,
          paidToHolders: paid.toFixed(2),
          ...(rateFixings.length > 0
            ? { rateFixings: rateFixings.map((f) => ({ index: f.index, fixingPercent: f.fixingPercent, source: f.source })) }
            : {}),
        },
      });
    }
    return outcome;
  });
}

interface DistributionContext {
  deal: Deal;
  definition: WaterfallDefinition;
  paymentDate: string;
  businessDate: string;
  createdBy: string | null;
  state: Awaited<ReturnType<typeof lockDealState>>;
  collections: { revenue: string; operating_costs: string; utilization: string; uptime: string; power_cost: string }[];
  /** The performance report's metrics for the payment date (metrics.ts), or null: the collections' dscr only. */
  reportMetrics: ReadonlyMap<string, Decimal> | null;
  /** The accrual period's start: the last payment date, else one payment period before this one. */
  periodStart: string;
  /** Each floating class's fixing and coupon for the period (fixings.ts). */
  rateFixings: PeriodRateFixing[];
}

async function distribute(trx: Knex.Transaction, ctx: DistributionContext): Promise<DistributionOutcome> {
  const { deal, definition, paymentDate, state } = ctx;
  const notesById = new Map((await listNotes(trx, { dealId: deal.id })).map((n) => [n.id, n]));
  const notes = definition.classes.map((c) => notesById.get(c.noteId) as Note);
  const classStates = await lockClassStates(trx, deal.id, notes);
  const { periodStart, rateFixings } = ctx;
  const recordDate = previousBusinessDay(parseIsoDate(paymentDate));
  // A fixed class accrues its note's coupon; a floating one the period's fixing + its margin.
  const couponOf = (i: number) => {
    const fixed = rateFixings.find((f) => f.className === definition.classes[i]!.className);
    return new Decimal(fixed ? fixed.couponPercent : notes[i]!.couponRate);
  };
  const revenue = sum(ctx.collections.map((c) => c.revenue));
  const costs = sum(ctx.collections.map((c) => c.operating_costs));
  const before: WaterfallState = {
    classes: new Map(
      definition.classes.map((c) => {
        const s = classStates.get(c.noteId)!;
        return [
          c.className,
          {
            balance: s.balance,
            interestShortfall: s.interestShortfall,
            deferredInterest: s.deferredInterest,
            additionalInterestShortfall: s.additionalInterestShortfall,
          },
        ];
      }),
    ),
    feeShortfall: state.feeShortfall,
    reserveBalance: state.reserveBalance,
    trappedCash: state.trappedCash,
    triggers: state.triggers,
  };
  const base = {
    paymentDate,
    accrualStart: periodStart,
    availableFunds: state.freeCash,
    feeYearFraction: new Decimal(1).div(definition.paymentsPerYear),
    accruals: new Map(
      definition.classes.map((c, i) => [
        c.className,
        {
          couponRatePercent: couponOf(i),
          yearFraction: accrualFraction(notes[i]!, periodStart, paymentDate, definition.paymentsPerYear),
        },
      ]),
    ),
  };
  const metrics = periodMetricsSource(ctx.reportMetrics, revenue.minus(costs))(definition, before, base);
  const result = runWaterfallPeriod(definition, before, { ...base, metrics });
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
    periodStart,
    recordDate,
    revenue,
    costs,
    result,
    metrics,
    metricsSource: ctx.reportMetrics === null ? 'collections' : 'performance_report',
    factors,
    payments: payments.byClass,
    retained: payments.retained.plus(result.unspent),
    rateFixings,
  });
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
  const rows = [...payments.byClass.entries()].flatMap(([noteId, shares]) =>
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
  const credits = [...payments.byClass.values()]
    .flat()
    .filter((s) => s.partyId !== null)
    .map((s) => ({ partyId: s.partyId as string, asset: CASH_ASSET, amount: s.interest.plus(s.principal) }));
  return { replayed: false, report, credits, notes: changedNotes, recordDate, adjustments };
}

function sum(values: readonly string[]): Decimal {
  return values.reduce((total, v) => total.plus(v), new Decimal(0));
}

/** The period's accrual fraction under the class's day count; ACT/ACT-ICMA pays a regular 1/frequency. */
function accrualFraction(note: Note, start: string, end: string, paymentsPerYear: number): Decimal {
  if (note.dayCount === 'ACT/ACT-ICMA') return new Decimal(1).div(paymentsPerYear);
  return yearFraction(note.dayCount as DayCountConvention, parseIsoDate(start), parseIsoDate(end));
}

export interface ClassPayment extends HolderShare {
  interest: Decimal;
  principal: Decimal;
}

/** Every kind of interest a class received this period: current and shortfall, deferred, post-ARD. */
export function interestReceived(c: ClassFlow): Decimal {
  return c.interestPaid.plus(c.deferredInterestPaid).plus(c.additionalInterestPaid);
}

async function holderPayments(trx: Knex.Transaction, result: WaterfallPeriodResult, notes: readonly Note[], recordDate: string) {
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

export function classEntryKey(dealId: string, paymentDate: string, noteId: string): string {
  return `distribution:${dealId}:${paymentDate}:${noteId}`;
}

function ledgerEntries(ctx: DistributionContext, result: WaterfallPeriodResult, byClass: Map<string, ClassPayment[]>): EntryInput[] {
  const trust = { systemCode: 'trust' as const, asset: CASH_ASSET };
  const outside = { systemCode: 'external-cash' as const, asset: CASH_ASSET };
  const base = { kind: 'distribution' as const, businessDate: ctx.businessDate, createdBy: ctx.createdBy };
  const entries: EntryInput[] = [];
  for (const c of result.classFlows) {
    const lines = byClass.get(c.noteId) ?? [];
    const paid = lines.reduce((total, l) => total.plus(l.amount), new Decimal(0));
    if (paid.isZero()) continue;
    const postings: PostingInput[] = [{ account: trust, amount: paid.negated() }];
    for (const line of lines)
      postings.push({ account: line.partyId === null ? outside : { partyId: line.partyId, asset: CASH_ASSET }, amount: line.amount });
    entries.push({
      ...base,
      idempotencyKey: classEntryKey(ctx.deal.id, ctx.paymentDate, c.noteId),
      description: `${ctx.deal.name} class ${c.className}: interest and principal for ${ctx.paymentDate}`,
      metadata: {
        dealId: ctx.deal.id,
        noteId: c.noteId,
        paymentDate: ctx.paymentDate,
        interest: interestReceived(c).toFixed(2),
        principal: c.principalPaid.toFixed(2),
      },
      postings,
    });
  }
  if (result.fees.paid.gt(0)) {
    entries.push({
      ...base,
      idempotencyKey: `distribution:${ctx.deal.id}:${ctx.paymentDate}:fees`,
      description: `${ctx.deal.name} senior fees for ${ctx.paymentDate}`,
      metadata: { dealId: ctx.deal.id, paymentDate: ctx.paymentDate },
      postings: [
        { account: trust, amount: result.fees.paid.negated() },
        { account: { systemCode: 'fees', asset: CASH_ASSET }, amount: result.fees.paid },
      ],
    });
  }
  if (result.residual.gt(0)) {
    entries.push({
      ...base,
      idempotencyKey: `distribution:${ctx.deal.id}:${ctx.paymentDate}:residual`,
      description: `${ctx.deal.name} excess cash released to the residual holder for ${ctx.paymentDate}`,
      metadata: { dealId: ctx.deal.id, paymentDate: ctx.paymentDate },
      postings: [
        { account: trust, amount: result.residual.negated() },
        { account: outside, amount: result.residual },
      ],
    });
  }
  return entries;
}

async function storedReport(db: Knex | Knex.Transaction, dealId: string, paymentDate: string): Promise<TrusteeReport | null> {
  const row: { report: unknown } | undefined = await db('distributions')
    .where({ deal_id: dealId, payment_date: paymentDate })
    .first('report');
  if (!row) return null;
  return (typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as TrusteeReport;
}
