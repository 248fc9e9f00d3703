/**
 * Performance reports in the database: recording a version (a new period or a restatement), and
 * reading the metrics of a deal's periods, always from the latest version of each period.
 *
 * Guarantees:
 * - Periods are month ends recorded in order: a deal's first report may be any past month end, every
 *   new period is the month after the last one (PERIOD_OUT_OF_ORDER), none after the business date.
 * - A report for a period already recorded is a restatement: version + 1, with a reason
 *   (RESTATEMENT_REASON_REQUIRED) and who recorded it; earlier versions stay as they were.
 * - A restatement is measured against the same deal figures (note balance, debt service) as the
 *   version it restates; a new period against the deal's balances when it is recorded.
 * - Metrics are computed by computeMetrics along the chain of latest versions, so an average always
 *   reads the restated figures of the periods it averages (metricsForPeriod, metricHistory and the
 *   API agree). Each version also keeps the metrics as published when it was stored.
 * Recording is serialised per deal (the deal's servicing-state row lock).
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { Decimal } from '../domain/decimal.js';
import { addMonths, lastDayOfMonth, monthOf, parseIsoDate, yearOf } from '../domain/dates.js';
import { getDeal } from '../refdata/deals.js';
import { listNotes } from '../refdata/notes.js';
import { lockDealState } from '../servicing/state.js';
import { computeMetrics, metricsMap, metricsToWire, type DealMetrics } from './metrics.js';
import { dealPaymentDates } from '../servicing/calendar.js';
import { debtServiceTerms, monthlyDebtService, noteBalance, type DebtServiceClass } from './debt-service.js';

export { debtServiceTerms };
import { checkReport, toFigures, type PerformanceReportInput } from './report.js';
import { parseWaterfallDefinition } from '../waterfall/index.js';

type Db = Knex | Knex.Transaction;

interface ReportRow {
  id: string;
  deal_id: string;
  period_end: string;
  version: number;
  report: unknown;
  note_balance: string;
  debt_service: string;
  metrics: unknown;
  reason: string | null;
  recorded_by: string | null;
  created_at: Date | string;
}

export interface StoredReport {
  id: string;
  dealId: string;
  periodEnd: string;
  version: number;
  reason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  noteBalance: Decimal;
  debtService: Decimal;
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function toStored(row: ReportRow): StoredReport {
  return {
    id: String(row.id),
    dealId: row.deal_id,
    periodEnd: row.period_end,
    version: row.version,
    reason: row.reason,
    recordedBy: row.recorded_by,
    recordedAt: new Date(row.created_at).toISOString(),
    report: json(row.report),
    noteBalance: new Decimal(row.note_balance),
    debtService: new Decimal(row.debt_service),
  };
}

/** The month end after `periodEnd`. */
export function nextMonthEnd(periodEnd: string): string {
  const next = addMonths(parseIsoDate(`${periodEnd.slice(0, 8)}01`), 1);
  return lastDayOfMonth(yearOf(next), monthOf(next));
}

/** Latest version of each period (ascending by period), up to `upTo` when given. */
async function latestVersions(db: Db, dealId: string, upTo?: string): Promise<StoredReport[]> {
  const rows: ReportRow[] = await db('performance_reports as r')
    .where('r.deal_id', dealId)
    .modify((q) => {
      if (upTo) q.where('r.period_end', '<=', upTo);
    })
    .whereNotExists(
      db('performance_reports as n').whereRaw('n.deal_id = r.deal_id and n.period_end = r.period_end and n.version > r.version'),
    )
    .orderBy('r.period_end')
    .select('r.*');
  return rows.map(toStored);
}

/** Latest versions of the periods ending within [from, to], ascending. */
export async function periodReports(db: Db, dealId: string, from: string, to: string): Promise<StoredReport[]> {
  return (await latestVersions(db, dealId, to)).filter((r) => r.periodEnd >= from);
}

/** computeMetrics along a chain of consecutive periods (ascending); returns them in the same order. */
export function metricsChain(reports: readonly StoredReport[]): DealMetrics[] {
  const out: DealMetrics[] = [];
  for (const r of reports) {
    const previous = out.slice(-2).reverse();
    out.push(computeMetrics({ report: toFigures({ ...r.report }), noteBalance: r.noteBalance, debtService: r.debtService, previous }));
  }
  return out;
}

