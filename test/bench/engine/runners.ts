/**
 * The engines under test, behind one small interface, each fed the same decoded stream:
 * - `ours`: server/engine with every feature on (validation, self-trade prevention, quotes and
 *   GTD bookkeeping, party lists, full event stream) into an EventBuffer, cleared per command;
 * - `ours-eventlog`: the same engine with events built as plain objects (EventLog);
 * - `nodejs-order-book`: the peer, called the plainest and fastest way (no journaling, no
 *   account/self-trade options), its results dropped.
 * Per-engine call arguments are built before any measurement, so no engine pays to convert.
 */
import { OrderBook, Side as PeerSide } from 'nodejs-order-book';
import { EventBuffer, EventLog, MatchingEngine } from '../../../server/engine/index.js';
import type { Command } from '../../../server/engine/index.js';
import { orderName, type RawStep, registerCommand, toCommand } from './streams.js';

export interface Runner {
  /** Throws away the current instance and makes a fresh, empty one. */
  reset(): void;
  /** Applies the whole stream (each runner has its own loop, so every call site is monomorphic). */
  runAll(): void;
  /** Applies the whole stream, timing each command in nanoseconds. */
  runTimed(latencies: Float64Array): void;
  restingOrders(): number;
}

export const ENGINE_NAMES = ['ours', 'ours-eventlog', 'nodejs-order-book'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export function makeRunner(name: EngineName, steps: readonly RawStep[]): Runner {
  switch (name) {
    case 'ours':
      return new OursRunner(steps);
    case 'ours-eventlog':
      return new OursEventLogRunner(steps);
    case 'nodejs-order-book':
      return new PeerRunner(steps);
  }
}

class OursRunner implements Runner {
  private readonly commands: Command[];
  private sink = new EventBuffer();
  private engine = new MatchingEngine({ sink: this.sink });
  events = 0;

  constructor(steps: readonly RawStep[]) {
    this.commands = steps.map(toCommand);
  }

  reset(): void {
    this.sink = new EventBuffer();
    this.engine = new MatchingEngine({ sink: this.sink });
    this.engine.apply(registerCommand());
  }

  runAll(): void {
    const { engine, sink, commands } = this;
    for (let i = 0; i < commands.length; i++) {
      engine.apply(commands[i]!);
      this.events += sink.length;
      sink.clear();
    }
  }

  runTimed(latencies: Float64Array): void {
    const { engine, sink, commands } = this;
    for (let i = 0; i < commands.length; i++) {
      const start = process.hrtime.bigint();
      engine.apply(commands[i]!);
      this.events += sink.length;
      sink.clear();
      latencies[i] = Number(process.hrtime.bigint() - start);
    }
  }

  restingOrders(): number {
    return this.engine.orderCount;
  }
}

class OursEventLogRunner implements Runner {
  private readonly commands: Command[];
  private sink = new EventLog();
  private engine = new MatchingEngine({ sink: this.sink });
  events = 0;

  constructor(steps: readonly RawStep[]) {
    this.commands = steps.map(toCommand);
  }

  reset(): void {
    this.sink = new EventLog();
    this.engine = new MatchingEngine({ sink: this.sink });
    this.engine.apply(registerCommand());
  }

  runAll(): void {
    const { engine, sink, commands } = this;
    for (let i = 0; i < commands.length; i++) {
      engine.apply(commands[i]!);
      this.events += sink.events.length;
      sink.events.length = 0;
    }
  }

  runTimed(latencies: Float64Array): void {
    const { engine, sink, commands } = this;
    for (let i = 0; i < commands.length; i++) {
      const start = process.hrtime.bigint();
      engine.apply(commands[i]!);
      this.events += sink.events.length;
      sink.events.length = 0;
      latencies[i] = Number(process.hrtime.bigint() - start);
    }
  }

  restingOrders(): number {
    return this.engine.orderCount;
  }
}

type PeerCall =
  | { kind: 0; options: { id: string; side: PeerSide; size: number; price: number } }
  | { kind: 1; options: { side: PeerSide; size: number } }
  | { kind: 2; id: string };

class PeerRunner implements Runner {
  private readonly calls: PeerCall[];
  private book = new OrderBook();
  private resting = 0;

  constructor(steps: readonly RawStep[]) {
    this.calls = steps.map((step): PeerCall => {
      const side = step.side === 'buy' ? PeerSide.BUY : PeerSide.SELL;
      if (step.kind === 'cancel') return { kind: 2, id: orderName(step.orderNo) };
      if (step.kind === 'market') return { kind: 1, options: { side, size: step.size } };
      return { kind: 0, options: { id: orderName(step.orderNo), side, size: step.size, price: step.price } };
    });
  }

  reset(): void {
    this.book = new OrderBook();
    this.resting = 0;
  }

  runAll(): void {
    const { book, calls } = this;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      if (call.kind === 0) book.limit(call.options);
      else if (call.kind === 1) book.market(call.options);
      else book.cancel(call.id);
    }
  }

  runTimed(latencies: Float64Array): void {
    const { book, calls } = this;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      const start = process.hrtime.bigint();
      if (call.kind === 0) book.limit(call.options);
      else if (call.kind === 1) book.market(call.options);
      else book.cancel(call.id);
      latencies[i] = Number(process.hrtime.bigint() - start);
    }
  }

  restingOrders(): number {
    const snapshot = this.book.snapshot();
    this.resting = 0;
    for (const level of [...snapshot.bids, ...snapshot.asks]) this.resting += level.orders.length;
    return this.resting;
  }
}
