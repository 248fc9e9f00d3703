/**
 * The RFQs feed's snapshot: the party's open RFQs as it sees them, as GET /rfqs?status=open
 * answers (the in-process hub reads it for a new feed, the bus's responder for a gateway).
 */
import type { Knex } from 'knex';
import type { Principal } from '../auth/tokens.js';
import { listRfqs, responsesOf } from '../rfq/store.js';
import { effectiveStatus, rfqView } from '../rfq/views.js';
import { rfqRole } from './feed-keys.js';

export type RfqView = ReturnType<typeof rfqView>;

/** Newest first. */
export async function openRfqs(db: Knex, principal: Principal, limit: number, now: Date): Promise<RfqView[]> {
  const role = rfqRole(principal);
  const rfqs = (await listRfqs(db, { partyId: principal.partyId, role }, 'open', limit)).filter(
    (rfq) => effectiveStatus(rfq, now) === 'open',
  );
  const responses = await responsesOf(
    db,
    rfqs.map((r) => r.id),
    role === 'dealer' ? principal.partyId : undefined,
  );
  return rfqs.map((rfq) =>
    rfqView(
      rfq,
      responses.filter((r) => r.rfqId === rfq.id),
      principal,
      now,
    ),
  );
}
