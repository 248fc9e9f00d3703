/**
 * The straightforward projection: decimal.js arithmetic throughout and the servicing waterfall
 * itself (servicing/waterfall.ts runWaterfall) for every period. Pure, no I/O. It is the yardstick
 * the integer engine (fast.ts) must match to the cent (test/projection/engines.test.ts) and the
 * bench's decimal_reference_ms. The rules are stated in model.ts.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundHalfEven } from '../domain/rounding.js';
import { runWaterfall } from '../servicing/waterfall.js';
import { leasePhase, refinancePeriod, renewalIndex, type ClassPeriod, type PeriodResult, type ProjectionResult, type ProjectionSetup } from './model.js';
import type { ResolvedScenario } from './scenario.js';

const ZERO = new Decimal(0);
const cents = (d: Decimal): number => d.mul(100).toNumber(); // exact: d is whole cents, far below 2^53

interface TenantPlan { rentBase: Decimal; expiry: number; downtime: number; defaultMonth: number | null; recovery: Decimal; p: Decimal; c: Decimal }

function tenantPlans(setup: ProjectionSetup, s: ResolvedScenario): TenantPlan[] {
  const months = s.months;
  return setup.collateral.tenants.map((t) => {
    const at = renewalIndex(t.expiryMonth, months);
    const def = s.tenantDefaults.find((d) => d.tenant === t.name);
    return {
      rentBase: new Decimal(t.leasedMw).mul(t.rentPerMwMonth), expiry: t.expiryMonth, downtime: Number.parseInt(s.drivers.downtimeMonths[at] as string, 10),
      defaultMonth: def?.month ?? null, recovery: new Decimal(def?.recoveryPercent ?? '0'),
      p: new Decimal(s.drivers.renewalProbabilityPercent[at] as string).div(100), c: new Decimal(s.drivers.releaseRentChangePercent[at] as string).div(100),
    };
  });
}

function monthRevenue(plans: readonly TenantPlan[], s: ResolvedScenario, m: number): Decimal {
  const u = new Decimal(s.drivers.utilizationPercent[m - 1] as string).div(100);
  const r = new Decimal(s.drivers.rentChangePercent[m - 1] as string).div(100).add(1);
  let total = ZERO;
  for (const t of plans) {
    const phase = leasePhase(t.expiry, t.downtime, t.defaultMonth, m);
    if (m === t.defaultMonth) total = total.add(roundCash(t.rentBase.mul(Math.max(t.expiry - m + 1, 0)).mul(t.recovery).div(100)));
    if (phase === 3) continue;
    const f = phase === 0 ? new Decimal(1) : phase === 1 ? t.p : t.p.add(new Decimal(1).sub(t.p).mul(t.c.add(1)));
    total = total.add(roundCash(t.rentBase.mul(u).mul(r).mul(f)));
  }
  return total;
}

export function projectReference(setup: ProjectionSetup, s: ResolvedScenario): ProjectionResult {
  const plans = tenantPlans(setup, s);
  const col = setup.collateral;
  const refinanceAt = refinancePeriod(setup, s.refinanceAtArd);
  let balances = setup.classes.map((c) => new Decimal(c.balance));
  let shortfalls = setup.classes.map((c) => new Decimal(c.interestShortfall));
  let freeCash = new Decimal(setup.start.freeCash);
  let reserve = new Decimal(setup.start.reserve);
  let trapped = new Decimal(setup.start.trappedCash);
  let feeShortfall = new Decimal(setup.start.feeShortfall);
  let costCarry = ZERO;
  let opex = new Decimal(col.otherOpexPerMonth);
  let gpuValue = new Decimal(col.gpuValue);
  const dscrs: (Decimal | null)[] = setup.start.recentDscrs.map((d) => new Decimal(d)).reverse();
  const periods: PeriodResult[] = [];
  for (let p = 1; p <= setup.periods.length; p += 1) {
    const period = setup.periods[p - 1]!;
    let revenue = ZERO;
    let costs = ZERO;
    for (let k = 0; k < setup.monthsPerPeriod; k += 1) {
      const m = (p - 1) * setup.monthsPerPeriod + k + 1;
      if (m > 1 && (m - 1) % 12 === 0) {
        opex = roundCash(opex.mul(new Decimal(s.drivers.opexGrowthPercent[m - 1] as string).div(100).add(1)));
        gpuValue = roundCash(gpuValue.mul(new Decimal(s.drivers.gpuValueChangePercentPerYear[m - 1] as string).div(100).add(1)));
      }
      revenue = revenue.add(monthRevenue(plans, s, m));
      const power = new Decimal(col.trustEnergyMw).mul(s.drivers.utilizationPercent[m - 1] as string).div(100).mul(col.hoursPerMonth)
        .mul(s.drivers.pue[m - 1] as string).mul(s.drivers.powerPricePerMwh[m - 1] as string);
      costs = costs.add(roundCash(power)).add(opex);
    }
    if (p === 1 && setup.firstPeriodCollections) {
      revenue = new Decimal(setup.firstPeriodCollections.revenue);
      costs = new Decimal(setup.firstPeriodCollections.operatingCosts);
    }
    costs = costs.add(costCarry);
    const netCashFlow = revenue.sub(costs);
    let available = freeCash.add(netCashFlow);
    costCarry = available.isNegative() ? available.neg() : ZERO;
    if (available.isNegative()) available = ZERO;
    const result = runWaterfall({
      availableFunds: available, netCashFlow, reserveBalance: reserve, reserveTarget: new Decimal(setup.reserveTarget), trappedCash: trapped, feeShortfall,
      feeYearFraction: new Decimal(1).div(setup.paymentsPerYear),
      fees: setup.fees.map((f) => ({ name: f.name, annualRatePercent: new Decimal(f.annualRatePercent), fixedPerPeriod: new Decimal(f.fixedPerPeriod) })),
      classes: setup.classes.map((c, i) => ({
        noteId: c.noteId, className: c.className, couponRatePercent: new Decimal(c.couponRatePercent),
        yearFraction: new Decimal(period.fractions[i]!.days).div(period.fractions[i]!.basis), originalFace: ZERO, balance: balances[i]!, interestShortfall: shortfalls[i]!,
      })),
      principalMode: setup.principalMode, scheduledPrincipal: new Decimal(setup.scheduledPrincipal),
      dscrThreshold: setup.cashTrap ? new Decimal(setup.cashTrap.dscrThreshold) : null, trapPercent: new Decimal(setup.cashTrap?.trapPercent ?? '0'),
      sweep: setup.ardPeriod !== null && p >= setup.ardPeriod,
    });
    const refinanced = refinanceAt === p;
    const last = p === setup.periods.length;
    const classes: ClassPeriod[] = result.classes.map((c) => {
      let interest = c.interestPaid;
      let principal = c.principalPaid;
      let balance = c.balanceAfter;
      let deferred = c.interestShortfallAfter;
      if (refinanced) { interest = interest.add(deferred); principal = principal.add(balance); balance = ZERO; deferred = ZERO; }
      const writedown = last ? balance : ZERO;
      if (last) balance = ZERO;
      const fresh = Decimal.max(ZERO, c.interestShortfallAfter.sub(c.interestShortfallBefore));
      return { interest: cents(interest), principal: cents(principal), balance: cents(balance), interestShortfall: cents(fresh), deferredInterest: cents(deferred), writedown: cents(writedown) };
    });
    balances = classes.map((c) => new Decimal(c.balance).div(100));
    shortfalls = classes.map((c) => new Decimal(c.deferredInterest).div(100));
    freeCash = ZERO;
    reserve = result.reserve.after;
    trapped = result.trapped.after;
    feeShortfall = result.fees.shortfallAfter;
    const dscr = result.dscr === null ? null : roundHalfEven(result.dscr, 4);
    dscrs.push(dscr);
    const recent = dscrs.slice(-3).filter((d): d is Decimal => d !== null);
    const dscrAverage = recent.length === 0 ? null : roundHalfEven(recent.reduce((a, b) => a.add(b), ZERO).div(recent.length), 4);
    const value = new Decimal(col.siteValue).add(gpuValue);
    const aggregate = balances.reduce((a, b) => a.add(b), ZERO);
    periods.push({
      date: period.date, revenue: cents(revenue), operatingCosts: cents(costs), netOperatingIncome: cents(netCashFlow),
      dscr: dscr === null ? null : dscr.mul(10000).toNumber(), dscrAverage: dscrAverage === null ? null : dscrAverage.mul(10000).toNumber(),
      ltvPercent: value.gt(0) ? roundHalfEven(aggregate.mul(100).div(value), 2).mul(100).toNumber() : null,
      trappedCash: cents(trapped), reserve: cents(reserve), cashTrap: result.cashTrapActive, fullCashSweep: result.sweepActive, refinanced, classes,
    });
    if (balances.every((b) => b.isZero()) && shortfalls.every((x) => x.isZero())) break;
  }
  return { periods };
}
