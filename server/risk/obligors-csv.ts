/**
 * The obligor register's CSV import: companies and relationships from an operator's file (header
 * = CSV_COLUMNS), applied through the register's own create, update and add operations
 * (obligors.ts), so a row is checked exactly as the API checks it.
 *
 * Guarantees: a CSV import is one transaction: every row is applied or none (INVALID_CSV names the
 * line, and the register's rejection it stands for). Must never: write a table directly, or leave
 * part of a file applied.
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { addRelationship, createObligor, obligorInput, obligorPatch, relationshipInput, updateObligor } from './obligors.js';

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
