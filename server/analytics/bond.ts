/**
 * Price, yield, spreads and risk of a class from its projected cash flows — pure, no I/O.
 *
 * The flows are dated on the note's coupon dates (interest + principal in cash, for the class's
 * current face at settlement). Street (SIFMA) convention, the same as domain/yield.ts for a
 * scheduled bond: with w = the fraction of the current coupon period left at settlement (the
 * domain's remainingFraction) and flow k falling n_k whole periods after the end of that period,
 *   t_k = w + n_k  (in coupon periods),
 *   dirty = Σ CF_k × 100/face × (1 + y/f)^(−t_k)     when a flow lies beyond the current period,
 *   dirty = CF × 100/face ÷ (1 + w × y/f)              when every flow is in the current period,
 *   clean = dirty − accrued per 100 (the note's accrual, domain/accrued.ts).
 * So a class paying its coupon to the ARD and its balance there prices exactly as the domain's
 * street yield with maturity = ARD (test/analytics/bond.test.ts).
 *
 * Risk (y the annual yield as a fraction, f the coupon frequency, P the dirty price per 100):
 *   Macaulay duration = Σ (t_k/f) × PV_k ÷ P (years); modified duration = Macaulay ÷ (1 + y/f);
 *   convexity = Σ t_k (t_k + 1)/f² × PV_k ÷ (P × (1 + y/f)²); DV01 = modified × P ÷ 10,000 (per 100).
 * Z-spread s over a zero curve z(t) (semi-annual compounding): Σ CF_k × (1 + (z(t_k/f) + s)/2)^(−2 t_k/f)
 * = dirty, with t_k/f in years.
 *
 * Solving: Newton's method safeguarded by bisection on a bracket, at most ITERATIONS_MAX steps,
 * stopping when a step is below 1e-12 (as a fraction; 1e-8 bp). Z-spread discounting, one
 * non-integer power per flow, runs in a 30-significant-digit Decimal (ZD below): ample for a spread
 * solved to 1e-12 and reported to 0.1 bp, and several times faster than 60 digits. Results are unrounded; callers
 * round for display with the *_PLACES constants below (half-even, rounding.ts).
 */
import { Decimal, toDecimal, type DecimalInput } from '../domain/decimal.js';
import { accruedPer100, type NoteTerms } from '../domain/accrued.js';
import { isThirty360 } from '../domain/daycount.js';
import { roundHalfEven } from '../domain/rounding.js';
import { DomainError, ensure } from '../domain/errors.js';
import type { IsoDate } from '../domain/dates.js';
import { periodIndexContaining, type CouponPeriod } from '../domain/schedule.js';
import { remainingFraction } from '../domain/yield.js';
import { zeroRateAt, type ZeroCurve } from './curve.js';

export const ITERATIONS_MAX = 200;
const TOLERANCE = new Decimal('1e-12');
const RATE_MAX = new Decimal(10); // 1000 % a year

/** Display precision: yields in percent, spreads in bp, durations, convexity, prices. */
export const YIELD_PLACES = 4;
export const SPREAD_PLACES = 1;
export const DURATION_PLACES = 4;
export const PRICE_PLACES = 6;

export interface DatedFlow {
  readonly date: IsoDate;
  /** Cash received on `date` (interest + principal), >= 0. */
  readonly amount: DecimalInput;
}

export interface FlowPlanInput extends NoteTerms {
  readonly settlementDate: IsoDate;
  /** The class's current face at settlement (> 0): flows are expressed per 100 of it. */
  readonly face: DecimalInput;
  readonly flows: readonly DatedFlow[];
}

export interface FlowPlan {
  readonly frequency: number;
  /** Time of each flow in coupon periods from settlement (w + whole[k]). */
  readonly times: readonly Decimal[];
  /** Whole periods after the end of the current one, per flow (ascending). */
  readonly whole: readonly number[];
  /** Flows per 100 of current face. */
  readonly amounts: readonly Decimal[];
  readonly w: Decimal;
  /** True when every flow falls in the current coupon period (simple-interest discounting). */
  readonly simple: boolean;
  /**
   * 30/360 family: days per period E = 360/f and w × E = K whole days, so every discount factor is
   * an integer power of u = (1 + y/f)^(−1/E): v^(w + n) = u^(K + E·n). Null otherwise.
   */
  readonly days: { perPeriod: number; first: number } | null;
  readonly accruedPer100: Decimal;
}

