/**
 * The fast projection engine: the steps of model.ts and of servicing/waterfall.ts in integer cents.
 * Pure, no I/O, no floats for money.
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
import { centsOf, divFloor, divHalfEven, divNearest, divNearestSafe, pow10, scaled, type Scaled } from './cents.js';
import { leasePhase, refinancePeriod, renewalIndex, type ClassPeriod, type PeriodResult, type ProjectionResult, type ProjectionSetup } from './model.js';
import type { ResolvedScenario } from './scenario.js';

const E4 = 10_000;
const E6 = 1_000_000n;
const E12 = 1_000_000_000_000n;

export interface CompiledSetup {
  setup: ProjectionSetup;
  coupons: Scaled[];
  feeRates: Scaled[];
  feeFixed: number[];
  threshold: Scaled | null;
  trapPercent: Scaled;
  rentBase: Scaled[];
  energy: Scaled;
  opex: number;
  site: number;
  gpu: number;
  reserveTarget: number;
  scheduled: number;
  start: { balances: number[]; shortfalls: number[]; freeCash: number; reserve: number; trapped: number; feeShortfall: number; dscrs: number[] };
  firstPeriod: { revenue: number; costs: number } | null;
}

function multiply(a: Scaled, b: Scaled): Scaled {
  return { int: a.int * b.int, places: a.places + b.places };
}

export function compileSetup(setup: ProjectionSetup): CompiledSetup {
  const col = setup.collateral;
  return {
    setup,
    coupons: setup.classes.map((c) => scaled(c.couponRatePercent)),
    feeRates: setup.fees.map((f) => scaled(f.annualRatePercent)),
    feeFixed: setup.fees.map((f) => centsOf(f.fixedPerPeriod)),
    threshold: setup.cashTrap ? scaled(setup.cashTrap.dscrThreshold) : null,
    trapPercent: scaled(setup.cashTrap?.trapPercent ?? '0'),
    rentBase: col.tenants.map((t) => multiply(scaled(t.leasedMw), scaled(t.rentPerMwMonth))),
    energy: multiply(scaled(col.trustEnergyMw), { int: BigInt(col.hoursPerMonth), places: 0 }),
    opex: centsOf(col.otherOpexPerMonth),
    site: centsOf(col.siteValue),
    gpu: centsOf(col.gpuValue),
    reserveTarget: centsOf(setup.reserveTarget),
    scheduled: centsOf(setup.scheduledPrincipal),
    start: {
      balances: setup.classes.map((c) => centsOf(c.balance)), shortfalls: setup.classes.map((c) => centsOf(c.interestShortfall)),
      freeCash: centsOf(setup.start.freeCash), reserve: centsOf(setup.start.reserve), trapped: centsOf(setup.start.trappedCash), feeShortfall: centsOf(setup.start.feeShortfall),
      dscrs: setup.start.recentDscrs.map((d) => Number(divHalfEven(scaled(d).int * 10_000n, pow10(scaled(d).places)))).reverse(),
    },
    firstPeriod: setup.firstPeriodCollections ? { revenue: centsOf(setup.firstPeriodCollections.revenue), costs: centsOf(setup.firstPeriodCollections.operatingCosts) } : null,
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

/** balance × rate% × days ÷ basis in cents, as servicing rounds it. */
function interestCents(balance: number, coupon: Scaled, days: number, basis: number): number {
  const den = Number(pow10(coupon.places)) * 100 * basis;
  const quick = divNearestSafe(balance * Number(coupon.int) * days, den);
  if (typeof quick === 'number') return quick;
  if (quick === undefined) {
    const q = divNearest(BigInt(balance) * coupon.int * BigInt(days), BigInt(den));
    if (q !== null) return Number(q);
  }
  // An exact half-cent: the servicing's Decimal expression decides (see the header).
  const yf = new Decimal(days).div(basis);
  const rate = new Decimal(coupon.int.toString()).div(pow10(coupon.places).toString());
  return roundCash(new Decimal(balance).div(100).mul(rate).div(100).mul(yf)).mul(100).toNumber();
}

function feeCents(fixed: number, aggregate: number, rate: Scaled, paymentsPerYear: number): number {
  const den = pow10(rate.places) * 100n * BigInt(paymentsPerYear);
  const q = divNearest(BigInt(fixed) * den + BigInt(aggregate) * rate.int, den);
  if (q !== null) return Number(q);
  const rateDecimal = new Decimal(rate.int.toString()).div(pow10(rate.places).toString());
  const exact = new Decimal(fixed).div(100).plus(new Decimal(aggregate).div(100).mul(rateDecimal).div(100).mul(new Decimal(1).div(paymentsPerYear)));
  return roundCash(exact).mul(100).toNumber();
}

