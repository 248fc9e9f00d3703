/**
 * `cn` commands of the back office's day (issue 19): the audit trail (`cn audit`, with filters,
 * --json and --csv, every page followed), the settlement-run history with its amounts and a total
 * (`cn runs`), and the pre-roll checklist (`cn checklist`). Entities are shown by name (notes as
 * Deal/Class, parties, deals, obligors), the raw reference stays in --json, TSV and CSV.
 */
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry, type ComputeNotesClient, type SettlementRun } from '../../sdk/index.js';
import { Decimal } from 'decimal.js';
import { dateArg, flag, has, integerFlag, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { cash, face, time } from '../output.js';
import { noteLabels } from '../session.js';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** --from/--to of the trail: a date, or an instant with its offset. */
function boundArg(text: string, what: string): string {
  if (INSTANT.test(text)) return text;
  return dateArg(text, what);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n');
}

/** `key=value` pairs of an action's figures, for a table cell. */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** Names for the ids the trail's entities carry; what it cannot read (another role's lists) stays an id. */
async function entityNamer(c: ComputeNotesClient): Promise<(entity: string) => string> {
  const settle = async <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);
  const [notes, deals, parties, obligors] = await Promise.all([
    settle(c.notes()),
    settle(c.deals()),
    settle(c.parties()),
    settle(c.obligors()),
  ]);
  const names = new Map<string, string>();
  if (notes && deals) for (const [id, label] of noteLabels(notes, deals)) names.set(`note:${id}`, `note ${label}`);
  for (const d of deals ?? []) names.set(`deal:${d.id}`, `deal ${d.name}`);
  for (const p of parties ?? []) names.set(`party:${p.id}`, `party ${p.name}`);
  for (const o of obligors ?? []) names.set(`obligor:${o.id}`, `obligor ${o.name}`);
  return (entity) => {
    const known = names.get(entity);
    if (known) return known;
    // deal:<id>/collection:<ref> and the like: name the deal, keep the rest.
    const slash = entity.indexOf('/');
    if (slash > 0 && names.has(entity.slice(0, slash))) return `${names.get(entity.slice(0, slash))}/${entity.slice(slash + 1)}`;
    return entity;
  };
}

const audit: Command = {
  name: 'audit',
  group: 'Back office',
  usage: `audit [--from D|T] [--to D|T] [--actor USER] [--action A] [--limit N] [--json | --csv]`,
  summary:
    'the audit trail, newest first: who did what, on what, when (back office, operator); dates cover whole UTC days; every page is followed (--limit caps the rows, default 1000)',
  async run({ args, out, client }) {
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    const actor = flag(args, 'actor');
    const action = flag(args, 'action');
    if (action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`--action is one of ${AUDIT_ACTIONS.join(', ')}`);
    const max = integerFlag(args, 'limit', 1, 100_000) ?? 1000;
    const c = await client();
    const rows = await c.auditAll(
      {
        ...(from ? { from: boundArg(from, '--from') } : {}),
        ...(to ? { to: boundArg(to, '--to') } : {}),
        ...(actor ? { actor } : {}),
        ...(action ? { action: action as AuditAction } : {}),
      },
      { max },
    );
    if (out.mode === 'json') return out.json(rows);
    const named = await entityNamer(c);
    if (has(args, 'csv')) {
      return void out.line(
        csv(
          ['id', 'at', 'actor', 'role', 'action', 'entity', 'entityName', 'details'],
          rows.map((r) => [r.id, r.at, r.actor, r.role, r.action, r.entity, named(r.entity), JSON.stringify(r.details)]),
        ),
      );
    }
    out.table<AuditEntry>(
      [
        { header: 'AT', value: (r) => r.at, format: (r) => time(r.at) },
        { header: 'ACTOR', value: (r) => r.actor },
        { header: 'ROLE', value: (r) => r.role },
        { header: 'ACTION', value: (r) => r.action },
        { header: 'ENTITY', value: (r) => r.entity, format: (r) => named(r.entity) },
        { header: 'DETAILS', value: (r) => JSON.stringify(r.details), format: (r) => detailsText(r.details) },
      ],
      rows,
      { empty: 'no audit rows' },
    );
  },
};

