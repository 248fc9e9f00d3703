/**
 * The defaulted companies' relationships other than tenancies (GPU vendor, lender, equity
 * investor, sponsor, customer), each with the treatment a contagion scenario states for it: these
 * are listed as assumptions, with their source and as-of date, and never applied to the cash flows.
 *
 * Guarantees: one statement per relationship, in company, type and id order, read through the
 * register's own relationship query (obligors.ts), so the two never disagree on a relationship.
 * Must never: write anything, or change a projection.
 */
import type { Knex } from 'knex';
import { BY_COMPANY, relationshipsWhere } from './obligors.js';

const TREATMENT: Readonly<Record<string, string>> = {
  gpu_vendor_to: 'warranty, support and spare parts may lapse; not modelled (a GPU value shock can stand for it)',
  lender_to: "the borrower's funding may be withdrawn or accelerated; the borrower is not assumed to default",
  equity_investor_in: 'equity support may be withdrawn; the company invested in is not assumed to default',
  sponsor_of: 'the sponsor/manager may need replacing; servicing is assumed to continue unchanged',
  customer_of: "the supplier loses this customer's revenue; the supplier is not assumed to default",
};

/** Relationships of the defaulted companies other than tenancies, each with its stated treatment. */
export async function contagionRelationships(db: Knex, obligorIds: readonly string[]) {
  if (obligorIds.length === 0) return [];
  const relationships = await relationshipsWhere(
    db,
    (q) => q.whereIn('r.obligor_id', [...new Set(obligorIds)]).whereNot('r.type', 'tenant_of'),
    BY_COMPANY,
  );
  return relationships.map((r) => {
    const target = r.dealName ?? r.counterpartyName ?? '';
    const treatment = TREATMENT[r.type] ?? 'not modelled';
    return {
      relationshipId: r.id,
      obligorId: r.obligorId,
      obligorName: r.obligorName,
      type: r.type,
      dealId: r.dealId,
      counterpartyId: r.counterpartyId,
      target,
      source: r.source,
      asOf: r.asOf,
      treatment,
      statement: `${r.obligorName} ${r.type.replace(/_/g, ' ')} ${target} (${r.source}, as of ${r.asOf}): ${treatment}.`,
    };
  });
}