function mulRatio(amount: number, ratio: Scaled, extraDen: bigint): number {
  return Number(divHalfEven(BigInt(amount) * ratio.int, pow10(ratio.places) * extraDen));
}

interface TenantRun { base: Scaled; expiry: number; downtime: number; defaultMonth: number | null; recoveryE4: number; p4: bigint; c4: bigint; key: string; rent: number }

export function projectFast(c: CompiledSetup, s: ResolvedScenario): ProjectionResult {
  const setup = c.setup;
  const d = s.drivers;
  const tenants: TenantRun[] = setup.collateral.tenants.map((t, i) => {
    const at = renewalIndex(t.expiryMonth, s.months);
    const def = s.tenantDefaults.find((x) => x.tenant === t.name);
    return {
      base: c.rentBase[i]!, expiry: t.expiryMonth, downtime: e4(d.downtimeMonths[at]!) / E4, defaultMonth: def?.month ?? null,
      recoveryE4: def ? e4(def.recoveryPercent) : 0, p4: BigInt(e4(d.renewalProbabilityPercent[at]!)), c4: BigInt(e4(d.releaseRentChangePercent[at]!)), key: '', rent: 0,
    };
  });
  const refinanceAt = refinancePeriod(setup, s.refinanceAtArd);
  const n = setup.classes.length;
  const balances = [...c.start.balances];
  const shortfalls = [...c.start.shortfalls];
  let freeCash = c.start.freeCash;
  let reserve = c.start.reserve;
  let trapped = c.start.trapped;
  let feeShortfall = c.start.feeShortfall;
  let costCarry = 0;
  let opex = c.opex;
  let gpu = c.gpu;
  const dscrs = [...c.start.dscrs];
  let powerKey = '';
  let power = 0;
  const periods: PeriodResult[] = [];
  for (let p = 1; p <= setup.periods.length; p += 1) {
    const period = setup.periods[p - 1]!;
    let revenue = 0;
    let costs = 0;
    for (let k = 0; k < setup.monthsPerPeriod; k += 1) {
      const m = (p - 1) * setup.monthsPerPeriod + k + 1;
      if (m > 1 && (m - 1) % 12 === 0) {
        opex = Number(divHalfEven(BigInt(opex) * (E6 + BigInt(e4(d.opexGrowthPercent[m - 1]!))), E6));
        gpu = Number(divHalfEven(BigInt(gpu) * (E6 + BigInt(e4(d.gpuValueChangePercentPerYear[m - 1]!))), E6));
      }
      const u4 = e4(d.utilizationPercent[m - 1]!);
      const r4 = e4(d.rentChangePercent[m - 1]!);
      for (const t of tenants) {
        const phase = leasePhase(t.expiry, t.downtime, t.defaultMonth, m);
        if (m === t.defaultMonth) {
          const claim = t.base.int * BigInt(Math.max(t.expiry - m + 1, 0)) * BigInt(t.recoveryE4) * 100n;
          revenue += Number(divHalfEven(claim, pow10(t.base.places) * E6));
        }
        if (phase === 3) continue;
        const key = `${u4}|${r4}|${phase}`;
        if (key !== t.key) {
          const f = phase === 0 ? E12 : phase === 1 ? t.p4 * E6 : t.p4 * E6 + (E6 - t.p4) * (E6 + t.c4);
          t.rent = Number(divHalfEven(t.base.int * BigInt(u4) * (E6 + BigInt(r4)) * f * 100n, pow10(t.base.places) * E6 * E6 * E12));
          t.key = key;
        }
        revenue += t.rent;
      }
      const pue4 = e4(d.pue[m - 1]!);
      const price4 = e4(d.powerPricePerMwh[m - 1]!);
      const pk = `${u4}|${pue4}|${price4}`;
      if (pk !== powerKey) {
        power = Number(divHalfEven(c.energy.int * BigInt(u4) * BigInt(pue4) * BigInt(price4) * 100n, pow10(c.energy.places) * E6 * 100_000_000n));
        powerKey = pk;
      }
      costs += power + opex;
    }
    if (p === 1 && c.firstPeriod) { revenue = c.firstPeriod.revenue; costs = c.firstPeriod.costs; }
    costs += costCarry;
    const netCashFlow = revenue - costs;
    let available = freeCash + netCashFlow;
    costCarry = available < 0 ? -available : 0;
    if (available < 0) available = 0;

    // The waterfall (servicing/waterfall.ts), step for step.
    let reserveNow = reserve;
    const pay = (due: number): number => {
      const fromFunds = Math.min(available, due);
      available -= fromFunds;
      const fromReserve = Math.min(reserveNow, due - fromFunds);
      reserveNow -= fromReserve;
      return fromFunds + fromReserve;
    };
    let aggregate = 0;
    for (const b of balances) aggregate += b;
    let feesCurrent = 0;
    for (let i = 0; i < c.feeRates.length; i += 1) feesCurrent += feeCents(c.feeFixed[i]!, aggregate, c.feeRates[i]!, setup.paymentsPerYear);
    const feesDue = feesCurrent + feeShortfall;
    const feesPaid = pay(feesDue);
    const interestCurrent: number[] = [];
    const interestPaid: number[] = [];
    const shortfallAfter: number[] = [];
    let debtService = feesCurrent;
    for (let i = 0; i < n; i += 1) {
      const fr = period.fractions[i]!;
      const ic = interestCents(balances[i]!, c.coupons[i]!, fr.days, fr.basis);
      const due = ic + shortfalls[i]!;
      const paid = pay(due);
      interestCurrent.push(ic);
      interestPaid.push(paid);
      shortfallAfter.push(due - paid);
      debtService += ic;
    }
    const sweep = setup.ardPeriod !== null && p >= setup.ardPeriod;
    const cashTrap = !sweep && c.threshold !== null && debtService > 0
      && BigInt(netCashFlow) * pow10(c.threshold.places) < c.threshold.int * BigInt(debtService);
    const topUp = Math.min(available, Math.max(0, c.reserveTarget - reserveNow));
    available -= topUp;
    reserveNow += topUp;
    let principalFunds: number;
    if (sweep) {
      principalFunds = Math.min(available + trapped, aggregate);
      trapped = 0;
    } else {
      principalFunds = Math.min(available, Math.min(c.scheduled, aggregate));
      available -= principalFunds;
      if (cashTrap) trapped += mulRatio(available, c.trapPercent, 100n);
      else trapped = 0;
    }
    const principal = allocate(balances, principalFunds, aggregate, setup.principalMode);

    const refinanced = refinanceAt === p;
    const last = p === setup.periods.length;
    const classes: ClassPeriod[] = [];
    for (let i = 0; i < n; i += 1) {
      let interest = interestPaid[i]!;
      let paidPrincipal = principal[i]!;
      let balance = balances[i]! - paidPrincipal;
      let deferred = shortfallAfter[i]!;
      const fresh = Math.max(0, deferred - shortfalls[i]!);
      if (refinanced) { interest += deferred; paidPrincipal += balance; balance = 0; deferred = 0; }
      const writedown = last ? balance : 0;
      if (last) balance = 0;
      balances[i] = balance;
      shortfalls[i] = deferred;
      classes.push({ interest, principal: paidPrincipal, balance, interestShortfall: fresh, deferredInterest: deferred, writedown });
    }
    freeCash = 0;
    reserve = reserveNow;
    feeShortfall = feesDue - feesPaid;
    const dscr = debtService > 0 ? Number(divHalfEven(BigInt(netCashFlow) * 10_000n, BigInt(debtService))) : null;
    if (dscr !== null) dscrs.push(dscr);
    else dscrs.push(Number.NaN); // a period without debt service: left out of the average
    const recent = dscrs.slice(-3).filter((x) => !Number.isNaN(x));
    const dscrAverage = recent.length === 0 ? null : Number(divHalfEven(BigInt(recent.reduce((a, b) => a + b, 0)), BigInt(recent.length)));
    let after = 0;
    for (const b of balances) after += b;
    const value = c.site + gpu;
    periods.push({
      date: period.date, revenue, operatingCosts: costs, netOperatingIncome: netCashFlow, dscr, dscrAverage,
      ltvPercent: value > 0 ? Number(divHalfEven(BigInt(after) * 10_000n, BigInt(value))) : null,
      trappedCash: trapped, reserve, cashTrap, fullCashSweep: sweep, refinanced, classes,
    });
    if (after === 0 && shortfalls.every((x) => x === 0)) break;
  }
  return { periods };
}

/** Sequential: most senior first. Pro rata: floor(amount × balance ÷ aggregate), leftover cents by seniority. */
function allocate(balances: readonly number[], amount: number, aggregate: number, mode: 'sequential' | 'pro_rata'): number[] {
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
