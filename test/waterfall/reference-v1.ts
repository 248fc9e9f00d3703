/**
 * REFERENCE ONLY (tests): the fixed-shape waterfall of version 1, as server/servicing/waterfall.ts
 * was before the step form replaced it (commit 1ef1667), kept verbatim apart from this header and
 * the imports, so test/waterfall/migration.test.ts can check the step form gives identical amounts.
 *
 * The waterfall of one payment date — pure, no I/O: the deal's priority of payments applied to
 * the funds available, in this order (DOMAIN.md §3):
 *   1. senior fees (trustee, servicer), plus any unpaid from earlier dates;
 *   2. interest to each class in order of seniority: this period's interest plus the shortfall
 *      carried from earlier dates (no interest on shortfalls); the liquidity reserve may be drawn
 *      for steps 1–2 only; what stays unpaid carries forward;
 *   3. reserve top-up to its target;
 *   4. principal: before the anticipated repayment date (ARD), the scheduled amount, sequential
 *      (most senior first) or pro rata (by balance) as the deal says; the excess cash after that
 *      is trapped in the trust (trapPercent of it) while the DSCR is below the threshold, and
 *      otherwise released to the residual holder together with any cash trapped earlier; from
 *      the ARD on, all excess cash and all trapped cash sweep to principal (turbo).
 * DSCR = the period's net cash flow (revenue − operating costs) ÷ its debt service (this period's
 * senior fees + interest of every class, shortfalls excluded); no debt service → no trap.
 *
 * Rounding: each class's interest and each fee line is rounded half-even to cents once; every
 * other amount is a sum, difference or minimum of cents. Pro-rata principal is floored per class
 * and the leftover cents go to the classes in order of seniority. So the steps add up exactly:
 * available + reserve draw + trapped released = fees + interest + top-up + principal + trapped
 * added + residual.
 */
import { Decimal } from '../../server/domain/decimal.js';
import { roundCash } from '../../server/domain/rounding.js';
import { roundCashDown as floorToCents } from '../../server/domain/rounding.js';

export interface ClassInput {
  noteId: string;
  className: string;
  couponRatePercent: Decimal;
  /** Year fraction of this accrual period under the class's day count. */
  yearFraction: Decimal;
  originalFace: Decimal;
  balance: Decimal;
  interestShortfall: Decimal;
}

export interface FeeInput {
  name: string;
  /** Percent per year of the classes' aggregate balance. */
  annualRatePercent: Decimal;
  fixedPerPeriod: Decimal;
}

export interface WaterfallInput {
  availableFunds: Decimal;
  netCashFlow: Decimal;
  reserveBalance: Decimal;
  reserveTarget: Decimal;
  trappedCash: Decimal;
  feeShortfall: Decimal;
  /** 1 / payments per year: the fee accrual fraction. */
  feeYearFraction: Decimal;
  fees: readonly FeeInput[];
  classes: readonly ClassInput[];
  principalMode: 'sequential' | 'pro_rata';
  scheduledPrincipal: Decimal;
  dscrThreshold: Decimal | null;
  trapPercent: Decimal;
  sweep: boolean;
}

export interface ClassResult {
  noteId: string;
  className: string;
  balanceBefore: Decimal;
  interestCurrent: Decimal;
  interestShortfallBefore: Decimal;
  interestPaid: Decimal;
  interestShortfallAfter: Decimal;
  principalPaid: Decimal;
  balanceAfter: Decimal;
}

export interface WaterfallResult {
  fees: { current: Decimal; shortfallBefore: Decimal; paid: Decimal; shortfallAfter: Decimal };
  classes: ClassResult[];
  reserve: { before: Decimal; draw: Decimal; topUp: Decimal; after: Decimal };
  trapped: { before: Decimal; added: Decimal; released: Decimal; swept: Decimal; after: Decimal };
  dscr: Decimal | null;
  cashTrapActive: boolean;
  sweepActive: boolean;
  residualReleased: Decimal;
  principalPaid: Decimal;
}

const ZERO = new Decimal(0);

