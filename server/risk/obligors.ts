/**
 * Obligors (companies a deal depends on) and their typed relationships to deals and to each other,
 * as the operator maintains them.
 *
 * Guarantees:
 * - A company's parent chain never loops (OBLIGOR_CYCLE), so the ultimate obligor is well defined.
 * - A relationship has exactly one target, fitting its type: `tenant_of`, `sponsor_of` and
 *   `gpu_vendor_to` point at a deal; `customer_of` at a company; `equity_investor_in` and
 *   `lender_to` at either. Only `tenant_of` carries leased MW and monthly rent (INVALID_RELATIONSHIP).
 *
 * The CSV import of the register is obligors-csv.ts.
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { isUuid, isoDate, nonNegativeDecimal } from '../core/schemas.js';
import { audited, type AuditActor } from '../audit/index.js';

type Db = Knex | Knex.Transaction;

export const RELATIONSHIP_TYPES = ['tenant_of', 'sponsor_of', 'gpu_vendor_to', 'equity_investor_in', 'lender_to', 'customer_of'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];
const DEAL_ONLY: readonly RelationshipType[] = ['tenant_of', 'sponsor_of', 'gpu_vendor_to'];
const COMPANY_ONLY: readonly RelationshipType[] = ['customer_of'];

const name = z.string().trim().min(1).max(200);
export const obligorInput = z
  .object({
    name,
    parentId: z.string().uuid().nullable().optional(),
    rating: z.string().trim().min(1).max(10).default('NR'),
    sector: z.string().trim().min(1).max(100),
  })
  .strict();
export const obligorPatch = z
  .object({
    name: name.optional(),
    parentId: z.string().uuid().nullable().optional(),
    rating: z.string().trim().min(1).max(10).optional(),
    sector: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field');
export const relationshipInput = z
  .object({
    type: z.enum(RELATIONSHIP_TYPES),
    dealId: z.string().uuid().optional(),
    counterpartyId: z.string().uuid().optional(),
    leasedMw: nonNegativeDecimal.optional(),
    monthlyRent: nonNegativeDecimal.optional(),
    source: z.string().trim().min(1).max(300),
    asOf: isoDate,
  })
  .strict();

export type ObligorInput = z.infer<typeof obligorInput>;
export type RelationshipInput = z.infer<typeof relationshipInput>;

export interface Obligor {
  id: string;
  name: string;
  parentId: string | null;
  ultimateParentId: string;
  ultimateParentName: string;
  rating: string;
  sector: string;
}
export interface Relationship {
  id: string;
  type: RelationshipType;
  obligorId: string;
  obligorName: string;
  dealId: string | null;
  dealName: string | null;
  counterpartyId: string | null;
  counterpartyName: string | null;
  leasedMw: string | null;
  monthlyRent: string | null;
  source: string;
  asOf: string;
}

interface ObligorRow {
  id: string;
  name: string;
  parent_id: string | null;
  rating: string;
  sector: string;
}

/** Every company with its ultimate parent, keyed by id. */
export async function obligorIndex(db: Db): Promise<Map<string, Obligor>> {
  const rows: ObligorRow[] = await db('obligors').select('id', 'name', 'parent_id', 'rating', 'sector').orderBy('name');
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ultimate = (row: ObligorRow): ObligorRow => {
    let current = row;
    for (let hops = 0; current.parent_id && hops <= rows.length; hops += 1) current = byId.get(current.parent_id) ?? current;
    return current;
  };
  return new Map(
    rows.map((r) => {
      const top = ultimate(r);
      return [
        r.id,
        {
          id: r.id,
          name: r.name,
          parentId: r.parent_id,
          ultimateParentId: top.id,
          ultimateParentName: top.name,
          rating: r.rating,
          sector: r.sector,
        },
      ];
    }),
  );
}

export async function listObligors(db: Db): Promise<Obligor[]> {
  return [...(await obligorIndex(db)).values()];
}

