/**
 * `npm run soak`: does hostile traffic hurt a well-behaved user? (issue 14, the standing guard.)
 *
 * Three processes on loopback: the service (on a throwaway PostgreSQL cluster when the server
 * binaries are installed, else embedded PGlite; SOAK_DB=pglite forces PGlite), a well-behaved
 * client (this process) and, in the attack phase, an attacker. The well-behaved client (investor2)
 * places a limit order far from the market over REST and cancels it, one request after another,
 * and times each acknowledgement. First without attack (SOAK_SECONDS, default 20), then the same
 * for as long again while the attacker:
 * - churns subscriptions (issue 14, item 1): 4 connections (investor1, dealer1, dealer2,
 *   backoffice1) each send about 800 messages per second — under the per-connection message rate —
 *   alternately subscribing and unsubscribing every database-backed channel (`trades:<note>` of
 *   every note, `executions`, `rfqs`, `settlements`); a connection the service closes (or
 *   refuses) is reopened after 250 ms, as the SDK would (SOAK_RECONNECT_MS);
 * - sends poison orders (item 2): every 50 ms a POST /orders by dealer1 with a 31-digit quantity
 *   or a 31-digit price, whatever the service answers.
 * SOAK_ATTACK=churn or SOAK_ATTACK=poison runs one of the two alone (default: both), to tell
 * their effects apart. The service's resident memory (VmRSS) is sampled every 100 ms.
 *
 * Prints key=value lines: ack_p99_idle_ms, ack_p99_attack_ms, ratio (attack / idle),
 * rss_idle_mb (the most during the idle phase), rss_peak_mb (the most during the attack),
 * memory_ratio, and what else happened (acks, failed acks, churn closes by code, poison answers).
 * Target (issue 14): ratio ≤ 2 and memory_ratio ≤ 1.5. Bounded in time: about 2 × SOAK_SECONDS
 * plus start-up; nothing listens beyond 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { startService } from '../../server/bootstrap.js';
import { openDatabase } from '../../server/db/connection.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster } from '../support/pg-cluster.js';
import { percentile } from './support/percentile.js';

const PHASE_MS = Number(process.env.SOAK_SECONDS ?? 20) * 1000;
const WARMUP_MS = 2_000;
const CHURNERS = ['investor1', 'dealer1', 'dealer2', 'backoffice1'];
/** Messages per 10 ms tick per churning connection: 8 → about 800 per second. */
const CHURN_MESSAGES_PER_TICK = 8;
const POISON_INTERVAL_MS = 50;
/** A closed or refused churner reconnects after this long (the SDK's first reconnect delay); SOAK_RECONNECT_MS. */
const RECONNECT_MS = Number(process.env.SOAK_RECONNECT_MS ?? 250);
const RSS_SAMPLE_MS = 100;
const DEMO_PASSWORD = 'demo';
const ATTACKS = new Set((process.env.SOAK_ATTACK ?? 'churn,poison').split(',').map((a) => a.trim()));

interface Setup {
  url: string;
  tokens: Record<string, string>;
  notes: string[];
  goodNote: string;
}

// ---------------------------------------------------------------- the service (a child process)

async function serveRole(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-soak-'));
  const databaseUrl = process.env.SOAK_DATABASE_URL;
  const database = await openDatabase(
    databaseUrl ? { kind: 'postgres', url: databaseUrl, poolMax: 10 } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
  );
  const service = await startService({
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: null,
      jwtSecret: 'soak-secret-soak-secret-soak-secret-soak',
      logLevel: 'warn',
      seedDemo: true,
      demoPassword: DEMO_PASSWORD,
    },
    logger: pino({ level: 'warn' }, pino.destination(path.join(dataDir, 'service.log'))),
    database,
  });
  process.send!({ ready: service.url });
  process.on('disconnect', () => {
    void service.close().finally(() => {
      void database.close().finally(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    });
  });
}

// ---------------------------------------------------------------- the attacker (a child process)

