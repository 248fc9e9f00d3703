/**
 * Collections: what the trustee records for a deal and payment date — revenue from the compute
 * leases and operating costs, with the datacenter's performance facts (utilization, uptime,
 * power cost). Revenue enters the trust account from outside and operating costs leave it, in
 * one journal entry; the deal's free cash in the trust grows by the difference.
 *
 * Guarantees: idempotent by (deal, reference) — a repeat answers the original, another payload
 * under the same reference is IDEMPOTENCY_CONFLICT; nothing is recorded for a payment date whose
 * distribution already ran (WRONG_STATE); the deal's trust cash never goes negative.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, postEntry, type PostingInput } from '../ledger/index.js';
import { getDeal } from '../refdata/deals.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { lockDealState } from './state.js';

export interface CollectionInput {
  reference: string;
  paymentDate: string;
  periodStart: string;
  periodEnd: string;
  revenue: string;
  operatingCosts: string;
  /** Percent of capacity leased and running, 0–100. */
  utilization: string;
  /** Percent of the period the site was up, 0–100. */
  uptime: string;
  powerCost: string;
}

interface CollectionRow {
  id: string; deal_id: string; reference: string; payment_date: string; period_start: string; period_end: string; revenue: string;
  operating_costs: string; utilization: string; uptime: string; power_cost: string; entry_id: string; business_date: string;
}

export function collectionView(row: CollectionRow) {
  const revenue = new Decimal(row.revenue);
  const costs = new Decimal(row.operating_costs);
  return {
    id: String(row.id), dealId: row.deal_id, reference: row.reference, paymentDate: row.payment_date, periodStart: row.period_start, periodEnd: row.period_end,
    revenue: revenue.toFixed(2), operatingCosts: costs.toFixed(2), netCashFlow: revenue.minus(costs).toFixed(2),
    utilization: new Decimal(row.utilization).toFixed(), uptime: new Decimal(row.uptime).toFixed(), powerCost: new Decimal(row.power_cost).toFixed(2),
    entryId: String(row.entry_id), businessDate: row.business_date,
  };
}

function samePayload(row: CollectionRow, input: CollectionInput): boolean {
  return row.payment_date === input.paymentDate && row.period_start === input.periodStart && row.period_end === input.periodEnd
    && new Decimal(row.revenue).eq(input.revenue) && new Decimal(row.operating_costs).eq(input.operatingCosts)
    && new Decimal(row.utilization).eq(input.utilization) && new Decimal(row.uptime).eq(input.uptime) && new Decimal(row.power_cost).eq(input.powerCost);
}

export async function recordCollection(knex: Knex, dealId: string, input: CollectionInput, recordedBy: string | null) {
  const deal = await getDeal(knex, dealId);
  if (input.periodStart > input.periodEnd) throw new Rejection('VALIDATION_FAILED', 'periodStart must not be after periodEnd', { field: 'periodStart' });
  const businessDate = await currentBusinessDate(knex);
  return inTransaction(knex, async (trx) => {
    const state = await lockDealState(trx, deal.id);
    const existing: CollectionRow | undefined = await trx('servicing_collections').where({ deal_id: deal.id, reference: input.reference }).first();
    if (existing) {
      if (!samePayload(existing, input)) throw new Rejection('IDEMPOTENCY_CONFLICT', `collection ${input.reference} was recorded with other figures`, { reference: input.reference });
      return { status: 200, collection: collectionView(existing) };
    }
    const distributed = await trx('distributions').where({ deal_id: deal.id, payment_date: input.paymentDate }).first('id');
    if (distributed) throw new Rejection('WRONG_STATE', `the distribution of ${input.paymentDate} already ran`, { paymentDate: input.paymentDate });
    const revenue = new Decimal(input.revenue);
    const costs = new Decimal(input.operatingCosts);
    const freeCash = state.freeCash.plus(revenue).minus(costs);
    if (freeCash.isNegative()) {
      throw new Rejection('INSUFFICIENT_FUNDS', 'operating costs exceed the revenue and the deal\'s free cash in trust', { freeCash: state.freeCash.toFixed(2) });
    }
    const postings: PostingInput[] = [];
    if (revenue.gt(0)) postings.push({ account: { systemCode: 'trust', asset: CASH_ASSET }, amount: revenue }, { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: revenue.negated() });
    if (costs.gt(0)) postings.push({ account: { systemCode: 'trust', asset: CASH_ASSET }, amount: costs.negated() }, { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: costs });
    const entry = await postEntry(trx, {
      idempotencyKey: `collection:${deal.id}:${input.reference}`,
      kind: 'cash_deposit',
      description: `collections of ${deal.name} for ${input.paymentDate} (${input.reference})`,
      businessDate,
      createdBy: recordedBy,
      metadata: { dealId: deal.id, reference: input.reference, paymentDate: input.paymentDate, revenue: revenue.toFixed(2), operatingCosts: costs.toFixed(2) },
      postings,
    });
    const [row]: CollectionRow[] = await trx('servicing_collections').insert({
      deal_id: deal.id, reference: input.reference, payment_date: input.paymentDate, period_start: input.periodStart, period_end: input.periodEnd,
      revenue: revenue.toFixed(2), operating_costs: costs.toFixed(2), utilization: input.utilization, uptime: input.uptime, power_cost: input.powerCost,
      entry_id: entry.id, business_date: businessDate, recorded_by: recordedBy,
    }).returning('*');
    await trx('deal_servicing_state').where({ deal_id: deal.id }).update({ free_cash: freeCash.toFixed(2), updated_at: trx.fn.now() });
    return { status: 201, collection: collectionView(row as CollectionRow) };
  });
}

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
