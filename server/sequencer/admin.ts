/**
 * Sequenced administration of the books: listing a note for trading, halting and resuming it, and
 * expiring orders (GTD orders whose time has come; DAY orders at the end of the business day).
 */
import type { Decimal } from '../domain/decimal.js';
import { setNotePriceBand, type Note } from '../refdata/notes.js';
import { currentBand } from './price-band.js';
import { Instrument } from '../refdata/instrument.js';
import { applyEvents } from './apply-events.js';
import { TradingRejection } from './rejections.js';
import { registerUnknownNotes } from './sequencer.js';
import type { TradingState } from './state.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

export function listNoteForTrading(state: TradingState, note: Note): void {
  state.instruments.set(note.id, new Instrument(note));
  registerUnknownNotes(state);
}

export function setHalted(state: TradingState, noteId: string, halted: boolean, actor?: AuditActor): void {
  if (!state.instruments.has(noteId)) throw new TradingRejection('NOTE_NOT_FOUND', { noteId });
  const wasHalted = state.engine.isHalted(noteId);
  if (actor) {
    state
      .currentBatch()
      .alsoWrite.push((trx) =>
        appendAudit(trx, { actor, action: halted ? 'note.halt' : 'note.resume', entity: `note:${noteId}`, details: { wasHalted } }),
      );
  }
  if (wasHalted !== halted) {
    state.applyToEngine({ kind: halted ? 'halt' : 'resume', seq: state.nextSeq(), timestamp: state.now.getTime(), noteId });
  }
  state.currentBatch().noteStatus.set(noteId, halted ? 'halted' : 'active');
}

/** Expires GTD orders due by now and, with `dayOrders`, every DAY order. Returns how many ended. */
export function expireOrders(state: TradingState, options: { dayOrders: boolean }): number {
  const events = state.applyToEngine({
    kind: 'expire',
    seq: state.nextSeq(),
    timestamp: state.now.getTime(),
    dayOrders: options.dayOrders,
  });
  applyEvents(state, events);
  return events.filter((e) => e.type === 'expired').length;
}

/** Whether any live GTD order is due: the timer asks before it spends a sequence number. */
export function gtdOrdersDue(state: TradingState, nowMs: number): boolean {
  for (const order of state.liveOrders.values()) {
    if (order.timeInForce === 'GTD' && order.expireAt !== null && order.expireAt.getTime() <= nowMs) return true;
  }
  return false;
}

/** The note's price band as the sequencer would apply it now. */
export function priceBandView(state: TradingState, noteId: string) {
  const instrument = state.instruments.get(noteId);
  if (!instrument) throw new TradingRejection('NOTE_NOT_FOUND', { noteId });
  const band = currentBand(state, instrument);
  return {
    noteId,
    widthPoints: instrument.priceBandPoints.toFixed(),
    reference: band?.reference.toFixed() ?? null,
    referenceSource: band?.source ?? null,
    low: band?.low.toFixed() ?? null,
    high: band?.high.toFixed() ?? null,
  };
}

/**
 * Sets a note's band width in sequence with the orders it applies to: the next command after this
 * one is checked against the new width, and the width is stored in the same commit.
 */
export function setPriceBand(state: TradingState, noteId: string, widthPoints: Decimal, actor?: AuditActor) {
  const instrument = state.instruments.get(noteId);
  if (!instrument) throw new TradingRejection('NOTE_NOT_FOUND', { noteId });
  const previous = instrument.priceBandPoints.toFixed();
  state.instruments.set(noteId, new Instrument({ ...instrument.note, priceBandPoints: widthPoints.toFixed() }));
  state.currentBatch().alsoWrite.push(async (trx) => {
    await setNotePriceBand(trx, noteId, widthPoints);
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'note.price_band',
        entity: `note:${noteId}`,
        details: { widthPoints: widthPoints.toFixed(), previousWidthPoints: previous },
      });
    }
  });
  return priceBandView(state, noteId);
}

/** Replaces a note's terms in the trading path (e.g. a new factor after a principal paydown). */
export function refreshInstrument(state: TradingState, note: Note): void {
  if (!state.instruments.has(note.id)) throw new TradingRejection('NOTE_NOT_FOUND', { noteId: note.id });
  state.instruments.set(note.id, new Instrument(note));
}
