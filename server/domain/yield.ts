/**
 * Price ↔ yield to maturity, Street (SIFMA) convention, per 100 of current face.
 *
 * With settlement inside coupon period j of N remaining periods, coupons c_k (c_N includes the
 * redemption at 100) and w = the fraction of the current period still to run:
 *   dirty = Σ_k c_k / (1 + y/f)^(k − 1 + w)          when more than one coupon remains,
 *   dirty = c_N / (1 + w × y/f)                      in the last period (simple interest),
 *   clean = dirty − accrued per 100.
 * w = DSC/E: for the 30/360 family E = 360/f and, in a regular period, DSC = E − A (A = 30/360
 * days accrued, as Excel's PRICE/YIELD do), clamped to [0, 1]; in a stub DSC = 30/360 days from
 * settlement to the coupon. For actual-day conventions (ACT/360, ACT/365F, ACT/ACT-ICMA)
 * w = f × the ICMA fraction from settlement to the coupon (actual days over the actual days of
 * each quasi-coupon period); Excel's PRICE instead uses E = 360/f or 365/f for its bases 2 and 3,
 * which can make w exceed 1 inside a regular period, so we do not follow it there.
 *
 * Yields are annual, compounded at the coupon frequency, returned in percent and unrounded.
 * Solving uses Newton's method safeguarded by bisection on a bracket of 1 + y/f in [0.01, ...]
 * up to 1000 %, at most YIELD_ITERATIONS_MAX steps, stopping when a step is below 1e-12 (in
 * yield as a fraction); in the last period the yield has a closed form. All arithmetic is
 * Decimal (60 significant digits); non-integer powers are rounded there too.
 */
import { Decimal, toDecimal, type DecimalInput } from './decimal.js';
import { accruedPer100, periodCouponPer100, type NoteTerms } from './accrued.js';
import { dayCountDays, icmaFraction, isThirty360 } from './daycount.js';
import { DomainError, ensure } from './errors.js';
import type { IsoDate } from './dates.js';
import { periodIndexContaining, type CouponPeriod } from './schedule.js';

export const YIELD_ITERATIONS_MAX = 200;
const TOLERANCE = new Decimal('1e-12');
const YIELD_MAX = new Decimal(10); // 1000 % a year, as a fraction

export interface YieldInput extends NoteTerms {
  readonly settlementDate: IsoDate;
}

export interface PriceFromYield {
  readonly cleanPricePercent: Decimal;
  readonly dirtyPricePercent: Decimal;
  readonly accruedPer100: Decimal;
}

/** The cash flows still to be received and the fraction of the current period left. */
interface FlowPlan {
  readonly frequency: number;
  readonly w: Decimal;
  readonly flows: readonly Decimal[]; // per 100, one per remaining period, last includes 100
}

/** w: the fraction of the current coupon period still to run at settlement (see the header). */
export function remainingFraction(terms: NoteTerms, period: CouponPeriod, settlementDate: IsoDate): Decimal {
  const f = terms.schedule.frequency;
  if (!isThirty360(terms.dayCount)) {
    return icmaFraction(settlementDate, period.end, period.quasiDates, f).mul(f);
  }
  const e = new Decimal(360).div(f);
  const ctx = { endOfMonth: terms.schedule.endOfMonth };
  if (period.isStub) return new Decimal(dayCountDays(terms.dayCount, settlementDate, period.end, ctx)).div(e);
  const dsc = e.sub(dayCountDays(terms.dayCount, period.start, settlementDate, ctx));
  return Decimal.min(Decimal.max(dsc.div(e), 0), 1);
}

function flowPlan(input: YieldInput): FlowPlan {
  const { schedule } = input;
  const index = periodIndexContaining(schedule, input.settlementDate);
  if (index < 0) {
    throw new DomainError(
      'SETTLEMENT_OUT_OF_RANGE',
      `${input.settlementDate} is outside [${schedule.issueDate}, ${schedule.maturityDate})`,
    );
  }
  const periods = schedule.periods.slice(index);
  const flows = periods.map((period) => periodCouponPer100(input, period));
  flows[flows.length - 1] = (flows[flows.length - 1] as Decimal).add(100);
  const w = remainingFraction(input, periods[0] as CouponPeriod, input.settlementDate);
  return { frequency: schedule.frequency, w, flows };
}

