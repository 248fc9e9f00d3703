/**
 * BENCH_GATEWAYS=N for `npm run bench:ws`: a nats-server (JetStream, temporary store) and N
 * gateway processes (`server/gateway-main.ts`, what `npm run gateway` runs) fed by it, for the
 * service to publish to and the subscribers to connect to. Gives their /ws URLs, which session
 * goes to which gateway (round robin), their figures summed (GET /stats of each) and the CPU the
 * gateway processes used (from /proc, Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WsLimits } from '../../../server/ws/limits.js';
import { NatsServer } from '../../support/nats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLOCK_TICKS_PER_S = 100;

export interface GatewayFigures {
  connections: number;
  messagesWritten: number;
  writes: number;
  bytesWritten: number;
  cycles: number;
  staleMarks: number;
  cycleMsAverage: number;
  /** The highest of the gateways' percentiles (a merged histogram is not exported by /stats). */
  publishLatencyMs: { p50: number; p99: number; samples: number };
  /** Service commit → gateway receipt of the message (all processes share this machine's clock). */
  busHopMs: { p50: number; p99: number; samples: number };
  /** CPU time the gateway processes used since the last reset, in microseconds. */
  cpuMicros: number;
}

export interface BenchBus {
  natsUrl: string;
  urls: string[];
  /** The gateway the session with this index connects to (round robin). */
  urlFor(index: number): string;
  startGateways(count: number, options: { jwtSecret: string; wsLimits: Partial<WsLimits> }): Promise<void>;
  resetStats(): Promise<void>;
  stats(): Promise<GatewayFigures>;
  close(): Promise<void>;
}

export async function startBenchBus(): Promise<BenchBus> {
  const nats = await NatsServer.start();
  const processes: ChildProcess[] = [];
  const urls: string[] = [];
  let cpuAtReset = 0;
  const cpuTicks = () =>
    processes.reduce((sum, child) => {
      try {
        const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return sum + Number(fields[11]) + Number(fields[12]);
      } catch {
        return sum;
      }
    }, 0);
  const get = async (url: string, route: string, method = 'GET') =>
    (await fetch(`${url.replace(/^ws/, 'http').replace(/\/ws$/, '')}${route}`, { method })).json() as Promise<unknown>;
  return {
    natsUrl: nats.url,
    urls,
    urlFor: (index) => urls[index % urls.length]!,
    startGateways: async (count, options) => {
      for (let i = 0; i < count; i++) {
        const child = spawn(process.execPath, [...process.execArgv, path.join(ROOT, 'server/gateway-main.ts')], {
          cwd: ROOT,
          env: {
            ...process.env,
            NATS_URL: nats.url,
            PORT: '0',
            HOST: '127.0.0.1',
            JWT_SECRET: options.jwtSecret,
            LOG_LEVEL: 'warn',
            WS_LIMITS: JSON.stringify(options.wsLimits),
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        processes.push(child);
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (data) => {
            out += data.toString();
            const match = /gateway listening on (\S+)/.exec(out);
            if (match) resolve(match[1]!);
          });
          child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
        });
        urls.push(url);
      }
    },
    resetStats: async () => {
      await Promise.all(urls.map((url) => get(url, '/stats/reset', 'POST')));
      cpuAtReset = cpuTicks();
    },
    stats: async () => {
      const all = (await Promise.all(urls.map((url) => get(url, '/stats')))) as unknown as {
        ws: Omit<GatewayFigures, 'busHopMs' | 'cpuMicros'>;
        bus: { busHopMs: GatewayFigures['busHopMs'] };
      }[];
      const sum = (f: (s: (typeof all)[number]) => number) => all.reduce((total, s) => total + f(s), 0);
      const max = (f: (s: (typeof all)[number]) => number) => Math.max(...all.map(f));
      const cycles = sum((s) => s.ws.cycles);
      return {
        connections: sum((s) => s.ws.connections),
        messagesWritten: sum((s) => s.ws.messagesWritten),
        writes: sum((s) => s.ws.writes),
        bytesWritten: sum((s) => s.ws.bytesWritten),
        cycles,
        staleMarks: sum((s) => s.ws.staleMarks),
        cycleMsAverage: cycles > 0 ? sum((s) => s.ws.cycleMsAverage * s.ws.cycles) / cycles : 0,
        publishLatencyMs: {
          p50: max((s) => s.ws.publishLatencyMs.p50),
          p99: max((s) => s.ws.publishLatencyMs.p99),
          samples: sum((s) => s.ws.publishLatencyMs.samples),
        },
        busHopMs: {
          p50: max((s) => s.bus.busHopMs.p50),
          p99: max((s) => s.bus.busHopMs.p99),
          samples: sum((s) => s.bus.busHopMs.samples),
        },
        cpuMicros: ((cpuTicks() - cpuAtReset) / CLOCK_TICKS_PER_S) * 1e6,
      };
    },
    close: async () => {
      await Promise.all(
        processes.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null) return resolve(undefined);
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
        ),
      );
      await nats.close();
    },
  };
}
