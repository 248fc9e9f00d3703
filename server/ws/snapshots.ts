/**
 * The service-wide scheduler of the snapshot reads that WebSocket feeds make from the database
 * (a note's tape, a party's executions, RFQs and settlement instructions), so that what one
 * connection asks for cannot crowd out anyone else's requests.
 *
 * Each read is attributed to a connection (its owner) and a channel of that connection (its slot).
 * Guarantees:
 * - at most `snapshotReadsMax` reads run at once in the whole service, and at most
 *   `snapshotReadsPerConnectionMax` of one connection, and never two of one connection and channel
 *   (a read queued behind a running one of the same slot waits for it);
 * - waiting reads are started round-robin between connections: the next read is of the connection
 *   served least recently (one that never was goes first), so a connection with many reads
 *   waiting delays another connection's read by at most one read of each other waiting connection;
 * - a cancelled read that has not started is removed without touching the database; one that is
 *   running finishes (a query cannot be recalled) but its result is discarded;
 * - the waiting reads are bounded: callers admit new reads only while `space()` allows them.
 * Never: run a read's result into a feed that no longer wants it, or let one read's failure reach
 * another.
 */
import type { WsLimits } from './limits.js';

export interface SnapshotJob<T = unknown> {
  read(): Promise<T>;
  /** The result, for a read that was not cancelled. */
  apply(value: T): void;
  /** The read (or apply) failed, for a read that was not cancelled. */
  fail(error: unknown): void;
}

export interface SnapshotTicket {
  readonly slot: string;
  readonly owner: object;
}

class Ticket implements SnapshotTicket {
  state: 'queued' | 'running' | 'done' = 'queued';
  cancelled = false;
  constructor(
    public owner: object,
    readonly slot: string,
    readonly job: SnapshotJob<any>,
  ) {}
}

/** One connection's reads: waiting ones in arrival order, running ones by slot. */
class OwnerReads {
  readonly queued = new Set<Ticket>();
  readonly running = new Map<string, Ticket>();
  constructor(readonly owner: object) {}
}

export interface SnapshotStats {
  running: number;
  queued: number;
  /** Reads started, cancelled before starting, and finished after their cancellation (result discarded). */
  started: number;
  dropped: number;
  discarded: number;
  /** High-water marks since the last reset. */
  peakRunning: number;
  peakRunningPerConnection: number;
  peakQueued: number;
}

type Limits = Pick<WsLimits, 'snapshotReadsMax' | 'snapshotReadsPerConnectionMax' | 'snapshotQueueMax'>;

export class SnapshotReads {
  private readonly owners = new Map<object, OwnerReads>();
  /** Connections with reads waiting. */
  private readonly waiting = new Set<OwnerReads>();
  /** When each connection last had a read started (a turn number), kept while the connection lives. */
  private readonly lastTurn = new WeakMap<object, number>();
  private turn = 0;
  private running = 0;
  private queued = 0;
  private counters = { started: 0, dropped: 0, discarded: 0, peakRunning: 0, peakRunningPerConnection: 0, peakQueued: 0 };

  constructor(private readonly limits: Limits) {}

  /** How many more reads may be queued now. */
  space(): number {
    return Math.max(0, this.limits.snapshotQueueMax - this.queued);
  }

  /** Queues a read for the owner's channel; it starts as soon as the limits allow. */
  enqueue<T>(owner: object, slot: string, job: SnapshotJob<T>): SnapshotTicket {
    const ticket = new Ticket(owner, slot, job);
    this.add(ticket);
    this.pump();
    return ticket;
  }

  /** The read is no longer wanted: removed if waiting, its result discarded if running. */
  cancel(handle: SnapshotTicket): void {
    const ticket = handle as Ticket;
    if (ticket.cancelled || ticket.state === 'done') return;
    ticket.cancelled = true;
    if (ticket.state !== 'queued') return;
    this.remove(ticket);
    ticket.state = 'done';
    this.counters.dropped += 1;
  }

