/**
 * Trigger evaluation for one period — pure. Each trigger tests one metric of the period against
 * its threshold and reports its working: the value tested, the threshold, whether this period's
 * test failed, whether it counts as breached (any failed test in the lookback window, this
 * period's included), whether it is on (its effect applies), and its cure count.
 *
 * Rules:
 * - a metric the period does not supply (e.g. DSCR with no debt service) is not tested: the test
 *   passes and the value is reported as null;
 * - breached → on, cure count 0; not breached while on → one more passing period; the trigger
 *   turns off in the period its cure count reaches `curePeriods` (1: the first passing period);
 * - a trigger that was off and is not breached stays off with cure count 0.
 * The state carried between periods is the on flag, the cure count and the last
 * `lookbackPeriods − 1` test results.
 */
import { Decimal } from '../domain/decimal.js';
import type { TriggerEffect, WaterfallTrigger } from './definition.js';

export interface TriggerState {
  on: boolean;
  /** Consecutive passing periods since the last breach, while the trigger is on (curing). */
  cureCount: number;
  /** The last lookbackPeriods − 1 tests (true = failed), oldest first. */
  recentFailures: readonly boolean[];
}

export interface TriggerResult {
  name: string;
  metric: string;
  comparison: WaterfallTrigger['comparison'];
  threshold: Decimal;
  /** Null: the period has no value for the metric, so it was not tested. */
  value: Decimal | null;
  /** This period's test alone failed. */
  testFailed: boolean;
  /** Breached: a failed test within the lookback window. */
  breached: boolean;
  /** The effect applies this period (breached, or not yet cured). */
  on: boolean;
  cureCount: number;
  curePeriods: number;
  lookbackPeriods: number;
  effect: TriggerEffect;
}

export const INITIAL_TRIGGER_STATE: TriggerState = Object.freeze({
  on: false,
  cureCount: 0,
  recentFailures: Object.freeze([]) as readonly boolean[],
});

function fails(value: Decimal, comparison: WaterfallTrigger['comparison'], threshold: Decimal): boolean {
  switch (comparison) {
    case 'lt':
      return value.lt(threshold);
    case 'lte':
      return value.lte(threshold);
    case 'gt':
      return value.gt(threshold);
    case 'gte':
      return value.gte(threshold);
  }
}

export function evaluateTrigger(
  trigger: WaterfallTrigger,
  previous: TriggerState,
  metrics: ReadonlyMap<string, Decimal>,
): { result: TriggerResult; state: TriggerState } {
  const threshold = new Decimal(trigger.threshold);
  const value = metrics.get(trigger.metric) ?? null;
  const testFailed = value !== null && fails(value, trigger.comparison, threshold);
  const window = [...previous.recentFailures, testFailed].slice(-trigger.lookbackPeriods);
  const breached = window.some((failed) => failed);
  const cureCount = breached || !previous.on ? 0 : previous.cureCount + 1;
  const on = breached || (previous.on && cureCount < trigger.curePeriods);
  return {
    result: {
      name: trigger.name,
      metric: trigger.metric,
      comparison: trigger.comparison,
      threshold,
      value,
      testFailed,
      breached,
      on,
      cureCount,
      curePeriods: trigger.curePeriods,
      lookbackPeriods: trigger.lookbackPeriods,
      effect: trigger.effect,
    },
    state: {
      on,
      cureCount: on ? cureCount : 0,
      recentFailures: trigger.lookbackPeriods === 1 ? [] : window.slice(-(trigger.lookbackPeriods - 1)),
    },
  };
}

export function evaluateTriggers(
  triggers: readonly WaterfallTrigger[],
  states: ReadonlyMap<string, TriggerState>,
  metrics: ReadonlyMap<string, Decimal>,
): { results: TriggerResult[]; states: Map<string, TriggerState> } {
  const results: TriggerResult[] = [];
  const next = new Map<string, TriggerState>();
  for (const trigger of triggers) {
    const { result, state } = evaluateTrigger(trigger, states.get(trigger.name) ?? INITIAL_TRIGGER_STATE, metrics);
    results.push(result);
    next.set(trigger.name, state);
  }
  return { results, states: next };
}
