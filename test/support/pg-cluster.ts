/**
 * A throwaway PostgreSQL cluster for the test suite: initdb into a temp directory, start it on a
 * free loopback port with fsync on (as production), and stop and delete it afterwards. Runs the
 * server as the `postgres` OS user when the tests run as root (PostgreSQL refuses root).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { execFileSync } from 'node:child_process';

export interface PgCluster {
  url: string;
  /** CPU seconds used so far by the cluster's processes (postmaster and backends); benches report it. */
  cpuSeconds(): number;
  stop(): void;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of the postmaster and its direct children (backends, walwriter, checkpointer, …), from /proc. */
function clusterCpuSeconds(postmasterPid: number): number {
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    // Fields after the command name (which may hold spaces) start at state: ppid is the 2nd, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(entry) === postmasterPid || Number(fields[1]) === postmasterPid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  return latest ? path.join(root, latest, 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Server settings of the benchmarks' clusters: sized as a production server would be (PostgreSQL's
 * defaults are for a small shared machine). Durability is untouched: fsync, synchronous_commit and
 * full_page_writes stay on.
 * - shared_buffers 1 GB (a quarter of RAM is the usual advice; this machine has 24 GB), which also
 *   gives 16 MB of WAL buffers instead of 4 MB;
 * - wal_writer_delay 10 ms instead of 200 ms: the WAL writer writes a busy run's WAL as it comes,
 *   rather than the committing backends writing it themselves when the buffers fill (measured in
 *   the settlement bench: about 8% slower without).
 */
export const BENCH_PG_SETTINGS: Readonly<Record<string, string>> = Object.freeze({ shared_buffers: '1GB', wal_writer_delay: '10ms' });

/**
 * `settings`: server settings beyond the defaults (benchmarks size memory as a production server
 * would; the test suite keeps PostgreSQL's defaults).
 */
export async function startPgCluster(settings: Readonly<Record<string, string>> = {}): Promise<PgCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'pipe' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-pg-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const options =
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200` +
    Object.entries(settings)
      .map(([name, value]) => ` -c ${name}=${value}`)
      .join('');
  run(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  let stopped = false;
  const postmasterPid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    cpuSeconds: () => clusterCpuSeconds(postmasterPid),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        run(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
