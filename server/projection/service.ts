/**
 * Projections and pricing for the API — the I/O around the pure engines: loads a deal's waterfall
 * definition (the one servicing runs), the trust's actual state (servicing's balances, shortfalls,
 * reserve, trapped cash, trigger states where servicing keeps them, recent DSCRs from the trustee
 * reports), the collateral's base facts and the benchmark curve; resolves the scenario; runs the
 * integer engine; prices each class from its projected flows (analytics/bond.ts).
 *
 * Display rounding (half-even): yields in percent to 4 places, spreads in bp to 1 place, WAL to 2,
 * durations, convexity and loss % to 4, DV01 and prices to 6; amounts are whole cents.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { parseIsoDate, type IsoDate } from '../domain/dates.js';
import { settlementDate as settlementAfter } from '../domain/calendar.js';
import { buildCouponSchedule } from '../domain/schedule.js';
import { weightedAverageLife } from '../domain/wal.js';
import type { DayCountConvention } from '../domain/daycount.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { getDeal, type Deal } from '../refdata/deals.js';
import { listNotes, type Note } from '../refdata/notes.js';
import { parseWaterfallDefinition } from '../waterfall/index.js';
import { bootstrapZeroCurve, parCurve, parYieldAt, type ParCurve, type ZeroCurve } from '../analytics/curve.js';
import {
  flowPlan,
  priceAtYield,
  riskAtYield,
  yieldAtPrice,
  zSpreadAtPrice,
  DURATION_PLACES,
  PRICE_PLACES,
  SPREAD_PLACES,
  YIELD_PLACES,
} from '../analytics/bond.js';
import { startFromReports, type FiledReport, type ReportStart } from './start.js';
import { startGpuValues, type GpuStartValue } from './gpu-values.js';
import { listPerformanceReports } from '../performance/store.js';
import { markedMetricValuesForPaymentDate, type FleetLine } from '../collateral/gpu-values.js';
import { dealPaymentDates } from '../servicing/calendar.js';
import { compileSetup, projectFast, type CompiledSetup } from './fast.js';
import { projectedMonths, type ProjectionResult, type ProjectionSetup, type TriggerStart } from './model.js';
import { resolveScenario, ScenarioError, type ResolvedScenario, type ScenarioInput } from './scenario.js';
import { buildSetup, projectedPaymentDates, type TrustState } from './setup.js';
import { fixingInEffect } from '../servicing/fixings.js';
import { latestCurve, type StoredCurve } from './curves.js';
import { breakEven } from '../analytics/breakeven.js';

export const BENCHMARK = 'UST';

export type PricingInput = { noteId: string; price: string } | { noteId: string; yield: string } | { noteId: string; spreadBp: string };

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

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

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

export async function savedScenario(db: Knex, userId: string, dealId: string, id: string): Promise<ScenarioInput | null> {
  const row: { scenario: unknown; name: string } | undefined = /^[0-9a-f-]{36}$/i.test(id)
    ? await db('projection_scenarios').where({ id, user_id: userId, deal_id: dealId }).first('scenario', 'name')
    : await db('projection_scenarios').where({ name: id, user_id: userId, deal_id: dealId }).first('scenario', 'name');
  return row ? { ...(json(row.scenario) as ScenarioInput), name: row.name } : null;
}

/** The scenario input: inline, 'base', a named stress of the deal, or one the user saved. */
export async function scenarioInput(
  db: Knex,
  ctx: DealContext,
  userId: string,
  scenario?: ScenarioInput,
  scenarioId?: string,
): Promise<ScenarioInput> {
  if (scenario) return scenario;
  if (scenarioId === undefined || scenarioId === 'base') return { name: 'base' };
  const stress = ctx.collateral.stresses[scenarioId];
  if (stress) return stress;
  const saved = await savedScenario(db, userId, ctx.deal.id, scenarioId);
  if (!saved) throw new Rejection('SCENARIO_NOT_FOUND', `no scenario ${scenarioId} for this deal`, { scenarioId });
  return saved;
}

export function resolveFor(ctx: DealContext, input: ScenarioInput, fieldPrefix = 'scenario'): ResolvedScenario {
  try {
    return resolveScenario(
      input,
      ctx.collateral.base,
      projectedMonths(ctx.setup),
      ctx.setup.collateral.tenants.map((t) => t.name),
      ctx.setup.collateral.gpuFleet.map((g) => g.model),
    );
  } catch (error) {
    if (error instanceof ScenarioError)
      throw new Rejection('INVALID_SCENARIO', `${fieldPrefix}.${error.message}`, { field: `${fieldPrefix}.${error.field}` });
    throw error;
  }
}