/** The metrics of a period from the latest versions, or null when the period has no report. */
export async function metricsForPeriod(db: Db, dealId: string, periodEnd: string): Promise<DealMetrics | null> {
  const chain = metricsChain(await latestVersions(db, dealId, periodEnd));
  const last = chain[chain.length - 1];
  return last && last.periodEnd === periodEnd ? last : null;
}

/**
 * For servicing: metric name → value of the last month of a payment date's collection period
 * (the deal's calendar), from the latest report versions; null when that month has no report.
 * What a waterfall trigger tests on that payment date.
 */
export async function metricValuesForPaymentDate(
  db: Db,
  dealId: string,
  paymentDate: string,
): Promise<ReadonlyMap<string, Decimal> | null> {
  const period = dealPaymentDates(await listNotes(db, { dealId })).find((p) => p.paymentDate === paymentDate);
  if (!period) return null;
  const metrics = await metricsForPeriod(db, dealId, period.periodEnd);
  return metrics ? metricsMap(metrics) : null;
}

/** The metrics of the `count` periods up to and including `upTo`, most recent first. */
export async function metricHistory(db: Db, dealId: string, upTo: string, count: number): Promise<DealMetrics[]> {
  return metricsChain(await latestVersions(db, dealId, upTo))
    .reverse()
    .slice(0, count);
}

/**
 * What the deal's notes and waterfall say a month of debt service is, and the balance outstanding,
 * for a report of the month ending `periodEnd` (which decides the scheduled principal around the ARD).
 */
export async function dealFigures(db: Db, dealId: string, periodEnd: string): Promise<{ noteBalance: Decimal; debtService: Decimal }> {
  const notes = await listNotes(db, { dealId });
  const states: { note_id: string; balance: string }[] = await db('deal_class_state')
    .where({ deal_id: dealId })
    .select('note_id', 'balance');
  const balances = new Map(states.map((s) => [s.note_id, new Decimal(s.balance)]));
  const classes: DebtServiceClass[] = notes.map((n) => ({
    balance: balances.get(n.id) ?? new Decimal(n.originalFace).mul(n.factor),
    couponRatePercent: new Decimal(n.couponRate),
  }));
  const row: { definition: unknown } | undefined = await db('deal_waterfalls').where({ deal_id: dealId }).first('definition');
  const definition = row ? parseWaterfallDefinition(json(row.definition)) : null;
  return {
    noteBalance: noteBalance(classes),
    debtService: monthlyDebtService(classes, debtServiceTerms(definition, notes[0]?.frequency ?? 12, periodEnd)),
  };
}

export interface ReportView {
  dealId: string;
  periodEnd: string;
  version: number;
  reason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  noteBalance: string;
  debtService: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  metrics: ReturnType<typeof metricsToWire>;
}

function view(r: StoredReport, metrics: DealMetrics): ReportView {
  return {
    dealId: r.dealId,
    periodEnd: r.periodEnd,
    version: r.version,
    reason: r.reason,
    recordedBy: r.recordedBy,
    recordedAt: r.recordedAt,
    noteBalance: r.noteBalance.toFixed(2),
    debtService: r.debtService.toFixed(2),
    report: r.report,
    metrics: metricsToWire(metrics),
  };
}

