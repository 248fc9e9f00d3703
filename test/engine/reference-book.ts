/**
 * A naive reference matching engine: arrays of plain order objects, sorted on every use, every
 * rule written the obvious way. It implements the semantics documented in
 * server/engine/types.ts and codes.ts independently of the fast engine, and produces the same
 * event stream and the same canonical snapshot. The property tests feed both the same random
 * command streams and require identical output: the differential oracle.
 *
 * `lifoWithinLevel` makes it deliberately wrong (newest first within a level), to prove the
 * harness catches a broken book.
 */
import type {
  Command,
  EngineEvent,
  EngineLimits,
  MassQuoteCommand,
  NewOrderCommand,
  QuoteEntry,
  RejectCode,
  SelfTradeMode,
  Side,
} from '../../server/engine/index.js';
import { DEFAULT_LIMITS, REJECT_CODES } from '../../server/engine/index.js';
import { type RefNote, type RefOrder, ReferenceState, type Taker } from './reference-state.js';

const TIFS = ['GTC', 'DAY', 'IOC', 'FOK', 'GTD'];
const STPS = ['cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement_and_cancel'];

export class ReferenceBook extends ReferenceState {
  constructor(options: { limits?: Partial<EngineLimits>; lifoWithinLevel?: boolean } = {}) {
    super({ ...DEFAULT_LIMITS, ...options.limits }, options.lifoWithinLevel === true);
  }

  apply(command: Command): EngineEvent[] {
    if (!(Number.isSafeInteger(command.seq) && command.seq > this.lastSeq)) throw new Error('seq must rise');
    this.lastSeq = command.seq;
    this.seq = command.seq;
    this.events = [];
    switch (command.kind) {
      case 'register_note':
        this.register(command);
        break;
      case 'new_order':
        this.newOrder(command);
        break;
      case 'cancel':
        this.cancel(command.noteId, command.orderId, command.partyId);
        break;
      case 'cancel_replace':
        this.replace(command);
        break;
      case 'mass_quote':
        this.massQuote(command);
        break;
      case 'mass_cancel':
        this.massCancel(command.partyId, command.noteId);
        break;
      case 'halt':
      case 'resume':
        this.halt(command.kind, command.noteId);
        break;
      case 'expire':
        this.expire(command.timestamp, command.dayOrders);
        break;
      default:
        this.reject('unknown', 'INVALID_COMMAND', null, null);
    }
    return this.events;
  }

  // ---- commands ----

  private register(c: Extract<Command, { kind: 'register_note' }>): void {
    const ok =
      this.isId(c.noteId) &&
      Number.isInteger(c.minQuantityUnits) &&
      c.minQuantityUnits >= 1 &&
      c.minQuantityUnits <= this.limits.quantityUnitsMax &&
      Number.isInteger(c.minPriceTicks) &&
      Number.isInteger(c.maxPriceTicks) &&
      c.minPriceTicks >= -(2 ** 31) &&
      c.maxPriceTicks <= 2 ** 31 - 1 &&
      c.minPriceTicks <= c.maxPriceTicks &&
      c.maxPriceTicks - c.minPriceTicks + 1 <= this.limits.bandTicksMax;
    const noteId = typeof c.noteId === 'string' ? c.noteId : null;
    if (!ok) return this.reject('register_note', 'INVALID_COMMAND', noteId, null);
    if (this.note(c.noteId)) return this.reject('register_note', 'NOTE_ALREADY_REGISTERED', noteId, null);
    if (this.notes.length >= this.limits.notesMax) return this.reject('register_note', 'LIMIT_EXCEEDED', noteId, null);
    this.notes.push({
      id: c.noteId,
      minQuantity: c.minQuantityUnits,
      minPrice: c.minPriceTicks,
      maxPrice: c.maxPriceTicks,
      halted: false,
      quotes: new Map(),
    });
    this.accept('register_note', c.noteId, null);
  }

