/**
 * The SDK's registry methods against the real service with the embedded on-chain registry: the
 * status and outbox (newest first), parties' addresses, a trade's and a settlement's on-chain
 * state through `executions` and `settlements`, a break made with a forced transfer and repaired
 * with the transfer the reconciliation suggests, an address set before a party's first movement
 * and a recovery of a lost one, and the API's rejections as ApiError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ComputeNotesClient, REPAIR_REASONS, newClOrdId, type Note } from '../../client/sdk/index.js';
import { DEMO_PASSWORD, startTestService, type TestService } from '../support/service.js';
import { FAST } from '../registry/harness.js';
import { REPAIR_REASONS as SERVER_REPAIR_REASONS } from '../../server/registry/types.js';

let t: TestService;
const clients = new Map<string, ComputeNotesClient>();
let notes: Record<string, Note>;

async function as(username: string): Promise<ComputeNotesClient> {
  let client = clients.get(username);
  if (!client) {
    client = new ComputeNotesClient({ baseUrl: t.url });
    await client.login(username, DEMO_PASSWORD);
    clients.set(username, client);
  }
  return client;
}

/** Polls until the probe answers something truthy, or fails after the timeout. */
async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const drained = async () =>
  until('the outbox to drain', async () => {
    const status = await (await as('backoffice1')).registryStatus();
    return status.connected && status.outbox.pending === 0;
  });

beforeAll(async () => {
  t = await startTestService({ registry: { mode: 'embedded', tuning: FAST } });
  notes = Object.fromEntries((await (await as('investor1')).notes()).map((n) => [n.className, n]));
  await drained();
});
afterAll(async () => t?.close());

