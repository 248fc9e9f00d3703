/**
 * The typed seam between TypeScript and NoteRegistry.sol, shared by the contract tests and the
 * registry worker: load the compiled artifact, deploy or attach, map the service's ids to the
 * contract's (note UUID -> uint256, outbox key -> bytes32 settlement reference, reason text ->
 * bytes32), decode the registry's custom errors from whatever shape the RPC backend nested them
 * in, and parse the registry's events out of a receipt.
 *
 * The `NoteRegistry` type is written by hand from the ABI; the contract tests call every member,
 * so a drift shows up there. Nothing here retries, logs or reads the environment: that belongs to
 * the worker.
 *
 * For whoever builds the provider: give ethers `cacheTimeout: -1`. By default it answers an
 * identical request made within 250 ms from its cache, so a quickly retried send skips its gas
 * estimate (and the revert that estimate would report) and is mined as a failed transaction.
 */
import fs from 'node:fs';
import {
  BaseContract,
  ContractFactory,
  Interface,
  encodeBytes32String,
  decodeBytes32String,
  keccak256,
  toUtf8Bytes,
  type AddressLike,
  type BaseContractMethod,
  type BigNumberish,
  type BytesLike,
  type ContractRunner,
  type ContractTransactionResponse,
  type LogDescription,
  type Result,
  type Signer,
  type TransactionReceipt,
} from 'ethers';
import { artifactPath, type Artifact } from './compile.js';

type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;
type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;

/** One leg of `recordTransfers`. Field names match the Solidity struct. */
export interface TransferInstruction {
  noteId: BigNumberish;
  from: AddressLike;
  to: AddressLike;
  amount: BigNumberish;
  settlementRef: BytesLike;
}

/** One item of `mintBatch` / `burnBatch`. */
export interface SupplyInstruction {
  noteId: BigNumberish;
  holder: AddressLike;
  amount: BigNumberish;
  settlementRef: BytesLike;
}

type NoteId = BigNumberish;
type Ref = BytesLike;

export interface NoteRegistry extends Omit<BaseContract, 'connect'> {
  connect(runner: ContractRunner | null): NoteRegistry;
  // roles and limits
  DEFAULT_ADMIN_ROLE: View<[], string>;
  REGISTRAR_ROLE: View<[], string>;
  BACK_OFFICE_ROLE: View<[], string>;
  MAX_BATCH_SIZE: View<[], bigint>;
  owner: View<[], string>;
  hasRole: View<[role: BytesLike, account: AddressLike], boolean>;
  grantRole: Send<[role: BytesLike, account: AddressLike]>;
  revokeRole: Send<[role: BytesLike, account: AddressLike]>;
  renounceRole: Send<[role: BytesLike, account: AddressLike]>;
  beginDefaultAdminTransfer: Send<[newAdmin: AddressLike]>;
  cancelDefaultAdminTransfer: Send<[]>;
  acceptDefaultAdminTransfer: Send<[]>;
  changeDefaultAdminDelay: Send<[newDelay: BigNumberish]>;
  rollbackDefaultAdminDelay: Send<[]>;
  // registrar
  mint: Send<[noteId: NoteId, to: AddressLike, amount: BigNumberish, settlementRef: Ref]>;
  burn: Send<[noteId: NoteId, from: AddressLike, amount: BigNumberish, settlementRef: Ref]>;
  recordTransfer: Send<[noteId: NoteId, from: AddressLike, to: AddressLike, amount: BigNumberish, settlementRef: Ref]>;
  mintBatch: Send<[instructions: SupplyInstruction[]]>;
  burnBatch: Send<[instructions: SupplyInstruction[]]>;
  recordTransfers: Send<[instructions: TransferInstruction[]]>;
  // back office
  forcedTransfer: Send<
    [noteId: NoteId, from: AddressLike, to: AddressLike, amount: BigNumberish, settlementRef: Ref, reasonCode: BytesLike]
  >;
  recoverAddress: Send<[lost: AddressLike, replacement: AddressLike, noteIds: NoteId[], settlementRef: Ref, reasonCode: BytesLike]>;
  setAllowListed: Send<[holder: AddressLike, allowed: boolean]>;
  setAddressFrozen: Send<[holder: AddressLike, frozen: boolean]>;
  pause: Send<[]>;
  unpause: Send<[]>;
  // views
  paused: View<[], boolean>;
  balanceOf: View<[holder: AddressLike, noteId: NoteId], bigint>;
  balanceOfBatch: View<[holders: AddressLike[], noteIds: NoteId[]], bigint[]>;
  totalSupply: View<[noteId: NoteId], bigint>;
  isAllowListed: View<[holder: AddressLike], boolean>;
  isFrozen: View<[holder: AddressLike], boolean>;
  isReferenceUsed: View<[settlementRef: Ref], boolean>;
  referenceBlock: View<[settlementRef: Ref], bigint>;
}

export const NOTE_REGISTRY_CONTRACT = 'NoteRegistry';

let cachedArtifact: Artifact | null = null;

