/**
 * The fast projection engine: the steps of model.ts and of the step-form waterfall
 * (server/waterfall/run.ts and triggers.ts, which servicing runs) in integer cents. Pure, no I/O,
 * no floats for money.
 *
 * Every amount is a whole number of cents (a safe JS integer); every product that rounds is formed
 * exactly (BigInt, or a number when provably safe) and divided once with the rounding the Decimal
 * path applies. The Decimal path is exact everywhere except where servicing multiplies by a year
 * fraction that is not a terminating decimal (1/12, 30/360, …), rounded there to 60 digits: an
 * exact half-cent tie of such a product is resolved by computing that one figure with the
 * servicing's own Decimal expression, so the two engines agree to the cent by construction and by
 * the property test (test/projection/engines.test.ts). Drivers change rarely month to month, so a
 * tenant's rent and the power cost are recomputed only when their inputs change.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash } from '../domain/rounding.js';
import {
  centsOf,
  compareProducts,
  divFloor,
  divHalfEven,
  divNearest,
  divNearestSafe,
  halfEvenOf,
  pow10,
  scaled,
  type Scaled,
} from './cents.js';
import {
  leasePhase,
  projectedMonths,
  refinancePeriod,
  renewalIndex,
  type ClassPeriod,
  type PeriodResult,
  type ProjectionResult,
  type ProjectionSetup,
} from './model.js';
import type { StepCondition, WaterfallDefinition } from '../waterfall/index.js';
import type { ResolvedScenario } from './scenario.js';

const E4 = 10_000;
const E6 = 1_000_000n;
const E12 = 1_000_000_000_000n;

type Step = WaterfallDefinition['steps'][number];

export interface CompiledSetup {
  setup: ProjectionSetup;
  definition: WaterfallDefinition;
  coupons: Scaled[];
  stepUps: (Scaled | null)[];
  feeRates: Scaled[];
  feeFixed: number[];
  reserveTarget: number;
  /** Per step: class indexes it names, and its amount per period (scheduled principal). */
  stepClasses: number[][];
  stepAmounts: number[];
  triggers: {
    name: string;
    metric: string;
    comparison: 'lt' | 'lte' | 'gt' | 'gte';
    threshold: { int: number; scale: number };
    lookback: number;
    cure: number;
    effect: WaterfallDefinition['triggers'][number]['effect'];
  }[];
  trapPercents: Scaled[];
  deferClasses: number[][];
  /** Each tenant's contracted monthly rent in cents. */
  rents: number[];
  /** Base utilization × 10^4 (rents scale by u ÷ u₀); power recovery % × 10^4. */
  u0: number;
  recovery4: number;
  energy: Scaled;
  opex: number;
  site: number;
  gpu: number[];
  /** Floating margins (bp) per class, or null for a fixed coupon. */
  margins: (Scaled | null)[];
  /** Monthly debt service: the common scale of coupons and fee rates (10^places), and scheduled principal cents by month − 1. */
  dsPlaces: number;
  scheduled: number[];
  actualDscr: Map<number, number | null>;
  actualMetrics: Map<number, { ratios: Map<string, Ratio>; dscr: number | null; average: number | null; ltv: number | null }>;
  start: {
    balances: number[];
    shortfalls: number[];
    deferred: number[];
    additional: number[];
    freeCash: number;
    reserve: number;
    trapped: number;
    feeShortfall: number;
    dscrs: (number | null)[];
    triggers: { on: boolean; cure: number; failures: boolean[] }[];
  };
  firstPeriod: { revenue: number; costs: number } | null;
}

function multiply(a: Scaled, b: Scaled): Scaled {
  return { int: a.int * b.int, places: a.places + b.places };
}

function stepClassNames(step: Step): readonly string[] {
  switch (step.kind) {
    case 'interest':
    case 'deferred_interest':
    case 'additional_interest':
      return [step.className];
    case 'scheduled_principal':
    case 'sweep':
      return step.classes;
    default:
      return [];
  }
}

