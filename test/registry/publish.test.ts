/**
 * The registry on the embedded in-process chain, end to end through the API: the demo's opening
 * positions are minted at start, a settlement's face moves on chain (gross: a transfer per
 * instruction; net: the run's transfers in one batch call), settlements and the status show the
 * on-chain state and transaction hash, party addresses, reconciliation's third leg clean, and a
 * change on chain that the venue did not make (an orphan event) shown as breaks and repaired.
 *
 * Unauthorized callers of every restricted contract function are covered by
 * test/contracts/registry.test.ts ("only the right role may call each restricted function").
 */
import { describe, expect, it } from 'vitest';
import { noteIdFromUuid, noteRegistryInterface, reasonCode, settlementRefFromKey } from '../../contracts/registry-client.js';
import type { TestDatabase } from '../support/db.js';
import {
  addressOf,
  breaks,
  chainBalance,
  chainOf,
  drained,
  instructionOf,
  ledgerFace,
  outbox,
  rollAndSettle,
  trade,
  type Venue,
  useEmbeddedVenue,
} from './harness.js';

let database: TestDatabase;
let venue: Venue;
let notes: Record<string, string>;
const TRADERS = ['investor1', 'investor2', 'dealer1', 'dealer2'];

useEmbeddedVenue((setup) => ({ database, venue, notes } = setup));

async function expectChainMatchesLedger(): Promise<void> {
  for (const username of TRADERS) {
    for (const noteId of Object.values(notes)) {
      expect(await chainBalance(venue, username, noteId), `${username} ${noteId}`).toBe(await ledgerFace(venue, username, noteId));
    }
  }
}

