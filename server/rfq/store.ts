/**
 * RFQ records: requests, dealers' firm answers, and the outcome of each RFQ for each dealer.
 *
 * Guarantees: an RFQ ends exactly once (done or expired) and its outcomes are written with that
 * transition; a dealer sees only RFQs addressed to it and only its own answers; an investor sees
 * its own RFQs with every answer.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { isUuid } from '../core/schemas.js';

export type RfqStatus = 'open' | 'done' | 'expired' | 'cancelled';
export type Outcome = 'done' | 'covered' | 'not_chosen' | 'expired' | 'no_response' | 'declined';

/** The sweeper leaves an RFQ this long past its expiry, so an accept made just in time still commits first. */
export const RFQ_EXPIRY_GRACE_MS = 5_000;

export interface Rfq {
  id: string;
  investorPartyId: string;
  noteId: string;
  side: 'buy' | 'sell';
  quantity: Decimal;
  dealerPartyIds: string[];
  status: RfqStatus;
  expiresAt: Date;
  acceptedResponseId: string | null;
  tradeId: string | null;
  createdAt: Date;
}

export interface RfqResponse {
  id: string;
  rfqId: string;
  dealerPartyId: string;
  /** Null exactly when the dealer declined. */
  price: Decimal | null;
  validUntil: Date;
  status: 'open' | 'replaced' | 'accepted' | 'not_chosen' | 'expired' | 'declined';
  /** The dealer's reason for declining (optional; only on a decline). */
  reason: string | null;
  /** The spread (bp) the answer was entered at, its price derived from it (issue 17); null when typed as a price. */
  spreadBp?: Decimal | null;
  createdAt: Date;
}

function toRfq(row: Record<string, any>): Rfq {
  return {
    id: row.id,
    investorPartyId: row.investor_party_id,
    noteId: row.note_id,
    side: row.side,
    quantity: new Decimal(row.quantity),
    dealerPartyIds: row.dealer_party_ids ?? [],
    status: row.status,
    expiresAt: new Date(row.expires_at),
    acceptedResponseId: row.accepted_response_id,
    tradeId: row.trade_id,
    createdAt: new Date(row.created_at),
  };
}

function toResponse(row: Record<string, any>): RfqResponse {
  return {
    id: row.id,
    rfqId: row.rfq_id,
    dealerPartyId: row.dealer_party_id,
    price: row.price === null ? null : new Decimal(row.price),
    validUntil: new Date(row.valid_until),
    status: row.status,
    reason: row.reason ?? null,
    spreadBp: row.spread_bp === null || row.spread_bp === undefined ? null : new Decimal(row.spread_bp),
    createdAt: new Date(row.created_at),
  };
}

export async function insertRfq(db: Knex, rfq: Rfq): Promise<void> {
  await db('rfqs').insert({
    id: rfq.id,
    investor_party_id: rfq.investorPartyId,
    note_id: rfq.noteId,
    side: rfq.side,
    quantity: rfq.quantity.toFixed(),
    dealer_party_ids: rfq.dealerPartyIds,
    status: rfq.status,
    expires_at: rfq.expiresAt,
    created_at: rfq.createdAt,
  });
}

export async function findRfq(db: Knex | Knex.Transaction, id: string): Promise<Rfq | null> {
  if (!isUuid(id)) return null;
  const row = await db('rfqs').where({ id }).first();
  return row ? toRfq(row) : null;
}

export async function responsesOf(db: Knex | Knex.Transaction, rfqIds: readonly string[], dealerPartyId?: string): Promise<RfqResponse[]> {
  if (rfqIds.length === 0) return [];
  const rows = await db('rfq_responses')
    .whereIn('rfq_id', rfqIds)
    .modify((q) => {
      if (dealerPartyId) q.where({ dealer_party_id: dealerPartyId });
    })
    .orderBy('created_at')
    .select('*');
  return rows.map(toResponse);
}

export async function findResponse(db: Knex, id: string): Promise<RfqResponse | null> {
  if (!isUuid(id)) return null;
  const row = await db('rfq_responses').where({ id }).first();
  return row ? toResponse(row) : null;
}

export async function listRfqs(
  db: Knex,
  viewer: { partyId: string; role: 'investor' | 'dealer' },
  status: RfqStatus | 'all',
  limit: number,
): Promise<Rfq[]> {
  const rows = await db('rfqs')
    .modify((q) => {
      if (viewer.role === 'investor') q.where({ investor_party_id: viewer.partyId });
      else q.whereRaw('? = any(dealer_party_ids)', [viewer.partyId]);
      if (status !== 'all') q.where({ status });
    })
    .orderBy('created_at', 'desc')
    .limit(limit)
    .select('*');
  return rows.map(toRfq);
}

/**
 * A dealer's new answer or decline replaces its previous open answer or decline on the same RFQ
 * (a decline withdraws a live answer; an answer after a decline takes it back).
 */
export async function insertResponse(db: Knex, response: RfqResponse): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('rfq_responses')
      .where({ rfq_id: response.rfqId, dealer_party_id: response.dealerPartyId })
      .whereIn('status', ['open', 'declined'])
      .update({ status: 'replaced' });
    await trx('rfq_responses').insert({
      id: response.id,
      rfq_id: response.rfqId,
      dealer_party_id: response.dealerPartyId,
      price: response.price?.toFixed() ?? null,
      reason: response.reason,
      spread_bp: response.spreadBp?.toFixed() ?? null,
      valid_until: response.validUntil,
      status: response.status,
      created_at: response.createdAt,
    });
  });
}

