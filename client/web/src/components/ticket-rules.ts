/**
 * The order ticket's checks, run before anything is sent: each field gets a message that says
 * what is wrong and what would be right (the nearest on-tick prices, the note's minimum
 * denomination and increment). The server checks everything again; these only spare a round trip
 * and explain the rule in words.
 */
import type { Note, TimeInForce } from '../../../sdk/index.js';
import { Decimal } from '../money/domain.js';
import * as fmt from '../ui/format.js';
import { parseLocalDateTime } from '../ui/dates.js';

export interface TicketInput {
  side: 'buy' | 'sell';
  price: string;
  face: string;
  timeInForce: TimeInForce;
  /** "YYYY-MM-DD HH:MM" in local time (ui/dates.ts), only for GTD. */
  expireAt: string;
}

export type TicketField = 'price' | 'face' | 'expireAt' | 'note';

/** The venue's price band: one tick up to 200% of par (refdata/instrument.ts). */
const PRICE_CEILING = '200';

export function checkPrice(note: Note, text: string): string | null {
  const price = fmt.cleanNumberInput(text);
  if (price === '') return 'Enter a price in % of par, e.g. 99.5.';
  if (!fmt.isDecimalText(price)) return `"${text}" is not a price: use digits and a decimal point, e.g. 99.5 (percent of par).`;
  if (new Decimal(price).lte(0)) return 'The price must be greater than zero.';
  if (new Decimal(price).gt(PRICE_CEILING)) return `The price must be at most ${PRICE_CEILING}% of par.`;
  if (!fmt.isMultiple(price, note.tickSize)) {
    const [below, above] = fmt.nearestTicks(price, note.tickSize);
    return `The price must be a whole number of ticks (${fmt.tickLabel(note)} = ${note.tickSize}): nearest are ${below} and ${above}.`;
  }
  return null;
}

export function checkFace(note: Note, text: string): string | null {
  const face = fmt.cleanNumberInput(text);
  if (face === '') return `Enter the face amount (original face), at least ${fmt.face(note.minDenomination)}.`;
  if (!fmt.isDecimalText(face)) return `"${text}" is not an amount: use digits only, e.g. ${note.minDenomination}.`;
  if (new Decimal(face).lt(note.minDenomination))
    return `The face must be at least ${fmt.face(note.minDenomination)} (the note's minimum denomination).`;
  if (!fmt.isMultiple(face, note.increment)) return `The face must be a multiple of ${fmt.face(note.increment)} (the note's increment).`;
  return null;
}

export function checkExpiry(input: TicketInput, nowMs: number): string | null {
  if (input.timeInForce !== 'GTD') return null;
  if (!input.expireAt) return 'A good-till-date order needs an expiry date and time.';
  const at = parseLocalDateTime(input.expireAt)?.getTime();
  if (at === undefined) return 'The expiry is not a valid date and time: write it as YYYY-MM-DD HH:MM (your local time).';
  if (at <= nowMs) return 'The expiry must be in the future.';
  return null;
}

/** Every problem of the ticket, by field; empty when it may be sent. */
export function checkTicket(note: Note, input: TicketInput, nowMs: number): Map<TicketField, string> {
  const problems = new Map<TicketField, string>();
  if (note.status === 'halted') problems.set('note', 'Trading in this note is halted.');
  const price = checkPrice(note, input.price);
  if (price) problems.set('price', price);
  const face = checkFace(note, input.face);
  if (face) problems.set('face', face);
  const expiry = checkExpiry(input, nowMs);
  if (expiry) problems.set('expireAt', expiry);
  return problems;
}
