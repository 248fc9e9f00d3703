/**
 * MatchingEngine: the public face of the engine. A deterministic state machine: apply(command)
 * changes the books and reports what happened to the sink, in order, synchronously. No I/O, no
 * clock, no randomness; time and ids arrive in commands.
 *
 * Guarantees: the same command stream gives the same event stream and the same stateHash();
 * restore(snapshot()) followed by the rest of a stream gives the same events and hash as the
 * original engine; a rejected command changes nothing but the sequence counter (which is not part
 * of the hash). A sequence number that does not rise, or a command that is not an object, is a
 * defect of the caller and throws EngineDefect before anything changes.
 */
import { expire, haltOrResume, massCancel, registerNote } from './admin.js';
import { assert, EngineDefect } from './assert.js';
import { checkBook } from './check.js';
import { Core } from './core.js';
import type { EventSink } from './events.js';
import { hashSnapshot } from './hash.js';
import { cancel, cancelReplace, newOrder } from './orders.js';
import { massQuote } from './quotes.js';
import { type EngineSnapshot, restoreInto, takeSnapshot } from './snapshot.js';
import type { Command, EngineLimits, LevelView, NoteSpec, OrderView, Side } from './types.js';
import { DEFAULT_LIMITS } from './types.js';
import { bestPrice, level2, level3, orderView } from './views.js';

function applyOther(core: Core, command: Command): void {
  switch (command.kind) {
    case 'new_order':
      return newOrder(core, command);
    case 'cancel':
      return cancel(core, command);
    case 'cancel_replace':
      return cancelReplace(core, command);
    case 'mass_quote':
      return massQuote(core, command);
    case 'mass_cancel':
      return massCancel(core, command);
    case 'halt':
    case 'resume':
      return haltOrResume(core, command);
    case 'expire':
      return expire(core, command);
    case 'register_note':
      return registerNote(core, command);
    default:
      core.sink.rejected((command as { seq: number }).seq, 'unknown', 'INVALID_COMMAND', null, null);
  }
}

function sequenceDefect(seq: unknown, lastSeq: number): never {
  throw new EngineDefect(`sequence number ${String(seq)} does not rise above ${lastSeq}`);
}

export interface EngineOptions {
  sink: EventSink;
  limits?: Partial<EngineLimits>;
  /** Order slots to allocate up front (the pool grows by doubling beyond it). */
  initialOrderCapacity?: number;
}

export class MatchingEngine {
  private readonly core: Core;

  constructor(options: EngineOptions) {
    const limits: EngineLimits = { ...DEFAULT_LIMITS, ...options.limits };
    assert(limits.quantityUnitsMax >= 1 && limits.quantityUnitsMax <= 0x7fffffff, 'quantityUnitsMax must fit 31 bits');
    this.core = new Core(options.sink, limits, options.initialOrderCapacity ?? 1024);
  }

  /** Rebuilds an engine from a snapshot; continue with apply() on the journal's tail. */
  static restore(snapshot: EngineSnapshot, options: EngineOptions): MatchingEngine {
    const engine = new MatchingEngine(options);
    restoreInto(engine.core, snapshot);
    return engine;
  }

  get lastSeq(): number {
    return this.core.lastSeq;
  }

  apply(command: Command): void {
    assert(typeof command === 'object' && command !== null, 'command must be an object');
    const core = this.core;
    const seq = command.seq;
    if (!(Number.isSafeInteger(seq) && seq > core.lastSeq)) sequenceDefect(seq, core.lastSeq);
    core.lastSeq = seq;
    // The two commands that dominate a venue's flow first; this method stays small on purpose,
    // so V8 can inline it together with the order handlers' hot paths.
    const kind = command.kind;
    if (kind === 'new_order') return newOrder(core, command);
    if (kind === 'cancel') return cancel(core, command);
    return applyOther(core, command);
  }

  /** Convenience for registering a note outside the journal (tests, tools): a register_note command. */
  registerNote(seq: number, timestamp: number, noteId: string, spec: NoteSpec): void {
    this.apply({ kind: 'register_note', seq, timestamp, noteId, ...spec });
  }

  /** Level 2: price, aggregate size and order count per level, best first. */
  level2(noteId: string, side: Side, depth = Infinity): LevelView[] | undefined {
    return level2(this.core, noteId, side, depth);
  }

  /** Level 3: the orders of a side, best level first, in queue order within a level. */
  level3(noteId: string, side: Side, depth = Infinity): OrderView[] | undefined {
    return level3(this.core, noteId, side, depth);
  }

  /** A live order's state; finished orders are known only through their events. */
  order(orderId: string): OrderView | undefined {
    return orderView(this.core, orderId);
  }

  bestBid(noteId: string): number | null {
    return bestPrice(this.core, noteId, 'buy');
  }

  bestAsk(noteId: string): number | null {
    return bestPrice(this.core, noteId, 'sell');
  }

  isHalted(noteId: string): boolean | undefined {
    return this.core.noteById.get(noteId)?.halted;
  }

  noteIds(): string[] {
    return this.core.notes.map((note) => note.noteId);
  }

  /** Number of live (resting) orders. */
  get orderCount(): number {
    return this.core.pool.live;
  }

  snapshot(): EngineSnapshot {
    return takeSnapshot(this.core);
  }

  /** Hash of the whole state except the sequence counter; on demand, O(state). */
  stateHash(): string {
    return hashSnapshot(takeSnapshot(this.core));
  }

  /** The full invariant check; throws EngineDefect on the first broken invariant. */
  checkBook(): void {
    checkBook(this.core);
  }
}