export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const fixed = (d: Decimal | null, places: number) => (d === null ? null : roundHalfEven(d, places).toFixed(places));

function noteSchedule(note: Note) {
  return buildCouponSchedule({
    issueDate: parseIsoDate(note.issueDate),
    firstCouponDate: parseIsoDate(note.firstCouponDate),
    maturityDate: parseIsoDate(note.maturityDate),
    frequency: note.frequency,
  });
}

export function defaultSettlement(ctx: DealContext, requested?: string): IsoDate {
  if (requested) {
    if (requested < ctx.businessDate)
      throw new Rejection('VALIDATION_FAILED', 'settlementDate must not be before the business date', { field: 'settlementDate' });
    return parseIsoDate(requested);
  }
  return settlementAfter(parseIsoDate(ctx.businessDate), ctx.notes[0]?.settlementDays ?? 1);
}

export interface ClassAnalytics {
  price: string | null;
  yieldPercent: string | null;
  spreadBp: string | null;
  zSpreadBp: string | null;
  walYears: string | null;
  modifiedDuration: string | null;
  convexity: string | null;
  dv01: string | null;
  lossPercent: string | null;
}

/** Analytics of class `index` from a projection, at a price, a yield or an I-spread (default: price 100). */
export function classAnalytics(
  ctx: DealContext,
  result: ProjectionResult,
  index: number,
  settlement: IsoDate,
  pricing: PricingInput | undefined,
  full = true,
): ClassAnalytics {
  const start = ctx.setup.classes[index]!;
  const note = ctx.notes.find((n) => n.id === start.noteId)!;
  let face = new Decimal(start.balance);
  const flows: { date: IsoDate; amount: string }[] = [];
  const principal: { date: IsoDate; amount: string }[] = [];
  let writedowns = new Decimal(0);
  for (const p of result.periods) {
    const c = p.classes[index]!;
    if (p.date <= settlement) {
      face = face.sub(money(c.principal)).sub(money(c.writedown));
      continue;
    }
    flows.push({ date: parseIsoDate(p.date), amount: money(c.interest + c.principal) });
    if (c.principal > 0) principal.push({ date: parseIsoDate(p.date), amount: money(c.principal) });
    writedowns = writedowns.add(money(c.writedown));
  }
  const none: ClassAnalytics = {
    price: null,
    yieldPercent: null,
    spreadBp: null,
    zSpreadBp: null,
    walYears: null,
    modifiedDuration: null,
    convexity: null,
    dv01: null,
    lossPercent: null,
  };
  if (face.lte(0) || !flows.some((f) => !new Decimal(f.amount).isZero())) return { ...none, lossPercent: face.gt(0) ? '100.0000' : null };
  const plan = flowPlan({
    couponRatePercent: note.couponRate,
    dayCount: note.dayCount as DayCountConvention,
    schedule: noteSchedule(note),
    settlementDate: settlement,
    face,
    flows,
  });
  const wal = principal.length > 0 ? weightedAverageLife({ settlementDate: settlement, principalFlows: principal }) : null;
  const benchmark = ctx.curve && wal ? parYieldAt(ctx.curve.par, wal).mul(100) : null;
  let clean: Decimal;
  let y: Decimal;
  if (pricing && 'yield' in pricing) {
    y = new Decimal(pricing.yield);
    clean = priceAtYield(plan, y).clean;
  } else if (pricing && 'spreadBp' in pricing) {
    if (benchmark === null)
      throw new Rejection(
        'CURVE_NOT_FOUND',
        `pricing at a spread needs a ${BENCHMARK} curve on or before ${ctx.businessDate} and principal to repay`,
        { noteId: note.id },
      );
    y = benchmark.add(new Decimal(pricing.spreadBp).div(100));
    clean = priceAtYield(plan, y).clean;
  } else {
    clean = new Decimal(pricing && 'price' in pricing ? pricing.price : '100');
    y = yieldAtPrice(plan, clean);
  }
  const risk = full ? riskAtYield(plan, y) : null;
  return {
    price: fixed(clean, PRICE_PLACES),
    yieldPercent: fixed(y, YIELD_PLACES),
    spreadBp: benchmark === null ? null : fixed(y.sub(benchmark).mul(100), SPREAD_PLACES),
    zSpreadBp: full && ctx.curve ? fixed(zSpreadAtPrice(plan, ctx.curve.zero, clean), SPREAD_PLACES) : null,
    walYears: fixed(wal, 2),
    modifiedDuration: risk ? fixed(risk.modifiedDuration, DURATION_PLACES) : null,
    convexity: risk ? fixed(risk.convexity, DURATION_PLACES) : null,
    dv01: risk ? fixed(risk.dv01, 6) : null,
    lossPercent: fixed(writedowns.mul(100).div(face), 4),
  };
}

