/**
 * Notes: the tradable classes of a deal (Class A-2, B, C, …) and compute-backed bonds, with every
 * term the trading and settlement arithmetic needs (coupon, day count, schedule dates, factor,
 * denominations, tick size, settlement cycle) and the TRACE facts for the public tape.
 *
 * Guarantees: a stored note has a valid ISIN check digit, a tick size that divides par, an
 * increment that divides the minimum denomination, a factor in (0, 1] and dates in order.
 */
import type { Knex } from 'knex';
import { audited, type AuditActor } from '../audit/index.js';
import { Decimal } from '../domain/decimal.js';
import { isValidIsin } from '../domain/identifiers.js';
import { buildCouponSchedule } from '../domain/schedule.js';
import { parseIsoDate } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import { Rejection } from '../core/rejections.js';
import { isUuid } from '../core/schemas.js';
import { disseminationCapFor, type TraceCategory } from './trace-caps.js';
import { DEFAULT_PRICE_BAND_POINTS } from '../risk/price-band.js';

/**
 * Day counts a note may carry. '30/360-ISDA' is ISDA 2006 §4.16(f) bond basis (no February rule),
 * '30/360-SIFMA' the SIFMA Standard Securities Calculation Methods 30/360 (US bond market, with the
 * end-of-February rule); see server/domain/daycount.ts. The old wire value '30/360' is still
 * accepted on input and stored as '30/360-ISDA', which is what it always computed.
 */
export const DAY_COUNTS = ['30/360-ISDA', '30/360-SIFMA', '30E/360', 'ACT/360', 'ACT/365F', 'ACT/ACT-ICMA'] as const;
export type DayCountName = (typeof DAY_COUNTS)[number];
/** What a client may send: the names above and the legacy '30/360' (= '30/360-ISDA'). */
export const DAY_COUNTS_ACCEPTED = [...DAY_COUNTS, '30/360'] as const;
export type DayCountInput = (typeof DAY_COUNTS_ACCEPTED)[number];

/** The stored name of a day count a client sent. */
export function storedDayCount(input: DayCountInput): DayCountName {
  return input === '30/360' ? '30/360-ISDA' : input;
}
export const FREQUENCIES = [1, 2, 4, 12] as const;
export { TRACE_CATEGORIES } from './trace-caps.js';
import { TRACE_CATEGORIES } from './trace-caps.js';

export interface NoteInput {
  isin: string;
  dealId: string;
  className: string;
  name: string;
  seniority: number;
  rating: string;
  couponType: 'fixed' | 'floating';
  couponRate: string;
  dayCount: DayCountInput;
  frequency: (typeof FREQUENCIES)[number];
  issueDate: string;
  firstCouponDate: string;
  maturityDate: string;
  originalFace: string;
  factor: string;
  currency: 'USD';
  minDenomination: string;
  increment: string;
  tickSize: string;
  settlementDays: number;
  traceCategory: (typeof TRACE_CATEGORIES)[number];
  /**
   * Ignored on input (kept so that old clients are not refused): the cap is derived from the
   * TRACE category and rating (server/refdata/trace-caps.ts).
   */
  disseminationCap?: string;
  /** The most face one order, quote or RFQ may ask for; null (the default) means the original face. */
  maxOrderFace?: string | null;
}

export interface Note extends Omit<NoteInput, 'dayCount' | 'disseminationCap'> {
  id: string;
  status: 'active' | 'halted';
  dayCount: DayCountName;
  /** Trades above this face are shown on the tape as "<n>MM+" (FINRA's TRACE dissemination caps). */
  disseminationCap: string;
  /** Half-width in points of the band prices must lie in around the reference price (operator; default 10). */
  priceBandPoints: string;
}

