/**
 * Reads of the sequencer's committed state at a commit boundary, for the listeners that publish
 * it (the WebSocket hub, the bus publisher): a read runs now when no batch is open; otherwise in
 * the owner's next commit listener (which calls `committed`), or — after a failed batch, when the
 * state is rebuilt without a commit — on a retry once the sequencer is idle.
 *
 * Guarantees: each read runs once, in the order queued, on a state with no batch open; a read
 * that throws is handed to `onError` and the others still run.
 * Never: run a read while a batch is open (it could see what may still be rolled back).
 */
import type { Sequencer } from './sequencer.js';
import type { TradingState } from './state.js';

const RETRY_MS = 20;

export class CommitBoundary {
  private readonly waiting: ((state: TradingState) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sequencer: Sequencer,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Runs `read` on the committed state, now or at the next boundary; a read put off to a later
   * boundary runs only if `wanted` still says so then (what it was for may be gone by then).
   */
  whenCommitted(read: (state: TradingState) => void, wanted: () => boolean = () => true): void {
    const state = this.idleState();
    if (state) {
      this.run(read, state);
      return;
    }
    this.waiting.push((committed) => {
      if (wanted()) read(committed);
    });
    this.timer ??= setTimeout(() => this.retry(), RETRY_MS);
  }

  /** From the owner's commit listener, where the state is exactly the committed one. */
  committed(state: TradingState): void {
    for (const read of this.waiting.splice(0)) this.run(read, state);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private retry(): void {
    this.timer = null;
    if (this.waiting.length === 0) return;
    const state = this.idleState();
    if (state) this.committed(state);
    else this.timer = setTimeout(() => this.retry(), RETRY_MS);
  }

  private idleState(): TradingState | null {
    try {
      return this.sequencer.view((state) => (state.batch === null ? state : null));
    } catch {
      // The sequencer is not running (starting, or rebuilding after a failed batch).
      return null;
    }
  }

  private run(read: (state: TradingState) => void, state: TradingState): void {
    try {
      read(state);
    } catch (error) {
      this.onError(error);
    }
  }
}
