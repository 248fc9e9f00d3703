/**
 * The scenario a projection request names, as the engine's input: inline, 'base', one of the deal's
 * named stresses, or one the user saved (by id or by name); and its resolution against the deal's
 * base scenario, where an invalid scenario becomes INVALID_SCENARIO with the field named.
 *
 * Guarantees: a user sees only the scenarios they saved; an unknown scenario is SCENARIO_NOT_FOUND.
 * Must never: write a scenario (the scenarios routes do), or run a projection.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { json, type DealContext } from './context.js';
import { projectedMonths } from './model.js';
import { resolveScenario, ScenarioError, type ResolvedScenario, type ScenarioInput } from './scenario.js';

export async function savedScenario(db: Knex, userId: string, dealId: string, id: string): Promise<ScenarioInput | null> {
  const row: { scenario: unknown; name: string } | undefined = /^[0-9a-f-]{36}$/i.test(id)
    ? await db('projection_scenarios').where({ id, user_id: userId, deal_id: dealId }).first('scenario', 'name')
    : await db('projection_scenarios').where({ name: id, user_id: userId, deal_id: dealId }).first('scenario', 'name');
  return row ? { ...(json(row.scenario) as ScenarioInput), name: row.name } : null;
}

/** The scenario input: inline, 'base', a named stress of the deal, or one the user saved. */
export async function scenarioInput(
  db: Knex,
  ctx: DealContext,
  userId: string,
  scenario?: ScenarioInput,
  scenarioId?: string,
): Promise<ScenarioInput> {
  if (scenario) return scenario;
  if (scenarioId === undefined || scenarioId === 'base') return { name: 'base' };
  const stress = ctx.collateral.stresses[scenarioId];
  if (stress) return stress;
  const saved = await savedScenario(db, userId, ctx.deal.id, scenarioId);
  if (!saved) throw new Rejection('SCENARIO_NOT_FOUND', `no scenario ${scenarioId} for this deal`, { scenarioId });
  return saved;
}

export function resolveFor(ctx: DealContext, input: ScenarioInput, fieldPrefix = 'scenario'): ResolvedScenario {
  try {
    return resolveScenario(
      input,
      ctx.collateral.base,
      projectedMonths(ctx.setup),
      ctx.setup.collateral.tenants.map((t) => t.name),
      ctx.setup.collateral.gpuFleet.map((g) => g.model),
    );
  } catch (error) {
    if (error instanceof ScenarioError)
      throw new Rejection('INVALID_SCENARIO', `${fieldPrefix}.${error.message}`, { field: `${fieldPrefix}.${error.field}` });
    throw error;
  }
}