export function flowPlan(input: FlowPlanInput): FlowPlan {
  const { schedule } = input;
  const face = toDecimal(input.face);
  ensure(face.gt(0), 'INVALID_ARGUMENT', 'face must be > 0');
  const current = periodIndexContaining(schedule, input.settlementDate);
  if (current < 0)
    throw new DomainError(
      'SETTLEMENT_OUT_OF_RANGE',
      `${input.settlementDate} is outside [${schedule.issueDate}, ${schedule.maturityDate})`,
    );
  const w = remainingFraction(input, schedule.periods[current] as CouponPeriod, input.settlementDate);
  const times: Decimal[] = [];
  const whole: number[] = [];
  const amounts: Decimal[] = [];
  let last = current;
  for (const flow of input.flows) {
    const amount = toDecimal(flow.amount);
    ensure(amount.gte(0), 'INVALID_ARGUMENT', 'flows must be >= 0');
    if (flow.date <= input.settlementDate || amount.isZero()) continue;
    const index = schedule.couponDates.indexOf(flow.date);
    ensure(index >= current, 'INVALID_ARGUMENT', `flow date ${flow.date} is not a coupon date of the note after settlement`);
    ensure(index >= last, 'INVALID_ARGUMENT', 'flows must be in date order');
    times.push(w.add(index - current));
    whole.push(index - current);
    amounts.push(amount.mul(100).div(face));
    last = Math.max(last, index);
  }
  ensure(amounts.length > 0, 'INVALID_ARGUMENT', 'no cash flow after the settlement date');
  let days: FlowPlan['days'] = null;
  if (isThirty360(input.dayCount)) {
    const perPeriod = 360 / schedule.frequency;
    const k = w.mul(perPeriod);
    const whole = roundHalfEven(k, 0);
    if (k.sub(whole).abs().lt('1e-40')) days = { perPeriod, first: whole.toNumber() };
  }
  return {
    frequency: schedule.frequency,
    times,
    whole,
    amounts,
    w,
    simple: last === current,
    days,
    accruedPer100: accruedPer100(input, input.settlementDate),
  };
}

/** Dirty price per 100 and its derivative with respect to y (a fraction). */
export function dirtyAtYield(plan: FlowPlan, y: Decimal): { price: Decimal; slope: Decimal } {
  const f = plan.frequency;
  if (plan.simple) {
    const total = plan.amounts.reduce((s, a) => s.add(a), new Decimal(0));
    const denominator = plan.w.mul(y).div(f).add(1);
    ensure(denominator.gt(0), 'YIELD_NOT_FOUND', 'yield below the simple-interest domain');
    return { price: total.div(denominator), slope: total.mul(plan.w).div(f).div(denominator.pow(2)).neg() };
  }
  const v = new Decimal(1).div(y.div(f).add(1));
  let price = new Decimal(0);
  let timeWeighted = new Decimal(0);
  let power = 0;
  let discount = v.pow(plan.w); // the one non-integer power
  plan.whole.forEach((whole, k) => {
    while (power < whole) {
      discount = discount.mul(v);
      power += 1;
    }
    const pv = (plan.amounts[k] as Decimal).mul(discount);
    price = price.add(pv);
    timeWeighted = timeWeighted.add(pv.mul(plan.times[k] as Decimal));
  });
  // d/dy v^t = −(t/f) v^(t+1): the slope is −Σ t × PV × v / f.
  return { price, slope: timeWeighted.mul(v).div(f).neg() };
}

/** Clean and dirty price per 100 at an annual yield in percent. */
export function priceAtYield(plan: FlowPlan, yieldPercent: DecimalInput): { clean: Decimal; dirty: Decimal } {
  const y = toDecimal(yieldPercent).div(100);
  ensure(y.div(plan.frequency).gt(-1), 'INVALID_ARGUMENT', 'yield must exceed -100 % per period');
  const dirty = dirtyAtYield(plan, y).price;
  return { clean: dirty.sub(plan.accruedPer100), dirty };
}

