/**
 * The pre-roll checklist: what the back office should see done (or knowingly carry over) before
 * the end-of-day roll moves the business date. Each item counts rows of the books as they are now
 * and is `ok` when there are none; the roll itself does not refuse on them (fails are carried by
 * design), the checklist only says what is open.
 *
 * - `instructions_due`: settlement instructions still pending whose settlement date is on or
 *   before the business date (a settlement run for the day has not taken them);
 * - `open_fails`: instructions that failed and are still open (the next run retries them);
 * - `settlement_runs_running`: runs that have not ended;
 * - `collections_undistributed`: collections recorded (the active version) for a payment date on
 *   or before the business date whose distribution has not run — cash in trust not yet paid out;
 * - `registry_pending`: on-chain registry outbox rows not yet published;
 * - `registry_failed`: outbox rows that failed permanently and no repair has superseded.
 */
import type { Knex } from 'knex';
import { addBusinessDays } from '../domain/calendar.js';
import { parseIsoDate } from '../domain/dates.js';
import { Decimal } from '../domain/decimal.js';
import { currentBusinessDate } from './index.js';

export const CHECKLIST_ITEMS = [
  'instructions_due',
  'open_fails',
  'settlement_runs_running',
  'collections_undistributed',
  'registry_pending',
  'registry_failed',
] as const;
export type ChecklistKey = (typeof CHECKLIST_ITEMS)[number];

export interface ChecklistItem {
  key: ChecklistKey;
  label: string;
  count: number;
  /** USD total where the item is cash (net amounts, net collections), else null. */
  amount: string | null;
  ok: boolean;
  /** Up to ROWS_SHOWN of the rows counted, newest or most urgent first. */
  rows: Record<string, string>[];
}

export interface Checklist {
  businessDate: string;
  nextBusinessDate: string;
  ready: boolean;
  items: ChecklistItem[];
}

const ROWS_SHOWN = 20;

async function rows<T>(db: Knex, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  return ((await db.raw(sql, bindings as Knex.RawBinding[])) as { rows: T[] }).rows;
}

function item(key: ChecklistKey, label: string, count: number, amount: string | null, shown: Record<string, string>[]): ChecklistItem {
  return { key, label, count, amount, ok: count === 0, rows: shown };
}

export async function preRollChecklist(db: Knex): Promise<Checklist> {
  const businessDate = await currentBusinessDate(db);
  const nextBusinessDate = addBusinessDays(parseIsoDate(businessDate), 1);

  const instructionTotals = await rows<{ status: string; count: string; amount: string | null }>(
    db,
    `select status, count(*) as count, sum(net_amount) as amount from settlement_instructions
      where (status = 'pending' and settlement_date <= ?::date) or status = 'failed' group by status`,
    [businessDate],
  );
  const totalsOf = (status: string) => instructionTotals.find((r) => r.status === status);
  const instructionRows = async (where: string, bindings: unknown[]) =>
    (
      await rows<{ id: string; note_id: string; note: string | null; settlement_date: string; net_amount: string; quantity: string }>(
        db,
        `select i.id, i.note_id, n.name as note, i.settlement_date::text as settlement_date, i.net_amount, i.quantity
           from settlement_instructions i left join notes n on n.id = i.note_id
          where ${where} order by i.settlement_date, i.id limit ${ROWS_SHOWN}`,
        bindings,
      )
    ).map((r) => ({
      id: String(r.id),
      note: r.note ?? r.note_id,
      settlementDate: r.settlement_date,
      netAmount: new Decimal(r.net_amount).toFixed(2),
      face: new Decimal(r.quantity).toFixed(),
    }));
  const money = (value: string | null | undefined) => new Decimal(value ?? 0).toFixed(2);

  const due = totalsOf('pending');
  const fails = totalsOf('failed');

  const running = await rows<{ id: string; run_date: string; mode: string; started_at: Date }>(
    db,
    `select id, run_date::text as run_date, mode, started_at from settlement_runs where status = 'running' order by id`,
    [],
  );

  const collections = await rows<{ deal: string; reference: string; payment_date: string; net: string }>(
    db,
    `select d.name as deal, c.reference, c.payment_date::text as payment_date, (c.revenue - c.operating_costs) as net
       from servicing_collections c join deals d on d.id = c.deal_id
      where c.status = 'active' and c.payment_date <= ?::date
        and not exists (select 1 from distributions x where x.deal_id = c.deal_id and x.payment_date = c.payment_date)
      order by c.payment_date, d.name, c.reference`,
    [businessDate],
  );
  const collectionsNet = collections.reduce((total, c) => total.plus(c.net), new Decimal(0));

  const outbox = await rows<{ status: string; count: string }>(
    db,
    `select status, count(*) as count from registry_outbox where status in ('pending', 'failed_permanently') group by status`,
    [],
  );
  const outboxCount = (status: string) => Number(outbox.find((r) => r.status === status)?.count ?? 0);
  const outboxRows = async (status: string) =>
    (
      await rows<{ id: string; kind: string; created_at: Date; last_error: string | null }>(
        db,
        `select id, kind, created_at, last_error from registry_outbox where status = ? order by id limit ${ROWS_SHOWN}`,
        [status],
      )
    ).map((r) => ({
      id: String(r.id),
      kind: r.kind,
      createdAt: new Date(r.created_at).toISOString(),
      ...(r.last_error ? { lastError: r.last_error } : {}),
    }));

  const items: ChecklistItem[] = [
    item(
      'instructions_due',
      'Settlement instructions due and not yet run',
      Number(due?.count ?? 0),
      money(due?.amount),
      await instructionRows(`i.status = 'pending' and i.settlement_date <= ?::date`, [businessDate]),
    ),
    item(
      'open_fails',
      'Open fails (retried by the next run)',
      Number(fails?.count ?? 0),
      money(fails?.amount),
      await instructionRows(`i.status = 'failed'`, []),
    ),
    item(
      'settlement_runs_running',
      'Settlement runs still running',
      running.length,
      null,
      running.map((r) => ({ id: String(r.id), date: r.run_date, mode: r.mode, startedAt: new Date(r.started_at).toISOString() })),
    ),
    item(
      'collections_undistributed',
      'Collections recorded but not yet distributed',
      collections.length,
      collectionsNet.toFixed(2),
      collections
        .slice(0, ROWS_SHOWN)
        .map((c) => ({ deal: c.deal, reference: c.reference, paymentDate: c.payment_date, netCashFlow: new Decimal(c.net).toFixed(2) })),
    ),
    item('registry_pending', 'Registry outbox rows not yet published', outboxCount('pending'), null, await outboxRows('pending')),
    item(
      'registry_failed',
      'Registry outbox rows failed permanently (need a repair)',
      outboxCount('failed_permanently'),
      null,
      await outboxRows('failed_permanently'),
    ),
  ];
  return { businessDate, nextBusinessDate, ready: items.every((i) => i.ok), items };
}
