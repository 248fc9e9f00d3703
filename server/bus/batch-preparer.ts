/**
 * What the batch publisher publishes of a committed batch, prepared in the commit listener from the
 * batch's events and the committed state: the book levels each note's batch touched, its quotes
 * when they changed, the tape, and each party's orders; and a note's full book and quotes as a
 * reset for a recovery.
 *
 * Guarantees: no I/O; called at a commit boundary, it reads the state exactly as committed. It
 * remembers each note's last published quotes, so that quotes are published only when they change.
 */
import type { EngineEvent } from '../engine/index.js';
import type { ApiOrder } from '../sequencer/records.js';
import type { CommittedBatch } from '../sequencer/sequencer.js';
import type { TradingState } from '../sequencer/state.js';
import { LevelFormat } from '../ws/feeds/book.js';
import { noteQuotes } from '../ws/feeds/quotes.js';
import { push, tradeMessages, type Outgoing } from './batch-messages.js';
import type { BusLevel } from './subjects.js';

export class BatchPreparer {
  private readonly formats = new Map<string, LevelFormat>();
  /** Each note's quotes as last published (JSON), to skip a batch's unchanged quotes. */
  private readonly lastQuotes = new Map<string, string>();

  /** The batch's channel messages, built from its events and the committed state. */
  messagesOf(batch: CommittedBatch, state: TradingState): Outgoing[] {
    const messages: Outgoing[] = [];
    const levels = new Map<string, Map<string, BusLevel>>();
    const quoteNotes = new Set<string>();
    for (const event of batch.events) {
      if (event.type === 'book_change') {
        let byNote = levels.get(event.noteId);
        if (!byNote) levels.set(event.noteId, (byNote = new Map()));
        byNote.set(`${event.side}${event.priceTicks}`, this.level(state, event));
      } else if (event.type === 'quote_replaced') {
        quoteNotes.add(event.noteId);
      }
    }
    for (const order of batch.orders) if (order.source === 'quote') quoteNotes.add(order.noteId);
    for (const [noteId, byLevel] of levels) messages.push({ kind: 'book', key: noteId, data: { levels: [...byLevel.values()] } });
    for (const noteId of quoteNotes) {
      const quotes = noteQuotes(state, noteId);
      const json = JSON.stringify(quotes);
      if (this.lastQuotes.get(noteId) === json) continue;
      this.lastQuotes.set(noteId, json);
      messages.push({ kind: 'quotes', key: noteId, data: quotes });
    }
    const caps = (noteId: string) => state.instruments.get(noteId)?.note.disseminationCap;
    messages.push(...tradeMessages(batch.trades, caps));
    const orders = new Map<string, ApiOrder[]>();
    for (const order of batch.orders) push(orders, order.partyId, order);
    for (const [partyId, items] of orders) messages.push({ kind: 'orders', key: partyId, data: { items } });
    return messages;
  }

  private level(state: TradingState, event: Extract<EngineEvent, { type: 'book_change' }>): BusLevel {
    const wire = this.format(state, event.noteId).level({
      priceTicks: event.priceTicks,
      sizeUnits: event.sizeUnits,
      orderCount: event.orderCount,
    });
    return { side: event.side, ticks: event.priceTicks, ...wire };
  }

  private format(state: TradingState, noteId: string): LevelFormat {
    let format = this.formats.get(noteId);
    if (!format) {
      const instrument = state.instruments.get(noteId);
      if (!instrument) throw new Error(`note ${noteId} is not listed`);
      this.formats.set(noteId, (format = new LevelFormat(instrument)));
    }
    return format;
  }

  /**
   * A note's book and quotes as a reset (its full state at the commit boundary `state`), for a
   * recovery; the quotes count as published, so an unchanged next batch does not repeat them.
   */
  resets(state: TradingState, noteId: string): Outgoing[] {
    const quotes = noteQuotes(state, noteId);
    this.lastQuotes.set(noteId, JSON.stringify(quotes));
    return [
      { kind: 'book', key: noteId, data: { reset: true, levels: this.bookLevels(state, noteId) } },
      { kind: 'quotes', key: noteId, data: quotes },
    ];
  }

  /** The full book of a note as bus levels, best first on each side (snapshots and recovery resets). */
  bookLevels(state: TradingState, noteId: string): BusLevel[] {
    const format = this.format(state, noteId);
    const out: BusLevel[] = [];
    for (const side of ['buy', 'sell'] as const) {
      for (const level of state.engine.level2(noteId, side) ?? []) out.push({ side, ticks: level.priceTicks, ...format.level(level) });
    }
    return out;
  }
}
