/**
 * Display formats for decimal strings, computed with decimal.js — never through JS numbers:
 * prices with the note's tick decimals (padded with figure spaces so decimal points line up in a
 * right-aligned column), cash with 2 decimals and thousands separators, face as whole currency,
 * yields with 3 decimals, factors with 8. Input validation of typed decimals lives here too.
 */
import { Decimal } from '../money/domain.js';
import type { Note } from '../../../sdk/index.js';

/** U+2007 FIGURE SPACE: as wide as a digit in tabular figures. */
const FIGURE_SPACE = '\u2007';
/** The most decimals a tick size of the venue has (1/128 = 0.0078125). */
export const PRICE_DECIMALS_MAX = 7;
const DECIMAL_PATTERN = /^(0|[1-9]\d{0,15})(\.\d{1,12})?$/;

function grouped(integerDigits: string): string {
  return integerDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function withSeparators(fixed: string): string {
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  return `${negative ? '-' : ''}${grouped(whole)}${fraction !== undefined ? `.${fraction}` : ''}`;
}

export function tickDecimals(note: Pick<Note, 'tickSize'>): number {
  return new Decimal(note.tickSize).decimalPlaces();
}

/** Prices show at least this many decimals (99.500), more only when the price has them (99.5078125). */
export const PRICE_DECIMALS_MIN = 3;

/**
 * A price in % of par: 3 decimals, or as many as it has (up to the note's tick decimals). With
 * `pad`, figure spaces fill up to the note's tick decimals (or `pad` decimals); tables line up
 * decimal points per column instead (table.ts, `decimals`).
 */
export function price(value: string | null | undefined, note?: Pick<Note, 'tickSize'>, pad: boolean | number = false): string {
  if (value === null || value === undefined || value === '') return '';
  const v = new Decimal(value);
  const most = note ? tickDecimals(note) : PRICE_DECIMALS_MAX;
  const places = Math.max(PRICE_DECIMALS_MIN, v.decimalPlaces());
  const padTo = pad === true ? most : pad === false ? 0 : pad;
  return v.toFixed(places) + FIGURE_SPACE.repeat(Math.max(0, padTo - places));
}

/** USD with 2 decimals and separators. */
export function cash(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  return withSeparators(new Decimal(value).toFixed(2));
}

/** Face (original face, whole currency units) with separators; the tape's capped sizes ("5MM+") as they are. */
export function face(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  // A capped tape size ("5MM+", FINRA's form) is shown as it is.
  if (value.endsWith('+')) return value;
  return withSeparators(new Decimal(value).toFixed(0));
}

export function yieldPercent(value: string | null | undefined): string {
  return value === null || value === undefined ? '' : `${new Decimal(value).toFixed(3)}%`;
}

export function percent(value: string, places = 3): string {
  return `${new Decimal(value).toFixed(places)}%`;
}

export function factor(value: string): string {
  return new Decimal(value).toFixed(8);
}

/** A count or plain decimal with separators and fixed places. */
export function decimal(value: string, places: number): string {
  return withSeparators(new Decimal(value).toFixed(places));
}

export function time(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "2026-12-09 17:30:05" in local time: ISO order whatever the browser's locale. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time(iso)}`;
}

/** The note's tick as traders say it: "1/128" or "0.001". */
export function tickLabel(note: Pick<Note, 'tickSize'>): string {
  const tick = new Decimal(note.tickSize);
  const inverse = new Decimal(1).div(tick);
  return inverse.isInteger() && inverse.gt(1) && inverse.lte(1024) && tick.decimalPlaces() > 3 ? `1/${inverse.toFixed(0)}` : tick.toFixed();
}

/** Whether the text is a plain positive or zero decimal a user may type ("99.5", "1000000"). */
export function isDecimalText(text: string): boolean {
  return DECIMAL_PATTERN.test(text);
}

/** Strips thousands separators and spaces a user may type in amounts ("1,000,000"). */
export function cleanNumberInput(text: string): string {
  return text.replace(/[,\s_]/g, '');
}

/** Whether `value` is a whole multiple of `step` (exact decimal arithmetic). */
export function isMultiple(value: string, step: string): boolean {
  return new Decimal(value).mod(new Decimal(step)).isZero();
}

/** The nearest on-tick prices below and above (equal when on tick). */
export function nearestTicks(value: string, tick: string): [string, string] {
  const v = new Decimal(value);
  const t = new Decimal(tick);
  const below = v.div(t).floor().mul(t);
  const above = v.div(t).ceil().mul(t);
  return [below.toFixed(), above.toFixed()];
}

export function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-6)}` : id;
}
