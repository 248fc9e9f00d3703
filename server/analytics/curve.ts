/**
 * Benchmark curves — pure, no I/O: a Treasury par curve (tenor in years → par yield in percent,
 * bond-equivalent, i.e. compounded semi-annually, as the US Treasury publishes its par yield curve),
 * its linear interpolation, and the zero curve bootstrapped from it.
 *
 * Conventions (stated because spreads depend on them):
 * - Par yield at a tenor: linear in tenor between the two neighbouring points, flat beyond the first
 *   and the last point (no extrapolated slope).
 * - Bootstrap: on a half-year grid T = 0.5, 1, …, up to the longest tenor, a par bond of tenor T pays
 *   c(T)/2 every half year and 1 at T and prices at 1, so its discount factors satisfy
 *     D(T) = (1 − c(T)/2 × Σ_{i<T} D(i)) ÷ (1 + c(T)/2),
 *   and the zero rate z(T) (semi-annual compounding) solves D(T) = (1 + z/2)^(−2T). The first point
 *   (T = 0.5) has no coupon before maturity, so z(0.5) = c(0.5). Between grid points z is linear in
 *   T, flat before 0.5 and after the last grid point.
 * All arithmetic is Decimal (60 significant digits); results are unrounded.
 */
import { Decimal, toDecimal, type DecimalInput } from '../domain/decimal.js';
import { ensure } from '../domain/errors.js';

export interface CurvePoint {
  readonly tenorYears: DecimalInput;
  readonly yieldPercent: DecimalInput;
}

export interface ParCurve {
  /** Ascending tenors in years and par yields as fractions (0.0425 for 4.25 %). */
  readonly tenors: readonly Decimal[];
  readonly yields: readonly Decimal[];
}

export interface ZeroCurve {
  /** Half-year grid 0.5, 1, …; zero rates as fractions, semi-annual compounding. */
  readonly tenors: readonly Decimal[];
  readonly rates: readonly Decimal[];
}

export const CURVE_POINTS_MAX = 40;
const MAX_TENOR_YEARS = 50;

/** Validates and sorts the points: tenors in (0, 50] and distinct, at least one point. */
export function parCurve(points: readonly CurvePoint[]): ParCurve {
  ensure(points.length >= 1 && points.length <= CURVE_POINTS_MAX, 'INVALID_ARGUMENT', `a curve has 1 to ${CURVE_POINTS_MAX} points`);
  const parsed = points
    .map((p) => ({ tenor: toDecimal(p.tenorYears), rate: toDecimal(p.yieldPercent).div(100) }))
    .sort((a, b) => a.tenor.cmp(b.tenor));
  parsed.forEach((p, i) => {
    ensure(p.tenor.gt(0) && p.tenor.lte(MAX_TENOR_YEARS), 'INVALID_ARGUMENT', `tenors must be in (0, ${MAX_TENOR_YEARS}] years`);
    ensure(p.rate.gt(-0.1) && p.rate.lt(1), 'INVALID_ARGUMENT', 'yields must be between -10 % and 100 %');
    ensure(
      i === 0 || !p.tenor.eq((parsed[i - 1] as { tenor: Decimal }).tenor),
      'INVALID_ARGUMENT',
      `tenor ${p.tenor.toFixed()} appears twice`,
    );
  });
  return { tenors: parsed.map((p) => p.tenor), yields: parsed.map((p) => p.rate) };
}

/** Linear interpolation on ascending xs, flat outside. */
export function interpolate(xs: readonly Decimal[], ys: readonly Decimal[], x: Decimal): Decimal {
  const first = xs[0] as Decimal;
  const last = xs[xs.length - 1] as Decimal;
  if (x.lte(first)) return ys[0] as Decimal;
  if (x.gte(last)) return ys[ys.length - 1] as Decimal;
  let i = 1;
  while ((xs[i] as Decimal).lt(x)) i += 1;
  const x0 = xs[i - 1] as Decimal;
  const x1 = xs[i] as Decimal;
  const y0 = ys[i - 1] as Decimal;
  const y1 = ys[i] as Decimal;
  return y0.add(y1.sub(y0).mul(x.sub(x0)).div(x1.sub(x0)));
}

/** Par yield (fraction) at a tenor in years. */
export function parYieldAt(curve: ParCurve, tenorYears: Decimal): Decimal {
  return interpolate(curve.tenors, curve.yields, tenorYears);
}

export function bootstrapZeroCurve(curve: ParCurve): ZeroCurve {
  const longest = curve.tenors[curve.tenors.length - 1] as Decimal;
  const steps = Math.max(1, longest.mul(2).ceil().toNumber());
  const tenors: Decimal[] = [];
  const rates: Decimal[] = [];
  let sumDiscount = new Decimal(0);
  for (let k = 1; k <= steps; k += 1) {
    const tenor = new Decimal(k).div(2);
    const halfCoupon = parYieldAt(curve, tenor).div(2);
    const discount = new Decimal(1).sub(halfCoupon.mul(sumDiscount)).div(halfCoupon.add(1));
    ensure(discount.gt(0), 'INVALID_ARGUMENT', `the par curve implies a non-positive discount factor at ${tenor.toFixed()} years`);
    sumDiscount = sumDiscount.add(discount);
    // D = (1 + z/2)^(-2T)  ⇒  z = 2 × (D^(-1/(2T)) − 1)
    rates.push(discount.pow(new Decimal(-1).div(k)).sub(1).mul(2));
    tenors.push(tenor);
  }
  return { tenors, rates };
}

/** Zero rate (fraction, semi-annual compounding) at t years. */
export function zeroRateAt(curve: ZeroCurve, tenorYears: Decimal): Decimal {
  return interpolate(curve.tenors, curve.rates, tenorYears);
}
