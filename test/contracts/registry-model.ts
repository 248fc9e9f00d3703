// A naive reference model of NoteRegistry.sol (not a test file itself): plain maps, the same rules
// and the same error precedence, written without looking for cleverness. The property test runs
// random operations against both and demands identical outcomes.

/** Operations on small index spaces, so that collisions (reused references, same holder) happen. */
export type Operation =
  | { kind: 'mint'; note: number; to: number; amount: bigint; ref: number }
  | { kind: 'burn'; note: number; from: number; amount: bigint; ref: number }
  | { kind: 'transfer'; note: number; from: number; to: number; amount: bigint; ref: number }
  | { kind: 'transfers'; legs: TransferLeg[] }
  | { kind: 'forced'; note: number; from: number; to: number; amount: bigint; ref: number }
  | { kind: 'recover'; lost: number; replacement: number; notes: number[]; ref: number }
  | { kind: 'allow'; holder: number; allowed: boolean }
  | { kind: 'freeze'; holder: number; frozen: boolean };

export interface TransferLeg {
  note: number;
  from: number;
  to: number;
  amount: bigint;
  ref: number;
}

/** How ids look on chain: the model formats its expected errors with them. */
export interface Ids {
  notes: bigint[];
  holders: string[];
  refs: string[];
}

/** A rejection as `Name(arg,arg)`, addresses lowercase, numbers in decimal. */
export type Outcome = 'ok' | string;

export function formatError(name: string, args: readonly unknown[]): string {
  const text = args.map((arg) => (typeof arg === 'string' ? arg.toLowerCase() : String(arg)));
  return `${name}(${text.join(',')})`;
}

export class RegistryModel {
  balances = new Map<string, bigint>();
  supply = new Map<number, bigint>();
  allowed = new Set<number>();
  frozen = new Set<number>();
  usedRefs = new Set<number>();

  constructor(private readonly ids: Ids) {}

  balance(note: number, holder: number): bigint {
    return this.balances.get(`${note}:${holder}`) ?? 0n;
  }

  /** Applies the operation if the contract would; returns what the contract should answer. */
  apply(op: Operation): Outcome {
    switch (op.kind) {
      case 'mint':
        return this.mint(op.note, op.to, op.amount, op.ref);
      case 'burn':
        return this.burn(op.note, op.from, op.amount, op.ref);
      case 'transfer':
        return this.transfer(op);
      case 'transfers':
        return this.atomically((model) => {
          for (const leg of op.legs) {
            const outcome = model.transfer(leg);
            if (outcome !== 'ok') return outcome;
          }
          return 'ok';
        });
      case 'forced':
        return this.forced(op.note, op.from, op.to, op.amount, op.ref);
      case 'recover':
        return this.recover(op.lost, op.replacement, op.notes, op.ref);
      case 'allow':
        if (op.allowed) this.allowed.add(op.holder);
        else this.allowed.delete(op.holder);
        return 'ok';
      case 'freeze':
        if (op.frozen) this.frozen.add(op.holder);
        else this.frozen.delete(op.holder);
        return 'ok';
      default:
        return assertNever(op);
    }
  }

  clone(): RegistryModel {
    const copy = new RegistryModel(this.ids);
    copy.balances = new Map(this.balances);
    copy.supply = new Map(this.supply);
    copy.allowed = new Set(this.allowed);
    copy.frozen = new Set(this.frozen);
    copy.usedRefs = new Set(this.usedRefs);
    return copy;
  }

  /** All or nothing: the work runs on a copy that replaces this model only if it succeeds. */
  private atomically(work: (model: RegistryModel) => Outcome): Outcome {
    const copy = this.clone();
    const outcome = work(copy);
    if (outcome === 'ok') Object.assign(this, copy);
    return outcome;
  }

