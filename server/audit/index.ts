/**
 * The audit trail: who did what, on what, when — one row per operator or back-office action,
 * appended by the action's own transaction. A refused or rolled-back action therefore leaves no
 * row, and a committed one always has exactly one. The table is append-only (triggers refuse
 * UPDATE, DELETE and TRUNCATE: migrations/20261206_1800_audit.ts, sql/audit_log_append_only.sql).
 *
 * Services take an optional `AuditActor` (the API always passes one, from the token); called
 * without one (demo seeding, tests of the service alone) they append nothing. Sequenced actions
 * (halts, price bands, credit lines, cash) append through the batch's `alsoWrite`, so the row
 * commits with the batch (server/sequencer/batch.ts).
 */
import type { Knex } from 'knex';
import type { Principal } from '../auth/tokens.js';

/** Every action the trail records; `GET /audit?action=` accepts exactly these. */
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

/** Who acts: the user (by name and id) and the role that allowed the action. */
export interface AuditActor {
  userId: string | null;
  username: string;
  role: string;
}

export interface AuditRecord {
  action: AuditAction;
  /** What the action was on, as `<kind>:<id>` (e.g. `note:…`, `settlement-run:12`, `business-date:2026-12-09`). */
  entity: string;
  /** The action's figures: amounts as decimal strings, never floats. */
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditRecord {
  actor: AuditActor;
}

/** The actor of an authenticated request: an operator or back-office role when the user has one. */
export function actorOf(principal: Principal): AuditActor {
  const role = principal.roles.find((r) => r === 'operator' || r === 'backoffice') ?? principal.roles[0] ?? 'unknown';
  return { userId: principal.userId, username: principal.username, role };
}

/** Appends one row in the caller's transaction: it commits or rolls back with the action. */
export async function appendAudit(trx: Knex.Transaction, entry: AuditEntry): Promise<void> {
  if (!trx.isTransaction) throw new Error("appendAudit needs the action's transaction");
  await trx('audit_log').insert({
    actor: entry.actor.username,
    actor_user_id: entry.actor.userId,
    role: entry.actor.role,
    action: entry.action,
    entity: entry.entity,
    details: JSON.stringify(entry.details ?? {}),
  });
}

/**
 * Runs `work` and appends its record in one transaction (the caller's, when `db` already is one).
 * `recordOf` may answer null when the work changed nothing (an idempotent repeat): no row then.
 * Without an actor, `work` runs as it would without the trail.
 */
export async function audited<T>(
  db: Knex | Knex.Transaction,
  actor: AuditActor | undefined,
  work: (db: Knex | Knex.Transaction) => Promise<T>,
  recordOf: (result: T) => AuditRecord | null,
): Promise<T> {
  if (!actor) return work(db);
  const run = async (trx: Knex.Transaction): Promise<T> => {
    const result = await work(trx);
    const record = recordOf(result);
    if (record) await appendAudit(trx, { ...record, actor });
    return result;
  };
  return db.isTransaction ? run(db as Knex.Transaction) : (db as Knex).transaction(run);
}

export interface AuditView {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  entity: string;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  /** Inclusive lower bound on `at` (an instant). */
  from?: Date;
  /** Exclusive upper bound on `at` (an instant). */
  to?: Date;
  actor?: string;
  action?: string;
  /** Paging: rows with an id below this one. */
  beforeId?: string;
  limit: number;
}

interface AuditRow {
  id: string | number;
  at: Date | string;
  actor: string;
  role: string;
  action: string;
  entity: string;
  details: Record<string, unknown> | string;
}

/** The trail, newest first (by id: the order the rows were appended). */
export async function listAudit(db: Knex, filter: AuditFilter): Promise<AuditView[]> {
  const rows: AuditRow[] = await db('audit_log')
    .modify((q) => {
      if (filter.from) q.where('at', '>=', filter.from.toISOString());
      if (filter.to) q.where('at', '<', filter.to.toISOString());
      if (filter.actor) q.where('actor', filter.actor);
      if (filter.action) q.where('action', filter.action);
      if (filter.beforeId) q.where('id', '<', filter.beforeId);
    })
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .select('id', 'at', 'actor', 'role', 'action', 'entity', 'details');
  return rows.map((row) => ({
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    role: row.role,
    action: row.action,
    entity: row.entity,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  }));
}
