/**
 * NoteRegistry.sol on an in-process EVM (ganache): the role matrix generated from the ABI, the
 * allow-list, freezes, pause, single use of settlement references, the events each change emits,
 * batches, address recovery and input validation. Each test deploys its own registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonRpcSigner } from 'ethers';
import {
  noteIdFromUuid,
  noteRegistryInterface,
  reasonCode,
  reasonFromCode,
  settlementRefFromKey,
  type NoteRegistry,
} from '../../contracts/registry-client.js';
import { compileContracts } from '../../contracts/compile.js';
import { deployRegistry, expectEvents, expectRevert, freshRef, mined, startChain, type Chain } from './chain.js';

const NOTE_A = noteIdFromUuid('0b6f8f3e-3c1a-4d4e-9a57-1f2e3d4c5b6a');
const NOTE_B = noteIdFromUuid('7d2c9a10-5e4f-4b3a-8c2d-0a1b2c3d4e5f');
const NOTE_C = noteIdFromUuid('c4a1e6b2-9f3d-4e8a-b7c6-5d4e3f2a1b0c');
const REPAIR = reasonCode('RECONCILIATION_REPAIR');
const LOST_KEY = reasonCode('LOST_KEY');

let chain: Chain;
let h0: JsonRpcSigner; // allow-listed, holds 1000 A and 300 B
let h1: JsonRpcSigner; // allow-listed, holds 500 A
let h2: JsonRpcSigner; // allow-listed, holds nothing
let h3: JsonRpcSigner; // never allow-listed

beforeAll(async () => {
  chain = await startChain();
  [h0, h1, h2, h3] = chain.holders as [JsonRpcSigner, JsonRpcSigner, JsonRpcSigner, JsonRpcSigner];
});
afterAll(async () => chain?.close());

/** A registry with three allow-listed holders and some notes issued. */
async function fundedRegistry(): Promise<NoteRegistry> {
  const registry = await deployRegistry(chain);
  const backOffice = registry.connect(chain.backOffice);
  for (const holder of [h0, h1, h2]) await mined(backOffice.setAllowListed(holder.address, true));
  await mined(
    registry.connect(chain.registrar).mintBatch([
      { noteId: NOTE_A, holder: h0.address, amount: 1000n, settlementRef: freshRef() },
      { noteId: NOTE_A, holder: h1.address, amount: 500n, settlementRef: freshRef() },
      { noteId: NOTE_B, holder: h0.address, amount: 300n, settlementRef: freshRef() },
    ]),
  );
  return registry;
}

type Role = 'owner' | 'registrar' | 'backOffice';
interface Restricted {
  fn: string;
  role: Role;
  args: () => unknown[];
  /** Role administration stays available while paused. */
  pausable: boolean;
  /** The revert an authorized caller gets in the funded, unpaused state, if any. */
  authorizedRevert?: string;
}