export function compileSetup(setup: ProjectionSetup): CompiledSetup {
  const col = setup.collateral;
  const def = setup.definition;
  const index = new Map(setup.classes.map((c, i) => [c.className, i]));
  const classIndexes = (names: readonly string[]) => names.map((n) => index.get(n)!);
  return {
    setup,
    definition: def,
    coupons: setup.classes.map((c) => scaled(c.couponRatePercent)),
    stepUps: setup.classes.map((c) => {
      const rate = def.classes.find((x) => x.className === c.className)?.stepUpRatePercent ?? null;
      return rate === null ? null : scaled(rate);
    }),
    feeRates: def.seniorFees.map((f) => scaled(f.annualRatePercent)),
    feeFixed: def.seniorFees.map((f) => centsOf(f.fixedPerPeriod)),
    reserveTarget: centsOf(def.reserve.targetAmount),
    stepClasses: def.steps.map((st) => classIndexes(stepClassNames(st))),
    stepAmounts: def.steps.map((st) => (st.kind === 'scheduled_principal' ? centsOf(st.amountPerPeriod) : 0)),
    triggers: def.triggers.map((t) => {
      const th = scaled(t.threshold);
      return {
        name: t.name,
        metric: t.metric,
        comparison: t.comparison,
        threshold: { int: Number(th.int), scale: Number(pow10(th.places)) },
        lookback: t.lookbackPeriods,
        cure: t.curePeriods,
        effect: t.effect,
      };
    }),
    trapPercents: def.triggers.map((t) => (t.effect.type === 'trap_cash' ? scaled(t.effect.percent) : { int: 0n, places: 0 })),
    deferClasses: def.triggers.map((t) => (t.effect.type === 'defer_interest' ? classIndexes(t.effect.classes) : [])),
    rents: col.tenants.map((t) => centsOf(t.monthlyRent)),
    u0: e4(col.baseUtilizationPercent),
    recovery4: e4(col.powerRecoveryPercent),
    energy: multiply(scaled(col.trustEnergyMw), { int: BigInt(col.hoursPerMonth), places: 0 }),
    opex: centsOf(col.otherOpexPerMonth),
    site: centsOf(col.siteValue),
    gpu: col.gpuFleet.map((g) => centsOf(g.value)),
    margins: setup.classes.map((c) => (c.floatingMarginBp == null ? null : scaled(c.floatingMarginBp))),
    dsPlaces: Math.max(
      4,
      ...setup.classes.map((c) => scaled(c.couponRatePercent).places),
      ...def.seniorFees.map((f) => scaled(f.annualRatePercent).places),
    ),
    scheduled: Array.from({ length: projectedMonths(setup) }, (_, i) => centsOf(setup.scheduledPrincipalByMonth?.[i] ?? '0')),
    actualDscr: new Map(
      Object.entries(setup.actuals?.dscrByMonth ?? {}).map(([m, d]) => [Number.parseInt(m, 10), d === null ? null : e4(d)]),
    ),
    actualMetrics: new Map(
      Object.entries(setup.actuals?.metricsByPeriod ?? {}).map(([p, metrics]) => [
        Number.parseInt(p, 10),
        {
          ratios: new Map(
            Object.entries(metrics).map(([k, v]) => {
              const x = scaled(v);
              return [k, { num: Number(x.int), den: Number(pow10(x.places)) }];
            }),
          ),
          dscr: metrics.dscr === undefined ? null : e4(metrics.dscr),
          average: metrics.dscrThreeMonthAverage === undefined ? null : e4(metrics.dscrThreeMonthAverage),
          ltv:
            metrics.ltvPercent === undefined ? null : Number(scaled(metrics.ltvPercent).int * pow10(2 - scaled(metrics.ltvPercent).places)),
        },
      ]),
    ),
    start: {
      balances: setup.classes.map((c) => centsOf(c.balance)),
      shortfalls: setup.classes.map((c) => centsOf(c.interestShortfall)),
      deferred: setup.classes.map((c) => centsOf(c.deferredInterest)),
      additional: setup.classes.map((c) => centsOf(c.additionalInterestShortfall)),
      freeCash: centsOf(setup.start.freeCash),
      reserve: centsOf(setup.start.reserve),
      trapped: centsOf(setup.start.trappedCash),
      feeShortfall: centsOf(setup.start.feeShortfall),
      dscrs: setup.start.recentDscrs
        .map((d) => (d === null ? null : Number(divHalfEven(scaled(d).int * 10_000n, pow10(scaled(d).places)))))
        .reverse(),
      triggers: def.triggers.map((t) => {
        const s = setup.start.triggers[t.name];
        return { on: s?.on ?? false, cure: s?.cureCount ?? 0, failures: [...(s?.recentFailures ?? [])] };
      }),
    },
    firstPeriod: setup.firstPeriodCollections
      ? { revenue: centsOf(setup.firstPeriodCollections.revenue), costs: centsOf(setup.firstPeriodCollections.operatingCosts) }
      : null,
  };
}

