/**
 * The decision rule of settlement — pure, no I/O. The database settles in set-based SQL
 * (settlement_settle_chunk and settlement_decide_uncovered, in
 * server/settlement/sql/); this is the reference model the tests
 * compare it with (test/settlement/reference-model.test.ts).
 *
 * Given open instructions in id order, the balances of every account they touch and the trades'
 * active holds: an instruction whose two paying legs are each covered by the trade's own hold
 * (on the paying account, with enough remaining, named by no other instruction) is "covered" and
 * settles first — consuming a hold lowers total and held alike and receipts only raise balances,
 * so covered instructions cannot fail and their order does not matter. Then the others, one by
 * one in id order, against the balances the settled ones left: a party that receives face from
 * any covered trade, or from an earlier one, can deliver it.
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
  /** Credit line (USD accounts of dealers); none when absent. */
  credit?: Decimal;
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
function legCover(
  balances: Map<string, BalanceState>,
  holds: Map<string, HoldState>,
  account: string,
  reference: string | null,
  amount: Decimal,
): Decimal | null {
  const hold = reference === null ? undefined : holds.get(reference);
  const usable = hold !== undefined && hold.accountKey === account;
  const balance = balances.get(account);
  const credit = balance?.credit ?? ZERO;
  // Payment is in what the account has: a hold that credit backs does not pay.
  if (!credit.isZero() && (!balance || balance.total.lt(amount))) return null;
  // The usual case: the trade's hold covers the whole leg, and a hold never exceeds the balance.
  if (usable && hold.remaining.gte(amount)) return amount;
  if (!balance) return null;
  const holdUse = usable ? hold.remaining : ZERO;
  return amount.minus(holdUse).lte(balance.total.plus(credit).minus(balance.held)) ? holdUse : null;
}

function move(balances: Map<string, BalanceState>, account: string, amount: Decimal, holdUse: Decimal): void {
  const balance = balances.get(account);
  if (!balance) throw new Error(`balance ${account} was not loaded`);
  balance.total = balance.total.plus(amount);
  if (!holdUse.isZero()) balance.held = balance.held.minus(holdUse);
}

/** How often each active hold is named by the instructions (as seller's or buyer's hold). */
function holdNames(instructions: readonly DueInstruction[], holds: Map<string, HoldState>): Map<string, number> {
  const names = new Map<string, number>();
  for (const i of instructions) {
    for (const reference of [i.sellerHoldReference, i.buyerHoldReference]) {
      if (reference !== null && holds.has(reference)) names.set(reference, (names.get(reference) ?? 0) + 1);
    }
  }
  return names;
}

function coveredBy(
  holds: Map<string, HoldState>,
  names: Map<string, number>,
  account: string,
  reference: string | null,
  amount: Decimal,
): boolean {
  const hold = reference === null ? undefined : holds.get(reference);
  return hold !== undefined && hold.accountKey === account && hold.remaining.gte(amount) && names.get(reference as string) === 1;
}

/** No credit in use: every hold on the account is cash. */
function cashBacked(balances: Map<string, BalanceState>, account: string): boolean {
  const balance = balances.get(account);
  return balance === undefined || balance.held.lte(balance.total);
}

function isCovered(
  instruction: DueInstruction,
  balances: Map<string, BalanceState>,
  holds: Map<string, HoldState>,
  names: Map<string, number>,
): boolean {
  const buyerCash = partyKey(instruction.buyerPartyId, CASH_ASSET);
  return (
    coveredBy(
      holds,
      names,
      partyKey(instruction.sellerPartyId, instruction.noteId),
      instruction.sellerHoldReference,
      instruction.quantity,
    ) &&
    coveredBy(holds, names, buyerCash, instruction.buyerHoldReference, instruction.netAmount) &&
    cashBacked(balances, buyerCash)
  );
}

/** Settles or fails one instruction against the current balances and holds, and applies a settlement. */
function decideOne(instruction: DueInstruction, balances: Map<string, BalanceState>, holds: Map<string, HoldState>): Decision {
  const sellerFace = partyKey(instruction.sellerPartyId, instruction.noteId);
  const buyerCash = partyKey(instruction.buyerPartyId, CASH_ASSET);
  const sellerHoldUse = legCover(balances, holds, sellerFace, instruction.sellerHoldReference, instruction.quantity);
  const buyerHoldUse = legCover(balances, holds, buyerCash, instruction.buyerHoldReference, instruction.netAmount);
  if (sellerHoldUse === null || buyerHoldUse === null) {
    const failedSide: FailedSide = sellerHoldUse === null && buyerHoldUse === null ? 'both' : sellerHoldUse === null ? 'seller' : 'buyer';
    return { kind: 'fail', instruction, failedSide };
  }
  move(balances, sellerFace, instruction.quantity.negated(), sellerHoldUse);
  move(balances, partyKey(instruction.buyerPartyId, instruction.noteId), instruction.quantity, ZERO);
  move(balances, buyerCash, instruction.netAmount.negated(), buyerHoldUse);
  move(balances, partyKey(instruction.sellerPartyId, CASH_ASSET), instruction.netAmount, ZERO);
  if (sellerHoldUse.gt(0)) useHold(holds, instruction.sellerHoldReference, sellerHoldUse);
  if (buyerHoldUse.gt(0)) useHold(holds, instruction.buyerHoldReference, buyerHoldUse);
  return { kind: 'settle', instruction, sellerHoldUse, buyerHoldUse };
}

/** Decisions in the instructions' order: the covered ones settled first, then the others in order. */
export function decide(
  instructions: readonly DueInstruction[],
  balances: Map<string, BalanceState>,
  holds: Map<string, HoldState>,
): Decision[] {
  const names = holdNames(instructions, holds);
  const covered = instructions.filter((i) => isCovered(i, balances, holds, names));
  const decisions = new Map<DueInstruction, Decision>();
  for (const instruction of covered) decisions.set(instruction, decideOne(instruction, balances, holds));
  for (const instruction of instructions)
    if (!decisions.has(instruction)) decisions.set(instruction, decideOne(instruction, balances, holds));
  return instructions.map((i) => decisions.get(i) as Decision);
}

function useHold(holds: Map<string, HoldState>, reference: string | null, amount: Decimal): void {
  const hold = reference === null ? undefined : holds.get(reference);
  if (!hold) throw new Error(`hold ${reference} vanished while settling`);
  hold.remaining = hold.remaining.minus(amount);
}
