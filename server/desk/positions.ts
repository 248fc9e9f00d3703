/**
 * A party's positions as a fixed-income desk reads them: face, factor, mark, market value, accrued,
 * average cost and P&L, and what is traded but not yet settled.
 *
 * Definitions (all per note, decimal strings on the wire):
 * - originalFace: trade-date position = settled face in the ledger + pendingFace.
 * - pendingFace / pendingCash: open (pending or failed) settlement instructions; a buy adds face
 *   and takes its net amount, a sell the reverse.
 * - currentFace = originalFace × note factor (exact).
 * - markPrice: the book's mid when both sides are quoted, else the last trade, else the model
 *   price: the base scenario (every coupon and principal paid on schedule) discounted at the
 *   coupon rate, clean, from server/domain/yield.ts.
 * - marketValue = currentFace × mark / 100, accruedInterest on currentFace for spot settlement of
 *   today's business date; both rounded half-even to cents.
 * - averageCost / realizedPnl: replayed from the party's fills (trades whose instruction was not
 *   cancelled) in execution order by server/domain/cost-basis.ts; face not explained by fills
 *   (an issuance allocation) enters first at par. unrealizedPnl = currentFace × (mark − avg) / 100.
 * - modifiedDuration: the note's modified duration to the ARD under the base scenario at the mark
 *   (the same figure as GET /notes/:id/analytics?price=<mark>), null when the deal cannot be projected;
 *   the deal's context and projection are reused for up to DEAL_CACHE_MS within a business date.
 *   dv01 = (marketValue + accruedInterest) × modifiedDuration × 0.0001: the change in the position's
 *   full value for a one-basis-point fall in yield, in cents, half-even.
 * - previousClose: the last trade of the note dated before today's business date (source 'last'),
 *   else the model price (source 'model'). The day's P&L, in today's current-face terms (face × factor now):
 *   dayPnl = [currentFace × mark − startFace × previousClose + Σ today's sells face × price
 *            − Σ today's buys face × price] / 100, where startFace = currentFace − today's bought + today's sold.
 *   Without trades today it is currentFace × (mark − previousClose) / 100; a position opened today earns
 *   mark − its price; a position sold today earns its price − the previous close. Clean prices (accrued
 *   and coupons are carry, not price P&L); rounded once to cents, half-even.
 * Notes the party never held nor traded are left out; a note traded flat stays (it has realized P&L).
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { accruedInterest } from '../domain/accrued.js';
import { costBasis, unrealizedPnl, type Fill } from '../domain/cost-basis.js';
import { priceFromYield } from '../domain/yield.js';
import { roundCash } from '../domain/rounding.js';
import type { DayCountConvention } from '../domain/daycount.js';
import { Instrument } from '../refdata/instrument.js';
import { listNotes } from '../refdata/notes.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { Rejection } from '../core/rejections.js';
import { classAnalytics, defaultSettlement } from '../projection/class-analytics.js';
import { loadDealContext } from '../projection/context.js';
import { resolveFor } from '../projection/scenario-input.js';
import { runProjection } from '../projection/service.js';

export type MarkSource = 'mid' | 'last' | 'model';

export interface Position {
  noteId: string;
  originalFace: string;
  factor: string;
  currentFace: string;
  markPrice: string;
  markSource: MarkSource;
  marketValue: string;
  accruedInterest: string;
  averageCost: string;
  unrealizedPnl: string;
  realizedPnl: string;
  pendingFace: string;
  pendingCash: string;
  modifiedDuration: string | null;
  dv01: string | null;
  previousClose: string;
  previousCloseSource: 'last' | 'model';
  dayPnl: string;
}

/** The book's best bid and ask of a note in percent, null for an empty side (from the sequencer). */
export type BookTop = (noteId: string) => { bid: Decimal | null; ask: Decimal | null };

const PAR = new Decimal(100);
/** Average cost is shown to 8 decimal places (it is a price; 1/256 ticks need 8). */
const COST_PLACES = 8;

