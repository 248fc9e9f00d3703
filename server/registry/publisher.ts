/**
 * Sends outbox rows to the NoteRegistry contract and says what happened, without deciding what
 * to do about it (the worker does): one transaction per group of rows — `mintBatch`, `burnBatch`
 * or `recordTransfers` for several rows of one kind, the single-item function for one row,
 * `setAllowListed`, `forcedTransfer` and `recoverAddress` (back-office key) one row at a time.
 *
 * Outcomes: `published` (a receipt with status 1), `reverted` (the contract refused, with its
 * decoded custom error: ethers estimates gas before sending, so a refusal normally costs nothing
 * and sends nothing), `transient` (anything else: RPC down, timeout, no receipt in time, a
 * transaction mined but failed). Also finds, for a reference the contract already used, the
 * transaction that used it (a crash between send and mark leaves exactly that behind).
 *
 * Never writes to the database; never retries (the worker owns retries and backoff).
 */
import { encodeBytes32String, type ContractTransactionResponse } from 'ethers';
import { decodeRegistryError, noteIdFromUuid, noteRegistryInterface, type RegistryError } from '../../contracts/registry-client.js';
import type { RegistryChain } from './chain.js';
import type { OutboxRow } from './types.js';

export type PublishOutcome =
  | { kind: 'published'; txHash: string; blockNumber: number }
  | { kind: 'reverted'; error: RegistryError; message: string }
  | { kind: 'transient'; message: string };

/** How the worker treats a revert: the reference already landed, an operating problem to retry, or a permanent refusal. */
export type RevertClass = 'already_used' | 'operational' | 'permanent';

/** Paused or missing role: fixed by operations (unpause, grant the role), so worth retrying. */
const OPERATIONAL_REVERTS = new Set(['EnforcedPause', 'AccessControlUnauthorizedAccount']);

export function classifyRevert(name: string): RevertClass {
  if (name === 'ReferenceAlreadyUsed') return 'already_used';
  return OPERATIONAL_REVERTS.has(name) ? 'operational' : 'permanent';
}

/** Rows of these kinds go out together in one batch call when they are next to each other. */
export const BATCHABLE_KINDS: ReadonlySet<string> = new Set(['mint', 'burn', 'transfer']);

export function describeRevert(error: RegistryError): string {
  const args = [...error.args].map((value) => (typeof value === 'bigint' ? value.toString() : String(value)));
  return `${error.name}(${args.join(', ')})`;
}

function required<T>(value: T | null, row: OutboxRow, field: string): T {
  if (value === null) throw new Error(`outbox row ${row.id} (${row.kind}) has no ${field}`);
  return value;
}

function supplyItem(row: OutboxRow, holder: string | null) {
  return {
    noteId: noteIdFromUuid(required(row.note_id, row, 'note')),
    holder: required(holder, row, 'holder'),
    amount: BigInt(required(row.amount, row, 'amount')),
    settlementRef: row.chain_ref,
  };
}

function transferItem(row: OutboxRow) {
  return {
    noteId: noteIdFromUuid(required(row.note_id, row, 'note')),
    from: required(row.from_address, row, 'from address'),
    to: required(row.to_address, row, 'to address'),
    amount: BigInt(required(row.amount, row, 'amount')),
    settlementRef: row.chain_ref,
  };
}

/**
 * A recovery moves only the notes the lost address still holds: the contract refuses a recovery
 * with nothing to move (`NothingToRecover`), which for a holder that has sold everything is no
 * error. Then the recovery's other effects are sent on their own, each idempotent so a retry is
 * safe: a freeze of the lost address carried over to the replacement, and the lost address taken
 * off the allow-list. A reference already used means the recovery landed before: it is sent
 * anyway, so the contract answers `ReferenceAlreadyUsed` and the worker finds that transaction.
 */
async function sendRecovery(chain: RegistryChain, row: OutboxRow): Promise<ContractTransactionResponse> {
  const lost = required(row.from_address, row, 'lost address');
  const replacement = required(row.to_address, row, 'replacement address');
  const noteIds = required(row.note_ids, row, 'notes').map(noteIdFromUuid);
  const backOffice = chain.contract.connect(chain.backOffice);
  const balances = await chain.contract.balanceOfBatch(
    noteIds.map(() => lost),
    noteIds,
  );
  const held = noteIds.filter((_, index) => (balances[index] ?? 0n) > 0n);
  if (held.length > 0 || (await chain.contract.isReferenceUsed(row.chain_ref))) {
    const reason = encodeBytes32String(required(row.reason_code, row, 'reason code'));
    return backOffice.recoverAddress(lost, replacement, held.length > 0 ? held : noteIds, row.chain_ref, reason);
  }
  if ((await chain.contract.isFrozen(lost)) && !(await chain.contract.isFrozen(replacement))) {
    await (await backOffice.setAddressFrozen(replacement, true)).wait();
  }
  return backOffice.setAllowListed(lost, false);
}

