/**
 * The fast engine's metrics and triggers for one period (waterfall/triggers.ts's rules): the DSCR,
 * its three-month average and the LTV (the filed report's where there is one, else the projected
 * month's), each trigger's test, lookback and cure, and what the triggers on this period do to the
 * steps (deferred interest, trapped cash, rapid amortization, step conditions).
 *
 * Guarantees: every comparison with a threshold is exact (integer cross-multiplication, never a
 * float); the trigger states passed in are replaced by this period's, nothing else is changed.
 * Must never: do I/O, read the clock, or pay anything (fast.ts runs the steps).
 */
import { compareProducts, e4, halfEvenOf, pow10, type Scaled } from './cents.js';
import type { Collateral } from './fast-collateral.js';
import type { CompiledSetup, Ratio } from './fast-setup.js';
import type { ResolvedScenario } from './scenario.js';
import type { StepCondition } from '../waterfall/index.js';

/** value <comparison> threshold, exactly: num × 10^places vs threshold × den. */
function breaches(value: Ratio, comparison: 'lt' | 'lte' | 'gt' | 'gte', threshold: { int: number; scale: number }): boolean {
  const sign = compareProducts(value.num, threshold.scale, threshold.int, value.den);
  switch (comparison) {
    case 'lt':
      return sign < 0;
    case 'lte':
      return sign <= 0;
    case 'gt':
      return sign > 0;
    case 'gte':
      return sign >= 0;
  }
}

/** A trigger's running state: on or off, periods cured so far, and its recent test failures. */
export interface TriggerRun {
  on: boolean;
  cure: number;
  failures: boolean[];
}

/** The period's DSCR (× 10^4), its three-month average, LTV (% × 100), and each trigger metric by name. */
export interface PeriodMetrics {
  dscr: number | null;
  dscrAverage: number | null;
  ltv: number | null;
  metric: (name: string) => Ratio | null;
}

/** The metrics the triggers of period p test: the filed report's, or the projected month's (col). */
export function periodMetrics(
  c: CompiledSetup,
  d: ResolvedScenario['drivers'],
  p: number,
  col: Collateral,
  dscrs: readonly (number | null)[],
  aggregate: number,
  gpu: readonly number[],
): PeriodMetrics {
  const actual = c.actualMetrics.get(p);
  const recent = dscrs.slice(-3).filter((x): x is number => x !== null);
  let dscr = col.monthDscr;
  let dscrAverage =
    recent.length === 0
      ? null
      : halfEvenOf(
          recent.reduce((a, b) => a + b, 0),
          recent.length,
        );
  let value = c.site;
  for (const g of gpu) value += g;
  let ltv = value > 0 ? halfEvenOf(aggregate * 10_000, value) : null;
  if (actual) {
    dscr = actual.dscr;
    dscrAverage = actual.average;
    ltv = actual.ltv;
  }
  const metric = (name: string): Ratio | null => {
    if (actual) return actual.ratios.get(name) ?? null;
    switch (name) {
      case 'dscr':
        return dscr === null ? null : { num: dscr, den: 10_000 };
      case 'dscrThreeMonthAverage':
        return dscrAverage === null ? null : { num: dscrAverage, den: 10_000 };
      case 'ltvPercent':
        return ltv === null ? null : { num: ltv, den: 100 };
      case 'revenue':
        return { num: col.monthRevenue, den: 100 };
      case 'operatingCosts':
        return { num: col.monthCosts, den: 100 };
      case 'netOperatingIncome':
        return { num: col.monthRevenue - col.monthCosts, den: 100 };
      case 'debtService':
        return { num: col.monthDebtService, den: 100 };
      case 'utilizationPercent':
        return { num: e4(d.utilizationPercent[col.lastMonth - 1]!), den: 10_000 };
      case 'pue':
        return { num: e4(d.pue[col.lastMonth - 1]!), den: 10_000 };
      case 'powerPricePerMwh':
        return { num: e4(d.powerPricePerMwh[col.lastMonth - 1]!), den: 10_000 };
      default:
        return null;
    }
  };
  return { dscr, dscrAverage, ltv, metric };
}

/** What the triggers on in a period do: which are on, the classes whose interest defers, the trap percent, and the steps' conditions. */
export interface PeriodTriggers {
  on: boolean[];
  deferSet: Set<number>;
  trapE: Scaled | null;
  holds: (when: StepCondition | undefined) => boolean;
}

/** Each trigger tested on `metric` with its lookback and cure (triggerStates becomes this period's), and what the triggers on do. */
export function periodTriggers(
  c: CompiledSetup,
  metric: (name: string) => Ratio | null,
  triggerStates: TriggerRun[],
  fromArd: boolean,
): PeriodTriggers {
  const on: boolean[] = c.triggers.map((t, i) => {
    const prev = triggerStates[i]!;
    const v = metric(t.metric);
    const failed = v !== null && breaches(v, t.comparison, t.threshold);
    const window = [...prev.failures, failed].slice(-t.lookback);
    const breached = window.some((x) => x);
    const cure = breached || !prev.on ? 0 : prev.cure + 1;
    const isOn = breached || (prev.on && cure < t.cure);
    triggerStates[i] = { on: isOn, cure: isOn ? cure : 0, failures: t.lookback === 1 ? [] : window.slice(-(t.lookback - 1)) };
    return isOn;
  });
  const rapid = c.triggers.some((t, i) => on[i] && t.effect.type === 'rapid_amortization');
  const deferSet = new Set<number>();
  let trapE: Scaled | null = null;
  c.triggers.forEach((t, i) => {
    if (!on[i]) return;
    for (const k of c.deferClasses[i]!) deferSet.add(k);
    if (t.effect.type === 'trap_cash') {
      const pct = c.trapPercents[i]!;
      if (trapE === null || pct.int * pow10(trapE.places) > trapE.int * pow10(pct.places)) trapE = pct;
    }
  });
  const holds = (when: StepCondition | undefined): boolean => {
    if (!when) return true;
    if (when.ard !== undefined && (when.ard === 'from') !== fromArd) return false;
    if (when.triggerOn !== undefined && !c.triggers.some((t, i) => on[i] && t.name === when.triggerOn)) return false;
    if (when.triggerOff !== undefined && c.triggers.some((t, i) => on[i] && t.name === when.triggerOff)) return false;
    return when.rapidAmortization === undefined || when.rapidAmortization === rapid;
  };
  return { on, deferSet, trapE, holds };
}
