/**
 * Concentration limits: a party's maximum share of portfolio market value dependent on any one
 * key of a dimension (ultimate obligor, sponsor, GPU vendor, GPU model, region), each "warn" or
 * "hard", and the pre-trade check of an order, replacement or RFQ against them.
 *
 * The check (why it sits at the order-entry edge, not in the sequencer):
 * - It runs before the request is handed to the sequencer, so the sequencer's batch loop does no
 *   database I/O for it. What it needs from the database — the party's trade-date positions and
 *   limits, every deal's look-through and the notes' marks — is cached here; the party's live
 *   orders are read from the sequencer's memory on every check (no I/O).
 * - Consistency: a party's positions are dropped from the cache when a committed batch has a
 *   trade of that party (onCommit) and when its limits change, so they are exact; settlement does
 *   not move trade-date positions. Look-through data and marks are at most LOOK_THROUGH_TTL_MS
 *   old. For a party with hard limits, checks and the submission to the sequencer are serialised
 *   per party (one at a time until the sequencer has accepted or refused), so two concurrent
 *   orders cannot both pass against the same figures. Across several server processes this
 *   would not hold; this service runs one sequencer.
 * - Worst case: the portfolio after the order is the trade-date positions plus every live buy
 *   order's remaining face plus this order (a sell subtracts, floored at zero), valued at the marks
 *   (book mid, last trade, base-scenario model price, par). An order is refused (hard) or warned
 *   when, for some key, its share after exceeds the limit AND is higher than before the order — so
 *   an order that reduces a breach is never refused; a share exactly at the limit passes.
 * - A dealer's mass quote replaces its quotes on the named notes: its current quote orders there
 *   leave the worst case and the new sides enter it, checked as two fills — every new bid filled
 *   (the portfolio after is positions + live buys with the new bids), and in addition every new
 *   ask filled (a sale raises the other keys' shares). A breach in either counts (the larger
 *   share is reported). A dealer's firm RFQ answer is checked like an order on the opposite side
 *   of the RFQ.
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { positiveDecimal } from '../core/schemas.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { DIMENSIONS, sharesByKey, type DealLookThrough, type Dimension } from './exposure.js';
import { dealLookThrough, marks, noteTerms, tradeDatePositions, valueHoldings, type Mark, type NoteTerms } from './look-through.js';
import { projectionModel } from './model-price.js';

export const LOOK_THROUGH_TTL_MS = 5_000;

export const limitsRequest = z
  .object({
    limits: z
      .array(
        z
          .object({
            by: z.enum(DIMENSIONS),
            maxSharePercent: positiveDecimal.refine((v) => !/^\d+(\.\d+)?$/.test(v) || new Decimal(v).lte(100), 'at most 100'),
            mode: z.enum(['warn', 'hard']),
          })
          .strict(),
      )
      .max(DIMENSIONS.length)
      .refine((l) => new Set(l.map((x) => x.by)).size === l.length, 'one limit per dimension'),
  })
  .strict();

export interface Limit {
  by: Dimension;
  maxSharePercent: Decimal;
  mode: 'warn' | 'hard';
}

export async function getLimits(db: Knex | Knex.Transaction, partyId: string): Promise<Limit[]> {
  const rows: { dimension: Dimension; max_share_percent: string; mode: 'warn' | 'hard' }[] = await db('risk_limits')
    .where({ party_id: partyId })
    .orderBy('dimension');
  return rows.map((r) => ({ by: r.dimension, maxSharePercent: new Decimal(r.max_share_percent), mode: r.mode }));
}

export function limitsToWire(limits: readonly Limit[]) {
  return { limits: limits.map((l) => ({ by: l.by, maxSharePercent: l.maxSharePercent.toFixed(), mode: l.mode })) };
}

/** Replaces the party's limits with the given set (an empty list removes them all). */
export async function putLimits(knex: Knex, partyId: string, request: z.infer<typeof limitsRequest>, actor?: AuditActor): Promise<Limit[]> {
  await inTransaction(knex, async (trx) => {
    const before = limitsToWire(await getLimits(trx, partyId)).limits;
    await trx('risk_limits').where({ party_id: partyId }).delete();
    if (request.limits.length > 0) {
      await trx('risk_limits').insert(
        request.limits.map((l) => ({ party_id: partyId, dimension: l.by, max_share_percent: l.maxSharePercent, mode: l.mode })),
      );
    }
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'risk_limits.set',
        entity: `party:${partyId}`,
        details: { limits: request.limits, previous: before },
      });
    }
  });
  return getLimits(knex, partyId);
}

