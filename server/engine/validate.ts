/**
 * Field checks shared by the command handlers. The engine receives commands from the service,
 * which has already validated them with zod; these checks exist so that nothing malformed can
 * reach the book even if that layer has a bug. They never throw: a bad field is a rejection.
 */
import type { RejectCode } from './codes.js';
import type { NoteBook } from './core.js';
import { LAYOUT } from './order-pool.js';
import type { SelfTradeMode, TimeInForce } from './types.js';

const { STP_CANCEL_BOTH, STP_CANCEL_NEWEST, STP_CANCEL_OLDEST, STP_DECREMENT, TIF_DAY, TIF_FOK, TIF_GTC, TIF_GTD, TIF_IOC } = LAYOUT;

export const TIF_NAMES: readonly TimeInForce[] = ['GTC', 'DAY', 'IOC', 'FOK', 'GTD'];
export const STP_NAMES: readonly SelfTradeMode[] = ['cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement_and_cancel'];

export function isId(value: unknown, lengthMax: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= lengthMax;
}

export function isTimestamp(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/** TIF code, or -1 if unknown. */
export function tifCode(value: unknown): number {
  switch (value) {
    case 'GTC':
      return TIF_GTC;
    case 'DAY':
      return TIF_DAY;
    case 'IOC':
      return TIF_IOC;
    case 'FOK':
      return TIF_FOK;
    case 'GTD':
      return TIF_GTD;
    default:
      return -1;
  }
}

/** Self-trade mode code (cancel_newest when absent), or -1 if unknown. */
export function stpCode(value: unknown): number {
  switch (value) {
    case undefined:
    case 'cancel_newest':
      return STP_CANCEL_NEWEST;
    case 'cancel_oldest':
      return STP_CANCEL_OLDEST;
    case 'cancel_both':
      return STP_CANCEL_BOTH;
    case 'decrement_and_cancel':
      return STP_DECREMENT;
    default:
      return -1;
  }
}

/**
 * Quantity then price checks for a note, in precedence order. `allowZero` is for quote sides,
 * where 0 means "no quote on this side" and the price is then not looked at.
 */
export function checkQuantityAndPrice(
  note: NoteBook,
  quantityUnits: number,
  priceTicks: number,
  quantityUnitsMax: number,
  checkPrice: boolean,
  allowZero: boolean,
): RejectCode | null {
  if (!Number.isInteger(quantityUnits) || quantityUnits > quantityUnitsMax) return 'INVALID_QUANTITY';
  if (quantityUnits <= 0) return allowZero && quantityUnits === 0 ? null : 'INVALID_QUANTITY';
  if (quantityUnits < note.minQuantityUnits) return 'BELOW_MIN_QUANTITY';
  if (!checkPrice) return null;
  if (!Number.isInteger(priceTicks)) return 'OFF_TICK';
  if (priceTicks < note.minPriceTicks || priceTicks > note.maxPriceTicks) return 'PRICE_OUT_OF_BAND';
  return null;
}

/** Whether a price (tick offset) on the given side reaches the best opposite price. */
export function wouldTake(note: NoteBook, isBuy: boolean, offset: number): boolean {
  const best = isBuy ? note.asks.best : note.bids.best;
  return best !== -1 && (isBuy ? best <= offset : best >= offset);
}
