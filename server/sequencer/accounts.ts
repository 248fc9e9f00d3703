/**
 * The sequencer's in-memory view of what each party can commit to new orders: per (party, asset)
 * the ledger total and what is held, and every hold the trading path owns. The sequencer is the
 * only writer of holds; it mirrors each change into the batch that persists it.
 *
 * Guarantees: `held` of an account equals the sum of `remaining` of its active holds; a hold is
 * opened only when the account's available amount (total + credit line − held) covers it; cash
 * leaves (withdrawals) only from what no hold needs (total − held), never from credit. Totals only ever go
 * up from outside the sequencer (deposits, settlement proceeds); those arrive via `credit` or a
 * reload, and a stale, lower total can only cause a false rejection, never an overdraft.
 */
import { Decimal } from '../domain/decimal.js';

export interface AccountState {
  total: Decimal;
  held: Decimal;
  /** The operator's credit line (USD accounts of dealers): holds may exceed the total by up to this. */
  credit: Decimal;
}

export interface HoldState {
  reference: string;
  partyId: string;
  asset: string;
  amount: Decimal;
  remaining: Decimal;
  /** Not yet in the database (opened in the current batch). */
  opened: boolean;
  /** Remaining changed since the last commit. */
  dirty: boolean;
}

export class AccountBook {
  private readonly accounts = new Map<string, AccountState>();
  readonly holds = new Map<string, HoldState>();
  /** References changed since the last commit: a batch touches few holds among many. */
  private readonly touched = new Set<string>();
  /**
   * While a command runs, how to undo what it changed, newest last (see beginUndo): the sequencer
   * rejects a command that throws alone and must leave the holds as they were before it.
   */
  private undoLog: (() => void)[] | null = null;

  /** Starts recording how to undo the following changes (one command's). */
  beginUndo(): void {
    this.undoLog = [];
  }

  /** Keeps the recorded changes (the command succeeded or was rejected cleanly). */
  endUndo(): void {
    this.undoLog = null;
  }

  /** Undoes every change since beginUndo, newest first. */
  undo(): void {
    const log = this.undoLog ?? [];
    this.undoLog = null;
    for (let i = log.length - 1; i >= 0; i--) log[i]!();
  }

  private rememberAccount(partyId: string, asset: string): void {
    if (!this.undoLog) return;
    const account = this.account(partyId, asset);
    const before = { ...account };
    this.undoLog.push(() => Object.assign(account, before));
  }

  private rememberHold(reference: string): void {
    if (!this.undoLog) return;
    const hold = this.holds.get(reference);
    const before = hold ? { ...hold } : null;
    const wasTouched = this.touched.has(reference);
    this.undoLog.push(() => {
      if (hold && before) this.holds.set(reference, Object.assign(hold, before));
      else this.holds.delete(reference);
      if (wasTouched) this.touched.add(reference);
      else this.touched.delete(reference);
    });
  }

  private key(partyId: string, asset: string): string {
    return `${partyId}\u0000${asset}`;
  }

  account(partyId: string, asset: string): AccountState {
    const key = this.key(partyId, asset);
    let account = this.accounts.get(key);
    if (!account) {
      account = { total: new Decimal(0), held: new Decimal(0), credit: new Decimal(0) };
      this.accounts.set(key, account);
    }
    return account;
  }

  /** What new holds may take: the total and the unused credit line, less what is held. */
  available(partyId: string, asset: string): Decimal {
    const account = this.account(partyId, asset);
    return account.total.plus(account.credit).minus(account.held);
  }

  /** Cash no hold needs: what may leave the account (a withdrawal); never the credit line. */
  unheld(partyId: string, asset: string): Decimal {
    const account = this.account(partyId, asset);
    return Decimal.max(0, account.total.minus(account.held));
  }

  /** How much of the credit line holds use: what they hold beyond the total. */
  creditUsed(partyId: string, asset: string): Decimal {
    const account = this.account(partyId, asset);
    return Decimal.max(0, account.held.minus(account.total));
  }

  setCredit(partyId: string, asset: string, credit: Decimal): void {
    this.account(partyId, asset).credit = credit;
  }

  setTotal(partyId: string, asset: string, total: Decimal): void {
    this.rememberAccount(partyId, asset);
    this.account(partyId, asset).total = total;
  }

  credit(partyId: string, asset: string, amount: Decimal): void {
    this.rememberAccount(partyId, asset);
    const account = this.account(partyId, asset);
    account.total = account.total.plus(amount);
  }