  private newOrder(c: NewOrderCommand): void {
    const market = c.type === 'market';
    const postOnly = c.postOnly === true;
    const tif = c.timeInForce;
    const malformed =
      !this.isId(c.noteId) ||
      !this.isId(c.orderId) ||
      !this.isId(c.partyId) ||
      !['buy', 'sell'].includes(c.side) ||
      !['limit', 'market'].includes(c.type) ||
      !TIFS.includes(tif) ||
      (c.selfTrade !== undefined && !STPS.includes(c.selfTrade)) ||
      (c.postOnly !== undefined && typeof c.postOnly !== 'boolean') ||
      (market && (postOnly || (tif !== 'IOC' && tif !== 'FOK'))) ||
      (postOnly && (tif === 'IOC' || tif === 'FOK')) ||
      (tif === 'GTD' && !(Number.isSafeInteger(c.expireAt) && Number.isSafeInteger(c.timestamp) && (c.expireAt as number) > c.timestamp));
    const noteId = typeof c.noteId === 'string' ? c.noteId : null;
    const orderId = typeof c.orderId === 'string' ? c.orderId : null;
    const no = (code: RejectCode): void => this.reject('new_order', code, noteId, orderId);
    if (malformed) return no('INVALID_COMMAND');
    const note = this.note(c.noteId);
    if (!note) return no('UNKNOWN_NOTE');
    if (note.halted) return no('NOTE_HALTED');
    const fieldCode = this.fieldCode(note, c.quantityUnits, market ? null : c.priceTicks, false);
    if (fieldCode) return no(fieldCode);
    if (this.find(c.orderId)) return no('DUPLICATE_ORDER_ID');
    if (this.live.filter((o) => o.party === c.partyId).length >= this.limits.ordersOpenPerPartyMax) {
      return no('LIMIT_EXCEEDED');
    }
    const taker: Taker = {
      id: c.orderId,
      party: c.partyId,
      side: c.side,
      limit: market ? null : c.priceTicks,
      stp: c.selfTrade ?? 'cancel_newest',
      leaves: c.quantityUnits,
      filled: 0,
      cancelled: 0,
      stopped: false,
    };
    if (postOnly && this.crossing(note, taker).length > 0) return no('POST_ONLY_WOULD_TAKE');
    if (tif === 'FOK' && !this.fokFillable(note, taker)) return no('FOK_NOT_FILLABLE');
    this.accept('new_order', c.noteId, c.orderId);
    const orderNo = this.nextOrderNo++;
    this.match(note, taker);
    if (taker.leaves === 0) return;
    if (market || tif === 'IOC') {
      this.cancelledEvent(note.id, taker.id, taker.party, market ? 'market_remainder' : 'ioc_remainder', taker.leaves, 0);
      return;
    }
    this.rest(note, {
      id: c.orderId,
      noteId: note.id,
      party: c.partyId,
      side: c.side,
      price: c.priceTicks,
      quantity: c.quantityUnits,
      filled: taker.filled,
      leaves: taker.leaves,
      cancelled: taker.cancelled,
      tif,
      expireAt: tif === 'GTD' ? c.expireAt! : 0,
      postOnly,
      stp: taker.stp,
      isQuote: false,
      orderNo,
      priority: 0,
    });
  }

  private cancel(noteId: string, orderId: string, partyId: string): void {
    const no = (code: RejectCode): void =>
      this.reject('cancel', code, typeof noteId === 'string' ? noteId : null, typeof orderId === 'string' ? orderId : null);
    if (!this.isId(noteId) || !this.isId(orderId) || !this.isId(partyId)) return no('INVALID_COMMAND');
    const note = this.note(noteId);
    if (!note) return no('UNKNOWN_NOTE');
    const order = this.find(orderId);
    if (!order || order.noteId !== noteId) return no('UNKNOWN_ORDER');
    if (order.party !== partyId) return no('NOT_ORDER_OWNER');
    this.accept('cancel', noteId, orderId);
    this.removeResting(order, 'cancelled', 'cancel_requested');
  }

