/**
 * Requests for quote: the request, the dealers' answers (or declines), and each dealer's
 * statistics. Prices and spreads are decimal strings as on the wire.
 */
import type { Side } from './common.js';

export type RfqStatus = 'open' | 'done' | 'expired' | 'cancelled';
export interface RfqRequest {
  noteId: string;
  side: Side;
  quantity: string;
  dealerPartyIds?: string[];
  expiresInSeconds?: number;
}
/** A dealer's answer, or its decline (status `declined`, price null, optional reason). */
export interface RfqResponse {
  id: string;
  dealerPartyId: string;
  price: string | null;
  validUntil: string;
  status: 'open' | 'accepted' | 'not_chosen' | 'expired' | 'replaced' | 'declined';
  reason?: string | null;
  /** The spread (bp over the benchmark) the dealer answered at, the price derived from it; absent when typed as a price. */
  spreadBp?: string;
}
export interface Rfq {
  id: string;
  noteId: string;
  side: Side;
  quantity: string;
  dealerPartyIds?: string[];
  status: RfqStatus;
  expiresAt: string;
  createdAt: string;
  acceptedResponseId: string | null;
  tradeId: string | null;
  responses: RfqResponse[];
}
export interface RfqStatistics {
  dealerPartyId: string;
  received: number;
  answered: number;
  done: number;
  covered: number;
  notChosen: number;
  expired: number;
  noResponse: number;
  declined: number;
  hitRatio: string | null;
}
