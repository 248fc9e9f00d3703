/**
 * Trades re-amounted when a distribution changes their note's factor before they settle (issue
 * 15, item 1). A trade's principal and accrued interest are those of the factor in force on its
 * settlement date: a trade that settles after the record date does not carry the payment (the
 * seller, holder of record, receives that period's interest and principal on the face), so the
 * buyer pays principal and accrued on the face as it stands after the payment.
 *
 * Chosen over blocking trading between the factor's determination and its publication: trading
 * never stops, nothing depends on when the trustee publishes, and the rule covers trades done
 * on the days before the payment date too (T+1 trades of the record date settle after it).
 *
 * For each open (pending or failed) instruction of the note settling after the record date whose
 * trade was priced at another factor than the new one and not re-amounted yet: the amounts at
 * the new factor (the trade's price, face and settlement date; the same tradeAmounts as order
 * entry, so the same rounding), the instruction's net amount replaced (the original kept in
 * original_net_amount), one trade_adjustments row with the original and adjusted amounts, and
 * the buyer's trade hold lowered to the new net amount when it holds more (the excess released
 * in the ledger; the sequencer is told after the commit). The trade row stays as executed.
 *
 * Guarantees: idempotent (a trade is re-amounted once; trade_adjustments is keyed by trade);
 * in the caller's transaction; instructions are locked before they change, so a settlement run
 * claiming them waits, and a settled instruction is never re-amounted.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { parseIsoDate } from '../domain/dates.js';
import type { Note } from '../refdata/notes.js';
import { Instrument } from '../refdata/instrument.js';
import { inTransaction } from '../db/transaction.js';
import { executionFor, tradeFromRow } from '../sequencer/records.js';

export interface AmountsView {
  factor: string;
  principal: string;
  accruedInterest: string;
  netAmount: string;
}

export interface Reamounted {
  tradeId: string;
  instructionId: string;
  noteId: string;
  buyerPartyId: string;
  sellerPartyId: string;
  paymentDate: string;
  original: AmountsView;
  adjusted: AmountsView;
  /** The buyer's trade hold after the change, when it was lowered. */
  loweredHold: { reference: string; remaining: Decimal } | null;
}

interface OpenRow {
  instruction_id: string;
  trade_id: string;
  quantity: string;
  price: string;
  factor: string;
  principal: string;
  accrued_interest: string;
  net_amount: string;
  settlement_date: string;
  buyer_party_id: string;
  seller_party_id: string;
  buyer_hold_reference: string | null;
}

export async function reamountUnsettledTrades(
  trx: Knex.Transaction,
  note: Note,
  paymentDate: string,
  recordDate: string,
): Promise<Reamounted[]> {
  const result = await trx.raw(
    `select i.id as instruction_id, t.id as trade_id, t.quantity, t.price, t.factor, t.principal, t.accrued_interest, i.net_amount,
            i.settlement_date::text as settlement_date, i.buyer_party_id, i.seller_party_id, i.buyer_hold_reference
       from settlement_instructions i join trades t on t.id = i.trade_id
      where i.note_id = ? and i.status in ('pending', 'failed') and i.settlement_date > ?::date and t.factor <> ?::numeric
        and not exists (select 1 from trade_adjustments a where a.trade_id = t.id)
      order by i.id for update of i`,
    [note.id, recordDate, note.factor],
  );
  const rows = result.rows as OpenRow[];
  if (rows.length === 0) return [];
  const instrument = new Instrument(note);
  const out: Reamounted[] = [];
  for (const row of rows) {
    const amounts = instrument.amounts(new Decimal(row.quantity), new Decimal(row.price), parseIsoDate(row.settlement_date));
    const original: AmountsView = {
      factor: new Decimal(row.factor).toFixed(),
      principal: new Decimal(row.principal).toFixed(2),
      accruedInterest: new Decimal(row.accrued_interest).toFixed(2),
      netAmount: new Decimal(row.net_amount).toFixed(2),
    };
    const adjusted: AmountsView = {
      factor: instrument.factor.toFixed(),
      principal: amounts.principal.toFixed(2),
      accruedInterest: amounts.accruedInterest.toFixed(2),
      netAmount: amounts.netAmount.toFixed(2),
    };
    await trx('trade_adjustments').insert({
      trade_id: row.trade_id,
      instruction_id: row.instruction_id,
      note_id: note.id,
      payment_date: paymentDate,
      record_date: recordDate,
      factor_before: original.factor,
      factor_after: adjusted.factor,
      principal_before: original.principal,
      accrued_before: original.accruedInterest,
      net_before: original.netAmount,
      principal_after: adjusted.principal,
      accrued_after: adjusted.accruedInterest,
      net_after: adjusted.netAmount,
    });
    await trx('settlement_instructions')
      .where({ id: row.instruction_id })
      .update({
        net_amount: adjusted.netAmount,
        original_net_amount: trx.raw('coalesce(original_net_amount, net_amount)'),
        updated_at: trx.fn.now(),
      });
    const loweredHold = row.buyer_hold_reference === null ? null : await lowerHold(trx, row.buyer_hold_reference, amounts.netAmount);
    out.push({
      tradeId: row.trade_id,
      instructionId: String(row.instruction_id),
      noteId: note.id,
      buyerPartyId: row.buyer_party_id,
      sellerPartyId: row.seller_party_id,
      paymentDate,
      original,
      adjusted,
      loweredHold,
    });
  }
  return out;
}

