/**
 * Seeded command streams for the engine benchmark: mixed, insert-only and match-heavy. A stream
 * is generated once (driving our engine to know which orders rest and what the book looks like)
 * and then replayed, identically, through every engine under test. The PRNG is mulberry32; the
 * same seed always gives the same stream.
 */
import { EventLog, MatchingEngine } from '../../../server/engine/index.js';
import type { Command, NewOrderCommand, Side } from '../../../server/engine/index.js';

export const NOTE_ID = 'NOTE-1';
export const MID_TICKS = 10_000;
export const BAND = { minQuantityUnits: 1, minPriceTicks: 1, maxPriceTicks: 20_000 };

export type Workload = 'mixed' | 'insert' | 'match';

/** One benchmark step, in both engines' vocabularies (built ahead so neither pays to convert). */
export type Step =
  | { kind: 'limit'; label: 'passive' | 'crossing'; command: NewOrderCommand; id: string }
  | { kind: 'market'; label: 'market'; command: NewOrderCommand }
  | { kind: 'cancel'; label: 'cancel'; command: Command; id: string };

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function registerCommand(): Command {
  return { kind: 'register_note', seq: 0, timestamp: 0, noteId: NOTE_ID, ...BAND };
}

/** Tracks which generated orders still rest, from the engine's events (swap-remove array). */
class LiveOrders extends EventLog {
  readonly ids: string[] = [];
  readonly parties: string[] = [];
  private readonly at = new Map<string, number>();

  add(id: string, party: string): void {
    this.at.set(id, this.ids.length);
    this.ids.push(id);
    this.parties.push(party);
  }

  remove(id: string): void {
    const i = this.at.get(id);
    if (i === undefined) return;
    const last = this.ids.length - 1;
    this.ids[i] = this.ids[last]!;
    this.parties[i] = this.parties[last]!;
    this.at.set(this.ids[i]!, i);
    this.ids.pop();
    this.parties.pop();
    this.at.delete(id);
  }

  override fill(
    _s: number,
    _n: string,
    _p: number,
    _q: number,
    _ts: Side,
    makerId: string,
    _mp: string,
    makerLeaves: number,
    takerId: string,
    _tp: string,
    takerLeaves: number,
  ): void {
    if (makerLeaves === 0) this.remove(makerId);
    if (takerLeaves === 0) this.remove(takerId);
  }

  override cancelled(_s: number, _n: string, orderId: string, _p: string, _r: string, _c: number, leaves: number): void {
    if (leaves === 0) this.remove(orderId);
  }
}

export function generate(workload: Workload, count: number, seed: number): Step[] {
  const random = mulberry32(seed);
  const live = new LiveOrders();
  const engine = new MatchingEngine({ sink: live, initialOrderCapacity: count });
  engine.apply(registerCommand());
  const steps: Step[] = [];
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  for (let i = 1; i <= count; i++) {
    const roll = random();
    let step: Step | null = null;
    if (workload === 'insert') step = passive(i, int, 100);
    else if (workload === 'mixed') {
      if (roll < 0.25 && live.ids.length > 0) step = cancelStep(i, live, int);
      else if (roll < 0.35) step = crossing(i, engine, int, 2, 5);
      else if (roll < 0.4) step = market(i, engine, int);
    } else {
      if (roll < 0.5) step = crossing(i, engine, int, 1, 3);
      else if (roll < 0.6) step = market(i, engine, int);
      else if (roll < 0.65 && live.ids.length > 0) step = cancelStep(i, live, int);
    }
    step ??= passive(i, int, workload === 'match' ? 10 : 100);
    if (step.kind === 'limit') live.add(step.id, step.command.partyId);
    engine.apply(step.command);
    live.take();
    steps.push(step);
  }
  return steps;
}

function orderCommand(
  seq: number,
  orderId: string,
  partyId: string,
  side: Side,
  type: 'limit' | 'market',
  price: number,
  size: number,
): NewOrderCommand {
  return {
    kind: 'new_order',
    seq,
    timestamp: 1_700_000_000_000 + seq,
    noteId: NOTE_ID,
    orderId,
    partyId,
    side,
    type,
    priceTicks: price,
    quantityUnits: size,
    timeInForce: type === 'market' ? 'IOC' : 'GTC',
  };
}

type Int = (lo: number, hi: number) => number;

function passive(seq: number, int: Int, spread: number): Step {
  const side: Side = int(0, 1) === 0 ? 'buy' : 'sell';
  const price = side === 'buy' ? MID_TICKS - int(1, spread) : MID_TICKS + int(1, spread);
  const size = int(1, 100);
  const id = `o${seq}`;
  return { kind: 'limit', label: 'passive', command: orderCommand(seq, id, `p${int(0, 999)}`, side, 'limit', price, size), id };
}