/** The compiled artifact (run `compileContracts()` first; it is not committed). */
export function noteRegistryArtifact(): Artifact {
  if (!cachedArtifact) {
    const file = artifactPath(NOTE_REGISTRY_CONTRACT);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`tsx contracts/compile.ts\``);
    cachedArtifact = JSON.parse(fs.readFileSync(file, 'utf8')) as Artifact;
  }
  return cachedArtifact;
}

let cachedInterface: Interface | null = null;

export function noteRegistryInterface(): Interface {
  cachedInterface ??= new Interface(noteRegistryArtifact().abi as ConstructorParameters<typeof Interface>[0]);
  return cachedInterface;
}

export interface NoteRegistryDeployment {
  owner: AddressLike;
  registrar: AddressLike;
  backOffice: AddressLike;
  /** Delay before a new owner can accept the handover; 0 only in tests. */
  adminTransferDelaySeconds: number;
}

export async function deployNoteRegistry(deployer: Signer, deployment: NoteRegistryDeployment): Promise<NoteRegistry> {
  const { bytecode } = noteRegistryArtifact();
  const factory = new ContractFactory(noteRegistryInterface(), bytecode, deployer);
  const { owner, registrar, backOffice, adminTransferDelaySeconds } = deployment;
  const contract = await factory.deploy(owner, registrar, backOffice, adminTransferDelaySeconds);
  await contract.waitForDeployment();
  return contract as unknown as NoteRegistry;
}

export function attachNoteRegistry(address: string, runner: ContractRunner): NoteRegistry {
  return new BaseContract(address, noteRegistryInterface(), runner) as unknown as NoteRegistry;
}

// ------------------------------------------------------------------ ids

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The registry's note id for a note UUID: keccak256 of the lowercase canonical UUID text, as a
 * uint256. Hashing (rather than packing the 128 UUID bits) keeps the id opaque and leaves room for
 * other kinds of id later without a collision; lowercasing makes the mapping one-to-one.
 */
export function noteIdFromUuid(noteUuid: string): bigint {
  const canonical = noteUuid.toLowerCase();
  if (!UUID.test(canonical)) throw new Error(`not a canonical UUID: ${JSON.stringify(noteUuid)}`);
  return BigInt(keccak256(toUtf8Bytes(canonical)));
}

/**
 * The settlement reference for an outbox row's unique key (e.g. `settlement:<uuid>:delivery`).
 * Mints, burns, transfers and repairs share one namespace on chain, so keys must be unique across
 * all of them.
 */
export function settlementRefFromKey(key: string): string {
  if (key.length === 0) throw new Error('settlement key is empty');
  return keccak256(toUtf8Bytes(key));
}

/** Reason codes of back-office repairs, stored on chain as short ASCII in a bytes32. */
export type RepairReason =
  | 'RECONCILIATION_REPAIR'
  | 'LOST_KEY'
  | 'COMPROMISED_KEY'
  | 'COURT_ORDER'
  | 'ERRONEOUS_SETTLEMENT'
  | 'CORPORATE_ACTION';

export function reasonCode(reason: RepairReason): string {
  return encodeBytes32String(reason);
}

export function reasonFromCode(code: BytesLike): string {
  return decodeBytes32String(code);
}

// ------------------------------------------------------------------ errors and events

export interface RegistryError {
  name: string;
  signature: string;
  args: Result;
}

/**
 * The revert data in an error thrown by ethers, wherever the backend put it: ethers itself
 * (`data`, for calls), ganache for sends (`info.error.data.result`, sometimes `.data`), or a plain
 * JSON-RPC error (`error.data`). Null when there is none (e.g. a transaction that was mined and
 * failed: receipts carry no revert data).
 */
export function revertData(error: unknown): string | null {
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } } | null;
  for (const candidate of [e?.data, e?.info?.error?.data, e?.error?.data]) {
    const nested =
      candidate && typeof candidate === 'object'
        ? ((candidate as { result?: unknown; data?: unknown }).result ?? (candidate as { data?: unknown }).data)
        : candidate;
    if (typeof nested === 'string' && /^0x[0-9a-fA-F]{8}/.test(nested)) return nested;
  }
  return null;
}

/** The registry's custom error (or OpenZeppelin's, which the ABI includes) behind `error`, if any. */
export function decodeRegistryError(error: unknown): RegistryError | null {
  const data = revertData(error);
  if (data === null) return null;
  try {
    const parsed = noteRegistryInterface().parseError(data);
    return parsed ? { name: parsed.name, signature: parsed.signature, args: parsed.args } : null;
  } catch {
    return null;
  }
}

/** The registry's events in a receipt, in log order (logs of other contracts are skipped). */
export function registryEvents(receipt: TransactionReceipt, registryAddress: string): LogDescription[] {
  const iface = noteRegistryInterface();
  const events: LogDescription[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== registryAddress.toLowerCase()) continue;
    const parsed = iface.parseLog(log);
    if (parsed) events.push(parsed);
  }
  return events;
}
