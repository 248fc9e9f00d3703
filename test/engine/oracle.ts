/**
 * The checks the property tests run over a command stream:
 * - differential: the fast engine and the reference book emit identical events and identical
 *   canonical snapshots after every command;
 * - invariants, independently of the reference: checkBook() after every command; no fill outside
 *   the maker's or the taker's limit; makers are taken in price-time priority (the makers a taker
 *   touches are a prefix of the opposite side's level-3 queue); an order ledger built from the
 *   events alone shows filled + leaves + cancelled = quantity for every order at every event and
 *   agrees with the engine's view of every live order; units are never created or lost.
 * Each check throws with the index of the offending command.
 */
import { expect } from 'vitest';
import { EventLog, MatchingEngine } from '../../server/engine/index.js';
import type { Command, EngineEvent, OrderView } from '../../server/engine/index.js';
import { ReferenceBook } from './reference-book.js';

export interface Reference {
  apply(command: Command): EngineEvent[];
  snapshot(): ReturnType<MatchingEngine['snapshot']>;
}

export function runDifferential(commands: readonly Command[], reference: Reference = new ReferenceBook()): void {
  const log = new EventLog();
  const engine = new MatchingEngine({ sink: log });
  const ledger = new OrderLedger();
  commands.forEach((command, index) => {
    const before = preCommandView(engine, command);
    engine.apply(command);
    const events = log.take();
    const expected = reference.apply(command);
    try {
      engine.checkBook();
      expect(events).toEqual(expected);
      expect(engine.snapshot()).toEqual(reference.snapshot());
      checkLimitsAndPriority(command, events, before);
      ledger.apply(command, events);
      ledger.compareWith(engine);
    } catch (error) {
      throw new Error(`command #${index} ${JSON.stringify(command)}: ${(error as Error).message}`, { cause: error });
    }
  });
}

/** Runs a stream on a fresh engine; returns its events and final hash. */
export function runEngine(commands: readonly Command[]): { events: EngineEvent[]; hash: string; engine: MatchingEngine } {
  const log = new EventLog();
  const engine = new MatchingEngine({ sink: log });
  for (const command of commands) engine.apply(command);
  return { events: log.take(), hash: engine.stateHash(), engine };
}

interface PreView {
  opposite: OrderView[];
  byId: Map<string, OrderView>;
}

function preCommandView(engine: MatchingEngine, command: Command): PreView | null {
  if (command.kind !== 'new_order' && command.kind !== 'cancel_replace') return null;
  let side: 'buy' | 'sell' | undefined = command.kind === 'new_order' ? command.side : engine.order(command.orderId)?.side;
  if (side !== 'buy' && side !== 'sell') side = 'buy';
  const opposite = engine.level3(command.noteId, side === 'buy' ? 'sell' : 'buy') ?? [];
  return { opposite, byId: new Map(opposite.map((o) => [o.orderId, o])) };
}

function checkLimitsAndPriority(command: Command, events: EngineEvent[], before: PreView | null): void {
  if (before === null || events[0]?.type !== 'accepted') return;
  const takerId = command.kind === 'new_order' || command.kind === 'cancel_replace' ? command.orderId : '';
  const limit = command.kind === 'new_order' && command.type === 'market' ? null : (command as { priceTicks: number }).priceTicks;
  const touched: string[] = [];
  for (const event of events) {
    if (event.type === 'fill') {
      const maker = before.byId.get(event.makerOrderId);
      expect(maker, `maker ${event.makerOrderId} was on the opposite side`).toBeDefined();
      expect(event.priceTicks).toBe(maker!.priceTicks);
      if (limit !== null) {
        if (event.takerSide === 'buy') expect(event.priceTicks).toBeLessThanOrEqual(limit);
        else expect(event.priceTicks).toBeGreaterThanOrEqual(limit);
      }
      touched.push(event.makerOrderId);
    } else if (event.type === 'cancelled' && event.reason === 'self_trade' && event.orderId !== takerId) {
      touched.push(event.orderId);
    }
  }
  const distinct = touched.filter((id, i) => touched[i - 1] !== id);
  expect(distinct).toEqual(before.opposite.slice(0, distinct.length).map((o) => o.orderId));
}

interface LedgerEntry {
  quantity: number;
  filled: number;
  cancelled: number;
  leaves: number;
}

/** Order state rebuilt from the command and event streams alone. */
class OrderLedger {
  private readonly orders = new Map<string, LedgerEntry>();
  private boughtUnits = 0;
  private soldUnits = 0;

  apply(command: Command, events: EngineEvent[]): void {
    if (command.kind === 'new_order' && events[0]?.type === 'accepted') {
      this.open(command.orderId, command.quantityUnits);
    }
    for (const event of events) {
      switch (event.type) {
        case 'quote_replaced':
          if (event.bidOrderId !== null) this.open(event.bidOrderId, event.bidUnits);
          if (event.askOrderId !== null) this.open(event.askOrderId, event.askUnits);
          break;
        case 'fill': {
          this.boughtUnits += event.quantityUnits;
          this.soldUnits += event.quantityUnits;
          this.move(event.makerOrderId, event.quantityUnits, 0, event.makerLeavesUnits);
          this.move(event.takerOrderId, event.quantityUnits, 0, event.takerLeavesUnits);
          break;
        }
        case 'cancelled':
          this.move(event.orderId, 0, event.cancelledUnits, event.leavesUnits);
          break;
        case 'expired':
          this.move(event.orderId, 0, event.expiredUnits, 0);
          break;
        case 'replaced': {
          const entry = this.get(event.orderId);
          entry.quantity = event.quantityUnits;
          entry.leaves = event.leavesUnits;
          this.check(event.orderId, entry);
          break;
        }
        default:
          break;
      }
    }
    expect(this.boughtUnits).toBe(this.soldUnits);
  }

  /** Every order the ledger believes live is live in the engine with the same numbers, and vice versa. */
  compareWith(engine: MatchingEngine): void {
    let live = 0;
    for (const [id, entry] of this.orders) {
      if (entry.leaves === 0) continue;
      live++;
      expect(engine.order(id), `order ${id}`).toMatchObject({
        quantityUnits: entry.quantity,
        filledUnits: entry.filled,
        cancelledUnits: entry.cancelled,
        leavesUnits: entry.leaves,
      });
    }
    expect(engine.orderCount).toBe(live);
  }

  private open(id: string, quantity: number): void {
    const previous = this.orders.get(id);
    expect(previous === undefined || previous.leaves === 0, `order id ${id} reused while live`).toBe(true);
    this.orders.set(id, { quantity, filled: 0, cancelled: 0, leaves: quantity });
  }

  private move(id: string, filled: number, cancelled: number, leavesAfter: number): void {
    const entry = this.get(id);
    expect(filled + cancelled).toBeGreaterThan(0);
    expect(entry.leaves - filled - cancelled).toBe(leavesAfter);
    entry.filled += filled;
    entry.cancelled += cancelled;
    entry.leaves = leavesAfter;
    this.check(id, entry);
  }

  private get(id: string): LedgerEntry {
    const entry = this.orders.get(id);
    expect(entry, `ledger knows order ${id}`).toBeDefined();
    return entry!;
  }

  private check(id: string, entry: LedgerEntry): void {
    expect(entry.filled + entry.leaves + entry.cancelled, `units of ${id}`).toBe(entry.quantity);
    expect(entry.leaves).toBeGreaterThanOrEqual(0);
  }
}
