/**
 * The trustee report of a payment date (DOMAIN.md §3, "statements to noteholders"): collections
 * and performance facts, DSCR and triggers, senior fees, reserve and trapped cash, and per class
 * the interest and principal paid, shortfalls, balance and factor before and after; plus what
 * each holder of record received. Built once when the distribution runs and stored with it.
 *
 * It shows its working: the metrics the triggers tested; per trigger the value tested, the
 * threshold, whether it is breached and on, and its cure count; per step whether it ran and its
 * cash in (funds before, from the reserve, from trapped cash) and out (paid, to the reserve, to
 * trapped cash, funds after), and which classes it paid. A holder's `interest` is every kind of
 * interest its class received (current and shortfall, deferred, post-ARD).
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { Rejection } from '../core/rejections.js';
import type { Deal } from '../refdata/deals.js';
import type { PeriodRateFixing } from './fixings.js';
import type { PeriodMetrics, WaterfallPeriodResult } from '../waterfall/index.js';

interface ReportInput {
  deal: Deal;
  paymentDate: string;
  periodStart: string;
  recordDate: string;
  revenue: Decimal;
  costs: Decimal;
  collections: { utilization: string; uptime: string; power_cost: string }[];
  result: WaterfallPeriodResult;
  metrics: PeriodMetrics;
  /** Where the metrics came from: the collection period's last performance report, or the collections alone. */
  metricsSource: 'performance_report' | 'collections';
  factors: Map<string, { before: Decimal; after: Decimal }>;
  payments: Map<string, { partyId: string | null; face: Decimal; interest: Decimal; principal: Decimal }[]>;
  retained: Decimal;
  /** Floating classes: the period's fixing (stored or given with the request), the coupon it made (index + margin). */
  rateFixings?: PeriodRateFixing[];
}

const cash = (d: Decimal) => d.toFixed(2);
/** A metric as tested: exact up to 10 decimals (a quotient such as a DSCR is cut there, half-even). */
const metricValue = (d: Decimal) => roundHalfEven(d, 10).toFixed();

function average(values: readonly string[]): string {
  if (values.length === 0) return '0';
  return roundHalfEven(values.reduce((sum, v) => sum.plus(v), new Decimal(0)).div(values.length), 4).toFixed();
}

