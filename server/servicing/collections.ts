/**
 * Collections: what the trustee records for a deal and payment date — revenue from the compute
 * leases and operating costs (power cost shown as a component of them), with the datacenter's
 * utilization and uptime. Revenue enters the trust account from outside and operating costs leave
 * it, in one journal entry; the deal's free cash in the trust grows by the difference.
 *
 * The deal's calendar rules (calendar.ts): the payment date is one of the deal's payment dates
 * (NOT_A_PAYMENT_DATE), and the collection period is derived from it (a period sent must be that
 * one: COLLECTION_PERIOD_MISMATCH). Collections come from the performance reports: a collection
 * links to the latest versions of its period's reports, and one sent without figures takes them
 * from those reports (sums of revenue, operating and power costs; the mean of the months'
 * utilization and uptime). A collection sent with figures must carry all five; reconciliation
 * names any difference from the reports (collection_report_mismatch).
 *
 * Guarantees: idempotent by (deal, reference) — a repeat of any version's figures answers that
 * version, other figures under the same reference are IDEMPOTENCY_CONFLICT; nothing is recorded or
 * corrected for a payment date whose distribution already ran (WRONG_STATE); the deal's trust cash
 * never goes negative. A correction is a new version of the same reference, with who and why: the
 * old version's entry is reversed, the new one posted, both rows kept (the old one `superseded`).
 *
 * The figures (sent, or taken from the reports) and their checks are collection-figures.ts.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, postEntries, type EntryInput, type PostingInput } from '../ledger/index.js';
import { getDeal, type Deal } from '../refdata/deals.js';
import { listNotes } from '../refdata/notes.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { dealPaymentDates, type PaymentDate } from './calendar.js';
import { checkFigures, resolveFigures, type CollectionFigures } from './collection-figures.js';
import { lockDealState } from './state.js';

export interface CollectionInput extends Partial<CollectionFigures> {
  reference: string;
  paymentDate: string;
  /** Derived from the payment date; when sent, it must be the derived one. */
  periodStart?: string;
  periodEnd?: string;
}

export interface CorrectionInput extends Partial<CollectionFigures> {
  reason: string;
}

interface CollectionRow {
  id: string;
  deal_id: string;
  reference: string;
  payment_date: string;
  period_start: string;
  period_end: string;
  revenue: string;
  operating_costs: string;
  utilization: string;
  uptime: string;
  power_cost: string;
  entry_id: string;
  business_date: string;
  recorded_by: string | null;
  version: number;
  status: 'active' | 'superseded';
  supersedes_id: string | null;
  reversal_entry_id: string | null;
  reason: string | null;
  report_ids: unknown;
  created_at: Date | string;
}

export function collectionView(row: CollectionRow) {
  const revenue = new Decimal(row.revenue);
  const costs = new Decimal(row.operating_costs);
  const power = new Decimal(row.power_cost);
  const reportIds = (typeof row.report_ids === 'string' ? JSON.parse(row.report_ids) : (row.report_ids ?? [])) as string[];
  return {
    id: String(row.id),
    dealId: row.deal_id,
    reference: row.reference,
    version: row.version,
    status: row.status,
    paymentDate: row.payment_date,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    revenue: revenue.toFixed(2),
    operatingCosts: costs.toFixed(2),
    netCashFlow: revenue.minus(costs).toFixed(2),
    operatingCostBreakdown: { power: power.toFixed(2), other: costs.minus(power).toFixed(2) },
    utilization: new Decimal(row.utilization).toFixed(),
    uptime: new Decimal(row.uptime).toFixed(),
    powerCost: power.toFixed(2),
    performanceReportIds: reportIds.map(String),
    entryId: String(row.entry_id),
    reversalEntryId: row.reversal_entry_id === null ? null : String(row.reversal_entry_id),
    supersedesId: row.supersedes_id === null ? null : String(row.supersedes_id),
    reason: row.reason,
    recordedBy: row.recorded_by,
    businessDate: row.business_date,
    recordedAt: new Date(row.created_at).toISOString(),
  };
}

