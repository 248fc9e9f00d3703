/**
 * Back office (issue 19): the settlement-run history with its totals — per run the counts and
 * amounts (cash and face) it settled and failed, who ran it, and a total line over the runs shown —
 * filtered by run date (ISO), with CSV; and the pre-roll checklist: what is still open before the
 * end-of-day roll (instructions due, open fails, running runs, collections not distributed,
 * registry rows pending or failed), each with its count and amount and the first rows behind it.
 */
import { Decimal } from 'decimal.js';
import type { ChecklistItem, PreRollChecklist, SettlementRun } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { newestOnly } from '../ui/newest.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { isoInstant } from './audit.js';
import { isoDateInput, labelled } from './labelled.js';

/** The sums over the runs shown: counts, and amounts added as decimals (never floats). */
export function runTotals(runs: readonly SettlementRun[]) {
  const sum = (pick: (r: SettlementRun) => string | number) => runs.reduce((t, r) => t.plus(pick(r)), new Decimal(0)).toFixed();
  return {
    due: sum((r) => r.total),
    settled: sum((r) => r.settled),
    failed: sum((r) => r.failed),
    settledAmount: sum((r) => r.settledAmount),
    settledFace: sum((r) => r.settledFace),
    failedAmount: sum((r) => r.failedAmount),
    failedFace: sum((r) => r.failedFace),
  };
}

export function runsCsv(runs: readonly SettlementRun[]): string {
  return toCsv(
    [
      'run',
      'date',
      'mode',
      'status',
      'due',
      'settled',
      'failed',
      'settled_amount',
      'settled_face',
      'failed_amount',
      'failed_face',
      'by',
      'started_at',
    ],
    runs.map((r) => [
      r.id,
      r.date,
      r.mode,
      r.status,
      r.total,
      r.settled,
      r.failed,
      r.settledAmount,
      r.settledFace,
      r.failedAmount,
      r.failedFace,
      r.createdBy,
      r.startedAt,
    ]),
  );
}