  private mint(note: number, to: number, amount: bigint, ref: number): Outcome {
    const rejection = this.refRejection(ref) ?? this.amountRejection(amount) ?? this.frozenRejection(to) ?? this.eligibilityRejection(to);
    if (rejection) return rejection;
    this.usedRefs.add(ref);
    this.supply.set(note, (this.supply.get(note) ?? 0n) + amount);
    this.add(note, to, amount);
    return 'ok';
  }

  private burn(note: number, from: number, amount: bigint, ref: number): Outcome {
    const rejection =
      this.refRejection(ref) ?? this.amountRejection(amount) ?? this.frozenRejection(from) ?? this.balanceRejection(note, from, amount);
    if (rejection) return rejection;
    this.usedRefs.add(ref);
    this.supply.set(note, (this.supply.get(note) ?? 0n) - amount);
    this.add(note, from, -amount);
    return 'ok';
  }

  private transfer(leg: TransferLeg): Outcome {
    const { note, from, to, amount, ref } = leg;
    const rejection =
      this.refRejection(ref) ??
      this.sameRejection(from, to) ??
      this.amountRejection(amount) ??
      this.frozenRejection(from) ??
      this.frozenRejection(to) ??
      this.eligibilityRejection(to) ??
      this.balanceRejection(note, from, amount);
    if (rejection) return rejection;
    this.usedRefs.add(ref);
    this.move(note, from, to, amount);
    return 'ok';
  }

  private forced(note: number, from: number, to: number, amount: bigint, ref: number): Outcome {
    const rejection =
      this.refRejection(ref) ??
      this.sameRejection(from, to) ??
      this.amountRejection(amount) ??
      this.eligibilityRejection(to) ??
      this.balanceRejection(note, from, amount);
    if (rejection) return rejection;
    this.usedRefs.add(ref);
    this.move(note, from, to, amount);
    return 'ok';
  }

  private recover(lost: number, replacement: number, notes: number[], ref: number): Outcome {
    const rejection = this.refRejection(ref) ?? this.sameRejection(lost, replacement) ?? this.eligibilityRejection(replacement);
    if (rejection) return rejection;
    const moves: [number, bigint][] = [];
    for (const note of new Set(notes)) {
      const balance = this.balance(note, lost);
      if (balance > 0n) moves.push([note, balance]);
    }
    if (moves.length === 0) return formatError('NothingToRecover', [this.ids.holders[lost]]);
    this.usedRefs.add(ref);
    for (const [note, balance] of moves) this.move(note, lost, replacement, balance);
    if (this.frozen.has(lost)) this.frozen.add(replacement);
    this.allowed.delete(lost);
    return 'ok';
  }

  private move(note: number, from: number, to: number, amount: bigint): void {
    this.add(note, from, -amount);
    this.add(note, to, amount);
  }

  private add(note: number, holder: number, amount: bigint): void {
    const next = this.balance(note, holder) + amount;
    if (next < 0n) throw new Error('model defect: negative balance');
    this.balances.set(`${note}:${holder}`, next);
  }

  private refRejection(ref: number): string | null {
    return this.usedRefs.has(ref) ? formatError('ReferenceAlreadyUsed', [this.ids.refs[ref]]) : null;
  }

  private sameRejection(from: number, to: number): string | null {
    return from === to ? formatError('SameAddress', [this.ids.holders[from]]) : null;
  }

  private amountRejection(amount: bigint): string | null {
    return amount === 0n ? formatError('ZeroAmount', []) : null;
  }

  private frozenRejection(holder: number): string | null {
    return this.frozen.has(holder) ? formatError('FrozenAddress', [this.ids.holders[holder]]) : null;
  }

  private eligibilityRejection(holder: number): string | null {
    return this.allowed.has(holder) ? null : formatError('NotAllowListed', [this.ids.holders[holder]]);
  }

  private balanceRejection(note: number, holder: number, amount: bigint): string | null {
    const balance = this.balance(note, holder);
    return balance < amount ? formatError('InsufficientBalance', [this.ids.notes[note], this.ids.holders[holder], balance, amount]) : null;
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled operation ${JSON.stringify(value)}`);
}
