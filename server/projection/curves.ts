/**
 * Benchmark curves in the database: the operator loads a par curve (tenor → yield) per name and
 * business date; pricing reads the latest curve on or before its date. Points are validated by
 * analytics/curve.ts (tenors distinct, in (0, 50] years; yields in (−10 %, 100 %)) and stored as
 * canonical decimal strings, sorted by tenor. The demo seeds a UST curve with a late-2026 shape.
 */
import type { Knex } from 'knex';
import { audited, type AuditActor } from '../audit/index.js';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { DomainError } from '../domain/errors.js';
import { parCurve } from '../analytics/curve.js';

export interface CurvePointText {
  tenorYears: string;
  yieldPercent: string;
}
export interface StoredCurve {
  name: string;
  date: string;
  points: CurvePointText[];
}

/** The demo's Treasury par curve: an inverted front end, a trough around 2–3 years, a positive long end. */
export const DEMO_UST_POINTS: readonly CurvePointText[] = [
  { tenorYears: '0.0833', yieldPercent: '4.32' },
  { tenorYears: '0.25', yieldPercent: '4.28' },
  { tenorYears: '0.5', yieldPercent: '4.18' },
  { tenorYears: '1', yieldPercent: '3.98' },
  { tenorYears: '2', yieldPercent: '3.78' },
  { tenorYears: '3', yieldPercent: '3.76' },
  { tenorYears: '5', yieldPercent: '3.88' },
  { tenorYears: '7', yieldPercent: '4.05' },
  { tenorYears: '10', yieldPercent: '4.24' },
  { tenorYears: '20', yieldPercent: '4.71' },
  { tenorYears: '30', yieldPercent: '4.68' },
];

function canonical(points: readonly CurvePointText[]): CurvePointText[] {
  try {
    parCurve(points);
  } catch (error) {
    if (error instanceof DomainError) throw new Rejection('VALIDATION_FAILED', `points ${error.message}`, { field: 'points' });
    throw error;
  }
  return points
    .map((p) => ({ tenorYears: new Decimal(p.tenorYears).toFixed(), yieldPercent: new Decimal(p.yieldPercent).toFixed() }))
    .sort((a, b) => new Decimal(a.tenorYears).cmp(b.tenorYears));
}

function view(row: { name: string; curve_date: string; points: unknown }): StoredCurve {
  const points = (typeof row.points === 'string' ? JSON.parse(row.points) : row.points) as CurvePointText[];
  return { name: row.name, date: row.curve_date, points };
}

export async function putCurve(
  db: Knex,
  name: string,
  date: string,
  points: readonly CurvePointText[],
  userId: string | null,
  actor?: AuditActor,
): Promise<StoredCurve> {
  return audited(
    db,
    actor,
    async (db) => {
      const stored = canonical(points);
      await db('benchmark_curves')
        .insert({ name, curve_date: date, points: JSON.stringify(stored), updated_by: userId, updated_at: db.fn.now() })
        .onConflict(['name', 'curve_date'])
        .merge(['points', 'updated_by', 'updated_at']);
      return { name, date, points: stored };
    },
    (curve) => ({ action: 'curve.load', entity: `curve:${curve.name}/${curve.date}`, details: { points: curve.points.length } }),
  );
}

export async function getCurve(db: Knex, name: string, date: string): Promise<StoredCurve> {
  const row = await db('benchmark_curves').where({ name, curve_date: date }).first();
  if (!row) throw new Rejection('CURVE_NOT_FOUND', `no ${name} curve on ${date}`, { name, date });
  return view(row);
}

/** The latest curve of `name` dated on or before `date`, or null. */
export async function latestCurve(db: Knex, name: string, date: string): Promise<StoredCurve | null> {
  const row = await db('benchmark_curves').where({ name }).andWhere('curve_date', '<=', date).orderBy('curve_date', 'desc').first();
  return row ? view(row) : null;
}

export async function seedDemoCurve(db: Knex, businessDate: string): Promise<void> {
  await db('benchmark_curves')
    .insert({ name: 'UST', curve_date: businessDate, points: JSON.stringify(canonical(DEMO_UST_POINTS)) })
    .onConflict(['name', 'curve_date'])
    .ignore();
}
