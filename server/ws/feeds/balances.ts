/**
 * The `balances` channel of one party: its cash and note balances (total, held, available, and a
 * dealer's credit line) as GET /balances shows them. Snapshot `{balances}`; update `{balances}`:
 * the whole list again, sent only when it differs from the last one sent.
 *
 * What moves a balance commits in the sequencer (orders and quotes opening, resizing or releasing
 * holds; fills) or in settlement (runs, cancels), so changes arrive as signals after the commit
 * and the balances are read from the database then. Reads of one feed run one after another; a
 * signal that arrives while a read is waiting to start is folded into it (that read, made after
 * the signal's commit, shows its change), so a burst of quote updates costs one read, not many.
 */
import type { Knex } from 'knex';
import { partyBalances } from '../../ledger/index.js';
import { Feed } from '../feed.js';

type Balance = Awaited<ReturnType<typeof partyBalances>>[number];

export class BalancesFeed extends Feed {
  readonly conflatable = false;
  private balances: Balance[] = [];
  private shown = '';
  private pending: Balance[] | null = null;
  private reads: Promise<unknown> = Promise.resolve();
  private waiting = false;
  private loadStarted = false;

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    private readonly partyId: string,
    private readonly db: Knex,
    private readonly onReadError: (error: unknown) => void,
  ) {
    super(key, channel, markDirty);
  }

  /** The snapshot: the party's balances now. */
  load(): Promise<void> {
    this.loadStarted = true;
    return this.inOrder(async () => {
      this.balances = await partyBalances(this.db, this.partyId);
      this.shown = JSON.stringify(this.balances);
      this.becomeReady();
    });
  }

  /** Re-reads the balances after a commit that may have moved them; sends them if they changed. */
  refresh(): void {
    if (!this.loadStarted || this.waiting) return;
    this.waiting = true;
    this.inOrder(async () => {
      this.waiting = false;
      const balances = await partyBalances(this.db, this.partyId);
      const text = JSON.stringify(balances);
      if (text === this.shown) return;
      this.balances = balances;
      this.shown = text;
      this.pending = balances;
      this.changed();
    }).catch(this.onReadError);
  }

  takeUpdate(): unknown {
    if (this.pending === null) return null;
    const balances = this.pending;
    this.pending = null;
    return { balances };
  }

  snapshotData(): unknown {
    return { balances: this.balances };
  }

  private inOrder(read: () => Promise<void>): Promise<void> {
    const next = this.reads.then(read);
    this.reads = next.catch(() => undefined);
    return next;
  }
}
