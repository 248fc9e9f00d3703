/**
 * Test support (not a test): the fixed-shape waterfall's input (reference-v1.ts) written as a
 * version-1 definition converted to steps, the trust's state and the period, with servicing's
 * single-period DSCR as the metric; and `runV1ViaSteps`, the step engine's result in the old
 * result's shape, so the hand-worked examples written for version 1 run on the step engine.
 */
import { Decimal } from '../../server/domain/decimal.js';
import { fromVersion1, runWaterfallPeriod, type WaterfallDefinitionV1, type WaterfallState } from '../../server/waterfall/index.js';
import { collectionMetrics } from '../../server/servicing/metrics.js';
import type { WaterfallInput, WaterfallResult } from './reference-v1.js';

export /** The old input as a v1 definition, the trust's state and the period. */
function translate(input: WaterfallInput & { ardDefined?: boolean }) {
  const v1: WaterfallDefinitionV1 = {
    version: 1,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    seniorFees: input.fees.map((f) => ({
      name: f.name,
      annualRatePercent: f.annualRatePercent.toFixed(),
      fixedPerPeriod: f.fixedPerPeriod.toFixed(2),
    })),
    classes: input.classes.map((c) => ({ noteId: c.noteId, className: c.className })),
    reserve: { targetAmount: input.reserveTarget.toFixed(2) },
    principal: { mode: input.principalMode, scheduledPerPeriod: input.scheduledPrincipal.toFixed(2) },
    cashTrap:
      input.dscrThreshold === null ? null : { dscrThreshold: input.dscrThreshold.toFixed(), trapPercent: input.trapPercent.toFixed() },
    // The sweep runs from the ARD: an ARD before the payment date when the old input swept, after it otherwise.
    anticipatedRepaymentDate: !(input.ardDefined ?? input.sweep) ? null : input.sweep ? '2026-06-15' : '2031-03-15',
  };
  const state: WaterfallState = {
    classes: new Map(
      input.classes.map((c) => [
        c.className,
        {
          balance: c.balance,
          interestShortfall: c.interestShortfall,
          deferredInterest: new Decimal(0),
          additionalInterestShortfall: new Decimal(0),
        },
      ]),
    ),
    feeShortfall: input.feeShortfall,
    reserveBalance: input.reserveBalance,
    trappedCash: input.trappedCash,
    triggers: new Map(),
  };
  const base = {
    paymentDate: '2026-06-15',
    accrualStart: '2026-05-15',
    availableFunds: input.availableFunds,
    feeYearFraction: input.feeYearFraction,
    accruals: new Map(input.classes.map((c) => [c.className, { couponRatePercent: c.couponRatePercent, yearFraction: c.yearFraction }])),
  };
  const definition = fromVersion1(v1);
  return { definition, state, period: { ...base, metrics: collectionMetrics(input.netCashFlow)(definition, state, base) } };
}

export function runV1ViaSteps(input: WaterfallInput & { ardDefined?: boolean }): WaterfallResult {
  const { definition, state, period } = translate(input);
  const r = runWaterfallPeriod(definition, state, period);
  return {
    fees: r.fees,
    classes: r.classFlows.map((c) => ({
      noteId: c.noteId,
      className: c.className,
      balanceBefore: c.balanceBefore,
      interestCurrent: c.interestCurrent,
      interestShortfallBefore: c.interestShortfallBefore,
      interestPaid: c.interestPaid,
      interestShortfallAfter: c.interestShortfallAfter,
      principalPaid: c.principalPaid,
      balanceAfter: c.balanceAfter,
    })),
    reserve: r.reserve,
    trapped: r.trappedCash,
    dscr: period.metrics.get('dscr') ?? null,
    cashTrapActive: r.cashTrapActive,
    sweepActive: r.sweepActive,
    residualReleased: r.residual,
    principalPaid: r.principalPaid,
  };
}