export function buildReport(input: ReportInput) {
  const { result } = input;
  const dscr = input.metrics.get('dscr');
  return {
    dealId: input.deal.id,
    dealName: input.deal.name,
    paymentDate: input.paymentDate,
    periodStart: input.periodStart,
    recordDate: input.recordDate,
    collections: {
      revenue: cash(input.revenue),
      operatingCosts: cash(input.costs),
      netCashFlow: cash(input.revenue.minus(input.costs)),
      utilizationPercent: average(input.collections.map((c) => c.utilization)),
      uptimePercent: average(input.collections.map((c) => c.uptime)),
      powerCost: cash(input.collections.reduce((sum, c) => sum.plus(c.power_cost), new Decimal(0))),
    },
    dscr: dscr === undefined ? null : roundHalfEven(dscr, 4).toFixed(),
    ...(input.rateFixings && input.rateFixings.length > 0 ? { rateFixings: input.rateFixings } : {}),
    metricsSource: input.metricsSource,
    metrics: Object.fromEntries([...input.metrics].map(([name, value]) => [name, metricValue(value)])),
    triggers: result.triggerResults.map((t) => ({
      name: t.name,
      metric: t.metric,
      comparison: t.comparison,
      value: t.value === null ? null : metricValue(t.value),
      threshold: t.threshold.toFixed(),
      testFailed: t.testFailed,
      breached: t.breached,
      on: t.on,
      cureCount: t.cureCount,
      curePeriods: t.curePeriods,
      lookbackPeriods: t.lookbackPeriods,
      effect: t.effect,
    })),
    cashTrapActive: result.cashTrapActive,
    fullCashSweep: result.sweepActive,
    rapidAmortization: result.rapidAmortization,
    seniorFees: {
      due: cash(result.fees.current.plus(result.fees.shortfallBefore)),
      paid: cash(result.fees.paid),
      shortfall: cash(result.fees.shortfallAfter),
    },
    reserve: {
      before: cash(result.reserve.before),
      draw: cash(result.reserve.draw),
      topUp: cash(result.reserve.topUp),
      after: cash(result.reserve.after),
    },
    trappedCash: {
      before: cash(result.trappedCash.before),
      added: cash(result.trappedCash.added),
      released: cash(result.trappedCash.released),
      sweptToPrincipal: cash(result.trappedCash.swept),
      after: cash(result.trappedCash.after),
    },
    residualReleased: cash(result.residual),
    retainedInTrust: cash(input.retained),
    steps: result.stepFlows.map((f) => ({
      step: f.index,
      kind: f.kind,
      label: f.label,
      ran: f.ran,
      availableBefore: cash(f.availableBefore),
      fromReserve: cash(f.fromReserve),
      fromTrappedCash: cash(f.fromTrappedCash),
      paid: cash(f.paid),
      toReserve: cash(f.toReserve),
      toTrappedCash: cash(f.toTrappedCash),
      deferred: cash(f.deferred),
      availableAfter: cash(f.availableAfter),
      paidTo: f.paidTo.map((p) => ({ className: p.className, amount: cash(p.amount) })),
    })),
    classes: result.classFlows.map((c) => ({
      noteId: c.noteId,
      className: c.className,
      interestDue: cash(c.interestCurrent),
      interestShortfallBefore: cash(c.interestShortfallBefore),
      interestPaid: cash(c.interestPaid),
      interestShortfall: cash(c.interestShortfallAfter),
      interestDeferred: cash(c.interestDeferred),
      deferredInterestBefore: cash(c.deferredInterestBefore),
      deferredInterestPaid: cash(c.deferredInterestPaid),
      deferredInterest: cash(c.deferredInterestAfter),
      additionalInterestDue: cash(c.additionalInterestCurrent),
      additionalInterestPaid: cash(c.additionalInterestPaid),
      additionalInterestShortfall: cash(c.additionalInterestShortfallAfter),
      principalPaid: cash(c.principalPaid),
      balanceBefore: cash(c.balanceBefore),
      balanceAfter: cash(c.balanceAfter),
      factorBefore: input.factors.get(c.noteId)!.before.toFixed(),
      factorAfter: input.factors.get(c.noteId)!.after.toFixed(),
    })),
    holders: [...input.payments.entries()].flatMap(([noteId, lines]) =>
      lines.map((l) => ({
        noteId,
        partyId: l.partyId,
        faceOfRecord: l.face.toFixed(),
        interest: cash(l.interest),
        principal: cash(l.principal),
      })),
    ),
  };
}

export type TrusteeReport = ReturnType<typeof buildReport>;

/**
 * The report as an investor or dealer may see it: every deal- and class-level figure, and of the
 * holders of record only its own rows (no other party's id or face, not even the paying agent's
 * aggregate of holders outside the venue). The back office and operators get the whole report.
 */
export function reportAsSeenBy(report: TrusteeReport, partyId: string): TrusteeReport {
  return { ...report, holders: report.holders.filter((h) => h.partyId === partyId) };
}

export async function trusteeReports(db: Knex, dealId: string, paymentDate?: string): Promise<TrusteeReport[]> {
  const rows: { report: unknown }[] = await db('distributions')
    .where({ deal_id: dealId })
    .modify((q) => {
      if (paymentDate) q.where({ payment_date: paymentDate });
    })
    .orderBy('payment_date', 'desc')
    .select('report');
  if (paymentDate && rows.length === 0)
    throw new Rejection('DISTRIBUTION_NOT_FOUND', `no distribution on ${paymentDate}`, { dealId, paymentDate });
  return rows.map((r) => (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as TrusteeReport);
}

/** The report stored with the payment date's distribution, or null: a distribution already run is replayed from it. */
export async function storedReport(db: Knex | Knex.Transaction, dealId: string, paymentDate: string): Promise<TrusteeReport | null> {
  const row: { report: unknown } | undefined = await db('distributions')
    .where({ deal_id: dealId, payment_date: paymentDate })
    .first('report');
  if (!row) return null;
  return (typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as TrusteeReport;
}
