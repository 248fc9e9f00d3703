/**
 * The straightforward projection: decimal.js arithmetic throughout and the waterfall engine itself
 * for every period. Pure, no I/O. It is the yardstick
 * the integer engine (fast.ts) must match to the cent (test/projection/engines.test.ts) and the
 * bench's decimal_reference_ms. The waterfall is server/waterfall's runWaterfallPeriod, the
 * engine servicing runs. The rules are stated in model.ts.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundHalfEven } from '../domain/rounding.js';
import { runWaterfallPeriod, scheduledDebtService, type WaterfallState } from '../waterfall/index.js';
import {
  leasePhase,
  refinancePeriod,
  renewalIndex,
  type ClassPeriod,
  type PeriodResult,
  type ProjectionResult,
  type ProjectionSetup,
} from './model.js';
import type { ResolvedScenario } from './scenario.js';

const ZERO = new Decimal(0);
const cents = (d: Decimal): number => d.mul(100).toNumber(); // exact: d is whole cents, far below 2^53

interface TenantPlan {
  rentBase: Decimal;
  expiry: number;
  downtime: number;
  defaultMonth: number | null;
  recovery: Decimal;
  p: Decimal;
  c: Decimal;
}

function tenantPlans(setup: ProjectionSetup, s: ResolvedScenario): TenantPlan[] {
  const months = s.months;
  return setup.collateral.tenants.map((t) => {
    const at = renewalIndex(t.expiryMonth, months);
    const def = s.tenantDefaults.find((d) => d.tenant === t.name);
    return {
      rentBase: new Decimal(t.leasedMw).mul(t.rentPerMwMonth),
      expiry: t.expiryMonth,
      downtime: Number.parseInt(s.drivers.downtimeMonths[at] as string, 10),
      defaultMonth: def?.month ?? null,
      recovery: new Decimal(def?.recoveryPercent ?? '0'),
      p: new Decimal(s.drivers.renewalProbabilityPercent[at] as string).div(100),
      c: new Decimal(s.drivers.releaseRentChangePercent[at] as string).div(100),
    };
  });
}

function monthRevenue(plans: readonly TenantPlan[], s: ResolvedScenario, m: number): Decimal {
  const u = new Decimal(s.drivers.utilizationPercent[m - 1] as string).div(100);
  const r = new Decimal(s.drivers.rentChangePercent[m - 1] as string).div(100).add(1);
  let total = ZERO;
  for (const t of plans) {
    const phase = leasePhase(t.expiry, t.downtime, t.defaultMonth, m);
    if (m === t.defaultMonth)
      total = total.add(
        roundCash(
          t.rentBase
            .mul(Math.max(t.expiry - m + 1, 0))
            .mul(t.recovery)
            .div(100),
        ),
      );
    if (phase === 3) continue;
    const f = phase === 0 ? new Decimal(1) : phase === 1 ? t.p : t.p.add(new Decimal(1).sub(t.p).mul(t.c.add(1)));
    total = total.add(roundCash(t.rentBase.mul(u).mul(r).mul(f)));
  }
  return total;
}

export function projectReference(setup: ProjectionSetup, s: ResolvedScenario): ProjectionResult {
  const plans = tenantPlans(setup, s);
  const col = setup.collateral;
  const definition = setup.definition;
  const refinanceAt = refinancePeriod(setup, s.refinanceAtArd);
  let state: WaterfallState = {
    classes: new Map(
      setup.classes.map((c) => [
        c.className,
        {
          balance: new Decimal(c.balance),
          interestShortfall: new Decimal(c.interestShortfall),
          deferredInterest: new Decimal(c.deferredInterest),
          additionalInterestShortfall: new Decimal(c.additionalInterestShortfall),
        },
      ]),
    ),
    feeShortfall: new Decimal(setup.start.feeShortfall),
    reserveBalance: new Decimal(setup.start.reserve),
    trappedCash: new Decimal(setup.start.trappedCash),
    triggers: new Map(
      Object.entries(setup.start.triggers).map(([name, t]) => [
        name,
        { on: t.on, cureCount: t.cureCount, recentFailures: [...t.recentFailures] },
      ]),
    ),
  };
  let freeCash = new Decimal(setup.start.freeCash);
  let costCarry = ZERO;
  let opex = new Decimal(col.otherOpexPerMonth);
  let gpuValue = new Decimal(col.gpuValue);
  const dscrs: (Decimal | null)[] = setup.start.recentDscrs.map((d) => new Decimal(d)).reverse();
  const periods: PeriodResult[] = [];
  for (let p = 1; p <= setup.periods.length; p += 1) {
    const period = setup.periods[p - 1]!;
    let revenue = ZERO;
    let costs = ZERO;
    let m = 0;
    for (let k = 0; k < setup.monthsPerPeriod; k += 1) {
      m = (p - 1) * setup.monthsPerPeriod + k + 1;
      if (m > 1 && (m - 1) % 12 === 0) {
        opex = roundCash(opex.mul(new Decimal(s.drivers.opexGrowthPercent[m - 1] as string).div(100).add(1)));
        gpuValue = roundCash(gpuValue.mul(new Decimal(s.drivers.gpuValueChangePercentPerYear[m - 1] as string).div(100).add(1)));
      }
      revenue = revenue.add(monthRevenue(plans, s, m));
      const power = new Decimal(col.trustEnergyMw)
        .mul(s.drivers.utilizationPercent[m - 1] as string)
        .div(100)
        .mul(col.hoursPerMonth)
        .mul(s.drivers.pue[m - 1] as string)
        .mul(s.drivers.powerPricePerMwh[m - 1] as string);
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

    const base = {
      paymentDate: period.date,
      accrualStart: period.accrualStart,
      availableFunds: available,
      feeYearFraction: new Decimal(1).div(definition.paymentsPerYear),
      accruals: new Map(
        setup.classes.map((c, i) => [
          c.className,
          {
            couponRatePercent: new Decimal(c.couponRatePercent),
            yearFraction: new Decimal(period.fractions[i]!.days).div(period.fractions[i]!.basis),
          },
        ]),
      ),
    };
    const debtService = scheduledDebtService(definition, state, { ...base, metrics: new Map() });
    const dscr = debtService.gt(0) ? netCashFlow.div(debtService) : null;
    const dscrRounded = dscr === null ? null : roundHalfEven(dscr, 4);
    dscrs.push(dscrRounded);
    const recent = dscrs.slice(-3).filter((d): d is Decimal => d !== null);
    const dscrAverage = recent.length === 0 ? null : roundHalfEven(recent.reduce((a, b) => a.add(b), ZERO).div(recent.length), 4);
    const value = new Decimal(col.siteValue).add(gpuValue);
    const aggregateBefore = [...state.classes.values()].reduce((a, c) => a.add(c.balance), ZERO);
    const ltv = value.gt(0) ? roundHalfEven(aggregateBefore.mul(100).div(value), 2) : null;
    const metrics = new Map<string, Decimal>([
      ['revenue', revenue],
      ['operatingCosts', costs],
      ['netOperatingIncome', netCashFlow],
      ['debtService', debtService],
      ['utilizationPercent', new Decimal(s.drivers.utilizationPercent[m - 1] as string)],
      ['pue', new Decimal(s.drivers.pue[m - 1] as string)],
      ['powerPricePerMwh', new Decimal(s.drivers.powerPricePerMwh[m - 1] as string)],
    ]);
    if (dscr !== null) metrics.set('dscr', dscr);
    if (dscrAverage !== null) metrics.set('dscrThreeMonthAverage', dscrAverage);
    if (ltv !== null) metrics.set('ltvPercent', ltv);
    const result = runWaterfallPeriod(definition, state, { ...base, metrics });

    const refinanced = refinanceAt === p;
    const last = p === setup.periods.length;
    const next = new Map(result.state.classes);
    const classes: ClassPeriod[] = result.classFlows.map((f) => {
      const after = result.state.classes.get(f.className)!;
      let interest = f.interestPaid.add(f.deferredInterestPaid).add(f.additionalInterestPaid);
      let principal = f.principalPaid;
      let balance = after.balance;
      let shortfall = after.interestShortfall;
      let deferred = after.deferredInterest;
      let additional = after.additionalInterestShortfall;
      if (refinanced) {
        interest = interest.add(shortfall).add(deferred).add(additional);
        principal = principal.add(balance);
        balance = ZERO;
        shortfall = ZERO;
        deferred = ZERO;
        additional = ZERO;
      }
      const writedown = last ? balance : ZERO;
      if (last) balance = ZERO;
      next.set(f.className, { balance, interestShortfall: shortfall, deferredInterest: deferred, additionalInterestShortfall: additional });
      return {
        interest: cents(interest),
        principal: cents(principal),
        balance: cents(balance),
        interestShortfall: cents(shortfall),
        deferredInterest: cents(deferred),
        writedown: cents(writedown),
      };
    });
    state = { ...result.state, classes: next };
    freeCash = result.unspent;
    periods.push({
      date: period.date,
      revenue: cents(revenue),
      operatingCosts: cents(costs),
      netOperatingIncome: cents(netCashFlow),
      dscr: dscrRounded === null ? null : dscrRounded.mul(10000).toNumber(),
      dscrAverage: dscrAverage === null ? null : dscrAverage.mul(10000).toNumber(),
      ltvPercent: ltv === null ? null : ltv.mul(100).toNumber(),
      trappedCash: cents(result.state.trappedCash),
      reserve: cents(result.state.reserveBalance),
      triggers: result.triggerResults.map((t) => t.on),
      cashTrap: result.cashTrapActive,
      fullCashSweep: result.sweepActive,
      refinanced,
      classes,
    });
    const outstanding = [...next.values()].some(
      (c) =>
        !c.balance.isZero() || !c.interestShortfall.isZero() || !c.deferredInterest.isZero() || !c.additionalInterestShortfall.isZero(),
    );
    if (!outstanding) break;
  }
  return { periods };
}