/** Better for the investor: a lower price when it buys, a higher one when it sells. */
export function ranked(rfq: Pick<Rfq, 'side'>, responses: readonly RfqResponse[]): RfqResponse[] {
  const priced = responses.filter((r): r is RfqResponse & { price: Decimal } => r.price !== null);
  return priced.sort(
    (a, b) =>
      (rfq.side === 'buy' ? a.price.comparedTo(b.price) : b.price.comparedTo(a.price)) || a.createdAt.getTime() - b.createdAt.getTime(),
  );
}

/**
 * Outcomes when an RFQ ends. Done: the accepted dealer gets `done`, the next best distinct dealer
 * `covered` (its price was the cover), other answering dealers `not_chosen`. Expired: answering
 * dealers `expired`. Dealers whose last word was a decline: `declined`. Dealers that never
 * answered: `no_response`.
 */
export function outcomesOf(rfq: Rfq, responses: readonly RfqResponse[], acceptedResponseId: string | null): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>(rfq.dealerPartyIds.map((d) => [d, 'no_response']));
  const latest = responses.filter((r) => r.status !== 'replaced');
  const accepted = latest.find((r) => r.id === acceptedResponseId);
  for (const response of latest)
    outcomes.set(response.dealerPartyId, response.status === 'declined' ? 'declined' : accepted ? 'not_chosen' : 'expired');
  if (accepted) {
    outcomes.set(accepted.dealerPartyId, 'done');
    const cover = ranked(rfq, latest).find((r) => r.dealerPartyId !== accepted.dealerPartyId);
    if (cover) outcomes.set(cover.dealerPartyId, 'covered');
  }
  return outcomes;
}

export async function closeRfq(
  trx: Knex.Transaction,
  rfq: Rfq,
  end: { status: 'done' | 'expired'; acceptedResponseId: string | null; tradeId: string | null; at: Date },
): Promise<void> {
  const responses = await responsesOf(trx, [rfq.id]);
  await trx('rfqs')
    .where({ id: rfq.id })
    .update({ status: end.status, accepted_response_id: end.acceptedResponseId, trade_id: end.tradeId, closed_at: end.at });
  await trx('rfq_responses')
    .where({ rfq_id: rfq.id, status: 'open' })
    .update({ status: end.status === 'done' ? 'not_chosen' : 'expired' });
  if (end.acceptedResponseId) await trx('rfq_responses').where({ id: end.acceptedResponseId }).update({ status: 'accepted' });
  const outcomes = [...outcomesOf(rfq, responses, end.acceptedResponseId)].map(([dealer, outcome]) => ({
    rfq_id: rfq.id,
    dealer_party_id: dealer,
    outcome,
    recorded_at: end.at,
  }));
  if (outcomes.length > 0) await trx('rfq_outcomes').insert(outcomes).onConflict(['rfq_id', 'dealer_party_id']).ignore();
}

/** Ends every open RFQ whose expiry (plus the grace) has passed. Returns how many ended. */
export async function expireRfqs(db: Knex, now: Date, onExpired: (rfq: Rfq) => Promise<void> = async () => undefined): Promise<number> {
  const cutoff = new Date(now.getTime() - RFQ_EXPIRY_GRACE_MS);
  const due = (await db('rfqs').where({ status: 'open' }).where('expires_at', '<=', cutoff).limit(500).select('*')).map(toRfq);
  for (const rfq of due) {
    await db.transaction(async (trx) => {
      const locked = await trx('rfqs').where({ id: rfq.id, status: 'open' }).forUpdate().first();
      if (locked) await closeRfq(trx, rfq, { status: 'expired', acceptedResponseId: null, tradeId: null, at: now });
    });
    await onExpired({ ...rfq, status: 'expired' });
  }
  return due.length;
}

/** Per dealer: RFQs received, answered, done, covered, declined — the hit ratio is done / answered (a decline is not an answer). */
export async function dealerStatistics(db: Knex, dealerPartyId?: string) {
  const rows: { dealer_party_id: string; outcome: Outcome; count: string }[] = await db('rfq_outcomes')
    .modify((q) => {
      if (dealerPartyId) q.where({ dealer_party_id: dealerPartyId });
    })
    .groupBy('dealer_party_id', 'outcome')
    .select('dealer_party_id', 'outcome', db.raw('count(*) as count'));
  const byDealer = new Map<string, Record<Outcome, number>>();
  for (const row of rows) {
    const counts = byDealer.get(row.dealer_party_id) ?? { done: 0, covered: 0, not_chosen: 0, expired: 0, no_response: 0, declined: 0 };
    counts[row.outcome] = Number(row.count);
    byDealer.set(row.dealer_party_id, counts);
  }
  return [...byDealer].map(([dealerPartyId, c]) => {
    const answered = c.done + c.covered + c.not_chosen + c.expired;
    // Keys in camelCase like the rest of the API (the outcome names stay snake_case as stored values).
    return {
      dealerPartyId,
      received: answered + c.no_response + c.declined,
      answered,
      done: c.done,
      covered: c.covered,
      notChosen: c.not_chosen,
      expired: c.expired,
      noResponse: c.no_response,
      declined: c.declined,
      hitRatio: answered === 0 ? null : roundHalfEven(new Decimal(c.done).div(answered), 4).toFixed(),
    };
  });
}