async function attackRole(): Promise<void> {
  const setup = JSON.parse(process.env.SOAK_SETUP!) as Setup;
  const wsUrl = `${setup.url.replace(/^http/, 'ws')}/ws`;
  const channels = [...setup.notes.map((id) => `trades:${id}`), 'executions', 'rfqs', 'settlements'];
  const closes: Record<string, number> = {};
  const poison: Record<string, number> = {};
  let stopping = false;
  let churnMessages = 0;
  let connections = 0;

  const churn = (user: string): void => {
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${setup.tokens[user]}` } });
    connections += 1;
    let timer: NodeJS.Timeout | null = null;
    ws.on('open', () => {
      timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        for (let i = 0; i < CHURN_MESSAGES_PER_TICK / 2; i++) {
          ws.send(JSON.stringify({ op: 'subscribe', channels }));
          ws.send(JSON.stringify({ op: 'unsubscribe', channels }));
          churnMessages += 2;
        }
      }, 10);
    });
    ws.on('message', () => undefined);
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (timer) clearInterval(timer);
      closes[code] = (closes[code] ?? 0) + 1;
      if (!stopping) setTimeout(() => churn(user), RECONNECT_MS);
    });
  };
  if (ATTACKS.has('churn')) for (const user of CHURNERS) churn(user);
  process.send!({ attacking: true });

  let poisonNo = 0;
  const poisonTimer = setInterval(() => {
    if (!ATTACKS.has('poison')) return;
    poisonNo += 1;
    const huge = `1${'0'.repeat(30)}`;
    const order =
      poisonNo % 2 === 0
        ? { clOrdId: `poison-${process.pid}-${poisonNo}`, noteId: setup.goodNote, side: 'sell', type: 'limit', price: '99', quantity: huge }
        : {
            clOrdId: `poison-${process.pid}-${poisonNo}`,
            noteId: setup.goodNote,
            side: 'sell',
            type: 'limit',
            price: huge,
            quantity: '100000',
          };
    fetch(`${setup.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.tokens.dealer1}` },
      body: JSON.stringify(order),
    }).then(
      async (response) => {
        const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
        const key = `${response.status}${body.error?.code ? `_${body.error.code}` : ''}`;
        poison[key] = (poison[key] ?? 0) + 1;
      },
      () => {
        poison.network_error = (poison.network_error ?? 0) + 1;
      },
    );
  }, POISON_INTERVAL_MS);

  process.on('disconnect', () => process.exit(0));
  process.on('message', () => {
    stopping = true;
    clearInterval(poisonTimer);
    process.send!({ closes, poison, churnMessages, connections });
  });
}

// ---------------------------------------------------------------- the well-behaved client and the report

function child(role: 'serve' | 'attack', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), role], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
}

function nextMessage<T>(process: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    process.once('message', (message) => resolve(message as T));
    process.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function api(url: string, token: string, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** Places and cancels orders one after another for `ms`; every acknowledgement's latency, and those that failed. */
async function trade(setup: Setup, ms: number, label: string): Promise<{ latencies: number[]; failed: Record<string, number> }> {
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  const token = setup.tokens.investor2!;
  const until = performance.now() + ms;
  let n = 0;
  const timed = async (method: string, pathname: string, body?: unknown) => {
    const start = performance.now();
    const response = await api(setup.url, token, method, pathname, body);
    latencies.push(performance.now() - start);
    if (response.status >= 300) failed[String(response.status)] = (failed[String(response.status)] ?? 0) + 1;
    return response;
  };
  while (performance.now() < until) {
    n += 1;
    const placed = await timed('POST', '/api/v1/orders', {
      clOrdId: `good-${label}-${n}`,
      noteId: setup.goodNote,
      side: 'buy',
      type: 'limit',
      price: '90',
      quantity: '100000',
    });
    if (placed.status === 201) await timed('DELETE', `/api/v1/orders/${placed.body.order.id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { latencies, failed };
}

async function main(): Promise<void> {
  const usePg = process.env.SOAK_DB !== 'pglite' && findPostgresBin() !== null;
  const cluster = usePg ? await startPgCluster(BENCH_PG_SETTINGS) : null;
  const service = child('serve', cluster ? { SOAK_DATABASE_URL: cluster.url } : {});
  const children: ChildProcess[] = [service];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    cluster?.stop();
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));

  const { ready: url } = await nextMessage<{ ready: string }>(service);
  const tokens: Record<string, string> = {};
  for (const user of ['investor2', ...CHURNERS]) {
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
    });
    tokens[user] = ((await login.json()) as { token: string }).token;
  }
  const notes = (await api(url, tokens.investor2!, 'GET', '/api/v1/notes')).body as { id: string; className: string }[];
  const setup: Setup = { url, tokens, notes: notes.map((n) => n.id), goodNote: notes.find((n) => n.className === 'B')?.id ?? notes[0]!.id };

  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(service.pid!));
  }, RSS_SAMPLE_MS);

  await trade(setup, WARMUP_MS, 'warmup');
  rssMax = 0;
  const idleCpuStart = cpuSeconds(service.pid!);
  const idle = await trade(setup, PHASE_MS, 'idle');
  const rssIdle = rssMax;
  const idleCpu = cpuSeconds(service.pid!) - idleCpuStart;

  const attacker = child('attack', { SOAK_SETUP: JSON.stringify(setup) });
  children.push(attacker);
  await nextMessage<{ attacking: boolean }>(attacker);
  // Let the attack reach its stride before the well-behaved client is timed again.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  rssMax = 0;
  const attackCpuStart = cpuSeconds(service.pid!);
  const attackerCpuStart = cpuSeconds(attacker.pid!);
  const attack = await trade(setup, PHASE_MS, 'attack');
  const rssPeak = rssMax;
  const attackCpu = cpuSeconds(service.pid!) - attackCpuStart;
  const attackerCpu = cpuSeconds(attacker.pid!) - attackerCpuStart;
  attacker.send('stop');
  const attackReport = await nextMessage<{
    closes: Record<string, number>;
    poison: Record<string, number>;
    churnMessages: number;
    connections: number;
  }>(attacker);
  clearInterval(sampler);

  const p99 = (samples: number[]) =>
    percentile(
      [...samples].sort((a, b) => a - b),
      99,
    );
  const idleP99 = p99(idle.latencies);
  const attackP99 = p99(attack.latencies);
  const lines = [
    `ack_p99_idle_ms=${idleP99.toFixed(1)} ack_p99_attack_ms=${attackP99.toFixed(1)} ratio=${(attackP99 / idleP99).toFixed(2)} ` +
      `rss_idle_mb=${rssIdle.toFixed(0)} rss_peak_mb=${rssPeak.toFixed(0)} memory_ratio=${(rssPeak / rssIdle).toFixed(2)}`,
    `acks_idle=${idle.latencies.length} acks_attack=${attack.latencies.length} failed_idle=${JSON.stringify(idle.failed)} failed_attack=${JSON.stringify(attack.failed)} ` +
      `ack_p50_idle_ms=${percentile(
        [...idle.latencies].sort((a, b) => a - b),
        50,
      ).toFixed(1)} ack_p50_attack_ms=${percentile(
        [...attack.latencies].sort((a, b) => a - b),
        50,
      ).toFixed(1)}`,
    `churn_messages=${attackReport.churnMessages} churn_connections=${attackReport.connections} churn_closes=${JSON.stringify(attackReport.closes)} poison_answers=${JSON.stringify(attackReport.poison)}`,
    `service_cpu_idle_s=${idleCpu.toFixed(1)} service_cpu_attack_s=${attackCpu.toFixed(1)} attacker_cpu_s=${attackerCpu.toFixed(1)}`,
    `attacks=${[...ATTACKS].join(',')} database=${cluster ? 'pg' : 'pglite'} phase_seconds=${PHASE_MS / 1000} load_average=${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(',')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  attacker.disconnect();
  service.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.exit(0);
}

const role = process.argv[2];
if (role === 'serve') await serveRole();
else if (role === 'attack') await attackRole();
else await main();
