/**
 * The decision core of a settlement run — pure, no I/O: given open instructions in id order, the
 * locked balances of every account they touch and the trades' active holds, it decides for each
 * instruction whether both legs can move now, and applies the settled ones to the balances so
 * the next instruction sees them (a party that receives face early in a chunk can deliver it
 * later in the same chunk, exactly as gross settlement one by one would).
 *
 * Guarantees: all or nothing per instruction (no partial delivery); no balance goes below its
 * held amount or below zero; a hold is used only up to its remaining amount and only when it
 * sits on the paying side's account. The same inputs always give the same decisions, whatever
 * the mode, which is why net settlement ends in the same balances as gross.
 */
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from '../ledger/types.js';
import type { DueInstruction, FailedSide } from './types.js';

export interface BalanceState {
  total: Decimal;
  held: Decimal;
}

export interface HoldState {
  /** partyKey(partyId, asset) of the account the hold sits on. */
  accountKey: string;
  remaining: Decimal;
}

export type Decision =
  | { kind: 'settle'; instruction: DueInstruction; sellerHoldUse: Decimal; buyerHoldUse: Decimal }
  | { kind: 'fail'; instruction: DueInstruction; failedSide: FailedSide };

export function partyKey(partyId: string, asset: string): string {
  return `${partyId}\u0000${asset}`;
}

const ZERO = new Decimal(0);

/** How much of a leg its hold covers, and whether the rest is available; null when it cannot move. */
function legCover(balances: Map<string, BalanceState>, holds: Map<string, HoldState>, account: string, reference: string | null, amount: Decimal): Decimal | null {
  const hold = reference === null ? undefined : holds.get(reference);
  const usable = hold !== undefined && hold.accountKey === account;
  // The usual case: the trade's hold covers the whole leg, and a hold never exceeds the balance.
  if (usable && hold.remaining.gte(amount)) return amount;
  const balance = balances.get(account);
  if (!balance) return null;
  const holdUse = usable ? hold.remaining : ZERO;
  return amount.minus(holdUse).lte(balance.total.minus(balance.held)) ? holdUse : null;
}

function move(balances: Map<string, BalanceState>, account: string, amount: Decimal, holdUse: Decimal): void {
  const balance = balances.get(account);
  if (!balance) throw new Error(`balance ${account} was not loaded`);
  balance.total = balance.total.plus(amount);
  if (!holdUse.isZero()) balance.held = balance.held.minus(holdUse);
}

export function decide(instructions: readonly DueInstruction[], balances: Map<string, BalanceState>, holds: Map<string, HoldState>): Decision[] {
  const decisions: Decision[] = [];
  for (const instruction of instructions) {
    const sellerFace = partyKey(instruction.sellerPartyId, instruction.noteId);
    const buyerCash = partyKey(instruction.buyerPartyId, CASH_ASSET);
    const sellerHoldUse = legCover(balances, holds, sellerFace, instruction.sellerHoldReference, instruction.quantity);
    const buyerHoldUse = legCover(balances, holds, buyerCash, instruction.buyerHoldReference, instruction.netAmount);
    if (sellerHoldUse === null || buyerHoldUse === null) {
      const failedSide: FailedSide = sellerHoldUse === null && buyerHoldUse === null ? 'both' : sellerHoldUse === null ? 'seller' : 'buyer';
      decisions.push({ kind: 'fail', instruction, failedSide });
      continue;
    }
    move(balances, sellerFace, instruction.quantity.negated(), sellerHoldUse);
    move(balances, partyKey(instruction.buyerPartyId, instruction.noteId), instruction.quantity, ZERO);
    move(balances, buyerCash, instruction.netAmount.negated(), buyerHoldUse);
    move(balances, partyKey(instruction.sellerPartyId, CASH_ASSET), instruction.netAmount, ZERO);
    if (sellerHoldUse.gt(0)) useHold(holds, instruction.sellerHoldReference, sellerHoldUse);
    if (buyerHoldUse.gt(0)) useHold(holds, instruction.buyerHoldReference, buyerHoldUse);
    decisions.push({ kind: 'settle', instruction, sellerHoldUse, buyerHoldUse });
  }
  return decisions;
}

function useHold(holds: Map<string, HoldState>, reference: string | null, amount: Decimal): void {
  const hold = reference === null ? undefined : holds.get(reference);
  if (!hold) throw new Error(`hold ${reference} vanished while settling`);
  hold.remaining = hold.remaining.minus(amount);
}
