/**
 * The load generator of the order benchmarks (bench:orders and bench:orders-floor), run as its own
 * process so that it does not take the measured server's CPU: BENCH_CLIENTS keep-alive HTTP
 * connections, each placing a limit buy on the demo notes, waiting for its answer, and cancelling
 * every other one (POST /api/v1/orders, DELETE /api/v1/orders/:id). BENCH_SECONDS of measurement
 * after a warm-up; it reports counts, latencies and its own CPU as one JSON line.
 */
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
export const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const WARMUP_MS = 2000;

export interface LoadResult {
  placed: number;
  cancelled: number;
  failures: number;
  requests: number;
  cpuMicros: number;
  latencies: number[];
}
export interface LoadPlan {
  port: number;
  tokens: Record<string, string>;
  notes: string[];
}

export function runLoadProcess(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--load'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(output.trim().split('\n').at(-1)!)) : reject(new Error(`load process exited ${code}`)),
    );
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
    const head =
      `${method} ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      (payload ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` : '') +
      '\r\n';
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
        clOrdId: `b-${index}-${n}`,
        noteId,
        side: 'buy',
        type: 'limit',
        price,
        quantity: '100000',
        timeInForce: 'GTC',
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

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--load')) {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  process.stdout.write(`${JSON.stringify(await load(JSON.parse(input) as LoadPlan))}\n`);
}
