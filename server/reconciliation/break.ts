/**
 * A reconciliation break: one disagreement between two records that should agree, as
 * GET /api/v1/reconciliation lists it. Its own module so that each source of breaks (index.ts's
 * SQL checks, registry.ts's on-chain comparison) can name it without importing the other.
 */
import type { RepairSuggestion } from '../registry/types.js';

export interface Break {
  kind: string;
  entity: string;
  expected: string;
  actual: string;
  difference: string;
  message: string;
  /** Registry breaks a forced transfer can repair: the transfer that would (the back office decides). */
  repair?: RepairSuggestion;
}
