/**
 * The TMPG reference rate as a dated series set by the operator (percent per annum; in practice
 * the FOMC's federal funds target rate, or the lower limit of its target range). A fail's charge
 * uses the rate in force at the close of the business day before its contractual settlement date
 * (TMPG: "R = the TMPG reference rate at the close of business on the business day preceding the
 * fail"): the latest rate dated on or before that day. Before the first dated rate, the configured
 * default applies (SETTLEMENT_FAIL_REFERENCE_RATE, else 0).
 *
 * ReferenceRates is pure (a sorted series in memory); load/set do the I/O.
 */
import type { Knex } from 'knex';
import { audited, type AuditActor } from '../audit/index.js';
import { Decimal } from '../domain/decimal.js';
import { previousBusinessDay } from '../domain/calendar.js';
import { parseIsoDate } from '../domain/dates.js';

export interface ReferenceRate {
  date: string;
  ratePercent: string;
}

export class ReferenceRates {
  /** Sorted by date, ascending. */
  private readonly series: { date: string; rate: Decimal }[];

  constructor(
    series: readonly ReferenceRate[],
    private readonly fallback: Decimal = new Decimal(0),
  ) {
    this.series = [...series]
      .map((r) => ({ date: r.date, rate: new Decimal(r.ratePercent) }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  /** A constant rate (tests, and callers that have no series). */
  static constant(ratePercent: Decimal): ReferenceRates {
    return new ReferenceRates([], ratePercent);
  }

  /** The rate in force at the close of `date`: the latest one dated on or before it. */
  inForceAt(date: string): Decimal {
    let found = this.fallback;
    for (const entry of this.series) {
      if (entry.date > date) break;
      found = entry.rate;
    }
    return found;
  }

  /** The rate a fail of an instruction due on `settlementDate` is charged at. */
  forFail(settlementDate: string): Decimal {
    return this.inForceAt(previousBusinessDay(parseIsoDate(settlementDate)));
  }
}

export async function listReferenceRates(db: Knex | Knex.Transaction): Promise<ReferenceRate[]> {
  const rows: { rate_date: string; rate_percent: string }[] = await db('reference_rates')
    .orderBy('rate_date')
    .select('rate_date', 'rate_percent');
  return rows.map((r) => ({ date: r.rate_date, ratePercent: new Decimal(r.rate_percent).toFixed() }));
}

export async function loadReferenceRates(db: Knex | Knex.Transaction, fallback: Decimal): Promise<ReferenceRates> {
  return new ReferenceRates(await listReferenceRates(db), fallback);
}

/** Sets (or corrects) the rate of one date. */
export async function setReferenceRate(
  db: Knex | Knex.Transaction,
  date: string,
  ratePercent: Decimal,
  setBy: string | null,
  actor?: AuditActor,
): Promise<ReferenceRate> {
  return audited(
    db,
    actor,
    async (db) => {
      await db('reference_rates')
        .insert({ rate_date: date, rate_percent: ratePercent.toFixed(), set_by: setBy })
        .onConflict('rate_date')
        .merge({ rate_percent: ratePercent.toFixed(), set_by: setBy, set_at: db.fn.now() });
      return { date, ratePercent: ratePercent.toFixed() };
    },
    (rate) => ({ action: 'reference_rate.set', entity: `reference-rate:${rate.date}`, details: { ratePercent: rate.ratePercent } }),
  );
}
