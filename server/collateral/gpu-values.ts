/**
 * GPU collateral marked over time: the operator's dated value series per GPU model, and each deal's
 * GPU collateral value and LTV per business date from it.
 *
 * A series is one kind for the whole model: `valueUsd` (a USD value per unit — resale, or
 * rental-implied) or `indexValue` (a dimensionless level). PUT replaces a model's whole series.
 *
 * Conventions (stated):
 * - gpuValueIndex(model, date): the series' value of the latest point on or before `date` (a step
 *   function: a value holds until the next point); null before the first point or without a series.
 * - A fleet line's marked value on date d = its appraised value (latest performance report on or
 *   before d) × I(d) ÷ I(appraisalDate), rounded half-even to cents — the appraisal moved by the
 *   index's change since the appraisal date. The ratio works for either kind of series (units
 *   cancel). Without an index level on both dates the line keeps its appraised value (source
 *   `appraisal`).
 * - Marked LTV on date d = the report's note balance ÷ (Σ sites' appraised value + Σ fleet lines'
 *   marked value) × 100, 2 places half-even — the performance report's LTV definition
 *   (server/performance/metrics.ts) with the GPU lines marked. With no index the two are equal.
 * - The series of a deal's LTV: one point per date on which an input changes (each report's period
 *   end, each index point of the deal's fleet models after the first report), up to the business
 *   date, and the business date itself.
 * - Servicing tests a trigger on `ltvPercent` against the marked LTV on the payment date
 *   (markedMetricValuesForPaymentDate); the surveillance page charts marked and reported LTV against
 *   the deal's LTV trigger levels.
 *
 * Seam for the projection (lead to wire): the projection's start GPU value per model can be
 * markedFleet(...) on the business date (the report's fleet marked by this index).
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { isoDate, positiveDecimal } from '../core/schemas.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { inTransaction } from '../db/transaction.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { listNotes } from '../refdata/notes.js';
import { dealPaymentDates } from '../servicing/calendar.js';
import { periodReports, type StoredReport } from '../performance/store.js';
import { parseWaterfallDefinition } from '../waterfall/index.js';

type Db = Knex | Knex.Transaction;

export const GPU_SERIES_POINTS_MAX = 5000;

export const gpuModelParams = z.object({ model: z.string().trim().min(1).max(100) }).strict();

export const gpuSeriesRequest = z
  .object({
    points: z
      .array(
        z
          .object({ date: isoDate, valueUsd: positiveDecimal.optional(), indexValue: positiveDecimal.optional() })
          .strict()
          .refine((p) => (p.valueUsd === undefined) !== (p.indexValue === undefined), 'give valueUsd or indexValue'),
      )
      .min(1)
      .max(GPU_SERIES_POINTS_MAX)
      .refine((points) => new Set(points.map((p) => p.date)).size === points.length, 'one point per date')
      .refine(
        (points) => points.every((p) => p.valueUsd !== undefined) || points.every((p) => p.indexValue !== undefined),
        'a series is all valueUsd or all indexValue',
      ),
  })
  .strict();

export type GpuSeriesKind = 'valueUsd' | 'indexValue';
export interface GpuPoint {
  date: string;
  value: Decimal;
}
export interface GpuSeries {
  model: string;
  kind: GpuSeriesKind;
  points: GpuPoint[];
}

interface PointRow {
  model: string;
  date: unknown;
  value_usd: string | null;
  index_value: string | null;
}

function dateText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

function toSeries(model: string, rows: readonly PointRow[]): GpuSeries {
  const kind: GpuSeriesKind = rows[0]?.value_usd !== null ? 'valueUsd' : 'indexValue';
  return {
    model,
    kind,
    points: rows
      .map((r) => ({ date: dateText(r.date), value: new Decimal((r.value_usd ?? r.index_value)!) }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
  };
}

export function seriesToWire(series: GpuSeries) {
  return {
    model: series.model,
    kind: series.kind,
    points: series.points.map((p) => ({ date: p.date, [series.kind]: p.value.toFixed() })),
  };
}

/** Every model's series, keyed by model. */
export async function allGpuSeries(db: Db, models?: readonly string[]): Promise<Map<string, GpuSeries>> {
  const rows: PointRow[] = await db('gpu_value_points')
    .modify((q) => {
      if (models) q.whereIn('model', [...models]);
    })
    .orderBy([{ column: 'model' }, { column: 'date' }])
    .select('model', 'date', 'value_usd', 'index_value');
  const grouped = new Map<string, PointRow[]>();
  for (const r of rows) grouped.set(r.model, [...(grouped.get(r.model) ?? []), r]);
  return new Map([...grouped].map(([model, points]) => [model, toSeries(model, points)]));
}

