/**
 * What bench:ws's processes share: the plan the service process hands to the clients and driver
 * processes, the settings read from the environment, and the IPC helpers between them.
 */
import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1000,5000').split(',').map(Number);
export const ORDERS_PER_S = Number(process.env.BENCH_ORDERS_PER_S ?? 1000);
export const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
export const WARMUP_MS = 3_000;
export const DEPTH = 10;
export const RESTING_PER_NOTE = 40;
export const USERS = ['investor1', 'investor2', 'dealer1', 'dealer2'];
export const IN_FLIGHT_MAX = 500;
export const LATENCY_SAMPLED_SESSIONS = Number(process.env.BENCH_LATENCY_SESSIONS ?? 100);
/** Full SDK clients among the subscribers (at most a tenth of them). */
export const SDK_CLIENTS = Number(process.env.BENCH_SDK_CLIENTS ?? 20);
/** How long the end of a round waits for every subscriber to reach the server's final state. */
export const CONVERGE_MS = 60_000;
/** Run bench:ws-floor for each subscriber count in the same run (0 skips it). */
export const WITH_FLOOR = process.env.BENCH_FLOOR !== '0';
/** Run it again after each bench:ws round too (0: before only); the ratio is against the mean. */
export const BRACKET_FLOOR = process.env.BENCH_FLOOR_AFTER !== '0';
export const FLOOR_SCRIPT = fileURLToPath(new URL('../ws-floor.bench.ts', import.meta.url));
/** Extra WebSocket limits as JSON (e.g. '{"fanOutRestRatio":0.25}'), to compare settings of the gateway. */
export const EXTRA_WS_LIMITS = JSON.parse(process.env.BENCH_WS_LIMITS ?? '{}') as Record<string, number>;
/** Processes the sessions are spread over (real subscribers are on other machines; one process would serialise them all). */
export const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? Math.max(1, Math.min(4, os.cpus().length)));
/**
 * BENCH_GATEWAYS=N (issue 21): the subscribers connect to N gateway processes (`npm run gateway`)
 * fed by the service through NATS JetStream instead of to the service itself; 0 = in process.
 */
export const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 0);
/** The script every process of the bench runs (with --clients or --driver for the children). */
const BENCH_SCRIPT = fileURLToPath(new URL('../ws.bench.ts', import.meta.url));

/** `startPrice`: the driver's first bid is one tick above it (the best bid when the round starts). */
export interface Note {
  id: string;
  tickSize: string;
  startPrice?: string;
}
export type Plan = {
  /** The service's /ws: the driver places its orders there. */
  url: string;
  /** Where the subscribers connect: session i to subscriberUrls[i % length] (the service, or the gateways). */
  subscriberUrls: string[];
  subscribers: number;
  /** How many of the subscribers are full SDK clients (the rest are light). */
  sdkClients: number;
  notes: Note[];
  tokens: Record<string, string>;
  partyIds: Record<string, string>;
};
/** One clients process's share: sessions [first, first + count) of the plan's subscribers. */
export type Share = { first: number; count: number };
export type Ipc = { kind: string; [key: string]: unknown };

export const wallMs = () => performance.timeOrigin + performance.now();

export function child(role: string): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, BENCH_SCRIPT, role], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The child's next message of `kind`; fails the run if the child exits first (it failed). */
export function next(subprocess: ChildProcess, kind: string): Promise<Ipc> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`bench:ws ${subprocess.spawnargs.at(-1)} process exited (${signal ?? code}) before it sent '${kind}'`));
    const listener = (message: Ipc) => {
      if (message.kind !== kind) return;
      subprocess.off('message', listener);
      subprocess.off('exit', onExit);
      resolve(message);
    };
    subprocess.on('message', listener);
    subprocess.once('exit', onExit);
  });
}
