/**
 * A trade's on-chain state through the API, and the registry breaks the back office repairs, on
 * the embedded chain:
 * - GET /executions items carry `registry` (null until the trade settles, then the state and
 *   transaction hash of its settlement's transfer), for the buyer and the seller alike, equal to
 *   the settlement's; the public tape never carries it;
 * - a transfer recorded on chain with the registrar's key that the venue never made is reported
 *   as an orphan event, with the two balance mismatches it causes, the short party's break
 *   carrying the forced transfer that repairs it; sending that repair leaves only the orphan;
 * - the outbox lists newest first on request.
 */
import { describe, expect, it } from 'vitest';
import { noteIdFromUuid, settlementRefFromKey } from '../../contracts/registry-client.js';
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

useEmbeddedVenue((setup) => ({ database, venue, notes } = setup));

type Listed = {
  tradeId: string;
  side: string;
  registry?: { status: string; txHash: string | null; blockNumber: number | null; lastError: string | null } | null;
};

async function executionOf(username: string, tradeId: string): Promise<Listed> {
  const response = await venue.http.get('/api/v1/executions').set(await venue.auth(username));
  expect(response.status).toBe(200);
  const found = (response.body as Listed[]).find((e) => e.tradeId === tradeId);
  if (!found) throw new Error(`${username} has no execution of trade ${tradeId}`);
  return found;
}

describe("a trade's on-chain state", () => {
  it('is null until the trade settles, then the state and hash of its transfer, for both sides; never on the public tape', async () => {
    const tradeId = await trade(venue, 'investor1', 'dealer2', notes['B']!, '150000');
    expect((await executionOf('investor1', tradeId)).registry).toBeNull();
    expect((await executionOf('dealer2', tradeId)).registry).toBeNull();
    expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
    await drained(venue);
    const bought = await executionOf('investor1', tradeId);
    const sold = await executionOf('dealer2', tradeId);
    const settlement = await instructionOf(venue, tradeId);
    expect(bought.side).toBe('buy');
    expect(sold.side).toBe('sell');
    expect(bought.registry).toMatchObject({ status: 'published', lastError: null });
    expect(bought.registry!.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(bought.registry!.blockNumber).toBeGreaterThan(0);
    expect(sold.registry).toEqual(bought.registry);
    expect(settlement.registry).toEqual(bought.registry);
    // The hash is the transaction that recorded this settlement's reference.
    const receipt = await chainOf(venue).provider.getTransactionReceipt(bought.registry!.txHash!);
    expect(receipt?.status).toBe(1);
    expect(await chainOf(venue).contract.isReferenceUsed(settlementRefFromKey(`settle:${settlement.id}`))).toBe(true);

    const tape = (await venue.http.get(`/api/v1/trades?noteId=${notes['B']}`).set(await venue.auth('investor2'))).body as Record<
      string,
      unknown
    >[];
    const printed = tape.find((t) => t.id === tradeId);
    expect(printed).toBeDefined();
    expect(Object.keys(printed!).sort()).toEqual(['executedAt', 'id', 'noteId', 'price', 'quantity']);
  });
});

describe("a transfer the venue never made, recorded with the registrar's key", () => {
  it("is an orphan event; the short party's break carries the forced transfer that repairs the balances", async () => {
    const chain = chainOf(venue);
    const [dealer1, investor2] = [await addressOf(venue, 'dealer1'), await addressOf(venue, 'investor2')];
    const stray = settlementRefFromKey(`stray-registrar:${Date.now()}`);
    await (
      await chain.contract.connect(chain.registrar).recordTransfer(noteIdFromUuid(notes['C']!), dealer1, investor2, 2_500n, stray)
    ).wait();

    const found = await breaks(venue);
    expect(found.map((b) => b.kind).sort()).toEqual(['registry_balance_mismatch', 'registry_balance_mismatch', 'registry_orphan_event']);
    const orphan = found.find((b) => b.kind === 'registry_orphan_event')!;
    expect(orphan.message).toContain(stray);
    expect(orphan.message).toContain('TransferRecorded');
    const [dealer1Party, investor2Party] = [await venue.partyOf('dealer1'), await venue.partyOf('investor2')];
    const short = found.find((b) => b.entity === `party:${dealer1Party}:${notes['C']}`)!;
    const long = found.find((b) => b.entity === `party:${investor2Party}:${notes['C']}`)!;
    expect(short).toMatchObject({
      difference: '-2500',
      repair: { noteId: notes['C'], fromPartyId: investor2Party, toPartyId: dealer1Party, amount: '2500', resolvesOutboxId: null },
    });
    // The party holding too much is not told to send anything: the repair is on the short side only.
    expect(long).toMatchObject({ difference: '2500' });
    expect(long.repair).toBeUndefined();

    const repair = await venue.http
      .post('/api/v1/registry/forced-transfers')
      .set(await venue.auth('backoffice1'))
      .send({
        ...short.repair,
        resolvesOutboxId: undefined,
        reasonCode: 'RECONCILIATION_REPAIR',
        reason: 'reverse a transfer recorded outside settlement',
      });
    expect(repair.status, JSON.stringify(repair.body)).toBe(201);
    await drained(venue);
    expect(await chainBalance(venue, 'dealer1', notes['C']!)).toBe(await ledgerFace(venue, 'dealer1', notes['C']!));
    expect(await chainBalance(venue, 'investor2', notes['C']!)).toBe(await ledgerFace(venue, 'investor2', notes['C']!));
    // The stray event stays on record; the balances agree again.
    expect((await breaks(venue)).map((b) => b.kind)).toEqual(['registry_orphan_event']);
  });
});

describe('the outbox list', () => {
  it('pages newest first on request, and oldest first by default', async () => {
    const backoffice = await venue.auth('backoffice1');
    const all = await outbox(venue);
    const newest = (await venue.http.get('/api/v1/registry/outbox?order=desc&limit=3').set(backoffice)).body as { id: string }[];
    expect(newest.map((r) => r.id)).toEqual(
      all
        .slice(-3)
        .reverse()
        .map((r) => r.id),
    );
    const next = (await venue.http.get(`/api/v1/registry/outbox?order=desc&limit=2&afterId=${newest.at(-1)!.id}`).set(backoffice)).body as {
      id: string;
    }[];
    expect(next.map((r) => r.id)).toEqual(
      all
        .slice(-5, -3)
        .reverse()
        .map((r) => r.id),
    );
    expect((await venue.http.get('/api/v1/registry/outbox?order=sideways').set(backoffice)).body.error.code).toBe('VALIDATION_FAILED');
  });
});