export async function partyPositions(db: Knex, partyId: string, bookTop: BookTop): Promise<Position[]> {
  const businessDate = await currentBusinessDate(db);
  const notes = new Map((await listNotes(db)).map((n) => [n.id, n]));
  const settled = await settledFaces(db, partyId, [...notes.keys()]);
  const pending = await pendingByNote(db, partyId);
  const fills = await fillsByNote(db, partyId);
  const lasts = await lastPrices(db);
  const closes = await lastPrices(db, businessDate);
  const noteIds = [...notes.keys()].filter((id) => settled.has(id) || pending.has(id) || fills.has(id));
  const durations = new DurationsByDeal(db, businessDate);
  const positions = noteIds.map((noteId) => {
    const instrument = new Instrument(notes.get(noteId)!);
    const open = pending.get(noteId) ?? { face: new Decimal(0), cash: new Decimal(0) };
    const originalFace = (settled.get(noteId) ?? new Decimal(0)).add(open.face);
    const noteFills = fills.get(noteId) ?? [];
    const tradedFace = noteFills.reduce((sum, f) => (f.side === 'buy' ? sum.add(f.face) : sum.sub(f.face)), new Decimal(0));
    const basis = costBasis({ face: originalFace.sub(tradedFace), price: PAR }, noteFills);
    const currentFace = originalFace.mul(instrument.factor);
    const spot = instrument.settlementDateFor(businessDate);
    const mark = markOf(instrument, bookTop(noteId), lasts.get(noteId) ?? null, spot);
    const terms = {
      couponRatePercent: instrument.note.couponRate,
      dayCount: instrument.note.dayCount as DayCountConvention,
      schedule: instrument.schedule,
    };
    const accrued =
      spot < instrument.note.maturityDate
        ? accruedInterest({ ...terms, face: originalFace, factor: instrument.factor, settlementDate: spot })
        : new Decimal(0);
    const marketValue = roundCash(currentFace.mul(mark.price).div(100));
    const close = closes.get(noteId);
    const previousClose = close
      ? { price: close, source: 'last' as const }
      : { price: modelPrice(instrument, spot), source: 'model' as const };
    const today = noteFills.filter((f) => f.tradeDate === businessDate);
    const dayPnl = dayPnlOf(currentFace, instrument.factor, mark.price, previousClose.price, today);
    return {
      noteId,
      dealId: instrument.note.dealId,
      originalFace: originalFace.toFixed(),
      factor: instrument.factor.toFixed(),
      currentFace: currentFace.toFixed(),
      markPrice: mark.price.toFixed(),
      markSource: mark.source,
      marketValue: marketValue.toFixed(2),
      accruedInterest: accrued.toFixed(2),
      averageCost: basis.averageCost.toDecimalPlaces(COST_PLACES, Decimal.ROUND_HALF_EVEN).toFixed(),
      unrealizedPnl: unrealizedPnl(currentFace, mark.price, basis.averageCost).toFixed(2),
      realizedPnl: basis.realizedPnl.toFixed(2),
      pendingFace: open.face.toFixed(),
      pendingCash: open.cash.toFixed(2),
      fullValue: marketValue.add(accrued),
      previousClose: previousClose.price.toFixed(),
      previousCloseSource: previousClose.source,
      dayPnl: dayPnl.toFixed(2),
    };
  });
  const out: Position[] = [];
  for (const { dealId, fullValue, previousClose, previousCloseSource, dayPnl, ...p } of positions) {
    const duration = await durations.modifiedDuration(dealId, p.noteId, p.markPrice);
    out.push({
      ...p,
      modifiedDuration: duration?.toFixed() ?? null,
      dv01: duration ? roundCash(fullValue.mul(duration).div(10_000)).toFixed(2) : null,
      previousClose,
      previousCloseSource,
      dayPnl,
    });
  }
  return out;
}

