/**
 * A deal's waterfall as data (stored as jsonb in deal_waterfalls): its classes in order of
 * seniority, senior fees, reserve target, principal mode and schedule, the DSCR cash trap and the
 * anticipated repayment date. The schema validates the shape; `checkAgainstDeal` checks that the
 * classes are exactly the deal's notes, each once.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import { Rejection } from '../core/rejections.js';
import { isoDate, nonNegativeDecimal } from '../core/schemas.js';
import { Decimal } from '../domain/decimal.js';
import { listNotes } from '../refdata/notes.js';

const cents = nonNegativeDecimal.refine((v) => new Decimal(v).decimalPlaces() <= 2, 'must have at most 2 decimal places');
const percent = nonNegativeDecimal.refine((v) => new Decimal(v).lte(100), 'must be at most 100');

export const waterfallDefinitionSchema = z
  .object({
    version: z.literal(1),
    paymentsPerYear: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(12)]),
    seniorFees: z.array(z.object({ name: z.string().trim().min(1).max(60), annualRatePercent: percent.default('0'), fixedPerPeriod: cents.default('0') }).strict()).max(10),
    classes: z.array(z.object({ noteId: z.string().uuid(), className: z.string().trim().min(1).max(20) }).strict()).min(1).max(20),
    reserve: z.object({ targetAmount: cents }).strict(),
    principal: z.object({ mode: z.enum(['sequential', 'pro_rata']), scheduledPerPeriod: cents }).strict(),
    cashTrap: z.object({ dscrThreshold: nonNegativeDecimal, trapPercent: percent }).strict().nullable(),
    anticipatedRepaymentDate: isoDate.nullable(),
    recordDate: z.literal('business-day-before-payment-date'),
  })
  .strict();

export type WaterfallDefinition = z.infer<typeof waterfallDefinitionSchema>;

export async function checkAgainstDeal(db: Knex | Knex.Transaction, dealId: string, definition: WaterfallDefinition): Promise<void> {
  const notes = await listNotes(db, { dealId });
  const ids = new Set(notes.map((n) => n.id));
  const seen = new Set<string>();
  for (const c of definition.classes) {
    if (!ids.has(c.noteId)) throw new Rejection('INVALID_WATERFALL', `class ${c.className} (${c.noteId}) is not a note of this deal`, { noteId: c.noteId });
    if (seen.has(c.noteId)) throw new Rejection('INVALID_WATERFALL', `class ${c.className} appears twice`, { noteId: c.noteId });
    seen.add(c.noteId);
  }
  if (seen.size !== ids.size) throw new Rejection('INVALID_WATERFALL', 'the waterfall must rank every note of the deal', { notes: [...ids].filter((id) => !seen.has(id)) });
}

export async function findWaterfall(db: Knex | Knex.Transaction, dealId: string): Promise<WaterfallDefinition | null> {
  const row: { definition: unknown } | undefined = await db('deal_waterfalls').where({ deal_id: dealId }).first('definition');
  if (!row) return null;
  const definition = typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition;
  return waterfallDefinitionSchema.parse(definition);
}

export async function getWaterfall(db: Knex | Knex.Transaction, dealId: string): Promise<WaterfallDefinition> {
  const definition = await findWaterfall(db, dealId);
  if (!definition) throw new Rejection('WATERFALL_NOT_DEFINED', 'this deal has no waterfall definition', { dealId });
  return definition;
}

export async function saveWaterfall(db: Knex | Knex.Transaction, dealId: string, definition: WaterfallDefinition): Promise<void> {
  await checkAgainstDeal(db, dealId, definition);
  await db('deal_waterfalls')
    .insert({ deal_id: dealId, definition: JSON.stringify(definition), updated_at: db.fn.now() })
    .onConflict('deal_id')
    .merge(['definition', 'updated_at']);
}
