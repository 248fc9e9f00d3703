/**
 * The channel messages the batch publisher sends: what a committed batch's trades become on the
 * tape and executions subjects, several queued batches merged into one message per channel, and
 * the ids of the items a stored message carries (what a recovery compares against).
 *
 * Guarantees: pure (no I/O); a merged message is what a client applying the batches one by one
 * would end with.
 */
import { Decimal } from '../domain/decimal.js';
import { executionFor, type TradeRecord } from '../sequencer/records.js';
import { disseminatedSize } from '../trading/queries.js';
import type { BusKind, BusLevel } from './subjects.js';

/** One channel's message of a batch (or of merged batches). */
export interface Outgoing {
  kind: BusKind;
  key: string;
  data: unknown;
  /** Recovery only: each item's sequence number and id, to skip what the subject already holds. */
  items?: { seq: number; id: string }[];
}

/**
 * The messages of consecutive batches as one message per channel: book levels and quotes by their
 * latest value, tape, executions and orders concatenated in commit order — what a client applying
 * the batches one by one would end with.
 */
export function merge(batches: readonly { messages: readonly Outgoing[] }[]): Outgoing[] {
  if (batches.length === 1) return [...batches[0]!.messages];
  const merged = new Map<string, Outgoing>();
  for (const batch of batches) {
    for (const message of batch.messages) {
      const key = `${message.kind}.${message.key}`;
      const previous = merged.get(key);
      if (!previous || message.kind === 'quotes') {
        merged.set(key, message);
      } else if (message.kind === 'book') {
        const levels = new Map<string, BusLevel>();
        for (const level of [...(previous.data as { levels: BusLevel[] }).levels, ...(message.data as { levels: BusLevel[] }).levels])
          levels.set(`${level.side}${level.ticks}`, level);
        merged.set(key, { ...message, data: { levels: [...levels.values()] } });
      } else {
        const items = [...(previous.data as { items: unknown[] }).items, ...(message.data as { items: unknown[] }).items];
        merged.set(key, { ...message, data: { items } });
      }
    }
  }
  return [...merged.values()];
}

/** The tape (per note) and executions (per party) messages of these trades, in their order. */
export function tradeMessages(
  trades: readonly TradeRecord[],
  capOf: (noteId: string) => string | undefined,
  withItems = false,
): Outgoing[] {
  const tapes = new Map<string, { entry: unknown; seq: number; id: string }[]>();
  const executions = new Map<string, { entry: unknown; seq: number; id: string }[]>();
  for (const trade of trades) {
    const cap = capOf(trade.noteId);
    push(tapes, trade.noteId, {
      entry: {
        id: trade.id,
        noteId: trade.noteId,
        price: trade.price.toFixed(),
        quantity: cap ? disseminatedSize(trade.quantity, new Decimal(cap)) : trade.quantity.toFixed(),
        executedAt: trade.executedAt.toISOString(),
      },
      seq: trade.seq,
      id: trade.id,
    });
    for (const partyId of new Set([trade.buyerPartyId, trade.sellerPartyId])) {
      push(executions, partyId, { entry: executionFor(trade, partyId), seq: trade.seq, id: trade.id });
    }
  }
  const out: Outgoing[] = [];
  for (const [kind, byKey] of [
    ['trades', tapes],
    ['executions', executions],
  ] as const) {
    for (const [key, items] of byKey) {
      out.push({
        kind,
        key,
        data: { items: items.map((i) => i.entry) },
        ...(withItems ? { items: items.map((i) => ({ seq: i.seq, id: i.id })) } : {}),
      });
    }
  }
  return out;
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The ids of the items a message carries (trades and orders by id, executions by trade id). */
export function itemIds(data: unknown): ReadonlySet<string> {
  const items = (data as { items?: unknown[] } | null)?.items;
  if (!Array.isArray(items)) return new Set();
  return new Set(items.map((item) => String((item as { id?: string; tradeId?: string }).tradeId ?? (item as { id?: string }).id)));
}