  /** Recovery: an active hold as persisted. */
  loadHold(reference: string, partyId: string, asset: string, amount: Decimal, remaining: Decimal): void {
    this.holds.set(reference, { reference, partyId, asset, amount, remaining, opened: false, dirty: false });
  }

  /** Recovery: an account's persisted total and held amounts. */
  loadAccount(partyId: string, asset: string, total: Decimal, held: Decimal, credit: Decimal = new Decimal(0)): void {
    this.accounts.set(this.key(partyId, asset), { total, held, credit });
  }

  /** Opens a hold if the account can cover it; returns false (and changes nothing) otherwise. */
  open(reference: string, partyId: string, asset: string, amount: Decimal): boolean {
    if (this.holds.has(reference)) throw new Error(`hold ${reference} exists`);
    if (amount.gt(this.available(partyId, asset))) return false;
    this.rememberAccount(partyId, asset);
    this.rememberHold(reference);
    this.account(partyId, asset).held = this.account(partyId, asset).held.plus(amount);
    this.holds.set(reference, { reference, partyId, asset, amount, remaining: amount, opened: true, dirty: true });
    this.touched.add(reference);
    return true;
  }

  /** Moves `amount` from one hold to a new one on the same account (a fill turns order cash into trade cash). */
  transfer(fromReference: string, toReference: string, amount: Decimal): void {
    const from = this.mustHold(fromReference);
    if (amount.gt(from.remaining))
      throw new Error(`hold ${fromReference} has ${from.remaining.toFixed()}, cannot move ${amount.toFixed()}`);
    this.rememberHold(fromReference);
    this.rememberHold(toReference);
    from.remaining = from.remaining.minus(amount);
    from.dirty = true;
    this.holds.set(toReference, {
      reference: toReference,
      partyId: from.partyId,
      asset: from.asset,
      amount,
      remaining: amount,
      opened: true,
      dirty: true,
    });
    this.touched.add(fromReference);
    this.touched.add(toReference);
  }

  /** Sets a hold's remaining amount; growing it needs the account's available amount. */
  resize(reference: string, remaining: Decimal): boolean {
    const hold = this.mustHold(reference);
    const delta = remaining.minus(hold.remaining);
    if (delta.gt(this.available(hold.partyId, hold.asset))) return false;
    this.rememberAccount(hold.partyId, hold.asset);
    this.rememberHold(reference);
    this.account(hold.partyId, hold.asset).held = this.account(hold.partyId, hold.asset).held.plus(delta);
    hold.remaining = remaining;
    if (remaining.gt(hold.amount)) hold.amount = remaining;
    hold.dirty = true;
    this.touched.add(reference);
    return true;
  }

  /** Undoes a hold opened in the current batch (its command was rejected): as if it never existed. */
  discard(reference: string): void {
    const hold = this.mustHold(reference);
    if (!hold.opened) throw new Error(`hold ${reference} is already persisted`);
    this.rememberAccount(hold.partyId, hold.asset);
    this.rememberHold(reference);
    this.account(hold.partyId, hold.asset).held = this.account(hold.partyId, hold.asset).held.minus(hold.remaining);
    this.holds.delete(reference);
    this.touched.delete(reference);
  }

  release(reference: string): void {
    this.resize(reference, new Decimal(0));
  }

  /** After a commit: marks the batch's holds persisted and drops closed ones, keeping memory bounded. */
  committed(): void {
    for (const reference of this.touched) {
      const hold = this.holds.get(reference);
      if (!hold) continue;
      hold.opened = false;
      hold.dirty = false;
      if (hold.remaining.isZero()) this.holds.delete(reference);
    }
    this.touched.clear();
  }

  /** The holds changed since the last commit, split into new ones and changed existing ones. */
  pendingChanges(): { opened: HoldState[]; changed: HoldState[] } {
    const opened: HoldState[] = [];
    const changed: HoldState[] = [];
    for (const reference of this.touched) {
      const hold = this.holds.get(reference);
      if (!hold) continue;
      if (hold.opened) opened.push(hold);
      else if (hold.dirty) changed.push(hold);
    }
    return { opened, changed };
  }

  private mustHold(reference: string): HoldState {
    const hold = this.holds.get(reference);
    if (!hold) throw new Error(`no hold ${reference}`);
    return hold;
  }
}
