/**
 * One period of a step-form waterfall — pure and deterministic: no I/O, no clock. Servicing runs
 * it for a payment date with the trust's cash; a projection runs it month after month with
 * projected cash and metrics. `runWaterfallPeriod(definition, state, period)` returns the next
 * state and its working: each trigger's test, each step's cash in and out, each class's flows.
 *
 * Order within a period:
 * 1. triggers are evaluated on the period's metrics (triggers.ts);
 * 2. accruals are fixed from the balances at the start of the period: each class's interest on
 *    its balance plus deferred interest (deferred interest bears interest: paid in kind), each fee
 *    line on the classes' aggregate balance, post-ARD additional interest at the class's step-up
 *    rate for accrual periods starting on or after the ARD;
 * 3. the steps run in order, each only if its `when` holds (definition.ts says what each does);
 *    what an interest, fee or additional-interest step does not pay (or that did not run) carries
 *    forward as that line's shortfall, without interest on it.
 *
 * Rounding: each interest, fee line and additional interest is rounded half-even to cents once
 * (domain/rounding.ts); a trap deposit is rounded half-even to cents; pro-rata principal is
 * rounded down per class and the leftover cents go to the listed classes in order. Everything
 * else is sums, differences and minima of cents, so each step conserves cash exactly:
 *   available before + from reserve + from trapped cash = paid + to reserve + to trapped + available after.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundCashDown } from '../domain/rounding.js';
import { stepCondition, stepLabel, type StepCondition, type WaterfallDefinition, type WaterfallStep } from './definition.js';
import { evaluateTriggers, type TriggerResult, type TriggerState } from './triggers.js';

export interface ClassState {
  balance: Decimal;
  interestShortfall: Decimal;
  /** Interest deferred (paid in kind) while a trigger deferred it, not yet paid. */
  deferredInterest: Decimal;
  /** Post-ARD additional interest accrued and not yet paid. */
  additionalInterestShortfall: Decimal;
}

/** The trust's state between periods, keyed by class name and trigger name. */
export interface WaterfallState {
  classes: ReadonlyMap<string, ClassState>;
  feeShortfall: Decimal;
  reserveBalance: Decimal;
  trappedCash: Decimal;
  triggers: ReadonlyMap<string, TriggerState>;
}

export interface ClassAccrual {
  /** Annual coupon, percent. */
  couponRatePercent: Decimal;
  /** Year fraction of this accrual period under the class's day count. */
  yearFraction: Decimal;
}

/** A period's metrics by name (e.g. dscr, dscrThreeMonthAverage, ltvPercent), as the caller computes them. */
export type PeriodMetrics = ReadonlyMap<string, Decimal>;

export interface WaterfallPeriod {
  paymentDate: string;
  /** First day of the accrual period (the last payment date). */
  accrualStart: string;
  /** Cash available for the steps (the trust's free cash). */
  availableFunds: Decimal;
  metrics: PeriodMetrics;
  /** 1 / payments per year: the fee lines' accrual fraction. */
  feeYearFraction: Decimal;
  /** Per class name. */
  accruals: ReadonlyMap<string, ClassAccrual>;
}

export interface StepFlow {
  index: number;
  kind: WaterfallStep['kind'];
  label: string;
  ran: boolean;
  availableBefore: Decimal;
  fromReserve: Decimal;
  fromTrappedCash: Decimal;
  /** Cash leaving the trust: fees, interest, principal, residual. */
  paid: Decimal;
  toReserve: Decimal;
  toTrappedCash: Decimal;
  /** Interest deferred (paid in kind) by this step: no cash moves. */
  deferred: Decimal;
  availableAfter: Decimal;
  paidTo: { className: string; amount: Decimal }[];
}

export interface ClassFlow {
  className: string;
  noteId: string;
  balanceBefore: Decimal;
  interestCurrent: Decimal;
  interestShortfallBefore: Decimal;
  interestPaid: Decimal;
  interestShortfallAfter: Decimal;
  interestDeferred: Decimal;
  deferredInterestBefore: Decimal;
  deferredInterestPaid: Decimal;
  deferredInterestAfter: Decimal;
  additionalInterestCurrent: Decimal;
  additionalInterestShortfallBefore: Decimal;
  additionalInterestPaid: Decimal;
  additionalInterestShortfallAfter: Decimal;
  principalPaid: Decimal;
  balanceAfter: Decimal;
}