/** Every restricted function, with arguments that succeed for its role on a funded registry. */
function restrictedCalls(registrarRole: string): Restricted[] {
  const transfer = () => ({ noteId: NOTE_A, from: h0.address, to: h1.address, amount: 10n, settlementRef: freshRef() });
  return [
    { fn: 'mint', role: 'registrar', pausable: true, args: () => [NOTE_A, h1.address, 10n, freshRef()] },
    { fn: 'burn', role: 'registrar', pausable: true, args: () => [NOTE_A, h0.address, 10n, freshRef()] },
    { fn: 'recordTransfer', role: 'registrar', pausable: true, args: () => [NOTE_A, h0.address, h1.address, 10n, freshRef()] },
    {
      fn: 'mintBatch',
      role: 'registrar',
      pausable: true,
      args: () => [[{ noteId: NOTE_A, holder: h1.address, amount: 10n, settlementRef: freshRef() }]],
    },
    {
      fn: 'burnBatch',
      role: 'registrar',
      pausable: true,
      args: () => [[{ noteId: NOTE_A, holder: h0.address, amount: 10n, settlementRef: freshRef() }]],
    },
    { fn: 'recordTransfers', role: 'registrar', pausable: true, args: () => [[transfer(), transfer()]] },
    { fn: 'forcedTransfer', role: 'backOffice', pausable: true, args: () => [NOTE_A, h0.address, h1.address, 10n, freshRef(), REPAIR] },
    {
      fn: 'recoverAddress',
      role: 'backOffice',
      pausable: true,
      args: () => [h0.address, h2.address, [NOTE_A, NOTE_B], freshRef(), LOST_KEY],
    },
    { fn: 'setAllowListed', role: 'backOffice', pausable: true, args: () => [h3.address, true] },
    { fn: 'setAddressFrozen', role: 'backOffice', pausable: true, args: () => [h1.address, true] },
    { fn: 'pause', role: 'backOffice', pausable: true, args: () => [] },
    { fn: 'unpause', role: 'owner', pausable: false, args: () => [], authorizedRevert: 'ExpectedPause' },
    { fn: 'grantRole', role: 'owner', pausable: false, args: () => [registrarRole, h3.address] },
    { fn: 'revokeRole', role: 'owner', pausable: false, args: () => [registrarRole, chain.registrar.address] },
    { fn: 'beginDefaultAdminTransfer', role: 'owner', pausable: false, args: () => [h3.address] },
    { fn: 'cancelDefaultAdminTransfer', role: 'owner', pausable: false, args: () => [] },
    { fn: 'changeDefaultAdminDelay', role: 'owner', pausable: false, args: () => [3600] },
    { fn: 'rollbackDefaultAdminDelay', role: 'owner', pausable: false, args: () => [] },
  ];
}

/** Functions anyone may call because they act only on the caller's own standing. */
const SELF_SERVICE = ['renounceRole', 'acceptDefaultAdminTransfer'];

function stateChangingFunctions(): string[] {
  const names: string[] = [];
  noteRegistryInterface().forEachFunction((fragment) => {
    if (fragment.stateMutability !== 'view' && fragment.stateMutability !== 'pure') names.push(fragment.name);
  });
  return names.sort();
}

describe('roles', () => {
  it('deploys with one owner, the registrar and the back office, and nothing for holders to call', async () => {
    const registry = await deployRegistry(chain);
    expect(await registry.owner()).toBe(chain.owner.address);
    expect(await registry.hasRole(await registry.REGISTRAR_ROLE(), chain.registrar.address)).toBe(true);
    expect(await registry.hasRole(await registry.BACK_OFFICE_ROLE(), chain.backOffice.address)).toBe(true);
    expect(await registry.hasRole(await registry.REGISTRAR_ROLE(), chain.owner.address)).toBe(false);
    expect(await registry.MAX_BATCH_SIZE()).toBe(100n);
    const functions = stateChangingFunctions();
    for (const holderFacing of ['transfer', 'transferFrom', 'approve', 'safeTransferFrom', 'safeBatchTransferFrom', 'setApprovalForAll']) {
      expect(functions).not.toContain(holderFacing);
    }
    noteRegistryInterface().forEachFunction((fragment) => expect(fragment.payable).toBe(false));
    expect(noteRegistryInterface().receive).toBe(false);
  });

  it('the matrix covers every state-changing function of the ABI', () => {
    const covered = [...restrictedCalls('0x').map((call) => call.fn), ...SELF_SERVICE].sort();
    expect(covered).toEqual(stateChangingFunctions());
  });

  it('only the right role may call each restricted function; everyone else, holders included, is refused', async () => {
    const registry = await fundedRegistry();
    const roleIds: Record<Role, string> = {
      owner: await registry.DEFAULT_ADMIN_ROLE(),
      registrar: await registry.REGISTRAR_ROLE(),
      backOffice: await registry.BACK_OFFICE_ROLE(),
    };
    const accounts: Record<Role | 'holder' | 'outsider', JsonRpcSigner> = {
      owner: chain.owner,
      registrar: chain.registrar,
      backOffice: chain.backOffice,
      holder: h0,
      outsider: chain.outsider,
    };
    for (const call of restrictedCalls(roleIds.registrar)) {
      for (const [who, account] of Object.entries(accounts)) {
        const method = registry.connect(account).getFunction(call.fn);
        if (who === call.role) {
          // A static call proves the role check passes without changing the fixture.
          const outcome = method.staticCall(...call.args());
          if (call.authorizedRevert) await expectRevert(outcome, call.authorizedRevert);
          else await outcome;
        } else {
          await expectRevert(method.send(...call.args()), 'AccessControlUnauthorizedAccount', [account.address, roleIds[call.role]]);
        }
      }
    }
    expect(await registry.balanceOf(h0.address, NOTE_A)).toBe(1000n);
    expect(await registry.totalSupply(NOTE_A)).toBe(1500n);
    expect(await registry.paused()).toBe(false);
  });

  it('self-service functions act only on the caller, and the owner role is never granted directly', async () => {
    const registry = await deployRegistry(chain);
    const registrarRole = await registry.REGISTRAR_ROLE();
    await expectRevert(registry.connect(h0).renounceRole(registrarRole, chain.registrar.address), 'AccessControlBadConfirmation');
    await expectRevert(registry.connect(h0).acceptDefaultAdminTransfer(), 'AccessControlInvalidDefaultAdmin', [h0.address]);
    await expectRevert(registry.grantRole(await registry.DEFAULT_ADMIN_ROLE(), h0.address), 'AccessControlEnforcedDefaultAdminRules');
    await mined(registry.connect(chain.registrar).renounceRole(registrarRole, chain.registrar.address));
    expect(await registry.hasRole(registrarRole, chain.registrar.address)).toBe(false);
  });
});

