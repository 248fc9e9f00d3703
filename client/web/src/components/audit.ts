/**
 * The audit trail for the back office and operators (issue 19): who did what, on what, when —
 * filtered by dates (ISO, whole UTC days), user and action, newest first, a page at a time with
 * "Older" to follow; entities by name (notes as "Meridian 2026-1 B", parties, deals); CSV export
 * of everything the filters match (every page).
 */
import { AUDIT_ACTIONS, type AuditEntry, type AuditQuery } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import { newestOnly } from '../ui/newest.js';
import { MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { isoDateInput, labelled } from './labelled.js';

const PAGE = 50;

/** `note:<id>` → the note's label, `party:<id>` → the party's name, `deal:<id>/…` → the deal's name and the rest. */
export function entityName(app: AppContext, entity: string): string {
  const slash = entity.indexOf('/');
  const head = slash > 0 ? entity.slice(0, slash) : entity;
  const rest = slash > 0 ? entity.slice(slash) : '';
  const colon = head.indexOf(':');
  if (colon < 0) return entity;
  const kind = head.slice(0, colon);
  const id = head.slice(colon + 1);
  switch (kind) {
    case 'note':
      return app.note(id) ? `${app.noteLabel(id)}${rest}` : entity;
    case 'party':
      return app.parties.has(id) ? `${app.parties.get(id)!.name}${rest}` : entity;
    case 'deal': {
      const deal = app.deals.find((d) => d.id === id);
      return deal ? `${deal.name}${rest}` : entity;
    }
    default:
      return entity;
  }
}

/** The action's figures as `key value` pairs, for a table cell. */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

/** "2027-01-15 14:30:05Z": ISO, in UTC, to the second. */
export function isoInstant(at: string): string {
  return at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function auditCsv(app: AppContext, rows: readonly AuditEntry[]): string {
  return toCsv(
    ['id', 'at', 'actor', 'role', 'action', 'entity', 'entity_name', 'details'],
    rows.map((r) => [r.id, r.at, r.actor, r.role, r.action, r.entity, entityName(app, r.entity), JSON.stringify(r.details)]),
  );
}

export function auditPanel(app: AppContext): HTMLElement {
  const from = isoDateInput({ testid: 'audit-from' });
  const to = isoDateInput({ testid: 'audit-to' });
  const actor = h('input', { type: 'text', testid: 'audit-actor', placeholder: 'username', autocomplete: 'off', size: '12' });
  const action = h(
    'select',
    { testid: 'audit-action' },
    h('option', { value: '' }, 'All actions'),
    AUDIT_ACTIONS.map((a) => h('option', { value: a }, a)),
  );
  const apply = h('button', { type: 'submit', testid: 'audit-apply' }, 'Show');
  const csv = h('button', { type: 'button', testid: 'audit-csv' }, 'Export CSV');
  const older = h('button', { type: 'button', testid: 'audit-older' }, 'Older');
  const message = new MessageSlot();
  const status = h('span', { class: 'muted', testid: 'audit-count', 'aria-live': 'polite' });
  let rows: AuditEntry[] = [];

  const table = dataTable<AuditEntry>({
    testid: 'audit-table',
    empty: 'No audit rows for these filters.',
    rowKey: (r) => r.id,
    columns: [
      { label: 'At (UTC)', render: (r) => h('span', { class: 'nowrap' }, isoInstant(r.at)) },
      { label: 'User', render: (r) => r.actor },
      { label: 'Role', render: (r) => r.role },
      { label: 'Action', render: (r) => h('code', {}, r.action) },
      { label: 'On', render: (r) => h('span', { title: r.entity }, entityName(app, r.entity)) },
      {
        label: 'Details',
        render: (r) =>
          h(
            'span',
            { class: 'details', style: 'display: inline-block; min-width: 32ch; max-width: 70ch; white-space: normal' },
            detailsText(r.details),
          ),
      },
    ],
  });

  /** The filters as the API takes them, or null (with the fields marked) when a date is not YYYY-MM-DD. */
  const filters = (): Omit<AuditQuery, 'before' | 'limit'> | null => {
    const okFrom = from.valid();
    const okTo = to.valid();
    if (!okFrom || !okTo) {
      message.error(new Error('Dates are YYYY-MM-DD, e.g. 2027-01-15.'), 'audit-error');
      return null;
    }
    return {
      ...(from.value.trim() ? { from: from.value.trim() } : {}),
      ...(to.value.trim() ? { to: to.value.trim() } : {}),
      ...(actor.value.trim() ? { actor: actor.value.trim() } : {}),
      ...(action.value ? { action: action.value as AuditEntry['action'] } : {}),
    };
  };

  const show = (more: boolean) => {
    table.update(rows);
    replace(status, `${rows.length} row${rows.length === 1 ? '' : 's'}${more ? ', more older' : ''}`);
    older.hidden = !more;
  };

  const newest = newestOnly();
  const load = async (append: boolean) => {
    const query = filters();
    if (!query) return;
    message.clear();
    const current = newest();
    try {
      const before = append && rows.length > 0 ? rows[rows.length - 1]!.id : undefined;
      const page = await app.client.audit({ ...query, limit: PAGE, ...(before ? { before } : {}) });
      // A page of an older filter (or an "older" click under a filter since changed) is dropped.
      if (!current()) return;
      rows = append ? [...rows, ...page] : page;
      show(page.length === PAGE);
    } catch (error) {
      if (current()) message.error(error, 'audit-error');
    }
  };

  const form = h(
    'form',
    { class: 'row filters', testid: 'audit-filters', 'aria-label': 'Audit filters', novalidate: true },
    labelled('From (UTC date)', from),
    labelled('To (UTC date)', to),
    labelled('User', actor),
    labelled('Action', action),
    h('div', { class: 'fit' }, apply),
    h('div', { class: 'fit' }, csv),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(false);
  });
  older.addEventListener('click', () => void withBusy(older, message, () => load(true)));
  csv.addEventListener(
    'click',
    () =>
      void withBusy(csv, message, async () => {
        const query = filters();
        if (!query) return;
        const all = await app.client.auditAll(query);
        const range = `${query.from ?? 'start'}_${query.to ?? app.businessDate}`;
        downloadText(`audit-${range}.csv`, auditCsv(app, all));
      }),
  );
  void load(false);

  return panel(
    'Audit trail',
    [
      form,
      message.element,
      h('div', { class: 'hscroll' }, table.element),
      h('div', { class: 'row' }, status, h('div', { class: 'fit' }, older)),
    ],
    { testid: 'audit-panel' },
  );
}
