/**
 * fast-check arbitraries for random engine command streams. The universe is small on purpose:
 * two notes with narrow bands, a handful of parties, a pool of order ids that get reused — so
 * random streams cross, fill, collide on ids, hit self-trade prevention and every rejection.
 * A stream is a pure value (no engine state is consulted while generating), so fast-check can
 * shrink a failing stream to a minimal one.
 */
import fc from 'fast-check';
import type { Command, NoteSpec, QuoteEntry } from '../../server/engine/index.js';

export const NOTES: Record<string, NoteSpec> = {
  A: { minQuantityUnits: 1, minPriceTicks: 90, maxPriceTicks: 110 },
  B: { minQuantityUnits: 2, minPriceTicks: 1, maxPriceTicks: 40 },
};
const PARTIES = ['p0', 'p1', 'p2', '__proto__'];
const ORDER_IDS = [...Array.from({ length: 16 }, (_, i) => `o${i}`), 'toString', '__proto__'];
const QUOTE_IDS = Array.from({ length: 10 }, (_, i) => `q${i}`);

/** Most orders of an id belong to one party, so cancels and replaces usually find their owner. */
function ownerOf(orderId: string): string {
  let h = 0;
  for (const c of orderId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PARTIES[h % PARTIES.length]!;
}

type Template = Record<string, unknown> & { kind: string };

const noteId = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('A', 'A', 'B') }, { weight: 1, arbitrary: fc.constant('Z') });
const side = fc.constantFrom('buy', 'sell');
const orderId = fc.constantFrom(...ORDER_IDS);
const party = (id: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(ownerOf(id)) }, { weight: 1, arbitrary: fc.constantFrom(...PARTIES) });
const quantity = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -3, 1.5, 2 ** 31) },
);
/** A price near the middle of the note's band, sometimes off-band or off-tick. */
const priceFor = (note: string): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 30, arbitrary: note === 'B' ? fc.integer({ min: 17, max: 23 }) : fc.integer({ min: 96, max: 104 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 89, 111, 100.5, 41) },
  );
/** An order on some note: its id, owner and a fitting price. */
const onNote = <T>(build: (id: string, note: string, price: fc.Arbitrary<number>) => fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.tuple(orderId, noteId).chain(([id, note]) => build(id, note, priceFor(note)));
const stp = fc.constantFrom(undefined, undefined, 'cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement_and_cancel');

const newLimit: fc.Arbitrary<Template> = onNote((id, note, price) =>
  fc.record({
    kind: fc.constant('new_order'),
    noteId: fc.constant(note),
    orderId: fc.constant(id),
    partyId: party(id),
    side,
    type: fc.constant('limit'),
    priceTicks: price,
    quantityUnits: quantity,
    timeInForce: fc.constantFrom('GTC', 'GTC', 'GTC', 'DAY', 'IOC', 'FOK', 'GTD'),
    expireIn: fc.integer({ min: -5, max: 300 }),
    postOnly: fc.constantFrom(undefined, undefined, undefined, true, false),
    selfTrade: stp,
  }),
);

const newMarket: fc.Arbitrary<Template> = onNote((id, note) =>
  fc.record({
    kind: fc.constant('new_order'),
    noteId: fc.constant(note),
    orderId: fc.constant(id),
    partyId: party(id),
    side,
    type: fc.constant('market'),
    priceTicks: fc.constant(0),
    quantityUnits: quantity,
    timeInForce: fc.constantFrom('IOC', 'IOC', 'FOK', 'GTC'),
    selfTrade: stp,
  }),
);

const cancel: fc.Arbitrary<Template> = onNote((id, note) =>
  fc.record({
    kind: fc.constant('cancel'),
    noteId: fc.constant(note),
    orderId: fc.constant(id),
    partyId: party(id),
  }),
);

const replace: fc.Arbitrary<Template> = onNote((id, note, price) =>
  fc.record({
    kind: fc.constant('cancel_replace'),
    noteId: fc.constant(note),
    orderId: fc.constant(id),
    partyId: party(id),
    priceTicks: price,
    quantityUnits: quantity,
  }),
);

const quoteEntry: fc.Arbitrary<QuoteEntry> = noteId.chain((note) =>
  fc.record({
    noteId: fc.constant(note),
    bidOrderId: fc.constantFrom(...QUOTE_IDS),
    bidPriceTicks: priceFor(note),
    bidUnits: fc.oneof(quantity, fc.constant(0)),
    askOrderId: fc.constantFrom(...QUOTE_IDS),
    askPriceTicks: priceFor(note),
    askUnits: fc.oneof(quantity, fc.constant(0)),
  }),
);

const massQuote: fc.Arbitrary<Template> = fc.record({
  kind: fc.constant('mass_quote'),
  partyId: fc.constantFrom('d1', 'd2', 'p1'),
  entries: fc.oneof(
    { weight: 20, arbitrary: fc.array(quoteEntry, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant([]) },
  ),
  selfTrade: stp,
});

const massCancel: fc.Arbitrary<Template> = fc.record({
  kind: fc.constant('mass_cancel'),
  partyId: fc.constantFrom(undefined, ...PARTIES, 'd1'),
  noteId: fc.constantFrom(undefined, 'A', 'B', 'Z'),
});

const housekeeping: fc.Arbitrary<Template> = fc.oneof(
  fc.record({ kind: fc.constantFrom('halt', 'resume', 'resume'), noteId }),
  fc.record({ kind: fc.constant('expire'), dayOrders: fc.constantFrom(undefined, false, true), advance: fc.integer({ min: 0, max: 200 }) }),
  fc.record({
    kind: fc.constant('register_note'),
    noteId: fc.constantFrom('A', 'C', ''),
    minQuantityUnits: fc.constantFrom(1, 0),
    minPriceTicks: fc.constant(1),
    maxPriceTicks: fc.constantFrom(50, 0),
  }),
  fc.constant({ kind: 'bogus' }),
);

const template: fc.Arbitrary<Template> = fc.oneof(
  { weight: 40, arbitrary: newLimit },
  { weight: 5, arbitrary: newMarket },
  { weight: 14, arbitrary: cancel },
  { weight: 10, arbitrary: replace },
  { weight: 6, arbitrary: massQuote },
  { weight: 2, arbitrary: massCancel },
  { weight: 4, arbitrary: housekeeping },
);

/** Turns templates into commands: rising seq, time that moves on, GTD expiry relative to now. */
export function toCommands(templates: readonly Template[]): Command[] {
  const commands: Command[] = Object.entries(NOTES).map(([id, spec], i) => ({
    kind: 'register_note',
    seq: i + 1,
    timestamp: 0,
    noteId: id,
    ...spec,
  }));
  let now = 1_000;
  for (const t of templates) {
    now += 7;
    const { expireIn, advance, ...rest } = t as Template & { expireIn?: number; advance?: number };
    if (typeof advance === 'number') now += advance;
    const command: Record<string, unknown> = { ...rest, seq: commands.length + 1, timestamp: now };
    if (t.timeInForce === 'GTD') command.expireAt = now + (expireIn ?? 100);
    for (const key of Object.keys(command)) if (command[key] === undefined) delete command[key];
    commands.push(command as unknown as Command);
  }
  return commands;
}

export const commandStream = (maxLength: number): fc.Arbitrary<Command[]> =>
  fc.array(template, { minLength: 1, maxLength, size: 'max' }).map(toCommands);
