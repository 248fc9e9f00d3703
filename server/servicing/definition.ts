/**
 * A deal's waterfall definition, stored as jsonb in deal_waterfalls, in the step form
 * (server/waterfall/definition.ts). Reading accepts a stored version-1 row too and converts it;
 * saving accepts either version from the wire, converts, checks that the definition can run
 * (server/waterfall/validate.ts) and that its classes are exactly the deal's notes, each once.
 * Every failure is INVALID_WATERFALL (400) with details naming the step, trigger or class.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { listNotes } from '../refdata/notes.js';
import { audited, type AuditActor } from '../audit/index.js';
import { parseWaterfallDefinition, WaterfallDefinitionError, type WaterfallDefinition } from '../waterfall/index.js';

export type { WaterfallDefinition } from '../waterfall/index.js';

/** The definition in step form, or INVALID_WATERFALL naming what cannot run. */
export function readDefinition(json: unknown): WaterfallDefinition {
  try {
    return parseWaterfallDefinition(json);
  } catch (error) {
    if (error instanceof WaterfallDefinitionError) throw new Rejection('INVALID_WATERFALL', error.message, { ...error.details });
    throw error;
  }
}

export async function checkAgainstDeal(db: Knex | Knex.Transaction, dealId: string, definition: WaterfallDefinition): Promise<void> {
  const notes = await listNotes(db, { dealId });
  const ids = new Set(notes.map((n) => n.id));
  const seen = new Set<string>();
  for (const c of definition.classes) {
    if (!ids.has(c.noteId))
      throw new Rejection('INVALID_WATERFALL', `class ${c.className} (${c.noteId}) is not a note of this deal`, {
        noteId: c.noteId,
        className: c.className,
      });
    seen.add(c.noteId);
  }
  if (seen.size !== ids.size)
    throw new Rejection('INVALID_WATERFALL', 'the waterfall must rank every note of the deal', {
      notes: [...ids].filter((id) => !seen.has(id)),
    });
}

export async function findWaterfall(db: Knex | Knex.Transaction, dealId: string): Promise<WaterfallDefinition | null> {
  const row: { definition: unknown } | undefined = await db('deal_waterfalls').where({ deal_id: dealId }).first('definition');
  if (!row) return null;
  return readDefinition(typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition);
}

export async function getWaterfall(db: Knex | Knex.Transaction, dealId: string): Promise<WaterfallDefinition> {
  const definition = await findWaterfall(db, dealId);
  if (!definition) throw new Rejection('WATERFALL_NOT_DEFINED', 'this deal has no waterfall definition', { dealId });
  return definition;
}

/** Saves a definition of either version (as sent), in the step form; returns what was stored. */
export async function saveWaterfall(
  db: Knex | Knex.Transaction,
  dealId: string,
  body: unknown,
  actor?: AuditActor,
): Promise<WaterfallDefinition> {
  const definition = readDefinition(body);
  await checkAgainstDeal(db, dealId, definition);
  return audited(
    db,
    actor,
    async (trx) => {
      await trx('deal_waterfalls')
        .insert({ deal_id: dealId, definition: JSON.stringify(definition), updated_at: trx.fn.now() })
        .onConflict('deal_id')
        .merge(['definition', 'updated_at']);
      return definition;
    },
    (saved) => ({
      action: 'waterfall.set',
      entity: `deal:${dealId}/waterfall`,
      details: { steps: saved.steps.length, classes: saved.classes.length },
    }),
  );
}
