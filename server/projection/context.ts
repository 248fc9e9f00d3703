/**
 * A deal's projection context: everything a projection of the deal starts from, loaded once — the
 * waterfall definition (the one servicing runs), the trust's actual state (servicing's balances,
 * shortfalls, reserve, trapped cash, trigger states where servicing keeps them, recent DSCRs from
 * the trustee reports), the collateral's base facts and stresses from the performance reports, the
 * GPU values at the start, the first period's recorded collections, and the benchmark curve.
 *
 * Guarantees: the context is read in one call and then only read; a deal that cannot be projected
 * is a Rejection (WATERFALL_NOT_DEFINED, COLLATERAL_NOT_AVAILABLE), never a half-filled context.
 * Must never: write to the database, run a projection, or price anything (service.ts,
 * class-analytics.ts do).
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { getDeal, type Deal } from '../refdata/deals.js';
import { listNotes, type Note } from '../refdata/notes.js';
import { parseWaterfallDefinition } from '../waterfall/index.js';
import { bootstrapZeroCurve, parCurve, type ParCurve, type ZeroCurve } from '../analytics/curve.js';
import { startFromReports, type FiledReport, type ReportStart } from './start.js';
import { startGpuValues, type GpuStartValue } from './gpu-values.js';
import { listPerformanceReports } from '../performance/store.js';
import { markedMetricValuesForPaymentDate, type FleetLine } from '../collateral/gpu-values.js';
import { dealPaymentDates } from '../servicing/calendar.js';
import { compileSetup, type CompiledSetup } from './fast-setup.js';
import type { ProjectionSetup, TriggerStart } from './model.js';
import { buildSetup, projectedPaymentDates, type TrustState } from './setup.js';
import { fixingInEffect } from '../servicing/fixings.js';
import { latestCurve, type StoredCurve } from './curves.js';

export const BENCHMARK = 'UST';
export interface DealContext {
  deal: Deal;
  notes: Note[];
  setup: ProjectionSetup;
  compiled: CompiledSetup;
  /** The collateral's base facts, base scenario and named stresses, from the trust's performance reports (start.ts). */
  collateral: ReportStart;
  /** The latest performance report the projection starts from, and the GPU values at the start. */
  report: { periodEnd: string; version: number };
  gpuValues: GpuStartValue[];
  businessDate: string;
  curve: { stored: StoredCurve; par: ParCurve; zero: ZeroCurve } | null;
}

/** A JSON column's value, parsed when the driver hands it over as text. */
export const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

async function trustState(db: Knex, dealId: string): Promise<TrustState> {
  const deal: Record<string, unknown> | undefined = await db('deal_servicing_state').where({ deal_id: dealId }).first();
  const classes: Record<string, unknown>[] = await db('deal_class_state').where({ deal_id: dealId }).select('*');
  const text = (v: unknown) => new Decimal(String(v ?? '0')).toFixed();
  return {
    freeCash: text(deal?.free_cash),
    reserveBalance: text(deal?.reserve_balance),
    trappedCash: text(deal?.trapped_cash),
    feeShortfall: text(deal?.fee_shortfall),
    lastPaymentDate: (deal?.last_payment_date as string | null | undefined) ?? null,
    classes: new Map(
      classes.map((c) => [
        String(c.note_id),
        {
          balance: text(c.balance),
          interestShortfall: text(c.interest_shortfall),
          deferredInterest: text(c.deferred_interest),
          additionalInterestShortfall: text(c.additional_interest_shortfall),
        },
      ]),
    ),
    // The published dscr of the reports before the first projected month (buildSetup reads them from the reports).
    recentDscrs: [],
    // Servicing keeps each trigger's state (on, cure count, recent failures) in trigger_state.
    triggers: (json(deal?.trigger_state ?? null) ?? {}) as Record<string, TriggerStart>,
  };
}

/**
 * The filed reports' published metrics by month end, as the triggers of a projected period test
 * them: for a payment date still ahead, servicing tests the LTV marked to that payment date by the
 * GPU value index (collateral/gpu-values.ts), so the projection does too and its first period
 * agrees with the distribution the trustee will run.
 */
async function triggerMetricsByMonthEnd(
  db: Knex,
  dealId: string,
  notes: readonly Note[],
  views: readonly { periodEnd: string; metrics: unknown }[],
  businessDate: string,
): Promise<Map<string, Record<string, string | null>>> {
  const paymentDateOf = new Map(dealPaymentDates(notes).map((p) => [p.periodEnd, p.paymentDate]));
  const result = new Map<string, Record<string, string | null>>();
  for (const view of views) {
    const metrics = view.metrics as Record<string, string | null>;
    const paymentDate = paymentDateOf.get(view.periodEnd);
    const ltv = metrics.ltvPercent;
    if (paymentDate === undefined || paymentDate <= businessDate || ltv === null || ltv === undefined) {
      result.set(view.periodEnd, metrics);
      continue;
    }
    const marked = await markedMetricValuesForPaymentDate(db, dealId, paymentDate, new Map([['ltvPercent', new Decimal(ltv)]]));
    result.set(view.periodEnd, { ...metrics, ltvPercent: marked?.get('ltvPercent')?.toFixed() ?? ltv });
  }
  return result;
}

