/**
 * A local level-2 book kept from a `book:<noteId>` snapshot and its updates: a snapshot replaces
 * the book, an update sets each level it names (quantity "0" removes the level). Levels come out
 * best first. Prices are compared as decimal strings, exactly, never as floats.
 *
 * Applying an update is on every subscriber's hot path (a busy book changes many times a second),
 * so it allocates nothing: the book keeps the level objects of the messages themselves, which the
 * SDK never mutates (the levels it hands out are read-only too), and looks at a quantity's digits
 * only when it starts with "0".
 */
import type { BookData, BookLevel } from './types.js';

export class LocalBook {
  private readonly bidLevels = new Map<string, BookLevel>();
  private readonly askLevels = new Map<string, BookLevel>();

  constructor(readonly noteId: string) {}

  applySnapshot(data: BookData): void {
    this.bidLevels.clear();
    this.askLevels.clear();
    this.applyUpdate(data);
  }

  applyUpdate(data: Pick<BookData, 'bids' | 'asks'>): void {
    for (const level of data.bids) set(this.bidLevels, level);
    for (const level of data.asks) set(this.askLevels, level);
  }

  /** Bids, highest price first. */
  get bids(): BookLevel[] {
    return [...this.bidLevels.values()].sort((a, b) => compareDecimals(b.price, a.price));
  }

  /** Asks, lowest price first. */
  get asks(): BookLevel[] {
    return [...this.askLevels.values()].sort((a, b) => compareDecimals(a.price, b.price));
  }

  get bestBid(): BookLevel | null {
    return this.bids[0] ?? null;
  }

  get bestAsk(): BookLevel | null {
    return this.asks[0] ?? null;
  }

  /** The book as the REST endpoint shows it: `{bids, asks}`, best first. */
  toJSON(): { noteId: string; bids: BookLevel[]; asks: BookLevel[] } {
    return { noteId: this.noteId, bids: this.bids, asks: this.asks };
  }
}

function set(levels: Map<string, BookLevel>, level: BookLevel): void {
  if (level.orders === 0 || isZero(level.quantity)) levels.delete(level.price);
  else levels.set(level.price, level);
}

const ZERO_DIGIT = 48;

/** Whether a non-negative decimal string is zero ("0", "0.00", "000"); a quantity not starting with "0" never is. */
function isZero(value: string): boolean {
  return value.charCodeAt(0) === ZERO_DIGIT && /^0+(\.0*)?$/.test(value);
}

/**
 * Compares two non-negative decimal strings exactly: negative, zero or positive. Leading zeros of
 * the whole part and trailing zeros of the fraction do not count ("020.50" equals "20.5").
 */
export function compareDecimals(a: string, b: string): number {
  if (a === b) return 0;
  const aPoint = pointOf(a);
  const bPoint = pointOf(b);
  const aFrom = firstSignificant(a, aPoint);
  const bFrom = firstSignificant(b, bPoint);
  // More whole digits (leading zeros aside) is the larger number.
  const wholeDigits = aPoint - aFrom;
  if (wholeDigits !== bPoint - bFrom) return wholeDigits - (bPoint - bFrom);
  for (let i = 0; i < wholeDigits; i++) {
    const difference = a.charCodeAt(aFrom + i) - b.charCodeAt(bFrom + i);
    if (difference !== 0) return difference;
  }
  const aFraction = Math.max(0, a.length - aPoint - 1);
  const bFraction = Math.max(0, b.length - bPoint - 1);
  for (let i = 0; i < Math.max(aFraction, bFraction); i++) {
    const difference =
      (i < aFraction ? a.charCodeAt(aPoint + 1 + i) : ZERO_DIGIT) - (i < bFraction ? b.charCodeAt(bPoint + 1 + i) : ZERO_DIGIT);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Index of the decimal point, or the length when there is none. */
function pointOf(value: string): number {
  const point = value.indexOf('.');
  return point < 0 ? value.length : point;
}

/** Index of the first whole digit that counts: leading zeros are skipped, but one digit always stays ("0.5"). */
function firstSignificant(value: string, point: number): number {
  let at = 0;
  while (at < point - 1 && value.charCodeAt(at) === ZERO_DIGIT) at++;
  return at;
}
