/**
 * Random sequences of registry operations (mint, burn, recorded transfers single and batched,
 * forced transfers, recoveries, allow-list and freeze changes; many of them meant to fail) run
 * against a fresh NoteRegistry and against a naive model. After every operation the contract's
 * answer must equal the model's (success, or the same error with the same arguments); after the
 * sequence, for every note the tracked holders' balances sum to `totalSupply`, every balance,
 * flag and used reference equals the model's, and the events replay to the same balances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { getAddress, keccak256, toUtf8Bytes, type TransactionReceipt } from 'ethers';
import {
  decodeRegistryError,
  noteIdFromUuid,
  reasonCode,
  registryEvents,
  settlementRefFromKey,
  type NoteRegistry,
} from '../../contracts/registry-client.js';
import { deployRegistry, mined, startChain, type Chain } from './chain.js';
import { formatError, RegistryModel, type Ids, type Operation, type Outcome } from './registry-model.js';

/** A fixed seed makes every run replayable; fast-check prints the seed and path of a failure. */
const PROPERTY_SEED = 20261121;
const RUNS = 10;
const OPERATIONS_MAX = 25;

const IDS: Ids = {
  notes: ['5b0e7c4a-1d2e-4f30-8a9b-0c1d2e3f4a5b', '6c1f8d5b-2e3f-4a41-9bac-1d2e3f4a5b6c'].map(noteIdFromUuid),
  holders: [0, 1, 2, 3].map((i) => getAddress(keccak256(toUtf8Bytes(`holder-${i}`)).slice(0, 42))),
  refs: Array.from({ length: 46 }, (_, i) => settlementRefFromKey(`property:${i}`)),
};
/** Operations draw references 0..39; 40..45 are spent by the initial issue. */
const REFS_DRAWN = 40;
const INITIALLY_ALLOWED = [0, 1, 2];
const INITIAL_ISSUE = INITIALLY_ALLOWED.flatMap((holder) => IDS.notes.map((_, note) => ({ holder, note })));

const note = fc.nat({ max: IDS.notes.length - 1 });
const holder = fc.nat({ max: IDS.holders.length - 1 });
const ref = fc.nat({ max: REFS_DRAWN - 1 });
/** Mostly small amounts against larger issues, so that most moves can succeed; sometimes zero. */
const amountUpTo = (max: bigint) =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(0n) }, { weight: 15, arbitrary: fc.bigInt({ min: 1n, max }) });
const amount = amountUpTo(300n);
const issued = amountUpTo(1000n);
const likely = (value: boolean) => fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.constant(!value) });
const leg = fc.record({ note, from: holder, to: holder, amount, ref });

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('mint' as const), note, to: holder, amount: issued, ref }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burn' as const), note, from: holder, amount, ref }) },
  { weight: 6, arbitrary: leg.map((l) => ({ kind: 'transfer' as const, ...l })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfers' as const), legs: fc.array(leg, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: leg.map((l) => ({ kind: 'forced' as const, ...l })) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('recover' as const),
      lost: holder,
      replacement: holder,
      notes: fc.array(note, { minLength: 1, maxLength: 3 }),
      ref,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('allow' as const), holder, allowed: likely(true) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('freeze' as const), holder, frozen: likely(false) }) },
);

let chain: Chain;

beforeAll(async () => {
  chain = await startChain();
});
afterAll(async () => chain?.close());

/** Sends the operation to the chain; returns the receipt, or the decoded rejection. */
async function execute(registry: NoteRegistry, op: Operation): Promise<{ outcome: Outcome; receipt?: TransactionReceipt }> {
  const registrar = registry.connect(chain.registrar);
  const backOffice = registry.connect(chain.backOffice);
  const h = IDS.holders;
  const n = IDS.notes;
  const r = IDS.refs;
  const sent = (() => {
    switch (op.kind) {
      case 'mint':
        return registrar.mint(n[op.note]!, h[op.to]!, op.amount, r[op.ref]!);
      case 'burn':
        return registrar.burn(n[op.note]!, h[op.from]!, op.amount, r[op.ref]!);
      case 'transfer':
        return registrar.recordTransfer(n[op.note]!, h[op.from]!, h[op.to]!, op.amount, r[op.ref]!);
      case 'transfers':
        return registrar.recordTransfers(
          op.legs.map((l) => ({
            noteId: n[l.note]!,
            from: h[l.from]!,
            to: h[l.to]!,
            amount: l.amount,
            settlementRef: r[l.ref]!,
          })),
        );
      case 'forced':
        return backOffice.forcedTransfer(n[op.note]!, h[op.from]!, h[op.to]!, op.amount, r[op.ref]!, reasonCode('RECONCILIATION_REPAIR'));
      case 'recover':
        return backOffice.recoverAddress(
          h[op.lost]!,
          h[op.replacement]!,
          op.notes.map((i) => n[i]!),
          r[op.ref]!,
          reasonCode('LOST_KEY'),
        );
      case 'allow':
        return backOffice.setAllowListed(h[op.holder]!, op.allowed);
      case 'freeze':
        return backOffice.setAddressFrozen(h[op.holder]!, op.frozen);
    }
  })();
  try {
    return { outcome: 'ok', receipt: await mined(sent) };
  } catch (error) {
    const decoded = decodeRegistryError(error);
    if (!decoded) throw error;
    return { outcome: formatError(decoded.name, [...decoded.args]) };
  }
}