/** The day's P&L (see the header): marks, the previous close and today's fills, in cents. */
export function dayPnlOf(currentFace: Decimal, factor: Decimal, mark: Decimal, previousClose: Decimal, today: readonly Fill[]): Decimal {
  let bought = new Decimal(0);
  let sold = new Decimal(0);
  let cash = new Decimal(0);
  for (const fill of today) {
    const face = fill.face.mul(factor);
    if (fill.side === 'buy') {
      bought = bought.add(face);
      cash = cash.sub(face.mul(fill.price));
    } else {
      sold = sold.add(face);
      cash = cash.add(face.mul(fill.price));
    }
  }
  const startFace = currentFace.sub(bought).add(sold);
  return roundCash(currentFace.mul(mark).sub(startFace.mul(previousClose)).add(cash).div(100));
}

type LoadedDeal = { ctx: Awaited<ReturnType<typeof loadDealContext>>; result: ReturnType<typeof runProjection> } | null;

interface CachedDeal {
  expiresAt: number;
  businessDate: string;
  loaded: Promise<LoadedDeal>;
  /** Modified duration by note and price. */
  durations: Map<string, Decimal | null>;
}

/**
 * How long a deal's context and base projection are reused. Loading the context costs a few hundred
 * milliseconds and the full analytics (Z-spread, convexity) as much again, while the positions screen
 * asks every few seconds; the deal's state changes at most once a period (distributions, reports).
 * A roll of the business date starts afresh at once (the key includes the date).
 */
export const DEAL_CACHE_MS = 60_000;
const DURATION_ENTRIES_MAX = 500;
/** Per database (a test process runs several services), per deal. */
const dealCaches = new WeakMap<Knex, Map<string, CachedDeal>>();

/**
 * Modified durations from the projection (base scenario, to the ARD) at a price. A deal that cannot
 * be projected (no waterfall, no collateral facts) or a class with nothing left to pay has none.
 * Deal contexts and projections are cached for DEAL_CACHE_MS per business date, durations per price.
 */
class DurationsByDeal {
  private readonly deals: Map<string, CachedDeal>;

  constructor(
    private readonly db: Knex,
    private readonly businessDate: string,
  ) {
    let cache = dealCaches.get(db);
    if (!cache) dealCaches.set(db, (cache = new Map()));
    this.deals = cache;
  }

  async modifiedDuration(dealId: string, noteId: string, price: string): Promise<Decimal | null> {
    const now = Date.now();
    let deal = this.deals.get(dealId);
    if (!deal || deal.expiresAt <= now || deal.businessDate !== this.businessDate) {
      deal = { expiresAt: now + DEAL_CACHE_MS, businessDate: this.businessDate, loaded: this.load(dealId), durations: new Map() };
      this.deals.set(dealId, deal);
    }
    const key = `${noteId}@${price}`;
    if (deal.durations.has(key)) return deal.durations.get(key)!;
    const loaded = await deal.loaded;
    const index = loaded ? loaded.ctx.setup.classes.findIndex((c) => c.noteId === noteId) : -1;
    let duration: Decimal | null = null;
    if (loaded && index >= 0) {
      const analytics = classAnalytics(loaded.ctx, loaded.result, index, defaultSettlement(loaded.ctx), { noteId, price }, true);
      duration = analytics.modifiedDuration === null ? null : new Decimal(analytics.modifiedDuration);
    }
    if (deal.durations.size >= DURATION_ENTRIES_MAX) deal.durations.clear();
    deal.durations.set(key, duration);
    return duration;
  }

  private async load(dealId: string): Promise<LoadedDeal> {
    try {
      const ctx = await loadDealContext(this.db, dealId);
      return { ctx, result: runProjection(ctx, resolveFor(ctx, { name: 'base' })) };
    } catch (error) {
      if (error instanceof Rejection) return null;
      // Not cached: the next request tries again.
      this.deals.delete(dealId);
      throw error;
    }
  }
}

function markOf(
  instrument: Instrument,
  top: { bid: Decimal | null; ask: Decimal | null },
  last: Decimal | null,
  spot: string,
): { price: Decimal; source: MarkSource } {
  if (top.bid && top.ask) return { price: top.bid.add(top.ask).div(2), source: 'mid' };
  if (last) return { price: last, source: 'last' };
  return { price: modelPrice(instrument, spot), source: 'model' };
}