function sameFigures(row: CollectionRow, f: CollectionFigures): boolean {
  return (
    new Decimal(row.revenue).eq(f.revenue) &&
    new Decimal(row.operating_costs).eq(f.operatingCosts) &&
    new Decimal(row.utilization).eq(f.utilization) &&
    new Decimal(row.uptime).eq(f.uptime) &&
    new Decimal(row.power_cost).eq(f.powerCost)
  );
}

/** The deal's payment date `paymentDate`, or NOT_A_PAYMENT_DATE naming the next one. */
export async function paymentDateOf(db: Knex | Knex.Transaction, dealId: string, paymentDate: string): Promise<PaymentDate> {
  const dates = dealPaymentDates(await listNotes(db, { dealId }));
  const found = dates.find((p) => p.paymentDate === paymentDate);
  if (!found) {
    const next = dates.find((p) => p.paymentDate > paymentDate)?.paymentDate ?? null;
    throw new Rejection(
      'NOT_A_PAYMENT_DATE',
      `${paymentDate} is not a payment date of this deal${next ? `; the next one is ${next}` : ''}`,
      { paymentDate, nextPaymentDate: next },
    );
  }
  return found;
}

/** The payment dates around the business date with their collection periods and state. */
export async function collectionCalendar(db: Knex, dealId: string, count: number) {
  const deal = await getDeal(db, dealId);
  const businessDate = await currentBusinessDate(db);
  const dates = dealPaymentDates(await listNotes(db, { dealId: deal.id }));
  const next = dates.findIndex((p) => p.paymentDate >= businessDate);
  const from = Math.max(0, (next === -1 ? dates.length : next) - count + 1);
  const window = dates.slice(from, from + count);
  const distributed = new Set(
    (await db('distributions').where({ deal_id: deal.id }).select('payment_date')).map((r: { payment_date: string }) => r.payment_date),
  );
  return window.map((p) => ({ ...p, distributed: distributed.has(p.paymentDate) }));
}

/** Revenue in from outside, costs out, as trust postings; `sign` −1 reverses them. */
function cashPostings(revenue: Decimal, costs: Decimal, sign: 1 | -1): PostingInput[] {
  const trust = { systemCode: 'trust' as const, asset: CASH_ASSET };
  const outside = { systemCode: 'external-cash' as const, asset: CASH_ASSET };
  const postings: PostingInput[] = [];
  if (revenue.gt(0)) postings.push({ account: trust, amount: revenue.mul(sign) }, { account: outside, amount: revenue.mul(-sign) });
  if (costs.gt(0)) postings.push({ account: trust, amount: costs.mul(-sign) }, { account: outside, amount: costs.mul(sign) });
  return postings;
}

interface Context {
  deal: Deal;
  period: PaymentDate;
  businessDate: string;
  recordedBy: string | null;
}

async function insertVersion(
  trx: Knex.Transaction,
  ctx: Context,
  reference: string,
  version: number,
  figures: CollectionFigures,
  reportIds: string[],
  extra: { supersedesId?: string; reason?: string; entryKey: string; entryId: string },
) {
  const [row]: CollectionRow[] = await trx('servicing_collections')
    .insert({
      deal_id: ctx.deal.id,
      reference,
      version,
      payment_date: ctx.period.paymentDate,
      period_start: ctx.period.periodStart,
      period_end: ctx.period.periodEnd,
      revenue: new Decimal(figures.revenue).toFixed(2),
      operating_costs: new Decimal(figures.operatingCosts).toFixed(2),
      utilization: figures.utilization,
      uptime: figures.uptime,
      power_cost: new Decimal(figures.powerCost).toFixed(2),
      entry_id: extra.entryId,
      business_date: ctx.businessDate,
      recorded_by: ctx.recordedBy,
      supersedes_id: extra.supersedesId ?? null,
      reason: extra.reason ?? null,
      report_ids: JSON.stringify(reportIds),
    })
    .returning('*');
  return row as CollectionRow;
}