/** A driver value (at most 4 decimals) × 10^4 as an integer. */
const e4Cache = new Map<string, number>();
function e4(text: string): number {
  let v = e4Cache.get(text);
  if (v === undefined) {
    const s = scaled(text);
    v = Number(s.int * pow10(4 - s.places));
    if (e4Cache.size < 100_000) e4Cache.set(text, v);
  }
  return v;
}

/** amount × rate% × days ÷ basis in cents, as the waterfall rounds it (interestOn). */
function interestCents(amount: number, rate: Scaled, days: number, basis: number): number {
  const den = Number(pow10(rate.places)) * 100 * basis;
  const quick = divNearestSafe(amount * Number(rate.int) * days, den);
  if (typeof quick === 'number') return quick;
  if (quick === undefined) {
    const q = divNearest(BigInt(amount) * rate.int * BigInt(days), BigInt(den));
    if (q !== null) return Number(q);
  }
  // An exact half-cent: the waterfall's Decimal expression decides (see the header).
  const yf = new Decimal(days).div(basis);
  const r = new Decimal(rate.int.toString()).div(pow10(rate.places).toString());
  return roundCash(new Decimal(amount).div(100).mul(r).div(100).mul(yf)).mul(100).toNumber();
}

function feeCents(fixed: number, aggregate: number, rate: Scaled, paymentsPerYear: number): number {
  const denNumber = Number(pow10(rate.places)) * 100 * paymentsPerYear;
  const quick = divNearestSafe(fixed * denNumber + aggregate * Number(rate.int), denNumber);
  if (typeof quick === 'number') return quick;
  const den = BigInt(denNumber);
  const q = quick === null ? null : divNearest(BigInt(fixed) * den + BigInt(aggregate) * rate.int, den);
  if (q !== null) return Number(q);
  const r = new Decimal(rate.int.toString()).div(pow10(rate.places).toString());
  const exact = new Decimal(fixed).div(100).plus(new Decimal(aggregate).div(100).mul(r).div(100).mul(new Decimal(1).div(paymentsPerYear)));
  return roundCash(exact).mul(100).toNumber();
}

/** A metric as a fraction num ÷ den (safe integers, den > 0) for trigger tests. */
interface Ratio {
  num: number;
  den: number;
}

/** value <comparison> threshold, exactly: num × 10^places vs threshold × den. */
function breaches(value: Ratio, comparison: 'lt' | 'lte' | 'gt' | 'gte', threshold: { int: number; scale: number }): boolean {
  const sign = compareProducts(value.num, threshold.scale, threshold.int, value.den);
  switch (comparison) {
    case 'lt':
      return sign < 0;
    case 'lte':
      return sign <= 0;
    case 'gt':
      return sign > 0;
    case 'gte':
      return sign >= 0;
  }
}

interface TenantRun {
  rent0: number;
  expiry: number;
  downtime: number;
  defaultMonth: number | null;
  recoveryE4: number;
  p4: bigint;
  c4: bigint;
  u4: number;
  r4: number;
  phase: number;
  rent: number;
}

