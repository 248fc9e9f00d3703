/**
 * Projection speed (a benchmark, not a test): the demo ABS deal (Meridian: 3 classes, monthly, to
 * its 25-year legal final) projected under random scenarios by the integer engine on worker
 * threads over every core; a 1,000-cell grid (utilization × rent change, Class B's yield at 97);
 * and, as a yardstick, one projection through the decimal.js reference (which runs the servicing
 * waterfall engine itself). Every figure of the two engines is equal to the cent
 * (test/projection/engines.test.ts).
 *
 *   npm run bench:projection        [BENCH_PROJECTIONS=4000 per worker]
 * prints: projections_per_s=<n> grid_1000_ms=<n> cores=<n> decimal_reference_ms=<n>
 * then the same work in CPU time of one thread (cpu_ms_per_projection, cpu_ms_per_grid_cell) and the
 * rates it implies on idle cores (projections_per_s_if_idle, grid_1000_ms_if_idle).
 * Targets (issue 17): >= 1,000 projections/s, grid < 2,000 ms.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { projectReference } from '../../server/projection/reference.js';
import { generator, GRID, gridCell, project, randomScenario, setup } from './projection/work.js';

const cores = availableParallelism();
const perWorker = Number.parseInt(process.env.BENCH_PROJECTIONS ?? '3000', 10);

function startWorker(): Promise<Worker> {
  const worker = new Worker(new URL('./projection/worker-entry.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  });
}

function ask<T>(worker: Worker, task: object): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(task);
  });
}

const workers = await Promise.all(Array.from({ length: cores }, () => startWorker()));
// Warm-up: compile the hot paths in every worker.
await Promise.all(workers.map((w, i) => ask(w, { projections: 300, seed: 100 + i })));
await Promise.all(workers.map((w) => ask(w, { cells: GRID.slice(0, 20), price: '97' })));

let started = performance.now();
const runs = await Promise.all(workers.map((w, i) => ask<{ done: number; ms: number }>(w, { projections: perWorker, seed: 1 + i })));
const projectionsPerS = runs.reduce((s, r) => s + r.done / (r.ms / 1000), 0);

started = performance.now();
const chunk = Math.ceil(GRID.length / workers.length);
const parts = await Promise.all(
  workers.map((w, i) => ask<{ cells: string[] }>(w, { cells: GRID.slice(i * chunk, (i + 1) * chunk), price: '97' })),
);
const gridMs = performance.now() - started;
const cells = parts.flatMap((p) => p.cells);
if (cells.length !== 1000) throw new Error(`grid has ${cells.length} cells`);
await Promise.all(workers.map((w) => w.terminate()));

const scenario = randomScenario(generator(7));
const reps = 3;
started = performance.now();
for (let i = 0; i < reps; i += 1) projectReference(setup, scenario);
const decimalMs = (performance.now() - started) / reps;

console.log(
  `projections_per_s=${Math.round(projectionsPerS)} grid_1000_ms=${Math.round(gridMs)} cores=${cores} decimal_reference_ms=${Math.round(decimalMs)}`,
);

// The same work timed in CPU of this (now only) thread, which a shared, loaded machine does not
// inflate as it does wall time: what the rates above would be with the cores to ourselves.
const cpuMs = () => process.cpuUsage().user / 1000;
const next = generator(99);
const sample = Array.from({ length: 500 }, () => randomScenario(next));
// Warm-up to the JIT's steady state (the workers above warmed up likewise), then time a second pass.
for (let k = 0; k < 2; k += 1) for (const s of sample) project(s);
let cpu = cpuMs();
for (const s of sample) project(s);
const cpuPerProjection = (cpuMs() - cpu) / sample.length;
for (const [u, r] of GRID.slice(200, 300)) gridCell(u, r, '97');
cpu = cpuMs();
for (const [u, r] of GRID.slice(0, 200)) gridCell(u, r, '97');
const cpuPerCell = (cpuMs() - cpu) / 200;
console.log(
  `cpu_ms_per_projection=${cpuPerProjection.toFixed(3)} cpu_ms_per_grid_cell=${cpuPerCell.toFixed(3)} projections_per_s_if_idle=${Math.round((cores * 1000) / cpuPerProjection)} grid_1000_ms_if_idle=${Math.round((1000 * cpuPerCell) / cores)}`,
);
// The machine's load while this ran (other processes share the cores: the wall-clock figures above are theirs too).
console.log(`loadavg_1m=${loadavg()[0]!.toFixed(2)} loadavg_5m=${loadavg()[1]!.toFixed(2)}`);
