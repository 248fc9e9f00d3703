/**
 * Dealers' quotes on one note (`quotes:<noteId>`): each dealer's current two-sided quote with the
 * size still live on each side, and the best bid and ask among them. Snapshot and update carry
 * the same complete shape (a note has a handful of dealers), so an update simply replaces.
 *
 * How updates are built: at the end of a committed batch that replaced a quote on the note
 * (quote_replaced) or touched a quote order there (fill, cancel), the note's quotes are read from
 * the sequencer's committed state; an update is emitted only if they differ from the last ones.
 * Never: read the state outside a commit boundary (the hub calls load and refresh only there).
 */
import { Decimal } from '../../domain/decimal.js';
import type { TradingState } from '../../sequencer/state.js';
import { Feed } from '../feed.js';

export interface DealerQuote {
  dealerPartyId: string;
  bidPrice: string | null;
  bidSize: string;
  askPrice: string | null;
  askSize: string;
  /** On a side entered as a spread (bp over the benchmark): its price floats with the curve. Absent on a typed price. */
  bidSpreadBp?: string;
  askSpreadBp?: string;
}

export interface BestQuote {
  price: string;
  size: string;
  dealerPartyIds: string[];
}

export interface NoteQuotes {
  noteId: string;
  quotes: DealerQuote[];
  bestBid: BestQuote | null;
  bestAsk: BestQuote | null;
}

export class QuotesFeed extends Feed {
  readonly conflatable = true;
  private current: NoteQuotes;
  private currentJson = '';
  private pending = false;

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    readonly noteId: string,
  ) {
    super(key, channel, markDirty);
    this.current = { noteId, quotes: [], bestBid: null, bestAsk: null };
  }

  load(state: TradingState): void {
    this.current = noteQuotes(state, this.noteId);
    this.currentJson = JSON.stringify(this.current);
    this.becomeReady();
  }

  refresh(state: TradingState): void {
    if (!this.ready) return;
    const next = noteQuotes(state, this.noteId);
    const json = JSON.stringify(next);
    if (json === this.currentJson) return;
    this.current = next;
    this.currentJson = json;
    this.pending = true;
    this.changed();
  }

  takeUpdate(): unknown {
    if (!this.pending) return null;
    this.pending = false;
    return this.current;
  }

  snapshotData(): unknown {
    return this.current;
  }
}

/** The note's dealer quotes as the committed state has them, dealers in id order. */
export function noteQuotes(state: TradingState, noteId: string): NoteQuotes {
  const quotes: DealerQuote[] = [];
  const bids: { partyId: string; price: Decimal; size: Decimal }[] = [];
  const asks: { partyId: string; price: Decimal; size: Decimal }[] = [];
  for (const [partyId, byNote] of state.quotes) {
    const ids = byNote.get(noteId);
    const bid = ids?.bid ? state.liveOrders.get(ids.bid) : undefined;
    const ask = ids?.ask ? state.liveOrders.get(ids.ask) : undefined;
    if (!bid?.price && !ask?.price) continue;
    if (bid?.price) bids.push({ partyId, price: bid.price, size: bid.leaves });
    if (ask?.price) asks.push({ partyId, price: ask.price, size: ask.leaves });
    quotes.push({
      dealerPartyId: partyId,
      bidPrice: bid?.price?.toFixed() ?? null,
      bidSize: bid?.price ? bid.leaves.toFixed() : '0',
      askPrice: ask?.price?.toFixed() ?? null,
      askSize: ask?.price ? ask.leaves.toFixed() : '0',
      ...(bid?.price && bid.spreadBp !== null ? { bidSpreadBp: bid.spreadBp.toFixed() } : {}),
      ...(ask?.price && ask.spreadBp !== null ? { askSpreadBp: ask.spreadBp.toFixed() } : {}),
    });
  }
  quotes.sort((a, b) => (a.dealerPartyId < b.dealerPartyId ? -1 : a.dealerPartyId > b.dealerPartyId ? 1 : 0));
  return { noteId, quotes, bestBid: best(bids, (a, b) => a.gt(b)), bestAsk: best(asks, (a, b) => a.lt(b)) };
}

function best(
  sides: readonly { partyId: string; price: Decimal; size: Decimal }[],
  better: (a: Decimal, b: Decimal) => boolean,
): BestQuote | null {
  let price: Decimal | null = null;
  for (const side of sides) if (price === null || better(side.price, price)) price = side.price;
  if (price === null) return null;
  const at = sides.filter((side) => side.price.eq(price));
  return {
    price: price.toFixed(),
    size: at.reduce((sum, side) => sum.plus(side.size), new Decimal(0)).toFixed(),
    dealerPartyIds: at.map((side) => side.partyId).sort(),
  };
}
