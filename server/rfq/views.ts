/**
 * How an RFQ looks to each party: its investor sees every answer and the addressed dealers; an
 * addressed dealer sees the request and only its own answers. Also publishes committed RFQ
 * activity on the event bus, one view per party, for the private WebSocket feed.
 */
import type { Knex } from 'knex';
import type { EventBus, RfqActivity } from '../events/bus.js';
import { responsesOf, type Rfq, type RfqResponse } from './store.js';

export function effectiveStatus(rfq: Rfq, now: Date): Rfq['status'] {
  return rfq.status === 'open' && rfq.expiresAt <= now ? 'expired' : rfq.status;
}

export function responseView(response: RfqResponse, now: Date) {
  const status = response.status === 'open' && response.validUntil <= now ? 'expired' : response.status;
  return {
    id: response.id,
    dealerPartyId: response.dealerPartyId,
    price: response.price?.toFixed() ?? null,
    validUntil: response.validUntil.toISOString(),
    status,
    ...(response.status === 'declined' ? { reason: response.reason } : {}),
    ...(response.spreadBp ? { spreadBp: response.spreadBp.toFixed() } : {}),
  };
}

export function rfqView(rfq: Rfq, responses: readonly RfqResponse[], viewer: { partyId: string }, now: Date) {
  const investorView = viewer.partyId === rfq.investorPartyId;
  return {
    id: rfq.id,
    noteId: rfq.noteId,
    side: rfq.side,
    quantity: rfq.quantity.toFixed(),
    ...(investorView ? { dealerPartyIds: rfq.dealerPartyIds } : {}),
    status: effectiveStatus(rfq, now),
    expiresAt: rfq.expiresAt.toISOString(),
    createdAt: rfq.createdAt.toISOString(),
    acceptedResponseId: rfq.acceptedResponseId,
    tradeId: investorView ? rfq.tradeId : null,
    responses: responses.filter((r) => r.status !== 'replaced').map((r) => responseView(r, now)),
  };
}

/** Publishes the RFQ as each of its parties now sees it. Call after the change committed. */
export async function publishRfq(db: Knex, bus: EventBus, rfq: Rfq, kind: RfqActivity['kind'], now: Date): Promise<void> {
  const responses = await responsesOf(db, [rfq.id]);
  const partyIds = [rfq.investorPartyId, ...rfq.dealerPartyIds];
  const views = new Map<string, unknown>(
    partyIds.map((partyId) => [
      partyId,
      rfqView(rfq, partyId === rfq.investorPartyId ? responses : responses.filter((r) => r.dealerPartyId === partyId), { partyId }, now),
    ]),
  );
  bus.publish({ kind, rfqId: rfq.id, partyIds, views });
}
