/**
 * `npm run bench:ws-floor`: the fastest fan-out this machine allows, as a yardstick for bench:ws.
 *
 * No WebSocket, no JSON, no order book, no database: a server process writes one 2.5 KB buffer (the
 * size of bench:ws's frames) to each of N loopback TCP sockets, pass after pass with no pause, and
 * two reader processes (as in bench:ws) only read and discard. This is what a perfectly conflating
 * fan-out costs at the least: every subscriber needs at least one socket write for each update it
 * sees, and each write and read costs the kernel's loopback path on the same two cores.
 *
 * Latency is measured as bench:ws measures it: a change happens at a random moment; the next pass
 * carries it; the reader that gets it records its age. Each pass is stamped with a random time
 * between the start of the previous pass and its own start (a change made while the previous pass
 * was being written goes out in this one), and each reader records now − stamp on reading it.
 *
 * Env: BENCH_SUBSCRIBERS (default "1000,5000"), BENCH_SECONDS (10).
 * Prints per N: floor subscribers=<n> passes_per_s=<n> pass_ms_p50=<n> p50_ms=<n> p99_ms=<n>
 *   server_cpu_us_per_write=<n> reader_cpu_us_per_read=<n>
 */
import net from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile } from './support/percentile.js';

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1000,5000').split(',').map(Number);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const FRAME_BYTES = 2_500;
const READER_PROCESSES = 2;
const SEND_BUFFER_SOFT_BYTES = 64 * 1024;
const REST_RATIO = Number(process.env.BENCH_REST_RATIO ?? 0.5);
const wallMs = () => performance.timeOrigin + performance.now();

type Report = { cpuMicros: number; reads: number; latencies: number[] };

/** Opens `count` connections one after another (no SYN backlog overflow) and reads them. */
async function readerProcess(port: number, count: number): Promise<void> {
  let measuring = false;
  let reads = 0;
  const latencies: number[] = [];
  let cpuAtStart = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1');
    // Frames arrive split over reads or several in one read; each frame's first 8 bytes carry its stamp.
    let frameOffset = 0;
    socket.on('data', (chunk: Buffer) => {
      if (measuring) {
        const now = wallMs();
        for (let at = (FRAME_BYTES - frameOffset) % FRAME_BYTES; at + 8 <= chunk.length; at += FRAME_BYTES)
          latencies.push(now - chunk.readDoubleLE(at));
        reads += 1;
      }
      frameOffset = (frameOffset + chunk.length) % FRAME_BYTES;
    });
    await new Promise((resolve) => socket.once('connect', resolve));
  }
  process.send!({ kind: 'ready' });
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'start') {
      measuring = true;
      reads = 0;
      latencies.length = 0;
      cpuAtStart = process.cpuUsage();
    } else if (message.kind === 'stop') {
      measuring = false;
      const cpu = process.cpuUsage(cpuAtStart);
      const report: Report = { cpuMicros: cpu.user + cpu.system, reads, latencies };
      process.send!({ kind: 'report', report }, () => process.exit(0));
    }
  });
}

function nextMessage(child: ChildProcess, kind: string): Promise<any> {
  return new Promise((resolve) => {
    const listener = (message: { kind: string }) => {
      if (message.kind !== kind) return;
      child.off('message', listener);
      resolve(message);
    };
    child.on('message', listener);
  });
}

async function measure(subscribers: number): Promise<void> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const readers = Array.from({ length: READER_PROCESSES }, (_, i) => {
    const count = Math.floor(((i + 1) * subscribers) / READER_PROCESSES) - Math.floor((i * subscribers) / READER_PROCESSES);
    return fork(fileURLToPath(import.meta.url), ['--reader', String(port), String(count)], { execArgv: process.execArgv });
  });
  await Promise.all(readers.map((reader) => nextMessage(reader, 'ready')));
  while (sockets.length < subscribers) await new Promise((resolve) => setTimeout(resolve, 20));

  const frame = Buffer.alloc(FRAME_BYTES, 0x61);
  const passMs: number[] = [];
  let skipped = 0;
  let previousStart = wallMs();
  readers.forEach((reader) => reader.send({ kind: 'start' }));
  const cpuAtStart = process.cpuUsage();
  const endAt = performance.now() + MEASURE_MS;
  let dueAtMs = performance.now();
  while (performance.now() < endAt) {
    const lateMs = Math.max(0, performance.now() - dueAtMs);
    const start = wallMs();
    frame.writeDoubleLE(previousStart + Math.random() * (start - previousStart), 0);
    // Each pass gets its own buffer: a socket may still hold the previous one unsent.
    const passFrame = Buffer.from(frame);
    // As the gateway does, a socket still holding a backlog is skipped (conflated), not queued to.
    for (const socket of sockets) {
      if (socket.writableLength > SEND_BUFFER_SOFT_BYTES) skipped += 1;
      else socket.write(passFrame);
    }
    passMs.push(wallMs() - start);
    previousStart = start;
    // Rest as the gateway does (fanOutRestRatio, less how late this pass started past the previous
    // rest's end), so the readers get the CPU to read; 0 = back to back.
    const restMs = passMs[passMs.length - 1]! * REST_RATIO - lateMs;
    dueAtMs = performance.now() + Math.max(0, restMs);
    await new Promise((resolve) => (restMs < 1 ? setImmediate(resolve) : setTimeout(resolve, restMs)));
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const reports = await Promise.all(
    readers.map((reader) => {
      const report = nextMessage(reader, 'report');
      reader.send({ kind: 'stop' });
      return report.then((message: { report: Report }) => message.report);
    }),
  );
  const writes = passMs.length * subscribers - skipped;
  const latencies = reports.flatMap((report) => report.latencies).sort((a, b) => a - b);
  const reads = reports.reduce((sum, report) => sum + report.reads, 0);
  passMs.sort((a, b) => a - b);
  process.stdout.write(
    `floor subscribers=${subscribers} rest_ratio=${REST_RATIO} passes_per_s=${(passMs.length / (MEASURE_MS / 1000)).toFixed(1)} ` +
      `pass_ms_p50=${percentile(passMs, 50).toFixed(1)} p50_ms=${percentile(latencies, 50).toFixed(1)} p99_ms=${percentile(latencies, 99).toFixed(1)} ` +
      `server_cpu_us_per_write=${((cpu.user + cpu.system) / writes).toFixed(1)} reader_cpu_us_per_read=${(reports.reduce((sum, r) => sum + r.cpuMicros, 0) / Math.max(1, reads)).toFixed(1)} writes_skipped=${skipped}\n`,
  );
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
}

if (process.argv.includes('--reader')) {
  const at = process.argv.indexOf('--reader');
  await readerProcess(Number(process.argv[at + 1]), Number(process.argv[at + 2]));
} else {
  for (const subscribers of SUBSCRIBERS) await measure(subscribers);
}