export async function getGpuSeries(db: Db, model: string): Promise<GpuSeries> {
  const series = (await allGpuSeries(db, [model])).get(model);
  if (!series) throw new Rejection('GPU_VALUES_NOT_FOUND', `no GPU value series for ${model}`, { model });
  return series;
}

/** The models with a series: kind, number of points, first and latest point. */
export async function listGpuSeries(db: Db) {
  return [...(await allGpuSeries(db)).values()].map((s) => ({
    model: s.model,
    kind: s.kind,
    points: s.points.length,
    first: { date: s.points[0]!.date, [s.kind]: s.points[0]!.value.toFixed() },
    latest: { date: s.points.at(-1)!.date, [s.kind]: s.points.at(-1)!.value.toFixed() },
  }));
}

/**
 * Replaces a model's whole series (one transaction). Two replacements of one model run one after
 * the other (a transaction-scoped advisory lock on the model's name), so neither fails on the
 * other's rows and the last one wins whole.
 */
export async function putGpuSeries(
  knex: Knex,
  model: string,
  request: z.infer<typeof gpuSeriesRequest>,
  userId: string | null,
  actor?: AuditActor,
) {
  await inTransaction(knex, async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(hashtext('gpu_value_points:' || ?))", [model]);
    await trx('gpu_value_points').where({ model }).delete();
    for (let i = 0; i < request.points.length; i += 500) {
      await trx('gpu_value_points').insert(
        request.points.slice(i, i + 500).map((p) => ({
          model,
          date: p.date,
          value_usd: p.valueUsd ?? null,
          index_value: p.indexValue ?? null,
          loaded_by: userId,
        })),
      );
    }
    if (actor)
      await appendAudit(trx, {
        action: 'gpu_values.load',
        entity: `gpu-model:${model}`,
        details: { points: request.points.length },
        actor,
      });
  });
  return getGpuSeries(knex, model);
}

/** The series' level on `date`: the latest point on or before it, or null. Pure. */
export function levelOn(series: GpuSeries | undefined, date: string): Decimal | null {
  if (!series) return null;
  let level: Decimal | null = null;
  for (const p of series.points) {
    if (p.date > date) break;
    level = p.value;
  }
  return level;
}

/** A GPU model's index level on a date (the latest point on or before it), or null. */
export async function gpuValueIndex(db: Db, model: string, date: string): Promise<Decimal | null> {
  return levelOn((await allGpuSeries(db, [model])).get(model), date);
}

export interface FleetLine {
  model: string;
  count?: number;
  appraisedValue: string;
  appraisalDate: string;
}

export interface MarkedLine {
  model: string;
  appraisedValue: Decimal;
  appraisalDate: string;
  markedValue: Decimal;
  source: 'index' | 'appraisal';
  indexAtAppraisal: Decimal | null;
  indexOnDate: Decimal | null;
}

/** Each fleet line marked to `date` by its model's series (pure). */
export function markedFleet(fleet: readonly FleetLine[], series: ReadonlyMap<string, GpuSeries>, date: string): MarkedLine[] {
  return fleet.map((line) => {
    const appraised = new Decimal(line.appraisedValue);
    const s = series.get(line.model);
    const atAppraisal = levelOn(s, line.appraisalDate);
    const onDate = levelOn(s, date);
    const indexed = atAppraisal !== null && onDate !== null;
    return {
      model: line.model,
      appraisedValue: appraised,
      appraisalDate: line.appraisalDate,
      markedValue: indexed ? roundHalfEven(appraised.mul(onDate).div(atAppraisal), 2) : appraised,
      source: indexed ? 'index' : 'appraisal',
      indexAtAppraisal: atAppraisal,
      indexOnDate: onDate,
    };
  });
}

interface ReportCollateral {
  sites: { appraisedValue: string }[];
  gpuFleet: FleetLine[];
}

export interface LtvPoint {
  date: string;
  reportPeriodEnd: string;
  noteBalance: Decimal;
  siteValue: Decimal;
  gpuValueAppraised: Decimal;
  gpuValueMarked: Decimal;
  reportedLtvPercent: Decimal | null;
  markedLtvPercent: Decimal | null;
}

const ltv = (balance: Decimal, value: Decimal) => (value.isZero() ? null : roundHalfEven(balance.div(value).mul(100), 2));

/** A report's collateral marked to `date` (pure). */
export function ltvOn(report: StoredReport, series: ReadonlyMap<string, GpuSeries>, date: string): LtvPoint {
  const r = report.report as unknown as ReportCollateral;
  const siteValue = r.sites.reduce((a, s) => a.plus(s.appraisedValue), new Decimal(0));
  const lines = markedFleet(r.gpuFleet, series, date);
  const appraised = lines.reduce((a, l) => a.plus(l.appraisedValue), new Decimal(0));
  const marked = lines.reduce((a, l) => a.plus(l.markedValue), new Decimal(0));
  return {
    date,
    reportPeriodEnd: report.periodEnd,
    noteBalance: report.noteBalance,
    siteValue,
    gpuValueAppraised: appraised,
    gpuValueMarked: marked,
    reportedLtvPercent: ltv(report.noteBalance, siteValue.plus(appraised)),
    markedLtvPercent: ltv(report.noteBalance, siteValue.plus(marked)),
  };
}

