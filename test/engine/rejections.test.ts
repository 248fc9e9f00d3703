/**
 * Bad input: every rejection is an event with a code from the closed set, follows the documented
 * precedence, and leaves the state hash unchanged. Ids like `__proto__` are just strings.
 */
import { describe, expect, it } from 'vitest';
import { EngineDefect, REJECT_CODES } from '../../server/engine/index.js';
import type { Command } from '../../server/engine/index.js';
import { codeOf, entry, Harness, NOTE, order } from './harness.js';
import type { CommandInput } from './harness.js';

/** A book with some state, so "unchanged" means something. */
function book(): Harness {
  const h = new Harness({ notes: [NOTE, 'H'] });
  h.limit('b1', 'p1', 'buy', 99, 10);
  h.limit('a1', 'p2', 'sell', 101, 10);
  h.limit('g1', 'p1', 'buy', 98, 10, { timeInForce: 'GTD', expireAt: 9_999 });
  h.run({ kind: 'halt', noteId: 'H' });
  return h;
}

function expectRejected(h: Harness, input: CommandInput, code: string): void {
  const hash = h.engine.stateHash();
  const events = h.run(input);
  expect(events).toHaveLength(1);
  expect(codeOf(events)).toBe(code);
  expect(h.engine.stateHash()).toBe(hash);
}

const limitOrder = (overrides: Record<string, unknown> = {}): CommandInput =>
  ({ ...order('n1', 'p3', 'buy', 'limit', 100, 5), ...overrides }) as CommandInput;

