/**
 * Engine benchmark (`npm run bench:engine`): our matching engine against nodejs-order-book on
 * identical seeded command streams.
 *
 * Streams (test/bench/engine/streams.ts, mulberry32):
 *   mixed  1,000,000 commands: ~60% passive limits within 100 ticks of the mid (~200 levels),
 *          ~25% cancels of resting orders, ~10% limits sweeping 2-5 levels, ~5% market orders;
 *   insert   500,000 passive limits (nothing crosses); also the memory measurement;
 *   match    500,000 commands: ~50% limits sweeping 1-3 levels, ~10% market, ~5% cancels, the
 *          rest passive within 10 ticks of the mid.
 * Each (engine, stream) pair is measured in fresh child processes (see engine/measure.ts), in
 * two rounds that alternate the engines; throughput is the best of all measured passes (load
 * from other processes only ever slows a pass down), with the median shown beside it.
 * Memory per resting order is measured on the insert stream and shown on each line of that engine.
 * Children run with Node's default V8 flags; ENGINE_BENCH_NODE_FLAGS adds flags to every engine's
 * process alike (e.g. "--max-inlined-bytecode-size-cumulative=2000" to see what more inlining
 * buys). The last lines are the summary, one per engine and stream:
 *   engine=<name> workload=<mixed|insert|match> ops_per_s=<n> p50_us=<n> p99_us=<n> bytes_per_order=<n>
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Measurement, measure, median } from './engine/measure.js';
import { ENGINE_NAMES, type EngineName } from './engine/runners.js';
import { encode, generate, type Workload } from './engine/streams.js';

const WORKLOADS: { name: Workload; count: number; seed: number }[] = [
  { name: 'mixed', count: 1_000_000, seed: 20_240_601 },
  { name: 'insert', count: 500_000, seed: 20_240_602 },
  { name: 'match', count: 500_000, seed: 20_240_603 },
];
const PEER: EngineName = 'nodejs-order-book';
/** Each engine is measured this many times per stream, in fresh processes, alternating. */
const ROUNDS = 2;
const RESULT_MARK = 'RESULT ';

if (process.argv[2] === '--child') runChild(process.argv[3] as EngineName, process.argv[4]!, process.argv[5]!);
else runMain();

function runChild(engine: EngineName, workload: string, file: string): void {
  const gc = obtainGc();
  const result = measure(engine, workload, file, gc);
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

function obtainGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function runMain(): void {
  const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  const script = fileURLToPath(import.meta.url);
  const results: Measurement[] = [];
  try {
    for (const workload of WORKLOADS) {
      const started = Date.now();
      const steps = generate(workload.name, workload.count, workload.seed);
      const file = join(dir, `${workload.name}.bin`);
      writeFileSync(file, encode(steps));
      const kinds = countKinds(steps.map((s) => s.label));
      console.log(
        `stream ${workload.name}: ${workload.count} commands (${kinds}), seed ${workload.seed}, ` +
          `generated in ${Date.now() - started} ms`,
      );
      // Rounds alternate the engines, so a burst of load on this shared machine hits them all.
      const rounds: Measurement[][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        rounds.push(ENGINE_NAMES.map((engine) => runMeasurement(script, engine, workload.name, file)));
      }
      for (const [i, engine] of ENGINE_NAMES.entries()) {
        const result = combine(
          engine,
          rounds.map((round) => round[i]!),
        );
        results.push(result);
        console.log(`  ${describe(result)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printSummary(results);
}

/**
 * Throughput: the best (and the median) of every measured pass of every round; latency and
 * memory: the median over rounds.
 */
function combine(engine: EngineName, rounds: Measurement[]): Measurement {
  const passRates = rounds.flatMap((r) => r.passRates);
  const memory = rounds.map((r) => r.bytesPerOrder).filter((b): b is number => b !== null);
  return {
    ...rounds[0]!,
    engine,
    opsPerSecond: Math.max(...passRates),
    opsPerSecondMedian: median(passRates),
    passRates,
    p50Us: median(rounds.map((r) => r.p50Us)),
    p99Us: median(rounds.map((r) => r.p99Us)),
    p999Us: median(rounds.map((r) => r.p999Us)),
    maxUs: Math.max(...rounds.map((r) => r.maxUs)),
    bytesPerOrder: memory.length === 0 ? null : median(memory),
  };
}

function runMeasurement(script: string, engine: EngineName, workload: string, file: string): Measurement {
  const extraFlags = (process.env.ENGINE_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', '--max-old-space-size=4096', ...extraFlags, script, '--child', engine, workload, file],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (child.status !== 0 || line === undefined) {
    throw new Error(`measuring ${engine} on ${workload} failed (status ${child.status}):\n${child.stderr}`);
  }
  return JSON.parse(line.slice(RESULT_MARK.length)) as Measurement;
}

function countKinds(kinds: string[]): string {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${kind} ${((100 * count) / kinds.length).toFixed(1)}%`).join(', ');
}

function describe(r: Measurement): string {
  return (
    `${r.engine.padEnd(18)} ${Math.round(r.opsPerSecond).toLocaleString('en-US').padStart(11)} cmd/s ` +
    `(median ${Math.round(r.opsPerSecondMedian).toLocaleString('en-US')})  ` +
    `p50 ${r.p50Us.toFixed(2)} µs  p99 ${r.p99Us.toFixed(2)} µs  p99.9 ${r.p999Us.toFixed(2)} µs  ` +
    `max ${r.maxUs.toFixed(0)} µs  resting at end ${r.restingAtEnd}` +
    (r.bytesPerOrder === null ? '' : `  ${r.bytesPerOrder.toFixed(0)} bytes/resting order`)
  );
}

function printSummary(results: Measurement[]): void {
  const memory = new Map<string, number>();
  for (const r of results) if (r.bytesPerOrder !== null) memory.set(r.engine, r.bytesPerOrder);
  console.log('\nratios against nodejs-order-book (throughput ×: best and median, p99 ×, memory ×):');
  for (const r of results) {
    if (r.engine === PEER) continue;
    const peer = results.find((p) => p.engine === PEER && p.workload === r.workload)!;
    const bytes = memory.get(r.engine)! / memory.get(PEER)!;
    console.log(
      `  ${r.engine.padEnd(14)} ${r.workload.padEnd(7)} throughput ${(r.opsPerSecond / peer.opsPerSecond).toFixed(2)}× ` +
        `(median ${(r.opsPerSecondMedian / peer.opsPerSecondMedian).toFixed(2)}×)  ` +
        `p99 ${(r.p99Us / peer.p99Us).toFixed(2)}×  memory ${bytes.toFixed(2)}×`,
    );
  }
  console.log('\n(bytes_per_order: heap + array buffers per resting order, measured on the insert stream)');
  for (const r of results) {
    console.log(
      `engine=${r.engine} workload=${r.workload} ops_per_s=${Math.round(r.opsPerSecond)} ` +
        `p50_us=${r.p50Us.toFixed(2)} p99_us=${r.p99Us.toFixed(2)} bytes_per_order=${Math.round(memory.get(r.engine)!)}`,
    );
  }
}