/** The deal's LTV triggers from its waterfall: name, comparison and threshold. */
async function ltvThresholds(db: Db, dealId: string) {
  const row: { definition: unknown } | undefined = await db('deal_waterfalls').where({ deal_id: dealId }).first('definition');
  if (!row) return [];
  const definition = parseWaterfallDefinition(typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition);
  return definition.triggers
    .filter((t) => t.metric === 'ltvPercent')
    .map((t) => ({ name: t.name, comparison: t.comparison, threshold: t.threshold }));
}

/** A deal's GPU collateral value and LTV, reported and marked, per date an input changes (see the header). */
export async function dealLtvSeries(db: Db, dealId: string, range: { from?: string; to?: string } = {}) {
  const businessDate = await currentBusinessDate(db);
  const to = range.to && range.to < businessDate ? range.to : businessDate;
  const reports = await periodReports(db, dealId, '0000-01-01', to);
  const models = [...new Set(reports.flatMap((r) => (r.report as unknown as ReportCollateral).gpuFleet.map((g) => g.model)))];
  const series = await allGpuSeries(db, models);
  const dates = new Set<string>(reports.map((r) => r.periodEnd));
  const first = reports[0]?.periodEnd;
  if (first) {
    for (const s of series.values()) for (const p of s.points) if (p.date > first && p.date <= to) dates.add(p.date);
    dates.add(to);
  }
  const points: LtvPoint[] = [];
  for (const date of [...dates].sort()) {
    if (range.from && date < range.from) continue;
    const report = [...reports].reverse().find((r) => r.periodEnd <= date);
    if (report) points.push(ltvOn(report, series, date));
  }
  const fixed = (d: Decimal | null) => (d === null ? null : d.toFixed(2));
  return {
    dealId,
    businessDate,
    thresholds: await ltvThresholds(db, dealId),
    models: models.map((m) => ({ model: m, kind: series.get(m)?.kind ?? null, points: series.get(m)?.points.length ?? 0 })),
    points: points.map((p) => ({
      date: p.date,
      reportPeriodEnd: p.reportPeriodEnd,
      noteBalance: fixed(p.noteBalance),
      siteValue: fixed(p.siteValue),
      gpuValueAppraised: fixed(p.gpuValueAppraised),
      gpuValueMarked: fixed(p.gpuValueMarked),
      reportedLtvPercent: fixed(p.reportedLtvPercent),
      markedLtvPercent: fixed(p.markedLtvPercent),
    })),
  };
}

/**
 * For servicing: the report metrics of a payment date (performance/store.ts) with `ltvPercent`
 * replaced by the marked LTV on the payment date (the period's report, the index on that date).
 * Unchanged when the metrics are null or the deal's fleet models have no series.
 */
export async function markedMetricValuesForPaymentDate(
  db: Db,
  dealId: string,
  paymentDate: string,
  values: ReadonlyMap<string, Decimal> | null,
): Promise<ReadonlyMap<string, Decimal> | null> {
  if (values === null || !values.has('ltvPercent')) return values;
  const period = dealPaymentDates(await listNotes(db, { dealId })).find((p) => p.paymentDate === paymentDate);
  if (!period) return values;
  const report = (await periodReports(db, dealId, period.periodEnd, period.periodEnd))[0];
  if (!report) return values;
  const models = (report.report as unknown as ReportCollateral).gpuFleet.map((g) => g.model);
  const marked = ltvOn(report, await allGpuSeries(db, models), paymentDate).markedLtvPercent;
  if (marked === null) return values;
  return new Map([...values, ['ltvPercent', marked]]);
}

/**
 * The seam for the projection's start GPU value (to be wired by the lead): the deal's GPU fleet
 * marked to `asOf`, per model (the latest report on or before `asOf`, lines of one model summed),
 * with each line's source. Empty when the deal has no report.
 */
export async function markedGpuValuesByModel(db: Db, dealId: string, asOf: string): Promise<Map<string, Decimal>> {
  const report = (await periodReports(db, dealId, '0000-01-01', asOf)).at(-1);
  const result = new Map<string, Decimal>();
  if (!report) return result;
  const fleet = (report.report as unknown as ReportCollateral).gpuFleet;
  const series = await allGpuSeries(
    db,
    fleet.map((g) => g.model),
  );
  for (const line of markedFleet(fleet, series, asOf))
    result.set(line.model, (result.get(line.model) ?? new Decimal(0)).plus(line.markedValue));
  return result;
}
