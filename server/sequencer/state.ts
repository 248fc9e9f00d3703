/**
 * Everything the sequencer owns in memory: the engine with its books, the notes as instruments,
 * the available-balance view with its holds, the live orders and each dealer's current quotes,
 * and the risk counters. Commands of the current batch change it and record what changed in the
 * batch; if a batch fails to commit, the whole state is rebuilt from the database.
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '../domain/decimal.js';
import { EventLog, MatchingEngine, type Command, type EngineEvent } from '../engine/index.js';
import type { Instrument } from '../refdata/instrument.js';
import { AccountBook } from './accounts.js';
import type { Batch } from './batch.js';
import type { OrderRecord, TradeRecord } from './records.js';

export interface RiskLimits {
  orderFaceMax: Decimal;
  openOrdersMax: number;
  dailyNotionalMax: Decimal;
}

export const DEFAULT_RISK_LIMITS: RiskLimits = {
  orderFaceMax: new Decimal(50_000_000),
  openOrdersMax: 2_000,
  dailyNotionalMax: new Decimal(1_000_000_000),
};

/**
 * The order of trades that the price band's "most recent trade" follows, the same in memory and in
 * the database: by sequence number; an RFQ trade carries the sequence number of the last command
 * before it, so among equal numbers the RFQ trades come after the CLOB trades; CLOB trades of one
 * command by their number (T<seq>-<n>); then by trade id (two RFQ accepts of the same instant are
 * ordered by id, not by arrival, so that recovery agrees).
 */
export type LastTradeOrder = readonly [seq: number, rfq: number, tradeNo: number, id: string];

export function lastTradeOrder(trade: { seq: number; venue: string; id: string }): LastTradeOrder {
  const tradeNo = trade.venue === 'rfq' ? 0 : Number(trade.id.slice(trade.id.indexOf('-') + 1));
  return [trade.seq, trade.venue === 'rfq' ? 1 : 0, tradeNo, trade.id];
}

export function compareLastTradeOrder(a: LastTradeOrder, b: LastTradeOrder): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/**
 * Where one command started: the sizes of what commands append to, and the values they replace.
 * Maps and sets keep insertion order, so what a command added is what lies beyond the mark.
 */
export interface Savepoint {
  journal: number;
  events: number;
  trades: number;
  entries: number;
  alsoWrite: number;
  batchOrders: number;
  noteStatus: number;
  clOrdIds: number;
  cashKeys: number;
  acceptedRfqs: number;
  liveOrders: number;
  eligibleParties: number;
  businessDate: string;
  dayGuardsStale: boolean;
}

/** Deletes the keys a map or set gained after it had `size` of them (newest are last). */
function dropAddedKeys(
  collection: Map<string, unknown> | Set<string>,
  size: number,
  remove: (key: string) => void = (key) => void collection.delete(key),
): void {
  if (collection.size <= size) return;
  const added = [...collection.keys()].slice(size);
  for (const key of added) remove(key);
}

export class TradingState {
  readonly log = new EventLog();
  engine: MatchingEngine;
  readonly instruments = new Map<string, Instrument>();
  readonly accounts = new AccountBook();
  readonly liveOrders = new Map<string, OrderRecord>();
  /** dealer party → note → its live quote order ids. */
  readonly quotes = new Map<string, Map<string, { bid: string | null; ask: string | null }>>();
  readonly openOrderCount = new Map<string, number>();
  /** party → notional of orders accepted on `notionalDate`. */
  readonly dailyNotional = new Map<string, Decimal>();
  notionalDate = '';
  readonly eligibleParties = new Set<string>();
  /** party + clOrdId of every order entered today (see startBusinessDay), to catch a retry racing its original. */
  readonly clOrdIds = new Map<string, { orderId: string; requestHash: string }>();
  private dayGuardsStale = false;
  /** RFQs traded today: a second accept racing the first is refused before it commits. */
  readonly acceptedRfqs = new Set<string>();
  /** Ledger idempotency keys of cash movements entered today, for the same reason. */
  readonly cashKeys = new Map<string, string>();
  /**
   * note → its most recent trade (any day): the price band's reference. Kept as trades are
   * recorded, rebuilt from the trades table at recovery (lastTradeOrder is the order both use).
   */
  readonly lastTrade = new Map<string, { order: LastTradeOrder; price: Decimal }>();
  lastSeq = 0;
  /** The trading day trades are dated with: loaded at recovery, moved by the end-of-day roll. */
  businessDate = '';
  limits: RiskLimits = DEFAULT_RISK_LIMITS;

  /** Set for the duration of one batch. */
  batch: Batch | null = null;
  now = new Date(0);
  private tradesInCommand = 0;

  constructor() {
    this.engine = new MatchingEngine({ sink: this.log });
  }

  currentBatch(): Batch {
    if (!this.batch) throw new Error('no batch is open');
    return this.batch;
  }

  newOrderId(): string {
    return randomUUID();
  }

  nextSeq(): number {
    this.lastSeq += 1;
    this.tradesInCommand = 0;
    return this.lastSeq;
  }

