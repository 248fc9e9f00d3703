/**
 * Handlers of the venue's housekeeping commands: register a note, halt and resume trading, mass
 * cancel (by party, by note, or both) and expire (GTD by time, DAY at the end of the day).
 *
 * Guarantees: validation before change; removal order is deterministic and documented here:
 * - mass cancel with a party: that party's orders in acceptance order (orderNo);
 * - mass cancel by note only: bids best level first, each level in queue order, then asks;
 * - expire: due GTD orders by (expireAt, orderNo), then (dayOrders) DAY orders by orderNo.
 * Each removal emits its cancelled/expired event and then the book_change of its level.
 */
import type { Core, NoteBook } from './core.js';
import { LAYOUT } from './order-pool.js';
import type { ExpireCommand, HaltCommand, MassCancelCommand, RegisterNoteCommand } from './types.js';
import { isId, isTimestamp } from './validate.js';

const { FLAGS, NEXT, NIL, NOTE, PARTY_NEXT, TIF_DAY, TIF_MASK, TIF_SHIFT } = LAYOUT;

export function registerNote(core: Core, command: RegisterNoteCommand): void {
  const seq = command.seq;
  const { noteId, minQuantityUnits, minPriceTicks, maxPriceTicks } = command;
  const limits = core.limits;
  const noteIdOrNull = typeof noteId === 'string' ? noteId : null;
  const wellFormed =
    isId(noteId, limits.idLengthMax) &&
    Number.isInteger(minQuantityUnits) &&
    minQuantityUnits >= 1 &&
    minQuantityUnits <= limits.quantityUnitsMax &&
    Number.isInteger(minPriceTicks) &&
    Number.isInteger(maxPriceTicks) &&
    minPriceTicks >= -0x80000000 &&
    maxPriceTicks <= 0x7fffffff &&
    minPriceTicks <= maxPriceTicks &&
    maxPriceTicks - minPriceTicks + 1 <= limits.bandTicksMax;
  if (!wellFormed) return core.sink.rejected(seq, 'register_note', 'INVALID_COMMAND', noteIdOrNull, null);
  if (core.noteById.has(noteId)) return core.sink.rejected(seq, 'register_note', 'NOTE_ALREADY_REGISTERED', noteId, null);
  if (core.notes.length >= limits.notesMax) return core.sink.rejected(seq, 'register_note', 'LIMIT_EXCEEDED', noteId, null);
  core.addNote(noteId, { minQuantityUnits, minPriceTicks, maxPriceTicks });
  core.sink.accepted(seq, 'register_note', noteId, null);
}

export function haltOrResume(core: Core, command: HaltCommand): void {
  const seq = command.seq;
  const kind = command.kind;
  const noteId = command.noteId;
  if (!isId(noteId, core.limits.idLengthMax)) {
    return core.sink.rejected(seq, kind, 'INVALID_COMMAND', typeof noteId === 'string' ? noteId : null, null);
  }
  const note = core.noteOf(noteId);
  if (note === undefined) return core.sink.rejected(seq, kind, 'UNKNOWN_NOTE', noteId, null);
  note.halted = kind === 'halt';
  core.sink.accepted(seq, kind, noteId, null);
}

export function massCancel(core: Core, command: MassCancelCommand): void {
  const seq = command.seq;
  const { partyId, noteId } = command;
  const idMax = core.limits.idLengthMax;
  const noteIdOrNull = typeof noteId === 'string' ? noteId : null;
  if (
    (partyId === undefined && noteId === undefined) ||
    (partyId !== undefined && !isId(partyId, idMax)) ||
    (noteId !== undefined && !isId(noteId, idMax))
  ) {
    return core.sink.rejected(seq, 'mass_cancel', 'INVALID_COMMAND', noteIdOrNull, null);
  }
  let note: NoteBook | undefined;
  if (noteId !== undefined) {
    note = core.noteOf(noteId);
    if (note === undefined) return core.sink.rejected(seq, 'mass_cancel', 'UNKNOWN_NOTE', noteId, null);
  }
  core.sink.accepted(seq, 'mass_cancel', noteIdOrNull, null);
  if (partyId !== undefined) {
    const party = core.parties.find(partyId);
    if (party === NIL) return;
    const pool = core.pool;
    let slot = core.parties.head[party]!;
    while (slot !== NIL) {
      const next = pool.get(slot, PARTY_NEXT);
      if (note === undefined || pool.get(slot, NOTE) === note.index) {
        core.cancelResting(core.notes[pool.get(slot, NOTE)]!, slot, 'mass_cancel', seq);
      }
      slot = next;
    }
    return;
  }
  cancelSide(core, note!, true, seq);
  cancelSide(core, note!, false, seq);
}

function cancelSide(core: Core, note: NoteBook, bids: boolean, seq: number): void {
  const side = bids ? note.bids : note.asks;
  while (side.best !== NIL) {
    const head = core.levels.head(side.index[side.best]!);
    core.cancelResting(note, head, 'mass_cancel', seq);
  }
}

export function expire(core: Core, command: ExpireCommand): void {
  const seq = command.seq;
  const now = command.timestamp;
  const dayOrders = command.dayOrders;
  if (!isTimestamp(now) || (dayOrders !== undefined && dayOrders !== true && dayOrders !== false)) {
    return core.sink.rejected(seq, 'expire', 'INVALID_COMMAND', null, null);
  }
  core.sink.accepted(seq, 'expire', null, null);
  const pool = core.pool;
  const heap = core.expiry;
  while (heap.size > 0 && heap.peekExpireAt() <= now) {
    const slot = heap.pop(pool);
    if (slot !== NIL) core.expireResting(core.notes[pool.get(slot, NOTE)]!, slot, seq);
  }
  if (dayOrders !== true) return;
  const due: number[] = [];
  for (const note of core.notes) {
    collectDayOrders(core, note, true, due);
    collectDayOrders(core, note, false, due);
  }
  due.sort((a, b) => pool.orderNo(a) - pool.orderNo(b));
  for (const slot of due) core.expireResting(core.notes[pool.get(slot, NOTE)]!, slot, seq);
}

function collectDayOrders(core: Core, note: NoteBook, bids: boolean, into: number[]): void {
  const pool = core.pool;
  const side = bids ? note.bids : note.asks;
  for (let offset = side.best; offset !== NIL; offset = side.nextWorse(offset)) {
    for (let slot = core.levels.head(side.index[offset]!); slot !== NIL; slot = pool.get(slot, NEXT)) {
      if ((pool.get(slot, FLAGS) & TIF_MASK) === TIF_DAY << TIF_SHIFT) into.push(slot);
    }
  }
}
