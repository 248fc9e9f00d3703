/**
 * Whether a step-form waterfall can run: every name it uses exists, the steps come in an order
 * that pays seniors first, and no cash goes round in a cycle within a period. Throws
 * `WaterfallDefinitionError` naming the offending step (its index in `steps` and its kind), the
 * trigger or the class. Pure.
 *
 * Rules:
 * - classes: names and notes unique; every class has exactly one `interest` step, and interest
 *   steps follow the classes' order of seniority; `senior_fees` (at most one) comes before them;
 * - names: every class a step or trigger names is a class; every trigger a condition names is a
 *   trigger; every metric is a known metric; trigger names unique; `when.ard` and
 *   `additional_interest` need an ARD, `additional_interest` a class step-up rate;
 * - order: `residual` exactly once, last; `additional_interest` only after every step that is not
 *   an `additional_interest` (paid after everything else); a class's `deferred_interest` after its
 *   `interest`; at most one `reserve_top_up`, `cash_trap`, `deferred_interest` / `additional_interest`
 *   per class; a class at most once in a principal step's list;
 * - cycles: cash is never put into an account and taken out of it again in the same period: no
 *   `drawReserve` step after a `reserve_top_up` and no `includeTrappedCash` sweep after a
 *   `cash_trap`, unless their conditions can never hold together (e.g. before / from the ARD);
 * - amounts that would accrue and never be paid are refused: fee lines without `senior_fees`, a
 *   step-up rate without `additional_interest`;
 * - switches that switch nothing are refused: a `trap_cash` trigger without a `cash_trap` step, a
 *   `rapid_amortization` trigger without a step conditioned on it, a `defer_interest` trigger for a
 *   class without a `deferred_interest` step (its deferred interest would never be paid).
 */
import {
  KNOWN_METRICS,
  stepClasses,
  stepCondition,
  type StepCondition,
  type WaterfallDefinition,
  type WaterfallStep,
} from './definition.js';

export interface WaterfallErrorDetails {
  step?: number;
  kind?: string;
  trigger?: string;
  className?: string;
}

export class WaterfallDefinitionError extends Error {
  readonly code = 'INVALID_WATERFALL';
  readonly details: WaterfallErrorDetails;

  constructor(message: string, details: WaterfallErrorDetails) {
    super(message);
    this.name = 'WaterfallDefinitionError';
    this.details = details;
  }
}

function stepError(index: number, step: WaterfallStep, message: string): WaterfallDefinitionError {
  return new WaterfallDefinitionError(`step ${index} (${step.kind}): ${message}`, { step: index, kind: step.kind });
}

/** True when two conditions can never hold in the same period. */
export function exclusive(a: StepCondition | undefined, b: StepCondition | undefined): boolean {
  if (!a || !b) return false;
  if (a.ard && b.ard && a.ard !== b.ard) return true;
  if (a.triggerOn && a.triggerOn === b.triggerOff) return true;
  if (b.triggerOn && b.triggerOn === a.triggerOff) return true;
  return a.rapidAmortization !== undefined && b.rapidAmortization !== undefined && a.rapidAmortization !== b.rapidAmortization;
}

export function validateDefinition(definition: WaterfallDefinition): void {
  checkClasses(definition);
  checkTriggers(definition);
  definition.steps.forEach((step, index) => checkStepNames(definition, step, index));
  checkOrder(definition);
  checkCycles(definition);
  checkSwitches(definition);
}

function checkClasses(definition: WaterfallDefinition): void {
  const names = new Set<string>();
  const notes = new Set<string>();
  for (const c of definition.classes) {
    if (names.has(c.className)) throw new WaterfallDefinitionError(`class ${c.className} appears twice`, { className: c.className });
    if (notes.has(c.noteId)) throw new WaterfallDefinitionError(`note ${c.noteId} appears twice`, { className: c.className });
    names.add(c.className);
    notes.add(c.noteId);
  }
}

function checkTriggers(definition: WaterfallDefinition): void {
  const classes = new Set(definition.classes.map((c) => c.className));
  const seen = new Set<string>();
  for (const t of definition.triggers) {
    if (seen.has(t.name)) throw new WaterfallDefinitionError(`trigger ${t.name} appears twice`, { trigger: t.name });
    seen.add(t.name);
    if (!(KNOWN_METRICS as readonly string[]).includes(t.metric)) {
      throw new WaterfallDefinitionError(`trigger ${t.name} tests an unknown metric ${t.metric}`, { trigger: t.name });
    }
    if (t.effect.type === 'defer_interest') {
      const unknown = t.effect.classes.find((c) => !classes.has(c));
      if (unknown !== undefined)
        throw new WaterfallDefinitionError(`trigger ${t.name} defers the interest of an unknown class ${unknown}`, {
          trigger: t.name,
          className: unknown,
        });
    }
  }
}

