/**
 * Test harness for the engine: numbers the commands, collects each command's events, and runs
 * the full invariant check (checkBook) after every command.
 */
import { EventLog, MatchingEngine } from '../../server/engine/index.js';
import type {
  Command,
  EngineEvent,
  EngineLimits,
  NewOrderCommand,
  NoteSpec,
  QuoteEntry,
  SelfTradeMode,
  Side,
  TimeInForce,
} from '../../server/engine/index.js';

type WithoutHeader<T> = T extends unknown ? Omit<T, 'seq' | 'timestamp'> & { timestamp?: number } : never;
export type CommandInput = WithoutHeader<Command>;

export const NOTE = 'N1';
export const SPEC: NoteSpec = { minQuantityUnits: 1, minPriceTicks: 1, maxPriceTicks: 200 };

export interface OrderOptions {
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  selfTrade?: SelfTradeMode;
  expireAt?: number;
  noteId?: string;
}

export class Harness {
  readonly log = new EventLog();
  readonly engine: MatchingEngine;
  seq = 0;
  now = 1_000;

  constructor(options: { limits?: Partial<EngineLimits>; notes?: string[] } = {}) {
    this.engine = new MatchingEngine({ sink: this.log, limits: options.limits });
    for (const noteId of options.notes ?? [NOTE]) this.run({ kind: 'register_note', noteId, ...SPEC });
  }

  /** Applies a command (seq and timestamp filled in) and returns its events. */
  run(input: CommandInput): EngineEvent[] {
    this.seq++;
    const command = { timestamp: this.now, ...input, seq: this.seq } as Command;
    this.engine.apply(command);
    this.engine.checkBook();
    return this.log.take();
  }

  limit(
    orderId: string,
    partyId: string,
    side: Side,
    priceTicks: number,
    quantityUnits: number,
    options: OrderOptions = {},
  ): EngineEvent[] {
    return this.run(order(orderId, partyId, side, 'limit', priceTicks, quantityUnits, options));
  }

  market(orderId: string, partyId: string, side: Side, quantityUnits: number, options: OrderOptions = {}): EngineEvent[] {
    return this.run(order(orderId, partyId, side, 'market', 0, quantityUnits, { timeInForce: 'IOC', ...options }));
  }

  cancel(orderId: string, partyId: string, noteId = NOTE): EngineEvent[] {
    return this.run({ kind: 'cancel', noteId, orderId, partyId });
  }

  replace(orderId: string, partyId: string, priceTicks: number, quantityUnits: number, noteId = NOTE): EngineEvent[] {
    return this.run({ kind: 'cancel_replace', noteId, orderId, partyId, priceTicks, quantityUnits });
  }

  quote(partyId: string, entries: QuoteEntry[], selfTrade?: SelfTradeMode): EngineEvent[] {
    return this.run({ kind: 'mass_quote', partyId, entries, ...(selfTrade ? { selfTrade } : {}) });
  }

  /** Level 2 of one side as [price, size, count] triples, best first. */
  depth(side: Side, noteId = NOTE): [number, number, number][] {
    return this.engine.level2(noteId, side)!.map((l) => [l.priceTicks, l.sizeUnits, l.orderCount]);
  }

  /** Level 3 of one side as order ids in priority order. */
  queue(side: Side, noteId = NOTE): string[] {
    return this.engine.level3(noteId, side)!.map((o) => o.orderId);
  }
}

export function order(
  orderId: string,
  partyId: string,
  side: Side,
  type: 'limit' | 'market',
  priceTicks: number,
  quantityUnits: number,
  options: OrderOptions = {},
): WithoutHeader<NewOrderCommand> {
  const { noteId = NOTE, timeInForce = 'GTC', ...rest } = options;
  return { kind: 'new_order', noteId, orderId, partyId, side, type, priceTicks, quantityUnits, timeInForce, ...rest };
}

export function entry(noteId: string, bid: [string, number, number] | null, ask: [string, number, number] | null): QuoteEntry {
  return {
    noteId,
    bidOrderId: bid?.[0] ?? '',
    bidPriceTicks: bid?.[1] ?? 0,
    bidUnits: bid?.[2] ?? 0,
    askOrderId: ask?.[0] ?? '',
    askPriceTicks: ask?.[1] ?? 0,
    askUnits: ask?.[2] ?? 0,
  };
}

/** Events without their seq, and only the given types, for compact expectations. */
export function only(events: EngineEvent[], ...types: EngineEvent['type'][]): Record<string, unknown>[] {
  return events.filter((e) => types.includes(e.type)).map(({ seq: _seq, ...rest }) => rest);
}

export function fills(events: EngineEvent[]): [string, string, number, number][] {
  return events.flatMap((e) =>
    e.type === 'fill' ? ([[e.makerOrderId, e.takerOrderId, e.priceTicks, e.quantityUnits]] as [string, string, number, number][]) : [],
  );
}

export function codeOf(events: EngineEvent[]): string {
  const first = events[0];
  if (first === undefined) throw new Error('no events');
  return first.type === 'rejected' ? first.code : first.type;
}