describe('rejections', () => {
  it('list the codes in the documented precedence order', () => {
    expect(REJECT_CODES).toEqual([
      'INVALID_COMMAND',
      'UNKNOWN_NOTE',
      'NOTE_ALREADY_REGISTERED',
      'NOTE_HALTED',
      'INVALID_QUANTITY',
      'BELOW_MIN_QUANTITY',
      'OFF_TICK',
      'PRICE_OUT_OF_BAND',
      'QUOTE_CROSSED',
      'UNKNOWN_ORDER',
      'NOT_ORDER_OWNER',
      'QUANTITY_BELOW_FILLED',
      'DUPLICATE_ORDER_ID',
      'LIMIT_EXCEEDED',
      'POST_ONLY_WOULD_TAKE',
      'FOK_NOT_FILLABLE',
    ]);
  });

  it.each([
    ['unknown note', { noteId: 'nope' }, 'UNKNOWN_NOTE'],
    ['halted note', { noteId: 'H' }, 'NOTE_HALTED'],
    ['zero quantity', { quantityUnits: 0 }, 'INVALID_QUANTITY'],
    ['negative quantity', { quantityUnits: -5 }, 'INVALID_QUANTITY'],
    ['fractional quantity', { quantityUnits: 1.5 }, 'INVALID_QUANTITY'],
    ['quantity beyond 32 bits', { quantityUnits: 2 ** 31 }, 'INVALID_QUANTITY'],
    ['off-tick price', { priceTicks: 100.5 }, 'OFF_TICK'],
    ['price below the band', { priceTicks: 0 }, 'PRICE_OUT_OF_BAND'],
    ['price above the band', { priceTicks: 201 }, 'PRICE_OUT_OF_BAND'],
    ['duplicate live order id', { orderId: 'b1' }, 'DUPLICATE_ORDER_ID'],
    ['unknown side', { side: 'short' }, 'INVALID_COMMAND'],
    ['unknown type', { type: 'stop' }, 'INVALID_COMMAND'],
    ['unknown time in force', { timeInForce: 'GTX' }, 'INVALID_COMMAND'],
    ['unknown self-trade mode', { selfTrade: 'none' }, 'INVALID_COMMAND'],
    ['empty order id', { orderId: '' }, 'INVALID_COMMAND'],
    ['overlong party id', { partyId: 'x'.repeat(129) }, 'INVALID_COMMAND'],
    ['post-only that would take', { priceTicks: 101, postOnly: true }, 'POST_ONLY_WOULD_TAKE'],
    ['FOK that cannot fill', { priceTicks: 101, quantityUnits: 11, timeInForce: 'FOK' }, 'FOK_NOT_FILLABLE'],
  ])('of a new order: %s', (_name, overrides, code) => {
    expectRejected(book(), limitOrder(overrides), code);
  });

  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf', '0', 'b1 '])(
    'of a cancel of unknown order id %j',
    (orderId) => {
      expectRejected(book(), { kind: 'cancel', noteId: NOTE, orderId, partyId: 'p1' }, 'UNKNOWN_ORDER');
      expectRejected(
        book(),
        { kind: 'cancel_replace', noteId: NOTE, orderId, partyId: 'p1', priceTicks: 99, quantityUnits: 5 },
        'UNKNOWN_ORDER',
      );
    },
  );

  it('accept `__proto__` and `toString` as ordinary ids and party ids', () => {
    const h = book();
    expect(codeOf(h.limit('__proto__', 'toString', 'buy', 90, 1))).toBe('accepted');
    expect(codeOf(h.limit('toString', '__proto__', 'buy', 90, 1))).toBe('accepted');
    expect(h.queue('buy')).toEqual(['b1', 'g1', '__proto__', 'toString']);
    expect(codeOf(h.cancel('__proto__', 'toString'))).toBe('accepted');
    expect(codeOf(h.run({ kind: 'mass_cancel', partyId: '__proto__' }))).toBe('accepted');
    expect(h.queue('buy')).toEqual(['b1', 'g1']);
  });

  it("of a cancel of another party's order, or on the wrong note", () => {
    const h = book();
    expectRejected(h, { kind: 'cancel', noteId: NOTE, orderId: 'b1', partyId: 'p2' }, 'NOT_ORDER_OWNER');
    expectRejected(h, { kind: 'cancel', noteId: 'H', orderId: 'b1', partyId: 'p1' }, 'UNKNOWN_ORDER');
    expectRejected(h, { kind: 'cancel', noteId: 'nope', orderId: 'b1', partyId: 'p1' }, 'UNKNOWN_NOTE');
    expectRejected(
      h,
      { kind: 'cancel_replace', noteId: NOTE, orderId: 'b1', partyId: 'p2', priceTicks: 99, quantityUnits: 5 },
      'NOT_ORDER_OWNER',
    );
  });

  it('follow the precedence when a command is wrong in several ways', () => {
    const h = book();
    expectRejected(h, limitOrder({ noteId: 'nope', quantityUnits: 0, side: 'x' }), 'INVALID_COMMAND');
    expectRejected(h, limitOrder({ noteId: 'nope', quantityUnits: 0 }), 'UNKNOWN_NOTE');
    expectRejected(h, limitOrder({ noteId: 'H', quantityUnits: 0 }), 'NOTE_HALTED');
    expectRejected(h, limitOrder({ quantityUnits: 0, priceTicks: 0.5 }), 'INVALID_QUANTITY');
    expectRejected(h, limitOrder({ priceTicks: 0.5, orderId: 'b1' }), 'OFF_TICK');
    expectRejected(h, limitOrder({ priceTicks: 999, orderId: 'b1' }), 'PRICE_OUT_OF_BAND');
    expectRejected(h, limitOrder({ orderId: 'b1', priceTicks: 101, postOnly: true }), 'DUPLICATE_ORDER_ID');
    expectRejected(
      h,
      { kind: 'cancel_replace', noteId: NOTE, orderId: 'zz', partyId: 'p2', priceTicks: 0, quantityUnits: 5 },
      'PRICE_OUT_OF_BAND',
    );
    expectRejected(
      h,
      { kind: 'cancel_replace', noteId: NOTE, orderId: 'b1', partyId: 'p2', priceTicks: 99, quantityUnits: 0 },
      'INVALID_QUANTITY',
    );
  });

  it('of other commands on bad input', () => {
    const h = book();
    expectRejected(h, { kind: 'halt', noteId: 'nope' }, 'UNKNOWN_NOTE');
    expectRejected(h, { kind: 'expire', timestamp: 1.5 }, 'INVALID_COMMAND');
    expectRejected(h, { kind: 'mass_quote', partyId: 'd1', entries: [entry('nope', ['x', 1, 1], null)] }, 'UNKNOWN_NOTE');
    expectRejected(h, { kind: 'mass_quote', partyId: 'd1', entries: [entry('H', ['x', 1, 1], null)] }, 'NOTE_HALTED');
    expectRejected(h, { kind: 'unknown' } as unknown as CommandInput, 'INVALID_COMMAND');
  });

  it('enforce the open-orders limit per party', () => {
    const h = new Harness({ limits: { ordersOpenPerPartyMax: 2 } });
    h.limit('o1', 'p1', 'buy', 10, 1);
    h.limit('o2', 'p1', 'buy', 10, 1);
    expectRejected(h, { ...order('o3', 'p1', 'buy', 'limit', 10, 1) }, 'LIMIT_EXCEEDED');
    expect(codeOf(h.limit('o3', 'p2', 'buy', 10, 1))).toBe('accepted');
  });

  it("carry the command's sequence number, like every event", () => {
    const h = book();
    const events = h.run(limitOrder({ noteId: 'nope' }));
    expect(events[0]!.seq).toBe(h.seq);
  });
});

describe('defects', () => {
  it('a sequence number that does not rise throws before anything changes', () => {
    const h = book();
    const hash = h.engine.stateHash();
    const stale = { ...order('x', 'p1', 'buy', 'limit', 90, 1), seq: h.seq, timestamp: 0 } as Command;
    expect(() => h.engine.apply(stale)).toThrow(EngineDefect);
    expect(h.engine.stateHash()).toBe(hash);
  });
});
