/**
 * The registry when things go wrong, on the embedded chain and a real database:
 * - a transfer to an address compliance removed from the allow-list: refused by the contract,
 *   kept as `failed_permanently` (the ledger settlement stands), shown as a break, repaired by a
 *   forced transfer recorded with its reason (a repair that is itself refused is a break too);
 * - the worker killed after sending but before marking: its successor finds the reference used,
 *   marks the row published with the original transaction, and nothing moves twice;
 * - a restart of the service: the in-process chain is new, so the registry redeploys and
 *   publishes the whole ledger again (repairs of the old chain are superseded), and ends clean.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { decodeBytes32String } from 'ethers';
import { noteRegistryInterface, settlementRefFromKey } from '../../contracts/registry-client.js';
import { OutboxWorker } from '../../server/registry/worker.js';
import { DEFAULT_TUNING } from '../../server/registry/types.js';
import type { TestDatabase } from '../support/db.js';
import {
  FAST,
  addressOf,
  breaks,
  chainBalance,
  chainOf,
  drained,
  eventually,
  instructionOf,
  ledgerFace,
  outbox,
  rollAndSettle,
  startVenue,
  trade,
  type Venue,
  useEmbeddedVenue,
} from './harness.js';

let database: TestDatabase;
let venue: Venue;
let notes: Record<string, string>;

useEmbeddedVenue((setup) => ({ database, venue, notes } = setup));

async function forcedTransfer(body: Record<string, unknown>) {
  return venue.http
    .post('/api/v1/registry/forced-transfers')
    .set(await venue.auth('backoffice1'))
    .send(body);
}

describe('a transfer to an address that is not allow-listed', () => {
  let failedRow: string;
  let repairBody: Record<string, unknown>;

  it('is refused on chain, kept as failed (not lost), and shown as a break; the ledger settlement stands', async () => {
    const chain = chainOf(venue);
    const investor2 = await addressOf(venue, 'investor2');
    await (await chain.contract.connect(chain.backOffice).setAllowListed(investor2, false)).wait();
    const before = await chainBalance(venue, 'investor2', notes['C']!);
    const tradeId = await trade(venue, 'investor2', 'dealer1', notes['C']!, '200000');
    expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
    const instruction = await eventually('the transfer to be refused', async () => {
      const found = await instructionOf(venue, tradeId);
      return (found.registry as { status: string } | null)?.status === 'failed_permanently' ? found : null;
    });
    expect(instruction.status).toBe('settled');
    expect((instruction.registry as { lastError: string }).lastError).toBe(`NotAllowListed(${investor2})`);
    expect(await ledgerFace(venue, 'investor2', notes['C']!)).toBe(200_000n);
    expect(await chainBalance(venue, 'investor2', notes['C']!)).toBe(before);
    failedRow = (await outbox(venue)).find((r) => r.settlementRef === `settle:${instruction.id}`)!.id;
    // One break for the one refused movement (the balance check allows for it, rather than listing it twice).
    expect(await breaks(venue)).toEqual([
      expect.objectContaining({ kind: 'registry_failed', entity: `outbox:${failedRow}`, difference: '200000' }),
    ]);
    repairBody = {
      noteId: notes['C'],
      fromPartyId: await venue.partyOf('dealer1'),
      toPartyId: await venue.partyOf('investor2'),
      amount: '200000',
      reasonCode: 'RECONCILIATION_REPAIR',
      reason: 'investor2 re-approved by compliance',
      resolvesOutboxId: failedRow,
    };
    // The break carries the repair: the refused movement again, resolving the refused row.
    const { reasonCode: _code, reason: _reason, ...movement } = repairBody;
    expect((await breaks(venue))[0]!.repair).toEqual(movement);
  });

  it('refuses bad repairs without writing anything', async () => {
    const count = (await outbox(venue)).length;
    expect((await forcedTransfer({ ...repairBody, resolvesOutboxId: '999999' })).body.error.code).toBe('REGISTRY_ROW_NOT_FOUND');
    expect((await forcedTransfer({ ...repairBody, resolvesOutboxId: '1' })).body.error.code).toBe('WRONG_STATE');
    expect((await forcedTransfer({ ...repairBody, toPartyId: repairBody.fromPartyId })).body.error.code).toBe('INVALID_ARGUMENT');
    expect((await forcedTransfer({ ...repairBody, amount: '1.5' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await forcedTransfer({ ...repairBody, reasonCode: 'BECAUSE' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await forcedTransfer({ ...repairBody, noteId: '00000000-0000-4000-8000-000000000000' })).body.error.code).toBe(
      'NOTE_NOT_FOUND',
    );
    const investor = await venue.http
      .post('/api/v1/registry/forced-transfers')
      .set(await venue.auth('investor1'))
      .send(repairBody);
    expect(investor.status).toBe(403);
    expect((await outbox(venue)).length).toBe(count);
  });

  it('a repair the contract refuses as well is another break; after re-listing, a repair resolves it, recorded with its reason', async () => {
    const refused = await forcedTransfer(repairBody);
    expect(refused.status).toBe(201);
    await eventually(
      'the repair to be refused',
      async () => (await outbox(venue)).find((r) => r.id === refused.body.id)?.status === 'failed_permanently',
    );
    expect((await breaks(venue)).map((b) => b.entity).sort()).toEqual([`outbox:${failedRow}`, `outbox:${refused.body.id}`].sort());

    const chain = chainOf(venue);
    await (await chain.contract.connect(chain.backOffice).setAllowListed(await addressOf(venue, 'investor2'), true)).wait();
    const repair = await forcedTransfer(repairBody);
    expect(repair.status).toBe(201);
    expect((await forcedTransfer(repairBody)).body.error.code).toBe('WRONG_STATE');
    await drained(venue);
    const row = (await outbox(venue)).find((r) => r.id === repair.body.id)!;
    expect(row).toMatchObject({
      status: 'published',
      reasonCode: 'RECONCILIATION_REPAIR',
      reason: 'investor2 re-approved by compliance',
      resolvesOutboxId: failedRow,
    });
    const receipt = await chain.provider.getTransactionReceipt(row.txHash!);
    const [event] = receipt!.logs.map((log) => noteRegistryInterface().parseLog(log)!);
    expect(event!.name).toBe('ForcedTransfer');
    expect(decodeBytes32String(event!.args.getValue('reasonCode') as string)).toBe('RECONCILIATION_REPAIR');
    expect(await chainBalance(venue, 'investor2', notes['C']!)).toBe(await ledgerFace(venue, 'investor2', notes['C']!));
    // The refused repair stays on record as a break of its own; nothing else is out.
    expect((await breaks(venue)).map((b) => b.entity)).toEqual([`outbox:${refused.body.id}`]);
  });
});

describe('the worker killed mid-publish', () => {
  it('leaves the row pending with the transfer on chain; the next worker marks it published, with no second transfer', async () => {
    const registry = venue.service.registry!;
    const chain = chainOf(venue);
    await registry.worker()!.stop();
    const tradeId = await trade(venue, 'investor1', 'dealer2', notes['B']!, '250000');
    const chainBefore = await chainBalance(venue, 'investor1', notes['B']!);
    await rollAndSettle(venue);
    const instruction = await instructionOf(venue, tradeId);
    const ref = settlementRefFromKey(`settle:${instruction.id}`);

    const tuning = { ...DEFAULT_TUNING, ...FAST };
    const logger = pino({ level: 'silent' });
    let sentHash = '';
    let kill: (error: Error) => void = () => undefined;
    const sent = new Promise<void>((resolve) => {
      const hooks = {
        afterSend: async (_rows: unknown, hash: string) => {
          sentHash = hash;
          resolve();
          await new Promise<void>((_resolve, reject) => {
            kill = reject;
          });
        },
      };
      const first = new OutboxWorker({ knex: database.knex, chain, logger, tuning, hooks });
      void first.runOnce().catch(() => undefined);
    });
    await sent;
    expect(await chain.contract.isReferenceUsed(ref)).toBe(true);
    expect((await instructionOf(venue, tradeId)).registry).toMatchObject({ status: 'pending' });
    kill(new Error('killed'));

    const second = new OutboxWorker({ knex: database.knex, chain, logger, tuning });
    await second.drain(10_000);
    second.start();
    expect((await instructionOf(venue, tradeId)).registry).toMatchObject({ status: 'published', txHash: sentHash });
    const logs = await chain.provider.getLogs({ address: chain.address, fromBlock: chain.deployBlock });
    const uses = logs
      .map((log) => noteRegistryInterface().parseLog(log))
      .filter((e) => e?.name === 'TransferRecorded' && e.args.getValue('settlementRef') === ref);
    expect(uses).toHaveLength(1);
    expect(await chainBalance(venue, 'investor1', notes['B']!)).toBe(chainBefore + 250_000n);
    expect((await breaks(venue)).filter((b) => b.kind !== 'registry_failed')).toEqual([]);
    await second.stop();
  });
});

describe('a restart of the service', () => {
  it("redeploys the embedded registry, publishes the ledger again, supersedes the old chain's repairs, and ends clean", async () => {
    await venue.close();
    const restartedAt = new Date().toISOString();
    venue = await startVenue(database, { mode: 'embedded', tuning: FAST });
    await drained(venue);
    const rows = await outbox(venue);
    expect(rows.filter((r) => r.kind === 'forced_transfer').every((r) => r.status === 'superseded')).toBe(true);
    // Every ledger row again, on the new chain (the refused transfer too: its address is listed there).
    expect(rows.filter((r) => r.kind !== 'forced_transfer').every((r) => r.status === 'published' && r.publishedAt! >= restartedAt)).toBe(
      true,
    );
    expect(chainOf(venue).fresh).toBe(true);
    for (const username of ['investor1', 'investor2', 'dealer1', 'dealer2']) {
      for (const noteId of Object.values(notes))
        expect(await chainBalance(venue, username, noteId)).toBe(await ledgerFace(venue, username, noteId));
    }
    expect(await breaks(venue)).toEqual([]);
  });
});
