/**
 * Matching of one taker against the opposite side of a book, in price-time priority, with
 * self-trade prevention; and the dry run that decides whether a fill-or-kill order can fill.
 *
 * The taker is not on the book while it matches. Its state travels in the Core's scratch fields
 * (takerLeaves, takerFilled, takerCancelled, takerStopped) so the hot loop allocates nothing.
 *
 * Guarantees: a fill happens only at the maker's price and only if that price is within the
 * taker's limit; makers are taken from the head of the best level only; every unit that leaves a
 * maker or the taker is reported by a fill or a cancelled event; after matching, the opposite
 * side's best price is worse than the taker's limit, or the taker has no leaves, or it was
 * stopped by self-trade prevention.
 */
import type { Core, NoteBook } from './core.js';
import { LEVEL_LAYOUT } from './price-levels.js';
import { LAYOUT } from './order-pool.js';

const {
  CANCELLED,
  FILLED,
  FLAGS,
  LEAVES,
  NEXT,
  NIL,
  PARTY,
  PARTY_NEXT,
  PARTY_PREV,
  PREV,
  SHIFT,
  STP_CANCEL_BOTH,
  STP_CANCEL_NEWEST,
  STP_CANCEL_OLDEST,
  TIF_GTD,
  TIF_MASK,
  TIF_SHIFT,
} = LAYOUT;
const { LEVEL_HEAD, LEVEL_COUNT } = LEVEL_LAYOUT;

/**
 * Matches the taker whose scratch state is in `core` against the opposite side, up to
 * `limitOffset` (tick offset within the band; pass the band's far end for a market order).
 *
 * This is the engine's hottest loop, so it is written out: a filled maker is forgotten here
 * (core.finish() inlined by hand: party list, index, expiry count, slot) rather than through
 * calls, because V8 inlines only so much bytecode into one function and every call it does not
 * inline costs a frame per fill. A level's aggregate is kept in locals while its makers are
 * taken and written back once, when the taker leaves the level or empties it, with one
 * book_change per level.
 */
