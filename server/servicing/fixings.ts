/**
 * Stored rate fixings: the published value of a floating-rate index (SOFR, …) per date, set once by
 * an operator or the back office and used by every distribution and projection of a floating class.
 *
 * Which fixing a period uses — as a deal's documents define it for a term-style fixing set in
 * advance: the period's **determination date** is the second business day before its accrual
 * start (the previous payment date), and the period uses the fixing of the index dated **on or
 * before** that day, the latest such (a day the index was not published takes the last one
 * published), but no older than FIXING_LOOKBACK_BUSINESS_DAYS business days before it: a series that
 * stopped being loaded must not pay a stale rate silently. Without one the distribution is refused
 * (422 RATE_FIXING_REQUIRED, nothing changed), unless its request supplies the fixing.
 *
 * A fixing given in a distribution's request still overrides the stored one; the trustee report
 * records which was used (`source`), the stored one it overrode, and the determination date.
 * A correction of a stored fixing changes later distributions only; a distribution keeps the
 * fixing its report recorded.
 */
import type { Knex } from 'knex';
import { audited, type AuditActor } from '../audit/index.js';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { previousBusinessDay } from '../domain/calendar.js';
import { parseIsoDate } from '../domain/dates.js';
import type { WaterfallDefinition } from './definition.js';

/** An index name as stored and as a distribution's `fixings` keys it: SOFR, TERM_SOFR_1M, … */
export const INDEX_NAME = /^[A-Z][A-Z0-9_-]{0,19}$/;
/** How far before the determination date the latest stored fixing may be dated (business days). */
export const FIXING_LOOKBACK_BUSINESS_DAYS = 5;
/** A fixing's bounds, percent (those of a projection's ratePath). */
export const FIXING_MIN_PERCENT = '-5';
export const FIXING_MAX_PERCENT = '100';

export interface RateFixing {
  index: string;
  date: string;
  ratePercent: string;
}

/** A floating class's rate for one period, as the trustee report shows it. */
export interface PeriodRateFixing {
  className: string;
  index: string;
  fixingPercent: string;
  marginBp: string;
  couponPercent: string;
  /** 'stored': the series' fixing in effect; 'request': given with the distribution. */
  source: 'stored' | 'request';
  determinationDate: string;
  /** The stored fixing's date (source 'stored'), else null. */
  fixingDate: string | null;
  /** Given in the request while the series had one in effect: the stored value it overrode. */
  overriddenFixing?: { date: string; ratePercent: string };
}

/** The second business day before the accrual start: the day the period's fixing is determined. */
export function determinationDate(accrualStart: string): string {
  return previousBusinessDay(previousBusinessDay(parseIsoDate(accrualStart)));
}

function earliestAccepted(determination: string): string {
  let d = determination;
  for (let i = 0; i < FIXING_LOOKBACK_BUSINESS_DAYS; i += 1) d = previousBusinessDay(parseIsoDate(d));
  return d;
}

const canonical = (value: string) => new Decimal(value).toFixed();

/** The index's fixings, oldest first, optionally from/to (inclusive). */
export async function listRateFixings(db: Knex | Knex.Transaction, index: string, range: { from?: string; to?: string } = {}) {
  let query = db('rate_fixings').where({ index_name: index });
  if (range.from) query = query.andWhere('fixing_date', '>=', range.from);
  if (range.to) query = query.andWhere('fixing_date', '<=', range.to);
  const rows: { fixing_date: string; rate_percent: string }[] = await query.orderBy('fixing_date').select('fixing_date', 'rate_percent');
  return rows.map((r): RateFixing => ({ index, date: r.fixing_date, ratePercent: canonical(r.rate_percent) }));
}

/** Sets (or corrects) one date's fixing; the audit row keeps the value it replaced. */
export async function setRateFixing(
  db: Knex,
  fixing: { index: string; date: string; ratePercent: Decimal },
  setBy: string | null,
  actor?: AuditActor,
): Promise<RateFixing & { previousRatePercent: string | null }> {
  return audited(
    db,
    actor,
    async (trx) => {
      const previous: { rate_percent: string } | undefined = await trx('rate_fixings')
        .where({ index_name: fixing.index, fixing_date: fixing.date })
        .forUpdate()
        .first('rate_percent');
      const ratePercent = fixing.ratePercent.toFixed();
      await trx('rate_fixings')
        .insert({ index_name: fixing.index, fixing_date: fixing.date, rate_percent: ratePercent, set_by: setBy })
        .onConflict(['index_name', 'fixing_date'])
        .merge({ rate_percent: ratePercent, set_by: setBy, set_at: trx.fn.now() });
      return {
        index: fixing.index,
        date: fixing.date,
        ratePercent,
        previousRatePercent: previous ? canonical(previous.rate_percent) : null,
      };
    },
    (set) => ({
      action: 'rate_fixing.set',
      entity: `rate-fixing:${set.index}/${set.date}`,
      details: { ratePercent: set.ratePercent, previousRatePercent: set.previousRatePercent },
    }),
  );
}

/** The stored fixing a period starting on `accrualStart` uses, or null (none in the lookback window). */
export async function fixingInEffect(
  db: Knex | Knex.Transaction,
  index: string,
  accrualStart: string,
): Promise<(RateFixing & { determinationDate: string }) | null> {
  const determination = determinationDate(accrualStart);
  const row: { fixing_date: string; rate_percent: string } | undefined = await db('rate_fixings')
    .where({ index_name: index })
    .andWhere('fixing_date', '<=', determination)
    .andWhere('fixing_date', '>=', earliestAccepted(determination))
    .orderBy('fixing_date', 'desc')
    .first('fixing_date', 'rate_percent');
  return row ? { index, date: row.fixing_date, ratePercent: canonical(row.rate_percent), determinationDate: determination } : null;
}

/**
 * Each floating class's fixing and coupon (fixing + margin) for the period from `accrualStart`:
 * the request's fixing of its index when given, else the stored one in effect; neither →
 * RATE_FIXING_REQUIRED naming the request field and the determination date.
 */
export async function periodRateFixings(
  db: Knex | Knex.Transaction,
  definition: WaterfallDefinition,
  accrualStart: string,
  given: Readonly<Record<string, string>>,
): Promise<PeriodRateFixing[]> {
  const lines: PeriodRateFixing[] = [];
  for (const c of definition.classes) {
    if (!c.floatingRate) continue;
    const index = c.floatingRate.index;
    const determination = determinationDate(accrualStart);
    const stored = await fixingInEffect(db, index, accrualStart);
    const requested = Object.hasOwn(given, index) ? given[index] : undefined;
    if (requested === undefined && stored === null)
      throw new Rejection(
        'RATE_FIXING_REQUIRED',
        `class ${c.className} floats on ${index}: no ${index} fixing is stored on or before the determination date ${determination} (from ${earliestAccepted(determination)}); store it (PUT /rate-fixings/${index}/:date) or supply fixings.${index}`,
        { field: `fixings.${index}`, className: c.className, index, determinationDate: determination },
      );
    const fixing = new Decimal(requested ?? stored!.ratePercent);
    lines.push({
      className: c.className,
      index,
      fixingPercent: fixing.toFixed(),
      marginBp: c.floatingRate.marginBp,
      couponPercent: fixing.plus(new Decimal(c.floatingRate.marginBp).div(100)).toFixed(),
      source: requested === undefined ? 'stored' : 'request',
      determinationDate: determination,
      fixingDate: requested === undefined ? stored!.date : null,
      ...(requested !== undefined && stored !== null ? { overriddenFixing: { date: stored.date, ratePercent: stored.ratePercent } } : {}),
    });
  }
  return lines;
}
