/**
 * Connects the registry to a chain and a NoteRegistry contract, in one of two modes:
 *
 * - embedded: an in-process ganache EVM (shanghai, deterministic accounts) started by the server.
 *   Account 0 deploys and is owner and back office, account 1 is the registrar. The chain lives
 *   in memory, so every start is a fresh chain with a fresh deployment (`fresh: true`): the
 *   caller re-publishes the whole outbox. ganache is a development dependency: embedded mode is
 *   for the demo, development and tests.
 * - rpc: a real chain at RPC_URL with the registrar's key (and the back office's, which defaults
 *   to the registrar's). The contract is the configured one, else the one recorded for this
 *   chain id, else a new deployment by the registrar (owner and back office: the back-office key).
 *
 * Guarantees: the ethers provider never answers from its request cache (`cacheTimeout: -1`, see
 * registry-client.ts) and, in rpc mode, never waits forever (a per-request timeout, a fixed
 * network so an unreachable chain fails fast instead of re-detecting). Never sends a
 * transaction except the deployment; never touches the database.
 */
import {
  BrowserProvider,
  FetchRequest,
  JsonRpcProvider,
  Network,
  Wallet,
  type AbstractProvider,
  type Eip1193Provider,
  type Signer,
} from 'ethers';
import { compileContracts } from '../../contracts/compile.js';
import { attachNoteRegistry, deployNoteRegistry, type NoteRegistry } from '../../contracts/registry-client.js';
import type { RegistryConfig, RegistryTuning } from './types.js';

export interface RegistryChain {
  mode: 'embedded' | 'rpc';
  provider: AbstractProvider;
  chainId: string;
  /** The contract, read-only (views and logs). */
  contract: NoteRegistry;
  address: string;
  deployBlock: number;
  registrar: Signer;
  backOffice: Signer;
  /** A new deployment: nothing of the outbox is on it yet. */
  fresh: boolean;
  /** How often to poll for a receipt. */
  pollingMs: number;
  close(): Promise<void>;
}

/** What the database remembers of the last deployment. */
export interface StoredDeployment {
  chainId: string | null;
  contractAddress: string | null;
  deployBlock: string | null;
}

const EMBEDDED_POLLING_MS = 20;
const RPC_POLLING_MS = 250;
/** Delay before a new owner of an rpc deployment may accept the handover. */
const RPC_ADMIN_TRANSFER_DELAY_SECONDS = 2 * 24 * 3600;

export async function connectEmbedded(): Promise<RegistryChain> {
  await compileContracts();
  const { default: ganache } = await import('ganache');
  const eip1193 = ganache.provider({
    logging: { quiet: true },
    chain: { hardfork: 'shanghai' },
    wallet: { deterministic: true, totalAccounts: 2 },
  });
  const provider = new BrowserProvider(eip1193 as unknown as Eip1193Provider, undefined, {
    pollingInterval: EMBEDDED_POLLING_MS,
    cacheTimeout: -1,
  });
  try {
    const owner = await provider.getSigner(0);
    const registrar = await provider.getSigner(1);
    const contract = await deployNoteRegistry(owner, { owner, registrar, backOffice: owner, adminTransferDelaySeconds: 0 });
    const deployment = await contract.deploymentTransaction()?.wait();
    const address = await contract.getAddress();
    return {
      mode: 'embedded',
      provider,
      chainId: String((await provider.getNetwork()).chainId),
      contract: attachNoteRegistry(address, provider),
      address,
      deployBlock: deployment?.blockNumber ?? 0,
      registrar,
      backOffice: owner,
      fresh: true,
      pollingMs: EMBEDDED_POLLING_MS,
      close: async () => {
        provider.destroy();
        await eip1193.disconnect();
      },
    };
  } catch (error) {
    provider.destroy();
    await eip1193.disconnect();
    throw error;
  }
}

/** eth_chainId with a timeout: tells whether the chain answers at all, and which one it is. */
async function fetchChainId(url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`eth_chainId answered HTTP ${response.status}`);
  const body = (await response.json()) as { result?: string; error?: { message?: string } };
  if (typeof body.result !== 'string') throw new Error(`eth_chainId failed: ${body.error?.message ?? 'no result'}`);
  return BigInt(body.result).toString();
}

export async function connectRpc(
  config: Extract<RegistryConfig, { mode: 'rpc' }>,
  tuning: RegistryTuning,
  stored: StoredDeployment,
): Promise<RegistryChain> {
  const chainId = await fetchChainId(config.rpcUrl, tuning.requestTimeoutMs);
  const network = Network.from(BigInt(chainId));
  const request = new FetchRequest(config.rpcUrl);
  request.timeout = tuning.requestTimeoutMs;
  const provider = new JsonRpcProvider(request, network, {
    staticNetwork: network,
    batchMaxCount: 1,
    pollingInterval: RPC_POLLING_MS,
    cacheTimeout: -1,
  });
  try {
    const registrar = new Wallet(config.registrarKey, provider);
    const backOffice = config.backOfficeKey ? new Wallet(config.backOfficeKey, provider) : registrar;
    const known = stored.chainId === chainId && stored.contractAddress !== null ? stored.contractAddress : null;
    const configured = config.contractAddress ?? known;
    let address: string;
    let deployBlock: number;
    if (configured !== null) {
      if ((await provider.getCode(configured)) === '0x') throw new Error(`no contract at ${configured} on chain ${chainId}`);
      address = configured;
      deployBlock = configured === known && stored.deployBlock !== null ? Number(stored.deployBlock) : 0;
    } else {
      const deployed = await deployNoteRegistry(registrar, {
        owner: backOffice,
        registrar,
        backOffice,
        adminTransferDelaySeconds: RPC_ADMIN_TRANSFER_DELAY_SECONDS,
      });
      deployBlock = (await deployed.deploymentTransaction()?.wait())?.blockNumber ?? 0;
      address = await deployed.getAddress();
    }
    return {
      mode: 'rpc',
      provider,
      chainId,
      contract: attachNoteRegistry(address, provider),
      address,
      deployBlock,
      registrar,
      backOffice,
      fresh: address !== known,
      pollingMs: RPC_POLLING_MS,
      close: async () => provider.destroy(),
    };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}