/** The period's monthly debt service numerator (without scheduled principal) over den, cached while balances and coupons repeat. */
interface MonthlyDebtService {
  base: bigint;
  den: bigint;
  principalUnit: bigint;
  balances: number[];
  coupons: Scaled[];
  scheduled: number;
  value: number;
}

interface Collateral {
  revenue: number;
  costs: number;
  lastMonth: number;
  /** The period's last month: its revenue, costs and debt service (cents) and dscr × 10^4. */
  monthRevenue: number;
  monthCosts: number;
  monthDebtService: number;
  monthDscr: number | null;
}

/**
 * The collateral months of period p (model.ts), with the running opex level and GPU values, and
 * each month's report-style dscr pushed to `dscrs`. `dsBase` is the period's monthly debt service
 * numerator without scheduled principal, over `dsDen` (see monthlyDebtService).
 */
function collateralPeriod(
  c: CompiledSetup,
  s: ResolvedScenario,
  tenants: TenantRun[],
  p: number,
  run: { opex: number; gpu: number[]; u4: number; pue4: number; price4: number; power: number },
  ds: MonthlyDebtService,
  dscrs: (number | null)[],
): Collateral {
  const d = s.drivers;
  let revenue = 0;
  let costs = 0;
  let m = 0;
  let monthRevenue = 0;
  let monthCosts = 0;
  let monthDebtService = 0;
  let monthDscr: number | null = null;
  const filedMonths = c.actualDscr.size > 0;
  for (let k = 0; k < c.setup.monthsPerPeriod; k += 1) {
    m = (p - 1) * c.setup.monthsPerPeriod + k + 1;
    if (m > 1 && (m - 1) % 12 === 0) {
      run.opex = Number(divHalfEven(BigInt(run.opex) * (E6 + BigInt(e4(d.opexGrowthPercent[m - 1]!))), E6));
      for (let g = 0; g < run.gpu.length; g += 1)
        run.gpu[g] = Number(divHalfEven(BigInt(run.gpu[g]!) * (E6 + BigInt(e4(s.gpuValueChange[g]![m - 1]!))), E6));
    }
    const u4 = e4(d.utilizationPercent[m - 1]!);
    const r4 = e4(d.rentChangePercent[m - 1]!);
    let rev = 0;
    for (const t of tenants) {
      const phase = leasePhase(t.expiry, t.downtime, t.defaultMonth, m);
      if (m === t.defaultMonth) {
        rev += Number(divHalfEven(BigInt(t.rent0) * BigInt(Math.max(t.expiry - m + 1, 0)) * BigInt(t.recoveryE4), E6));
      }
      if (phase === 3) continue;
      if (u4 !== t.u4 || r4 !== t.r4 || phase !== t.phase) {
        const f = phase === 0 ? E12 : phase === 1 ? t.p4 * E6 : t.p4 * E6 + (E6 - t.p4) * (E6 + t.c4);
        t.rent = Number(divHalfEven(BigInt(t.rent0) * BigInt(u4) * (E6 + BigInt(r4)) * f, BigInt(c.u0) * E6 * E12));
        t.u4 = u4;
        t.r4 = r4;
        t.phase = phase;
      }
      rev += t.rent;
    }
    const pue4 = e4(d.pue[m - 1]!);
    const price4 = e4(d.powerPricePerMwh[m - 1]!);
    if (u4 !== run.u4 || pue4 !== run.pue4 || price4 !== run.price4) {
      run.power = Number(
        divHalfEven(c.energy.int * BigInt(u4) * BigInt(pue4) * BigInt(price4) * 100n, pow10(c.energy.places) * E6 * 100_000_000n),
      );
      run.u4 = u4;
      run.pue4 = pue4;
      run.price4 = price4;
    }
    if (c.recovery4 !== 0) rev += halfEvenOf(run.power * c.recovery4, 1_000_000);
    const cost = run.power + run.opex;
    revenue += rev;
    costs += cost;
    const scheduled = c.scheduled[m - 1] ?? 0;
    if (scheduled !== ds.scheduled) {
      ds.value = Number(divHalfEven(ds.base + BigInt(scheduled) * ds.principalUnit, ds.den));
      ds.scheduled = scheduled;
    }
    monthDebtService = ds.value;
    const filed = filedMonths ? c.actualDscr.get(m) : undefined;
    monthDscr = filed !== undefined ? filed : monthDebtService > 0 ? halfEvenOf((rev - cost) * 10_000, monthDebtService) : null;
    dscrs.push(monthDscr);
    monthRevenue = rev;
    monthCosts = cost;
  }
  return { revenue, costs, lastMonth: m, monthRevenue, monthCosts, monthDebtService, monthDscr };
}

