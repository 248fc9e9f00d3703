/**
 * A settlement chunk's fails and fail charges, in the chunk's transaction: fails are recorded with
 * their side and TMPG fail charge (only a failure to deliver is charged: fail-charge.ts), and a
 * fail that settled has its charge frozen and booked through the ledger, the failing seller's cash
 * to the buyer.
 *
 * Guarantees: a charge is booked at most once (the ledger's idempotency key `fail-charge:<id>`);
 * a fail seen again on the same date with the same outcome writes nothing.
 */
import type { Knex } from 'knex';
import type { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, postEntries, type EntryInput } from '../ledger/index.js';
import { failChargeOf } from './fail-charge.js';
import type { ReferenceRates } from './reference-rates.js';
import type { BookedFailCharge, SettledRow } from './run-chunk-rows.js';
import type { FailedSide } from './types.js';

/** What fail handling needs of the chunk: the run's date, creator and reference rates. */
export interface FailContext {
  date: string;
  createdBy: string | null;
  rates: ReferenceRates;
}

/**
 * A fail that settled keeps the charge it accrued until today, frozen (fail-charge.ts does the
 * rounding), and the charge is booked: the seller that failed to deliver pays it to the buyer, in
 * one ledger entry per instruction (key `fail-charge:<id>`), in the chunk's transaction. The DVP
 * writer moves balances at the commit; they are applied first here, so the seller's proceeds of
 * this very settlement are there to pay from.
 */
export async function freezeFailCharges(
  trx: Knex.Transaction,
  ctx: FailContext,
  rows: readonly SettledRow[],
  out: BookedFailCharge[],
): Promise<void> {
  if (rows.length === 0) return;
  const sides: { id: string; failed_side: FailedSide | null }[] = await trx('settlement_instructions')
    .whereIn(
      'id',
      rows.map((r) => r.id),
    )
    .select('id', 'failed_side');
  const sideOf = new Map(sides.map((s) => [String(s.id), s.failed_side]));
  const charges = rows.map((r) => ({
    row: r,
    charge: failChargeOf(
      sideOf.get(r.id) ?? null,
      r.netAmount,
      ctx.rates.forFail(r.chargeFrom as string),
      r.chargeFrom as string,
      ctx.date,
    ),
  }));
  await trx.raw(
    `update settlement_instructions i set fail_charge = v.charge from unnest(?::bigint[], ?::numeric[]) as v(id, charge) where i.id = v.id`,
    [charges.map((c) => c.row.id), charges.map((c) => c.charge.toFixed(2))],
  );
  const booked = charges.filter((c) => c.charge.gt(0));
  if (booked.length === 0) return;
  await trx.raw('set constraints all immediate');
  const entries: EntryInput[] = booked.map(({ row, charge }) => ({
    idempotencyKey: `fail-charge:${row.id}`,
    kind: 'fail_charge',
    description: `TMPG fail charge of settlement instruction ${row.id} (${row.chargeFrom} to ${ctx.date})`,
    businessDate: ctx.date,
    createdBy: ctx.createdBy,
    metadata: { instructionId: row.id, failedSince: row.chargeFrom, settledDate: ctx.date, proceeds: row.netAmount.toFixed(2) },
    postings: [
      { account: { partyId: row.sellerPartyId, asset: CASH_ASSET }, amount: charge.negated() },
      { account: { partyId: row.buyerPartyId, asset: CASH_ASSET }, amount: charge },
    ],
  }));
  const posted = await postEntries(trx, entries);
  await trx.raw(
    `update settlement_instructions i set fail_charge_entry_id = v.entry from unnest(?::bigint[], ?::bigint[]) as v(id, entry) where i.id = v.id`,
    [booked.map((b) => b.row.id), posted.map((p) => p.id)],
  );
  out.push(...booked.map(({ row, charge }) => ({ sellerPartyId: row.sellerPartyId, buyerPartyId: row.buyerPartyId, amount: charge })));
}

/** A fail stays in the run queue; seen again on the same date with the same outcome it writes nothing (re-runs change nothing). */
export async function markFailed(
  trx: Knex.Transaction,
  ctx: FailContext,
  rows: { id: string; side: FailedSide; charge: Decimal }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `update settlement_instructions i
        set status = 'failed', failed_side = v.side, fail_since = i.settlement_date, fail_charge = v.charge,
            attempts = case when i.last_attempt_date = ?::date then i.attempts else i.attempts + 1 end,
            last_attempt_date = ?::date, updated_at = now()
       from unnest(?::bigint[], ?::text[], ?::numeric[]) as v(id, side, charge)
      where i.id = v.id
        and (i.status, i.failed_side, i.fail_charge, i.last_attempt_date) is distinct from ('failed', v.side, v.charge, ?::date)`,
    [ctx.date, ctx.date, rows.map((r) => r.id), rows.map((r) => r.side), rows.map((r) => r.charge.toFixed(2)), ctx.date],
  );
}
