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

/** Compares two non-negative decimal strings exactly: negative, zero or positive. */
export function compareDecimals(a: string, b: string): number {
  const [aWhole = '', aFraction = ''] = a.split('.');
  const [bWhole = '', bFraction = ''] = b.split('.');
  const aInt = aWhole.replace(/^0+(?=\d)/, '');
  const bInt = bWhole.replace(/^0+(?=\d)/, '');
  if (aInt.length !== bInt.length) return aInt.length - bInt.length;
  if (aInt !== bInt) return aInt < bInt ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const aFrac = aFraction.padEnd(width, '0');
  const bFrac = bFraction.padEnd(width, '0');
  return aFrac === bFrac ? 0 : aFrac < bFrac ? -1 : 1;
}
