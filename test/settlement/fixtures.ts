/**
 * A small market written straight into a test database (no service): parties, one deal with one
 * note, opening cash and face through the ledger, and trades inserted like the sequencer writes
 * them — with their trade holds when the sides can cover them, without when a fail is wanted.
 */
import type { Knex } from 'knex';
import { Decimal } from '../../server/domain/decimal.js';
import { CASH_ASSET, placeHolds, postEntries, type EntryInput } from '../../server/ledger/index.js';
import { inTransaction } from '../../server/db/transaction.js';
import { createParty } from '../../server/refdata/parties.js';
import { createDeal } from '../../server/refdata/deals.js';
import { createNote } from '../../server/refdata/notes.js';
import { DEMO_DEALS } from '../../server/demo/market.js';
import { cusipCheckDigit, isinFromCusip } from '../../server/domain/identifiers.js';

let noteCounter = Math.floor(Math.random() * 1_000_000);

export interface Market {
  partyIds: string[];
  noteIds: string[];
}

export async function seedMarket(
  knex: Knex,
  options: { parties: number; notes?: number; cash: string; face: string; prefix?: string },
): Promise<Market> {
  const prefix = options.prefix ?? 'P';
  const partyIds: string[] = [];
  for (let i = 0; i < options.parties; i++)
    partyIds.push((await createParty(knex, { name: `${prefix}${i}`, kind: 'investor', eligible: true })).id);
  const spec = DEMO_DEALS[0]!;
  const deal = await createDeal(knex, { ...spec.deal, name: `${spec.deal.name} ${prefix}` });
  const noteIds: string[] = [];
  for (let n = 0; n < (options.notes ?? 1); n++) {
    noteCounter += 1;
    const base = `Q${noteCounter.toString(36).toUpperCase().padStart(7, '0')}`;
    const cusip = `${base}${cusipCheckDigit(base)}`;
    const note = await createNote(knex, { ...spec.notes[0]!.terms, className: `X${n}`, isin: isinFromCusip('US', cusip), dealId: deal.id });
    noteIds.push(note.id);
  }
  const entries: EntryInput[] = [];
  for (const partyId of partyIds) {
    entries.push({
      idempotencyKey: `fixture:cash:${partyId}`,
      kind: 'cash_deposit',
      description: 'fixture cash',
      businessDate: '2026-11-23',
      postings: [
        { account: { partyId, asset: CASH_ASSET }, amount: new Decimal(options.cash) },
        { account: { systemCode: 'external-cash', asset: CASH_ASSET }, amount: new Decimal(options.cash).negated() },
      ],
    });
    for (const noteId of noteIds) {
      entries.push({
        idempotencyKey: `fixture:face:${partyId}:${noteId}`,
        kind: 'issuance',
        description: 'fixture face',
        businessDate: '2026-11-23',
        postings: [
          { account: { partyId, asset: noteId }, amount: new Decimal(options.face) },
          { account: { systemCode: 'issuance', asset: noteId }, amount: new Decimal(options.face).negated() },
        ],
      });
    }
  }
  await inTransaction(knex, (trx) => postEntries(trx, entries));
  return { partyIds, noteIds };
}

export interface TradeSpec {
  id: string;
  noteId: string;
  buyer: string;
  seller: string;
  quantity: string;
  netAmount: string;
  tradeDate: string;
  settlementDate: string;
  /** Take the trade holds (as order entry would); false leaves the trade to fail unless balances cover it. */
  holds: boolean;
}

let seq = 1_000_000;

export async function insertTrades(knex: Knex, trades: readonly TradeSpec[]): Promise<void> {
  await inTransaction(knex, async (trx) => {
    const holds = trades
      .filter((t) => t.holds)
      .flatMap((t) => [
        { reference: `trade:${t.id}:buyer`, account: { partyId: t.buyer, asset: CASH_ASSET }, amount: new Decimal(t.netAmount) },
        { reference: `trade:${t.id}:seller`, account: { partyId: t.seller, asset: t.noteId }, amount: new Decimal(t.quantity) },
      ]);
    if (holds.length > 0) await placeHolds(trx, holds);
    for (let i = 0; i < trades.length; i += 500) {
      await trx('trades').insert(trades.slice(i, i + 500).map((t) => tradeRow(t)));
    }
  });
}

export function tradeRow(t: TradeSpec): Record<string, unknown> {
  seq += 1;
  return {
    id: t.id,
    note_id: t.noteId,
    price: '100',
    quantity: t.quantity,
    factor: '1',
    principal: t.netAmount,
    accrued_interest: '0',
    net_amount: t.netAmount,
    buyer_party_id: t.buyer,
    seller_party_id: t.seller,
    maker_side: 'buy',
    venue: 'clob',
    trade_date: t.tradeDate,
    settlement_date: t.settlementDate,
    buyer_hold_reference: `trade:${t.id}:buyer`,
    seller_hold_reference: `trade:${t.id}:seller`,
    seq,
    executed_at: new Date('2026-11-23T15:00:00Z'),
  };
}

/** Every party account's total and held, keyed `party|asset`, for before/after comparisons. */
export async function balances(knex: Knex): Promise<Map<string, { total: string; held: string }>> {
  const rows: { party_id: string | null; system_code: string | null; asset: string; total: string; held: string }[] = await knex(
    'ledger_accounts',
  ).select('party_id', 'system_code', 'asset', 'total', 'held');
  return new Map(
    rows.map((r) => [
      `${r.party_id ?? r.system_code}|${r.asset}`,
      { total: new Decimal(r.total).toFixed(), held: new Decimal(r.held).toFixed() },
    ]),
  );
}