/** The base-scenario model price: every coupon and principal on schedule, discounted at the coupon rate, clean. */
function modelPrice(instrument: Instrument, spot: string): Decimal {
  const note = instrument.note;
  if (spot >= note.maturityDate) return PAR;
  const model = priceFromYield({
    couponRatePercent: note.couponRate,
    dayCount: note.dayCount as DayCountConvention,
    schedule: instrument.schedule,
    settlementDate: spot as never,
    yieldPercent: note.couponRate,
  });
  return model.cleanPricePercent.toDecimalPlaces(COST_PLACES, Decimal.ROUND_HALF_EVEN);
}

async function settledFaces(db: Knex, partyId: string, noteIds: string[]): Promise<Map<string, Decimal>> {
  const rows: { asset: string; total: string }[] = await db('ledger_accounts')
    .where({ party_id: partyId })
    .whereIn('asset', noteIds)
    .select('asset', 'total');
  return new Map(rows.filter((r) => !new Decimal(r.total).isZero()).map((r) => [r.asset, new Decimal(r.total)]));
}

async function pendingByNote(db: Knex, partyId: string): Promise<Map<string, { face: Decimal; cash: Decimal }>> {
  const rows: { note_id: string; buyer_party_id: string; quantity: string; net_amount: string }[] = await db('settlement_instructions')
    .whereIn('status', ['pending', 'failed'])
    .where((q) => q.where({ buyer_party_id: partyId }).orWhere({ seller_party_id: partyId }))
    .select('note_id', 'buyer_party_id', 'quantity', 'net_amount');
  const out = new Map<string, { face: Decimal; cash: Decimal }>();
  for (const row of rows) {
    const buy = row.buyer_party_id === partyId;
    const sum = out.get(row.note_id) ?? { face: new Decimal(0), cash: new Decimal(0) };
    const face = new Decimal(row.quantity);
    const cash = new Decimal(row.net_amount);
    out.set(row.note_id, { face: buy ? sum.face.add(face) : sum.face.sub(face), cash: buy ? sum.cash.sub(cash) : sum.cash.add(cash) });
  }
  return out;
}

/** The party's fills per note in execution order, without trades whose settlement was cancelled. */
async function fillsByNote(db: Knex, partyId: string): Promise<Map<string, (Fill & { tradeDate: string })[]>> {
  const rows: { note_id: string; buyer_party_id: string; quantity: string; factor: string; price: string; trade_date: string }[] = await db(
    'trades as t',
  )
    .leftJoin('settlement_instructions as s', 's.trade_id', 't.id')
    .where((q) => q.where('t.buyer_party_id', partyId).orWhere('t.seller_party_id', partyId))
    .where((q) => q.whereNull('s.status').orWhereNot('s.status', 'cancelled'))
    .orderBy([{ column: 't.executed_at' }, { column: 't.seq' }, { column: 't.id' }])
    .select('t.note_id', 't.buyer_party_id', 't.quantity', 't.factor', 't.price', 't.trade_date');
  const out = new Map<string, (Fill & { tradeDate: string })[]>();
  for (const row of rows) {
    const list = out.get(row.note_id) ?? [];
    list.push({
      side: row.buyer_party_id === partyId ? 'buy' : 'sell',
      face: new Decimal(row.quantity),
      factor: new Decimal(row.factor),
      price: new Decimal(row.price),
      tradeDate: isoDateText(row.trade_date),
    });
    out.set(row.note_id, list);
  }
  return out;
}

/** Each note's last trade price; with `before`, the last trade dated before that date (the previous close). */
async function lastPrices(db: Knex, before?: string): Promise<Map<string, Decimal>> {
  const rows: { note_id: string; price: string }[] = await db('trades')
    .modify((q) => {
      if (before) q.where('trade_date', '<', before);
    })
    .distinctOn('note_id')
    .orderBy([
      { column: 'note_id' },
      { column: 'executed_at', order: 'desc' },
      { column: 'seq', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .select('note_id', 'price');
  return new Map(rows.map((r) => [r.note_id, new Decimal(r.price)]));
}

/** A date column as YYYY-MM-DD (the pg driver may hand back a Date for a date column). */
function isoDateText(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}