  private replace(c: Extract<Command, { kind: 'cancel_replace' }>): void {
    const no = (code: RejectCode): void =>
      this.reject('cancel_replace', code, typeof c.noteId === 'string' ? c.noteId : null, typeof c.orderId === 'string' ? c.orderId : null);
    if (!this.isId(c.noteId) || !this.isId(c.orderId) || !this.isId(c.partyId)) return no('INVALID_COMMAND');
    const note = this.note(c.noteId);
    if (!note) return no('UNKNOWN_NOTE');
    if (note.halted) return no('NOTE_HALTED');
    const fieldCode = this.fieldCode(note, c.quantityUnits, c.priceTicks, false);
    if (fieldCode) return no(fieldCode);
    const order = this.find(c.orderId);
    if (!order || order.noteId !== c.noteId) return no('UNKNOWN_ORDER');
    if (order.party !== c.partyId) return no('NOT_ORDER_OWNER');
    if (c.quantityUnits <= order.filled + order.cancelled) return no('QUANTITY_BELOW_FILLED');
    const asTaker = (): Taker => ({
      id: order.id,
      party: order.party,
      side: order.side,
      limit: c.priceTicks,
      stp: order.stp,
      leaves: 0,
      filled: 0,
      cancelled: 0,
      stopped: false,
    });
    if (order.postOnly && this.crossing(note, asTaker()).length > 0) return no('POST_ONLY_WOULD_TAKE');
    this.accept('cancel_replace', c.noteId, c.orderId);
    const newLeaves = c.quantityUnits - order.filled - order.cancelled;
    if (c.priceTicks === order.price && c.quantityUnits <= order.quantity) {
      const cut = order.leaves - newLeaves;
      order.leaves = newLeaves;
      order.quantity = c.quantityUnits;
      this.events.push({
        type: 'replaced',
        seq: this.seq,
        noteId: note.id,
        orderId: order.id,
        priceTicks: order.price,
        quantityUnits: order.quantity,
        leavesUnits: newLeaves,
        priorityKept: true,
      });
      if (cut > 0) this.bookChange(note, order.side, order.price);
      return;
    }
    this.events.push({
      type: 'replaced',
      seq: this.seq,
      noteId: note.id,
      orderId: order.id,
      priceTicks: c.priceTicks,
      quantityUnits: c.quantityUnits,
      leavesUnits: newLeaves,
      priorityKept: false,
    });
    this.live = this.live.filter((o) => o !== order);
    this.bookChange(note, order.side, order.price);
    order.price = c.priceTicks;
    order.quantity = c.quantityUnits;
    const taker = { ...asTaker(), leaves: newLeaves, filled: order.filled, cancelled: order.cancelled };
    this.match(note, taker);
    order.leaves = taker.leaves;
    order.filled = taker.filled;
    order.cancelled = taker.cancelled;
    if (order.leaves > 0) this.rest(note, order);
  }

  private massQuote(c: MassQuoteCommand): void {
    const failure = this.quoteFailure(c);
    if (failure) return this.reject('mass_quote', failure.code, failure.noteId, null);
    this.accept('mass_quote', null, null);
    const stp = c.selfTrade ?? 'cancel_newest';
    for (const entry of c.entries) {
      const note = this.note(entry.noteId)!;
      const old = note.quotes.get(c.partyId);
      for (const side of [old?.bid, old?.ask]) {
        if (side && this.live.includes(side)) this.removeResting(side, 'cancelled', 'quote_replaced');
      }
      const bid = entry.bidUnits > 0;
      const ask = entry.askUnits > 0;
      this.events.push({
        type: 'quote_replaced',
        seq: this.seq,
        noteId: note.id,
        partyId: c.partyId,
        bidOrderId: bid ? entry.bidOrderId : null,
        bidPriceTicks: bid ? entry.bidPriceTicks : 0,
        bidUnits: bid ? entry.bidUnits : 0,
        askOrderId: ask ? entry.askOrderId : null,
        askPriceTicks: ask ? entry.askPriceTicks : 0,
        askUnits: ask ? entry.askUnits : 0,
      });
      const record = {
        bid: bid ? this.quoteSide(note, c.partyId, 'buy', entry.bidOrderId, entry.bidPriceTicks, entry.bidUnits, stp) : null,
        ask: ask ? this.quoteSide(note, c.partyId, 'sell', entry.askOrderId, entry.askPriceTicks, entry.askUnits, stp) : null,
      };
      note.quotes.delete(c.partyId);
      if (record.bid || record.ask) note.quotes.set(c.partyId, record);
    }
  }

  private quoteSide(
    note: RefNote,
    party: string,
    side: Side,
    id: string,
    price: number,
    units: number,
    stp: SelfTradeMode,
  ): RefOrder | null {
    const orderNo = this.nextOrderNo++;
    const taker: Taker = { id, party, side, limit: price, stp, leaves: units, filled: 0, cancelled: 0, stopped: false };
    this.match(note, taker);
    if (taker.leaves === 0) return null;
    const order: RefOrder = {
      id,
      noteId: note.id,
      party,
      side,
      price,
      quantity: units,
      filled: taker.filled,
      leaves: taker.leaves,
      cancelled: taker.cancelled,
      tif: 'GTC',
      expireAt: 0,
      postOnly: false,
      stp,
      isQuote: true,
      orderNo,
      priority: 0,
    };
    this.rest(note, order);
    return order;
  }