const COLUMNS: ReadonlyArray<[keyof NoteInput, string]> = [
  ['isin', 'isin'],
  ['dealId', 'deal_id'],
  ['className', 'class_name'],
  ['name', 'name'],
  ['seniority', 'seniority'],
  ['rating', 'rating'],
  ['couponType', 'coupon_type'],
  ['couponRate', 'coupon_rate'],
  ['dayCount', 'day_count'],
  ['frequency', 'frequency'],
  ['issueDate', 'issue_date'],
  ['firstCouponDate', 'first_coupon_date'],
  ['maturityDate', 'maturity_date'],
  ['originalFace', 'original_face'],
  ['factor', 'factor'],
  ['currency', 'currency'],
  ['minDenomination', 'min_denomination'],
  ['increment', 'increment'],
  ['tickSize', 'tick_size'],
  ['settlementDays', 'settlement_days'],
  ['traceCategory', 'trace_category'],
  ['maxOrderFace', 'max_order_face'],
];

const DECIMAL_FIELDS = new Set<keyof NoteInput>([
  'couponRate',
  'originalFace',
  'factor',
  'minDenomination',
  'increment',
  'tickSize',
  'maxOrderFace',
]);

function toNote(row: Record<string, unknown>): Note {
  const note: Record<string, unknown> = { id: row.id, status: row.status };
  for (const [field, column] of COLUMNS) {
    const value = row[column];
    // NUMERIC arrives as text; normalise "1.50000" to "1.5" so the wire shows canonical decimals.
    note[field] = DECIMAL_FIELDS.has(field) && value !== null && value !== undefined ? new Decimal(String(value)).toFixed() : value;
  }
  note.dayCount = storedDayCount(note.dayCount as DayCountInput);
  note.disseminationCap = disseminationCapFor(note.traceCategory as TraceCategory, String(note.rating)).toFixed();
  note.priceBandPoints = (
    row.price_band_points === null || row.price_band_points === undefined
      ? DEFAULT_PRICE_BAND_POINTS
      : new Decimal(String(row.price_band_points))
  ).toFixed();
  return note as unknown as Note;
}

function invalid(field: string, message: string): Rejection {
  return new Rejection('VALIDATION_FAILED', `${field} ${message}`, { field });
}

/** The checks of a note's terms that the schema alone cannot express. */
/** The largest face one order may ask for in this note: its setting, else the original face. */
export function maxOrderFaceOf(note: Pick<NoteInput, 'originalFace' | 'maxOrderFace'>): string {
  return note.maxOrderFace ?? note.originalFace;
}

export function validateNoteTerms(input: NoteInput): void {
  if (!isValidIsin(input.isin))
    throw new Rejection('INVALID_ISIN', `${input.isin} is not a valid ISIN (check digit)`, { isin: input.isin });
  const tick = new Decimal(input.tickSize);
  const increment = new Decimal(input.increment);
  const minDenomination = new Decimal(input.minDenomination);
  const originalFace = new Decimal(input.originalFace);
  const factor = new Decimal(input.factor);
  if (tick.lte(0)) throw invalid('tickSize', 'must be greater than zero');
  if (!new Decimal(100).mod(tick).isZero()) throw invalid('tickSize', 'must divide par (100) into whole ticks');
  if (increment.lte(0) || minDenomination.lte(0)) throw invalid('increment', 'and minDenomination must be greater than zero');
  if (!minDenomination.mod(increment).isZero()) throw invalid('increment', 'must divide minDenomination');
  if (originalFace.lt(minDenomination) || !originalFace.mod(increment).isZero()) {
    throw invalid('originalFace', 'must be at least minDenomination and a multiple of increment');
  }
  if (factor.lte(0) || factor.gt(1)) throw invalid('factor', 'must be in (0, 1]');
  const coupon = new Decimal(input.couponRate);
  if (coupon.lt(0) || coupon.gt(100)) throw invalid('couponRate', 'must be between 0 and 100 percent');
  if (!(input.issueDate < input.firstCouponDate && input.firstCouponDate <= input.maturityDate)) {
    throw invalid('issueDate', 'must be before firstCouponDate, which must be on or before maturityDate');
  }
  if (input.maxOrderFace !== undefined && input.maxOrderFace !== null) {
    const maxOrderFace = new Decimal(input.maxOrderFace);
    if (maxOrderFace.lt(minDenomination) || !maxOrderFace.mod(increment).isZero()) {
      throw invalid('maxOrderFace', 'must be at least minDenomination and a multiple of increment');
    }
  }
  assertScheduleBuilds(input);
}

