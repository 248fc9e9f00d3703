/**
 * Read-only views for the service and market data: level 2 (price, aggregate size, order count;
 * best level first, any depth), level 3 (the orders themselves, best level first and in queue
 * order within a level), one order's state, and the best prices.
 *
 * Guarantees: views never change the engine and return fresh plain objects.
 */
import type { Core, NoteBook } from './core.js';
import { LAYOUT } from './order-pool.js';
import type { LevelView, OrderView, Side } from './types.js';
import { STP_NAMES, TIF_NAMES } from './validate.js';

const {
  CANCELLED,
  FILLED,
  FLAGS,
  LEAVES,
  NEXT,
  NOTE,
  PARTY,
  PRICE,
  QUANTITY,
  FLAG_POST_ONLY,
  FLAG_QUOTE,
  NIL,
  SIDE_SELL,
  STP_MASK,
  STP_SHIFT,
  TIF_MASK,
  TIF_SHIFT,
} = LAYOUT;

export function level2(core: Core, noteId: string, side: Side, depth: number): LevelView[] | undefined {
  const note = core.noteById.get(noteId);
  if (note === undefined) return undefined;
  const bookSide = side === 'buy' ? note.bids : note.asks;
  const levels: LevelView[] = [];
  for (let offset = bookSide.best; offset !== NIL && levels.length < depth; offset = bookSide.nextWorse(offset)) {
    const level = bookSide.index[offset]!;
    levels.push({
      priceTicks: offset + note.minPriceTicks,
      sizeUnits: core.levels.size[level]!,
      orderCount: core.levels.count(level),
    });
  }
  return levels;
}

export function level3(core: Core, noteId: string, side: Side, depth: number): OrderView[] | undefined {
  const note = core.noteById.get(noteId);
  if (note === undefined) return undefined;
  const bookSide = side === 'buy' ? note.bids : note.asks;
  const orders: OrderView[] = [];
  for (let offset = bookSide.best; offset !== NIL; offset = bookSide.nextWorse(offset)) {
    for (let slot = core.levels.head(bookSide.index[offset]!); slot !== NIL; slot = core.pool.get(slot, NEXT)) {
      if (orders.length >= depth) return orders;
      orders.push(viewOf(core, note, slot));
    }
  }
  return orders;
}

export function orderView(core: Core, orderId: string): OrderView | undefined {
  const slot = core.findOrder(orderId);
  if (slot === NIL) return undefined;
  return viewOf(core, core.notes[core.pool.get(slot, NOTE)]!, slot);
}

export function bestPrice(core: Core, noteId: string, side: Side): number | null {
  const note = core.noteById.get(noteId);
  if (note === undefined) return null;
  const best = side === 'buy' ? note.bids.best : note.asks.best;
  return best === NIL ? null : best + note.minPriceTicks;
}

export function viewOf(core: Core, note: NoteBook, slot: number): OrderView {
  const pool = core.pool;
  const flags = pool.get(slot, FLAGS);
  const filled = pool.get(slot, FILLED);
  return {
    orderId: pool.ids[slot]!,
    noteId: note.noteId,
    partyId: core.parties.ids[pool.get(slot, PARTY)]!,
    side: (flags & SIDE_SELL) === 0 ? 'buy' : 'sell',
    priceTicks: pool.get(slot, PRICE),
    quantityUnits: pool.get(slot, QUANTITY),
    filledUnits: filled,
    leavesUnits: pool.get(slot, LEAVES),
    cancelledUnits: pool.get(slot, CANCELLED),
    status: filled > 0 ? 'partially_filled' : 'new',
    timeInForce: TIF_NAMES[(flags & TIF_MASK) >>> TIF_SHIFT]!,
    expireAt: pool.expireAt[slot]!,
    postOnly: (flags & FLAG_POST_ONLY) !== 0,
    selfTrade: STP_NAMES[(flags & STP_MASK) >>> STP_SHIFT]!,
    isQuote: (flags & FLAG_QUOTE) !== 0,
    orderNo: pool.orderNo(slot),
  };
}
