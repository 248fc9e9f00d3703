/**
 * The closed set of rejection codes of the matching engine, in precedence order.
 *
 * A command is checked against these in the order listed; the first check that fails gives the
 * code, so a command that is wrong in two ways always gets the same answer. Each command kind
 * uses the subset that applies to it:
 *
 *  1. INVALID_COMMAND          malformed: unknown kind/side/type/TIF/STP mode, empty or overlong id,
 *                              GTD without integer expireAt > integer timestamp, expire command
 *                              without an integer timestamp, market
 *                              order with TIF other than IOC/FOK or with post-only, post-only with
 *                              IOC/FOK, mass cancel with neither party nor note, mass quote
 *                              without entries or naming a note or an order id twice, a note
 *                              registration with a bad spec.
 *  2. UNKNOWN_NOTE             the note is not registered.
 *  3. NOTE_ALREADY_REGISTERED  register_note for a note that exists.
 *  4. NOTE_HALTED              order entry (new order, cancel/replace, mass quote) on a halted note.
 *  5. INVALID_QUANTITY         not an integer in 1..quantityUnitsMax (0 allowed for a quote side).
 *  6. BELOW_MIN_QUANTITY       below the note's minimum denomination.
 *  7. OFF_TICK                 the price is not a whole number of ticks.
 *  8. PRICE_OUT_OF_BAND        the price is outside the note's [minPriceTicks, maxPriceTicks].
 *  9. QUOTE_CROSSED            a quote entry whose bid is not below its ask.
 * 10. UNKNOWN_ORDER            no live order with that id on that note (also `__proto__`, ...).
 * 11. NOT_ORDER_OWNER          the order belongs to another party.
 * 12. QUANTITY_BELOW_FILLED    cancel/replace to a quantity ≤ what is already filled or cancelled.
 * 13. DUPLICATE_ORDER_ID       the id is in use by a live order.
 * 14. LIMIT_EXCEEDED           a configured limit (notes, open orders per party, mass quote size).
 * 15. POST_ONLY_WOULD_TAKE     a post-only price reaches the best opposite price.
 * 16. FOK_NOT_FILLABLE         a fill-or-kill order cannot be filled entirely right now.
 *
 * A mass quote is checked entry by entry; the rejection carries the code of highest precedence
 * over all entries, and the note of the first entry that failed with it.
 */

export const REJECT_CODES = [
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
] as const;

export type RejectCode = (typeof REJECT_CODES)[number];

/** Lower rank wins. */
export function rejectRank(code: RejectCode): number {
  return REJECT_CODES.indexOf(code);
}