describe('the SDK with the on-chain registry on', () => {
  it("reads the registry's status, outbox and addresses", async () => {
    const office = await as('backoffice1');
    const status = await office.registryStatus();
    expect(status).toMatchObject({ mode: 'embedded', connected: true, outboxEnabled: true, outbox: { pending: 0, failedPermanently: 0 } });
    expect(status.contractAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const oldestFirst = await office.registryOutbox({ limit: 5000 });
    expect(oldestFirst.length).toBe(status.outbox.published);
    const newest = await office.registryOutbox({ order: 'desc', limit: 2 });
    expect(newest.map((r) => r.id)).toEqual(
      oldestFirst
        .slice(-2)
        .reverse()
        .map((r) => r.id),
    );
    expect((await office.registryOutbox({ kind: 'allow_list' })).every((r) => r.kind === 'allow_list' && r.status === 'published')).toBe(
      true,
    );
    const investor1 = (await office.parties()).find((p) => p.name.startsWith('Northbridge'))!.id;
    expect((await office.registryAddresses()).find((a) => a.partyId === investor1)).toMatchObject({ source: 'generated' });
    // The SDK's copy of the reason codes is the server's list.
    expect(REPAIR_REASONS).toEqual(SERVER_REPAIR_REASONS);
  });

  it("shows a trade's on-chain state on the executions and the settlement, null until it settles", async () => {
    const dealer = await as('dealer1');
    const investor = await as('investor1');
    const office = await as('backoffice1');
    await dealer.putQuotes([{ noteId: notes.B!.id, bidPrice: '98.5', bidSize: '1000000', askPrice: '99.25', askSize: '1000000' }]);
    const { fills } = await investor.placeOrder({
      clOrdId: newClOrdId('sdk-reg'),
      noteId: notes.B!.id,
      side: 'buy',
      type: 'limit',
      price: '99.25',
      quantity: '300000',
      timeInForce: 'IOC',
    });
    const tradeId = fills[0]!.tradeId;
    // Fills in an order's result never carry it; the listed executions do, null until settled.
    expect(fills[0]).not.toHaveProperty('registry');
    expect((await investor.executions()).find((e) => e.tradeId === tradeId)?.registry).toBeNull();
    const rolled = await office.rollBusinessDate();
    expect(await office.runSettlement({ date: rolled.businessDate })).toMatchObject({ settled: 1, failed: 0 });
    const mine = await until('the trade on chain', async () => {
      const found = (await investor.executions()).find((e) => e.tradeId === tradeId);
      return found?.registry?.status === 'published' ? found : null;
    });
    expect(mine.registry!.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await dealer.executions()).find((e) => e.tradeId === tradeId)?.registry).toEqual(mine.registry);
    expect((await office.settlements({ status: 'settled' })).find((s) => s.tradeId === tradeId)?.registry).toEqual(mine.registry);
    const [latest] = await office.registryOutbox({ order: 'desc', limit: 1 });
    expect(latest).toMatchObject({ kind: 'transfer', amount: '300000', txHash: mine.registry!.txHash });
  });

  it('repairs a break with the forced transfer the reconciliation suggests', async () => {
    const office = await as('backoffice1');
    const parties = await office.parties();
    const [dealer1, dealer2] = ['Atlas', 'Harbor'].map((name) => parties.find((p) => p.name.startsWith(name))!.id) as [string, string];
    // A court-ordered movement the ledger does not know of: two balance breaks.
    const ordered = await office.forcedTransfer({
      noteId: notes.C!.id,
      fromPartyId: dealer1,
      toPartyId: dealer2,
      amount: '7000',
      reasonCode: 'COURT_ORDER',
      reason: 'sdk test',
    });
    expect(ordered).toMatchObject({ kind: 'forced_transfer', status: 'pending', reasonCode: 'COURT_ORDER', amount: '7000' });
    await drained();
    const { breaks } = await office.reconciliation();
    expect(breaks.map((b) => b.kind)).toEqual(['registry_balance_mismatch', 'registry_balance_mismatch']);
    const short = breaks.find((b) => b.repair)!;
    expect(short.repair).toEqual({ noteId: notes.C!.id, fromPartyId: dealer2, toPartyId: dealer1, amount: '7000', resolvesOutboxId: null });
    const { resolvesOutboxId: _none, ...movement } = short.repair!;
    await office.forcedTransfer({ ...movement, reasonCode: 'RECONCILIATION_REPAIR' });
    await drained();
    expect((await office.reconciliation()).breaks).toEqual([]);
  });

  it("sets an address before a party's first movement, and recovers a lost one", async () => {
    const office = await as('backoffice1');
    const parties = await office.parties();
    const operator = parties.find((p) => p.kind === 'operator')!.id;
    const investor2 = parties.find((p) => p.name.startsWith('Cedar'))!.id;
    expect(await office.setPartyAddress(operator, '0x5555555555555555555555555555555555555555')).toEqual({
      partyId: operator,
      address: '0x5555555555555555555555555555555555555555',
      source: 'configured',
    });
    const previous = (await office.registryAddresses()).find((a) => a.partyId === investor2)!.address;
    const recovery = await office.recoverPartyAddress(investor2, {
      newAddress: '0x6666666666666666666666666666666666666666',
      reasonCode: 'LOST_KEY',
    });
    expect(recovery).toMatchObject({
      partyId: investor2,
      address: '0x6666666666666666666666666666666666666666',
      previousAddress: previous,
    });
    expect(recovery.outbox.map((r) => [r.kind, r.status, r.reasonCode])).toEqual([['recover', 'pending', 'LOST_KEY']]);
    await drained();
    expect((await office.registryOutbox({ kind: 'recover' }))[0]).toMatchObject({ status: 'published', fromAddress: previous });
    expect((await office.reconciliation()).breaks).toEqual([]);

    const refused = await office.recoverPartyAddress(investor2, { newAddress: previous, reasonCode: 'LOST_KEY' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    await expect(office.recoverPartyAddress(investor2, { newAddress: previous, reasonCode: 'OOPS' as 'LOST_KEY' })).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    await expect((await as('investor1')).registryStatus()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });
});
