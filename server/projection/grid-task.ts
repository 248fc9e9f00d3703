/**
 * A projection grid as a self-contained task: everything runGrid needs (the deal's setup, notes,
 * base scenario and stresses, the benchmark curve) as plain data, so a worker thread can run it
 * with no database (grid-pool.ts, grid-worker.ts), and the same task gives the same cells in the
 * request thread (gridFromTask is what both call).
 */
import { parseIsoDate } from '../domain/dates.js';
import { bootstrapZeroCurve, parCurve } from '../analytics/curve.js';
import { compileSetup } from './fast-setup.js';
import type { ScenarioInput } from './scenario.js';
import type { DealContext } from './context.js';
import { runGrid, type GridAxis } from './service.js';

export interface GridTask {
  ctx: Omit<DealContext, 'compiled' | 'curve'> & { curve: NonNullable<DealContext['curve']>['stored'] | null };
  base: ScenarioInput;
  noteId: string;
  at: { price?: string; yield?: string };
  x: GridAxis;
  y: GridAxis;
  settlement: string;
}

export type GridResult = ReturnType<typeof runGrid>;

export function gridTask(ctx: DealContext, task: Omit<GridTask, 'ctx'>): GridTask {
  const { compiled: _compiled, curve, ...rest } = ctx;
  return { ...task, ctx: { ...rest, curve: curve ? curve.stored : null } };
}

export function gridFromTask(task: GridTask): GridResult {
  const stored = task.ctx.curve;
  const ctx: DealContext = {
    ...task.ctx,
    compiled: compileSetup(task.ctx.setup),
    curve: stored ? { stored, par: parCurve(stored.points), zero: bootstrapZeroCurve(parCurve(stored.points)) } : null,
  };
  return runGrid(ctx, task.base, task.noteId, task.at, task.x, task.y, parseIsoDate(task.settlement));
}
