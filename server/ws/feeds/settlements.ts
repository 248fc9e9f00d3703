/**
 * The `settlements` channel of one party: its open instructions (pending and failed) as the
 * snapshot; as updates, each of its instructions that changed — created by a trade, settled or
 * failed by a run, cancelled by the back office — as GET /settlements shows them.
 *
 * Settlement commits outside the sequencer, so changes arrive as signals (a committed batch's
 * trades, a finished run) and the instructions are read from the database after the commit. The
 * reads of one feed run one after another, in signal order, so a later read never loses to an
 * earlier one: the client ends on the latest state of every instruction. The snapshot read may
 * wait in the snapshot scheduler; a signal before it starts is ignored, since the snapshot, read
 * after that signal's commit, already shows its changes (and a read before it could only be older).
 */
import type { Knex } from 'knex';
import { currentBusinessDate } from '../../businessdate/index.js';
import { instructionView, referenceRates, type InstructionRow, type InstructionView } from '../../settlement/queries.js';
import { instructionAsSeenBy } from '../../settlement/privacy.js';
import { Feed, KeyedFeed } from '../feed.js';

/** What changed: instructions of these trades, or what a run settled or failed. */
export type SettlementSignal = { kind: 'trades'; tradeIds: readonly string[] } | { kind: 'run'; runId: string; date: string };

const OPEN_STATUSES = ['pending', 'failed'];

export class SettlementsFeed extends KeyedFeed<InstructionView> {
  private reads: Promise<unknown> = Promise.resolve();
  private loadStarted = false;

  constructor(
    key: string,
    channel: string,
    markDirty: (feed: Feed) => void,
    private readonly partyId: string,
    private readonly db: Knex,
    private readonly onReadError: (error: unknown) => void,
  ) {
    super(
      key,
      channel,
      markDirty,
      'settlements',
      (instruction) => instruction.id,
      (instruction) => OPEN_STATUSES.includes(instruction.status),
    );
  }

  /** The snapshot: the party's open instructions, newest first. */
  load(limit: number): Promise<void> {
    this.loadStarted = true;
    return this.inOrder(async () =>
      this.loaded(await this.read((q) => q.whereIn('status', OPEN_STATUSES).orderBy('id', 'desc').limit(limit))),
    );
  }

  /** Reads and sends the party's instructions the signal names, after any earlier read. */
  refresh(signal: SettlementSignal): void {
    if (!this.loadStarted) return;
    this.inOrder(async () => {
      const instructions = await this.read((q) => {
        if (signal.kind === 'trades') q.whereIn('trade_id', [...signal.tradeIds]);
        else
          q.where((w) =>
            w.where('run_id', signal.runId).orWhere((f) => f.where('status', 'failed').andWhere('last_attempt_date', signal.date)),
          );
        q.orderBy('id');
      });
      this.upsert(instructions);
    }).catch(this.onReadError);
  }

  private inOrder(read: () => Promise<void>): Promise<void> {
    const next = this.reads.then(read);
    this.reads = next.catch(() => undefined);
    return next;
  }

  private async read(shape: (query: Knex.QueryBuilder) => void): Promise<InstructionView[]> {
    const rows: InstructionRow[] = await this.db('settlement_instructions')
      .where((w) => w.where('buyer_party_id', this.partyId).orWhere('seller_party_id', this.partyId))
      .modify(shape)
      .select('*');
    if (rows.length === 0) return [];
    const asOf = await currentBusinessDate(this.db);
    const rates = await referenceRates(this.db);
    // The party's own side only, as GET /settlements shows it to an investor or dealer.
    return rows.map((row) => instructionAsSeenBy(instructionView(row, asOf, rates), this.partyId));
  }
}
