/**
 * Exact integer arithmetic for the fast projection engine: decimal strings as scaled integers, and
 * the quotient of two integers rounded half-even, toward −∞ (floor) or reported as an exact tie.
 * Pure; never a float for money: a JS number is used only while the operands and the product are
 * safe integers (checked), otherwise BigInt.
 */

export interface Scaled {
  /** value = int ÷ 10^places */
  int: bigint;
  places: number;
}

const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

export function pow10(places: number): bigint {
  return POW10[places] as bigint;
}

/** A canonical decimal string as a scaled integer ("-12.345" → {int: -12345n, places: 3}). */
export function scaled(text: string): Scaled {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [whole, fraction = ''] = body.split('.');
  const int = BigInt(`${whole}${fraction}`);
  return { int: negative ? -int : int, places: fraction.length };
}

/** Cents of a USD decimal string with at most 2 decimals. */
export function centsOf(text: string): number {
  const s = scaled(text);
  if (s.places > 2) throw new Error(`${text} is not a whole number of cents`);
  return Number(s.int * pow10(2 - s.places));
}

/** n ÷ d (d > 0) rounded half-even; null when the quotient is exactly halfway (the caller decides). */
export function divNearest(n: bigint, d: bigint): bigint | null {
  let q = n / d;
  let r = n % d;
  if (r < 0n) {
    q -= 1n;
    r += d;
  } // floor division
  const twice = 2n * r;
  if (twice < d) return q;
  if (twice > d) return q + 1n;
  return null;
}

/** n ÷ d (d > 0) rounded half-even, ties to even. */
export function divHalfEven(n: bigint, d: bigint): bigint {
  const q = divNearest(n, d);
  if (q !== null) return q;
  const down = (n - d / 2n) / d; // exact: n − d/2 is a multiple of d at a tie
  return down % 2n === 0n ? down : down + 1n;
}

/** floor(n ÷ d) for n >= 0, d > 0. */
export function divFloor(n: bigint, d: bigint): bigint {
  return n / d;
}

/** Number path of divNearest for safe non-negative integers; undefined when not safe. */
export function divNearestSafe(n: number, d: number): number | null | undefined {
  if (!Number.isSafeInteger(n) || n < 0) return undefined;
  let q = Math.floor(n / d);
  let r = n - q * d;
  if (r < 0) {
    q -= 1;
    r += d;
  }
  if (r >= d) {
    q += 1;
    r -= d;
  }
  const twice = 2 * r;
  if (twice < d) return q;
  if (twice > d) return q + 1;
  return null;
}

/** n ÷ d (d > 0) rounded half-even, by the number path when n is a safe integer, else BigInt. */
export function halfEvenOf(n: number, d: number): number {
  const magnitude = divNearestSafe(Math.abs(n), d);
  if (magnitude === undefined) return Number(divHalfEven(BigInt(n), BigInt(d)));
  let q = magnitude;
  if (q === null) {
    const down = Math.floor(Math.abs(n) / d); // a tie: |n| = (down + 1/2) × d, exact below 2^53
    q = down % 2 === 0 ? down : down + 1;
  }
  return n < 0 ? -q : q;
}

/** Sign of a × b − c × d for safe integer operands, exactly (BigInt when a product is not safe). */
export function compareProducts(a: number, b: number, c: number, d: number): number {
  const left = a * b;
  const right = c * d;
  if (Number.isSafeInteger(left) && Number.isSafeInteger(right)) return left < right ? -1 : left > right ? 1 : 0;
  const l = BigInt(a) * BigInt(b);
  const r = BigInt(c) * BigInt(d);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** A driver value (at most 4 decimals) × 10^4 as an integer (cached: drivers repeat month to month). */
const e4Cache = new Map<string, number>();
export function e4(text: string): number {
  let v = e4Cache.get(text);
  if (v === undefined) {
    const s = scaled(text);
    v = Number(s.int * pow10(4 - s.places));
    if (e4Cache.size < 100_000) e4Cache.set(text, v);
  }
  return v;
}
