/**
 * The demo market: one datacenter ABS deal (Class A-2, B, C), one GPU-equipment bond, two
 * investors, two dealers, a back office and an operator, with starting cash and note positions
 * entered through the ledger like any other movement.
 *
 * Safe to run on every start: it does nothing once the demo parties exist. It is only ever called
 * on the embedded default or with SEED_DEMO=1 (see config.ts), never silently on a real server.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { cusipCheckDigit, isinFromCusip } from '../domain/identifiers.js';
import { hashPassword } from '../auth/passwords.js';
import type { Role } from '../auth/roles.js';
import { createDeal } from '../refdata/deals.js';
import { createNote, type NoteInput } from '../refdata/notes.js';
import { createParty, createUser, type PartyKind } from '../refdata/parties.js';
import { CASH_ASSET, postEntries, type EntryInput } from '../ledger/index.js';
import { inTransaction } from '../db/transaction.js';
import { DEMO_DEALS, DEMO_PARTIES, type DemoNote } from './market.js';

export interface DemoSummary {
  usernames: string[];
  seeded: boolean;
}

export async function seedDemoMarket(db: Knex, options: { password: string; businessDate: string }): Promise<DemoSummary> {
  const usernames = DEMO_PARTIES.map((p) => p.username);
  const existing = await db('users').whereIn('username', usernames).count<{ count: string }[]>('* as count');
  if (Number(existing[0]?.count ?? 0) > 0) return { usernames, seeded: false };

  const passwordHash = await hashPassword(options.password);
  await inTransaction(db, async (trx) => {
    const partyIds = new Map<string, string>();
    for (const spec of DEMO_PARTIES) {
      const party = await createParty(trx, { name: spec.partyName, kind: spec.kind as PartyKind, eligible: true });
      partyIds.set(spec.username, party.id);
      await createUser(trx, { username: spec.username, passwordHash, partyId: party.id, roles: [spec.kind as Role] });
    }
    const noteIds = new Map<string, string>();
    for (const spec of DEMO_DEALS) {
      const deal = await createDeal(trx, spec.deal);
      for (const note of spec.notes) noteIds.set(note.key, (await createNote(trx, noteInput(note, deal.id))).id);
    }
    await postEntries(trx, openingEntries(partyIds, noteIds, options.businessDate));
  });
  return { usernames, seeded: true };
}

function noteInput(note: DemoNote, dealId: string): NoteInput {
  const cusip = `${note.cusipBase}${cusipCheckDigit(note.cusipBase)}`;
  return { ...note.terms, isin: isinFromCusip('US', cusip), dealId };
}

/** Starting cash from outside the venue, and note positions from issuance, as journal entries. */
function openingEntries(partyIds: Map<string, string>, noteIds: Map<string, string>, businessDate: string): EntryInput[] {
  const entries: EntryInput[] = [];
  for (const spec of DEMO_PARTIES) {
    const partyId = partyIds.get(spec.username) as string;
    if (spec.cash !== '0') {
      const amount = new Decimal(spec.cash);
      entries.push({
        idempotencyKey: `demo:cash:${spec.username}`,
        kind: 'cash_deposit',
        description: 'demo opening cash',
        businessDate,
        postings: [
          { account: { partyId, asset: CASH_ASSET }, amount },
          { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: amount.negated() },
        ],
      });
    }
    for (const [noteKey, face] of Object.entries(spec.positions)) {
      const asset = noteIds.get(noteKey) as string;
      const amount = new Decimal(face);
      entries.push({
        idempotencyKey: `demo:position:${spec.username}:${noteKey}`,
        kind: 'issuance',
        description: `demo opening position in ${noteKey}`,
        businessDate,
        postings: [
          { account: { partyId, asset }, amount },
          { account: { systemCode: 'issuance', asset }, amount: amount.negated() },
        ],
      });
    }
  }
  return entries;
}