function entryFor(
  ctx: Context,
  key: string,
  description: string,
  postings: PostingInput[],
  metadata: Record<string, unknown>,
  kind: 'cash_deposit' | 'adjustment' = 'cash_deposit',
): EntryInput {
  return {
    idempotencyKey: key,
    kind,
    description,
    businessDate: ctx.businessDate,
    createdBy: ctx.recordedBy,
    metadata: { dealId: ctx.deal.id, ...metadata },
    postings,
  };
}

async function assertNotDistributed(trx: Knex.Transaction, dealId: string, paymentDate: string): Promise<void> {
  const distributed = await trx('distributions').where({ deal_id: dealId, payment_date: paymentDate }).first('id');
  if (distributed) throw new Rejection('WRONG_STATE', `the distribution of ${paymentDate} already ran`, { paymentDate });
}

/** A new collection version, with its audit row in the same transaction (an idempotent repeat has none). */
async function recorded(
  trx: Knex.Transaction,
  actor: AuditActor | undefined,
  action: 'collection.record' | 'collection.correct',
  collection: ReturnType<typeof collectionView>,
) {
  if (actor) {
    await appendAudit(trx, {
      actor,
      action,
      entity: `deal:${collection.dealId}/collection:${collection.reference}`,
      details: {
        version: collection.version,
        paymentDate: collection.paymentDate,
        revenue: collection.revenue,
        operatingCosts: collection.operatingCosts,
        ...(collection.reason ? { reason: collection.reason } : {}),
      },
    });
  }
  return { status: 201, collection };
}

export async function recordCollection(knex: Knex, dealId: string, input: CollectionInput, recordedBy: string | null, actor?: AuditActor) {
  const deal = await getDeal(knex, dealId);
  const period = await paymentDateOf(knex, deal.id, input.paymentDate);
  if (
    (input.periodStart !== undefined && input.periodStart !== period.periodStart) ||
    (input.periodEnd !== undefined && input.periodEnd !== period.periodEnd)
  ) {
    throw new Rejection(
      'COLLECTION_PERIOD_MISMATCH',
      `the collection period of ${period.paymentDate} is ${period.periodStart} to ${period.periodEnd}`,
      { periodStart: period.periodStart, periodEnd: period.periodEnd },
    );
  }
  const businessDate = await currentBusinessDate(knex);
  const ctx: Context = { deal, period, businessDate, recordedBy };
  return inTransaction(knex, async (trx) => {
    const state = await lockDealState(trx, deal.id);
    const { figures, reportIds } = await resolveFigures(trx, deal.id, period, input);
    checkFigures(figures);
    const versions: CollectionRow[] = await trx('servicing_collections')
      .where({ deal_id: deal.id, reference: input.reference })
      .orderBy('version')
      .select('*');
    if (versions.length > 0) {
      const same = versions.find((v) => v.payment_date === period.paymentDate && sameFigures(v, figures));
      if (!same)
        throw new Rejection('IDEMPOTENCY_CONFLICT', `collection ${input.reference} was recorded with other figures`, {
          reference: input.reference,
        });
      return { status: 200, collection: collectionView(same) };
    }
    await assertNotDistributed(trx, deal.id, period.paymentDate);
    const revenue = new Decimal(figures.revenue);
    const costs = new Decimal(figures.operatingCosts);
    const freeCash = state.freeCash.plus(revenue).minus(costs);
    if (freeCash.isNegative())
      throw new Rejection('INSUFFICIENT_FUNDS', "operating costs exceed the revenue and the deal's free cash in trust", {
        freeCash: state.freeCash.toFixed(2),
      });
    const key = `collection:${deal.id}:${input.reference}`;
    const [posted] = await postEntries(trx, [
      entryFor(ctx, key, `collections of ${deal.name} for ${period.paymentDate} (${input.reference})`, cashPostings(revenue, costs, 1), {
        reference: input.reference,
        paymentDate: period.paymentDate,
        revenue: revenue.toFixed(2),
        operatingCosts: costs.toFixed(2),
      }),
    ]);
    const row = await insertVersion(trx, ctx, input.reference, 1, figures, reportIds, { entryKey: key, entryId: posted!.id });
    await trx('deal_servicing_state')
      .where({ deal_id: deal.id })
      .update({ free_cash: freeCash.toFixed(2), updated_at: trx.fn.now() });
    return recorded(trx, actor, 'collection.record', collectionView(row));
  });
}

