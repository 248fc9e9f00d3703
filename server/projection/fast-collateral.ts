/**
 * The fast engine's collateral months: each tenant's rent (lease phase, renewal, default and
 * recovery), the power cost and its recovery, opex growth, GPU values, and each month's
 * report-style DSCR against the monthly debt service (performance/debt-service.ts), in integer
 * cents, as model.ts states the steps.
 *
 * Guarantees: the same figures, to the cent, as the decimal.js reference (reference.ts); a
 * tenant's rent and the power cost are recomputed only when their inputs change, and the monthly
 * debt service only when a balance, a coupon or the scheduled principal changes.
 * Must never: do I/O, read the clock, or round through a float.
 */
import { divHalfEven, e4, halfEvenOf, pow10, type Scaled } from './cents.js';
import type { CompiledSetup } from './fast-setup.js';
import { leasePhase, renewalIndex } from './model.js';
import type { ResolvedScenario } from './scenario.js';

const E4 = 10_000;
const E6 = 1_000_000n;
const E12 = 1_000_000_000_000n;

export interface TenantRun {
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

/** Each tenant's run state at the projection's start: its rent, lease end, renewal odds and any default the scenario puts on it. */
export function tenantRuns(c: CompiledSetup, s: ResolvedScenario): TenantRun[] {
  const setup = c.setup;
  const d = s.drivers;
  return setup.collateral.tenants.map((t, i) => {
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
}

/** The period's monthly debt service numerator (without scheduled principal) over den, cached while balances and coupons repeat. */
export interface MonthlyDebtService {
  base: bigint;
  den: bigint;
  principalUnit: bigint;
  balances: number[];
  coupons: Scaled[];
  scheduled: number;
  value: number;
}

/** An empty monthly debt service cache on the compiled setup's common scale (filled by refreshDebtService). */
export function debtServiceCache(c: CompiledSetup): MonthlyDebtService {
  const dsScale = pow10(c.dsPlaces);
  return {
    base: 0n,
    den: 1200n * dsScale,
    principalUnit: BigInt(c.definition.paymentsPerYear) * 100n * dsScale,
    balances: [],
    coupons: [],
    scheduled: -1,
    value: 0,
  };
}

/**
 * The monthly debt service (performance/debt-service.ts) on the balances at the start of the
 * period, recomputed only when a balance or a coupon changed (interest-only periods repeat it).
 */
export function refreshDebtService(
  c: CompiledSetup,
  ds: MonthlyDebtService,
  balances: readonly number[],
  coupons: Scaled[],
  aggregate: number,
): void {
  const n = c.setup.classes.length;
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
}

export interface Collateral {
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
 * each month's report-style dscr pushed to `dscrs`. `ds` holds the period's monthly debt service
 * numerator without scheduled principal, over its denominator (see refreshDebtService).
 */
export function collateralPeriod(
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
