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
 *
 * The state, period and result types are period-types.ts; the accruals (and a fresh state) are
 * accruals.ts.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundCashDown } from '../domain/rounding.js';
import { stepCondition, stepLabel, type StepCondition, type WaterfallDefinition, type WaterfallStep } from './definition.js';
import { evaluateTriggers } from './triggers.js';
import { accrual, classState, interestOn, periodFees, periodInterest } from './accruals.js';
import type { ClassFlow, StepFlow, WaterfallPeriod, WaterfallPeriodResult, WaterfallState } from './period-types.js';

const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);

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