export interface WaterfallPeriodResult {
  state: WaterfallState;
  triggerResults: TriggerResult[];
  stepFlows: StepFlow[];
  classFlows: ClassFlow[];
  fees: { current: Decimal; shortfallBefore: Decimal; paid: Decimal; shortfallAfter: Decimal };
  reserve: { before: Decimal; draw: Decimal; topUp: Decimal; after: Decimal };
  trappedCash: { before: Decimal; added: Decimal; released: Decimal; swept: Decimal; after: Decimal };
  residual: Decimal;
  principalPaid: Decimal;
  /** A cash_trap step ran while a trap_cash trigger was on. */
  cashTrapActive: boolean;
  /** A sweep step ran. */
  sweepActive: boolean;
  rapidAmortization: boolean;
  availableFunds: Decimal;
  /** Funds left after the last step (zero: the residual step takes the rest). */
  unspent: Decimal;
}

const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);

/** A fresh state: the classes' balances, nothing owed, no reserve or trapped cash, triggers off. */
export function initialState(balances: ReadonlyMap<string, Decimal>): WaterfallState {
  return {
    classes: new Map(
      [...balances].map(([name, balance]) => [
        name,
        { balance, interestShortfall: ZERO, deferredInterest: ZERO, additionalInterestShortfall: ZERO },
      ]),
    ),
    feeShortfall: ZERO,
    reserveBalance: ZERO,
    trappedCash: ZERO,
    triggers: new Map(),
  };
}

function classState(state: WaterfallState, className: string): ClassState {
  const s = state.classes.get(className);
  if (!s) throw new Error(`the waterfall state has no class ${className}`);
  return s;
}

function accrual(period: WaterfallPeriod, className: string): ClassAccrual {
  const a = period.accruals.get(className);
  if (!a) throw new Error(`the period has no accrual for class ${className}`);
  return a;
}

function interestOn(amount: Decimal, ratePercent: Decimal, yearFraction: Decimal): Decimal {
  return roundCash(amount.mul(ratePercent).div(HUNDRED).mul(yearFraction));
}

/** This period's senior fees: each line rounded to cents on the classes' aggregate balance. */
export function periodFees(definition: WaterfallDefinition, state: WaterfallState, period: WaterfallPeriod): Decimal {
  const aggregate = definition.classes.reduce((sum, c) => sum.plus(classState(state, c.className).balance), ZERO);
  return definition.seniorFees.reduce(
    (sum, fee) =>
      sum.plus(
        roundCash(new Decimal(fee.fixedPerPeriod).plus(aggregate.mul(fee.annualRatePercent).div(HUNDRED).mul(period.feeYearFraction))),
      ),
    ZERO,
  );
}

/** This period's interest of a class: on its balance plus deferred interest, rounded to cents. */
export function periodInterest(state: WaterfallState, period: WaterfallPeriod, className: string): Decimal {
  const s = classState(state, className);
  const a = accrual(period, className);
  return interestOn(s.balance.plus(s.deferredInterest), a.couponRatePercent, a.yearFraction);
}

/**
 * The period's scheduled debt service: senior fees plus every class's current interest
 * (shortfalls excluded). Servicing's single-period DSCR divides the net cash flow by it.
 */
export function scheduledDebtService(definition: WaterfallDefinition, state: WaterfallState, period: WaterfallPeriod): Decimal {
  return definition.classes.reduce((sum, c) => sum.plus(periodInterest(state, period, c.className)), periodFees(definition, state, period));
}

interface Working {
  available: Decimal;
  reserve: Decimal;
  trapped: Decimal;
  flow: StepFlow;
}

