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
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { pino } from 'pino';
import { Decimal } from '../../server/domain/decimal.js';
import { startService } from '../../server/bootstrap.js';
import { openDatabase } from '../../server/db/connection.js';
import { CLIENTS, DURATION_MS, runLoadProcess } from './support/http-load.js';
import { percentile } from './support/percentile.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster, type PgCluster } from '../support/pg-cluster.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(port: number, method: string, urlPath: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        headers: {
          'content-type': 'application/json',
          ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    request.on('error', reject);
    if (payload) request.write(payload);
    request.end();
  });
}

async function main(): Promise<void> {
  let cluster: PgCluster | null = null;
  const usePostgres = findPostgresBin() !== null;
  if (usePostgres) cluster = await startPgCluster(BENCH_PG_SETTINGS);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-'));
  const database = await openDatabase(
    cluster ? { kind: 'postgres', url: cluster.url, poolMax: 10 } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
  );
  const service = await startService({
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: null,
      jwtSecret: 'bench-secret-bench-secret-bench-secret',
      logLevel: 'silent',
      seedDemo: true,
      demoPassword: 'demo',
    },
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
  for (const username of users)
    await call(port, 'POST', '/api/v1/cash/deposits', operator, {
      partyId: partyIds[username],
      amount: '100000000000',
      reference: 'bench-funding',
    });
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
  process.stdout.write(
    `placed=${placed} cancelled=${cancelled} failures=${failures} commands_per_s=${Math.round((placed + cancelled) / seconds)} server_cpu_us_per_command=${Math.round((cpu.user + cpu.system) / (load.requests || 1))} postgres_cpu_us_per_command=${Math.round((pgCpuSeconds * 1e6) / (load.requests || 1))} load_cpu_us_per_command=${Math.round(load.cpuMicros / (load.requests || 1))}\n`,
  );
  process.stdout.write(
    `orders_per_s=${out.orders_per_s} ack_p50_ms=${out.ack_p50_ms} ack_p99_ms=${out.ack_p99_ms} clients=${out.clients} database=${out.database}\n`,
  );
  await service.close();
  await database.close();
  cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
