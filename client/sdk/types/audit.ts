/**
 * The audit trail: the actions it records (a runtime list, so clients can offer them as
 * choices), its rows, and the query that pages through it.
 */

/** The actions the audit trail records (GET /api/v1/audit?action=). */
export const AUDIT_ACTIONS = [
  'business_date.roll',
  'settlement.run',
  'settlement.cancel',
  'collection.record',
  'collection.correct',
  'distribution.run',
  'performance_report.file',
  'waterfall.set',
  'registry.forced_transfer',
  'registry.address_set',
  'registry.recover',
  'note.create',
  'note.halt',
  'note.resume',
  'note.price_band',
  'deal.create',
  'party.create',
  'party.eligibility',
  'credit_line.set',
  'reference_rate.set',
  'rate_fixing.set',
  'cash.deposit',
  'cash.withdrawal',
  'risk_limits.set',
  'obligor.create',
  'obligor.update',
  'obligor.relationship_add',
  'obligor.import',
  'curve.load',
  'gpu_values.load',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One row of the audit trail: who did what, on what, when. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: AuditAction;
  entity: string;
  details: Record<string, unknown>;
}

export type AuditQuery = {
  /** A date YYYY-MM-DD (the whole UTC day) or an ISO instant with offset. */
  from?: string;
  to?: string;
  actor?: string;
  action?: AuditAction;
  before?: string;
  limit?: number;
};