export function runWaterfallPeriod(definition: WaterfallDefinition, state: WaterfallState, period: WaterfallPeriod): WaterfallPeriodResult {
  const triggers = evaluateTriggers(definition.triggers, state.triggers, period.metrics);
  const on = triggers.results.filter((t) => t.on);
  const rapidAmortization = on.some((t) => t.effect.type === 'rapid_amortization');
  const deferredClasses = new Set(on.flatMap((t) => (t.effect.type === 'defer_interest' ? t.effect.classes : [])));
  const trapPercents = on.flatMap((t) => (t.effect.type === 'trap_cash' ? [new Decimal(t.effect.percent)] : []));
  const ard = definition.anticipatedRepaymentDate;
  const fromArd = ard !== null && period.paymentDate >= ard;
  const postArdAccrual = ard !== null && period.accrualStart >= ard;

  const holds = (when: StepCondition | undefined): boolean => {
    if (!when) return true;
    if (when.ard !== undefined && (when.ard === 'from') !== fromArd) return false;
    if (when.triggerOn !== undefined && !on.some((t) => t.name === when.triggerOn)) return false;
    if (when.triggerOff !== undefined && on.some((t) => t.name === when.triggerOff)) return false;
    return when.rapidAmortization === undefined || when.rapidAmortization === rapidAmortization;
  };

  const flows = new Map<string, ClassFlow>(
    definition.classes.map((c) => {
      const s = classState(state, c.className);
      const a = accrual(period, c.className);
      const additional =
        postArdAccrual && c.stepUpRatePercent !== null ? interestOn(s.balance, new Decimal(c.stepUpRatePercent), a.yearFraction) : ZERO;
      const interest = periodInterest(state, period, c.className);
      return [
        c.className,
        {
          className: c.className,
          noteId: c.noteId,
          balanceBefore: s.balance,
          interestCurrent: interest,
          interestShortfallBefore: s.interestShortfall,
          interestPaid: ZERO,
          // Until an interest step runs, the whole amount due is unpaid.
          interestShortfallAfter: interest.plus(s.interestShortfall),
          interestDeferred: ZERO,
          deferredInterestBefore: s.deferredInterest,
          deferredInterestPaid: ZERO,
          deferredInterestAfter: s.deferredInterest,
          additionalInterestCurrent: additional,
          additionalInterestShortfallBefore: s.additionalInterestShortfall,
          additionalInterestPaid: ZERO,
          additionalInterestShortfallAfter: additional.plus(s.additionalInterestShortfall),
          principalPaid: ZERO,
          balanceAfter: s.balance,
        },
      ];
    }),
  );
  const feesCurrent = periodFees(definition, state, period);
  const fees = {
    current: feesCurrent,
    shortfallBefore: state.feeShortfall,
    paid: ZERO,
    shortfallAfter: feesCurrent.plus(state.feeShortfall),
  };
  const totals = { reserveDraw: ZERO, topUp: ZERO, trappedAdded: ZERO, released: ZERO, swept: ZERO, residual: ZERO, principal: ZERO };
  let cashTrapActive = false;
  let sweepActive = false;

  const work: Working = {
    available: period.availableFunds,
    reserve: state.reserveBalance,
    trapped: state.trappedCash,
    flow: emptyFlow(-1, { kind: 'residual' }, ZERO),
  };
  /** Pays `due` from funds, then from the reserve if allowed; returns what was paid. */
  const pay = (due: Decimal, drawReserve: boolean): Decimal => {
    const fromFunds = Decimal.min(work.available, due);
    work.available = work.available.minus(fromFunds);
    const fromReserve = drawReserve ? Decimal.min(work.reserve, due.minus(fromFunds)) : ZERO;
    work.reserve = work.reserve.minus(fromReserve);
    work.flow.fromReserve = work.flow.fromReserve.plus(fromReserve);
    totals.reserveDraw = totals.reserveDraw.plus(fromReserve);
    const paid = fromFunds.plus(fromReserve);
    work.flow.paid = work.flow.paid.plus(paid);
    return paid;
  };
  const payClass = (className: string, amount: Decimal) => {
    if (amount.gt(0)) work.flow.paidTo.push({ className, amount });
  };
  const payPrincipal = (classes: readonly string[], mode: 'sequential' | 'pro_rata', cap: Decimal) => {
    const outstanding = classes.reduce((sum, name) => sum.plus(flows.get(name)!.balanceAfter), ZERO);
    const amount = Decimal.min(work.available, cap, outstanding);
    const shares = allocatePrincipal(
      classes.map((name) => flows.get(name)!.balanceAfter),
      amount,
      mode,
    );
    classes.forEach((name, i) => {
      const f = flows.get(name)!;
      f.principalPaid = f.principalPaid.plus(shares[i]!);
      f.balanceAfter = f.balanceAfter.minus(shares[i]!);
      payClass(name, shares[i]!);
    });
    work.available = work.available.minus(amount);
    work.flow.paid = work.flow.paid.plus(amount);
    totals.principal = totals.principal.plus(amount);
  };

  const stepFlows = definition.steps.map((step, index): StepFlow => {
    work.flow = emptyFlow(index, step, work.available);
    if (!holds(stepCondition(step))) return { ...work.flow, availableAfter: work.available };
    work.flow.ran = true;
    switch (step.kind) {
      case 'senior_fees': {
        const due = feesCurrent.plus(state.feeShortfall);
        fees.paid = pay(due, step.drawReserve);
        fees.shortfallAfter = due.minus(fees.paid);
        break;
      }
      case 'interest': {
        const f = flows.get(step.className)!;
        const due = f.interestCurrent.plus(f.interestShortfallBefore);
        if (deferredClasses.has(step.className)) {
          f.interestDeferred = due;
          f.deferredInterestAfter = f.deferredInterestAfter.plus(due);
          f.interestShortfallAfter = ZERO;
          work.flow.deferred = due;
        } else {
          f.interestPaid = pay(due, step.drawReserve);
          f.interestShortfallAfter = due.minus(f.interestPaid);
          payClass(step.className, f.interestPaid);
        }
        break;
      }
      case 'deferred_interest': {
        const f = flows.get(step.className)!;
        if (deferredClasses.has(step.className)) break;
        const paid = pay(f.deferredInterestAfter, false);
        f.deferredInterestPaid = paid;
        f.deferredInterestAfter = f.deferredInterestAfter.minus(paid);
        payClass(step.className, paid);
        break;
      }
      case 'reserve_top_up': {
        const topUp = Decimal.min(work.available, Decimal.max(ZERO, new Decimal(definition.reserve.targetAmount).minus(work.reserve)));
        work.available = work.available.minus(topUp);
        work.reserve = work.reserve.plus(topUp);
        work.flow.toReserve = topUp;
        totals.topUp = totals.topUp.plus(topUp);
        break;
      }
      case 'scheduled_principal':
        payPrincipal(step.classes, step.mode, new Decimal(step.amountPerPeriod));
        break;
      case 'cash_trap': {
        if (trapPercents.length > 0) {
          cashTrapActive = true;
          const added = roundCash(work.available.mul(Decimal.max(...trapPercents)).div(HUNDRED));
          work.available = work.available.minus(added);
          work.trapped = work.trapped.plus(added);
          work.flow.toTrappedCash = added;
          totals.trappedAdded = totals.trappedAdded.plus(added);
        } else {
          work.flow.fromTrappedCash = work.trapped;
          totals.released = totals.released.plus(work.trapped);
          work.available = work.available.plus(work.trapped);
          work.trapped = ZERO;
        }
        break;
      }
      case 'sweep': {
        sweepActive = true;
        if (step.includeTrappedCash) {
          work.flow.fromTrappedCash = work.trapped;
          totals.swept = totals.swept.plus(work.trapped);
          work.available = work.available.plus(work.trapped);
          work.trapped = ZERO;
        }
        payPrincipal(step.classes, step.mode, work.available);
        break;
      }
      case 'additional_interest': {
        const f = flows.get(step.className)!;
        const paid = pay(f.additionalInterestShortfallAfter, false);
        f.additionalInterestPaid = paid;
        f.additionalInterestShortfallAfter = f.additionalInterestShortfallAfter.minus(paid);
        payClass(step.className, paid);
        break;
      }
      case 'residual':
        totals.residual = work.available;
        work.flow.paid = work.available;
        work.available = ZERO;
        break;
    }
    return { ...work.flow, availableAfter: work.available };
  });

  const classFlows = [...flows.values()];
  return {
    state: {
      classes: new Map(
        classFlows.map((f) => [
          f.className,
          {
            balance: f.balanceAfter,
            interestShortfall: f.interestShortfallAfter,
            deferredInterest: f.deferredInterestAfter,
            additionalInterestShortfall: f.additionalInterestShortfallAfter,
          },
        ]),
      ),
      feeShortfall: fees.shortfallAfter,
      reserveBalance: work.reserve,
      trappedCash: work.trapped,
      triggers: triggers.states,
    },
    triggerResults: triggers.results,
    stepFlows,
    classFlows,
    fees,
    reserve: { before: state.reserveBalance, draw: totals.reserveDraw, topUp: totals.topUp, after: work.reserve },
    trappedCash: {
      before: state.trappedCash,
      added: totals.trappedAdded,
      released: totals.released,
      swept: totals.swept,
      after: work.trapped,
    },
    residual: totals.residual,
    principalPaid: totals.principal,
    cashTrapActive,
    sweepActive,
    rapidAmortization,
    availableFunds: period.availableFunds,
    unspent: work.available,
  };
}