export function formatProjection(
  ctx: DealContext,
  scenario: ResolvedScenario,
  input: ScenarioInput,
  result: ProjectionResult,
  settlement: IsoDate,
  pricing: readonly PricingInput[],
) {
  const triggers = ctx.setup.definition.triggers.map((t) => t.name);
  for (const p of pricing) {
    if (!ctx.setup.classes.some((c) => c.noteId === p.noteId))
      throw new Rejection('VALIDATION_FAILED', `pricing names ${p.noteId}, not a class of this deal`, { field: 'pricing' });
  }
  return {
    dealId: ctx.deal.id,
    settlementDate: settlement,
    scenario: { ...input, name: scenario.name },
    curve: ctx.curve ? { name: ctx.curve.stored.name, date: ctx.curve.stored.date } : null,
    start: startView(ctx),
    classes: ctx.setup.classes.map((c, i) => ({
      noteId: c.noteId,
      className: c.className,
      cashFlows: result.periods.map((p) => {
        const x = p.classes[i]!;
        return {
          date: p.date,
          interest: money(x.interest),
          principal: money(x.principal),
          balance: money(x.balance),
          interestShortfall: money(x.interestShortfall),
          deferredInterest: money(x.deferredInterest),
          writedown: money(x.writedown),
        };
      }),
      ...classAnalytics(
        ctx,
        result,
        i,
        settlement,
        pricing.find((p) => p.noteId === c.noteId),
      ),
    })),
    periods: result.periods.map((p) => ({
      date: p.date,
      revenue: money(p.revenue),
      operatingCosts: money(p.operatingCosts),
      netOperatingIncome: money(p.netOperatingIncome),
      dscr: p.dscr === null ? null : new Decimal(p.dscr).div(10000).toFixed(4),
      dscrThreeMonthAverage: p.dscrAverage === null ? null : new Decimal(p.dscrAverage).div(10000).toFixed(4),
      ltvPercent: p.ltvPercent === null ? null : new Decimal(p.ltvPercent).div(100).toFixed(2),
      gpuValues: ctx.setup.collateral.gpuFleet.map((g, k) => ({ model: g.model, value: money(p.gpuValues[k] ?? 0) })),
      trappedCash: money(p.trappedCash),
      reserve: money(p.reserve),
      cashTrap: p.cashTrap,
      fullCashSweep: p.fullCashSweep,
      refinanced: p.refinanced,
      triggers: Object.fromEntries(triggers.map((name, k) => [name, p.triggers[k] ?? false])),
    })),
    triggerBreaches: triggers.map((name, k) => ({ name, firstDate: result.periods.find((p) => p.triggers[k])?.date ?? null })),
  };
}

/** What the projection started from: the performance report, the collateral facts read from it, the GPU values by model. */
export function startView(ctx: DealContext) {
  const col = ctx.setup.collateral;
  return {
    performanceReport: ctx.report,
    tenants: ctx.collateral.collateral.tenants.map((t) => ({ name: t.name, monthlyRent: t.monthlyRent, leaseExpiry: t.leaseExpiry })),
    baseUtilizationPercent: col.baseUtilizationPercent,
    powerRecoveryPercent: col.powerRecoveryPercent,
    trustEnergyMw: col.trustEnergyMw,
    otherOpexPerMonth: col.otherOpexPerMonth,
    siteValue: col.siteValue,
    gpuValues: ctx.gpuValues.map((g) => ({
      model: g.model,
      value: g.value,
      asOf: g.asOf,
      source: g.source,
      changePercentPerYear:
        ctx.collateral.base.gpuValueChangeByModel?.[g.model] ?? ctx.collateral.base.drivers.gpuValueChangePercentPerYear,
    })),
  };
}