describe('allow-list', () => {
  it('notes only arrive at allow-listed addresses', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    await expectRevert(registrar.mint(NOTE_A, h3.address, 1n, freshRef()), 'NotAllowListed', [h3.address]);
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h3.address, 1n, freshRef()), 'NotAllowListed', [h3.address]);
    await expectRevert(
      registry.connect(chain.backOffice).forcedTransfer(NOTE_A, h0.address, h3.address, 1n, freshRef(), REPAIR),
      'NotAllowListed',
      [h3.address],
    );
    await expectRevert(
      registrar.recordTransfers([
        { noteId: NOTE_A, from: h0.address, to: h1.address, amount: 1n, settlementRef: freshRef() },
        { noteId: NOTE_A, from: h0.address, to: h3.address, amount: 1n, settlementRef: freshRef() },
      ]),
      'NotAllowListed',
      [h3.address],
    );
    expect(await registry.balanceOf(h1.address, NOTE_A)).toBe(500n);
  });

  it('a de-listed holder can be sold out of and paid down, but receives nothing', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    const receipt = await mined(registry.connect(chain.backOffice).setAllowListed(h1.address, false));
    await expectEvents(registry, receipt, [['AllowListUpdated', h1.address, false]]);
    expect(await registry.isAllowListed(h1.address)).toBe(false);
    await mined(registrar.recordTransfer(NOTE_A, h1.address, h0.address, 200n, freshRef()));
    await mined(registrar.burn(NOTE_A, h1.address, 100n, freshRef()));
    await expectRevert(registrar.mint(NOTE_A, h1.address, 1n, freshRef()), 'NotAllowListed', [h1.address]);
    expect(await registry.balanceOf(h1.address, NOTE_A)).toBe(200n);
    expect(await registry.totalSupply(NOTE_A)).toBe(1400n);
  });

  it('setting the current value is a no-op without an event; the zero address is refused', async () => {
    const registry = await fundedRegistry();
    const backOffice = registry.connect(chain.backOffice);
    await expectEvents(registry, await mined(backOffice.setAllowListed(h0.address, true)), []);
    await expectEvents(registry, await mined(backOffice.setAddressFrozen(h0.address, false)), []);
    await expectRevert(backOffice.setAllowListed('0x0000000000000000000000000000000000000000', true), 'ZeroAddress');
  });
});