/** Annual yield in percent (unrounded) at a clean price per 100. */
export function yieldAtPrice(plan: FlowPlan, cleanPrice: DecimalInput): Decimal {
  const clean = toDecimal(cleanPrice);
  ensure(clean.gt(0), 'INVALID_ARGUMENT', 'price must be > 0');
  const target = clean.add(plan.accruedPer100);
  if (plan.simple) {
    ensure(!plan.w.isZero(), 'YIELD_NOT_FOUND', 'no time left in the period');
    const total = plan.amounts.reduce((s, a) => s.add(a), new Decimal(0));
    return total.div(target).sub(1).mul(plan.frequency).div(plan.w).mul(100);
  }
  const lo = new Decimal(plan.frequency).mul('-0.99');
  if (plan.days) return yieldByDays(plan, plan.days, target, lo);
  return solve((y) => dirtyAtYield(plan, y), target, lo, RATE_MAX, new Decimal('0.05')).mul(100);
}

/**
 * The 30/360 solve without a non-integer power per step: Newton on u = (1 + y/f)^(−1/E), where the
 * dirty price Σ a_k u^(K + E·n_k) is a polynomial rising in u; y = f × (u^(−E) − 1) at the end.
 * Same root as `solve` on y; stops when a step in u is below 1e-16 × u (1e-13 in yield or less).
 */
function yieldByDays(plan: FlowPlan, days: { perPeriod: number; first: number }, target: Decimal, yLo: Decimal): Decimal {
  const f = plan.frequency;
  const toU = (y: Decimal) => y.div(f).add(1).pow(new Decimal(-1).div(days.perPeriod));
  const at = (u: Decimal) => {
    const step = u.pow(days.perPeriod);
    let discount = u.pow(days.first);
    let power = 0;
    let price = new Decimal(0);
    let weighted = new Decimal(0);
    plan.whole.forEach((whole, k) => {
      while (power < whole) {
        discount = discount.mul(step);
        power += 1;
      }
      const pv = (plan.amounts[k] as Decimal).mul(discount);
      price = price.add(pv);
      weighted = weighted.add(pv.mul(days.first + days.perPeriod * whole));
    });
    return { price, slope: weighted.div(u) };
  };
  // The bracket's ends cost fractional powers: Newton starts unbracketed (u > 0) and the ends are
  // computed only if it has not converged after 8 steps.
  let lo = new Decimal(0);
  let hi = new Decimal(Infinity);
  let u = new Decimal(1).sub(new Decimal('0.05').div(f * days.perPeriod)); // ≈ toU(5 %) to first order, without a fractional power
  for (let i = 0; i < ITERATIONS_MAX; i += 1) {
    if (i === 8) {
      const uLo0 = toU(RATE_MAX);
      const uHi0 = toU(yLo);
      if (at(uLo0).price.gt(target) || at(uHi0).price.lt(target)) {
        throw new DomainError(
          'YIELD_NOT_FOUND',
          `no yield in [${yLo.mul(100).toFixed(2)} %, 1000 %] gives dirty price ${target.toFixed()}`,
        );
      }
      lo = Decimal.max(lo, uLo0);
      hi = Decimal.min(hi, uHi0);
    }
    const { price, slope } = at(u);
    const error = price.sub(target);
    if (error.isZero()) break;
    if (error.lt(0)) lo = u;
    else hi = u;
    let next = slope.isZero() ? u.div(2) : u.sub(error.div(slope));
    if (!(next.gt(lo) && next.lt(hi))) next = hi.isFinite() ? lo.add(hi).div(2) : u.add(lo).div(2);
    const done = next.sub(u).abs().lt(u.mul('1e-16'));
    u = next;
    if (done) break;
    if (i === ITERATIONS_MAX - 1) throw new DomainError('NO_CONVERGENCE', `did not converge in ${ITERATIONS_MAX} iterations`);
  }
  return u.pow(-days.perPeriod).sub(1).mul(f).mul(100);
}

export interface RiskMeasures {
  macaulayYears: Decimal;
  modifiedDuration: Decimal;
  convexity: Decimal;
  /** Price change per 100 of face for a 1 bp fall in yield. */
  dv01: Decimal;
}

