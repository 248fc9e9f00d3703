/**
 * The projection API's answer: each class's cash flows and analytics, each period's collateral,
 * metrics and triggers, each trigger's first breach, and what the projection started from. Amounts
 * are whole cents shown as USD decimal strings; DSCR to 4 places and LTV to 2.
 *
 * Guarantees: pricing that names a note not of the deal is VALIDATION_FAILED before anything is
 * priced. Must never: load or project anything (it formats a result it is given).
 */
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import type { IsoDate } from '../domain/dates.js';
import { classAnalytics, money, type PricingInput } from './class-analytics.js';
import type { DealContext } from './context.js';
import type { ProjectionResult } from './model.js';
import type { ResolvedScenario, ScenarioInput } from './scenario.js';

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
