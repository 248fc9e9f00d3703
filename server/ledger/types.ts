/**
 * Types of the double-entry ledger: accounts are per (party, asset) or per (system account, asset);
 * an asset is `USD` or a note id. Amounts are signed Decimals: a positive posting raises the
 * account's total, a negative one lowers it. Every entry balances to zero per asset.
 */
import type { Decimal } from '../domain/decimal.js';

export const CASH_ASSET = 'USD';

/** Contra accounts of the venue; they may go negative (e.g. cash that came in from outside). */
export type SystemAccountCode =
  | 'external-cash' // the outside world: deposits come from it, withdrawals go to it
  | 'issuance' // notes enter circulation from it (face issued to first holders)
  | 'settlement' // transit for DVP legs between the two sides of a trade
  | 'trust' // a deal's trust account for collections and distributions
  | 'fees';

export type AccountRef = { partyId: string; asset: string } | { systemCode: SystemAccountCode; asset: string };

export interface PostingInput {
  account: AccountRef;
  amount: Decimal;
}

export interface HoldConsumption {
  holdReference: string;
  amount: Decimal;
}

export type EntryKind =
  | 'cash_deposit'
  | 'cash_withdrawal'
  | 'issuance'
  | 'trade_settlement'
  | 'distribution'
  | 'adjustment'
  | 'fail_charge';

export interface EntryInput {
  /** Unique per business event; posting the same key twice posts once. */
  idempotencyKey: string;
  kind: EntryKind;
  description: string;
  businessDate: string;
  createdBy?: string | null;
  metadata?: Record<string, unknown>;
  postings: readonly PostingInput[];
  /** Holds taken earlier (e.g. at order entry) that this entry uses up. */
  holdConsumptions?: readonly HoldConsumption[];
}

export interface PostedEntry {
  id: string;
  idempotencyKey: string;
  kind: EntryKind;
  businessDate: string;
  /** True when the key had been posted before and nothing new was written. */
  replayed: boolean;
}

export interface HoldInput {
  reference: string;
  account: { partyId: string; asset: string };
  amount: Decimal;
}

export interface Hold {
  id: string;
  reference: string;
  accountId: string;
  amount: string;
  remaining: string;
  status: 'active' | 'consumed' | 'released';
}

export interface Balance {
  asset: string;
  total: string;
  held: string;
  /** What no hold needs (never below zero). */
  available: string;
  /** USD of a party with a credit line: the line, what its holds use of it, and what is left. */
  creditLine?: string;
  creditUsed?: string;
  creditAvailable?: string;
}