export function riskAtYield(plan: FlowPlan, yieldPercent: DecimalInput): RiskMeasures {
  const y = toDecimal(yieldPercent).div(100);
  const f = plan.frequency;
  const onePlus = y.div(f).add(1);
  let price = new Decimal(0);
  let timeWeighted = new Decimal(0);
  let convexityWeighted = new Decimal(0);
  plan.times.forEach((t, k) => {
    const pv = plan.simple
      ? (plan.amounts[k] as Decimal).div(plan.w.mul(y).div(f).add(1))
      : (plan.amounts[k] as Decimal).div(onePlus.pow(t));
    price = price.add(pv);
    timeWeighted = timeWeighted.add(pv.mul(t));
    convexityWeighted = convexityWeighted.add(pv.mul(t).mul(t.add(1)));
  });
  const macaulayYears = timeWeighted.div(price).div(f);
  const modifiedDuration = macaulayYears.div(onePlus);
  const convexity = convexityWeighted.div(price.mul(f * f).mul(onePlus.pow(2)));
  return { macaulayYears, modifiedDuration, convexity, dv01: modifiedDuration.mul(price).div(10000) };
}

const ZD = Decimal.clone({ precision: 30, rounding: Decimal.ROUND_HALF_EVEN });

/** Dirty price per 100 discounting on the zero curve plus a spread s (fraction). */
export function dirtyAtZSpread(plan: FlowPlan, zero: ZeroCurve, s: Decimal): { price: Decimal; slope: Decimal } {
  let price = new ZD(0);
  let slope = new ZD(0);
  const spread = new ZD(s);
  plan.times.forEach((t, k) => {
    const years = new ZD(t).div(plan.frequency);
    const base = new ZD(zeroRateAt(zero, t.div(plan.frequency))).add(spread).div(2).add(1);
    ensure(base.gt(0), 'YIELD_NOT_FOUND', "spread below the curve's domain");
    const pv = new ZD(plan.amounts[k] as Decimal).mul(base.pow(years.mul(-2)));
    price = price.add(pv);
    slope = slope.sub(pv.mul(years).div(base)); // d/ds b^(-2T) = -2T b^(-2T-1) × 1/2
  });
  return { price: new Decimal(price), slope: new Decimal(slope) };
}

/** Z-spread in bp (unrounded) at a clean price per 100. */
export function zSpreadAtPrice(plan: FlowPlan, zero: ZeroCurve, cleanPrice: DecimalInput): Decimal {
  const target = toDecimal(cleanPrice).add(plan.accruedPer100);
  const lo = new Decimal('-1.9').sub(Decimal.min(...zero.rates));
  return solve((s) => dirtyAtZSpread(plan, zero, s), target, lo, RATE_MAX, new Decimal(0)).mul(10000);
}

/**
 * The rate x in (lo, hi) at which the decreasing function price(x) equals target: Newton steps,
 * bisection whenever Newton leaves the bracket. YIELD_NOT_FOUND when the bracket holds no root.
 */
function solve(
  at: (x: Decimal) => { price: Decimal; slope: Decimal },
  target: Decimal,
  lo0: Decimal,
  hi0: Decimal,
  start: Decimal,
): Decimal {
  let lo = lo0;
  let hi = hi0;
  // The price falls as the rate rises, so a root exists iff price(lo) >= target >= price(hi).
  // Checking the ends costs two evaluations at extreme rates: done only when Newton has not
  // converged after a few steps (most solves never need them).
  let checked = false;
  const check = () => {
    if (at(lo0).price.lt(target) || at(hi0).price.gt(target)) {
      throw new DomainError(
        'YIELD_NOT_FOUND',
        `no rate in [${lo0.mul(100).toFixed(2)} %, ${hi0.mul(100).toFixed(0)} %] gives dirty price ${target.toFixed()}`,
      );
    }
    checked = true;
  };
  let x = start;
  for (let i = 0; i < ITERATIONS_MAX; i += 1) {
    if (i === 8 && !checked) check();
    const { price, slope } = at(x);
    const error = price.sub(target);
    if (error.isZero()) return x;
    if (error.gt(0)) lo = x;
    else hi = x;
    let next = slope.isZero() ? lo.add(hi).div(2) : x.sub(error.div(slope));
    if (!(next.gt(lo) && next.lt(hi))) next = lo.add(hi).div(2);
    if (next.sub(x).abs().lt(TOLERANCE)) {
      if (next.sub(lo0).abs().lt(TOLERANCE) || next.sub(hi0).abs().lt(TOLERANCE)) check(); // converged onto an end: is it a root?
      return next;
    }
    x = next;
  }
  throw new DomainError('NO_CONVERGENCE', `did not converge in ${ITERATIONS_MAX} iterations`);
}
