/**
 * How committed activity reaches the live feeds: each committed batch of the sequencer refreshes
 * the books and quotes it touched and adds its trades, orders and balance changes to the private
 * feeds of the parties concerned; each event of the service's bus (settlements, balance moves,
 * execution adjustments, settlement runs, RFQs) goes to the feeds it concerns. Only feeds that
 * exist are touched: a party nobody subscribed for costs a map lookup.
 *
 * Never: throw into the sequencer or the bus (a failing bus event is logged, the others still go).
 */
import type { Logger } from 'pino';
import type { BusEvent } from '../events/bus.js';
import { Decimal } from '../domain/decimal.js';
import { instructionAsSeenBy } from '../settlement/privacy.js';
import { executionFor, type ApiOrder } from '../sequencer/records.js';
import type { CommittedBatch } from '../sequencer/sequencer.js';
import type { TradingState } from '../sequencer/state.js';
import { disseminatedSize, type tape } from '../trading/queries.js';
import { type Feed, type KeyedFeed, RecentFeed } from './feed.js';
import { feedKey, privateKey } from './feed-keys.js';
import type { BookFeed } from './feeds/book.js';
import { QuotesFeed } from './feeds/quotes.js';
import { SettlementsFeed } from './feeds/settlements.js';
import { BalancesFeed } from './feeds/balances.js';
import type { RfqView } from './open-rfqs.js';

type Execution = ReturnType<typeof executionFor>;
type TapeEntry = Awaited<ReturnType<typeof tape>>[number];

export class FeedRouter {
  constructor(
    private readonly feeds: ReadonlyMap<string, Feed>,
    private readonly books: ReadonlyMap<string, ReadonlySet<BookFeed>>,
    private readonly logger: Logger,
  ) {}

  /** A committed batch, with the state exactly as committed (called in the sequencer's commit listener). */
  committed(batch: CommittedBatch, state: TradingState): void {
    this.routeBooks(batch, state);
    this.routeTrades(batch, state);
    this.routeOrders(batch);
    this.routeBalances(batch);
  }

  private routeBooks(batch: CommittedBatch, state: TradingState): void {
    const sides = new Map<string, { buy: boolean; sell: boolean }>();
    const quoteNotes = new Set<string>();
    for (const event of batch.events) {
      if (event.type === 'book_change') {
        let touched = sides.get(event.noteId);
        if (!touched) sides.set(event.noteId, (touched = { buy: false, sell: false }));
        touched[event.side] = true;
      } else if (event.type === 'quote_replaced') {
        quoteNotes.add(event.noteId);
      }
    }
    for (const order of batch.orders) if (order.source === 'quote') quoteNotes.add(order.noteId);
    for (const [noteId, touched] of sides) {
      for (const feed of this.books.get(noteId) ?? []) feed.refresh(state.engine, touched.buy, touched.sell);
    }
    for (const noteId of quoteNotes) {
      const feed = this.feeds.get(feedKey({ kind: 'quotes', noteId }));
      if (feed instanceof QuotesFeed) feed.refresh(state);
    }
  }

  private routeTrades(batch: CommittedBatch, state: TradingState): void {
    const tradesBySettlementFeed = new Map<SettlementsFeed, string[]>();
    for (const trade of batch.trades) {
      const tapeFeed = this.feeds.get(feedKey({ kind: 'trades', noteId: trade.noteId }));
      if (tapeFeed instanceof RecentFeed) {
        const cap = state.instruments.get(trade.noteId)?.note.disseminationCap;
        const entry: TapeEntry = {
          id: trade.id,
          noteId: trade.noteId,
          price: trade.price.toFixed(),
          quantity: cap ? disseminatedSize(trade.quantity, new Decimal(cap)) : trade.quantity.toFixed(),
          executedAt: trade.executedAt.toISOString(),
        };
        (tapeFeed as RecentFeed<TapeEntry>).add([entry]);
      }
      for (const partyId of [trade.buyerPartyId, trade.sellerPartyId]) {
        const feed = this.feeds.get(privateKey('executions', partyId));
        if (feed instanceof RecentFeed) (feed as RecentFeed<Execution>).add([executionFor(trade, partyId)]);
        const settlements = this.feeds.get(privateKey('settlements', partyId));
        if (!(settlements instanceof SettlementsFeed)) continue;
        const tradeIds = tradesBySettlementFeed.get(settlements);
        if (tradeIds) tradeIds.push(trade.id);
        else tradesBySettlementFeed.set(settlements, [trade.id]);
      }
    }
    // Each trade's instruction was created in the same commit: the parties see it as pending.
    for (const [feed, tradeIds] of tradesBySettlementFeed) feed.refresh({ kind: 'trades', tradeIds });
  }

