/**
 * The level-2 book of one note at one depth (`book:<noteId>`): the best `depth` levels of each
 * side as `{price, quantity, orders}`, the same shape as the REST book.
 *
 * How updates are built: at the end of each committed batch whose engine events changed the note
 * (book_change), the touched sides' best `depth` levels are read from the engine — the state is
 * then exactly what was committed — and compared with the levels last seen; every level that
 * changed, appeared, or left the window is recorded. An update carries those levels (a level with
 * quantity "0" and orders 0 is gone); applying updates in seq order to the snapshot gives exactly
 * the server's best `depth` levels, including levels that move into the window from below.
 * Changes of several batches between two fan-out cycles merge into one update (latest value wins).
 *
 * Never: read the engine outside a commit boundary (the hub calls load and refresh only there).
 */
import type { LevelView, MatchingEngine, Side } from '../../engine/index.js';
import type { Instrument } from '../../refdata/instrument.js';
import { Feed } from '../feed.js';

export interface WireLevel {
  price: string;
  quantity: string;
  orders: number;
}

/** Ticks and units to the wire's decimal strings, with the note's prices cached. */
export class LevelFormat {
  private static readonly PRICES_CACHED_MAX = 20_000;
  private readonly prices = new Map<number, string>();

  constructor(private readonly instrument: Instrument) {}

  level(level: LevelView): WireLevel {
    return {
      price: this.price(level.priceTicks),
      quantity: this.instrument.unitsToFace(level.sizeUnits).toFixed(),
      orders: level.orderCount,
    };
  }

  price(ticks: number): string {
    let price = this.prices.get(ticks);
    if (price === undefined) {
      if (this.prices.size >= LevelFormat.PRICES_CACHED_MAX) this.prices.clear();
      price = this.instrument.ticksToPrice(ticks).toFixed();
      this.prices.set(ticks, price);
    }
    return price;
  }
}

export class BookFeed extends Feed {
  readonly conflatable = true;
  private bids: LevelView[] = [];
  private asks: LevelView[] = [];
  private readonly changedBids = new Map<number, LevelView>();
  private readonly changedAsks = new Map<number, LevelView>();

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    readonly noteId: string,
    readonly depth: number,
    private readonly format: LevelFormat,
  ) {
    super(key, channel, markDirty);
  }

  /** Initial levels; call at a commit boundary. */
  load(engine: MatchingEngine): void {
    this.bids = engine.level2(this.noteId, 'buy', this.depth) ?? [];
    this.asks = engine.level2(this.noteId, 'sell', this.depth) ?? [];
    this.becomeReady();
  }

  /** The batch changed these sides of the note; call at a commit boundary. */
  refresh(engine: MatchingEngine, buy: boolean, sell: boolean): void {
    if (!this.ready) return;
    let changed = false;
    if (buy) {
      const levels = engine.level2(this.noteId, 'buy', this.depth) ?? [];
      changed = diff(this.bids, levels, this.changedBids) || changed;
      this.bids = levels;
    }
    if (sell) {
      const levels = engine.level2(this.noteId, 'sell', this.depth) ?? [];
      changed = diff(this.asks, levels, this.changedAsks) || changed;
      this.asks = levels;
    }
    if (changed) this.changed();
  }

  takeUpdate(): unknown {
    if (this.changedBids.size === 0 && this.changedAsks.size === 0) return null;
    const update = { noteId: this.noteId, bids: this.wire(this.changedBids, 'buy'), asks: this.wire(this.changedAsks, 'sell') };
    this.changedBids.clear();
    this.changedAsks.clear();
    return update;
  }

  snapshotData(): unknown {
    return {
      noteId: this.noteId,
      depth: this.depth,
      bids: this.bids.map((l) => this.format.level(l)),
      asks: this.asks.map((l) => this.format.level(l)),
    };
  }

  private wire(changes: Map<number, LevelView>, side: Side): WireLevel[] {
    const levels = [...changes.values()].sort((a, b) => (side === 'buy' ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks));
    return levels.map((l) => this.format.level(l));
  }
}

/** Records in `changes` every level of `next` that differs from `previous`, and every level that left. */
function diff(previous: readonly LevelView[], next: readonly LevelView[], changes: Map<number, LevelView>): boolean {
  const before = new Map<number, LevelView>();
  for (const level of previous) before.set(level.priceTicks, level);
  let changed = false;
  for (const level of next) {
    const old = before.get(level.priceTicks);
    before.delete(level.priceTicks);
    if (old && old.sizeUnits === level.sizeUnits && old.orderCount === level.orderCount) continue;
    changes.set(level.priceTicks, level);
    changed = true;
  }
  for (const gone of before.values()) {
    changes.set(gone.priceTicks, { priceTicks: gone.priceTicks, sizeUnits: 0, orderCount: 0 });
    changed = true;
  }
  return changed;
}
