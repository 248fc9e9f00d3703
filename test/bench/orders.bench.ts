/**
 * `npm run bench:orders`: durable orders acknowledged per second through the whole service.
 *
 * Starts the real service on a throwaway PostgreSQL cluster (fsync on) when the server binaries
 * are installed, otherwise on embedded PGlite; then a separate load process with many concurrent
 * keep-alive HTTP clients places limit buys on the demo notes (non-crossing, so books grow and
 * holds are taken) and cancels every other one. Each acknowledgement arrives only after its
 * batch has committed. BENCH_CLIENTS and BENCH_SECONDS change the load; BENCH_DEBUG=1 prints the
 * sequencer's batches.
 * Prints the counts, commands (orders and cancels) per second and the CPU the server process and
 * the PostgreSQL cluster spent per command (what bounds throughput on a 2-core machine), then:
 * orders_per_s=<n> ack_p50_ms=<n> ack_p99_ms=<n> clients=<n> database=<pg|pglite>
 */
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Decimal } from '../../server/domain/decimal.js';
import { startService } from '../../server/bootstrap.js';
import { openDatabase } from '../../server/db/connection.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster, type PgCluster } from '../support/pg-cluster.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const WARMUP_MS = 2000;

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(port: number, method: string, urlPath: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers: {
      'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}),
    } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    request.on('error', reject);
    if (payload) request.write(payload);
    request.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface LoadResult { placed: number; cancelled: number; failures: number; requests: number; cpuMicros: number; latencies: number[] }
interface LoadPlan { port: number; tokens: Record<string, string>; notes: string[] }

function runLoadProcess(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--load'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim().split('\n').at(-1)!)) : reject(new Error(`load process exited ${code}`))));
    child.stdin.end(JSON.stringify(plan));
  });
}

/**
 * One keep-alive HTTP/1.1 connection, one request at a time, written by hand on a socket: Node's
 * http client costs several times the CPU of the requests it makes, and on two cores the load
 * generator's CPU is taken from the server being measured. Answers must carry Content-Length.
 */
