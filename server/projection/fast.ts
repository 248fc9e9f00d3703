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
 *
 * This module runs the periods: accruals, the waterfall's steps and each class's result. The
 * compiled setup (fast-setup.ts), the collateral months (fast-collateral.ts), the metrics and
 * triggers (fast-triggers.ts) and the rounded amounts (fast-amounts.ts) are modules of their own.
 * It must never do I/O, read the clock, or hold money in a float.
 */
import { halfEvenOf, pow10, type Scaled } from './cents.js';
import { allocate, feeCents, floatingCoupon, interestCents } from './fast-amounts.js';
import { collateralPeriod, debtServiceCache, refreshDebtService, tenantRuns } from './fast-collateral.js';
import type { CompiledSetup } from './fast-setup.js';
import { periodMetrics, periodTriggers } from './fast-triggers.js';
import { refinancePeriod, type ClassPeriod, type PeriodResult, type ProjectionResult } from './model.js';
import type { ResolvedScenario } from './scenario.js';

// Callers compile once and project many times: both halves of the engine are reachable from here.
export { compileSetup, type CompiledSetup } from './fast-setup.js';

/** One projection of the compiled setup under a resolved scenario, period by period until every class is paid or written down. */
export function projectFast(c: CompiledSetup, s: ResolvedScenario): ProjectionResult {
  const setup = c.setup;
  const def = c.definition;
  const d = s.drivers;
  const tenants = tenantRuns(c, s);
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
  const ds = debtServiceCache(c);
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
    refreshDebtService(c, ds, balances, coupons, aggregate);
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
    const { dscr, dscrAverage, ltv, metric } = periodMetrics(c, d, p, col, dscrs, aggregate, run.gpu);
    const fromArd = ard !== null && period.date >= ard;
    const { on, deferSet, trapE, holds } = periodTriggers(c, metric, triggerStates, fromArd);

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