function emptyFlow(index: number, step: WaterfallStep, available: Decimal): StepFlow {
  return {
    index,
    kind: step.kind,
    label: stepLabel(step),
    ran: false,
    availableBefore: available,
    fromReserve: ZERO,
    fromTrappedCash: ZERO,
    paid: ZERO,
    toReserve: ZERO,
    toTrappedCash: ZERO,
    deferred: ZERO,
    availableAfter: available,
    paidTo: [],
  };
}

/**
 * Splits `amount` (at most the sum of `balances`) over classes in the given order. Sequential:
 * each up to its balance in turn. Pro rata: by balance, rounded down to cents, the leftover cents
 * then sequentially.
 */
export function allocatePrincipal(balances: readonly Decimal[], amount: Decimal, mode: 'sequential' | 'pro_rata'): Decimal[] {
  const aggregate = balances.reduce((sum, b) => sum.plus(b), ZERO);
  const shares = balances.map(() => ZERO);
  let left = amount;
  if (mode === 'pro_rata' && aggregate.gt(0)) {
    balances.forEach((b, i) => {
      shares[i] = roundCashDown(amount.mul(b).div(aggregate));
      left = left.minus(shares[i]!);
    });
  }
  balances.forEach((b, i) => {
    const more = Decimal.min(left, b.minus(shares[i]!));
    shares[i] = shares[i]!.plus(more);
    left = left.minus(more);
  });
  if (!left.isZero()) throw new Error(`principal of ${left.toFixed()} was left unallocated`);
  return shares;
}