/** A change to a party's worst-case portfolio: an order (or RFQ) on a note, possibly replacing a live order. */
export interface OrderChange {
  noteId: string;
  side: 'buy' | 'sell';
  quantity: Decimal;
  replacesOrderId?: string;
}

/** A dealer's mass quote: its new bid and ask size per note (zero: no side), replacing its quotes there. */
export interface QuoteChange {
  quotes: { noteId: string; bidSize: Decimal; askSize: Decimal }[];
}

export type PortfolioChange = OrderChange | QuoteChange;

export interface Breach {
  by: Dimension;
  key: string;
  name: string;
  mode: 'warn' | 'hard';
  maxSharePercent: string;
  sharePercentBefore: string;
  sharePercentAfter: string;
}

interface Shared {
  at: number;
  deals: Map<string, DealLookThrough>;
  terms: Map<string, NoteTerms>;
  marks: Map<string, Mark>;
}

export class ConcentrationGuard {
  private shared: Shared | null = null;
  private readonly limits = new Map<string, Promise<Limit[]>>();
  private readonly positions = new Map<string, { generation: number; value: Promise<Map<string, Decimal>> }>();
  /** Bumped per party by every committed trade: a load started before a trade is never reused after it. */
  private readonly generations = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private subscribed: Sequencer | null = null;

  constructor(
    private readonly knex: Knex,
    private readonly sequencer: () => Sequencer | null,
    private readonly now: () => number,
  ) {}

  /** Forgets a party's cached limits and positions (after its limits change). */
  invalidate(partyId: string): void {
    this.limits.delete(partyId);
    this.positions.delete(partyId);
  }

  private subscribe(): void {
    const sequencer = this.sequencer();
    if (!sequencer || sequencer === this.subscribed) return;
    this.subscribed = sequencer;
    sequencer.onCommit((batch) => {
      for (const t of batch.trades) {
        for (const party of [t.buyerPartyId, t.sellerPartyId]) {
          this.generations.set(party, (this.generations.get(party) ?? 0) + 1);
          this.positions.delete(party);
        }
      }
    });
  }

  private async sharedData(): Promise<Shared> {
    if (this.shared && this.now() - this.shared.at < LOOK_THROUGH_TTL_MS) return this.shared;
    const terms = await noteTerms(this.knex);
    const shared = {
      at: this.now(),
      deals: await dealLookThrough(this.knex),
      terms,
      marks: await marks(this.knex, this.sequencer(), [...terms.keys()], projectionModel(this.knex)),
    };
    this.shared = shared;
    return shared;
  }

  /** Cached per party; a failed load is not kept. */
  private cached<T>(cache: Map<string, Promise<T>>, partyId: string, load: () => Promise<T>): Promise<T> {
    let value = cache.get(partyId);
    if (!value) {
      value = load();
      value.catch(() => cache.delete(partyId));
      cache.set(partyId, value);
    }
    return value;
  }

  private partyPositions(partyId: string): Promise<Map<string, Decimal>> {
    const generation = this.generations.get(partyId) ?? 0;
    const cached = this.positions.get(partyId);
    if (cached && cached.generation === generation) return cached.value;
    const value = tradeDatePositions(this.knex, partyId);
    value.catch(() => this.positions.delete(partyId));
    this.positions.set(partyId, { generation, value });
    return value;
  }

  private partyLimits(partyId: string): Promise<Limit[]> {
    return this.cached(this.limits, partyId, () => getLimits(this.knex, partyId));
  }

