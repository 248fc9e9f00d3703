/**
 * The measuring side of the engine benchmark, run in a fresh child process per (engine,
 * workload) so no engine inherits another's JIT feedback or heap. Every pass runs the whole
 * stream on a fresh instance: three warm-up passes; four throughput passes (no per-command
 * timing, a full GC before each; the best and the median are reported); one latency pass
 * (process.hrtime.bigint() around every command); and, for the insert stream, a memory pass:
 * (heapUsed + arrayBuffers after − before) / resting orders, after forced GCs, from an empty
 * instance to one holding every order of the stream. Typed arrays live outside the JS heap, which
 * is why arrayBuffers is counted for every engine.
 */
import { readFileSync } from 'node:fs';
import { decode, STEP_WIDTH } from './streams.js';
import { type EngineName, makeRunner, type Runner } from './runners.js';

export interface Measurement {
  engine: EngineName;
  workload: string;
  commands: number;
  /** The best measured pass: load from other processes on a shared machine only ever slows a pass. */
  opsPerSecond: number;
  opsPerSecondMedian: number;
  /** Every measured pass's rate, for combining rounds. */
  passRates: number[];
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  bytesPerOrder: number | null;
  restingAtEnd: number;
}

type Gc = () => void;

/** Whole-stream passes before measuring (JIT tiers settle after two or three). */
const WARM_UP_PASSES = 3;
/** Throughput is the median of these passes, each on a fresh instance after a full GC. */
const MEASURED_PASSES = 4;

export function measure(engine: EngineName, workload: string, file: string, gc: Gc): Measurement {
  const raw = readFileSync(file);
  const data = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const n = data.length / STEP_WIDTH;
  const runner = makeRunner(engine, decode(data));

  for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
    runner.reset();
    runner.runAll();
  }
  const rates: number[] = [];
  for (let pass = 0; pass < MEASURED_PASSES; pass++) {
    runner.reset();
    gc();
    const start = process.hrtime.bigint();
    runner.runAll();
    rates.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  rates.sort((x, y) => x - y);
  const restingAtEnd = runner.restingOrders();

  runner.reset();
  gc();
  const latencies = new Float64Array(n);
  runner.runTimed(latencies);
  latencies.sort();

  let bytesPerOrder: number | null = null;
  if (workload === 'insert') bytesPerOrder = memoryPerOrder(runner, gc);
  return {
    engine,
    workload,
    commands: n,
    opsPerSecond: Math.max(...rates),
    opsPerSecondMedian: median(rates),
    passRates: rates,
    p50Us: percentile(latencies, 0.5) / 1000,
    p99Us: percentile(latencies, 0.99) / 1000,
    p999Us: percentile(latencies, 0.999) / 1000,
    maxUs: latencies[n - 1]! / 1000,
    bytesPerOrder,
    restingAtEnd,
  };
}

function memoryPerOrder(runner: Runner, gc: Gc): number {
  runner.reset(); // drops the latency pass's instance
  gc();
  gc();
  const before = heapBytes();
  runner.runAll();
  gc();
  gc();
  const after = heapBytes();
  return (after - before) / runner.restingOrders();
}

function heapBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
