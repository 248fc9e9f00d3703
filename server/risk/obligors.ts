/**
 * Obligors (companies a deal depends on) and their typed relationships to deals and to each other,
 * as the operator maintains them.
 *
 * Guarantees:
 * - A company's parent chain never loops (OBLIGOR_CYCLE), so the ultimate obligor is well defined.
 * - A relationship has exactly one target, fitting its type: `tenant_of`, `sponsor_of` and
 *   `gpu_vendor_to` point at a deal; `customer_of` at a company; `equity_investor_in` and
 *   `lender_to` at either. Only `tenant_of` carries leased MW and monthly rent (INVALID_RELATIONSHIP).
 * - A CSV import is one transaction: every row is applied or none (INVALID_CSV names the line).
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { isUuid, isoDate, nonNegativeDecimal } from '../core/schemas.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, audited, type AuditActor } from '../audit/index.js';

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

async function relationshipsWhere(db: Db, filter: (q: Knex.QueryBuilder) => void): Promise<Relationship[]> {
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
    .orderBy([{ column: 'r.type' }, { column: 'o.name' }, { column: 'r.id' }]);
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

/** RFC 4180 fields: commas, double quotes doubled inside quoted fields, CRLF or LF rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Rejection('INVALID_CSV', 'an unterminated quoted field', { line: rows.length + 1 });
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

export const CSV_COLUMNS = [
  'company',
  'parent',
  'rating',
  'sector',
  'relationship',
  'deal',
  'counterparty',
  'leasedMw',
  'monthlyRent',
  'source',
  'asOf',
] as const;

/**
 * Imports companies and relationships from CSV (header = CSV_COLUMNS). Each row names a company
 * (created if new, else its parent/rating/sector updated when given); a row with `relationship`
 * also adds that relationship, its deal named by deal name and its counterparty by company name.
 * Companies are applied first, so a row may name a parent or counterparty defined further down.
 */
export async function importCsv(
  knex: Knex,
  text: string,
  actor?: AuditActor,
): Promise<{ companiesCreated: number; companiesUpdated: number; relationshipsAdded: number }> {
  const rows = parseCsv(text);
  const header = rows[0]?.map((h) => h.trim());
  if (!header || header.join(',') !== CSV_COLUMNS.join(','))
    throw new Rejection('INVALID_CSV', `the header must be ${CSV_COLUMNS.join(',')}`, { line: 1 });
  const records = rows.slice(1).map((cells, i) => {
    if (cells.length !== CSV_COLUMNS.length)
      throw new Rejection('INVALID_CSV', `expected ${CSV_COLUMNS.length} fields, got ${cells.length}`, { line: i + 2 });
    return { line: i + 2, ...Object.fromEntries(CSV_COLUMNS.map((c, k) => [c, cells[k]!.trim()])) } as { line: number } & Record<
      (typeof CSV_COLUMNS)[number],
      string
    >;
  });
  return inTransaction(knex, async (trx) => {
    const counts = { companiesCreated: 0, companiesUpdated: 0, relationshipsAdded: 0 };
    const idOf = async (companyName: string, line: number): Promise<string> => {
      const row: { id: string } | undefined = await trx('obligors').whereRaw('lower(name) = lower(?)', [companyName]).first('id');
      if (!row) throw new Rejection('INVALID_CSV', `unknown company ${companyName}`, { line });
      return row.id;
    };
    const atLine = async <T>(line: number, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        if (error instanceof Rejection && error.code !== 'INVALID_CSV')
          throw new Rejection('INVALID_CSV', `line ${line}: ${error.message}`, { line, code: error.code, ...error.details });
        if (error instanceof z.ZodError)
          throw new Rejection('INVALID_CSV', `line ${line}: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
            line,
          });
        throw error;
      }
    };
    for (const r of records) {
      await atLine(r.line, async () => {
        const existing: { id: string } | undefined = await trx('obligors').whereRaw('lower(name) = lower(?)', [r.company]).first('id');
        if (existing) {
          if (r.rating || r.sector) {
            await updateObligor(
              trx,
              existing.id,
              obligorPatch.parse({ ...(r.rating ? { rating: r.rating } : {}), ...(r.sector ? { sector: r.sector } : {}) }),
            );
            counts.companiesUpdated += 1;
          }
        } else {
          await createObligor(trx, obligorInput.parse({ name: r.company, rating: r.rating || 'NR', sector: r.sector || 'unspecified' }));
          counts.companiesCreated += 1;
        }
      });
    }
    for (const r of records) {
      if (!r.parent) continue;
      await atLine(r.line, async () => updateObligor(trx, await idOf(r.company, r.line), { parentId: await idOf(r.parent, r.line) }));
    }
    for (const r of records) {
      if (!r.relationship) continue;
      await atLine(r.line, async () => {
        let dealId: string | undefined;
        if (r.deal) {
          const deal: { id: string } | undefined = await trx('deals').where({ name: r.deal }).first('id');
          if (!deal) throw new Rejection('INVALID_CSV', `unknown deal ${r.deal}`, { line: r.line });
          dealId = deal.id;
        }
        for (const column of ['leasedMw', 'monthlyRent'] as const) {
          if (r[column] && !/^\d+(\.\d+)?$/.test(r[column]))
            throw new Rejection('INVALID_CSV', `${column} must be a plain decimal like 1250000.00`, { line: r.line, column });
        }
        const input = relationshipInput.parse({
          type: r.relationship,
          ...(dealId ? { dealId } : {}),
          ...(r.counterparty ? { counterpartyId: await idOf(r.counterparty, r.line) } : {}),
          ...(r.leasedMw ? { leasedMw: r.leasedMw } : {}),
          ...(r.monthlyRent ? { monthlyRent: r.monthlyRent } : {}),
          source: r.source,
          asOf: r.asOf,
        });
        await addRelationship(trx, await idOf(r.company, r.line), input);
        counts.relationshipsAdded += 1;
      });
    }
    if (actor)
      await appendAudit(trx, { actor, action: 'obligor.import', entity: 'obligors', details: { rows: records.length, ...counts } });
    return counts;
  });
}