  /** A waiting read now belongs to another connection (its owner left, others still want it). */
  transfer(handle: SnapshotTicket, owner: object): void {
    const ticket = handle as Ticket;
    if (ticket.state !== 'queued' || ticket.owner === owner) return;
    this.remove(ticket);
    ticket.owner = owner;
    this.add(ticket);
    this.pump();
  }

  stats(): SnapshotStats {
    return { running: this.running, queued: this.queued, ...this.counters };
  }

  resetStats(): void {
    this.counters = {
      started: 0,
      dropped: 0,
      discarded: 0,
      peakRunning: this.running,
      peakRunningPerConnection: 0,
      peakQueued: this.queued,
    };
  }

  private readsOf(owner: object): OwnerReads {
    let reads = this.owners.get(owner);
    if (!reads) this.owners.set(owner, (reads = new OwnerReads(owner)));
    return reads;
  }

  private add(ticket: Ticket): void {
    const reads = this.readsOf(ticket.owner);
    reads.queued.add(ticket);
    this.queued += 1;
    this.counters.peakQueued = Math.max(this.counters.peakQueued, this.queued);
    this.waiting.add(reads);
  }

  private remove(ticket: Ticket): void {
    const reads = this.owners.get(ticket.owner);
    if (!reads?.queued.delete(ticket)) return;
    this.queued -= 1;
    this.tidy(ticket.owner, reads);
  }

  /** Forgets a connection with nothing waiting or running. */
  private tidy(owner: object, reads: OwnerReads): void {
    if (reads.queued.size === 0) this.waiting.delete(reads);
    if (reads.queued.size === 0 && reads.running.size === 0) this.owners.delete(owner);
  }

  private pump(): void {
    while (this.running < this.limits.snapshotReadsMax) {
      const ticket = this.nextRunnable();
      if (!ticket) return;
      this.start(ticket);
    }
  }

  /** The oldest read that may start of the connection served least recently. */
  private nextRunnable(): Ticket | null {
    let best: Ticket | null = null;
    let bestTurn = Infinity;
    for (const reads of this.waiting) {
      const turn = this.lastTurn.get(reads.owner) ?? -1;
      if (turn >= bestTurn || reads.running.size >= this.limits.snapshotReadsPerConnectionMax) continue;
      for (const ticket of reads.queued) {
        if (reads.running.has(ticket.slot)) continue;
        best = ticket;
        bestTurn = turn;
        break;
      }
    }
    return best;
  }

  private start(ticket: Ticket): void {
    const owner = ticket.owner;
    const reads = this.readsOf(owner);
    reads.queued.delete(ticket);
    this.queued -= 1;
    reads.running.set(ticket.slot, ticket);
    this.lastTurn.set(owner, ++this.turn);
    this.tidy(owner, reads);
    ticket.state = 'running';
    this.running += 1;
    this.counters.started += 1;
    this.counters.peakRunning = Math.max(this.counters.peakRunning, this.running);
    this.counters.peakRunningPerConnection = Math.max(this.counters.peakRunningPerConnection, reads.running.size);
    let read: Promise<unknown>;
    try {
      read = ticket.job.read();
    } catch (error) {
      read = Promise.reject(error);
    }
    read.then(
      (value) => this.finish(ticket, reads, () => ticket.job.apply(value)),
      (error: unknown) => this.finish(ticket, reads, () => ticket.job.fail(error)),
    );
  }

  private finish(ticket: Ticket, reads: OwnerReads, deliver: () => void): void {
    ticket.state = 'done';
    this.running -= 1;
    reads.running.delete(ticket.slot);
    this.tidy(ticket.owner, reads);
    if (ticket.cancelled) {
      this.counters.discarded += 1;
    } else {
      try {
        deliver();
      } catch (error) {
        ticket.job.fail(error);
      }
    }
    this.pump();
  }
}