/** A correction before the distribution: reverses the active version's entry and posts the new figures. */
export async function correctCollection(
  knex: Knex,
  dealId: string,
  reference: string,
  input: CorrectionInput,
  recordedBy: string | null,
  actor?: AuditActor,
) {
  const deal = await getDeal(knex, dealId);
  const businessDate = await currentBusinessDate(knex);
  return inTransaction(knex, async (trx) => {
    const state = await lockDealState(trx, deal.id);
    const active: CollectionRow | undefined = await trx('servicing_collections')
      .where({ deal_id: deal.id, reference, status: 'active' })
      .first();
    if (!active) throw new Rejection('COLLECTION_NOT_FOUND', `no collection ${reference} for this deal`, { reference });
    const period = await paymentDateOf(trx, deal.id, active.payment_date);
    await assertNotDistributed(trx, deal.id, period.paymentDate);
    const { figures, reportIds } = await resolveFigures(trx, deal.id, period, input);
    checkFigures(figures);
    if (sameFigures(active, figures) && active.reason === input.reason) return { status: 200, collection: collectionView(active) };
    const ctx: Context = { deal, period, businessDate, recordedBy };
    const oldRevenue = new Decimal(active.revenue);
    const oldCosts = new Decimal(active.operating_costs);
    const revenue = new Decimal(figures.revenue);
    const costs = new Decimal(figures.operatingCosts);
    const freeCash = state.freeCash.minus(oldRevenue.minus(oldCosts)).plus(revenue.minus(costs));
    if (freeCash.isNegative())
      throw new Rejection('INSUFFICIENT_FUNDS', "the corrected collections would leave the deal's free cash in trust negative", {
        freeCash: state.freeCash.toFixed(2),
      });
    const version = active.version + 1;
    const base = `collection:${deal.id}:${reference}:v${version}`;
    const entries = [
      entryFor(
        ctx,
        `${base}:reversal`,
        `reversal of collections ${reference} version ${active.version} of ${deal.name} (${input.reason})`,
        cashPostings(oldRevenue, oldCosts, -1),
        { reference, version: active.version, paymentDate: period.paymentDate, reverses: String(active.entry_id) },
        'adjustment',
      ),
      entryFor(
        ctx,
        base,
        `collections of ${deal.name} for ${period.paymentDate} (${reference}, version ${version})`,
        cashPostings(revenue, costs, 1),
        { reference, version, paymentDate: period.paymentDate, revenue: revenue.toFixed(2), operatingCosts: costs.toFixed(2) },
      ),
    ];
    const posted = new Map((await postEntries(trx, entries)).map((p) => [p.idempotencyKey, p.id]));
    await trx('servicing_collections')
      .where({ id: active.id })
      .update({ status: 'superseded', reversal_entry_id: posted.get(`${base}:reversal`) ?? null });
    const row = await insertVersion(trx, ctx, reference, version, figures, reportIds, {
      supersedesId: String(active.id),
      reason: input.reason,
      entryKey: base,
      entryId: posted.get(base)!,
    });
    await trx('deal_servicing_state')
      .where({ deal_id: deal.id })
      .update({ free_cash: freeCash.toFixed(2), updated_at: trx.fn.now() });
    return recorded(trx, actor, 'collection.correct', collectionView(row));
  });
}

/** Every version of the deal's collections (corrections included), oldest first. */
export async function listCollections(db: Knex, dealId: string, paymentDate?: string) {
  const rows: CollectionRow[] = await db('servicing_collections')
    .where({ deal_id: dealId })
    .modify((q) => {
      if (paymentDate) q.where({ payment_date: paymentDate });
    })
    .orderBy('id')
    .select('*');
  return rows.map(collectionView);
}
