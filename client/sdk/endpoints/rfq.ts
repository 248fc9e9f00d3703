/**
 * RFQ endpoints of ComputeNotesClient: requests for quote, dealers' answers and declines, the
 * investor's accept, and each dealer's statistics.
 */
import { queryString, segment } from '../http.js';
import type { Execution, Rfq, RfqRequest, RfqResponse, RfqStatistics, RfqStatus, SpreadPrice } from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the RFQ endpoints to a client class. */
export function withRfq<TBase extends ClientBase>(Base: TBase) {
  return class RfqEndpoints extends Base {
    createRfq(request: RfqRequest): Promise<Rfq> {
      return this.http.request('POST', '/api/v1/rfqs', { body: request });
    }

    rfqs(query: { status?: RfqStatus | 'all'; limit?: number } = {}): Promise<Rfq[]> {
      return this.http.request('GET', `/api/v1/rfqs${queryString(query)}`);
    }

    rfq(id: string): Promise<Rfq> {
      return this.http.request('GET', `/api/v1/rfqs/${segment(id)}`);
    }

    /** A dealer's answer: a price, or a spreadBp from which the server derives the price (shown in `pricedFromSpread`). */
    respondToRfq(
      id: string,
      answer: { price: string; validForSeconds: number } | { spreadBp: string; validForSeconds: number },
    ): Promise<RfqResponse & { spreadBp?: string; pricedFromSpread?: SpreadPrice }> {
      return this.http.request('POST', `/api/v1/rfqs/${segment(id)}/responses`, { body: answer });
    }

    acceptRfq(id: string, responseId: string): Promise<{ trade: Execution }> {
      return this.http.request('POST', `/api/v1/rfqs/${segment(id)}/accept`, { body: { responseId } });
    }

    /** An addressed dealer declines an RFQ, with an optional reason. */
    declineRfq(id: string, reason?: string): Promise<RfqResponse> {
      return this.http.request('POST', `/api/v1/rfqs/${segment(id)}/decline`, { body: reason === undefined ? {} : { reason } });
    }

    rfqStatistics(): Promise<RfqStatistics[]> {
      return this.http.request('GET', '/api/v1/rfq-statistics');
    }
  };
}