export function runProjection(ctx: DealContext, scenario: ResolvedScenario): ProjectionResult {
  return projectFast(ctx.compiled, scenario);
}

export interface GridAxis {
  driver: string;
  values: string[];
}

/** A grid over two drivers: each cell projects the scenario with both set, and prices the note at a price (→ yield) or a yield (→ price). */
export function runGrid(
  ctx: DealContext,
  base: ScenarioInput,
  noteId: string,
  at: { price?: string; yield?: string },
  x: GridAxis,
  y: GridAxis,
  settlement: IsoDate,
) {
  const index = ctx.setup.classes.findIndex((c) => c.noteId === noteId);
  if (index < 0) throw new Rejection('VALIDATION_FAILED', 'noteId is not a class of this deal', { field: 'noteId' });
  const pricing: PricingInput = at.yield !== undefined ? { noteId, yield: at.yield } : { noteId, price: at.price ?? '100' };
  const cells = y.values.map((yv, iy) =>
    x.values.map((xv, ix) => {
      const input = { ...base, [x.driver]: xv, [y.driver]: yv } as ScenarioInput;
      const scenario = resolveFor(ctx, input, `cell[${iy}][${ix}]`);
      const a = classAnalytics(ctx, projectFast(ctx.compiled, scenario), index, settlement, pricing, false);
      return at.yield !== undefined
        ? { price: a.price, walYears: a.walYears, lossPercent: a.lossPercent }
        : { yieldPercent: a.yieldPercent, walYears: a.walYears, lossPercent: a.lossPercent };
    }),
  );
  return {
    dealId: ctx.deal.id,
    noteId,
    settlementDate: settlement,
    ...(at.yield !== undefined ? { yield: at.yield } : { price: at.price ?? '100' }),
    x,
    y,
    cells,
  };
}

/** Break-even directions: from a mild level (the class is paid) toward the harsh end of each driver. */
export const BREAK_EVEN_RANGES: Readonly<Record<string, { mild: (base: string) => string; harsh: string }>> = {
  utilizationPercent: { mild: (b) => b, harsh: '0' },
  rentChangePercent: { mild: (b) => b, harsh: '-100' },
  powerPricePerMwh: { mild: (b) => b, harsh: '100000' },
  pue: { mild: (b) => b, harsh: '5' },
  opexGrowthPercent: { mild: (b) => b, harsh: '1000' },
  renewalProbabilityPercent: { mild: (b) => b, harsh: '0' },
  releaseRentChangePercent: { mild: (b) => b, harsh: '-100' },
};
export const BREAK_EVEN_TOLERANCE = '0.01';

/**
 * The harshest flat level of `driver` (other drivers as in `input`) at which the class still gets all
 * its principal (no write-down), by bisection to BREAK_EVEN_TOLERANCE from the base value toward the
 * driver's harsh end (analytics/breakeven.ts). Null level: the class is written down even at the base value.
 */
export function classBreakEven(ctx: DealContext, input: ScenarioInput, noteId: string, driver: string) {
  const index = ctx.setup.classes.findIndex((c) => c.noteId === noteId);
  if (index < 0) throw new Rejection('VALIDATION_FAILED', 'breakEven.noteId is not a class of this deal', { field: 'breakEven.noteId' });
  const range = BREAK_EVEN_RANGES[driver];
  if (!range)
    throw new Rejection('VALIDATION_FAILED', `breakEven.driver must be one of ${Object.keys(BREAK_EVEN_RANGES).join(', ')}`, {
      field: 'breakEven.driver',
    });
  const base = ctx.collateral.base.drivers[driver as keyof typeof ctx.collateral.base.drivers];
  const holds = (level: Decimal) => {
    const result = projectFast(ctx.compiled, resolveFor(ctx, { ...input, [driver]: level.toFixed() } as ScenarioInput, 'breakEven'));
    return result.periods.every((p) => p.classes[index]!.writedown === 0);
  };
  const found = breakEven(range.mild(base), range.harsh, BREAK_EVEN_TOLERANCE, holds);
  return {
    noteId,
    driver,
    level: found.level === null ? null : found.level.toFixed(),
    passesEverywhere: found.passesEverywhere,
    tolerance: BREAK_EVEN_TOLERANCE,
    evaluations: found.evaluations,
  };
}