describe('start', () => {
  it('deploys the registry, allow-lists every holder and mints the opening positions, in ledger order', async () => {
    const status = (await venue.http.get('/api/v1/registry/status').set(await venue.auth('backoffice1'))).body;
    expect(status).toMatchObject({
      mode: 'embedded',
      recordedMode: 'embedded',
      outboxEnabled: true,
      connected: true,
      outbox: { pending: 0, failedPermanently: 0 },
    });
    expect(status.contractAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const rows = await outbox(venue);
    expect(rows.every((r) => r.status === 'published' && /^0x[0-9a-f]{64}$/.test(r.txHash ?? ''))).toBe(true);
    const firstMint = rows.findIndex((r) => r.kind === 'mint');
    expect(rows.slice(0, firstMint).every((r) => r.kind === 'allow_list')).toBe(true);
    expect(rows.slice(firstMint).every((r) => r.kind === 'mint')).toBe(true);
    // The mints go out as one batch call.
    expect(new Set(rows.slice(firstMint).map((r) => r.txHash)).size).toBe(1);
    await expectChainMatchesLedger();
    expect(await breaks(venue)).toEqual([]);
  });

  it("gives each holder a generated address, and the back office can configure one before a party's first movement", async () => {
    const backoffice = await venue.auth('backoffice1');
    const investor1 = await venue.partyOf('investor1');
    const operatorParty = await venue.partyOf('operator1');
    const refused = await venue.http
      .put(`/api/v1/registry/parties/${investor1}/address`)
      .set(backoffice)
      .send({ address: '0x1111111111111111111111111111111111111111' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WRONG_STATE');
    const bad = await venue.http
      .put(`/api/v1/registry/parties/${operatorParty}/address`)
      .set(backoffice)
      .send({ address: '0x0000000000000000000000000000000000000000' });
    expect(bad.body.error.code).toBe('INVALID_ARGUMENT');
    const configured = '0x2222222222222222222222222222222222222222';
    const set = await venue.http.put(`/api/v1/registry/parties/${operatorParty}/address`).set(backoffice).send({ address: configured });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ partyId: operatorParty, address: configured, source: 'configured' });
    await drained(venue);
    expect(await chainOf(venue).contract.isAllowListed(configured)).toBe(true);
    expect(await chainOf(venue).contract.isAllowListed(await addressOf(venue, 'investor1'))).toBe(true);
  });
});

describe('settlement', () => {
  it('moves the face on chain once a gross run settles it, and shows the state and hash on the settlement', async () => {
    const before = await chainBalance(venue, 'investor1', notes['B']!);
    const tradeId = await trade(venue, 'investor1', 'dealer1', notes['B']!, '400000');
    expect((await instructionOf(venue, tradeId)).registry).toBeNull();
    expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
    await drained(venue);
    const instruction = await instructionOf(venue, tradeId);
    expect(instruction.registry).toMatchObject({ status: 'published', lastError: null });
    const { txHash } = instruction.registry as { txHash: string };
    expect(await chainBalance(venue, 'investor1', notes['B']!)).toBe(before + 400_000n);
    // The receipt carries one TransferRecorded with the instruction's reference and its original face.
    const chain = chainOf(venue);
    const receipt = await chain.provider.getTransactionReceipt(txHash);
    const events = receipt!.logs.map((log) => noteRegistryInterface().parseLog(log)).filter((e) => e !== null);
    expect(events.map((e) => [e.name, e.args.getValue('noteId'), e.args.getValue('amount'), e.args.getValue('settlementRef')])).toEqual([
      ['TransferRecorded', noteIdFromUuid(notes['B']!), 400_000n, settlementRefFromKey(`settle:${instruction.id}`)],
    ]);
    // The buyer sees its own settlement's on-chain state.
    const mine = (await venue.http.get('/api/v1/settlements').set(await venue.auth('investor1'))).body as {
      tradeId: string;
      registry: unknown;
    }[];
    expect(mine.find((i) => i.tradeId === tradeId)?.registry).toMatchObject({ status: 'published', txHash });
    await expectChainMatchesLedger();
    expect(await breaks(venue)).toEqual([]);
  });

  it('publishes a net run as one transfer per instruction, in one batch call', async () => {
    const first = await trade(venue, 'investor2', 'dealer2', notes['A-2']!, '300000');
    const second = await trade(venue, 'dealer1', 'investor1', notes['A-2']!, '100000');
    expect(await rollAndSettle(venue, 'net')).toMatchObject({ settled: 2, failed: 0 });
    await drained(venue);
    const [a, b] = [await instructionOf(venue, first), await instructionOf(venue, second)];
    expect(a.registry).toMatchObject({ status: 'published' });
    expect((a.registry as { txHash: string }).txHash).toBe((b.registry as { txHash: string }).txHash);
    await expectChainMatchesLedger();
    expect(await breaks(venue)).toEqual([]);
  });
});

describe('reconciliation', () => {
  it('shows a change on chain the venue did not make, and a forced transfer with its reason repairs the balances', async () => {
    const chain = chainOf(venue);
    const [investor1, dealer1] = [await addressOf(venue, 'investor1'), await addressOf(venue, 'dealer1')];
    const noteId = noteIdFromUuid(notes['B']!);
    const stray = settlementRefFromKey(`stray:${Date.now()}`);
    await (
      await chain.contract.connect(chain.backOffice).forcedTransfer(noteId, investor1, dealer1, 1_000n, stray, reasonCode('COURT_ORDER'))
    ).wait();
    const found = await breaks(venue);
    expect(found.map((b) => b.kind).sort()).toEqual(['registry_balance_mismatch', 'registry_balance_mismatch', 'registry_orphan_event']);
    expect(found.find((b) => b.kind === 'registry_orphan_event')?.message).toContain(stray);
    const investorEntity = `party:${await venue.partyOf('investor1')}:${notes['B']}`;
    expect(found.find((b) => b.entity === investorEntity)).toMatchObject({ difference: '-1000' });

    const repair = await venue.http
      .post('/api/v1/registry/forced-transfers')
      .set(await venue.auth('backoffice1'))
      .send({
        noteId: notes['B'],
        fromPartyId: await venue.partyOf('dealer1'),
        toPartyId: await venue.partyOf('investor1'),
        amount: '1000',
        reasonCode: 'RECONCILIATION_REPAIR',
        reason: 'undo a transfer the venue did not settle',
      });
    expect(repair.status, JSON.stringify(repair.body)).toBe(201);
    expect(repair.body).toMatchObject({
      kind: 'forced_transfer',
      status: 'pending',
      amount: '1000',
      reasonCode: 'RECONCILIATION_REPAIR',
      reason: 'undo a transfer the venue did not settle',
    });
    await drained(venue);
    expect(await chainBalance(venue, 'investor1', notes['B']!)).toBe(await ledgerFace(venue, 'investor1', notes['B']!));
    // The balances agree again; the stray event itself stays on record.
    expect((await breaks(venue)).map((b) => b.kind)).toEqual(['registry_orphan_event']);
  });
});