/** Accrued interest needs a coupon schedule; a note whose dates do not make one cannot be traded. */
function assertScheduleBuilds(input: NoteInput): void {
  try {
    buildCouponSchedule({
      issueDate: parseIsoDate(input.issueDate),
      firstCouponDate: parseIsoDate(input.firstCouponDate),
      maturityDate: parseIsoDate(input.maturityDate),
      frequency: input.frequency,
    });
  } catch (error) {
    if (error instanceof DomainError)
      throw invalid('maturityDate', `does not make a coupon schedule with firstCouponDate and frequency: ${error.message}`);
    throw error;
  }
}

export async function listNotes(db: Knex | Knex.Transaction, filter: { dealId?: string } = {}): Promise<Note[]> {
  const rows = await db('notes')
    .modify((q) => {
      if (filter.dealId) q.where({ deal_id: filter.dealId });
    })
    .orderBy([{ column: 'deal_id' }, { column: 'seniority' }, { column: 'class_name' }])
    .select('*');
  return rows.map(toNote);
}

export async function findNote(db: Knex | Knex.Transaction, id: string): Promise<Note | null> {
  if (!isUuid(id)) return null;
  const row = await db('notes').where({ id }).first();
  return row ? toNote(row) : null;
}

export async function getNote(db: Knex | Knex.Transaction, id: string): Promise<Note> {
  const note = await findNote(db, id);
  if (!note) throw new Rejection('NOTE_NOT_FOUND', `note ${id} does not exist`, { noteId: id });
  return note;
}

export async function createNote(db: Knex | Knex.Transaction, input: NoteInput, actor?: AuditActor): Promise<Note> {
  return audited(
    db,
    actor,
    async (db) => {
      validateNoteTerms(input);
      const row: Record<string, unknown> = {};
      for (const [field, column] of COLUMNS) row[column] = input[field] ?? null;
      row.day_count = storedDayCount(input.dayCount);
      // The column predates derived caps; it keeps the derived value so that it never disagrees.
      row.dissemination_cap = disseminationCapFor(input.traceCategory, input.rating).toFixed();
      const [inserted] = await db('notes').insert(row).onConflict('isin').ignore().returning('*');
      if (!inserted) throw new Rejection('DUPLICATE_ISIN', `a note with ISIN ${input.isin} is listed`, { isin: input.isin });
      return toNote(inserted);
    },
    (note) => ({ action: 'note.create', entity: `note:${note.id}`, details: { isin: note.isin, dealId: note.dealId, name: note.name } }),
  );
}

/** Sets the half-width of a note's price band (operator), in the caller's transaction. */
export async function setNotePriceBand(db: Knex | Knex.Transaction, id: string, widthPoints: Decimal): Promise<void> {
  await db('notes').where({ id }).update({ price_band_points: widthPoints.toFixed() });
}

/**
 * Sets a note's pool factor after a principal payment (servicing). 0 marks a retired class.
 * Runs in the caller's transaction so the factor moves with the payment that lowered it.
 */
export async function setNoteFactor(db: Knex | Knex.Transaction, id: string, factor: Decimal): Promise<Note> {
  if (factor.isNegative() || factor.gt(1))
    throw new Rejection('INVALID_FACTOR', `a factor must be in [0, 1], not ${factor.toFixed()}`, { noteId: id });
  const [row] = await db('notes').where({ id }).update({ factor: factor.toFixed() }).returning('*');
  if (!row) throw new Rejection('NOTE_NOT_FOUND', `note ${id} does not exist`, { noteId: id });
  return toNote(row);
}
