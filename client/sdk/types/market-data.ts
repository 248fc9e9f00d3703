/**
 * Public market data: a note's order book by price level and the trade tape. Prices and
 * quantities are decimal strings as on the wire.
 */

export interface BookLevel {
  price: string;
  quantity: string;
  orders: number;
}
export interface Book {
  noteId: string;
  seq: number;
  bids: BookLevel[];
  asks: BookLevel[];
}
export interface TapeTrade {
  id: string;
  noteId: string;
  price: string;
  quantity: string;
  executedAt: string;
}
