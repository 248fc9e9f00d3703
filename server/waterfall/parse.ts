/**
 * Reading a waterfall definition from JSON (a request body or a stored row): either version,
 * shape-checked by zod, converted to the step form, then checked as a whole (validate.ts). Pure.
 */
import { waterfallV1Schema, toStepForm } from './v1.js';
import { waterfallDefinitionSchema } from './definition.js';
import { validateDefinition, WaterfallDefinitionError } from './validate.js';
import type { WaterfallDefinition } from './definition.js';

/** Throws WaterfallDefinitionError (INVALID_WATERFALL) for a definition that cannot run. */
export function parseWaterfallDefinition(json: unknown): WaterfallDefinition {
  // By its version, so that a shape error points at its step rather than at a union.
  const version1 = typeof json === 'object' && json !== null && (json as { version?: unknown }).version === 1;
  const parsed = (version1 ? waterfallV1Schema : waterfallDefinitionSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const step = path[0] === 'steps' && typeof path[1] === 'number' ? path[1] : undefined;
    throw new WaterfallDefinitionError(
      `${path.join('.') || 'definition'}: ${issue?.message ?? 'invalid'}`,
      step === undefined ? {} : { step },
    );
  }
  const definition = toStepForm(parsed.data);
  validateDefinition(definition);
  return definition;
}
