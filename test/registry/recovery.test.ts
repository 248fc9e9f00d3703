/**
 * Address recovery by the back office (POST /api/v1/registry/parties/:id/recover), on the embedded
 * chain and a real database:
 * - a party with holdings: its address changes at once, while the recovery is queued the ledger
 *   is expected at the old address (no false balance break), then the contract moves every held
 *   note to the new address with the reason code, takes the old address off the allow-list, and
 *   later settlements land on the new address;
 * - a party that sold everything: nothing to move, so only the old address's allow-listing is
 *   withdrawn, and a freeze set on it by hand is carried over to the new address;
 * - refused requests (bad, taken or abandoned addresses, unknown party, nothing on chain, wrong
 *   role) change nothing;
 * - a restart on a fresh embedded chain replays the recoveries with the rest of the outbox.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { decodeBytes32String } from 'ethers';
import { noteIdFromUuid, noteRegistryInterface } from '../../contracts/registry-client.js';
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
const TRADERS = ['investor1', 'investor2', 'dealer1', 'dealer2'];
const NEW_INVESTOR2 = '0x00000000000000000000000000000000000A11cE';
const NEW_INVESTOR1 = '0x0000000000000000000000000000000000000B0b';

useEmbeddedVenue((setup) => ({ database, venue, notes } = setup));

async function recover(username: string, body: Record<string, unknown>, as = 'backoffice1') {
  return venue.http
    .post(`/api/v1/registry/parties/${await venue.partyOf(username)}/recover`)
    .set(await venue.auth(as))
    .send(body);
}

async function expectChainMatchesLedger(): Promise<void> {
  for (const username of TRADERS) {
    for (const noteId of Object.values(notes)) {
      expect(await chainBalance(venue, username, noteId), `${username} ${noteId}`).toBe(await ledgerFace(venue, username, noteId));
    }
  }
}

describe('recovery of a party that holds notes', () => {
  let oldAddress: string;

  it('switches the address at once and queues the recovery; until it is on chain the ledger is expected at the old address', async () => {
    oldAddress = await addressOf(venue, 'investor2');
    await venue.service.registry!.worker()!.stop();
    const response = await recover('investor2', {
      newAddress: NEW_INVESTOR2.toLowerCase(),
      reasonCode: 'LOST_KEY',
      reason: 'custodian lost the signing device',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ partyId: await venue.partyOf('investor2'), address: NEW_INVESTOR2, previousAddress: oldAddress });
    expect(response.body.outbox).toEqual([
      expect.objectContaining({
        kind: 'recover',
        status: 'pending',
        fromAddress: oldAddress,
        toAddress: NEW_INVESTOR2,
        reasonCode: 'LOST_KEY',
        reason: 'custodian lost the signing device',
        noteIds: [notes['B']],
        amount: null,
        txHash: null,
      }),
    ]);
    expect(await addressOf(venue, 'investor2')).toBe(NEW_INVESTOR2);
    // Only the queued rows (the new address's allow-listing and the recovery) are breaks: no balance is off.
    const queued = await breaks(venue);
    expect(queued.map((b) => b.kind)).toEqual(['registry_pending', 'registry_pending']);
    expect(queued[1]!.entity).toBe(`outbox:${response.body.outbox[0].id}`);
  });

  it('moves every held note to the new address with its reason code, and takes the old address off the allow-list', async () => {
    const chain = chainOf(venue);
    const worker = new OutboxWorker({
      knex: database.knex,
      chain,
      logger: pino({ level: 'silent' }),
      tuning: { ...DEFAULT_TUNING, ...FAST },
    });
    try {
      await worker.drain(15_000);
    } finally {
      await worker.stop();
    }
    const row = (await outbox(venue, '&kind=recover'))[0]!;
    expect(row).toMatchObject({ status: 'published', lastError: null });
    const held = await ledgerFace(venue, 'investor2', notes['B']!);
    expect(held).toBe(3_000_000n);
    expect(await chain.contract.balanceOf(NEW_INVESTOR2, noteIdFromUuid(notes['B']!))).toBe(held);
    expect(await chain.contract.balanceOf(oldAddress, noteIdFromUuid(notes['B']!))).toBe(0n);
    expect(await chain.contract.isAllowListed(oldAddress)).toBe(false);
    expect(await chain.contract.isAllowListed(NEW_INVESTOR2)).toBe(true);
    const receipt = await chain.provider.getTransactionReceipt(row.txHash!);
    const events = receipt!.logs.map((log) => noteRegistryInterface().parseLog(log)!);
    expect(events.map((e) => e.name)).toEqual(['ForcedTransfer', 'AllowListUpdated', 'AddressRecovered']);
    expect(events[0]!.args.getValue('amount')).toBe(held);
    expect(decodeBytes32String(events[2]!.args.getValue('reasonCode') as string)).toBe('LOST_KEY');
    expect(events[2]!.args.getValue('settlementRef')).toBe(row.chainRef);
    await expectChainMatchesLedger();
    expect(await breaks(venue)).toEqual([]);
  });

  it('lands later settlements on the new address', async () => {
    // The service's own worker was stopped above; the next start brings one back (see the restart below).
    const chain = chainOf(venue);
    const worker = new OutboxWorker({
      knex: database.knex,
      chain,
      logger: pino({ level: 'silent' }),
      tuning: { ...DEFAULT_TUNING, ...FAST },
    });
    worker.start();
    try {
      await trade(venue, 'investor2', 'dealer1', notes['B']!, '500000');
      expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
      await drained(venue);
      expect(await chain.contract.balanceOf(NEW_INVESTOR2, noteIdFromUuid(notes['B']!))).toBe(3_500_000n);
      await expectChainMatchesLedger();
      expect(await breaks(venue)).toEqual([]);
    } finally {
      await worker.stop();
    }
  });
});

describe('refused recoveries', () => {
  it('change nothing', async () => {
    const before = {
      outbox: (await outbox(venue)).length,
      addresses: (await venue.http.get('/api/v1/registry/addresses').set(await venue.auth('backoffice1'))).body,
    };
    const code = async (username: string, body: Record<string, unknown>, as?: string) => {
      const response = await recover(username, body, as);
      return [response.status, response.body.error?.code];
    };
    const dealer1 = await addressOf(venue, 'dealer1');
    expect(await code('investor2', { newAddress: '0x12', reasonCode: 'LOST_KEY' })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await code('investor2', { newAddress: NEW_INVESTOR1, reasonCode: 'FORGOT' })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await code('investor2', { newAddress: NEW_INVESTOR1 })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await code('investor2', { newAddress: '0x0000000000000000000000000000000000000000', reasonCode: 'LOST_KEY' })).toEqual([
      400,
      'INVALID_ARGUMENT',
    ]);
    expect(await code('investor2', { newAddress: dealer1, reasonCode: 'LOST_KEY' })).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await code('investor1', { newAddress: NEW_INVESTOR2, reasonCode: 'LOST_KEY' })).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await code('investor2', { newAddress: NEW_INVESTOR2, reasonCode: 'LOST_KEY' })).toEqual([409, 'WRONG_STATE']);
    // The operator's party never held notes: it has no address on chain to recover from.
    expect(await code('operator1', { newAddress: NEW_INVESTOR1, reasonCode: 'LOST_KEY' })).toEqual([409, 'WRONG_STATE']);
    expect(await code('investor2', { newAddress: NEW_INVESTOR1, reasonCode: 'LOST_KEY' }, 'investor2')).toEqual([403, 'FORBIDDEN']);
    const missing = await venue.http
      .post('/api/v1/registry/parties/00000000-0000-4000-8000-000000000000/recover')
      .set(await venue.auth('backoffice1'))
      .send({ newAddress: NEW_INVESTOR1, reasonCode: 'LOST_KEY' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'PARTY_NOT_FOUND']);
    expect((await outbox(venue)).length).toBe(before.outbox);
    expect((await venue.http.get('/api/v1/registry/addresses').set(await venue.auth('backoffice1'))).body).toEqual(before.addresses);
  });

  it('refuses an address a recovery abandoned', async () => {
    const abandoned = (await outbox(venue, '&kind=recover'))[0]!;
    const response = await recover('investor1', { newAddress: abandoned.fromAddress, reasonCode: 'LOST_KEY' });
    expect([response.status, response.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(response.body.error.message).toContain('recovered away');
  });
});

describe('recovery of a party that holds nothing any more', () => {
  it("withdraws the old address's allow-listing and carries its freeze over; the party receives at the new address", async () => {
    const chain = chainOf(venue);
    const worker = new OutboxWorker({
      knex: database.knex,
      chain,
      logger: pino({ level: 'silent' }),
      tuning: { ...DEFAULT_TUNING, ...FAST },
    });
    worker.start();
    try {
      // investor1 sells its whole opening position.
      await trade(venue, 'dealer1', 'investor1', notes['A-2']!, '5000000');
      expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
      await drained(venue);
      const oldAddress = await addressOf(venue, 'investor1');
      expect(await chainBalance(venue, 'investor1', notes['A-2']!)).toBe(0n);
      // Compliance froze the old address on chain by hand.
      await (await chain.contract.connect(chain.backOffice).setAddressFrozen(oldAddress, true)).wait();

      const response = await recover('investor1', { newAddress: NEW_INVESTOR1, reasonCode: 'COMPROMISED_KEY' });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      await drained(venue);
      const row = (await outbox(venue, '&kind=recover')).find((r) => r.id === response.body.outbox[0].id)!;
      expect(row).toMatchObject({ status: 'published', lastError: null });
      expect(await chain.contract.isAllowListed(oldAddress)).toBe(false);
      expect(await chain.contract.isFrozen(NEW_INVESTOR1)).toBe(true);
      // Nothing moved, so the recovery's reference was not used on chain.
      expect(await chain.contract.isReferenceUsed(row.chainRef)).toBe(false);
      expect(await breaks(venue)).toEqual([]);

      // Compliance lifts the freeze on the new address; a purchase lands there.
      await (await chain.contract.connect(chain.backOffice).setAddressFrozen(NEW_INVESTOR1, false)).wait();
      await trade(venue, 'investor1', 'dealer2', notes['A-2']!, '100000');
      expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
      await drained(venue);
      expect(await chain.contract.balanceOf(NEW_INVESTOR1, noteIdFromUuid(notes['A-2']!))).toBe(100_000n);
      await expectChainMatchesLedger();
      expect(await breaks(venue)).toEqual([]);
    } finally {
      await worker.stop();
    }
  });
});

describe('a restart on a fresh embedded chain', () => {
  it('replays the recoveries with the rest of the outbox and ends clean', async () => {
    await venue.close();
    venue = await startVenue(database, { mode: 'embedded', tuning: FAST });
    await drained(venue);
    expect((await outbox(venue, '&kind=recover')).every((r) => r.status === 'published')).toBe(true);
    const chain = chainOf(venue);
    expect(chain.fresh).toBe(true);
    expect(await chain.contract.balanceOf(NEW_INVESTOR2, noteIdFromUuid(notes['B']!))).toBe(3_500_000n);
    await expectChainMatchesLedger();
    expect(await breaks(venue)).toEqual([]);
  });
});
