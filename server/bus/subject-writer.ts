/**
 * Numbered publishing to one set of subjects: each subject's messages carry seq 1, 2, 3, … and
 * the message id `<subject>:<seq>`, so a publish retried after a lost acknowledgement is stored
 * once (JetStream deduplication), and a restarted process continues each subject's numbering
 * from the last message the stream holds (read back once per subject).
 *
 * Guarantees: one writer per subject (the caller publishes a subject's messages one after
 * another); `publish` returns only once JetStream acknowledged the message, retrying until it
 * does or the writer closes; the last message stored on a subject (its seq, batch and data) is
 * kept for callers that publish only what differs from it or recover from it.
 * Used by both publishers: the batch publisher (publisher.ts) and the private-feed publisher
 * (party-publisher.ts), each for its own subjects.
 */
import { headers } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Bus } from './connection.js';
import { STREAM, type BusKind, type BusMessage } from './subjects.js';

const RETRY_MS_MAX = 2_000;
const PUBLISH_TIMEOUT_MS = 2_000;

export interface SubjectHead {
  seq: number;
  /** The sequencer batch the last message was published with (0 when none). */
  batch: number;
  /** The data of the last message stored on the subject (null when none). */
  data: unknown;
}

export class SubjectWriter {
  private readonly heads = new Map<string, SubjectHead>();
  closed = false;
  retries = 0;
  messages = 0;

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  /**
   * Stores `data` as the subject's next message; resolves with its seq once acknowledged. `at`
   * (epoch ms) is when what it carries was committed: gateways measure the bus hop from it.
   */
  async publish(subject: string, kind: BusKind, key: string, batch: number, data: unknown, at?: number): Promise<number> {
    const head = await this.head(subject);
    const seq = head.seq + 1;
    const body: BusMessage = { kind, key, seq, batch, data, at: at ?? performance.timeOrigin + performance.now() };
    const header = headers();
    header.set('Cn-Seq', String(seq));
    header.set('Cn-Batch', String(batch));
    const bytes = JSON.stringify(body);
    await this.retrying(`publish ${subject}`, () =>
      this.bus.js.publish(subject, bytes, { msgID: `${subject}:${seq}`, headers: header, timeout: PUBLISH_TIMEOUT_MS }),
    );
    this.heads.set(subject, { seq, batch, data });
    this.messages += 1;
    return seq;
  }

  /** The subject's last stored message (seq 0 when none), read from the stream once per process. */
  async head(subject: string): Promise<SubjectHead> {
    const known = this.heads.get(subject);
    if (known) return known;
    const jsm = await this.bus.jsm();
    const last = await this.retrying(`read the last message of ${subject}`, () =>
      jsm.streams.getMessage(STREAM, { last_by_subj: subject }),
    );
    let head: SubjectHead = { seq: 0, batch: 0, data: null };
    if (last) {
      const body = JSON.parse(new TextDecoder().decode(last.data)) as BusMessage;
      head = { seq: body.seq, batch: body.batch, data: body.data };
    }
    this.heads.set(subject, head);
    return head;
  }

  /** The subjects under `filter` the stream holds messages on (e.g. every party's balances). */
  async subjects(filter: string): Promise<string[]> {
    const jsm = await this.bus.jsm();
    const info = await this.retrying(`list the subjects of ${filter}`, () => jsm.streams.info(STREAM, { subjects_filter: filter }));
    return Object.keys(info.state.subjects ?? {});
  }

  /** Runs `action` until it succeeds (NATS away, a slow acknowledgement), unless the writer closes. */
  async retrying<T>(what: string, action: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await action();
      } catch (error) {
        if (this.closed) throw error;
        this.retries += 1;
        if (attempt === 1 || attempt % 20 === 0) this.logger.warn({ err: error, attempt }, `the bus could not ${what}; retrying`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_MS_MAX, 50 * attempt)));
      }
    }
  }
}