const runs: Command = {
  name: 'runs',
  group: 'Back office',
  usage: 'runs [--date D | --from D --to D] [--limit N] [--json | --csv]',
  summary: 'settlement-run history, newest first: settled and failed counts and amounts (cash and face), who ran it, with a total',
  async run({ args, out, client }) {
    const date = flag(args, 'date');
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    if (from && to && dateArg(from, '--from') > dateArg(to, '--to')) throw new UsageError('--from must not be after --to');
    const limit = integerFlag(args, 'limit', 1, 500) ?? 50;
    const list = await (await client()).settlementRuns({
      limit,
      ...(date ? { date: dateArg(date, '--date') } : {}),
      ...(from ? { from: dateArg(from, '--from') } : {}),
      ...(to ? { to: dateArg(to, '--to') } : {}),
    });
    if (out.mode === 'json') return out.json(list);
    const sum = (pick: (r: SettlementRun) => string | number) => list.reduce((t, r) => t.plus(pick(r)), new Decimal(0)).toFixed();
    const header = [
      'run',
      'date',
      'mode',
      'status',
      'due',
      'settled',
      'failed',
      'settledAmount',
      'settledFace',
      'failedAmount',
      'failedFace',
      'by',
      'startedAt',
    ];
    const fields = (r: SettlementRun) => [
      r.id,
      r.date,
      r.mode,
      r.status,
      String(r.total),
      String(r.settled),
      String(r.failed),
      r.settledAmount,
      r.settledFace,
      r.failedAmount,
      r.failedFace,
      r.createdBy ?? '',
      r.startedAt,
    ];
    if (has(args, 'csv')) return void out.line(csv(header, list.map(fields)));
    type Row = SettlementRun | { total: true };
    const totals = {
      total: true as const,
      due: sum((r) => r.total),
      settled: sum((r) => r.settled),
      failed: sum((r) => r.failed),
      settledAmount: sum((r) => r.settledAmount),
      settledFace: sum((r) => r.settledFace),
      failedAmount: sum((r) => r.failedAmount),
      failedFace: sum((r) => r.failedFace),
    };
    const of = (row: Row, pick: (r: SettlementRun) => string, total: string) => ('id' in row ? pick(row) : total);
    const rows: Row[] = out.mode === 'table' && list.length > 0 ? [...list, { total: true }] : list;
    out.table<Row>(
      [
        { header: 'RUN', value: (r) => ('id' in r ? r.id : 'TOTAL') },
        { header: 'DATE', value: (r) => of(r, (x) => x.date, '') },
        { header: 'MODE', value: (r) => of(r, (x) => x.mode, '') },
        { header: 'STATUS', value: (r) => of(r, (x) => x.status, '') },
        { header: 'DUE', value: (r) => of(r, (x) => String(x.total), totals.due), align: 'right' },
        { header: 'SETTLED', value: (r) => of(r, (x) => String(x.settled), totals.settled), align: 'right' },
        { header: 'FAILED', value: (r) => of(r, (x) => String(x.failed), totals.failed), align: 'right' },
        {
          header: 'SETTLED_AMOUNT',
          value: (r) => of(r, (x) => x.settledAmount, totals.settledAmount),
          format: (r) => cash(of(r, (x) => x.settledAmount, totals.settledAmount)),
          align: 'right',
        },
        {
          header: 'SETTLED_FACE',
          value: (r) => of(r, (x) => x.settledFace, totals.settledFace),
          format: (r) => face(of(r, (x) => x.settledFace, totals.settledFace)),
          align: 'right',
        },
        {
          header: 'FAILED_AMOUNT',
          value: (r) => of(r, (x) => x.failedAmount, totals.failedAmount),
          format: (r) => cash(of(r, (x) => x.failedAmount, totals.failedAmount)),
          align: 'right',
        },
        {
          header: 'FAILED_FACE',
          value: (r) => of(r, (x) => x.failedFace, totals.failedFace),
          format: (r) => face(of(r, (x) => x.failedFace, totals.failedFace)),
          align: 'right',
        },
        { header: 'BY', value: (r) => of(r, (x) => x.createdBy ?? '', '') },
        { header: 'STARTED', value: (r) => of(r, (x) => x.startedAt, ''), format: (r) => of(r, (x) => time(x.startedAt), '') },
      ],
      rows,
      { empty: 'no settlement runs' },
    );
  },
};

const checklist: Command = {
  name: 'checklist',
  group: 'Back office',
  usage: 'checklist [--json]',
  summary:
    'the pre-roll checklist: instructions due, open fails, running runs, collections not distributed, registry rows pending or failed',
  async run({ out, client }) {
    const list = await (await client()).preRollChecklist();
    if (out.mode === 'json') return out.json(list);
    if (out.mode === 'table') {
      out.line(`business date ${list.businessDate} → ${list.nextBusinessDate}: ${list.ready ? 'ready to roll' : 'open items below'}`);
    }
    out.table(
      [
        { header: 'OK', value: (i) => (i.ok ? 'yes' : 'no') },
        { header: 'ITEM', value: (i) => i.key, format: (i) => i.label },
        { header: 'COUNT', value: (i) => i.count, align: 'right' },
        { header: 'AMOUNT', value: (i) => i.amount, format: (i) => cash(i.amount), align: 'right' },
      ],
      list.items,
    );
  },
};

export const auditCommands: Command[] = [audit, runs, checklist];
