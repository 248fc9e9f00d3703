/**
 * Reference data: deals and their collateral, notes, parties, a note's price band, and the TMPG
 * reference rate. Decimal strings as on the wire.
 */
import type { DayCount, Role } from './common.js';

export interface Collateral {
  site: string;
  capacityMw: string;
  gpuCount: number;
  gpuModel: string;
  lessee: string;
  leaseTermMonths: number;
}

export interface NoteInput {
  isin: string;
  dealId: string;
  className: string;
  name: string;
  seniority: number;
  rating: string;
  couponType: 'fixed' | 'floating';
  couponRate: string;
  dayCount: DayCount;
  frequency: 1 | 2 | 4 | 12;
  issueDate: string;
  firstCouponDate: string;
  maturityDate: string;
  originalFace: string;
  factor: string;
  currency?: 'USD';
  minDenomination: string;
  increment: string;
  tickSize: string;
  settlementDays?: number;
  traceCategory?: string;
  disseminationCap?: string;
}

export interface Note extends Required<NoteInput> {
  id: string;
  status: 'active' | 'halted';
  currency: 'USD';
}

export interface DealInput {
  name: string;
  sponsor: string;
  issuer: string;
  dealType: string;
  closingDate: string;
  collateral: Collateral;
  description?: string;
}
export interface Deal extends Required<DealInput> {
  id: string;
  notes?: Note[];
}

export interface Party {
  id: string;
  name: string;
  kind: Role;
  eligible: boolean;
  createdAt: string;
}

/** A note's price band now (GET /notes/:id/price-band); null bounds when it has no reference price. */
export interface PriceBand {
  noteId: string;
  widthPoints: string;
  reference: string | null;
  referenceSource: 'last_trade' | 'mid' | null;
  low: string | null;
  high: string | null;
}

export interface ReferenceRate {
  date: string;
  ratePercent: string;
}