/** Dirty price and its derivative with respect to y (a fraction), for y/f > -1. */
function dirtyPriceAt(plan: FlowPlan, y: Decimal): { price: Decimal; slope: Decimal } {
  const f = plan.frequency;
  const last = plan.flows[plan.flows.length - 1] as Decimal;
  if (plan.flows.length === 1) {
    const denominator = plan.w.mul(y).div(f).add(1);
    ensure(denominator.gt(0), 'YIELD_NOT_FOUND', 'yield below the simple-interest domain');
    return { price: last.div(denominator), slope: last.mul(plan.w).div(f).div(denominator.pow(2)).neg() };
  }
  const v = new Decimal(1).div(y.div(f).add(1));
  let discount = v.pow(plan.w); // non-integer power, 60 significant digits
  let t = plan.w;
  let price = new Decimal(0);
  let slope = new Decimal(0);
  for (const flow of plan.flows) {
    price = price.add(flow.mul(discount));
    slope = slope.sub(flow.mul(t).div(f).mul(discount).mul(v)); // d/dy v^t = -(t/f) v^(t+1)
    discount = discount.mul(v);
    t = t.add(1);
  }
  return { price, slope };
}

/** Clean and dirty price (percent of par, unrounded) for an annual yield in percent. */
export function priceFromYield(input: YieldInput & { readonly yieldPercent: DecimalInput }): PriceFromYield {
  const plan = flowPlan(input);
  const y = toDecimal(input.yieldPercent).div(100);
  ensure(y.div(plan.frequency).gt(-1), 'INVALID_ARGUMENT', 'yield must exceed -100 % per period');
  const dirty = dirtyPriceAt(plan, y).price;
  const accrued = accruedPer100(input, input.settlementDate);
  return { cleanPricePercent: dirty.sub(accrued), dirtyPricePercent: dirty, accruedPer100: accrued };
}

/** Annual yield in percent (unrounded) that reproduces a clean price in percent of par. */
export function yieldFromPrice(input: YieldInput & { readonly cleanPricePercent: DecimalInput }): Decimal {
  const clean = toDecimal(input.cleanPricePercent);
  ensure(clean.gt(0), 'INVALID_ARGUMENT', 'price must be > 0');
  const plan = flowPlan(input);
  const target = clean.add(accruedPer100(input, input.settlementDate));
  if (plan.flows.length === 1) return lastPeriodYield(plan, target).mul(100);
  return solveYield(plan, target).mul(100);
}

/** Closed form of the simple-interest last period: y = (CF / dirty − 1) × f / w. */
function lastPeriodYield(plan: FlowPlan, dirty: Decimal): Decimal {
  if (plan.w.isZero()) throw new DomainError('YIELD_NOT_FOUND', 'no time left to maturity under this day count');
  const last = plan.flows[0] as Decimal;
  return last.div(dirty).sub(1).mul(plan.frequency).div(plan.w);
}

function solveYield(plan: FlowPlan, target: Decimal): Decimal {
  let lo = new Decimal(plan.frequency).mul('-0.99'); // 1 + y/f = 0.01
  let hi = YIELD_MAX;
  if (dirtyPriceAt(plan, lo).price.lt(target) || dirtyPriceAt(plan, hi).price.gt(target)) {
    throw new DomainError('YIELD_NOT_FOUND', `no yield in [${lo.mul(100).toFixed()} %, 1000 %] gives dirty price ${target.toFixed()}`);
  }
  let y = new Decimal('0.05');
  for (let i = 0; i < YIELD_ITERATIONS_MAX; i += 1) {
    const { price, slope } = dirtyPriceAt(plan, y);
    const error = price.sub(target);
    if (error.isZero()) return y;
    if (error.gt(0))
      lo = y; // price too high: the yield is higher (price falls as yield rises)
    else hi = y;
    let next = slope.isZero() ? lo.add(hi).div(2) : y.sub(error.div(slope));
    if (!(next.gt(lo) && next.lt(hi))) next = lo.add(hi).div(2); // Newton left the bracket: bisect
    if (next.sub(y).abs().lt(TOLERANCE)) return next;
    y = next;
  }
  throw new DomainError('NO_CONVERGENCE', `yield did not converge in ${YIELD_ITERATIONS_MAX} iterations`);
}