export async function loadDealContext(db: Knex, dealId: string): Promise<DealContext> {
  const deal = await getDeal(db, dealId);
  const row: { definition: unknown } | undefined = await db('deal_waterfalls').where({ deal_id: deal.id }).first('definition');
  if (!row) throw new Rejection('WATERFALL_NOT_DEFINED', 'this deal has no waterfall definition', { dealId: deal.id });
  const definition = parseWaterfallDefinition(json(row.definition));
  const notes = await listNotes(db, { dealId: deal.id });
  const businessDate = await currentBusinessDate(db);
  const views = (await listPerformanceReports(db, deal.id, { to: businessDate })).reverse();
  if (views.length === 0)
    throw new Rejection('COLLATERAL_NOT_AVAILABLE', `${deal.name} has no performance report to project from`, {
      dealId: deal.id,
      field: 'performanceReports',
    });
  const reports: FiledReport[] = views.map((v) => ({ periodEnd: v.periodEnd, report: v.report, metrics: v.metrics }));
  // The latest report (views run oldest to newest) gives the fleet that the GPU value index marks.
  const latestFleet = (views[views.length - 1]!.report as { gpuFleet?: FleetLine[] }).gpuFleet ?? [];
  const gpuValues = await startGpuValues(db, latestFleet, businessDate);
  const state = await trustState(db, deal.id);
  // The current period: the first one projected; its fixing (stored, fixings.ts) is the base rate index.
  const { firstAccrualStart } = projectedPaymentDates(definition, notes, state.lastPaymentDate, businessDate);
  const start = startFromReports(
    reports,
    gpuValues.map((g) => ({ model: g.model, value: g.value })),
    await baseRateIndex(db, deal.id, definition, notes, firstAccrualStart),
  );
  const reportsByMonthEnd = await triggerMetricsByMonthEnd(db, deal.id, notes, views, businessDate);
  const setup = buildSetup({
    definition,
    notes,
    state,
    collateral: start.collateral,
    asOf: businessDate,
    reportsByMonthEnd,
  });
  // Period 1's cash: the collections recorded for its payment date, else (a monthly deal) its month's report.
  const first = setup.periods[0];
  if (first) {
    const collections: { revenue: string; operating_costs: string }[] = await db('servicing_collections')
      .where({ deal_id: deal.id, payment_date: first.date, status: 'active' })
      .select('revenue', 'operating_costs');
    const month = views.find((v) => v.periodEnd === setup.monthEnds?.[0]);
    if (collections.length > 0) {
      setup.firstPeriodCollections = {
        revenue: collections.reduce((a, c) => a.add(String(c.revenue)), new Decimal(0)).toFixed(2),
        operatingCosts: collections.reduce((a, c) => a.add(String(c.operating_costs)), new Decimal(0)).toFixed(2),
      };
    } else if (setup.monthsPerPeriod === 1 && month) {
      setup.firstPeriodCollections = {
        revenue: new Decimal(month.report.revenue).toFixed(2),
        operatingCosts: new Decimal(month.report.operatingCosts).toFixed(2),
      };
    }
  }
  const stored = await latestCurve(db, BENCHMARK, businessDate);
  const curve = stored ? { stored, par: parCurve(stored.points), zero: bootstrapZeroCurve(parCurve(stored.points)) } : null;
  const latest = views[views.length - 1]!;
  return {
    deal,
    notes,
    setup,
    compiled: compileSetup(setup),
    collateral: start,
    report: { periodEnd: latest.periodEnd, version: latest.version },
    gpuValues,
    businessDate,
    curve,
  };
}

/**
 * The rate index for floating classes (the base scenario's ratePath; a scenario without a ratePath
 * for a month takes it): the stored fixing in effect for the current period (the first projected,
 * from `accrualStart`; servicing/fixings.ts: on or before its determination date), else the fixing
 * of the deal's latest distribution (its trustee report's rateFixings), else the first floating
 * class's note coupon − its margin.
 */
async function baseRateIndex(
  db: Knex,
  dealId: string,
  definition: ReturnType<typeof parseWaterfallDefinition>,
  notes: readonly Note[],
  accrualStart: string | null,
): Promise<string> {
  const floating = definition.classes.find((c) => c.floatingRate);
  if (!floating) return '0';
  const stored = accrualStart === null ? null : await fixingInEffect(db, floating.floatingRate!.index, accrualStart);
  if (stored) return bounded(new Decimal(stored.ratePercent));
  const last: { report: unknown } | undefined = await db('distributions')
    .where({ deal_id: dealId })
    .orderBy('payment_date', 'desc')
    .first('report');
  const fixings = last ? ((json(last.report) as { rateFixings?: { index: string; fixingPercent: string }[] }).rateFixings ?? []) : [];
  const fixing = fixings.find((f) => f.index === floating.floatingRate!.index);
  const note = notes.find((n) => n.id === floating.noteId);
  const index = fixing
    ? new Decimal(fixing.fixingPercent)
    : note
      ? new Decimal(note.couponRate).sub(new Decimal(floating.floatingRate!.marginBp).div(100))
      : new Decimal(0);
  return bounded(index);
}

/** Within the ratePath driver's bounds, to 4 places (half-even). */
function bounded(index: Decimal): string {
  return roundHalfEven(Decimal.max(-5, Decimal.min(100, index)), 4).toFixed();
}