  private quoteFailure(c: MassQuoteCommand): { code: RejectCode; noteId: string | null } | null {
    const invalid = { code: 'INVALID_COMMAND' as RejectCode, noteId: null };
    if (
      !this.isId(c.partyId) ||
      (c.selfTrade !== undefined && !STPS.includes(c.selfTrade)) ||
      !Array.isArray(c.entries) ||
      c.entries.length === 0
    )
      return invalid;
    const notes = new Set<string>();
    const ids = new Set<string>();
    for (const e of c.entries) {
      if (
        typeof e !== 'object' ||
        e === null ||
        !this.isId(e.noteId) ||
        typeof e.bidOrderId !== 'string' ||
        typeof e.askOrderId !== 'string' ||
        notes.has(e.noteId)
      )
        return invalid;
      notes.add(e.noteId);
      for (const [units, id] of [
        [e.bidUnits, e.bidOrderId],
        [e.askUnits, e.askOrderId],
      ] as const) {
        if (units === 0) continue;
        if (!this.isId(id) || ids.has(id)) return invalid;
        ids.add(id);
      }
    }
    let best: { code: RejectCode; noteId: string | null } | null = null;
    for (const e of c.entries) {
      const code = this.entryCode(e);
      if (code && (!best || REJECT_CODES.indexOf(code) < REJECT_CODES.indexOf(best.code))) best = { code, noteId: e.noteId };
    }
    if (best) return best;
    if (c.entries.length > this.limits.massQuoteEntriesMax) return { code: 'LIMIT_EXCEEDED', noteId: null };
    let open = this.live.filter((o) => o.party === c.partyId).length;
    for (const e of c.entries) {
      const old = this.note(e.noteId)!.quotes.get(c.partyId);
      for (const side of [old?.bid, old?.ask]) if (side && this.live.includes(side)) open--;
      open += (e.bidUnits > 0 ? 1 : 0) + (e.askUnits > 0 ? 1 : 0);
    }
    return open > this.limits.ordersOpenPerPartyMax ? { code: 'LIMIT_EXCEEDED', noteId: null } : null;
  }

  private entryCode(e: QuoteEntry): RejectCode | null {
    const note = this.note(e.noteId);
    if (!note) return 'UNKNOWN_NOTE';
    if (note.halted) return 'NOTE_HALTED';
    const codes = [this.fieldCode(note, e.bidUnits, e.bidPriceTicks, true), this.fieldCode(note, e.askUnits, e.askPriceTicks, true)].filter(
      (x): x is RejectCode => x !== null,
    );
    if (codes.length > 0) return codes.sort((a, b) => REJECT_CODES.indexOf(a) - REJECT_CODES.indexOf(b))[0]!;
    if (e.bidUnits > 0 && e.askUnits > 0 && e.bidPriceTicks >= e.askPriceTicks) return 'QUOTE_CROSSED';
    if ((e.bidUnits > 0 && this.find(e.bidOrderId)) || (e.askUnits > 0 && this.find(e.askOrderId))) {
      return 'DUPLICATE_ORDER_ID';
    }
    return null;
  }

  private massCancel(partyId: string | undefined, noteId: string | undefined): void {
    const noteIdOrNull = typeof noteId === 'string' ? noteId : null;
    if (
      (partyId === undefined && noteId === undefined) ||
      (partyId !== undefined && !this.isId(partyId)) ||
      (noteId !== undefined && !this.isId(noteId))
    ) {
      return this.reject('mass_cancel', 'INVALID_COMMAND', noteIdOrNull, null);
    }
    if (noteId !== undefined && !this.note(noteId)) return this.reject('mass_cancel', 'UNKNOWN_NOTE', noteId, null);
    this.accept('mass_cancel', noteIdOrNull, null);
    let victims: RefOrder[];
    if (partyId !== undefined) {
      victims = this.live
        .filter((o) => o.party === partyId && (noteId === undefined || o.noteId === noteId))
        .sort((a, b) => a.orderNo - b.orderNo);
    } else {
      victims = [...this.sorted(noteId!, 'buy'), ...this.sorted(noteId!, 'sell')];
    }
    for (const order of victims) this.removeResting(order, 'cancelled', 'mass_cancel');
  }

