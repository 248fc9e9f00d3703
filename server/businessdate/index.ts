/**
 * The system's business date: the trading day that trades are dated with, kept in the database so
 * every process agrees on it. It starts at the first US bond-market business day on or after the
 * day the system is first started and moves only through the end-of-day roll.
 *
 * Guarantees: a roll moves exactly one business day; two rolls racing for the same day move it
 * once (the second sees the new date and, with an expected date, gets BUSINESS_DATE_MISMATCH).
 */
import type { Knex } from 'knex';
import { addBusinessDays, nextBusinessDayOnOrAfter } from '../domain/calendar.js';
import { parseIsoDate } from '../domain/dates.js';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

/**
 * Work that must happen at the end of a trading day (e.g. DAY orders expire), before the date
 * moves; `actor` is who rolled (for the audit rows of what the hook does), absent for a roll
 * without one.
 */
export type EndOfDayHook = (closingDate: string, nextDate: string, actor?: AuditActor) => Promise<void>;

export async function initialiseBusinessDate(db: Knex, todayUtc: string): Promise<string> {
  const initial = nextBusinessDayOnOrAfter(parseIsoDate(todayUtc));
  await db('business_date').insert({ id: 1, business_date: initial }).onConflict('id').ignore();
  return currentBusinessDate(db);
}

export async function currentBusinessDate(db: Knex | Knex.Transaction): Promise<string> {
  const row: { business_date: string } | undefined = await db('business_date').where({ id: 1 }).first('business_date');
  if (!row) throw new Error('the business date has not been initialised');
  return row.business_date;
}

/**
 * The business date, or DATE_AFTER_BUSINESS_DATE when `date` is after it: a settlement run, a
 * distribution and a rate fixing are each dated on a day that has come. `what` names the date in
 * the message ("the settlement date").
 */
export async function assertNotAfterBusinessDate(db: Knex, date: string, what: string): Promise<string> {
  const businessDate = await currentBusinessDate(db);
  if (date > businessDate) {
    throw new Rejection('DATE_AFTER_BUSINESS_DATE', `${what} ${date} is after the business date ${businessDate}`, { date, businessDate });
  }
  return businessDate;
}

export async function rollBusinessDate(
  db: Knex,
  request: { expectedDate?: string; rolledBy: string | null },
  hooks: readonly EndOfDayHook[],
  actor?: AuditActor,
): Promise<{ previousDate: string; businessDate: string }> {
  const closing = await currentBusinessDate(db);
  if (request.expectedDate !== undefined && request.expectedDate !== closing) {
    throw new Rejection('BUSINESS_DATE_MISMATCH', `the business date is ${closing}, not ${request.expectedDate}`, {
      businessDate: closing,
    });
  }
  const next = addBusinessDays(parseIsoDate(closing), 1);
  for (const hook of hooks) await hook(closing, next, actor);
  return inTransaction(db, async (trx) => {
    const row: { business_date: string } = await trx('business_date').where({ id: 1 }).forUpdate().first('business_date');
    if (row.business_date !== closing) {
      throw new Rejection('BUSINESS_DATE_MISMATCH', `the business date moved to ${row.business_date} meanwhile`, {
        businessDate: row.business_date,
      });
    }
    await trx('business_date').where({ id: 1 }).update({ business_date: next, updated_at: trx.fn.now() });
    await trx('business_date_rolls').insert({ from_date: closing, to_date: next, rolled_by: request.rolledBy });
    if (actor) {
      await appendAudit(trx, {
        actor,
        action: 'business_date.roll',
        entity: `business-date:${closing}`,
        details: { from: closing, to: next },
      });
    }
    return { previousDate: closing, businessDate: next };
  });
}