describe('freeze', () => {
  it('a frozen address neither sends nor receives through the registrar; the back office can still move its notes', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    const backOffice = registry.connect(chain.backOffice);
    await expectEvents(registry, await mined(backOffice.setAddressFrozen(h1.address, true)), [['AddressFrozen', h1.address, true]]);
    expect(await registry.isFrozen(h1.address)).toBe(true);
    await expectRevert(registrar.mint(NOTE_A, h1.address, 1n, freshRef()), 'FrozenAddress', [h1.address]);
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h1.address, 1n, freshRef()), 'FrozenAddress', [h1.address]);
    await expectRevert(registrar.recordTransfer(NOTE_A, h1.address, h0.address, 1n, freshRef()), 'FrozenAddress', [h1.address]);
    await expectRevert(registrar.burn(NOTE_A, h1.address, 1n, freshRef()), 'FrozenAddress', [h1.address]);
    const ref = freshRef();
    const receipt = await mined(backOffice.forcedTransfer(NOTE_A, h1.address, h0.address, 50n, ref, REPAIR));
    await expectEvents(registry, receipt, [['ForcedTransfer', NOTE_A, h1.address, h0.address, 50n, ref, REPAIR]]);
    await mined(backOffice.forcedTransfer(NOTE_A, h0.address, h1.address, 20n, freshRef(), REPAIR));
    expect(await registry.balanceOf(h1.address, NOTE_A)).toBe(470n);
    await mined(backOffice.setAddressFrozen(h1.address, false));
    await mined(registrar.recordTransfer(NOTE_A, h1.address, h0.address, 70n, freshRef()));
    expect(await registry.balanceOf(h1.address, NOTE_A)).toBe(400n);
  });
});

describe('pause', () => {
  it('stops every change except role administration and unpause; only the owner resumes', async () => {
    const registry = await fundedRegistry();
    const roles: Record<Role, JsonRpcSigner> = { owner: chain.owner, registrar: chain.registrar, backOffice: chain.backOffice };
    const receipt = await mined(registry.connect(chain.backOffice).pause());
    await expectEvents(registry, receipt, [['Paused', chain.backOffice.address]]);
    const registrarRole = await registry.REGISTRAR_ROLE();
    for (const call of restrictedCalls(registrarRole).filter((c) => c.pausable)) {
      await expectRevert(
        registry
          .connect(roles[call.role])
          .getFunction(call.fn)
          .send(...call.args()),
        'EnforcedPause',
      );
    }
    await mined(registry.grantRole(registrarRole, h2.address));
    await mined(registry.revokeRole(registrarRole, h2.address));
    await expectRevert(registry.connect(chain.backOffice).unpause(), 'AccessControlUnauthorizedAccount');
    await mined(registry.unpause());
    await mined(registry.connect(chain.registrar).mint(NOTE_A, h1.address, 1n, freshRef()));
    expect(await registry.totalSupply(NOTE_A)).toBe(1501n);
  });
});

describe('settlement references', () => {
  it('are used once, across every kind of change, and remember their block', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    const ref = settlementRefFromKey('settlement:4e1f0c1a-2b3c-4d5e-8f90-112233445566:delivery');
    expect(await registry.isReferenceUsed(ref)).toBe(false);
    const receipt = await mined(registrar.recordTransfer(NOTE_A, h0.address, h1.address, 100n, ref));
    expect(await registry.isReferenceUsed(ref)).toBe(true);
    expect(await registry.referenceBlock(ref)).toBe(BigInt(receipt.blockNumber));
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h1.address, 100n, ref), 'ReferenceAlreadyUsed', [ref]);
    await expectRevert(registrar.mint(NOTE_A, h1.address, 1n, ref), 'ReferenceAlreadyUsed', [ref]);
    await expectRevert(registrar.burn(NOTE_A, h1.address, 1n, ref), 'ReferenceAlreadyUsed', [ref]);
    await expectRevert(
      registry.connect(chain.backOffice).forcedTransfer(NOTE_A, h1.address, h0.address, 1n, ref, REPAIR),
      'ReferenceAlreadyUsed',
      [ref],
    );
    await expectRevert(
      registrar.recordTransfers([{ noteId: NOTE_A, from: h0.address, to: h1.address, amount: 1n, settlementRef: ref }]),
      'ReferenceAlreadyUsed',
      [ref],
    );
    // A retry reports that it already landed even after the state changed under it.
    await mined(registry.connect(chain.backOffice).setAddressFrozen(h0.address, true));
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h1.address, 100n, ref), 'ReferenceAlreadyUsed', [ref]);
    expect(await registry.balanceOf(h1.address, NOTE_A)).toBe(600n);
    await expectRevert(registrar.mint(NOTE_A, h1.address, 1n, `0x${'00'.repeat(32)}`), 'ZeroReference');
  });

  it('a change that reverts does not consume its reference', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    const ref = freshRef();
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h3.address, 1n, ref), 'NotAllowListed');
    expect(await registry.isReferenceUsed(ref)).toBe(false);
    await mined(registry.connect(chain.backOffice).setAllowListed(h3.address, true));
    await mined(registrar.recordTransfer(NOTE_A, h0.address, h3.address, 1n, ref));
    expect(await registry.isReferenceUsed(ref)).toBe(true);
  });
});

