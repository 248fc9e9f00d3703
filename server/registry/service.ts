/**
 * The registry as a running part of the service: started by bootstrap when REGISTRY is embedded
 * or rpc, closed with it.
 *
 * Start: records the mode, turns the outbox on and backfills it (awaited, before the service
 * settles anything, so backfilled rows come before new settlement rows); then, in the background
 * (so `npm start` stays quick and a chain that is down at start does not stop the service),
 * connects to the chain, retrying with bounded backoff, records the deployment and, when the
 * contract is a fresh one (always, in embedded mode: the in-process chain is lost on every
 * restart), sets every ledger row of the outbox back to pending and marks forced transfers
 * superseded, so the new contract is rebuilt from the ledger, the book of record. Then it starts
 * the worker.
 *
 * The running registry of a database handle can be looked up (`runningRegistry`): reconciliation
 * and the status endpoint use it to reach the chain. Never blocks the service on the chain.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { inTransaction } from '../db/transaction.js';
import { connectEmbedded, connectRpc, type RegistryChain, type StoredDeployment } from './chain.js';
import { backfillOutbox } from './outbox.js';
import type { PublishHooks } from './publisher.js';
import { DEFAULT_TUNING, type RegistryConfig, type RegistryTuning } from './types.js';
import { OutboxWorker } from './worker.js';

export interface RegistryHandle {
  readonly mode: 'embedded' | 'rpc';
  readonly tuning: RegistryTuning;
  /** Settles once the chain is connected and the worker runs, or once the registry is closed. */
  readonly ready: Promise<void>;
  chain(): RegistryChain | null;
  worker(): OutboxWorker | null;
  /** The last failure to connect, while not connected. */
  lastError(): string | null;
  close(): Promise<void>;
}

export interface StartRegistryOptions {
  knex: Knex;
  config: Exclude<RegistryConfig, { mode: 'off' }>;
  logger: Logger;
  /** False: connect, but leave the worker to the caller's `runOnce`/`drain` (tests). */
  runWorker?: boolean;
  hooks?: PublishHooks;
}

const running = new WeakMap<Knex, RegistryHandle>();

/** The registry started on this database handle in this process, if any. */
export function runningRegistry(knex: Knex): RegistryHandle | null {
  return running.get(knex) ?? null;
}

async function storedDeployment(knex: Knex): Promise<StoredDeployment> {
  const row: { chain_id: string | null; contract_address: string | null; deploy_block: string | null } | undefined = await knex(
    'registry_state',
  )
    .where({ id: 1 })
    .first('chain_id', 'contract_address', 'deploy_block');
  return { chainId: row?.chain_id ?? null, contractAddress: row?.contract_address ?? null, deployBlock: row?.deploy_block ?? null };
}

/** Records the deployment; on a fresh contract, queues the whole outbox again. */
async function recordDeployment(knex: Knex, chain: RegistryChain): Promise<number> {
  return inTransaction(knex, async (trx) => {
    await trx.raw('select id from registry_state where id = 1 for update');
    await trx('registry_state').where({ id: 1 }).update({
      mode: chain.mode,
      chain_id: chain.chainId,
      contract_address: chain.address,
      deploy_block: chain.deployBlock,
      updated_at: trx.fn.now(),
    });
    if (!chain.fresh) return 0;
    await trx('registry_outbox')
      .where({ kind: 'forced_transfer' })
      .whereNot({ status: 'superseded' })
      .update({ status: 'superseded', last_error: 'the contract was redeployed; the ledger is published again instead' });
    return trx('registry_outbox').whereNot({ kind: 'forced_transfer' }).update({
      status: 'pending',
      attempts: 0,
      last_error: null,
      next_attempt_at: trx.fn.now(),
      tx_hash: null,
      block_number: null,
      published_at: null,
    });
  });
}

export async function startRegistry(options: StartRegistryOptions): Promise<RegistryHandle> {
  const { knex, config, logger } = options;
  const tuning: RegistryTuning = { ...DEFAULT_TUNING, ...config.tuning };
  await knex('registry_state').where({ id: 1 }).update({ mode: config.mode, updated_at: knex.fn.now() });
  const backfilled = await backfillOutbox(knex);
  if (backfilled > 0) logger.info({ rows: backfilled }, 'registry outbox backfilled from the ledger');

  let closed = false;
  let chain: RegistryChain | null = null;
  let worker: OutboxWorker | null = null;
  let lastError: string | null = null;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const ready = (async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        const connected =
          config.mode === 'embedded' ? await connectEmbedded() : await connectRpc(config, tuning, await storedDeployment(knex));
        if (closed) {
          await connected.close();
          return;
        }
        const requeued = await recordDeployment(knex, connected);
        chain = connected;
        worker = new OutboxWorker({ knex, chain: connected, logger, tuning, ...(options.hooks ? { hooks: options.hooks } : {}) });
        if (options.runWorker !== false) worker.start();
        lastError = null;
        logger.info({ mode: connected.mode, chainId: connected.chainId, contract: connected.address, requeued }, 'registry connected');
        return;
      } catch (error) {
        lastError = String((error as Error).message ?? error).slice(0, 500);
        logger.warn({ err: error, attempt }, 'registry could not connect to its chain; will retry');
        await pause(Math.min(tuning.backoffMaxMs, tuning.backoffBaseMs * 2 ** Math.min(attempt, 30)));
      }
    }
  })();

  const handle: RegistryHandle = {
    mode: config.mode,
    tuning,
    ready,
    chain: () => chain,
    worker: () => worker,
    lastError: () => lastError,
    close: async () => {
      closed = true;
      (wake as (() => void) | null)?.();
      await ready;
      await worker?.stop();
      await chain?.close();
      if (running.get(knex) === handle) running.delete(knex);
    },
  };
  running.set(knex, handle);
  return handle;
}