function checkStepNames(definition: WaterfallDefinition, step: WaterfallStep, index: number): void {
  const classes = new Map(definition.classes.map((c) => [c.className, c]));
  const listed = stepClasses(step);
  for (const name of listed) if (!classes.has(name)) throw stepError(index, step, `unknown class ${name}`);
  if (new Set(listed).size !== listed.length) throw stepError(index, step, 'names a class twice');
  const when = stepCondition(step);
  const triggers = new Set(definition.triggers.map((t) => t.name));
  for (const name of [when?.triggerOn, when?.triggerOff]) {
    if (name !== undefined && !triggers.has(name)) throw stepError(index, step, `unknown trigger ${name}`);
  }
  if (when?.ard && definition.anticipatedRepaymentDate === null)
    throw stepError(index, step, 'a condition on the ARD, but the deal has no ARD');
  if (step.kind === 'additional_interest') {
    if (definition.anticipatedRepaymentDate === null) throw stepError(index, step, 'post-ARD interest, but the deal has no ARD');
    if (classes.get(step.className)!.stepUpRatePercent === null)
      throw stepError(index, step, `class ${step.className} has no step-up rate`);
  }
}

function checkOrder(definition: WaterfallDefinition): void {
  const { steps } = definition;
  const last = steps.length - 1;
  const seniority = new Map(definition.classes.map((c, i) => [c.className, i]));
  const once = new Set<string>();
  let lastInterest = -1;
  let sawInterest = false;
  let sawOtherThanPostArd = -1;
  steps.forEach((step, index) => {
    if (step.kind === 'residual' && index !== last) throw stepError(index, step, 'the residual must be the last step');
    const key =
      step.kind === 'reserve_top_up' || step.kind === 'cash_trap' || step.kind === 'senior_fees'
        ? step.kind
        : step.kind === 'interest' || step.kind === 'deferred_interest' || step.kind === 'additional_interest'
          ? `${step.kind}:${step.className}`
          : null;
    if (key !== null) {
      if (once.has(key)) throw stepError(index, step, 'appears twice');
      once.add(key);
    }
    if (step.kind === 'senior_fees' && sawInterest) throw stepError(index, step, 'senior fees must come before any interest');
    if (step.kind === 'interest') {
      const rank = seniority.get(step.className)!;
      if (rank < lastInterest) throw stepError(index, step, `interest of ${step.className} comes after the interest of a junior class`);
      lastInterest = rank;
      sawInterest = true;
    }
    if (step.kind === 'deferred_interest' && !once.has(`interest:${step.className}`)) {
      throw stepError(index, step, `deferred interest of ${step.className} must come after its interest`);
    }
    if (step.kind !== 'additional_interest' && step.kind !== 'residual') sawOtherThanPostArd = index;
  });
  if (steps[last]!.kind !== 'residual') throw stepError(last, steps[last]!, 'the last step must be the residual');
  steps.forEach((step, index) => {
    if (step.kind === 'additional_interest' && index < sawOtherThanPostArd)
      throw stepError(index, step, 'post-ARD interest is paid after everything else');
  });
  for (const c of definition.classes) {
    if (!once.has(`interest:${c.className}`))
      throw new WaterfallDefinitionError(`class ${c.className} has no interest step`, { className: c.className });
  }
}

function checkCycles(definition: WaterfallDefinition): void {
  const { steps } = definition;
  steps.forEach((funding, i) => {
    steps.forEach((draining, j) => {
      if (j <= i || exclusive(stepCondition(funding), stepCondition(draining))) return;
      const drawsReserve = (draining.kind === 'senior_fees' || draining.kind === 'interest') && draining.drawReserve;
      if (funding.kind === 'reserve_top_up' && drawsReserve)
        throw stepError(j, draining, `cycle: draws the reserve that step ${i} topped up`);
      if (funding.kind === 'cash_trap' && draining.kind === 'sweep' && draining.includeTrappedCash) {
        throw stepError(j, draining, `cycle: sweeps the trapped cash that step ${i} trapped`);
      }
    });
  });
}

function checkSwitches(definition: WaterfallDefinition): void {
  const kinds = new Set(definition.steps.map((s) => s.kind));
  const deferredSteps = new Set(definition.steps.flatMap((s) => (s.kind === 'deferred_interest' ? [s.className] : [])));
  const onRapid = definition.steps.some((s) => stepCondition(s)?.rapidAmortization === true);
  if (definition.seniorFees.length > 0 && !kinds.has('senior_fees'))
    throw new WaterfallDefinitionError('fee lines are defined, but no senior_fees step pays them', {});
  const postArd = new Set(definition.steps.flatMap((s) => (s.kind === 'additional_interest' ? [s.className] : [])));
  const unpaidStepUp = definition.classes.find((c) => c.stepUpRatePercent !== null && !postArd.has(c.className));
  if (unpaidStepUp)
    throw new WaterfallDefinitionError(`class ${unpaidStepUp.className} steps up after the ARD, but no additional_interest step pays it`, {
      className: unpaidStepUp.className,
    });
  for (const t of definition.triggers) {
    if (t.effect.type === 'trap_cash' && !kinds.has('cash_trap'))
      throw new WaterfallDefinitionError(`trigger ${t.name} traps cash, but no cash_trap step`, { trigger: t.name });
    if (t.effect.type === 'rapid_amortization' && !onRapid) {
      throw new WaterfallDefinitionError(`trigger ${t.name} starts rapid amortization, but no step runs on it`, { trigger: t.name });
    }
    if (t.effect.type === 'defer_interest') {
      const unpaid = t.effect.classes.find((c) => !deferredSteps.has(c));
      if (unpaid !== undefined)
        throw new WaterfallDefinitionError(`trigger ${t.name} defers ${unpaid}'s interest, but no deferred_interest step pays it`, {
          trigger: t.name,
          className: unpaid,
        });
    }
  }
}
