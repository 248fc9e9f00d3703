/**
 * Exact conversion between decimal prices/face amounts and the integer ticks/units the
 * matching engine uses.
 *
 * Guarantees: no rounding happens here. A price that is not an integral multiple of the tick
 * size (or a face amount off its increment) is reported as `null` (or OFF_TICK/OFF_INCREMENT
 * by the `require*` variants), never snapped. Integer counts are JS safe integers or the call
 * throws UNSAFE_INTEGER. `fromTicks(toTicks(p, t)!, t)` equals `p` exactly.
 */
import { Decimal } from './decimal.js';
import { DomainError, ensure } from './errors.js';

const MAX_SAFE = new Decimal(Number.MAX_SAFE_INTEGER);

/** True when `value` is an integral multiple of `step` (step > 0). Exact (uses modulo). */
export function isMultipleOf(value: Decimal, step: Decimal): boolean {
  ensure(step.isFinite() && step.gt(0), 'INVALID_ARGUMENT', 'step must be positive');
  ensure(value.isFinite(), 'INVALID_ARGUMENT', 'value must be finite');
  return value.mod(step).isZero();
}

/** Number of `step`s in `value`, or null when off-grid. The division is exact on-grid. */
function toCount(value: Decimal, step: Decimal): number | null {
  if (!isMultipleOf(value, step)) return null;
  const count = value.div(step);
  ensure(count.isInteger(), 'UNSAFE_INTEGER', 'count exceeds the exact range of Decimal');
  ensure(count.abs().lte(MAX_SAFE), 'UNSAFE_INTEGER', `count ${count.toFixed()} is not a safe integer`);
  return count.toNumber();
}

function fromCount(count: number, step: Decimal): Decimal {
  ensure(Number.isSafeInteger(count), 'UNSAFE_INTEGER', `count must be a safe integer, got ${count}`);
  ensure(step.isFinite() && step.gt(0), 'INVALID_ARGUMENT', 'step must be positive');
  return step.mul(count);
}

/** price / tickSize as a safe integer, or null when the price is off-tick. */
export function toTicks(price: Decimal, tickSize: Decimal): number | null {
  return toCount(price, tickSize);
}

/** Like toTicks but throws DomainError('OFF_TICK') for an off-tick price. */
export function requireTicks(price: Decimal, tickSize: Decimal): number {
  const ticks = toTicks(price, tickSize);
  if (ticks === null) {
    throw new DomainError('OFF_TICK', `price ${price.toFixed()} is not a multiple of tick ${tickSize.toFixed()}`);
  }
  return ticks;
}

/** ticks × tickSize, exact. */
export function fromTicks(ticks: number, tickSize: Decimal): Decimal {
  return fromCount(ticks, tickSize);
}

/** face / increment as a safe integer, or null when the face is off-increment. */
export function toUnits(face: Decimal, increment: Decimal): number | null {
  return toCount(face, increment);
}

/** Like toUnits but throws DomainError('OFF_INCREMENT') for an off-increment face. */
export function requireUnits(face: Decimal, increment: Decimal): number {
  const units = toUnits(face, increment);
  if (units === null) {
    throw new DomainError('OFF_INCREMENT', `face ${face.toFixed()} is not a multiple of ${increment.toFixed()}`);
  }
  return units;
}

/** units × increment, exact. */
export function fromUnits(units: number, increment: Decimal): Decimal {
  return fromCount(units, increment);
}

/** Why an order's original face is not acceptable for a note, or null when it is. */
export type FaceRejection = 'FACE_NOT_POSITIVE' | 'BELOW_MINIMUM_DENOMINATION' | 'OFF_INCREMENT';

/** Checks face > 0, face ≥ minimum denomination, and face on the increment grid. */
export function faceRejection(face: Decimal, minimumDenomination: Decimal, increment: Decimal): FaceRejection | null {
  if (!face.gt(0)) return 'FACE_NOT_POSITIVE';
  if (face.lt(minimumDenomination)) return 'BELOW_MINIMUM_DENOMINATION';
  if (!isMultipleOf(face, increment)) return 'OFF_INCREMENT';
  return null;
}