/** The register lists relationships by type, then company; a contagion scenario's assumptions by company, then type. */
export const BY_TYPE = ['r.type', 'o.name', 'r.id'] as const;
export const BY_COMPANY = ['o.name', 'r.type', 'r.id'] as const;

/** The relationships `filter` selects (the query joins company `o`, deal `d`, counterparty `c`), in `order`. */
export async function relationshipsWhere(
  db: Db,
  filter: (q: Knex.QueryBuilder) => void,
  order: typeof BY_TYPE | typeof BY_COMPANY = BY_TYPE,
): Promise<Relationship[]> {
  const query = db('obligor_relationships as r')
    .join('obligors as o', 'o.id', 'r.obligor_id')
    .leftJoin('deals as d', 'd.id', 'r.deal_id')
    .leftJoin('obligors as c', 'c.id', 'r.counterparty_id')
    .select(
      'r.id',
      'r.type',
      'r.obligor_id',
      'o.name as obligor_name',
      'r.deal_id',
      'd.name as deal_name',
      'r.counterparty_id',
      'c.name as counterparty_name',
      'r.leased_mw',
      'r.monthly_rent',
      'r.source',
      db.raw(`to_char(r.as_of, 'YYYY-MM-DD') as as_of`),
    )
    .orderBy(order.map((column) => ({ column })));
  filter(query);
  const rows: Record<string, string | null>[] = await query;
  return rows.map((r) => ({
    id: r.id!,
    type: r.type as RelationshipType,
    obligorId: r.obligor_id!,
    obligorName: r.obligor_name!,
    dealId: r.deal_id ?? null,
    dealName: r.deal_name ?? null,
    counterpartyId: r.counterparty_id ?? null,
    counterpartyName: r.counterparty_name ?? null,
    leasedMw: r.leased_mw ?? null,
    monthlyRent: r.monthly_rent ?? null,
    source: r.source!,
    asOf: r.as_of!,
  }));
}

export async function listRelationships(db: Db): Promise<Relationship[]> {
  return relationshipsWhere(db, () => undefined);
}

/** A company with every relationship it is on either side of. */
export async function getObligor(db: Db, id: string): Promise<Obligor & { relationships: Relationship[] }> {
  const obligor = (await obligorIndex(db)).get(id);
  if (!obligor) throw new Rejection('OBLIGOR_NOT_FOUND', `obligor ${id} does not exist`, { obligorId: id });
  const relationships = await relationshipsWhere(db, (q) => q.where('r.obligor_id', id).orWhere('r.counterparty_id', id));
  return { ...obligor, relationships };
}

async function assertExists(db: Db, id: string): Promise<void> {
  // An id that is not a UUID names no company (and would fail the uuid column's cast: a 500).
  if (!isUuid(id) || !(await db('obligors').where({ id }).first('id')))
    throw new Rejection('OBLIGOR_NOT_FOUND', `obligor ${id} does not exist`, { obligorId: id });
}

/** Refuses a parent that is the company itself or one of its descendants. */
async function assertNoCycle(db: Db, id: string, parentId: string): Promise<void> {
  let current: string | null = parentId;
  for (let hops = 0; current; hops += 1) {
    if (current === id || hops > 10_000)
      throw new Rejection('OBLIGOR_CYCLE', 'the parent would make the company its own ancestor', { obligorId: id, parentId });
    const row: { parent_id: string | null } | undefined = await db('obligors').where({ id: current }).first('parent_id');
    current = row?.parent_id ?? null;
  }
}

async function assertNameFree(db: Db, name: string, exceptId?: string): Promise<void> {
  const existing: { id: string } | undefined = await db('obligors').whereRaw('lower(name) = lower(?)', [name]).first('id');
  if (existing && existing.id !== exceptId)
    throw new Rejection('DUPLICATE_NAME', `a company named ${name} exists`, { name, obligorId: existing.id });
}

