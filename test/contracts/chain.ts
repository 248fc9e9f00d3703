// An in-process ganache chain for the contract tests (not a test file itself): compiled artifacts,
// named signers, a fresh registry per test, and helpers that send, wait and decode reverts.
import ganache from 'ganache';
import { BrowserProvider, type Eip1193Provider, type JsonRpcSigner, type TransactionReceipt } from 'ethers';
import { expect } from 'vitest';
import { compileContracts } from '../../contracts/compile.js';
import {
  decodeRegistryError,
  deployNoteRegistry,
  registryEvents,
  settlementRefFromKey,
  type NoteRegistry,
} from '../../contracts/registry-client.js';

export interface Chain {
  provider: BrowserProvider;
  owner: JsonRpcSigner;
  registrar: JsonRpcSigner;
  backOffice: JsonRpcSigner;
  /** Accounts that hold notes; they have no role. */
  holders: JsonRpcSigner[];
  /** An account with no role that is never allow-listed. */
  outsider: JsonRpcSigner;
  close(): Promise<void>;
}

export async function startChain(): Promise<Chain> {
  await compileContracts();
  const eip1193 = ganache.provider({
    logging: { quiet: true },
    chain: { hardfork: 'shanghai' },
    wallet: { deterministic: true, totalAccounts: 8 },
  });
  // cacheTimeout -1: ethers otherwise answers an identical request made within 250 ms from its cache,
  // so a retried send would skip its gas estimate (and its revert) and be mined as a failed transaction.
  const provider = new BrowserProvider(eip1193 as unknown as Eip1193Provider, undefined, { pollingInterval: 50, cacheTimeout: -1 });
  const signers = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((index) => provider.getSigner(index)));
  const [owner, registrar, backOffice, holder1, holder2, holder3, holder4, outsider] = signers as [
    JsonRpcSigner,
    JsonRpcSigner,
    JsonRpcSigner,
    JsonRpcSigner,
    JsonRpcSigner,
    JsonRpcSigner,
    JsonRpcSigner,
    JsonRpcSigner,
  ];
  return {
    provider,
    owner,
    registrar,
    backOffice,
    holders: [holder1, holder2, holder3, holder4],
    outsider,
    close: async () => {
      provider.destroy();
      await eip1193.disconnect();
    },
  };
}

export function deployRegistry(chain: Chain): Promise<NoteRegistry> {
  return deployNoteRegistry(chain.owner, {
    owner: chain.owner,
    registrar: chain.registrar,
    backOffice: chain.backOffice,
    adminTransferDelaySeconds: 0,
  });
}

let refCounter = 0;

/** A settlement reference never used before in this process. */
export function freshRef(): string {
  refCounter += 1;
  return settlementRefFromKey(`test:${process.pid}:${refCounter}`);
}

/** Sends a transaction and returns its receipt, failing the test if it reverted. */
export async function mined(sent: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await sent).wait();
  if (!receipt || receipt.status !== 1) throw new Error('transaction was not mined successfully');
  return receipt;
}

/** Expects a revert with the named custom error (and, if given, exactly these arguments). */
export async function expectRevert(pending: Promise<unknown>, name: string, args?: unknown[]): Promise<void> {
  let outcome: unknown = 'did not revert';
  try {
    await pending;
  } catch (error) {
    outcome = error;
  }
  const decoded = decodeRegistryError(outcome);
  if (!decoded) throw new Error(`expected ${name}, got ${outcome instanceof Error ? outcome.message : String(outcome)}`);
  expect(decoded.name).toBe(name);
  if (args) expect(normalize([...decoded.args])).toEqual(normalize(args));
}

/** The name of the custom error behind a rejected call, or null if the call succeeded. */
export async function revertName(pending: Promise<unknown>): Promise<string | null> {
  try {
    await pending;
    return null;
  } catch (error) {
    const decoded = decodeRegistryError(error);
    if (!decoded) throw error;
    return decoded.name;
  }
}

/** Expects exactly these registry events, as `[name, ...args]` tuples, in this order. */
export async function expectEvents(registry: NoteRegistry, receipt: TransactionReceipt, expected: unknown[][]): Promise<void> {
  const address = await registry.getAddress();
  const actual = registryEvents(receipt, address).map((event) => normalize([event.name, ...event.args]));
  expect(actual).toEqual(expected.map(normalize));
}

/** Addresses compared case-insensitively, numbers as bigint, everything else as is. */
function normalize(values: unknown[]): unknown[] {
  return values.map((value) => {
    if (typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
    if (typeof value === 'number') return BigInt(value);
    return value;
  });
}