export function matchTaker(
  core: Core,
  note: NoteBook,
  takerIsBuy: boolean,
  limitOffset: number,
  takerParty: number,
  stpMode: number,
  takerOrderId: string,
  takerPartyId: string,
  seq: number,
): void {
  const pool = core.pool;
  const data = pool.data;
  const ids = pool.ids;
  const parties = core.parties;
  const partyIds = parties.ids;
  const levels = core.levels;
  const links = levels.links;
  const sizes = levels.size;
  const sink = core.sink;
  const side = takerIsBuy ? note.asks : note.bids;
  const takerSide = takerIsBuy ? 'buy' : 'sell';
  const makerSide = takerIsBuy ? 'sell' : 'buy';
  const noteId = note.noteId;
  let leaves = core.takerLeaves;
  let filled = core.takerFilled;
  let cancelled = core.takerCancelled;
  let stopped = false;
  while (leaves > 0) {
    const offset = side.best;
    if (offset === NIL || (takerIsBuy ? offset > limitOffset : offset < limitOffset)) break;
    const level = side.index[offset]!;
    const price = offset + note.minPriceTicks;
    const levelBase = level << 2;
    let size = sizes[level]!;
    let count = links[levelBase + LEVEL_COUNT]!;
    let changed = false;
    let maker = links[levelBase + LEVEL_HEAD]!;
    while (maker !== NIL) {
      const base = maker << SHIFT;
      const makerLeaves = data[base + LEAVES]!;
      const makerParty = data[base + PARTY]!;
      if (makerParty !== takerParty) {
        const quantity = leaves < makerLeaves ? leaves : makerLeaves;
        const makerLeft = makerLeaves - quantity;
        data[base + LEAVES] = makerLeft;
        data[base + FILLED]! += quantity;
        leaves -= quantity;
        filled += quantity;
        size -= quantity;
        changed = true;
        sink.fill(
          seq,
          noteId,
          price,
          quantity,
          takerSide,
          ids[maker]!,
          partyIds[makerParty]!,
          makerLeft,
          takerOrderId,
          takerPartyId,
          leaves,
        );
        if (makerLeft > 0) break; // the taker is done; the maker stays at the head
        // The maker is filled: forget it (core.finish(), written out).
        const next = data[base + NEXT]!;
        count--;
        const partyPrev = data[base + PARTY_PREV]!;
        const partyNext = data[base + PARTY_NEXT]!;
        if (partyPrev === NIL) parties.head[makerParty] = partyNext;
        else data[(partyPrev << SHIFT) + PARTY_NEXT] = partyNext;
        if (partyNext === NIL) parties.tail[makerParty] = partyPrev;
        else data[(partyNext << SHIFT) + PARTY_PREV] = partyPrev;
        parties.open[makerParty]!--;
        core.orders.remove(maker);
        if ((data[base + FLAGS]! & TIF_MASK) === TIF_GTD << TIF_SHIFT) core.expiry.finished(pool);
        pool.release(maker);
        maker = next;
        if (leaves === 0) break;
        continue;
      }
      // Self-trade: the taker's mode decides.
      if (stpMode === STP_CANCEL_NEWEST) {
        cancelled += leaves;
        sink.cancelled(seq, noteId, takerOrderId, takerPartyId, 'self_trade', leaves, 0);
        leaves = 0;
        stopped = true;
        break;
      }
      const cut = stpMode === STP_CANCEL_OLDEST || stpMode === STP_CANCEL_BOTH ? makerLeaves : leaves < makerLeaves ? leaves : makerLeaves;
      data[base + LEAVES] = makerLeaves - cut;
      data[base + CANCELLED]! += cut;
      size -= cut;
      changed = true;
      sink.cancelled(seq, noteId, ids[maker]!, partyIds[makerParty]!, 'self_trade', cut, makerLeaves - cut);
      if (stpMode === STP_CANCEL_BOTH) {
        cancelled += leaves;
        sink.cancelled(seq, noteId, takerOrderId, takerPartyId, 'self_trade', leaves, 0);
        leaves = 0;
        stopped = true;
      } else if (stpMode !== STP_CANCEL_OLDEST) {
        // decrement and cancel
        leaves -= cut;
        cancelled += cut;
        sink.cancelled(seq, noteId, takerOrderId, takerPartyId, 'self_trade', cut, leaves);
      }
      if (cut < makerLeaves) break; // decrement left the maker with leaves, so the taker has none
      const next = data[base + NEXT]!;
      count--;
      core.finish(maker);
      maker = next;
      if (leaves === 0) break;
    }
    // Write the level back: makers were only ever taken from its head.
    if (count === 0) {
      links[levelBase + LEVEL_COUNT] = 0;
      side.closeLevel(offset, level, levels);
    } else {
      links[levelBase + LEVEL_HEAD] = maker;
      data[(maker << SHIFT) + PREV] = NIL;
      links[levelBase + LEVEL_COUNT] = count;
      sizes[level] = size;
    }
    if (changed) sink.bookChange(seq, noteId, makerSide, price, size, count);
    if (stopped) break;
  }
  core.takerLeaves = leaves;
  core.takerFilled = filled;
  core.takerCancelled = cancelled;
  core.takerStopped = stopped;
}

/**
 * Whether a fill-or-kill taker of `wanted` units can fill entirely right now. Counts other
 * parties' leaves in priority order up to the limit; an order of the taker's own party ends the
 * count (self-trade prevention would stop or shrink the taker there), except in cancel_oldest
 * mode, where it is skipped (it would be cancelled and the taker would go on).
 */
export function canFillEntirely(
  core: Core,
  note: NoteBook,
  takerIsBuy: boolean,
  limitOffset: number,
  takerParty: number,
  stpMode: number,
  wanted: number,
): boolean {
  const data = core.pool.data;
  const side = takerIsBuy ? note.asks : note.bids;
  let available = 0;
  let offset = side.best;
  while (offset !== NIL && (takerIsBuy ? offset <= limitOffset : offset >= limitOffset)) {
    let order = core.levels.head(side.index[offset]!);
    while (order !== NIL) {
      const base = order << SHIFT;
      if (data[base + PARTY] === takerParty) {
        if (stpMode !== STP_CANCEL_OLDEST) return false;
      } else {
        available += data[base + LEAVES]!;
        if (available >= wanted) return true;
      }
      order = data[base + NEXT]!;
    }
    offset = side.nextWorse(offset);
  }
  return false;
}
