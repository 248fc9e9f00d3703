/**
 * The demo deals' waterfalls, in the step form, seeded next to the demo market (bootstrap, when
 * the demo is on). Each matches its deal's description (server/demo/market.ts):
 * - Meridian Compute ABS 2026-1: trustee and servicer fees, then A-2 / B / C interest (the USD
 *   2,000,000 liquidity reserve may pay both), the reserve topped up, and no principal before the
 *   ARD (interest only); before the ARD, 100% of the excess cash is trapped while the three-month
 *   average DSCR of the performance reports is below 1.35× (as DataBank 2023-1) and released once
 *   it has passed for two consecutive months — the seeded reports (server/demo/performance.ts) dip
 *   below it for March to May 2026 and cure; from the ARD
 *   (2031-03-15) all excess and trapped cash sweeps to principal sequentially, and the classes
 *   accrue 5% a year of additional (step-up) interest, paid after everything else;
 * - Helios GPU Equipment Trust 2026-A: a servicer fee and senior interest (a controlled account:
 *   the rest to the sponsor).
 * Idempotent: a deal that already has a waterfall keeps it.
 */
import type { Knex } from 'knex';
import { DEMO_DEALS } from '../demo/market.js';
import { listNotes } from '../refdata/notes.js';
import { validateDefinition, type WaterfallDefinition, type WaterfallStep } from '../waterfall/index.js';

export const MERIDIAN_ARD = '2031-03-15';
export const MERIDIAN_STEP_UP_PERCENT = '5';

function meridian(classes: { noteId: string; className: string }[]): WaterfallDefinition {
  const names = classes.map((c) => c.className);
  const steps: WaterfallStep[] = [
    { kind: 'senior_fees', drawReserve: true },
    ...names.map((className) => ({ kind: 'interest' as const, className, drawReserve: true })),
    { kind: 'reserve_top_up' },
    { kind: 'cash_trap', when: { ard: 'before' } },
    { kind: 'sweep', mode: 'sequential', classes: names, includeTrappedCash: true, when: { ard: 'from' } },
    ...names.map((className) => ({ kind: 'additional_interest' as const, className })),
    { kind: 'residual' },
  ];
  return {
    version: 2,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    classes: classes.map((c) => ({ ...c, stepUpRatePercent: MERIDIAN_STEP_UP_PERCENT })),
    seniorFees: [
      { name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' },
      { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' },
    ],
    reserve: { targetAmount: '2000000' },
    anticipatedRepaymentDate: MERIDIAN_ARD,
    triggers: [
      {
        name: 'dscr-cash-trap',
        metric: 'dscrThreeMonthAverage',
        comparison: 'lt',
        threshold: '1.35',
        lookbackPeriods: 1,
        curePeriods: 2,
        effect: { type: 'trap_cash', percent: '100' },
      },
    ],
    steps,
  };
}

function helios(classes: { noteId: string; className: string }[]): WaterfallDefinition {
  return {
    version: 2,
    paymentsPerYear: 2,
    recordDate: 'business-day-before-payment-date',
    classes: classes.map((c) => ({ ...c, stepUpRatePercent: null })),
    seniorFees: [{ name: 'servicer', annualRatePercent: '0.05', fixedPerPeriod: '0' }],
    reserve: { targetAmount: '0' },
    anticipatedRepaymentDate: null,
    triggers: [],
    steps: [
      { kind: 'senior_fees', drawReserve: false },
      ...classes.map((c) => ({ kind: 'interest' as const, className: c.className, drawReserve: false })),
      { kind: 'residual' },
    ],
  };
}

export async function seedDemoWaterfalls(db: Knex): Promise<void> {
  for (const spec of DEMO_DEALS) {
    const deal: { id: string } | undefined = await db('deals').where({ name: spec.deal.name }).first('id');
    if (!deal) continue;
    const notes = await listNotes(db, { dealId: deal.id });
    const classes = notes.map((n) => ({ noteId: n.id, className: n.className }));
    const definition = spec.deal.name.startsWith('Meridian') ? meridian(classes) : helios(classes);
    validateDefinition(definition);
    await db('deal_waterfalls')
      .insert({ deal_id: deal.id, definition: JSON.stringify(definition) })
      .onConflict('deal_id')
      .ignore();
  }
}
