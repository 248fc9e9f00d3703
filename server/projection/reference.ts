/**
 * The straightforward projection: decimal.js arithmetic throughout and the waterfall engine itself
 * for every period. Pure, no I/O. It is the yardstick
 * the integer engine (fast.ts) must match to the cent (test/projection/engines.test.ts) and the
 * bench's decimal_reference_ms. The waterfall is server/waterfall's runWaterfallPeriod, the
 * engine servicing runs. The rules are stated in model.ts.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundHalfEven } from '../domain/rounding.js';
import { runWaterfallPeriod, type WaterfallState } from '../waterfall/index.js';
import { monthlyDebtService } from '../performance/debt-service.js';
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
  monthlyRent: Decimal;
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
      monthlyRent: new Decimal(t.monthlyRent),
      expiry: t.expiryMonth,
      downtime: Number.parseInt(s.drivers.downtimeMonths[at] as string, 10),
      defaultMonth: def?.month ?? null,
      recovery: new Decimal(def?.recoveryPercent ?? '0'),
      p: new Decimal(s.drivers.renewalProbabilityPercent[at] as string).div(100),
      c: new Decimal(s.drivers.releaseRentChangePercent[at] as string).div(100),
    };
  });
}

function monthRevenue(plans: readonly TenantPlan[], s: ResolvedScenario, m: number, u0: Decimal): Decimal {
  const u = new Decimal(s.drivers.utilizationPercent[m - 1] as string);
  const r = new Decimal(s.drivers.rentChangePercent[m - 1] as string).div(100).add(1);
  let total = ZERO;
  for (const t of plans) {
    const phase = leasePhase(t.expiry, t.downtime, t.defaultMonth, m);
    if (m === t.defaultMonth)
      total = total.add(
        roundCash(
          t.monthlyRent
            .mul(Math.max(t.expiry - m + 1, 0))
            .mul(t.recovery)
            .div(100),
        ),
      );
    if (phase === 3) continue;
    const f = phase === 0 ? new Decimal(1) : phase === 1 ? t.p : t.p.add(new Decimal(1).sub(t.p).mul(t.c.add(1)));
    total = total.add(roundCash(t.monthlyRent.mul(u).mul(r).mul(f).div(u0)));
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
  const gpuValues = col.gpuFleet.map((g) => new Decimal(g.value));
  const u0 = new Decimal(col.baseUtilizationPercent);
  const recovery = new Decimal(col.powerRecoveryPercent).div(100);
  const dscrs: (Decimal | null)[] = setup.start.recentDscrs.map((d) => (d === null ? null : new Decimal(d))).reverse();
  const feeTerms = definition.seniorFees.map((f) => ({
    annualRatePercent: new Decimal(f.annualRatePercent),
    fixedPerPeriod: new Decimal(f.fixedPerPeriod),
  }));
  const periods: PeriodResult[] = [];
  for (let p = 1; p <= setup.periods.length; p += 1) {
    const period = setup.periods[p - 1]!;
    const firstMonth = (p - 1) * setup.monthsPerPeriod + 1;
    const coupons = setup.classes.map((c) =>
      c.floatingMarginBp == null
        ? new Decimal(c.couponRatePercent)
        : new Decimal(s.drivers.ratePath[firstMonth - 1] as string).add(new Decimal(c.floatingMarginBp).div(100)),
    );
    const balancesBefore = setup.classes.map((c) => state.classes.get(c.className)!.balance);
    const aggregateBefore = balancesBefore.reduce((a, b) => a.add(b), ZERO);
    const actual = setup.actuals?.metricsByPeriod[p];
    let revenue = ZERO;
    let costs = ZERO;
    let m = 0;
    let month = { revenue: ZERO, costs: ZERO, debtService: ZERO, dscr: null as Decimal | null };
    for (let k = 0; k < setup.monthsPerPeriod; k += 1) {
      m = firstMonth + k;
      if (m > 1 && (m - 1) % 12 === 0) {
        opex = roundCash(opex.mul(new Decimal(s.drivers.opexGrowthPercent[m - 1] as string).div(100).add(1)));
        gpuValues.forEach((v, g) => {
          gpuValues[g] = roundCash(v.mul(new Decimal(s.gpuValueChange[g]![m - 1] as string).div(100).add(1)));
        });
      }
      const power = roundCash(
        new Decimal(col.trustEnergyMw)
          .mul(s.drivers.utilizationPercent[m - 1] as string)
          .div(100)
          .mul(col.hoursPerMonth)
          .mul(s.drivers.pue[m - 1] as string)
          .mul(s.drivers.powerPricePerMwh[m - 1] as string),
      );
      const monthRev = monthRevenue(plans, s, m, u0).add(roundCash(power.mul(recovery)));
      const monthCosts = power.add(opex);
      revenue = revenue.add(monthRev);
      costs = costs.add(monthCosts);
      // The month's performance report as the projection writes it (model.ts), or the filed one's dscr.
      const debtService = monthlyDebtService(
        balancesBefore.map((balance, i) => ({ balance, couponRatePercent: coupons[i]! })),
        {
          paymentsPerYear: definition.paymentsPerYear,
          fees: feeTerms,
          scheduledPrincipalPerPeriod: new Decimal(setup.scheduledPrincipalByMonth?.[m - 1] ?? '0'),
        },
      );
      const filed = setup.actuals?.dscrByMonth[m];
      const dscr =
        filed !== undefined
          ? filed === null
            ? null
            : new Decimal(filed)
          : debtService.isZero()
            ? null
            : roundHalfEven(monthRev.sub(monthCosts).div(debtService), 4);
      dscrs.push(dscr);
      month = { revenue: monthRev, costs: monthCosts, debtService, dscr };
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
            couponRatePercent: coupons[i]!,
            yearFraction: new Decimal(period.fractions[i]!.days).div(period.fractions[i]!.basis),
          },
        ]),
      ),
    };
    const recent = dscrs.slice(-3).filter((d): d is Decimal => d !== null);
    const value = gpuValues.reduce((a, b) => a.add(b), new Decimal(col.siteValue));
    let dscrRounded = month.dscr;
    let dscrAverage = recent.length === 0 ? null : roundHalfEven(recent.reduce((a, b) => a.add(b), ZERO).div(recent.length), 4);
    let ltv = value.gt(0) ? roundHalfEven(aggregateBefore.mul(100).div(value), 2) : null;
    let metrics: Map<string, Decimal>;
    if (actual) {
      metrics = new Map(Object.entries(actual).map(([k, v]) => [k, new Decimal(v)]));
      dscrRounded = actual.dscr === undefined ? null : new Decimal(actual.dscr);
      dscrAverage = actual.dscrThreeMonthAverage === undefined ? null : new Decimal(actual.dscrThreeMonthAverage);
      ltv = actual.ltvPercent === undefined ? null : new Decimal(actual.ltvPercent);
    } else {
      metrics = new Map<string, Decimal>([
        ['revenue', month.revenue],
        ['operatingCosts', month.costs],
        ['netOperatingIncome', month.revenue.sub(month.costs)],
        ['debtService', month.debtService],
        ['utilizationPercent', new Decimal(s.drivers.utilizationPercent[m - 1] as string)],
        ['pue', new Decimal(s.drivers.pue[m - 1] as string)],
        ['powerPricePerMwh', new Decimal(s.drivers.powerPricePerMwh[m - 1] as string)],
      ]);
      if (dscrRounded !== null) metrics.set('dscr', dscrRounded);
      if (dscrAverage !== null) metrics.set('dscrThreeMonthAverage', dscrAverage);
      if (ltv !== null) metrics.set('ltvPercent', ltv);
    }
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
      gpuValues: gpuValues.map(cents),
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
