/**
 * The outbox without a chain, on a service whose registry is off: nothing is written and the API
 * says so until the registry is first started; the start's backfill is idempotent and orders
 * mints before the transfers that spend them; from then on the settlement transaction writes its
 * outbox row itself; rows no worker publishes become reconciliation breaks after the grace period.
 * Also the configuration (REGISTRY, RPC_URL, keys) and the worker's pure decisions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { reconcile } from '../../server/reconciliation/index.js';
import { backfillOutbox, recordSettlementOutbox } from '../../server/registry/outbox.js';
import { Decimal } from '../../server/domain/decimal.js';
import { classifyRevert } from '../../server/registry/publisher.js';
import { leadingGroup } from '../../server/registry/worker.js';
import { startTestService, type TestService } from '../support/service.js';
import { rollAndSettle, trade, type Venue } from './harness.js';

let t: TestService;
let venue: Venue;
let noteB: string;

beforeAll(async () => {
  t = await startTestService();
  venue = {
    service: t.service,
    http: t.http,
    close: async () => undefined,
    auth: async (username) => ({ authorization: `Bearer ${await t.token(username)}` }),
    partyOf: async (username) => (await t.http.post('/api/v1/auth/token').send({ username, password: 'demo' })).body.user.partyId,
  };
  const notes = (await t.http.get('/api/v1/notes').set(await venue.auth('investor1'))).body as { id: string; className: string }[];
  noteB = notes.find((n) => n.className === 'B')!.id;
});
afterAll(async () => t?.close());

const rows = () => t.database.knex('registry_outbox').orderBy('id').select('id', 'settlement_ref', 'kind', 'status', 'amount');

describe('with the registry off', () => {
  it('writes no outbox rows, shows no on-chain state, and refuses forced transfers', async () => {
    const tradeId = await trade(venue, 'investor1', 'dealer1', noteB, '100000');
    await rollAndSettle(venue);
    expect(await rows()).toEqual([]);
    const backoffice = await venue.auth('backoffice1');
    const list = (await t.http.get('/api/v1/settlements').set(backoffice)).body as { tradeId: string }[];
    expect(list.find((i) => i.tradeId === tradeId)).not.toHaveProperty('registry');
    const executions = (await t.http.get('/api/v1/executions').set(await venue.auth('investor1'))).body as { tradeId: string }[];
    expect(executions.find((e) => e.tradeId === tradeId)).not.toHaveProperty('registry');
    const status = (await t.http.get('/api/v1/registry/status').set(backoffice)).body;
    expect(status).toMatchObject({ mode: 'off', outboxEnabled: false, connected: false, contractAddress: null, outbox: { pending: 0 } });
    const refused = await t.http
      .post('/api/v1/registry/forced-transfers')
      .set(backoffice)
      .send({
        noteId: noteB,
        fromPartyId: await venue.partyOf('dealer1'),
        toPartyId: await venue.partyOf('investor1'),
        amount: '1',
        reasonCode: 'RECONCILIATION_REPAIR',
      });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('REGISTRY_NOT_ENABLED');
    expect((await reconcile(t.database.knex)).breaks).toEqual([]);
  });
});

describe('the first start of the registry', () => {
  it('backfills addresses, mints and earlier settlements in ledger order, once', async () => {
    const written = await backfillOutbox(t.database.knex);
    const all = await rows();
    expect(all.filter((r) => r.kind !== 'allow_list')).toHaveLength(written);
    const kinds = all.map((r) => r.kind);
    const lastAllow = kinds.lastIndexOf('allow_list');
    const firstMint = kinds.indexOf('mint');
    expect(kinds.slice(0, lastAllow + 1).every((k) => k === 'allow_list')).toBe(true);
    expect(lastAllow).toBe(3); // the four parties that hold notes
    expect(kinds.slice(firstMint, -1).every((k) => k === 'mint')).toBe(true);
    expect(all.at(-1)).toMatchObject({ kind: 'transfer', amount: '100000', status: 'pending' });
    expect(all.at(-1)!.settlement_ref).toMatch(/^settle:\d+$/);
    expect(await backfillOutbox(t.database.knex)).toBe(0);
    expect(await rows()).toEqual(all);
  });

  it("then writes each settlement's row in the settlement transaction, and unpublished rows become breaks after the grace period", async () => {
    const before = (await rows()).length;
    const tradeId = await trade(venue, 'investor2', 'dealer2', noteB, '200000');
    await rollAndSettle(venue, 'net');
    const after = await rows();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ kind: 'transfer', amount: '200000', status: 'pending' });
    const list = (await t.http.get('/api/v1/settlements').set(await venue.auth('investor2'))).body as {
      tradeId: string;
      registry: unknown;
    }[];
    expect(list.find((i) => i.tradeId === tradeId)?.registry).toEqual({
      status: 'pending',
      txHash: null,
      blockNumber: null,
      lastError: null,
    });
    const executions = (await t.http.get('/api/v1/executions').set(await venue.auth('investor2'))).body as {
      tradeId: string;
      registry: unknown;
    }[];
    expect(executions.find((e) => e.tradeId === tradeId)?.registry).toEqual({
      status: 'pending',
      txHash: null,
      blockNumber: null,
      lastError: null,
    });
    expect((await reconcile(t.database.knex)).breaks).toEqual([]);
    const later = await reconcile(t.database.knex, new Date(Date.now() + 120_000));
    expect(later.breaks).toHaveLength(after.length);
    expect(new Set(later.breaks.map((b) => b.kind))).toEqual(new Set(['registry_pending']));
  });
});

describe('a face the register cannot record', () => {
  it('does not fail the settlement transaction: the row is written as refused, a break to repair', async () => {
    const [buyerPartyId, sellerPartyId] = [await venue.partyOf('investor1'), await venue.partyOf('dealer1')];
    const written = await t.database.knex.transaction((trx) =>
      recordSettlementOutbox(trx, [{ id: '900001', noteId: noteB, buyerPartyId, sellerPartyId, quantity: new Decimal('1.5') }]),
    );
    expect(written).toBe(1);
    const row = (await rows()).at(-1)!;
    expect(row).toMatchObject({ settlement_ref: 'settle:900001', status: 'failed_permanently', amount: '1.5' });
    const found = (await reconcile(t.database.knex)).breaks;
    expect(found).toEqual([expect.objectContaining({ kind: 'registry_failed', entity: `outbox:${row.id}` })]);
    expect(found[0]!.message).toContain('not a whole number of units');
  });
});

describe('configuration', () => {
  const key = `0x${'ab'.repeat(32)}`;
  it('defaults to embedded on the embedded database, off on a database server, rpc with RPC_URL', () => {
    expect(loadConfig({}).registry).toEqual({ mode: 'embedded' });
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).registry).toEqual({ mode: 'off' });
    expect(loadConfig({ REGISTRY: 'off' }).registry).toEqual({ mode: 'off' });
    expect(loadConfig({ RPC_URL: 'http://chain:8545', REGISTRAR_KEY: key, REGISTRY_PENDING_BREAK_AFTER_SECONDS: '30' }).registry).toEqual({
      mode: 'rpc',
      rpcUrl: 'http://chain:8545',
      registrarKey: key,
      backOfficeKey: null,
      contractAddress: null,
      tuning: { pendingBreakAfterSeconds: 30 },
    });
  });
  it('refuses an incomplete or malformed rpc configuration', () => {
    expect(() => loadConfig({ REGISTRY: 'chain' })).toThrow(/REGISTRY must be/);
    expect(() => loadConfig({ REGISTRY: 'rpc' })).toThrow(/RPC_URL/);
    expect(() => loadConfig({ RPC_URL: 'http://chain:8545' })).toThrow(/REGISTRAR_KEY/);
    expect(() => loadConfig({ RPC_URL: 'http://chain:8545', REGISTRAR_KEY: key, REGISTRY_CONTRACT_ADDRESS: '0x12' })).toThrow(
      /REGISTRY_CONTRACT_ADDRESS/,
    );
    expect(() => loadConfig({ REGISTRY_PENDING_BREAK_AFTER_SECONDS: '-1' })).toThrow(/REGISTRY_PENDING_BREAK_AFTER_SECONDS/);
  });
});

describe('worker decisions', () => {
  const row = (id: number, kind: string, waitMs = 0) =>
    ({ id: String(id), kind, wait_ms: String(waitMs) }) as unknown as Parameters<typeof leadingGroup>[0][number];
  it('batches the due rows of one kind at the head of the queue, and sends the others alone', () => {
    const ids = (list: ReturnType<typeof leadingGroup>) => list.map((r) => r.id);
    expect(ids(leadingGroup([row(1, 'mint'), row(2, 'mint'), row(3, 'transfer'), row(4, 'mint')]))).toEqual(['1', '2']);
    expect(ids(leadingGroup([row(1, 'transfer'), row(2, 'transfer', 500), row(3, 'transfer')]))).toEqual(['1']);
    expect(ids(leadingGroup([row(1, 'allow_list'), row(2, 'allow_list')]))).toEqual(['1']);
    expect(ids(leadingGroup([row(1, 'forced_transfer'), row(2, 'forced_transfer')]))).toEqual(['1']);
    expect(ids(leadingGroup(Array.from({ length: 150 }, (_, i) => row(i + 1, 'transfer'))))).toHaveLength(100);
  });
  it('treats a used reference as landed, pause and missing roles as retryable, every other revert as permanent', () => {
    expect(classifyRevert('ReferenceAlreadyUsed')).toBe('already_used');
    expect(classifyRevert('EnforcedPause')).toBe('operational');
    expect(classifyRevert('AccessControlUnauthorizedAccount')).toBe('operational');
    for (const name of ['NotAllowListed', 'FrozenAddress', 'InsufficientBalance', 'ZeroAmount', 'SameAddress'])
      expect(classifyRevert(name)).toBe('permanent');
  });
});