  nextTradeId(seq: number): string {
    this.tradesInCommand += 1;
    return `T${seq}-${this.tradesInCommand}`;
  }

  /** Applies one command to the engine; journals it when the engine accepted it. */
  applyToEngine(command: Command): EngineEvent[] {
    this.engine.apply(command);
    const events = this.log.take();
    const first = events[0];
    if (first?.type === 'accepted') this.currentBatch().journal.push(command);
    this.currentBatch().events.push(...events);
    return events;
  }

  /** Marks where a command starts; see rollbackTo. Holds record their own undo from here. */
  savepoint(): Savepoint {
    const batch = this.currentBatch();
    this.accounts.beginUndo();
    return {
      journal: batch.journal.length,
      events: batch.events.length,
      trades: batch.trades.length,
      entries: batch.entries.length,
      alsoWrite: batch.alsoWrite.length,
      batchOrders: batch.orders.size,
      noteStatus: batch.noteStatus.size,
      clOrdIds: this.clOrdIds.size,
      cashKeys: this.cashKeys.size,
      acceptedRfqs: this.acceptedRfqs.size,
      liveOrders: this.liveOrders.size,
      eligibleParties: this.eligibleParties.size,
      businessDate: this.businessDate,
      dayGuardsStale: this.dayGuardsStale,
    };
  }

  /** The command ended (answered or rejected cleanly): its changes stay. */
  release(): void {
    this.accounts.endUndo();
  }

  /**
   * Undoes what a command that threw had changed since its savepoint: holds and balances, the
   * orders, trades, entries and events it added to the batch, the live orders and race guards it
   * added. Returns false when that is impossible: the engine accepted one of its commands (the
   * books moved, and only a rebuild from the journal restores them).
   */
  rollbackTo(mark: Savepoint): boolean {
    const batch = this.currentBatch();
    if (batch.journal.length > mark.journal) {
      this.accounts.endUndo();
      return false;
    }
    this.accounts.undo();
    batch.events.length = mark.events;
    batch.trades.length = mark.trades;
    batch.entries.length = mark.entries;
    batch.alsoWrite.length = mark.alsoWrite;
    dropAddedKeys(batch.orders, mark.batchOrders);
    dropAddedKeys(batch.noteStatus, mark.noteStatus);
    dropAddedKeys(this.clOrdIds, mark.clOrdIds);
    dropAddedKeys(this.cashKeys, mark.cashKeys);
    dropAddedKeys(this.acceptedRfqs, mark.acceptedRfqs);
    dropAddedKeys(this.eligibleParties, mark.eligibleParties);
    dropAddedKeys(this.liveOrders, mark.liveOrders, (id) => this.removeLiveOrder(this.liveOrders.get(id)!));
    this.businessDate = mark.businessDate;
    this.dayGuardsStale = mark.dayGuardsStale;
    return true;
  }

  addLiveOrder(order: OrderRecord): void {
    this.liveOrders.set(order.id, order);
    this.openOrderCount.set(order.partyId, (this.openOrderCount.get(order.partyId) ?? 0) + 1);
  }

  removeLiveOrder(order: OrderRecord): void {
    if (!this.liveOrders.delete(order.id)) return;
    this.openOrderCount.set(order.partyId, (this.openOrderCount.get(order.partyId) ?? 1) - 1);
    const dealerQuotes = this.quotes.get(order.partyId)?.get(order.noteId);
    if (dealerQuotes?.bid === order.id) dealerQuotes.bid = null;
    if (dealerQuotes?.ask === order.id) dealerQuotes.ask = null;
  }

  /**
   * The end-of-day roll: trades are dated with the new day, and the per-day race guards are
   * emptied after the batch commits. They only need to cover a retry racing its original before
   * that commits; anything older is found in the database (client order ids by the sequencer's
   * lookup per batch, the rest by the callers), so they never outlive a business day.
   */
  startBusinessDay(date: string): void {
    this.businessDate = date;
    this.dayGuardsStale = true;
  }

  /**
   * Empties the race guards once the batch that rolled the day has committed: within that batch
   * they still cover what it has not yet written (a retry racing its original across the roll).
   * True when they were emptied.
   */
  afterCommit(): boolean {
    if (!this.dayGuardsStale) return false;
    this.clOrdIds.clear();
    this.cashKeys.clear();
    this.acceptedRfqs.clear();
    this.dayGuardsStale = false;
    return true;
  }

  notionalToday(partyId: string): Decimal {
    if (this.notionalDate !== this.businessDate) {
      this.dailyNotional.clear();
      this.notionalDate = this.businessDate;
    }
    return this.dailyNotional.get(partyId) ?? new Decimal(0);
  }

  addNotional(partyId: string, amount: Decimal): void {
    this.dailyNotional.set(partyId, this.notionalToday(partyId).plus(amount));
  }

  recordTrade(trade: TradeRecord): void {
    this.currentBatch().trades.push(trade);
    const order = lastTradeOrder(trade);
    const current = this.lastTrade.get(trade.noteId);
    if (!current || compareLastTradeOrder(order, current.order) > 0) this.lastTrade.set(trade.noteId, { order, price: trade.price });
  }
}
