/**
 * A bench worker: runs what the main thread asks ({projections, seed} or {cells: [u, r][]}) and
 * answers with a count or the cells' yields.
 */
import { parentPort } from 'node:worker_threads';
import { generator, gridCell, project, randomScenario } from './work.js';

parentPort!.on('message', (task: { projections?: number; seed?: number; cells?: (readonly [string, string])[]; price?: string }) => {
  if (task.projections !== undefined) {
    const next = generator(task.seed ?? 1);
    const scenarios = Array.from({ length: task.projections }, () => randomScenario(next));
    const started = performance.now();
    for (const s of scenarios) project(s);
    parentPort!.postMessage({ done: task.projections, ms: performance.now() - started });
  } else {
    parentPort!.postMessage({ cells: (task.cells ?? []).map(([u, r]) => gridCell(u, r, task.price ?? '97')) });
  }
});
parentPort!.postMessage({ ready: true });
