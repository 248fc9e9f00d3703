/**
 * Deals: the securitizations (or single-borrower financings) that issue notes, with the collateral
 * facts an investor looks at first — the datacenter site, its power, its GPUs, the lessee and the
 * lease term.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { isUuid } from '../core/schemas.js';
import { audited, type AuditActor } from '../audit/index.js';

export interface DealInput {
  name: string;
  sponsor: string;
  issuer: string;
  dealType: string;
  closingDate: string;
  collateral: {
    site: string;
    capacityMw: string;
    gpuCount: number;
    gpuModel: string;
    lessee: string;
    leaseTermMonths: number;
  };
  description: string;
}

export interface Deal extends DealInput {
  id: string;
}

interface DealRow {
  id: string;
  name: string;
  sponsor: string;
  issuer: string;
  deal_type: string;
  closing_date: string;
  site: string;
  capacity_mw: string;
  gpu_count: number;
  gpu_model: string;
  lessee: string;
  lease_term_months: number;
  description: string;
}

function toDeal(row: DealRow): Deal {
  return {
    id: row.id,
    name: row.name,
    sponsor: row.sponsor,
    issuer: row.issuer,
    dealType: row.deal_type,
    closingDate: row.closing_date,
    collateral: {
      site: row.site,
      capacityMw: row.capacity_mw,
      gpuCount: row.gpu_count,
      gpuModel: row.gpu_model,
      lessee: row.lessee,
      leaseTermMonths: row.lease_term_months,
    },
    description: row.description,
  };
}

export async function listDeals(db: Knex): Promise<Deal[]> {
  const rows: DealRow[] = await db('deals').orderBy('name').select('*');
  return rows.map(toDeal);
}

export async function getDeal(db: Knex | Knex.Transaction, id: string): Promise<Deal> {
  const row: DealRow | undefined = isUuid(id) ? await db('deals').where({ id }).first() : undefined;
  if (!row) throw new Rejection('DEAL_NOT_FOUND', `deal ${id} does not exist`, { dealId: id });
  return toDeal(row);
}

export async function createDeal(db: Knex | Knex.Transaction, input: DealInput, actor?: AuditActor): Promise<Deal> {
  return audited(
    db,
    actor,
    async (db) => {
      const [row]: DealRow[] = await db('deals')
        .insert({
          name: input.name,
          sponsor: input.sponsor,
          issuer: input.issuer,
          deal_type: input.dealType,
          closing_date: input.closingDate,
          site: input.collateral.site,
          capacity_mw: input.collateral.capacityMw,
          gpu_count: input.collateral.gpuCount,
          gpu_model: input.collateral.gpuModel,
          lessee: input.collateral.lessee,
          lease_term_months: input.collateral.leaseTermMonths,
          description: input.description,
        })
        .onConflict('name')
        .ignore()
        .returning('*');
      if (!row) throw new Rejection('DUPLICATE_NAME', `a deal named ${input.name} exists`, { name: input.name });
      return toDeal(row);
    },
    (deal) => ({ action: 'deal.create', entity: `deal:${deal.id}`, details: { name: deal.name, sponsor: input.sponsor } }),
  );
}