function send(chain: RegistryChain, rows: readonly OutboxRow[]): Promise<ContractTransactionResponse> {
  const first = rows[0]!;
  const registrar = chain.contract.connect(chain.registrar);
  const backOffice = chain.contract.connect(chain.backOffice);
  switch (first.kind) {
    case 'mint': {
      const items = rows.map((row) => supplyItem(row, row.to_address));
      const [one] = items;
      return items.length === 1 ? registrar.mint(one!.noteId, one!.holder, one!.amount, one!.settlementRef) : registrar.mintBatch(items);
    }
    case 'burn': {
      const items = rows.map((row) => supplyItem(row, row.from_address));
      const [one] = items;
      return items.length === 1 ? registrar.burn(one!.noteId, one!.holder, one!.amount, one!.settlementRef) : registrar.burnBatch(items);
    }
    case 'transfer': {
      const items = rows.map(transferItem);
      const [one] = items;
      return items.length === 1
        ? registrar.recordTransfer(one!.noteId, one!.from, one!.to, one!.amount, one!.settlementRef)
        : registrar.recordTransfers(items);
    }
    case 'allow_list':
      return backOffice.setAllowListed(required(first.to_address, first, 'address'), true);
    case 'forced_transfer': {
      const item = transferItem(first);
      const reason = encodeBytes32String(required(first.reason_code, first, 'reason code'));
      return backOffice.forcedTransfer(item.noteId, item.from, item.to, item.amount, item.settlementRef, reason);
    }
    case 'recover':
      return sendRecovery(chain, first);
  }
}

async function receiptOf(chain: RegistryChain, hash: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await chain.provider.getTransactionReceipt(hash);
    if (receipt) return receipt;
    if (Date.now() >= deadline) throw new Error(`no receipt for ${hash} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, chain.pollingMs));
  }
}

function errorText(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; code?: string } | null;
  return String(e?.shortMessage ?? e?.message ?? error).slice(0, 500);
}

export interface PublishHooks {
  /** After the transaction was sent, before its receipt is read (tests stop the worker here). */
  afterSend?: (rows: readonly OutboxRow[], txHash: string) => Promise<void>;
}

export async function publish(
  chain: RegistryChain,
  rows: readonly OutboxRow[],
  receiptTimeoutMs: number,
  hooks: PublishHooks = {},
): Promise<PublishOutcome> {
  if (rows.length === 0) throw new Error('nothing to publish');
  let hash: string;
  try {
    hash = (await send(chain, rows)).hash;
  } catch (error) {
    const decoded = decodeRegistryError(error);
    return decoded
      ? { kind: 'reverted', error: decoded, message: describeRevert(decoded) }
      : { kind: 'transient', message: errorText(error) };
  }
  if (hooks.afterSend) await hooks.afterSend(rows, hash);
  try {
    const receipt = await receiptOf(chain, hash, receiptTimeoutMs);
    if (receipt.status !== 1)
      return { kind: 'transient', message: `transaction ${hash} was mined but failed; the next attempt reads the revert` };
    return { kind: 'published', txHash: hash, blockNumber: receipt.blockNumber };
  } catch (error) {
    return { kind: 'transient', message: errorText(error) };
  }
}

/** The transaction that used a reference, read from the block the contract recorded for it. */
export async function findPublication(chain: RegistryChain, chainRef: string): Promise<{ txHash: string; blockNumber: number } | null> {
  const block = Number(await chain.contract.referenceBlock(chainRef));
  if (block === 0) return null;
  const logs = await chain.provider.getLogs({ address: chain.address, fromBlock: block, toBlock: block });
  const iface = noteRegistryInterface();
  for (const log of logs) {
    const parsed = iface.parseLog(log);
    if (!parsed || !parsed.fragment.inputs.some((input) => input.name === 'settlementRef')) continue;
    if (String(parsed.args.getValue('settlementRef')).toLowerCase() === chainRef.toLowerCase()) {
      return { txHash: log.transactionHash, blockNumber: log.blockNumber };
    }
  }
  return null;
}