  /**
   * Runs `submit` after the check; for a party with hard limits, one at a time per party. Throws
   * CONCENTRATION_LIMIT on a hard breach; returns the warn breaches with submit's result.
   */
  async guarded<T>(partyId: string, change: PortfolioChange, submit: () => Promise<T>): Promise<{ result: T; warnings: Breach[] }> {
    this.subscribe();
    // A party without limits costs one cached lookup: its positions are never loaded.
    const limits = await this.partyLimits(partyId);
    if (limits.length === 0) return { result: await submit(), warnings: [] };
    if (!limits.some((l) => l.mode === 'hard')) {
      const warnings = await this.check(partyId, change);
      return { result: await submit(), warnings };
    }
    const previous = this.queues.get(partyId) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const breaches = await this.check(partyId, change);
        const hard = breaches.filter((b) => b.mode === 'hard');
        if (hard.length > 0) {
          const first = hard[0]!;
          throw new Rejection(
            'CONCENTRATION_LIMIT',
            `the ${'quotes' in change ? 'quote' : 'order'} would take ${first.name} to ${first.sharePercentAfter}% of portfolio value (hard limit ${first.maxSharePercent}% by ${first.by})`,
            { breaches: hard },
          );
        }
        return { result: await submit(), warnings: breaches };
      });
    this.queues.set(partyId, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(partyId) === run) this.queues.delete(partyId);
    }
  }

  /** The breaches (warn and hard) the change would cause, against the cached figures. */
  async check(partyId: string, change: PortfolioChange): Promise<Breach[]> {
    const limits = await this.partyLimits(partyId);
    if (limits.length === 0) return [];
    const positions = await this.partyPositions(partyId);
    const shared = await this.sharedData();
    const before = this.worstCase(partyId, positions, null);
    const afters =
      'quotes' in change
        ? [this.quoteWorstCase(partyId, positions, change, false), this.quoteWorstCase(partyId, positions, change, true)]
        : [this.worstCase(partyId, positions, change)];
    const value = (p: Map<string, Decimal>) => valueHoldings(p, shared.terms, shared.marks);
    const breaches: Breach[] = [];
    for (const limit of limits) {
      const sharesBefore = sharesByKey(value(before), shared.deals, limit.by);
      const highest = new Map<string, { name: string; share: Decimal }>();
      for (const after of afters) {
        for (const [key, entry] of sharesByKey(value(after), shared.deals, limit.by)) {
          const seen = highest.get(key);
          if (!seen || entry.share.gt(seen.share)) highest.set(key, entry);
        }
      }
      for (const [key, { name, share }] of highest) {
        const pct = share.mul(100);
        const pctBefore = (sharesBefore.get(key)?.share ?? new Decimal(0)).mul(100);
        if (pct.gt(limit.maxSharePercent) && pct.gt(pctBefore)) {
          breaches.push({
            by: limit.by,
            key,
            name,
            mode: limit.mode,
            maxSharePercent: limit.maxSharePercent.toFixed(),
            sharePercentBefore: roundHalfEven(pctBefore, 2).toFixed(2),
            sharePercentAfter: roundHalfEven(pct, 2).toFixed(2),
          });
        }
      }
    }
    return breaches;
  }

  /** Positions + live buy orders' remaining face (from the sequencer's memory), leaving out `skip`. */
  private withLiveBuys(
    partyId: string,
    positions: ReadonlyMap<string, Decimal>,
    skip: (order: { id: string; noteId: string }) => boolean,
  ): { result: Map<string, Decimal>; skipped: Map<string, Decimal> } {
    const result = new Map(positions);
    const skipped = new Map<string, Decimal>();
    const sequencer = this.sequencer();
    if (sequencer?.ready) {
      sequencer.view((state) => {
        for (const order of state.liveOrders.values()) {
          if (order.partyId !== partyId) continue;
          if (skip(order)) {
            skipped.set(order.id, order.filled);
            continue;
          }
          if (order.side === 'buy') add(result, order.noteId, order.leaves);
        }
      });
    }
    return { result, skipped };
  }

  /** Positions + live buy orders' remaining face ± the order (a replacement's filled part is already in the positions). */
  private worstCase(partyId: string, positions: ReadonlyMap<string, Decimal>, change: OrderChange | null): Map<string, Decimal> {
    const { result, skipped } = this.withLiveBuys(partyId, positions, (order) => change?.replacesOrderId === order.id);
    if (change) {
      const replacedFilled = (change.replacesOrderId && skipped.get(change.replacesOrderId)) || new Decimal(0);
      const remaining = Decimal.max(new Decimal(0), change.quantity.minus(replacedFilled));
      add(result, change.noteId, change.side === 'buy' ? remaining : remaining.negated());
    }
    return result;
  }

  /** Positions + live buys other than the dealer's quotes on the named notes + the new bids (and, with `asksFill`, − the new asks). */
  private quoteWorstCase(
    partyId: string,
    positions: ReadonlyMap<string, Decimal>,
    change: QuoteChange,
    asksFill: boolean,
  ): Map<string, Decimal> {
    const replaced = new Set<string>();
    const sequencer = this.sequencer();
    if (sequencer?.ready) {
      sequencer.view((state) => {
        for (const q of change.quotes) {
          const current = state.quotes.get(partyId)?.get(q.noteId);
          for (const id of [current?.bid, current?.ask]) if (id) replaced.add(id);
        }
      });
    }
    const { result } = this.withLiveBuys(partyId, positions, (order) => replaced.has(order.id));
    for (const q of change.quotes) {
      add(result, q.noteId, q.bidSize);
      if (asksFill) add(result, q.noteId, q.askSize.negated());
    }
    return result;
  }
}

function add(portfolio: Map<string, Decimal>, noteId: string, face: Decimal): void {
  portfolio.set(noteId, Decimal.max(new Decimal(0), (portfolio.get(noteId) ?? new Decimal(0)).plus(face)));
}
