/**
 * Trading endpoints of ComputeNotesClient: the public book and tape, orders, a dealer's quotes and
 * their re-pricing, positions and executions.
 */
import { queryString, segment } from '../http.js';
import type {
  LiveQuote,
  QuoteReprice,
  Position,
  Book,
  Execution,
  Order,
  OrderRequest,
  OrderResult,
  QuoteInput,
  QuotesResult,
  TapeTrade,
  SpreadPrice,
} from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the trading endpoints to a client class. */
export function withTrading<TBase extends ClientBase>(Base: TBase) {
  return class TradingEndpoints extends Base {
    book(noteId: string, depth?: number): Promise<Book> {
      return this.http.request('GET', `/api/v1/notes/${segment(noteId)}/book${queryString({ depth })}`);
    }

    trades(query: { noteId?: string; limit?: number } = {}): Promise<TapeTrade[]> {
      return this.http.request('GET', `/api/v1/trades${queryString(query)}`);
    }

    placeOrder(order: OrderRequest): Promise<OrderResult> {
      return this.http.request('POST', '/api/v1/orders', { body: order });
    }

    orders(query: { status?: 'open' | 'all'; noteId?: string; limit?: number } = {}): Promise<Order[]> {
      return this.http.request('GET', `/api/v1/orders${queryString(query)}`);
    }

    order(id: string): Promise<Order> {
      return this.http.request('GET', `/api/v1/orders/${segment(id)}`);
    }

    /** Cancel/replace: a new price and/or a new total quantity. */
    replaceOrder(id: string, change: { price?: string; quantity?: string }): Promise<OrderResult> {
      return this.http.request('PATCH', `/api/v1/orders/${segment(id)}`, { body: change });
    }

    cancelOrder(id: string): Promise<Order> {
      return this.http.request('DELETE', `/api/v1/orders/${segment(id)}`);
    }

    /** Mass quote: replaces this dealer's quotes on the given notes atomically. */
    putQuotes(quotes: QuoteInput[], options: { postOnly?: boolean } = {}): Promise<QuotesResult & { pricedFromSpread?: SpreadPrice[] }> {
      return this.http.request('PUT', '/api/v1/quotes', {
        body: { quotes, ...(options.postOnly === undefined ? {} : { postOnly: options.postOnly }) },
      });
    }

    /** Pulls this dealer's quotes: all of them, or one note's. */
    pullQuotes(noteId?: string): Promise<QuotesResult> {
      return this.http.request('DELETE', `/api/v1/quotes${queryString({ noteId })}`);
    }

    /** This dealer's live quotes, one row per note. */
    quotes(): Promise<LiveQuote[]> {
      return this.http.request('GET', '/api/v1/quotes');
    }

    /** This dealer's spread quotes re-priced or pulled (with the reason) when the curve or the date moved, newest first. */
    quoteReprices(query: { limit?: number } = {}): Promise<QuoteReprice[]> {
      return this.http.request('GET', `/api/v1/quotes/reprices${queryString(query)}`);
    }

    /** A party's positions with mark, value, cost and P&L (own party; back office and operators: any). */
    positions(query: { partyId?: string } = {}): Promise<Position[]> {
      return this.http.request('GET', `/api/v1/positions${queryString(query)}`);
    }

    executions(query: { noteId?: string; from?: string; to?: string; limit?: number } = {}): Promise<Execution[]> {
      return this.http.request('GET', `/api/v1/executions${queryString(query)}`);
    }
  };
}