  private halt(kind: 'halt' | 'resume', noteId: string): void {
    if (!this.isId(noteId)) return this.reject(kind, 'INVALID_COMMAND', typeof noteId === 'string' ? noteId : null, null);
    const note = this.note(noteId);
    if (!note) return this.reject(kind, 'UNKNOWN_NOTE', noteId, null);
    note.halted = kind === 'halt';
    this.accept(kind, noteId, null);
  }

  private expire(now: number, dayOrders: boolean | undefined): void {
    if (!Number.isSafeInteger(now) || (dayOrders !== undefined && typeof dayOrders !== 'boolean')) {
      return this.reject('expire', 'INVALID_COMMAND', null, null);
    }
    this.accept('expire', null, null);
    const gtd = this.live
      .filter((o) => o.tif === 'GTD' && o.expireAt <= now)
      .sort((a, b) => a.expireAt - b.expireAt || a.orderNo - b.orderNo);
    for (const order of gtd) this.removeResting(order, 'expired', null);
    if (dayOrders !== true) return;
    const day = this.live.filter((o) => o.tif === 'DAY').sort((a, b) => a.orderNo - b.orderNo);
    for (const order of day) this.removeResting(order, 'expired', null);
  }

  // ---- matching ----

  /** Resting orders of the other side that the taker's price reaches, in priority order. */
  private crossing(note: RefNote, taker: Taker): RefOrder[] {
    const side = taker.side === 'buy' ? 'sell' : 'buy';
    return this.sorted(note.id, side).filter(
      (o) => taker.limit === null || (taker.side === 'buy' ? o.price <= taker.limit : o.price >= taker.limit),
    );
  }

  private fokFillable(note: RefNote, taker: Taker): boolean {
    let available = 0;
    for (const maker of this.crossing(note, taker)) {
      if (maker.party === taker.party) {
        if (taker.stp !== 'cancel_oldest') return false;
        continue;
      }
      available += maker.leaves;
      if (available >= taker.leaves) return true;
    }
    return false;
  }

  private match(note: RefNote, taker: Taker): void {
    const makers = this.crossing(note, taker);
    const prices = [...new Set(makers.map((m) => m.price))];
    for (const price of prices) {
      if (taker.leaves === 0 || taker.stopped) break;
      let changed = false;
      for (const maker of makers.filter((m) => m.price === price)) {
        if (taker.leaves === 0 || taker.stopped) break;
        if (maker.party !== taker.party) {
          const quantity = Math.min(taker.leaves, maker.leaves);
          maker.leaves -= quantity;
          maker.filled += quantity;
          taker.leaves -= quantity;
          taker.filled += quantity;
          changed = true;
          this.events.push({
            type: 'fill',
            seq: this.seq,
            noteId: note.id,
            priceTicks: price,
            quantityUnits: quantity,
            takerSide: taker.side,
            makerOrderId: maker.id,
            makerPartyId: maker.party,
            makerLeavesUnits: maker.leaves,
            takerOrderId: taker.id,
            takerPartyId: taker.party,
            takerLeavesUnits: taker.leaves,
          });
        } else {
          changed = this.selfTrade(note, taker, maker) || changed;
        }
        if (maker.leaves === 0) this.live = this.live.filter((o) => o !== maker);
      }
      if (changed) this.bookChange(note, taker.side === 'buy' ? 'sell' : 'buy', price);
    }
  }

  /** Applies the taker's self-trade mode; returns whether the maker changed. */
  private selfTrade(note: RefNote, taker: Taker, maker: RefOrder): boolean {
    const cancelTaker = (units: number): void => {
      taker.leaves -= units;
      taker.cancelled += units;
      this.cancelledEvent(note.id, taker.id, taker.party, 'self_trade', units, taker.leaves);
    };
    if (taker.stp === 'cancel_newest') {
      cancelTaker(taker.leaves);
      taker.stopped = true;
      return false;
    }
    const cut = taker.stp === 'decrement_and_cancel' ? Math.min(taker.leaves, maker.leaves) : maker.leaves;
    maker.leaves -= cut;
    maker.cancelled += cut;
    this.cancelledEvent(note.id, maker.id, maker.party, 'self_trade', cut, maker.leaves);
    if (taker.stp === 'cancel_both') {
      cancelTaker(taker.leaves);
      taker.stopped = true;
    } else if (taker.stp === 'decrement_and_cancel') {
      cancelTaker(cut);
    }
    return true;
  }
}