/** Lowers an active hold to `target` when it holds more, releasing the excess from its account's held amount. */
async function lowerHold(
  trx: Knex.Transaction,
  reference: string,
  target: Decimal,
): Promise<{ reference: string; remaining: Decimal } | null> {
  const hold: { id: string; account_id: string; remaining: string } | undefined = await trx('ledger_holds')
    .where({ reference, status: 'active' })
    .forUpdate()
    .first('id', 'account_id', 'remaining');
  if (!hold || new Decimal(hold.remaining).lte(target)) return null;
  const excess = new Decimal(hold.remaining).minus(target);
  await trx('ledger_accounts').where({ id: hold.account_id }).forUpdate().first('id');
  await trx.raw('update ledger_accounts set held = held - ?::numeric where id = ?', [excess.toFixed(), hold.account_id]);
  await trx('ledger_holds').where({ id: hold.id }).update({ remaining: target.toFixed() });
  return { reference, remaining: target };
}

/**
 * After the distribution's commit and the trading side's new factor: re-amounts trades that the
 * trading side priced at the old factor while the distribution committed (the sweep is idempotent).
 */
export async function reamountAfterPublication(
  knex: Knex,
  notes: readonly Note[],
  paymentDate: string,
  recordDate: string,
): Promise<Reamounted[]> {
  if (notes.length === 0) return [];
  return inTransaction(knex, async (trx) => {
    const out: Reamounted[] = [];
    for (const note of notes) out.push(...(await reamountUnsettledTrades(trx, note, paymentDate, recordDate)));
    return out;
  });
}

/** Each party's executions of the re-amounted trades, as the executions feed and GET /executions show them. */
export async function adjustedExecutions(
  db: Knex,
  adjustments: readonly Reamounted[],
): Promise<Map<string, ReturnType<typeof executionFor>[]>> {
  const views = new Map<string, ReturnType<typeof executionFor>[]>();
  if (adjustments.length === 0) return views;
  const byTrade = new Map(adjustments.map((a) => [a.tradeId, a]));
  const rows: Record<string, unknown>[] = await db('trades')
    .whereIn('id', [...byTrade.keys()])
    .select('*');
  for (const row of rows) {
    const trade = tradeFromRow(row);
    const adjustment = byTrade.get(trade.id) as Reamounted;
    for (const partyId of [trade.buyerPartyId, trade.sellerPartyId]) {
      const list = views.get(partyId) ?? [];
      list.push(executionFor(trade, partyId, adjustment));
      views.set(partyId, list);
    }
  }
  return views;
}