  private routeOrders(batch: CommittedBatch): void {
    const byParty = new Map<string, ApiOrder[]>();
    for (const order of batch.orders) {
      if (!this.feeds.has(privateKey('orders', order.partyId))) continue;
      let orders = byParty.get(order.partyId);
      if (!orders) byParty.set(order.partyId, (orders = []));
      orders.push(order);
    }
    for (const [partyId, orders] of byParty) (this.feeds.get(privateKey('orders', partyId)) as KeyedFeed<ApiOrder>).upsert(orders);
  }

  /**
   * Every hold the sequencer opens, resizes or releases belongs to an order or quote the batch
   * touched (placed, replaced, pulled, cancelled, filled), and every fill to a trade: their parties'
   * balances may have moved.
   */
  private routeBalances(batch: CommittedBatch): void {
    const parties = new Set<string>();
    for (const order of batch.orders) parties.add(order.partyId);
    for (const trade of batch.trades) {
      if (trade.buyerPartyId) parties.add(trade.buyerPartyId);
      if (trade.sellerPartyId) parties.add(trade.sellerPartyId);
    }
    this.refreshBalances(parties);
  }

  private refreshBalances(parties: Iterable<string | null>): void {
    for (const partyId of parties) {
      if (!partyId) continue;
      const feed = this.feeds.get(privateKey('balances', partyId));
      if (feed instanceof BalancesFeed) feed.refresh();
    }
  }

  /** A bus event (settlements, balances, execution adjustments, runs, RFQs) to the feeds it concerns. */
  busEvent(event: BusEvent): void {
    try {
      if (event.kind === 'settlement_changed') {
        // A cancelled instruction releases its trade's holds.
        this.refreshBalances(event.partyIds);
        for (const partyId of new Set(event.partyIds)) {
          const feed = this.feeds.get(privateKey('settlements', partyId));
          // Its own side only, as GET /settlements and the feed's own reads show it (issue 15 item 6).
          if (feed instanceof SettlementsFeed) feed.upsert([instructionAsSeenBy(event.instruction, partyId)]);
        }
        return;
      }
      if (event.kind === 'balances_changed') {
        this.refreshBalances(event.partyIds);
        return;
      }
      if (event.kind === 'executions_adjusted') {
        this.refreshBalances(event.views.keys());
        for (const [partyId, views] of event.views) {
          const feed = this.feeds.get(privateKey('executions', partyId));
          if (feed instanceof RecentFeed) (feed as RecentFeed<Execution>).add(views as Execution[]);
        }
        return;
      }
      if (event.kind === 'settlement_run') {
        // A run moves face and cash and consumes holds: every party's balances may have changed.
        for (const feed of this.feeds.values()) {
          if (feed instanceof SettlementsFeed) feed.refresh({ kind: 'run', runId: event.runId, date: event.date });
          if (feed instanceof BalancesFeed) feed.refresh();
        }
        return;
      }
      for (const partyId of new Set(event.partyIds)) {
        const view = event.views.get(partyId);
        if (view === undefined) continue;
        for (const role of ['investor', 'dealer'] as const) {
          const feed = this.feeds.get(`${privateKey('rfqs', partyId)}#${role}`);
          if (feed) (feed as KeyedFeed<RfqView>).upsert([view as RfqView]);
        }
      }
    } catch (error) {
      this.logger.error({ err: error, kind: event.kind }, 'a WebSocket feed failed on a bus event');
    }
  }
}
