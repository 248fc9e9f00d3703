/**
 * The bench's unit of work, shared by the main thread and the workers: the demo ABS deal's setup
 * (Meridian: 3 classes, monthly, to its 2051 legal final), random scenarios from a seeded
 * generator, one projection, and one grid cell (projection + Class B's yield at a price).
 */
import { compileSetup, projectFast, type CompiledSetup } from '../../../server/projection/fast.js';
import { projectedMonths, type ProjectionResult } from '../../../server/projection/model.js';
import { resolveScenario, type ResolvedScenario, type ScenarioInput } from '../../../server/projection/scenario.js';
import { flowPlan, yieldAtPrice } from '../../../server/analytics/bond.js';
import { buildCouponSchedule } from '../../../server/domain/schedule.js';
import { parseIsoDate } from '../../../server/domain/dates.js';
import { meridianSetup, MERIDIAN_START } from '../../projection/support.js';

export const SETTLEMENT = parseIsoDate('2026-12-08');
export const setup = meridianSetup({ asOf: '2026-12-07' });
export const compiled: CompiledSetup = compileSetup(setup);
const base = MERIDIAN_START.base;
const models = setup.collateral.gpuFleet.map((g) => g.model);
const tenants = setup.collateral.tenants.map((t) => t.name);
const months = projectedMonths(setup);
const schedule = buildCouponSchedule({
  issueDate: parseIsoDate('2026-03-12'),
  firstCouponDate: parseIsoDate('2026-04-15'),
  maturityDate: parseIsoDate('2051-03-15'),
  frequency: 12,
});

/** A small seeded generator (mulberry32), so every run projects the same scenarios. */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (next: () => number, lo: number, hi: number) => String(lo + Math.floor(next() * (hi - lo + 1))); // whole numbers as driver strings

export function randomScenario(next: () => number): ResolvedScenario {
  const input: ScenarioInput = {
    utilizationPercent:
      next() < 0.5
        ? pick(next, 40, 100)
        : [
            { fromMonth: 1, value: pick(next, 60, 100) },
            { fromMonth: 2 + Math.floor(next() * 60), value: pick(next, 30, 100) },
          ],
    rentChangePercent: pick(next, -50, 20),
    powerPricePerMwh: pick(next, 30, 150),
    opexGrowthPercent: pick(next, 0, 8),
    renewalProbabilityPercent: pick(next, 30, 100),
    downtimeMonths: pick(next, 0, 12),
    releaseRentChangePercent: pick(next, -40, 10),
    gpuValueChangePercentPerYear: pick(next, -40, 0),
    refinanceAtArd: next() < 0.5,
    tenantDefaults:
      next() < 0.3
        ? [
            {
              tenant: tenants[Math.floor(next() * tenants.length)]!,
              month: 1 + Math.floor(next() * 120),
              recoveryPercent: pick(next, 0, 60),
            },
          ]
        : [],
  };
  return resolveScenario(input, base, months, tenants, models);
}

export function project(scenario: ResolvedScenario): ProjectionResult {
  return projectFast(compiled, scenario);
}

/** One grid cell: Class B under utilization u and rent change r, yield at `price`. */
export function gridCell(u: string, r: string, price: string): string {
  const result = project(resolveScenario({ utilizationPercent: u, rentChangePercent: r }, base, months, tenants, models));
  const flows = result.periods
    .filter((p) => p.date > SETTLEMENT)
    .map((p) => ({ date: parseIsoDate(p.date), amount: centsText(p.classes[1]!.interest + p.classes[1]!.principal) }));
  const plan = flowPlan({
    couponRatePercent: '6.4',
    dayCount: '30/360',
    schedule,
    settlementDate: SETTLEMENT,
    face: setup.classes[1]!.balance,
    flows,
  });
  return yieldAtPrice(plan, price).toFixed(4);
}

function centsText(cents: number): string {
  const digits = String(cents).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** The grid's 1,000 cells: utilization 100 → 61 (40 values) × rent change 0 → −24 % (25 values). */
export const GRID = Array.from({ length: 40 }, (_, i) => String(100 - i)).flatMap((u) =>
  Array.from({ length: 25 }, (_, j) => [u, String(-j)] as const),
);