describe('events and batches', () => {
  it('mint, transfer and burn each emit one event carrying the reference', async () => {
    const registry = await deployRegistry(chain);
    const registrar = registry.connect(chain.registrar);
    await mined(registry.connect(chain.backOffice).setAllowListed(h0.address, true));
    await mined(registry.connect(chain.backOffice).setAllowListed(h1.address, true));
    const [mintRef, transferRef, burnRef] = [freshRef(), freshRef(), freshRef()];
    await expectEvents(registry, await mined(registrar.mint(NOTE_C, h0.address, 250n, mintRef)), [
      ['Minted', NOTE_C, h0.address, 250n, mintRef],
    ]);
    await expectEvents(registry, await mined(registrar.recordTransfer(NOTE_C, h0.address, h1.address, 75n, transferRef)), [
      ['TransferRecorded', NOTE_C, h0.address, h1.address, 75n, transferRef],
    ]);
    await expectEvents(registry, await mined(registrar.burn(NOTE_C, h1.address, 25n, burnRef)), [
      ['Burned', NOTE_C, h1.address, 25n, burnRef],
    ]);
    const balances = await registry.balanceOfBatch([h0.address, h1.address], [NOTE_C, NOTE_C]);
    expect([...balances]).toEqual([175n, 50n]);
    expect(await registry.totalSupply(NOTE_C)).toBe(225n);
    await expectRevert(registry.balanceOfBatch([h0.address], []), 'LengthMismatch', [1n, 0n]);
  });

  it('a batch applies every item in order, or none of them', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    const legs = [
      { noteId: NOTE_A, from: h0.address, to: h1.address, amount: 100n, settlementRef: freshRef() },
      { noteId: NOTE_A, from: h1.address, to: h2.address, amount: 550n, settlementRef: freshRef() },
      { noteId: NOTE_B, from: h0.address, to: h2.address, amount: 300n, settlementRef: freshRef() },
    ];
    const receipt = await mined(registrar.recordTransfers(legs));
    await expectEvents(
      registry,
      receipt,
      legs.map((leg) => ['TransferRecorded', leg.noteId, leg.from, leg.to, leg.amount, leg.settlementRef]),
    );
    expect(await registry.balanceOf(h2.address, NOTE_A)).toBe(550n);
    const reused = freshRef();
    await expectRevert(
      registrar.recordTransfers([
        { noteId: NOTE_A, from: h2.address, to: h0.address, amount: 1n, settlementRef: reused },
        { noteId: NOTE_A, from: h2.address, to: h0.address, amount: 1n, settlementRef: reused },
      ]),
      'ReferenceAlreadyUsed',
      [reused],
    );
    expect(await registry.isReferenceUsed(reused)).toBe(false);
    expect(await registry.balanceOf(h2.address, NOTE_A)).toBe(550n);
    await expectRevert(registrar.recordTransfers([]), 'BatchSizeOutOfRange', [0n, 100n]);
    const tooMany = Array.from({ length: 101 }, () => ({ noteId: NOTE_A, holder: h0.address, amount: 1n, settlementRef: freshRef() }));
    await expectRevert(registrar.burnBatch(tooMany), 'BatchSizeOutOfRange', [101n, 100n]);
    await registrar.burnBatch.staticCall(tooMany.slice(0, 100)); // the largest batch is accepted
  });
});