/** Every balance, supply, flag and used reference on chain equals the model's; supply = sum of balances. */
async function expectChainMatchesModel(registry: NoteRegistry, model: RegistryModel): Promise<void> {
  const pairs = IDS.notes.flatMap((_, note) => IDS.holders.map((_, holder) => ({ note, holder })));
  const balances = await registry.balanceOfBatch(
    pairs.map((p) => IDS.holders[p.holder]!),
    pairs.map((p) => IDS.notes[p.note]!),
  );
  const [supplies, allowed, frozen, used] = await Promise.all([
    Promise.all(IDS.notes.map((id) => registry.totalSupply(id))),
    Promise.all(IDS.holders.map((address) => registry.isAllowListed(address))),
    Promise.all(IDS.holders.map((address) => registry.isFrozen(address))),
    Promise.all(IDS.refs.map((settlementRef) => registry.isReferenceUsed(settlementRef))),
  ]);
  expect([...balances]).toEqual(pairs.map((p) => model.balance(p.note, p.holder)));
  IDS.notes.forEach((_, note) => {
    const sum = pairs.reduce((total, p, i) => (p.note === note ? total + balances[i]! : total), 0n);
    expect(supplies[note]).toBe(sum);
    expect(supplies[note]).toBe(model.supply.get(note) ?? 0n);
  });
  expect(allowed).toEqual(IDS.holders.map((_, i) => model.allowed.has(i)));
  expect(frozen).toEqual(IDS.holders.map((_, i) => model.frozen.has(i)));
  expect(used).toEqual(IDS.refs.map((_, i) => model.usedRefs.has(i)));
}

/** Rebuilds balances from the events alone; each reference must belong to a single transaction. */
function replayEvents(receipts: TransactionReceipt[], registryAddress: string): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  const refTransactions = new Map<string, string>();
  const add = (noteId: bigint, address: string, delta: bigint) => {
    const key = `${noteId}:${address.toLowerCase()}`;
    balances.set(key, (balances.get(key) ?? 0n) + delta);
  };
  for (const receipt of receipts) {
    for (const event of registryEvents(receipt, registryAddress)) {
      const { name, args } = event;
      const amount = args.amount as bigint;
      if (name === 'Minted') add(args.noteId, args.to, amount);
      else if (name === 'Burned') add(args.noteId, args.from, -amount);
      else if (name === 'TransferRecorded' || name === 'ForcedTransfer') {
        add(args.noteId, args.from, -amount);
        add(args.noteId, args.to, amount);
      } else continue;
      const seenIn = refTransactions.get(args.settlementRef);
      expect(seenIn === undefined || seenIn === receipt.hash).toBe(true);
      refTransactions.set(args.settlementRef, receipt.hash);
    }
  }
  return balances;
}

/** A registry and model with three allow-listed holders holding 500 of each note; the issue's receipt too. */
async function freshRegistryAndModel(): Promise<{ registry: NoteRegistry; model: RegistryModel; issue: TransactionReceipt }> {
  const registry = await deployRegistry(chain);
  const model = new RegistryModel(IDS);
  for (const index of INITIALLY_ALLOWED) {
    await mined(registry.connect(chain.backOffice).setAllowListed(IDS.holders[index]!, true));
    model.apply({ kind: 'allow', holder: index, allowed: true });
  }
  const issue = await mined(
    registry.connect(chain.registrar).mintBatch(
      INITIAL_ISSUE.map(({ holder, note }, i) => ({
        noteId: IDS.notes[note]!,
        holder: IDS.holders[holder]!,
        amount: 500n,
        settlementRef: IDS.refs[REFS_DRAWN + i]!,
      })),
    ),
  );
  INITIAL_ISSUE.forEach(({ holder, note }, i) => model.apply({ kind: 'mint', note, to: holder, amount: 500n, ref: REFS_DRAWN + i }));
  return { registry, model, issue };
}

describe('NoteRegistry against a reference model', () => {
  it('answers every random operation like the model, and supply always equals the sum of balances', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: OPERATIONS_MAX - 10, maxLength: OPERATIONS_MAX }), async (operations) => {
        const { registry, model, issue } = await freshRegistryAndModel();
        const receipts: TransactionReceipt[] = [issue];
        for (const op of operations) {
          const expected = model.apply(op);
          const { outcome, receipt } = await execute(registry, op);
          expect(outcome, `${op.kind} ${JSON.stringify(op, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`).toBe(expected);
          if (receipt) receipts.push(receipt);
          const key = `${op.kind}:${outcome.split('(')[0]}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
        await expectChainMatchesModel(registry, model);
        const replayed = replayEvents(receipts, await registry.getAddress());
        for (const [noteIndex, noteId] of IDS.notes.entries()) {
          for (const [holderIndex, address] of IDS.holders.entries()) {
            expect(replayed.get(`${noteId}:${address.toLowerCase()}`) ?? 0n).toBe(model.balance(noteIndex, holderIndex));
          }
        }
      }),
      { numRuns: RUNS, seed: PROPERTY_SEED },
    );
    // The generator must reach both sides of the rules, or the property proves little.
    for (const reached of [
      'mint:ok',
      'transfer:ok',
      'transfers:ok',
      'burn:ok',
      'forced:ok',
      'ReferenceAlreadyUsed',
      'NotAllowListed',
      'FrozenAddress',
      'InsufficientBalance',
    ]) {
      expect(
        [...outcomes.keys()].some((key) => key.includes(reached)),
        `${reached} never happened: ${[...outcomes.keys()]}`,
      ).toBe(true);
    }
  }, 180_000);

  it('the final check catches a chain that differs from the model by one unit', async () => {
    const { registry, model } = await freshRegistryAndModel();
    const op: Operation = { kind: 'mint', note: 0, to: 0, amount: 5n, ref: 0 };
    expect(model.apply(op)).toBe('ok');
    expect((await execute(registry, op)).outcome).toBe('ok');
    await expectChainMatchesModel(registry, model);
    model.balances.set('0:0', 4n);
    await expect(expectChainMatchesModel(registry, model)).rejects.toThrow();
  });
});
