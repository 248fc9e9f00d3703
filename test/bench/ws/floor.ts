/** bench:ws's yardstick: bench:ws-floor run as a child process beside a round, and the load average. */
import fs from 'node:fs';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { FLOOR_SCRIPT, MEASURE_MS } from './plan.js';

/**
 * Linux's autogroup setting (1, 0, or n/a). With it on, each session is scheduled as one group, and
 * every PostgreSQL backend calls setsid: on two shared cores each backend then weighs as much as
 * the whole bench (service, subscribers and driver together), which no server deployment does. The
 * figures are taken with it off (`echo 0 > /proc/sys/kernel/sched_autogroup_enabled`): every
 * process gets its fair share by its nice value, the floor's processes and the bench's alike.
 */
export function schedAutogroup(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim();
  } catch {
    return 'n/a';
  }
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(',');
}

/** bench:ws-floor for `subscribers`, as a child process (its own readers), for as long as this run measures. */
export async function runFloor(subscribers: number): Promise<{ line: string; values: Record<string, string> }> {
  const floor = spawn(process.execPath, [...process.execArgv, FLOOR_SCRIPT], {
    env: { ...process.env, BENCH_SUBSCRIBERS: String(subscribers), BENCH_SECONDS: String(MEASURE_MS / 1000) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  floor.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => floor.once('exit', resolve));
  const line = output.split('\n').find((l) => l.startsWith('floor '));
  if (code !== 0 || !line) throw new Error(`bench:ws-floor failed (${code}): ${output}`);
  const values = Object.fromEntries(
    line
      .split(' ')
      .filter((pair) => pair.includes('='))
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  return { line, values };
}
