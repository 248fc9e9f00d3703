/**
 * The fast engine's compiled setup: a ProjectionSetup turned once into integer cents and scaled
 * integers (coupons, fee rates, trigger thresholds, rents, the trust's start state), so that
 * projectFast (fast.ts) runs every scenario without parsing a decimal string again.
 *
 * Guarantees: every amount is a whole number of cents (centsOf throws on a fraction of a cent) and
 * every rate keeps all its digits as a scaled integer; the setup is read, never changed.
 * Must never: do I/O, read the clock, or turn a decimal string into a float.
 */
import { centsOf, divHalfEven, e4, pow10, scaled, type Scaled } from './cents.js';
import { projectedMonths, type ProjectionSetup } from './model.js';
import { stepClasses, type WaterfallDefinition } from '../waterfall/index.js';

export interface CompiledSetup {
  setup: ProjectionSetup;
  definition: WaterfallDefinition;
  coupons: Scaled[];
  stepUps: (Scaled | null)[];
  feeRates: Scaled[];
  feeFixed: number[];
  reserveTarget: number;
  /** Per step: class indexes it names, and its amount per period (scheduled principal). */
  stepClasses: number[][];
  stepAmounts: number[];
  triggers: {
    name: string;
    metric: string;
    comparison: 'lt' | 'lte' | 'gt' | 'gte';
    threshold: { int: number; scale: number };
    lookback: number;
    cure: number;
    effect: WaterfallDefinition['triggers'][number]['effect'];
  }[];
  trapPercents: Scaled[];
  deferClasses: number[][];
  /** Each tenant's contracted monthly rent in cents. */
  rents: number[];
  /** Base utilization × 10^4 (rents scale by u ÷ u₀); power recovery % × 10^4. */
  u0: number;
  recovery4: number;
  energy: Scaled;
  opex: number;
  site: number;
  gpu: number[];
  /** Floating margins (bp) per class, or null for a fixed coupon. */
  margins: (Scaled | null)[];
  /** Monthly debt service: the common scale of coupons and fee rates (10^places), and scheduled principal cents by month − 1. */
  dsPlaces: number;
  scheduled: number[];
  actualDscr: Map<number, number | null>;
  actualMetrics: Map<number, { ratios: Map<string, Ratio>; dscr: number | null; average: number | null; ltv: number | null }>;
  start: {
    balances: number[];
    shortfalls: number[];
    deferred: number[];
    additional: number[];
    freeCash: number;
    reserve: number;
    trapped: number;
    feeShortfall: number;
    dscrs: (number | null)[];
    triggers: { on: boolean; cure: number; failures: boolean[] }[];
  };
  firstPeriod: { revenue: number; costs: number } | null;
}

/** The exact product of two scaled decimals. */
function multiply(a: Scaled, b: Scaled): Scaled {
  return { int: a.int * b.int, places: a.places + b.places };
}

