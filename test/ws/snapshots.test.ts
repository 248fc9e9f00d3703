/**
 * The snapshot-read scheduler (server/ws/snapshots.ts) on its own, driven by random streams of
 * enqueues, cancellations, transfers and read completions (fast-check). Invariants after every
 * step: at most snapshotReadsMax reads run, at most snapshotReadsPerConnectionMax of one
 * connection, never two of one connection and channel; a cancelled read never delivers; every
 * read not cancelled delivers exactly once in the end; nothing waits while a read could start.
 * And fairness, by a worked example: with one read at a time, a connection that queues one read
 * behind another connection's ten is served second, not eleventh.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotReads, type SnapshotTicket } from '../../server/ws/snapshots.js';

interface Read {
  owner: number;
  slot: string;
  ticket: SnapshotTicket;
  started: boolean;
  resolve: ((value: string) => void) | null;
  cancelled: boolean;
  delivered: number;
}

const step = fc.oneof(
  fc.record({ kind: fc.constant('enqueue' as const), owner: fc.nat(3), slot: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('transfer' as const), pick: fc.nat(), owner: fc.nat(3) }),
  fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }),
);

/** Lets the promise reactions of completed reads run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the snapshot-read scheduler', () => {
  it('keeps its bounds, delivers each read not cancelled exactly once and never a cancelled one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        async (steps, readsMax, perConnection) => {
          const scheduler = new SnapshotReads({
            snapshotReadsMax: readsMax,
            snapshotReadsPerConnectionMax: perConnection,
            snapshotQueueMax: 1_000,
          });
          const owners = [0, 1, 2, 3].map((n) => ({ n }));
          const reads: Read[] = [];
          const check = () => {
            const running = reads.filter((r) => r.started && r.resolve !== null);
            expect(running.length).toBeLessThanOrEqual(readsMax);
            expect(scheduler.stats().running).toBe(running.length);
            for (const owner of owners) {
              const mine = running.filter((r) => r.owner === owner.n);
              expect(mine.length).toBeLessThanOrEqual(perConnection);
              expect(new Set(mine.map((r) => r.slot)).size).toBe(mine.length);
            }
            for (const read of reads) expect(read.delivered).toBeLessThanOrEqual(read.cancelled ? 0 : 1);
            // Work conserving: a waiting read that could start has started.
            const waiting = reads.filter((r) => !r.started && !r.cancelled);
            if (running.length < readsMax) {
              for (const read of waiting) {
                const mine = running.filter((r) => r.owner === read.owner);
                expect(mine.length >= perConnection || mine.some((r) => r.slot === read.slot)).toBe(true);
              }
            }
          };
          for (const s of steps) {
            if (s.kind === 'enqueue') {
              const read: Read = {
                owner: s.owner,
                slot: s.slot,
                ticket: null as unknown as SnapshotTicket,
                started: false,
                resolve: null,
                cancelled: false,
                delivered: 0,
              };
              reads.push(read);
              read.ticket = scheduler.enqueue(owners[s.owner]!, s.slot, {
                read: () => {
                  read.started = true;
                  return new Promise<string>((resolve) => {
                    read.resolve = resolve;
                  });
                },
                apply: () => {
                  read.delivered += 1;
                },
                fail: (error) => {
                  throw error;
                },
              });
            } else if (reads.length > 0) {
              const read = reads[s.pick % reads.length]!;
              if (s.kind === 'cancel') {
                // Cancelling a read that already delivered changes nothing.
                if (read.delivered === 0) read.cancelled = true;
                scheduler.cancel(read.ticket);
              } else if (s.kind === 'transfer') {
                if (!read.started && !read.cancelled) {
                  scheduler.transfer(read.ticket, owners[s.owner]!);
                  read.owner = s.owner;
                }
              } else if (read.resolve) {
                const resolve = read.resolve;
                read.resolve = null;
                resolve('done');
                await flush();
              }
            }
            check();
          }
          // Finish everything still running, repeatedly, until nothing is left.
          for (let round = 0; round < 200; round++) {
            const running = reads.filter((r) => r.resolve !== null);
            if (running.length === 0) break;
            for (const read of running) {
              const resolve = read.resolve!;
              read.resolve = null;
              resolve('done');
            }
            await flush();
            check();
          }
          for (const read of reads) expect(read.delivered).toBe(read.cancelled ? 0 : 1);
          expect(scheduler.stats()).toMatchObject({ running: 0, queued: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("serves connections in turn: one read queued behind another connection's ten is the second to run", async () => {
    const scheduler = new SnapshotReads({ snapshotReadsMax: 1, snapshotReadsPerConnectionMax: 1, snapshotQueueMax: 100 });
    const busy = {};
    const polite = {};
    const order: string[] = [];
    const finishers: (() => void)[] = [];
    const job = (name: string) => ({
      read: () =>
        new Promise<void>((resolve) => {
          order.push(name);
          finishers.push(resolve);
        }),
      apply: () => undefined,
      fail: (error: unknown) => {
        throw error;
      },
    });
    for (let i = 1; i <= 10; i++) scheduler.enqueue(busy, `trades:${i}`, job(`busy-${i}`));
    scheduler.enqueue(polite, 'executions', job('polite'));
    while (finishers.length > 0) {
      finishers.shift()!();
      await flush();
    }
    // busy-1 was running when polite arrived; then the turn passes to polite, then back.
    expect(order).toEqual(['busy-1', 'polite', 'busy-2', 'busy-3', 'busy-4', 'busy-5', 'busy-6', 'busy-7', 'busy-8', 'busy-9', 'busy-10']);
  });
});
