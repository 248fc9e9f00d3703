/**
 * The API's zod schemas: everything of core/schemas.ts (decimal strings, ISO dates, ids), plus
 * what only the HTTP edge reads or writes — query-string paging and the error body.
 */
import { z } from 'zod';

export * from '../core/schemas.js';

/** The largest id a bigint column holds (PostgreSQL int8). */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** A paging cursor naming a bigint row id: digits only and within int8, so it never fails in SQL. */
export const pagingId = z
  .string()
  .regex(/^\d{1,19}$/, { message: 'must be a whole number (a row id)', abort: true })
  .refine((value) => BigInt(value) <= BIGINT_MAX, `must be at most ${BIGINT_MAX}`);

/** Query-string limit: digits only, 1..max, default given. */
export function limitParam(defaultLimit: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform((value) => Number.parseInt(value, 10))
    .refine((value) => value >= 1 && value <= max, `must be between 1 and ${max}`)
    .optional()
    .transform((value) => value ?? defaultLimit);
}

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});
