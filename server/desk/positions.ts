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
  const noteIds = [...notes.keys()].filter((id) => settled.has(id) || pending.has(id) || fills.has(id));
  return noteIds.map((noteId) => {
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
    return {
      noteId,
      originalFace: originalFace.toFixed(),
      factor: instrument.factor.toFixed(),
      currentFace: currentFace.toFixed(),
      markPrice: mark.price.toFixed(),
      markSource: mark.source,
      marketValue: roundCash(currentFace.mul(mark.price).div(100)).toFixed(2),
      accruedInterest: accrued.toFixed(2),
      averageCost: basis.averageCost.toDecimalPlaces(COST_PLACES, Decimal.ROUND_HALF_EVEN).toFixed(),
      unrealizedPnl: unrealizedPnl(currentFace, mark.price, basis.averageCost).toFixed(2),
      realizedPnl: basis.realizedPnl.toFixed(2),
      pendingFace: open.face.toFixed(),
      pendingCash: open.cash.toFixed(2),
    };
  });
}

function markOf(
  instrument: Instrument,
  top: { bid: Decimal | null; ask: Decimal | null },
  last: Decimal | null,
  spot: string,
): { price: Decimal; source: MarkSource } {
  if (top.bid && top.ask) return { price: top.bid.add(top.ask).div(2), source: 'mid' };
  if (last) return { price: last, source: 'last' };
  const note = instrument.note;
  if (spot >= note.maturityDate) return { price: PAR, source: 'model' };
  const model = priceFromYield({
    couponRatePercent: note.couponRate,
    dayCount: note.dayCount as DayCountConvention,
    schedule: instrument.schedule,
    settlementDate: spot as never,
    yieldPercent: note.couponRate,
  });
  return { price: model.cleanPricePercent.toDecimalPlaces(COST_PLACES, Decimal.ROUND_HALF_EVEN), source: 'model' };
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
async function fillsByNote(db: Knex, partyId: string): Promise<Map<string, Fill[]>> {
  const rows: { note_id: string; buyer_party_id: string; quantity: string; factor: string; price: string }[] = await db('trades as t')
    .leftJoin('settlement_instructions as s', 's.trade_id', 't.id')
    .where((q) => q.where('t.buyer_party_id', partyId).orWhere('t.seller_party_id', partyId))
    .where((q) => q.whereNull('s.status').orWhereNot('s.status', 'cancelled'))
    .orderBy([{ column: 't.executed_at' }, { column: 't.seq' }, { column: 't.id' }])
    .select('t.note_id', 't.buyer_party_id', 't.quantity', 't.factor', 't.price');
  const out = new Map<string, Fill[]>();
  for (const row of rows) {
    const list = out.get(row.note_id) ?? [];
    list.push({
      side: row.buyer_party_id === partyId ? 'buy' : 'sell',
      face: new Decimal(row.quantity),
      factor: new Decimal(row.factor),
      price: new Decimal(row.price),
    });
    out.set(row.note_id, list);
  }
  return out;
}

async function lastPrices(db: Knex): Promise<Map<string, Decimal>> {
  const rows: { note_id: string; price: string }[] = await db('trades')
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