describe('address recovery', () => {
  it('moves every listed note to the replacement, carries the freeze over and de-lists the lost address', async () => {
    const registry = await fundedRegistry();
    const backOffice = registry.connect(chain.backOffice);
    await mined(backOffice.setAddressFrozen(h0.address, true));
    const ref = freshRef();
    const receipt = await mined(backOffice.recoverAddress(h0.address, h2.address, [NOTE_A, NOTE_B, NOTE_C], ref, LOST_KEY));
    await expectEvents(registry, receipt, [
      ['ForcedTransfer', NOTE_A, h0.address, h2.address, 1000n, ref, LOST_KEY],
      ['ForcedTransfer', NOTE_B, h0.address, h2.address, 300n, ref, LOST_KEY],
      ['AddressFrozen', h2.address, true],
      ['AllowListUpdated', h0.address, false],
      ['AddressRecovered', h0.address, h2.address, ref, LOST_KEY],
    ]);
    expect([
      ...(await registry.balanceOfBatch([h0.address, h0.address, h2.address, h2.address], [NOTE_A, NOTE_B, NOTE_A, NOTE_B])),
    ]).toEqual([0n, 0n, 1000n, 300n]);
    expect(await registry.totalSupply(NOTE_A)).toBe(1500n);
    expect(await registry.isAllowListed(h0.address)).toBe(false);
    expect(await registry.isFrozen(h2.address)).toBe(true);
    await expectRevert(backOffice.recoverAddress(h0.address, h2.address, [NOTE_A], freshRef(), LOST_KEY), 'NothingToRecover', [h0.address]);
    await expectRevert(backOffice.recoverAddress(h1.address, h3.address, [NOTE_A], freshRef(), LOST_KEY), 'NotAllowListed', [h3.address]);
    await expectRevert(backOffice.recoverAddress(h1.address, h1.address, [NOTE_A], freshRef(), LOST_KEY), 'SameAddress', [h1.address]);
    await expectRevert(backOffice.recoverAddress(h1.address, h2.address, [], freshRef(), LOST_KEY), 'BatchSizeOutOfRange', [0n, 100n]);
  });
});

describe('validation', () => {
  it('refuses zero amounts, zero or identical addresses, missing reason codes and overdrafts, naming the culprit', async () => {
    const registry = await fundedRegistry();
    const registrar = registry.connect(chain.registrar);
    const backOffice = registry.connect(chain.backOffice);
    const zero = '0x0000000000000000000000000000000000000000';
    await expectRevert(registrar.mint(NOTE_A, h0.address, 0n, freshRef()), 'ZeroAmount');
    await expectRevert(registrar.mint(NOTE_A, zero, 1n, freshRef()), 'ZeroAddress');
    await expectRevert(registrar.recordTransfer(NOTE_A, zero, h1.address, 1n, freshRef()), 'ZeroAddress');
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h0.address, 1n, freshRef()), 'SameAddress', [h0.address]);
    await expectRevert(registrar.recordTransfer(NOTE_A, h0.address, h1.address, 1001n, freshRef()), 'InsufficientBalance', [
      NOTE_A,
      h0.address,
      1000n,
      1001n,
    ]);
    await expectRevert(registrar.burn(NOTE_B, h1.address, 1n, freshRef()), 'InsufficientBalance', [NOTE_B, h1.address, 0n, 1n]);
    await expectRevert(backOffice.forcedTransfer(NOTE_A, h0.address, h1.address, 1n, freshRef(), `0x${'00'.repeat(32)}`), 'ZeroReasonCode');
    await expectRevert(backOffice.forcedTransfer(NOTE_A, h0.address, h1.address, 0n, freshRef(), REPAIR), 'ZeroAmount');
  });

  it('maps note UUIDs and outbox keys to on-chain ids one-to-one', () => {
    const uuid = '0B6F8F3E-3C1A-4D4E-9A57-1F2E3D4C5B6A';
    expect(noteIdFromUuid(uuid)).toBe(NOTE_A);
    expect(() => noteIdFromUuid('not-a-uuid')).toThrow(/canonical UUID/);
    expect(settlementRefFromKey('a')).not.toBe(settlementRefFromKey('b'));
    expect(() => settlementRefFromKey('')).toThrow();
    expect(reasonFromCode(REPAIR)).toBe('RECONCILIATION_REPAIR');
  });
});

describe('compile script', () => {
  it('skips the compile while no input changed, so every test run can call it', async () => {
    const result = await compileContracts();
    expect(result).toMatchObject({ compiled: false, contracts: ['NoteRegistry'] });
    expect(result.elapsedMs).toBeLessThan(500);
  });
});
