/**
 * Types of settlement: a delivery-versus-payment instruction per trade and its states.
 *
 * State machine (every instruction starts `pending`):
 *   pending ──run: both sides can deliver──► settled      (final)
 *   pending ──run: a side cannot──────────► failed       (retried by every later run)
 *   failed  ──run: both sides can now─────► settled      (final; the fail charge is frozen)
 *   failed  ──run: still cannot───────────► failed       (ages; the fail charge grows)
 *   pending | failed ──back office cancel─► cancelled    (final; the trade's holds are released)
 */
import type { Decimal } from '../domain/decimal.js';

export const INSTRUCTION_STATUSES = ['pending', 'settled', 'failed', 'cancelled'] as const;
export type InstructionStatus = (typeof INSTRUCTION_STATUSES)[number];
export type FailedSide = 'buyer' | 'seller' | 'both';
export type SettlementMode = 'gross' | 'net';

/** What a run needs of an open instruction. */
export interface DueInstruction {
  id: string;
  tradeId: string;
  noteId: string;
  buyerPartyId: string;
  sellerPartyId: string;
  /** Original face the seller delivers. */
  quantity: Decimal;
  /** Cash the buyer pays (principal + accrued). */
  netAmount: Decimal;
  buyerHoldReference: string | null;
  sellerHoldReference: string | null;
  settlementDate: string;
  status: 'pending' | 'failed';
}
