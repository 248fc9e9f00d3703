/**
 * Test fixtures for the projection: the demo Meridian deal's setup as servicing would hand it over
 * (its seeded waterfall definition — version 1, in step form through fromVersion1 — its notes, a
 * fresh trust state, and the collateral's start from its seeded performance reports through
 * start.ts, as the service builds it), built without a database.
 */
import { DEMO_DEALS } from '../../server/demo/market.js';
import { demoReports } from '../../server/demo/performance.js';
import { computeMetrics, metricsToWire, type DealMetrics } from '../../server/performance/metrics.js';
import { toFigures } from '../../server/performance/report.js';
import { Decimal } from '../../server/domain/decimal.js';
import { fleetValueByModel, startFromReports, type FiledReport, type ReportStart } from '../../server/projection/start.js';
import { buildSetup, type NoteFacts, type TrustState } from '../../server/projection/setup.js';
import { fromVersion1, type WaterfallDefinitionV1 } from '../../server/waterfall/index.js';
import type { ProjectionSetup } from '../../server/projection/model.js';

export const MERIDIAN = 'Meridian Compute ABS 2026-1';

/** The demo deal's start from its 24 seeded reports (metrics as computeMetrics publishes them; the note balance and debt service do not enter the start). */
export function demoStart(dealName: string): ReportStart {
  const previous: DealMetrics[] = [];
  const reports: FiledReport[] = demoReports(dealName).map((report) => {
    const m = computeMetrics({
      report: toFigures(report),
      noteBalance: new Decimal(1),
      debtService: new Decimal(1),
      previous: previous.slice(-2).reverse(),
    });
    previous.push(m);
    return { periodEnd: report.periodEnd, report, metrics: metricsToWire(m) };
  });
  const fleet = fleetValueByModel(reports.at(-1)!.report);
  return startFromReports(
    reports,
    [...fleet].map(([model, value]) => ({ model, value: value.toFixed(2) })),
  );
}

export const MERIDIAN_START = demoStart('Meridian Compute ABS 2026-1');

export function meridianNotes(): NoteFacts[] {
  const spec = DEMO_DEALS.find((d) => d.deal.name === MERIDIAN)!;
  return spec.notes.map((n, i) => ({
    id: `00000000-0000-4000-8000-00000000000${i + 1}`,
    className: n.terms.className,
    couponRate: n.terms.couponRate,
    dayCount: n.terms.dayCount,
    frequency: n.terms.frequency,
    issueDate: n.terms.issueDate,
    firstCouponDate: n.terms.firstCouponDate,
    maturityDate: n.terms.maturityDate,
    originalFace: n.terms.originalFace,
    factor: n.terms.factor,
  }));
}

/** The definition servicing/demo.ts seeds for Meridian. */
export function meridianDefinition(notes: readonly NoteFacts[]): WaterfallDefinitionV1 {
  return {
    version: 1,
    paymentsPerYear: 12,
    seniorFees: [
      { name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' },
      { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' },
    ],
    classes: notes.map((n) => ({ noteId: n.id, className: n.className })),
    reserve: { targetAmount: '2000000' },
    principal: { mode: 'sequential', scheduledPerPeriod: '1000000' },
    cashTrap: { dscrThreshold: '1.35', trapPercent: '100' },
    anticipatedRepaymentDate: '2031-03-15',
    recordDate: 'business-day-before-payment-date',
  };
}

export function freshState(): TrustState {
  return {
    freeCash: '0',
    reserveBalance: '0',
    trappedCash: '0',
    feeShortfall: '0',
    lastPaymentDate: null,
    classes: new Map(),
    recentDscrs: [],
    triggers: {},
  };
}

export function meridianSetup(
  overrides: { state?: TrustState; definition?: Partial<WaterfallDefinitionV1>; asOf?: string } = {},
): ProjectionSetup {
  const notes = meridianNotes();
  return buildSetup({
    definition: fromVersion1({ ...meridianDefinition(notes), ...overrides.definition }),
    notes,
    state: overrides.state ?? freshState(),
    collateral: MERIDIAN_START.collateral,
    asOf: overrides.asOf ?? '2026-12-07',
  });
}