function cancelStep(seq: number, live: LiveOrders, int: Int): Step {
  const i = int(0, live.ids.length - 1);
  const id = live.ids[i]!;
  const command: Command = {
    kind: 'cancel',
    seq,
    timestamp: 1_700_000_000_000 + seq,
    noteId: NOTE_ID,
    orderId: id,
    partyId: live.parties[i]!,
  };
  return { kind: 'cancel', label: 'cancel', command, id };
}

/** A limit order that sweeps between `lo` and `hi` levels of the opposite side. */
function crossing(seq: number, engine: MatchingEngine, int: Int, lo: number, hi: number): Step | null {
  const side: Side = int(0, 1) === 0 ? 'buy' : 'sell';
  const levels = engine.level2(NOTE_ID, side === 'buy' ? 'sell' : 'buy', int(lo, hi))!;
  if (levels.length === 0) return null;
  let size = 0;
  for (let k = 0; k < levels.length - 1; k++) size += levels[k]!.sizeUnits;
  const last = levels[levels.length - 1]!;
  size += int(1, last.sizeUnits);
  const id = `o${seq}`;
  const command = orderCommand(seq, id, `t${int(0, 99)}`, side, 'limit', last.priceTicks, size);
  return { kind: 'limit', label: 'crossing', command, id };
}

function market(seq: number, engine: MatchingEngine, int: Int): Step | null {
  const side: Side = int(0, 1) === 0 ? 'buy' : 'sell';
  const levels = engine.level2(NOTE_ID, side === 'buy' ? 'sell' : 'buy', int(1, 3))!;
  if (levels.length === 0) return null;
  const size = levels.reduce((sum, level) => sum + level.sizeUnits, 0);
  return { kind: 'market', label: 'market', command: orderCommand(seq, `o${seq}`, `t${int(0, 99)}`, side, 'market', 0, size) };
}

/** Fields per step in the binary form: kind, side, price, size, party number, order number. */
export const STEP_WIDTH = 6;
const WIDTH = STEP_WIDTH;
const KIND_LIMIT = 0;
const KIND_MARKET = 1;
const KIND_CANCEL = 2;

/** Party numbers: p<n> for makers (0..999), t<n> for takers (1000 + n). */
function partyNumber(partyId: string): number {
  const n = Number(partyId.slice(1));
  return partyId.startsWith('t') ? 1000 + n : n;
}

export function partyName(n: number): string {
  return n >= 1000 ? `t${n - 1000}` : `p${n}`;
}

/** The compact form a stream travels in to the measuring processes. */
export function encode(steps: readonly Step[]): Int32Array {
  const data = new Int32Array(steps.length * WIDTH);
  steps.forEach((step, i) => {
    const at = i * WIDTH;
    const command = step.command;
    if (step.kind === 'cancel') {
      data[at] = KIND_CANCEL;
      data[at + 4] = partyNumber((command as { partyId: string }).partyId);
      data[at + 5] = Number(step.id.slice(1));
      return;
    }
    const order = step.command;
    data[at] = step.kind === 'limit' ? KIND_LIMIT : KIND_MARKET;
    data[at + 1] = order.side === 'buy' ? 0 : 1;
    data[at + 2] = order.priceTicks;
    data[at + 3] = order.quantityUnits;
    data[at + 4] = partyNumber(order.partyId);
    data[at + 5] = order.seq;
  });
  return data;
}

/**
 * One decoded step: plain numbers. Each engine builds its own call arguments, id strings
 * included, so every engine's arguments lie together in memory as a parser would leave them.
 */
export interface RawStep {
  kind: 'limit' | 'market' | 'cancel';
  seq: number;
  side: Side;
  price: number;
  size: number;
  partyNo: number;
  orderNo: number;
}

export function orderName(orderNo: number): string {
  return `o${orderNo}`;
}

export function decode(data: Int32Array): RawStep[] {
  const steps: RawStep[] = [];
  for (let at = 0; at < data.length; at += WIDTH) {
    const kind = data[at] === KIND_LIMIT ? 'limit' : data[at] === KIND_MARKET ? 'market' : 'cancel';
    steps.push({
      kind,
      seq: at / WIDTH + 1,
      side: data[at + 1] === 0 ? 'buy' : 'sell',
      price: data[at + 2]!,
      size: data[at + 3]!,
      partyNo: data[at + 4]!,
      orderNo: data[at + 5]!,
    });
  }
  return steps;
}

/** Our engine's command for a decoded step (fresh objects and strings, every field present). */
export function toCommand(step: RawStep): Command {
  const timestamp = 1_700_000_000_000 + step.seq;
  const orderId = orderName(step.orderNo);
  const partyId = partyName(step.partyNo);
  if (step.kind === 'cancel') {
    return { kind: 'cancel', seq: step.seq, timestamp, noteId: NOTE_ID, orderId, partyId };
  }
  return orderCommand(step.seq, orderId, partyId, step.side, step.kind, step.price, step.size);
}
