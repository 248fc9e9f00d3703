/**
 * Shared zod schemas of the wire format: decimal strings (never JSON numbers), ISO dates, ids and
 * paging. Each schema validates completely, so handlers receive well-formed values only.
 */
import { z } from 'zod';
import { Decimal } from '../domain/decimal.js';

const DECIMAL_PATTERN = /^-?(0|[1-9]\d{0,30})(\.\d{1,18})?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The format check aborts the schema when it fails: zod runs later refinements even after a failed
 * check otherwise, and every refinement chained on this schema (here and in the routes) parses the
 * value with Decimal, which throws on text such as "abc" or " 100000" (a 500, issue 14).
 */
export const decimalString = z
  .string()
  .regex(DECIMAL_PATTERN, { message: 'must be a decimal string such as "99.875" (ASCII digits, no spaces, separators or exponent)', abort: true })
  .describe('a decimal number written as a string');

export const positiveDecimal = decimalString
  .refine((value) => new Decimal(value).gt(0), 'must be greater than zero')
  .describe('a decimal string greater than zero');

export const nonNegativeDecimal = decimalString
  .refine((value) => new Decimal(value).gte(0), 'must not be negative')
  .describe('a decimal string, zero or more');

/** The largest cash amount one request may move: a bound on magnitudes (issue 14), far above any real movement. */
export const CASH_AMOUNT_MAX = '999999999999999.99';

/** A cash amount: positive, at most two decimal places, at most CASH_AMOUNT_MAX. */
export const cashAmount = positiveDecimal
  .refine((value) => new Decimal(value).decimalPlaces() <= 2, 'must have at most 2 decimal places')
  .refine((value) => new Decimal(value).lte(CASH_AMOUNT_MAX), `must be at most ${CASH_AMOUNT_MAX}`)
  .describe('a USD amount with at most two decimals, as a string');

export const isoDate = z
  .string()
  .regex(DATE_PATTERN, { message: 'must be a date YYYY-MM-DD', abort: true })
  .refine(isRealCalendarDate, 'is not a calendar date')
  .describe('a calendar date YYYY-MM-DD');

function isRealCalendarDate(value: string): boolean {
  const [year, month, day] = value.split('-').map((part) => Number.parseInt(part, 10)) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || year < 1900 || year > 2200) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= daysInMonth;
}

export const uuid = z.string().uuid('must be an id (UUID)');

/**
 * Path ids are accepted as any short string: an id that is not a UUID names no entity, so it is a
 * 404 (unknown entity) rather than a 400, like any other unknown id.
 */
export const idParams = z.object({ id: z.string().min(1).max(100) }).strict();

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

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
