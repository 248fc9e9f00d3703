/**
 * Break-even search — pure: the harshest level of one driver at which a condition (e.g. "the
 * class receives all its principal") still holds, by bisection.
 *
 * The caller states the direction: `mild` is a level at which the condition holds, `harsh` one at
 * which it fails (e.g. utilization 100 % and 0 %). The condition must be monotone between them
 * (harsher never helps — the projection's monotonicity property). Bisection keeps
 * holds(mild') ∧ ¬holds(harsh') and stops when |mild' − harsh'| ≤ tolerance, returning mild': a
 * level that is known to pass and within `tolerance` of the true break-even. At most
 * BREAK_EVEN_STEPS evaluations. When even `harsh` passes, the answer is `harsh` (no break-even
 * inside the range); when `mild` fails, null.
 */
import { Decimal, toDecimal, type DecimalInput } from '../domain/decimal.js';
import { ensure } from '../domain/errors.js';
import { roundHalfEven } from '../domain/rounding.js';

export const BREAK_EVEN_STEPS = 64;

export interface BreakEvenResult {
  /** The harshest level found that passes, or null when the mildest level fails. */
  level: Decimal | null;
  /** True when the harshest level of the range passes (no break-even inside the range). */
  passesEverywhere: boolean;
  evaluations: number;
}

/** `places`: midpoints are rounded half-even to this many decimals (drivers accept at most 4), so every level returned was tested. */
export function breakEven(
  mildInput: DecimalInput,
  harshInput: DecimalInput,
  toleranceInput: DecimalInput,
  holds: (level: Decimal) => boolean,
  places = 4,
): BreakEvenResult {
  let mild = toDecimal(mildInput);
  let harsh = toDecimal(harshInput);
  const tolerance = toDecimal(toleranceInput);
  ensure(tolerance.gt(0), 'INVALID_ARGUMENT', 'tolerance must be > 0');
  if (!holds(mild)) return { level: null, passesEverywhere: false, evaluations: 1 };
  if (holds(harsh)) return { level: harsh, passesEverywhere: true, evaluations: 2 };
  let evaluations = 2;
  while (mild.sub(harsh).abs().gt(tolerance) && evaluations < BREAK_EVEN_STEPS) {
    const middle = roundHalfEven(mild.add(harsh).div(2), places);
    if (middle.eq(mild) || middle.eq(harsh)) break; // the grid of `places` decimals is finer than nothing left
    if (holds(middle)) mild = middle;
    else harsh = middle;
    evaluations += 1;
  }
  return { level: mild, passesEverywhere: false, evaluations };
}
