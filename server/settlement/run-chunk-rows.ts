/**
 * What one chunk of a settlement run returns (settlement_settle_chunk's rows, in id order) and
 * what the run makes of them: the settled movements the trading side applies and the fail charges
 * booked when a fail settled.
 *
 * Never: decides or writes anything; it only names and converts the database's rows.
 */
import { Decimal } from '../domain/decimal.js';
import type { SettledTrade } from '../sequencer/ledger-sync.js';
import type { InstructionRow } from './queries.js';
import type { FailedSide } from './types.js';

/** A settled trade as the trading side needs it. */
export type SettledMovement = SettledTrade;

/** A fail charge booked when its fail settled: the seller's cash to the buyer. */
export interface BookedFailCharge {
  sellerPartyId: string;
  buyerPartyId: string;
  amount: Decimal;
}

/**
 * A claimed instruction and its outcome, as settlement_settle_chunk returns it (in id order):
 * 'settled', 'deferred' (left for the second phase) or the failed side; charge_from is the
 * contractual settlement date when a fail charge is due (a fail, or a fail that now settles).
 */
export interface ChunkRow
  extends Pick<
    InstructionRow,
    'id' | 'note_id' | 'buyer_party_id' | 'seller_party_id' | 'quantity' | 'net_amount' | 'buyer_hold_reference' | 'seller_hold_reference'
  > {
  outcome: 'settled' | 'deferred' | FailedSide;
  charge_from: string | null;
}

export interface SettledRow extends SettledMovement {
  id: string;
  chargeFrom: string | null;
}

export function toSettled(row: ChunkRow): SettledRow {
  return {
    id: String(row.id),
    noteId: row.note_id,
    buyerPartyId: row.buyer_party_id,
    sellerPartyId: row.seller_party_id,
    quantity: new Decimal(row.quantity),
    netAmount: new Decimal(row.net_amount),
    buyerHoldReference: row.buyer_hold_reference,
    sellerHoldReference: row.seller_hold_reference,
    chargeFrom: row.charge_from,
  };
}
