// Shared fast-check arbitraries for the domain tests (not a test file itself).
import * as fc from 'fast-check';
import { dayNumber, fromDayNumber, parseIsoDate, type IsoDate } from '../../server/domain/index.js';

export const d = (text: string): IsoDate => parseIsoDate(text);

/** Any date between two bounds (inclusive). */
export function dateBetween(from: string, to: string): fc.Arbitrary<IsoDate> {
  return fc.integer({ min: dayNumber(d(from)), max: dayNumber(d(to)) }).map(fromDayNumber);
}

/** A fixed seed makes every property run replayable; fast-check prints it on failure anyway. */
export const PROPERTY_SEED = 20260101;
