/**
 * Shared input schemas (zod): decimal strings (never JSON numbers), cash amounts, ISO dates and
 * ids. They live below the edges and the services so both validate input alike without reaching
 * upward (the API's own schemas, paging and the error body, are in api/schemas.ts). Each schema
 * validates completely, so handlers receive well-formed values only.
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
  .regex(DECIMAL_PATTERN, {
    message: 'must be a decimal string such as "99.875" (ASCII digits, no spaces, separators or exponent)',
    abort: true,
  })
  .describe('a decimal number written as a string');

/** Whether a refinement may read the value as a decimal: zod runs refinements after a failed regex too. */
export function isDecimalText(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

export const positiveDecimal = decimalString
  .refine((value) => !isDecimalText(value) || new Decimal(value).gt(0), 'must be greater than zero')
  .describe('a decimal string greater than zero');

export const nonNegativeDecimal = decimalString
  .refine((value) => !isDecimalText(value) || new Decimal(value).gte(0), 'must not be negative')
  .describe('a decimal string, zero or more');

/** The largest cash amount one request may move: a bound on magnitudes (issue 14), far above any real movement. */
export const CASH_AMOUNT_MAX = '999999999999999.99';

/** A cash amount: positive, at most two decimal places, at most CASH_AMOUNT_MAX. */
export const cashAmount = positiveDecimal
  .refine((value) => !isDecimalText(value) || new Decimal(value).decimalPlaces() <= 2, 'must have at most 2 decimal places')
  .refine((value) => !isDecimalText(value) || new Decimal(value).lte(CASH_AMOUNT_MAX), `must be at most ${CASH_AMOUNT_MAX}`)
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

/** The widest spread a quote may be entered at: ±10,000 bp (±100 %), far beyond any real quote. */
export const SPREAD_BP_MAX = '10000';

/** A spread in basis points over the benchmark (quotes entered as a spread): signed, at most 2 decimals, within ±SPREAD_BP_MAX. */
export const spreadBp = decimalString
  .refine((value) => !isDecimalText(value) || new Decimal(value).decimalPlaces() <= 2, 'must have at most 2 decimal places')
  .refine((value) => !isDecimalText(value) || new Decimal(value).abs().lte(SPREAD_BP_MAX), `must be within ±${SPREAD_BP_MAX} bp`)
  .describe('a spread in basis points over the benchmark curve, as a string');
