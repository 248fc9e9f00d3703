/**
 * Helpers of the bus suites: the service with NATS_URL (startWsService), gateways in this process
 * (server/bus/gateway-server.ts, what `npm run gateway` runs), the stream read back, and the
 * checks the suites share — a channel's messages replayed with the gap check, two clients'
 * streams compared seq by seq.
 */
import { pino } from 'pino';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startGateway, type RunningGateway } from '../../server/bus/gateway-server.js';
import { STREAM, type BusMessage } from '../../server/bus/subjects.js';
import type { Message } from '../ws/support.js';

export async function startTestGateway(natsUrl: string, jwtSecret: string): Promise<RunningGateway> {
  return startGateway(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: '/nonexistent',
      databaseUrl: null,
      jwtSecret,
      logLevel: 'silent',
      seedDemo: false,
      demoPassword: 'demo',
      natsUrl,
    },
    jwtSecret,
    pino({ level: 'silent' }),
  );
}

/**
 * The updates of a channel after its last snapshot, checked for gaps: every update's seq is one
 * more than the previous message's. Throws on a gap (the harness's own check, see the test that
 * shows it fails on a dropped message).
 */
export function updatesAfterSnapshot(messages: readonly Message[]): { snapshotSeq: number; updates: Message[] } {
  let snapshotSeq = -1;
  let updates: Message[] = [];
  let seq = -1;
  for (const message of messages) {
    if (message.type === 'snapshot') {
      snapshotSeq = message.seq;
      updates = [];
    } else {
      if (seq < 0) throw new Error(`an update (seq ${message.seq}) before any snapshot`);
      if (message.seq !== seq + 1) throw new Error(`gap: seq ${seq} then ${message.seq}`);
      updates.push(message);
    }
    seq = message.seq;
  }
  return { snapshotSeq, updates };
}

/**
 * Whether two clients saw the same stream of a channel: for every seq both received as an update,
 * the same data; and neither resynced (a second snapshot) — returns the differences found.
 */
export function streamDifferences(a: readonly Message[], b: readonly Message[]): string[] {
  const differences: string[] = [];
  const snapshots = (m: readonly Message[]) => m.filter((x) => x.type === 'snapshot').length;
  if (snapshots(a) !== 1 || snapshots(b) !== 1) differences.push(`snapshots: ${snapshots(a)} and ${snapshots(b)}`);
  const bySeq = (messages: readonly Message[]) => new Map(messages.filter((m) => m.type === 'update').map((m) => [m.seq as number, m]));
  const left = bySeq(a);
  const right = bySeq(b);
  for (const [seq, message] of left) {
    const other = right.get(seq);
    if (other && JSON.stringify(other.data) !== JSON.stringify(message.data)) differences.push(`seq ${seq} differs`);
  }
  const last = (messages: readonly Message[]) => messages.at(-1)?.seq ?? -1;
  if (last(a) !== last(b)) differences.push(`last seq ${last(a)} and ${last(b)}`);
  return differences;
}

/** Every message stored on the subject, in stream order (the stream read back with direct gets). */
export async function storedMessages(natsUrl: string, subject: string): Promise<BusMessage[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAM);
    const out: BusMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const stored = await jsm.streams.getMessage(STREAM, { seq }).catch(() => null);
      if (stored && stored.subject === subject) out.push(JSON.parse(new TextDecoder().decode(stored.data)) as BusMessage);
    }
    return out;
  } finally {
    await nc.close();
  }
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