export function runWaterfall(input: WaterfallInput): WaterfallResult {
  let available = input.availableFunds;
  let reserve = input.reserveBalance;
  let reserveDraw = ZERO;
  const aggregate = input.classes.reduce((sum, c) => sum.plus(c.balance), ZERO);
  // Draws on the reserve pay what available funds could not, for fees and interest only.
  const pay = (due: Decimal): Decimal => {
    const fromFunds = Decimal.min(available, due);
    available = available.minus(fromFunds);
    const fromReserve = Decimal.min(reserve, due.minus(fromFunds));
    reserve = reserve.minus(fromReserve);
    reserveDraw = reserveDraw.plus(fromReserve);
    return fromFunds.plus(fromReserve);
  };

  const feesCurrent = input.fees.reduce(
    (sum, fee) => sum.plus(roundCash(fee.fixedPerPeriod.plus(aggregate.mul(fee.annualRatePercent).div(100).mul(input.feeYearFraction)))),
    ZERO,
  );
  const feesDue = feesCurrent.plus(input.feeShortfall);
  const feesPaid = pay(feesDue);

  const classes: ClassResult[] = input.classes.map((c) => {
    const interestCurrent = roundCash(c.balance.mul(c.couponRatePercent).div(100).mul(c.yearFraction));
    const due = interestCurrent.plus(c.interestShortfall);
    const paid = pay(due);
    return {
      noteId: c.noteId,
      className: c.className,
      balanceBefore: c.balance,
      interestCurrent,
      interestShortfallBefore: c.interestShortfall,
      interestPaid: paid,
      interestShortfallAfter: due.minus(paid),
      principalPaid: ZERO,
      balanceAfter: c.balance,
    };
  });

  const debtService = feesCurrent.plus(classes.reduce((sum, c) => sum.plus(c.interestCurrent), ZERO));
  const dscr = debtService.gt(0) ? input.netCashFlow.div(debtService) : null;
  const cashTrapActive = !input.sweep && input.dscrThreshold !== null && dscr !== null && dscr.lt(input.dscrThreshold);

  const reserveBefore = input.reserveBalance;
  const topUp = Decimal.min(available, Decimal.max(ZERO, input.reserveTarget.minus(reserve)));
  available = available.minus(topUp);
  reserve = reserve.plus(topUp);

  let trapped = input.trappedCash;
  let trappedAdded = ZERO;
  let trappedReleased = ZERO;
  let trappedSwept = ZERO;
  let residual = ZERO;
  let principalFunds: Decimal;
  if (input.sweep) {
    trappedSwept = trapped;
    principalFunds = Decimal.min(available.plus(trapped), aggregate);
    residual = available.plus(trapped).minus(principalFunds);
    trapped = ZERO;
    available = ZERO;
  } else {
    principalFunds = Decimal.min(available, Decimal.min(input.scheduledPrincipal, aggregate));
    available = available.minus(principalFunds);
    if (cashTrapActive) {
      trappedAdded = roundCash(available.mul(input.trapPercent).div(100));
      trapped = trapped.plus(trappedAdded);
      residual = available.minus(trappedAdded);
    } else {
      trappedReleased = trapped;
      residual = available.plus(trapped);
      trapped = ZERO;
    }
    available = ZERO;
  }
  allocatePrincipal(classes, principalFunds, input.principalMode);
  return {
    fees: { current: feesCurrent, shortfallBefore: input.feeShortfall, paid: feesPaid, shortfallAfter: feesDue.minus(feesPaid) },
    classes,
    reserve: { before: reserveBefore, draw: reserveDraw, topUp, after: reserve },
    trapped: { before: input.trappedCash, added: trappedAdded, released: trappedReleased, swept: trappedSwept, after: trapped },
    dscr,
    cashTrapActive,
    sweepActive: input.sweep,
    residualReleased: residual,
    principalPaid: principalFunds,
  };
}

/** Sequential: most senior first, each up to its balance. Pro rata: by balance, floored, leftover cents by seniority. */
function allocatePrincipal(classes: ClassResult[], amount: Decimal, mode: 'sequential' | 'pro_rata'): void {
  const aggregate = classes.reduce((sum, c) => sum.plus(c.balanceBefore), ZERO);
  let left = amount;
  if (mode === 'pro_rata' && aggregate.gt(0)) {
    for (const c of classes) {
      c.principalPaid = floorToCents(amount.mul(c.balanceBefore).div(aggregate));
      left = left.minus(c.principalPaid);
    }
  }
  for (const c of classes) {
    const more = Decimal.min(left, c.balanceBefore.minus(c.principalPaid));
    c.principalPaid = c.principalPaid.plus(more);
    left = left.minus(more);
  }
  if (!left.isZero()) throw new Error(`principal of ${left.toFixed()} was left unallocated`);
  for (const c of classes) c.balanceAfter = c.balanceBefore.minus(c.principalPaid);
}
