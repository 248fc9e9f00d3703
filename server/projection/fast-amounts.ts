/**
 * The fast engine's rounded amounts in integer cents, each as the servicing waterfall rounds it:
 * a class's interest for a period, the senior fees, a floating coupon (index + margin) and the
 * split of a principal payment between classes.
 *
 * Guarantees: each figure equals, to the cent, the one the Decimal waterfall computes — formed
 * exactly (a safe number or BigInt) and divided once with the waterfall's rounding; an exact
 * half-cent tie is settled by the servicing's own Decimal expression (see fast.ts's header).
 * Must never: do I/O, read the clock, or round through a float.
 */
import { Decimal } from '../domain/decimal.js';
import { roundCash } from '../domain/rounding.js';
import { divFloor, divNearest, divNearestSafe, pow10, scaled, type Scaled } from './cents.js';

/** amount × rate% × days ÷ basis in cents, as the waterfall rounds it (interestOn). */
export function interestCents(amount: number, rate: Scaled, days: number, basis: number): number {
  const den = Number(pow10(rate.places)) * 100 * basis;
  const quick = divNearestSafe(amount * Number(rate.int) * days, den);
  if (typeof quick === 'number') return quick;
  if (quick === undefined) {
    const q = divNearest(BigInt(amount) * rate.int * BigInt(days), BigInt(den));
    if (q !== null) return Number(q);
  }
  // An exact half-cent: the waterfall's Decimal expression decides (see the header).
  const yf = new Decimal(days).div(basis);
  const r = new Decimal(rate.int.toString()).div(pow10(rate.places).toString());
  return roundCash(new Decimal(amount).div(100).mul(r).div(100).mul(yf)).mul(100).toNumber();
}

export function feeCents(fixed: number, aggregate: number, rate: Scaled, paymentsPerYear: number): number {
  const denNumber = Number(pow10(rate.places)) * 100 * paymentsPerYear;
  const quick = divNearestSafe(fixed * denNumber + aggregate * Number(rate.int), denNumber);
  if (typeof quick === 'number') return quick;
  const den = BigInt(denNumber);
  const q = quick === null ? null : divNearest(BigInt(fixed) * den + BigInt(aggregate) * rate.int, den);
  if (q !== null) return Number(q);
  const r = new Decimal(rate.int.toString()).div(pow10(rate.places).toString());
  const exact = new Decimal(fixed).div(100).plus(new Decimal(aggregate).div(100).mul(r).div(100).mul(new Decimal(1).div(paymentsPerYear)));
  return roundCash(exact).mul(100).toNumber();
}

/** A floating coupon: index (4 places at most) + margin bp ÷ 100, as a scaled decimal. */
const couponCache = new Map<string, Scaled>();
export function floatingCoupon(index: string, margin: Scaled): Scaled {
  const key = `${index}|${margin.int}|${margin.places}`;
  let v = couponCache.get(key);
  if (v === undefined) {
    const i = scaled(index);
    const places = Math.max(i.places, margin.places + 2);
    v = { int: i.int * pow10(places - i.places) + margin.int * pow10(places - margin.places - 2), places };
    if (couponCache.size < 100_000) couponCache.set(key, v);
  }
  return v;
}

/** Sequential: in the listed order. Pro rata: floor(amount × balance ÷ aggregate), leftover cents in order. */
export function allocate(balances: readonly number[], amount: number, mode: 'sequential' | 'pro_rata'): number[] {
  let aggregate = 0;
  for (const b of balances) aggregate += b;
  const paid = balances.map(() => 0);
  let left = amount;
  if (mode === 'pro_rata' && aggregate > 0) {
    balances.forEach((b, i) => {
      paid[i] = Number(divFloor(BigInt(amount) * BigInt(b), BigInt(aggregate)));
      left -= paid[i]!;
    });
  }
  balances.forEach((b, i) => {
    const more = Math.min(left, b - paid[i]!);
    paid[i]! += more;
    left -= more;
  });
  return paid;
}