/** The setup in cents and scaled integers, once per deal context (the engine reads it for every scenario). */
export function compileSetup(setup: ProjectionSetup): CompiledSetup {
  const col = setup.collateral;
  const def = setup.definition;
  const index = new Map(setup.classes.map((c, i) => [c.className, i]));
  const classIndexes = (names: readonly string[]) => names.map((n) => index.get(n)!);
  return {
    setup,
    definition: def,
    coupons: setup.classes.map((c) => scaled(c.couponRatePercent)),
    stepUps: setup.classes.map((c) => {
      const rate = def.classes.find((x) => x.className === c.className)?.stepUpRatePercent ?? null;
      return rate === null ? null : scaled(rate);
    }),
    feeRates: def.seniorFees.map((f) => scaled(f.annualRatePercent)),
    feeFixed: def.seniorFees.map((f) => centsOf(f.fixedPerPeriod)),
    reserveTarget: centsOf(def.reserve.targetAmount),
    stepClasses: def.steps.map((st) => classIndexes(stepClasses(st))),
    stepAmounts: def.steps.map((st) => (st.kind === 'scheduled_principal' ? centsOf(st.amountPerPeriod) : 0)),
    triggers: def.triggers.map((t) => {
      const th = scaled(t.threshold);
      return {
        name: t.name,
        metric: t.metric,
        comparison: t.comparison,
        threshold: { int: Number(th.int), scale: Number(pow10(th.places)) },
        lookback: t.lookbackPeriods,
        cure: t.curePeriods,
        effect: t.effect,
      };
    }),
    trapPercents: def.triggers.map((t) => (t.effect.type === 'trap_cash' ? scaled(t.effect.percent) : { int: 0n, places: 0 })),
    deferClasses: def.triggers.map((t) => (t.effect.type === 'defer_interest' ? classIndexes(t.effect.classes) : [])),
    rents: col.tenants.map((t) => centsOf(t.monthlyRent)),
    u0: e4(col.baseUtilizationPercent),
    recovery4: e4(col.powerRecoveryPercent),
    energy: multiply(scaled(col.trustEnergyMw), { int: BigInt(col.hoursPerMonth), places: 0 }),
    opex: centsOf(col.otherOpexPerMonth),
    site: centsOf(col.siteValue),
    gpu: col.gpuFleet.map((g) => centsOf(g.value)),
    margins: setup.classes.map((c) => (c.floatingMarginBp == null ? null : scaled(c.floatingMarginBp))),
    dsPlaces: Math.max(
      4,
      ...setup.classes.map((c) => scaled(c.couponRatePercent).places),
      ...def.seniorFees.map((f) => scaled(f.annualRatePercent).places),
    ),
    scheduled: Array.from({ length: projectedMonths(setup) }, (_, i) => centsOf(setup.scheduledPrincipalByMonth?.[i] ?? '0')),
    actualDscr: new Map(
      Object.entries(setup.actuals?.dscrByMonth ?? {}).map(([m, d]) => [Number.parseInt(m, 10), d === null ? null : e4(d)]),
    ),
    actualMetrics: new Map(
      Object.entries(setup.actuals?.metricsByPeriod ?? {}).map(([p, metrics]) => [
        Number.parseInt(p, 10),
        {
          ratios: new Map(
            Object.entries(metrics).map(([k, v]) => {
              const x = scaled(v);
              return [k, { num: Number(x.int), den: Number(pow10(x.places)) }];
            }),
          ),
          dscr: metrics.dscr === undefined ? null : e4(metrics.dscr),
          average: metrics.dscrThreeMonthAverage === undefined ? null : e4(metrics.dscrThreeMonthAverage),
          ltv:
            metrics.ltvPercent === undefined ? null : Number(scaled(metrics.ltvPercent).int * pow10(2 - scaled(metrics.ltvPercent).places)),
        },
      ]),
    ),
    start: {
      balances: setup.classes.map((c) => centsOf(c.balance)),
      shortfalls: setup.classes.map((c) => centsOf(c.interestShortfall)),
      deferred: setup.classes.map((c) => centsOf(c.deferredInterest)),
      additional: setup.classes.map((c) => centsOf(c.additionalInterestShortfall)),
      freeCash: centsOf(setup.start.freeCash),
      reserve: centsOf(setup.start.reserve),
      trapped: centsOf(setup.start.trappedCash),
      feeShortfall: centsOf(setup.start.feeShortfall),
      dscrs: setup.start.recentDscrs
        .map((d) => (d === null ? null : Number(divHalfEven(scaled(d).int * 10_000n, pow10(scaled(d).places)))))
        .reverse(),
      triggers: def.triggers.map((t) => {
        const s = setup.start.triggers[t.name];
        return { on: s?.on ?? false, cure: s?.cureCount ?? 0, failures: [...(s?.recentFailures ?? [])] };
      }),
    },
    firstPeriod: setup.firstPeriodCollections
      ? { revenue: centsOf(setup.firstPeriodCollections.revenue), costs: centsOf(setup.firstPeriodCollections.operatingCosts) }
      : null,
  };
}

/** A metric as a fraction num ÷ den (safe integers, den > 0) for trigger tests. */
export interface Ratio {
  num: number;
  den: number;
}