export async function createObligor(db: Db, input: ObligorInput, actor?: AuditActor): Promise<Obligor> {
  return audited(
    db,
    actor,
    async (db) => {
      await assertNameFree(db, input.name);
      if (input.parentId) await assertExists(db, input.parentId);
      const [row]: { id: string }[] = await db('obligors')
        .insert({ name: input.name, parent_id: input.parentId ?? null, rating: input.rating, sector: input.sector })
        .returning('id');
      return (await obligorIndex(db)).get(row!.id)!;
    },
    (obligor) => ({
      action: 'obligor.create',
      entity: `obligor:${obligor.id}`,
      details: { name: input.name, rating: input.rating, sector: input.sector, parentId: input.parentId ?? null },
    }),
  );
}

export async function updateObligor(db: Db, id: string, patch: z.infer<typeof obligorPatch>, actor?: AuditActor): Promise<Obligor> {
  return audited(
    db,
    actor,
    async (db) => {
      await assertExists(db, id);
      if (patch.name !== undefined) await assertNameFree(db, patch.name, id);
      if (patch.parentId) {
        await assertExists(db, patch.parentId);
        await assertNoCycle(db, id, patch.parentId);
      }
      await db('obligors')
        .where({ id })
        .update({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.parentId !== undefined ? { parent_id: patch.parentId } : {}),
          ...(patch.rating !== undefined ? { rating: patch.rating } : {}),
          ...(patch.sector !== undefined ? { sector: patch.sector } : {}),
          updated_at: db.fn.now(),
        });
      return (await obligorIndex(db)).get(id)!;
    },
    () => ({ action: 'obligor.update', entity: `obligor:${id}`, details: { ...patch } }),
  );
}

function invalid(field: string, message: string): never {
  throw new Rejection('INVALID_RELATIONSHIP', message, { field });
}

export async function addRelationship(db: Db, obligorId: string, input: RelationshipInput, actor?: AuditActor): Promise<Relationship> {
  return audited(
    db,
    actor,
    async (db) => {
      await assertExists(db, obligorId);
      const toDeal = input.dealId !== undefined;
      if (toDeal === (input.counterpartyId !== undefined)) invalid('dealId', 'give exactly one target: dealId or counterpartyId');
      if (toDeal && COMPANY_ONLY.includes(input.type)) invalid('dealId', `${input.type} points at a company`);
      if (!toDeal && DEAL_ONLY.includes(input.type)) invalid('counterpartyId', `${input.type} points at a deal`);
      if (input.type !== 'tenant_of' && (input.leasedMw !== undefined || input.monthlyRent !== undefined))
        invalid('leasedMw', 'only a tenancy carries leased MW and rent');
      if (input.type === 'tenant_of' && (input.leasedMw === undefined || input.monthlyRent === undefined))
        invalid('leasedMw', 'a tenancy needs leasedMw and monthlyRent');
      if (input.counterpartyId === obligorId) invalid('counterpartyId', 'a company is not related to itself');
      if (input.dealId && !(await db('deals').where({ id: input.dealId }).first('id')))
        throw new Rejection('DEAL_NOT_FOUND', `deal ${input.dealId} does not exist`, { dealId: input.dealId });
      if (input.counterpartyId) await assertExists(db, input.counterpartyId);
      const [row]: { id: string }[] = await db('obligor_relationships')
        .insert({
          obligor_id: obligorId,
          type: input.type,
          deal_id: input.dealId ?? null,
          counterparty_id: input.counterpartyId ?? null,
          leased_mw: input.leasedMw ?? null,
          monthly_rent: input.monthlyRent ?? null,
          source: input.source,
          as_of: input.asOf,
        })
        .returning('id');
      return (await relationshipsWhere(db, (q) => q.where('r.id', row!.id)))[0]!;
    },
    (relationship) => ({
      action: 'obligor.relationship_add',
      entity: `obligor:${obligorId}`,
      details: { relationshipId: relationship.id, ...input },
    }),
  );
}
