/**
 * The database reads behind the private channels the bus carries for settlement and RFQs: a
 * party's instructions as GET /settlements shows them to it (its own side only, issue 15 item 6),
 * grouped by party for messages, and its open ones for snapshots — the same reads and the same
 * shape as the in-process feed (ws/feeds/settlements.ts), for any number of parties at once.
 *
 * Guarantees: read-only, committed data only; every instruction appears once for each of its two
 * parties, each time as that party may see it.
 */
import type { Knex } from 'knex';
import { currentBusinessDate } from '../businessdate/index.js';
import { instructionAsSeenBy } from '../settlement/privacy.js';
import { instructionView, referenceRates, type InstructionRow, type InstructionView } from '../settlement/queries.js';
import { push } from './batch-messages.js';

const OPEN_STATUSES = ['pending', 'failed'];

/** Whether an instruction stays in a party's settlements snapshot (as the in-process feed keeps it). */
export function isOpenInstruction(instruction: { status?: string }): boolean {
  return OPEN_STATUSES.includes(instruction.status ?? '');
}

/** The instructions the query selects, each as its buyer and its seller see it, by party, in id order. */
export async function instructionsByParty(db: Knex, shape: (query: Knex.QueryBuilder) => void): Promise<Map<string, InstructionView[]>> {
  const rows: InstructionRow[] = await db('settlement_instructions').modify(shape).orderBy('id').select('*');
  const out = new Map<string, InstructionView[]>();
  if (rows.length === 0) return out;
  const asOf = await currentBusinessDate(db);
  const rates = await referenceRates(db);
  for (const row of rows) {
    const view = instructionView(row, asOf, rates);
    for (const partyId of new Set([view.buyerPartyId, view.sellerPartyId])) {
      if (partyId) push(out, partyId, instructionAsSeenBy(view, partyId));
    }
  }
  return out;
}

/** The party's open instructions (pending and failed), newest first: the settlements snapshot. */
export async function openInstructions(db: Knex, partyId: string, limit: number): Promise<InstructionView[]> {
  const rows: InstructionRow[] = await db('settlement_instructions')
    .where((w) => w.where('buyer_party_id', partyId).orWhere('seller_party_id', partyId))
    .whereIn('status', OPEN_STATUSES)
    .orderBy('id', 'desc')
    .limit(limit)
    .select('*');
  if (rows.length === 0) return [];
  const asOf = await currentBusinessDate(db);
  const rates = await referenceRates(db);
  return rows.map((row) => instructionAsSeenBy(instructionView(row, asOf, rates), partyId));
}