/** A floating coupon: index (4 places at most) + margin bp ÷ 100, as a scaled decimal. */
const couponCache = new Map<string, Scaled>();
function floatingCoupon(index: string, margin: Scaled): Scaled {
  const key = `${index}|${margin.int}|${margin.places}`;
  let v = couponCache.get(key);
  if (v === undefined) {
    const i = scaled(index);
    const places = Math.max(i.places, margin.places + 2);
    v = { int: i.int * pow10(places - i.places) + margin.int * pow10(places - margin.places - 2), places };
    if (couponCache.size < 100_000) couponCache.set(key, v);
  }
  return v;
}

export function projectFast(c: CompiledSetup, s: ResolvedScenario): ProjectionResult {
  const setup = c.setup;
  const def = c.definition;
  const d = s.drivers;
  const tenants: TenantRun[] = setup.collateral.tenants.map((t, i) => {
    const at = renewalIndex(t.expiryMonth, s.months);
    const dft = s.tenantDefaults.find((x) => x.tenant === t.name);
    return {
      rent0: c.rents[i]!,
      expiry: t.expiryMonth,
      downtime: e4(d.downtimeMonths[at]!) / E4,
      defaultMonth: dft?.month ?? null,
      recoveryE4: dft ? e4(dft.recoveryPercent) : 0,
      p4: BigInt(e4(d.renewalProbabilityPercent[at]!)),
      c4: BigInt(e4(d.releaseRentChangePercent[at]!)),
      u4: -1,
      r4: 0,
      phase: -1,
      rent: 0,
    };
  });
  const refinanceAt = refinancePeriod(setup, s.refinanceAtArd);
  const n = setup.classes.length;
  const balances = [...c.start.balances];
  const shortfalls = [...c.start.shortfalls];
  const deferred = [...c.start.deferred];
  const additional = [...c.start.additional];
  const triggerStates = c.start.triggers.map((t) => ({ on: t.on, cure: t.cure, failures: [...t.failures] }));
  let freeCash = c.start.freeCash;
  let reserve = c.start.reserve;
  let trapped = c.start.trapped;
  let feeShortfall = c.start.feeShortfall;
  let costCarry = 0;
  const run = { opex: c.opex, gpu: [...c.gpu], u4: -1, pue4: -1, price4: -1, power: 0 };
  const dscrs = [...c.start.dscrs];
  const dsScale = pow10(c.dsPlaces);
  const ds: MonthlyDebtService = {
    base: 0n,
    den: 1200n * dsScale,
    principalUnit: BigInt(def.paymentsPerYear) * 100n * dsScale,
    balances: [],
    coupons: [],
    scheduled: -1,
    value: 0,
  };
  const ard = def.anticipatedRepaymentDate;
  const periods: PeriodResult[] = [];
  for (let p = 1; p <= setup.periods.length; p += 1) {
    const period = setup.periods[p - 1]!;
    const firstMonth = (p - 1) * setup.monthsPerPeriod + 1;
    const coupons = c.coupons.map((coupon, i) => {
      const margin = c.margins[i];
      return margin ? floatingCoupon(d.ratePath[firstMonth - 1]!, margin) : coupon;
    });
    let aggregate = 0;
    for (const b of balances) aggregate += b;
    // Monthly debt service (performance/debt-service.ts) on the balances at the start of the period.
    // Recomputed only when a balance or a coupon changed (interest-only periods repeat it).
    let same = ds.balances.length === n;
    for (let i = 0; same && i < n; i += 1) same = ds.balances[i] === balances[i] && ds.coupons[i] === coupons[i];
    if (!same) {
      let dsBase = 0n;
      for (let i = 0; i < n; i += 1) dsBase += BigInt(balances[i]!) * coupons[i]!.int * pow10(c.dsPlaces - coupons[i]!.places);
      for (let i = 0; i < c.feeRates.length; i += 1) {
        const rate = c.feeRates[i]!;
        dsBase += BigInt(aggregate) * rate.int * pow10(c.dsPlaces - rate.places) + BigInt(c.feeFixed[i]!) * ds.principalUnit;
      }
      ds.base = dsBase;
      ds.balances = [...balances];
      ds.coupons = coupons;
      ds.scheduled = -1;
    }
    const col = collateralPeriod(c, s, tenants, p, run, ds, dscrs);
    let revenue = col.revenue;
    let costs = col.costs;
    if (p === 1 && c.firstPeriod) {
      revenue = c.firstPeriod.revenue;
      costs = c.firstPeriod.costs;
    }
    costs += costCarry;
    const netCashFlow = revenue - costs;
    let available = freeCash + netCashFlow;
    costCarry = available < 0 ? -available : 0;
    if (available < 0) available = 0;

    // Accruals fixed from the balances at the start of the period (run.ts step 2).
    let feesCurrent = 0;
    for (let i = 0; i < c.feeRates.length; i += 1) feesCurrent += feeCents(c.feeFixed[i]!, aggregate, c.feeRates[i]!, def.paymentsPerYear);
    const postArdAccrual = ard !== null && period.accrualStart >= ard;
    const interestCurrent: number[] = [];
    const additionalCurrent: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const fr = period.fractions[i]!;
      interestCurrent.push(interestCents(balances[i]! + deferred[i]!, coupons[i]!, fr.days, fr.basis));
      const up = c.stepUps[i];
      additionalCurrent.push(postArdAccrual && up ? interestCents(balances[i]!, up, fr.days, fr.basis) : 0);
    }

    // Metrics (the filed report's, or the projected month's), then triggers (triggers.ts).
    const actual = c.actualMetrics.get(p);
    const recent = dscrs.slice(-3).filter((x): x is number => x !== null);
    let dscr = col.monthDscr;
    let dscrAverage =
      recent.length === 0
        ? null
        : halfEvenOf(
            recent.reduce((a, b) => a + b, 0),
            recent.length,
          );
    let value = c.site;
    for (const g of run.gpu) value += g;
    let ltv = value > 0 ? halfEvenOf(aggregate * 10_000, value) : null;
    if (actual) {
      dscr = actual.dscr;
      dscrAverage = actual.average;
      ltv = actual.ltv;
    }
    const metric = (name: string): Ratio | null => {
      if (actual) return actual.ratios.get(name) ?? null;
      switch (name) {
        case 'dscr':
          return dscr === null ? null : { num: dscr, den: 10_000 };
        case 'dscrThreeMonthAverage':
          return dscrAverage === null ? null : { num: dscrAverage, den: 10_000 };
        case 'ltvPercent':
          return ltv === null ? null : { num: ltv, den: 100 };
        case 'revenue':
          return { num: col.monthRevenue, den: 100 };
        case 'operatingCosts':
          return { num: col.monthCosts, den: 100 };
        case 'netOperatingIncome':
          return { num: col.monthRevenue - col.monthCosts, den: 100 };
        case 'debtService':
          return { num: col.monthDebtService, den: 100 };
        case 'utilizationPercent':
          return { num: e4(d.utilizationPercent[col.lastMonth - 1]!), den: 10_000 };
        case 'pue':
          return { num: e4(d.pue[col.lastMonth - 1]!), den: 10_000 };
        case 'powerPricePerMwh':
          return { num: e4(d.powerPricePerMwh[col.lastMonth - 1]!), den: 10_000 };
        default:
          return null;
      }
    };
    const on: boolean[] = c.triggers.map((t, i) => {
      const prev = triggerStates[i]!;
      const v = metric(t.metric);
      const failed = v !== null && breaches(v, t.comparison, t.threshold);
      const window = [...prev.failures, failed].slice(-t.lookback);
      const breached = window.some((x) => x);
      const cure = breached || !prev.on ? 0 : prev.cure + 1;
      const isOn = breached || (prev.on && cure < t.cure);
      triggerStates[i] = { on: isOn, cure: isOn ? cure : 0, failures: t.lookback === 1 ? [] : window.slice(-(t.lookback - 1)) };
      return isOn;
    });
    const rapid = c.triggers.some((t, i) => on[i] && t.effect.type === 'rapid_amortization');
    const deferSet = new Set<number>();
    let trapE: Scaled | null = null;
    c.triggers.forEach((t, i) => {
      if (!on[i]) return;
      for (const k of c.deferClasses[i]!) deferSet.add(k);
      if (t.effect.type === 'trap_cash') {
        const pct = c.trapPercents[i]!;
        if (trapE === null || pct.int * pow10(trapE.places) > trapE.int * pow10(pct.places)) trapE = pct;
      }
    });
    const fromArd = ard !== null && period.date >= ard;
    const holds = (when: StepCondition | undefined): boolean => {
      if (!when) return true;
      if (when.ard !== undefined && (when.ard === 'from') !== fromArd) return false;
      if (when.triggerOn !== undefined && !c.triggers.some((t, i) => on[i] && t.name === when.triggerOn)) return false;
      if (when.triggerOff !== undefined && c.triggers.some((t, i) => on[i] && t.name === when.triggerOff)) return false;
      return when.rapidAmortization === undefined || when.rapidAmortization === rapid;
    };

    // The steps (run.ts step 3).
    let res = reserve;
    const pay = (due: number, drawReserve: boolean): number => {
      const fromFunds = Math.min(available, due);
      available -= fromFunds;
      const fromReserve = drawReserve ? Math.min(res, due - fromFunds) : 0;
      res -= fromReserve;
      return fromFunds + fromReserve;
    };
    const interestPaid = new Array<number>(n).fill(0);
    const shortfallAfter = interestCurrent.map((ic, i) => ic + shortfalls[i]!);
    const deferredAfter = [...deferred];
    const additionalAfter = additionalCurrent.map((a, i) => a + additional[i]!);
    const otherInterestPaid = new Array<number>(n).fill(0);
    const principalPaid = new Array<number>(n).fill(0);
    const balanceAfter = [...balances];
    const payPrincipal = (classes: readonly number[], mode: 'sequential' | 'pro_rata', cap: number) => {
      let outstanding = 0;
      for (const k of classes) outstanding += balanceAfter[k]!;
      const amount = Math.min(available, cap, outstanding);
      const shares = allocate(
        classes.map((k) => balanceAfter[k]!),
        amount,
        mode,
      );
      classes.forEach((k, j) => {
        principalPaid[k]! += shares[j]!;
        balanceAfter[k]! -= shares[j]!;
      });
      available -= amount;
    };
    let feesPaid = 0;
    let cashTrap = false;
    let sweep = false;
    def.steps.forEach((step, si) => {
      if (step.kind !== 'residual' && !holds(step.when)) return;
      const classes = c.stepClasses[si]!;
      switch (step.kind) {
        case 'senior_fees':
          feesPaid = pay(feesCurrent + feeShortfall, step.drawReserve);
          break;
        case 'interest': {
          const k = classes[0]!;
          const due = interestCurrent[k]! + shortfalls[k]!;
          if (deferSet.has(k)) {
            deferredAfter[k]! += due;
            shortfallAfter[k] = 0;
          } else {
            interestPaid[k] = pay(due, step.drawReserve);
            shortfallAfter[k] = due - interestPaid[k]!;
          }
          break;
        }
        case 'deferred_interest': {
          const k = classes[0]!;
          if (deferSet.has(k)) break;
          const paid = pay(deferredAfter[k]!, false);
          otherInterestPaid[k]! += paid;
          deferredAfter[k]! -= paid;
          break;
        }
        case 'reserve_top_up': {
          const topUp = Math.min(available, Math.max(0, c.reserveTarget - res));
          available -= topUp;
          res += topUp;
          break;
        }
        case 'scheduled_principal':
          payPrincipal(classes, step.mode, c.stepAmounts[si]!);
          break;
        case 'cash_trap':
          if (trapE !== null) {
            cashTrap = true;
            const added = halfEvenOf(available * Number((trapE as Scaled).int), Number(pow10((trapE as Scaled).places)) * 100);
            available -= added;
            trapped += added;
          } else {
            available += trapped;
            trapped = 0;
          }
          break;
        case 'sweep':
          sweep = true;
          if (step.includeTrappedCash) {
            available += trapped;
            trapped = 0;
          }
          payPrincipal(classes, step.mode, available);
          break;
        case 'additional_interest': {
          const k = classes[0]!;
          const paid = pay(additionalAfter[k]!, false);
          otherInterestPaid[k]! += paid;
          additionalAfter[k]! -= paid;
          break;
        }
        case 'residual':
          available = 0;
          break;
      }
    });

    const refinanced = refinanceAt === p;
    const last = p === setup.periods.length;
    const classes: ClassPeriod[] = [];
    let outstanding = false;
    for (let i = 0; i < n; i += 1) {
      let interest = interestPaid[i]! + otherInterestPaid[i]!;
      let principal = principalPaid[i]!;
      let balance = balanceAfter[i]!;
      let shortfall = shortfallAfter[i]!;
      let pik = deferredAfter[i]!;
      let add = additionalAfter[i]!;
      if (refinanced) {
        interest += shortfall + pik + add;
        principal += balance;
        balance = 0;
        shortfall = 0;
        pik = 0;
        add = 0;
      }
      const writedown = last ? balance : 0;
      if (last) balance = 0;
      balances[i] = balance;
      shortfalls[i] = shortfall;
      deferred[i] = pik;
      additional[i] = add;
      if (balance !== 0 || shortfall !== 0 || pik !== 0 || add !== 0) outstanding = true;
      classes.push({ interest, principal, balance, interestShortfall: shortfall, deferredInterest: pik, writedown });
    }
    freeCash = available;
    reserve = res;
    feeShortfall = feesCurrent + feeShortfall - feesPaid;
    periods.push({
      date: period.date,
      revenue,
      operatingCosts: costs,
      netOperatingIncome: netCashFlow,
      dscr,
      dscrAverage,
      ltvPercent: ltv,
      gpuValues: [...run.gpu],
      trappedCash: trapped,
      reserve,
      triggers: on,
      cashTrap,
      fullCashSweep: sweep,
      refinanced,
      classes,
    });
    if (!outstanding) break;
  }
  return { periods };
}

/** Sequential: in the listed order. Pro rata: floor(amount × balance ÷ aggregate), leftover cents in order. */
function allocate(balances: readonly number[], amount: number, mode: 'sequential' | 'pro_rata'): number[] {
  let aggregate = 0;
  for (const b of balances) aggregate += b;
  const paid = balances.map(() => 0);
  let left = amount;
  if (mode === 'pro_rata' && aggregate > 0) {
    balances.forEach((b, i) => {
      paid[i] = Number(divFloor(BigInt(amount) * BigInt(b), BigInt(aggregate)));
      left -= paid[i]!;
    });
  }
  balances.forEach((b, i) => {
    const more = Math.min(left, b - paid[i]!);
    paid[i]! += more;
    left -= more;
  });
  return paid;
}