export async function recordPerformanceReport(
  knex: Knex,
  dealId: string,
  input: PerformanceReportInput,
  recordedBy: string | null,
  businessDate: string,
  actor?: AuditActor,
): Promise<ReportView> {
  const deal = await getDeal(knex, dealId);
  checkReport(input);
  if (input.periodEnd > businessDate)
    throw new Rejection('PERIOD_OUT_OF_ORDER', `the period ${input.periodEnd} has not ended on the business date ${businessDate}`, {
      periodEnd: input.periodEnd,
      businessDate,
    });
  const { reason, ...report } = input;
  return inTransaction(knex, async (trx) => {
    await lockDealState(trx, deal.id);
    const chain = await latestVersions(trx, deal.id);
    const existing = chain.find((r) => r.periodEnd === report.periodEnd);
    const last = chain[chain.length - 1];
    let figures: { noteBalance: Decimal; debtService: Decimal };
    if (existing) {
      if (!reason)
        throw new Rejection(
          'RESTATEMENT_REASON_REQUIRED',
          `${report.periodEnd} is already reported (version ${existing.version}): a restatement says why`,
          { periodEnd: report.periodEnd, version: existing.version },
        );
      figures = { noteBalance: existing.noteBalance, debtService: existing.debtService };
    } else {
      if (last && report.periodEnd !== nextMonthEnd(last.periodEnd)) {
        throw new Rejection('PERIOD_OUT_OF_ORDER', `the next period of this deal is ${nextMonthEnd(last.periodEnd)}`, {
          periodEnd: report.periodEnd,
          expected: nextMonthEnd(last.periodEnd),
        });
      }
      figures = await dealFigures(trx, deal.id, report.periodEnd);
    }
    const version = existing ? existing.version + 1 : 1;
    const stored: StoredReport = {
      id: '',
      dealId: deal.id,
      periodEnd: report.periodEnd,
      version,
      reason: reason ?? null,
      recordedBy,
      recordedAt: '',
      report,
      ...figures,
    };
    const upTo = chain.filter((r) => r.periodEnd < report.periodEnd);
    const metrics = metricsChain([...upTo.slice(-2), stored]).pop()!;
    const [row]: ReportRow[] = await trx('performance_reports')
      .insert({
        deal_id: deal.id,
        period_end: report.periodEnd,
        version,
        report: JSON.stringify(report),
        note_balance: figures.noteBalance.toFixed(),
        debt_service: figures.debtService.toFixed(2),
        metrics: JSON.stringify(metricsToWire(metrics)),
        reason: reason ?? null,
        recorded_by: recordedBy,
      })
      .returning('*');
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'performance_report.file',
        entity: `deal:${deal.id}/performance-report:${report.periodEnd}`,
        details: { periodEnd: report.periodEnd, version, ...(reason ? { reason } : {}) },
      });
    }
    return view(toStored(row as ReportRow), metrics);
  });
}

/** Latest version of each period in [from, to], newest first, with metrics along the chain. */
export async function listPerformanceReports(db: Db, dealId: string, range: { from?: string; to?: string } = {}): Promise<ReportView[]> {
  const deal = await getDeal(db, dealId);
  const reports = await latestVersions(db, deal.id, range.to);
  const chain = metricsChain(reports);
  return reports
    .map((r, i) => view(r, chain[i]!))
    .filter((v) => range.from === undefined || v.periodEnd >= range.from)
    .reverse();
}

/** Every version of one period, oldest first, with the metrics as published when each was stored. */
export async function reportVersions(db: Db, dealId: string, periodEnd: string) {
  const deal = await getDeal(db, dealId);
  const rows: ReportRow[] = await db('performance_reports')
    .where({ deal_id: deal.id, period_end: periodEnd })
    .orderBy('version')
    .select('*');
  if (rows.length === 0) throw new Rejection('PERFORMANCE_REPORT_NOT_FOUND', `no performance report for ${periodEnd}`, { periodEnd });
  return rows.map((row) => {
    const r = toStored(row);
    return {
      periodEnd: r.periodEnd,
      version: r.version,
      reason: r.reason,
      recordedBy: r.recordedBy,
      recordedAt: r.recordedAt,
      report: r.report,
      publishedMetrics: json<Record<string, string | null>>(row.metrics),
    };
  });
}

/** The latest metrics of every deal that has a report: the cross-deal comparison. */
export async function latestMetricsByDeal(
  db: Db,
): Promise<{ dealId: string; dealName: string; periodEnd: string; version: number; metrics: ReturnType<typeof metricsToWire> }[]> {
  const deals: { id: string; name: string }[] = await db('deals')
    .whereIn('id', db('performance_reports').distinct('deal_id'))
    .orderBy('name')
    .select('id', 'name');
  const out = [];
  for (const deal of deals) {
    const reports = await latestVersions(db, deal.id);
    const chain = metricsChain(reports);
    const last = reports[reports.length - 1]!;
    out.push({
      dealId: deal.id,
      dealName: deal.name,
      periodEnd: last.periodEnd,
      version: last.version,
      metrics: metricsToWire(chain[chain.length - 1]!),
    });
  }
  return out;
}
