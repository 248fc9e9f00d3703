/**
 * Rebuilds the sequencer's state from Postgres: the engine by replaying the command journal (the
 * engine is deterministic, so the books come back identical, state hash included), the live orders
 * from the orders table, the available balances and holds from the ledger, the parties' eligibility
 * and today's notional. Then it checks that the replayed books hold exactly the open orders of the
 * database, with the same leaves: a mismatch is a defect and stops the start.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import type { Command } from '../engine/index.js';
import { listNotes } from '../refdata/notes.js';
import { currentBusinessDate } from '../businessdate/index.js';
import { Instrument } from '../refdata/instrument.js';
import { orderFromRow } from './records.js';
import { lastTradeOrder, TradingState } from './state.js';

const JOURNAL_PAGE = 5_000;

export async function recoverState(knex: Knex): Promise<TradingState> {
  const state = new TradingState();
  state.businessDate = await currentBusinessDate(knex);
  for (const note of await listNotes(knex)) state.instruments.set(note.id, new Instrument(note));
  await replayJournal(knex, state);
  await loadBalances(knex, state);
  await loadOpenOrders(knex, state);
  await loadLastTrades(knex, state);
  const parties: { id: string }[] = await knex('parties').where({ eligible: true }).select('id');
  for (const party of parties) state.eligibleParties.add(party.id);
  assertBooksMatchOrders(state);
  return state;
}

/** Only accepted commands are journaled, so a rejection during replay means the books diverged. */
async function replayJournal(knex: Knex, state: TradingState): Promise<void> {
  let after = -1;
  for (;;) {
    const rows: { seq: string; command: Command }[] = await knex('sequencer_journal')
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(JOURNAL_PAGE)
      .select('seq', 'command');
    for (const row of rows) {
      state.engine.apply(typeof row.command === 'string' ? JSON.parse(row.command) : row.command);
      const first = state.log.take()[0];
      if (first?.type !== 'accepted')
        throw new Error(`recovery: journaled command ${row.seq} was not accepted on replay (${JSON.stringify(first)})`);
    }
    if (rows.length < JOURNAL_PAGE) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  state.lastSeq = state.engine.lastSeq;
}

async function loadBalances(knex: Knex, state: TradingState): Promise<void> {
  const accounts: { party_id: string; asset: string; total: string; held: string; credit_limit: string }[] = await knex('ledger_accounts')
    .whereNotNull('party_id')
    .select('party_id', 'asset', 'total', 'held', 'credit_limit');
  for (const a of accounts)
    state.accounts.loadAccount(a.party_id, a.asset, new Decimal(a.total), new Decimal(a.held), new Decimal(a.credit_limit));
  const holds: { reference: string; party_id: string; asset: string; amount: string; remaining: string }[] = await knex('ledger_holds as h')
    .join('ledger_accounts as a', 'a.id', 'h.account_id')
    .where('h.status', 'active')
    .select('h.reference', 'a.party_id', 'a.asset', 'h.amount', 'h.remaining');
  for (const h of holds) state.accounts.loadHold(h.reference, h.party_id, h.asset, new Decimal(h.amount), new Decimal(h.remaining));
}

/** The price band's reference: each note's most recent trade, as recordTrade left it before the restart. */
async function loadLastTrades(knex: Knex, state: TradingState): Promise<void> {
  // The same order as lastTradeOrder (state.ts); ids compared bytewise, as JavaScript compares them.
  const rows: { note_id: string; price: string; seq: string; venue: string; id: string }[] = (
    await knex.raw(
      `select distinct on (note_id) note_id, price, seq, venue, id from trades
      order by note_id, seq desc, (venue = 'rfq') desc,
               case when venue = 'rfq' then 0 else split_part(id, '-', 2)::int end desc, id collate "C" desc`,
    )
  ).rows;
  for (const row of rows) {
    state.lastTrade.set(row.note_id, {
      order: lastTradeOrder({ seq: Number(row.seq), venue: row.venue, id: row.id }),
      price: new Decimal(row.price),
    });
  }
}

async function loadOpenOrders(knex: Knex, state: TradingState): Promise<void> {
  const rows = await knex('orders').whereIn('status', ['new', 'partially_filled']).orderBy('created_seq').select('*');
  for (const row of rows) {
    const order = orderFromRow(row);
    state.addLiveOrder(order);
    if (order.source === 'quote') {
      const byNote = state.quotes.get(order.partyId) ?? new Map<string, { bid: string | null; ask: string | null }>();
      const quote = byNote.get(order.noteId) ?? { bid: null, ask: null };
      if (order.side === 'buy') quote.bid = order.id;
      else quote.ask = order.id;
      byNote.set(order.noteId, quote);
      state.quotes.set(order.partyId, byNote);
    }
  }
  const notional: { party_id: string; notional: string }[] = await knex('orders')
    .join('notes', 'notes.id', 'orders.note_id')
    .where({ trade_date: state.businessDate })
    .whereNot('orders.status', 'rejected')
    .groupBy('party_id')
    .select('party_id', knex.raw('sum(orders.quantity * notes.factor * coalesce(orders.price, 0) / 100) as notional'));
  state.notionalDate = state.businessDate;
  for (const row of notional) state.dailyNotional.set(row.party_id, new Decimal(row.notional));
}

function assertBooksMatchOrders(state: TradingState): void {
  let inBooks = 0;
  for (const noteId of state.engine.noteIds()) {
    for (const side of ['buy', 'sell'] as const) {
      for (const view of state.engine.level3(noteId, side) ?? []) {
        inBooks += 1;
        const order = state.liveOrders.get(view.orderId);
        const instrument = state.instruments.get(noteId);
        if (!order || !instrument || !instrument.unitsToFace(view.leavesUnits).eq(order.leaves)) {
          throw new Error(`recovery: order ${view.orderId} in the book does not match the database`);
        }
      }
    }
  }
  if (inBooks !== state.liveOrders.size) {
    throw new Error(`recovery: ${state.liveOrders.size} open orders in the database, ${inBooks} in the replayed books`);
  }
}