class KeepAliveConnection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: { status: number; body: any }) => void; reject: (e: Error) => void } | null = null;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (error) => this.pending?.reject(error));
  }

  request(method: string, urlPath: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const head = `${method} ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n`
      + (payload ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` : '') + '\r\n';
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(head + payload);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.subarray(0, headEnd).toString('latin1');
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) throw new Error(`response without Content-Length: ${head}`);
    const total = headEnd + 4 + Number(length[1]);
    if (this.buffer.length < total) return;
    const text = this.buffer.subarray(headEnd + 4, total).toString('utf8');
    this.buffer = this.buffer.subarray(total);
    const pending = this.pending!;
    this.pending = null;
    pending.resolve({ status: Number(head.slice(9, 12)), body: text ? JSON.parse(text) : null });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The load process: CLIENTS keep-alive connections placing buys and cancelling every other one. */
async function load(plan: LoadPlan): Promise<LoadResult> {
  const users = Object.keys(plan.tokens);
  const result: LoadResult = { placed: 0, cancelled: 0, failures: 0, requests: 0, cpuMicros: 0, latencies: [] };
  const cpuBefore = process.cpuUsage();
  let measuring = false;
  const deadline = Date.now() + WARMUP_MS + DURATION_MS;
  const client = async (index: number) => {
    const username = users[index % users.length]!;
    const token = plan.tokens[username]!;
    const connection = new KeepAliveConnection(plan.port);
    for (let n = 0; Date.now() < deadline; n++) {
      const noteId = plan.notes[(index + n) % plan.notes.length]!;
      const price = (90 + ((index + n) % 64) / 8).toString();
      const t0 = process.hrtime.bigint();
      const response = await connection.request('POST', '/api/v1/orders', token, {
        clOrdId: `b-${index}-${n}`, noteId, side: 'buy', type: 'limit', price, quantity: '100000', timeInForce: 'GTC',
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      result.requests += 1;
      if (response.status !== 201) {
        result.failures += 1;
        if (result.failures < 4) process.stderr.write(`${response.status} ${JSON.stringify(response.body).slice(0, 300)}\n`);
        continue;
      }
      if (measuring) {
        result.latencies.push(ms);
        result.placed += 1;
      }
      if (n % 2 === 1) {
        const cancel = await connection.request('DELETE', `/api/v1/orders/${response.body.order.id}`, token);
        result.requests += 1;
        if (cancel.status === 200 && measuring) result.cancelled += 1;
      }
    }
    connection.close();
  };
  setTimeout(() => (measuring = true), WARMUP_MS);
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  const cpu = process.cpuUsage(cpuBefore);
  result.cpuMicros = cpu.user + cpu.system;
  return result;
}

async function main(): Promise<void> {
  let cluster: PgCluster | null = null;
  const usePostgres = findPostgresBin() !== null;
  if (usePostgres) cluster = await startPgCluster(BENCH_PG_SETTINGS);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-'));
  const database = await openDatabase(cluster ? { kind: 'postgres', url: cluster.url, poolMax: 10 } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  const service = await startService({
    config: { port: 0, host: '127.0.0.1', dataDir, databaseUrl: null, jwtSecret: 'bench-secret-bench-secret-bench-secret', logLevel: 'silent', seedDemo: true, demoPassword: 'demo' },
    // BENCH_DEBUG=1 prints each batch to stderr: jobs, lookupMs (its jobs' clOrdId lookup), runMs, commitMs, idleMs (database idle before it).
    logger: pino({ level: process.env.BENCH_DEBUG ? 'debug' : 'silent' }, pino.destination(2)),
    database,
    riskLimits: { orderFaceMax: new Decimal(50_000_000), openOrdersMax: 1_000_000, dailyNotionalMax: new Decimal('1e15') },
  });
  const port = (service.server.address() as { port: number }).port;
  const users = ['investor1', 'investor2', 'dealer1', 'dealer2'];
  const tokens: Record<string, string> = {};
  const partyIds: Record<string, string> = {};
  for (const username of users) {
    const login = await call(port, 'POST', '/api/v1/auth/token', null, { username, password: 'demo' });
    tokens[username] = login.body.token;
    partyIds[username] = login.body.user.partyId;
  }
  const operator = (await call(port, 'POST', '/api/v1/auth/token', null, { username: 'operator1', password: 'demo' })).body.token;
  for (const username of users) await call(port, 'POST', '/api/v1/cash/deposits', operator, { partyId: partyIds[username], amount: '100000000000', reference: 'bench-funding' });
  const notes = (await call(port, 'GET', '/api/v1/notes', tokens.investor1!)).body as { id: string; className: string }[];
  agent.destroy();

  // The load comes from a separate process, as it would in production, so it does not take the
  // server's CPU; it reports its measurements as one JSON line.
  const cpuBefore = process.cpuUsage();
  const pgCpuBefore = cluster?.cpuSeconds() ?? 0;
  const load = await runLoadProcess({ port, tokens, notes: notes.map((n) => n.id) });
  const cpu = process.cpuUsage(cpuBefore);
  const pgCpuSeconds = (cluster?.cpuSeconds() ?? 0) - pgCpuBefore;
  const { placed, cancelled, failures } = load;
  const latencies = load.latencies.sort((a, b) => a - b);
  const seconds = DURATION_MS / 1000;
  const out = {
    orders_per_s: Math.round(placed / seconds),
    ack_p50_ms: percentile(latencies, 50).toFixed(2),
    ack_p99_ms: percentile(latencies, 99).toFixed(2),
    clients: CLIENTS,
    database: usePostgres ? 'pg' : 'pglite',
  };
  process.stdout.write(`placed=${placed} cancelled=${cancelled} failures=${failures} commands_per_s=${Math.round((placed + cancelled) / seconds)} server_cpu_us_per_command=${Math.round((cpu.user + cpu.system) / (load.requests || 1))} postgres_cpu_us_per_command=${Math.round((pgCpuSeconds * 1e6) / (load.requests || 1))} load_cpu_us_per_command=${Math.round(load.cpuMicros / (load.requests || 1))}\n`);
  process.stdout.write(`orders_per_s=${out.orders_per_s} ack_p50_ms=${out.ack_p50_ms} ack_p99_ms=${out.ack_p99_ms} clients=${out.clients} database=${out.database}\n`);
  await service.close();
  await database.close();
  cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv.includes('--load')) {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  process.stdout.write(`${JSON.stringify(await load(JSON.parse(input) as LoadPlan))}\n`);
} else {
  await main();
}
