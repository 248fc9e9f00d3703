/**
 * The audit trail of registry repairs (issue 19), with the on-chain registry on (embedded chain):
 * setting a party's address, a forced transfer and an address recovery each append one row by the
 * back-office user, in the same transaction as their outbox rows; refused ones append none. With
 * the outbox worker stopped, the pre-roll checklist counts exactly the rows these repairs queued.
 */
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/db.js';
import { useEmbeddedVenue, type Venue } from './harness.js';

let database: TestDatabase;
let venue: Venue;
let notes: Record<string, string>;

useEmbeddedVenue((setup) => ({ database, venue, notes } = setup));

const NEW_ADDRESS = '0x00000000000000000000000000000000000A11cE';
const FRESH_ADDRESS = '0x000000000000000000000000000000000000C0DE';

async function lastId(): Promise<number> {
  const row = (await database.knex('audit_log').max('id as id'))[0] as { id: string | number | null };
  return Number(row.id ?? 0);
}

async function rowsAfter(id: number) {
  const rows = await database.knex('audit_log').where('id', '>', id).orderBy('id').select('actor', 'role', 'action', 'entity', 'details');
  return rows.map((r) => ({ ...r, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
}

async function pendingItem() {
  const list = (
    await venue.http
      .get('/api/v1/business-date/checklist')
      .set(await venue.auth('backoffice1'))
      .expect(200)
  ).body;
  return list.items.find((i: { key: string }) => i.key === 'registry_pending') as { count: number; rows: { kind: string }[] };
}

describe('registry repairs in the audit trail', () => {
  it('address, forced transfer and recovery: one row each, none when refused; the checklist counts what they queued', async () => {
    await venue.service.registry!.worker()!.stop();
    const bo = await venue.auth('backoffice1');
    const baseline = (await pendingItem()).count;
    const status = async () => (await venue.http.get('/api/v1/registry/status').set(bo).expect(200)).body.outbox.pending as number;
    expect(baseline).toBe(await status());

    // A party with no movements on chain gets a configured address: one allow-list row queued.
    const party = (
      await venue.http
        .post('/api/v1/parties')
        .set(await venue.auth('operator1'))
        .send({ name: 'Registry Audit Fund', kind: 'investor' })
        .expect(201)
    ).body.id as string;
    let before = await lastId();
    const set = (await venue.http.put(`/api/v1/registry/parties/${party}/address`).set(bo).send({ address: FRESH_ADDRESS }).expect(200))
      .body;
    // Stored checksummed (EIP-55), as the API answers it.
    expect(set.address.toLowerCase()).toBe(FRESH_ADDRESS.toLowerCase());
    expect(await rowsAfter(before)).toEqual([
      {
        actor: 'backoffice1',
        role: 'backoffice',
        action: 'registry.address_set',
        entity: `party:${party}`,
        details: { address: set.address, previousAddress: null },
      },
    ]);
    before = await lastId();
    // The same address again changes nothing; the zero address is refused.
    await venue.http.put(`/api/v1/registry/parties/${party}/address`).set(bo).send({ address: FRESH_ADDRESS }).expect(200);
    await venue.http
      .put(`/api/v1/registry/parties/${party}/address`)
      .set(bo)
      .send({ address: '0x0000000000000000000000000000000000000000' })
      .expect(400);
    expect(await rowsAfter(before)).toEqual([]);

    const transfer = {
      noteId: notes['B'],
      fromPartyId: await venue.partyOf('dealer1'),
      toPartyId: await venue.partyOf('investor1'),
      amount: '1',
      reasonCode: 'RECONCILIATION_REPAIR',
      reason: 'audit test',
    };
    before = await lastId();
    const row = (await venue.http.post('/api/v1/registry/forced-transfers').set(bo).send(transfer).expect(201)).body;
    expect(await rowsAfter(before)).toEqual([
      {
        actor: 'backoffice1',
        role: 'backoffice',
        action: 'registry.forced_transfer',
        entity: `registry-outbox:${row.id}`,
        details: {
          noteId: notes['B'],
          fromPartyId: transfer.fromPartyId,
          toPartyId: transfer.toPartyId,
          amount: '1',
          reasonCode: 'RECONCILIATION_REPAIR',
          reason: 'audit test',
        },
      },
    ]);
    before = await lastId();
    await venue.http
      .post('/api/v1/registry/forced-transfers')
      .set(bo)
      .send({ ...transfer, toPartyId: transfer.fromPartyId })
      .expect(400);
    expect(await rowsAfter(before)).toEqual([]);

    const investor2 = await venue.partyOf('investor2');
    before = await lastId();
    const recovery = (
      await venue.http
        .post(`/api/v1/registry/parties/${investor2}/recover`)
        .set(bo)
        .send({ newAddress: NEW_ADDRESS, reasonCode: 'LOST_KEY', reason: 'lost device' })
        .expect(201)
    ).body;
    const recovered = await rowsAfter(before);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({
      actor: 'backoffice1',
      action: 'registry.recover',
      entity: `party:${investor2}`,
      details: {
        address: recovery.address,
        previousAddress: recovery.previousAddress,
        outboxIds: recovery.outbox.map((o: { id: string }) => o.id),
        reasonCode: 'LOST_KEY',
        reason: 'lost device',
      },
    });
    before = await lastId();
    await venue.http
      .post(`/api/v1/registry/parties/${investor2}/recover`)
      .set(bo)
      .send({ newAddress: NEW_ADDRESS, reasonCode: 'LOST_KEY' })
      .expect(409);
    expect(await rowsAfter(before)).toEqual([]);

    // Queued and not published (the worker is stopped): the new party's allow-listing, the forced
    // transfer, and the recovery's allow-listing of the new address plus its recover row(s).
    const pending = await pendingItem();
    expect(pending.count).toBe(baseline + 1 + 1 + 1 + recovery.outbox.length);
    expect(pending.count).toBe(await status());
  });
});