export function runHistoryPanel(app: AppContext): HTMLElement {
  const from = isoDateInput({ testid: 'runs-from' });
  const to = isoDateInput({ testid: 'runs-to', value: app.businessDate });
  const show = h('button', { type: 'submit', testid: 'runs-apply' }, 'Show');
  const csv = h('button', { type: 'button', testid: 'runs-csv' }, 'CSV');
  const message = new MessageSlot();
  const totals = h('tfoot', { testid: 'runs-totals' });
  let runs: SettlementRun[] = [];
  const table = dataTable<SettlementRun>({
    testid: 'runs-table',
    empty: 'No settlement runs for these dates.',
    rowKey: (r) => r.id,
    columns: [
      { label: 'Run', num: true, render: (r) => r.id },
      { label: 'Date', render: (r) => r.date },
      { label: 'Mode', render: (r) => r.mode },
      { label: 'Status', render: (r) => h('span', { class: `pill ${r.status === 'completed' ? 'settled' : r.status}` }, r.status) },
      { label: 'Due', num: true, render: (r) => String(r.total) },
      { label: 'Settled', num: true, render: (r) => String(r.settled) },
      { label: 'Failed', num: true, render: (r) => String(r.failed) },
      { label: 'Settled USD', num: true, render: (r) => fmt.cash(r.settledAmount) },
      { label: 'Settled face', num: true, render: (r) => fmt.face(r.settledFace) },
      { label: 'Failed USD', num: true, render: (r) => fmt.cash(r.failedAmount) },
      { label: 'Failed face', num: true, render: (r) => fmt.face(r.failedFace) },
      { label: 'By', render: (r) => r.createdBy ?? '' },
      { label: 'Started (UTC)', render: (r) => h('span', { class: 'nowrap' }, isoInstant(r.startedAt)) },
    ],
  });
  table.element.appendChild(totals);

  const newest = newestOnly();
  const load = async () => {
    if (!from.valid() || !to.valid()) return message.error(new Error('Dates are YYYY-MM-DD, e.g. 2027-01-15.'), 'runs-error');
    message.clear();
    const current = newest();
    try {
      const answer = await app.client.settlementRuns({
        limit: 200,
        ...(from.value.trim() ? { from: from.value.trim() } : {}),
        ...(to.value.trim() ? { to: to.value.trim() } : {}),
      });
      if (!current()) return;
      runs = answer;
      table.update(runs);
      const t = runTotals(runs);
      replace(
        totals,
        runs.length === 0
          ? null
          : h(
              'tr',
              {},
              h('th', { scope: 'row', colspan: '4' }, `Total of ${runs.length} run${runs.length === 1 ? '' : 's'}`),
              [t.due, t.settled, t.failed].map((v) => h('td', { class: 'num' }, v)),
              h('td', { class: 'num', testid: 'runs-total-settled' }, fmt.cash(t.settledAmount)),
              h('td', { class: 'num' }, fmt.face(t.settledFace)),
              h('td', { class: 'num', testid: 'runs-total-failed' }, fmt.cash(t.failedAmount)),
              h('td', { class: 'num' }, fmt.face(t.failedFace)),
              h('td', { colspan: '2' }),
            ),
      );
    } catch (error) {
      if (current()) message.error(error, 'runs-error');
    }
  };
  const form = h(
    'form',
    { class: 'row filters', testid: 'runs-filters', 'aria-label': 'Run history filters', novalidate: true },
    labelled('Runs from (date)', from),
    labelled('to (date)', to),
    h('div', { class: 'fit' }, show),
    h('div', { class: 'fit' }, csv),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  csv.addEventListener('click', () => downloadText(`settlement-runs-${from.value || 'start'}_${to.value || 'now'}.csv`, runsCsv(runs)));
  void load();
  return panel('Settlement-run history', [form, message.element, h('div', { class: 'hscroll' }, table.element)], {
    testid: 'runs-panel',
  });
}

function itemRows(item: ChecklistItem): HTMLElement | null {
  if (item.rows.length === 0) return null;
  const keys = Object.keys(item.rows[0]!);
  return h(
    'details',
    {},
    h('summary', {}, `Show ${item.rows.length === item.count ? 'them' : `the first ${item.rows.length}`}`),
    h(
      'table',
      { class: 'compact' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          keys.map((k) => h('th', { scope: 'col' }, k)),
        ),
      ),
      h(
        'tbody',
        {},
        item.rows.map((r) =>
          h(
            'tr',
            {},
            keys.map((k) => h('td', {}, r[k] ?? '')),
          ),
        ),
      ),
    ),
  );
}

function checklistView(list: PreRollChecklist): HTMLElement {
  return h(
    'div',
    {},
    h(
      'p',
      { testid: 'checklist-summary', class: list.ready ? 'ok-text' : 'warn-text' },
      list.ready
        ? `Nothing open: ready to roll ${list.businessDate} to ${list.nextBusinessDate}.`
        : `Open before rolling ${list.businessDate} to ${list.nextBusinessDate}:`,
    ),
    h(
      'table',
      { testid: 'checklist-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Check'),
          h('th', { scope: 'col' }, 'Item'),
          h('th', { scope: 'col', class: 'num' }, 'Count'),
          h('th', { scope: 'col', class: 'num' }, 'Amount USD'),
        ),
      ),
      h(
        'tbody',
        {},
        list.items.map((item) =>
          h(
            'tr',
            { testid: `checklist-${item.key}` },
            h('td', {}, h('span', { class: `pill ${item.ok ? 'settled' : 'pending'}` }, item.ok ? 'ok' : 'open')),
            h('td', {}, item.label, itemRows(item)),
            h('td', { class: 'num' }, String(item.count)),
            h('td', { class: 'num' }, item.amount === null ? '' : fmt.cash(item.amount)),
          ),
        ),
      ),
    ),
  );
}

export function checklistPanel(app: AppContext): HTMLElement {
  const body = h('div', { testid: 'checklist-body' });
  const refresh = h('button', { type: 'button', testid: 'checklist-refresh' }, 'Refresh');
  const message = new MessageSlot();
  const load = async () => {
    try {
      replace(body, checklistView(await app.client.preRollChecklist()));
    } catch (error) {
      replace(body, errorAlert(error, 'checklist-error'));
    }
  };
  refresh.addEventListener('click', () => void withBusy(refresh, message, load));
  void load();
  return panel('Pre-roll checklist', [message.element, body], { tools: refresh, testid: 'checklist-panel' });
}
