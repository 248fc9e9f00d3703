/**
 * A real nats-server with JetStream for the bus tests: a free loopback port, a temporary store
 * directory (file storage, so a restart keeps what was published), stop and restart on the same
 * port and store. Tests that need it are skipped only where nats-server is not installed — and
 * under CI (CI=true) its absence is a failure, not a skip (CI installs Debian's package).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const NATS_SERVER_BINARY = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

/** Whether the bus tests can run here; throws under CI when nats-server is missing. */
export function natsServerAvailable(): boolean {
  const available = fs.existsSync(NATS_SERVER_BINARY);
  if (!available && process.env.CI === 'true') throw new Error(`${NATS_SERVER_BINARY} is missing: CI must install nats-server`);
  return available;
}

export class NatsServer {
  private process: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-nats-')));
    await server.run();
    return server;
  }

  private async run(): Promise<void> {
    this.log = '';
    const child = spawn(NATS_SERVER_BINARY, ['-js', '-sd', this.storeDir, '-a', '127.0.0.1', '-p', String(this.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    child.stdout?.on('data', (d) => (this.log += d.toString()));
    child.stderr?.on('data', (d) => (this.log += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!this.log.includes('Server is ready')) {
      if (child.exitCode !== null) throw new Error(`nats-server exited: ${this.log}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not start: ${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the server (SIGTERM; its JetStream store stays). */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = null;
  }

  /** Starts a stopped server again on the same port with the same store. */
  async resume(): Promise<void> {
    await this.run();
  }

  /** Stops and starts again on the same port with the same store. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.run();
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.storeDir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
