/**
 * Back office checks and exports: the reconciliation of trades, settlements, ledger, positions and
 * the trust account (every break listed; a clear "the books agree" when there are none; CSV
 * download), and each party's daily statement on screen (distributions with interest and principal
 * apart, ledger movements) and as CSV from the API.
 */
import type { ReconciliationBreak, Statement } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel, replace } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, okAlert, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { isIsoDate, isoDateInput } from '../ui/dates.js';
import { newestOnly } from '../ui/newest.js';

export function reconciliationPanel(app: AppContext): HTMLElement {
  const message = new MessageSlot();
  const summary = h('div', { testid: 'recon-summary' });
  let breaks: ReconciliationBreak[] = [];
  const table = dataTable<ReconciliationBreak>({
    testid: 'recon-breaks',
    empty: 'No breaks.',
    columns: [
      { label: 'Kind', render: (b) => b.kind },
      { label: 'Entity', render: (b) => b.entity },
      { label: 'Expected', num: true, render: (b) => b.expected },
      { label: 'Actual', num: true, render: (b) => b.actual },
      { label: 'Difference', num: true, render: (b) => b.difference, cellClass: () => 'neg' },
      { label: 'What', render: (b) => b.message },
    ],
  });
  const check = h('button', { class: 'primary', testid: 'recon-run' }, 'Reconcile now');
  const csv = h(
    'button',
    {
      class: 'small',
      testid: 'recon-csv',
      onclick: () =>
        downloadText(
          `reconciliation-${app.businessDate}.csv`,
          toCsv(
            ['kind', 'entity', 'expected', 'actual', 'difference', 'message'],
            breaks.map((b) => [b.kind, b.entity, b.expected, b.actual, b.difference, b.message]),
          ),
        ),
    },
    'CSV',
  );
  const run = () =>
    withBusy(check, message, async () => {
      const report = await app.client.reconciliation();
      breaks = report.breaks;
      table.update(breaks);
      replace(
        summary,
        breaks.length === 0
          ? okAlert(
              `No breaks: trades, settlements, ledger balances, positions and the trust account agree (checked ${fmt.dateTime(report.checkedAt)}).`,
              'recon-clean',
            )
          : h(
              'div',
              { class: 'alert error', testid: 'recon-dirty' },
              `${breaks.length} break${breaks.length === 1 ? '' : 's'} (checked ${fmt.dateTime(report.checkedAt)}).`,
            ),
      );
    });
  check.addEventListener('click', () => void run());
  void run();
  return panel('Reconciliation', h('div', {}, h('div', { class: 'body' }, summary, message.element), table.element), {
    flush: true,
    testid: 'recon-panel',
    tools: [check, csv],
  });
}

type StatementDistribution = Statement['distributions'][number];
type StatementMovement = Statement['movements'][number];

/**
 * A party's statement for a date: shown on screen — the distributions it was paid with interest and
 * principal apart, and every ledger movement of the day — and downloadable as CSV.
 */
export function statementsPanel(app: AppContext): HTMLElement {
  const parties = [...app.parties.values()].filter((p) => p.kind === 'investor' || p.kind === 'dealer');
  const party = h(
    'select',
    { testid: 'statement-party' },
    parties.map((p) => h('option', { value: p.id }, `${p.name} (${p.kind})`)),
  );
  const date = isoDateInput(app.businessDate, { testid: 'statement-date' });
  const message = new MessageSlot();
  const distributions = dataTable<StatementDistribution>({
    testid: 'statement-distributions',
    empty: 'No distribution paid on this date.',
    columns: [
      { label: 'Note', render: (d) => app.noteLabel(d.noteId) },
      { label: 'Payment date', render: (d) => d.paymentDate },
      { label: 'Face of record', num: true, render: (d) => fmt.face(d.faceOfRecord) },
      { label: 'Interest', num: true, render: (d) => fmt.cash(d.interest) },
      { label: 'Principal', num: true, render: (d) => fmt.cash(d.principal) },
      { label: 'Paid', num: true, render: (d) => fmt.cash(d.amount) },
    ],
  });
  const movements = dataTable<StatementMovement>({
    testid: 'statement-movements',
    empty: 'No ledger movement on this date.',
    columns: [
      { label: 'Entry', num: true, render: (m) => m.entryId },
      { label: 'Kind', render: (m) => m.kind.replace(/_/g, ' ') },
      { label: 'Asset', render: (m) => (m.asset === 'USD' ? 'USD cash' : app.noteLabel(m.asset)) },
      { label: 'Amount', num: true, render: (m) => (m.asset === 'USD' ? fmt.cash(m.amount) : fmt.face(m.amount)) },
      { label: 'What', render: (m) => m.description },
    ],
  });
  const checked = () => {
    if (!isIsoDate(date.value)) throw new Error(`"${date.value}" is not a date: write it as YYYY-MM-DD, e.g. ${app.businessDate}.`);
    return { partyId: party.value, date: date.value };
  };
  const shown = h('p', { class: 'muted body', testid: 'statement-of' });
  const newest = newestOnly();
  const show = h('button', { testid: 'statement-show' }, 'Show');
  show.addEventListener(
    'click',
    () =>
      void withBusy(show, message, async () => {
        const query = checked();
        const current = newest();
        const statement = await app.client.statement(query);
        if (!current()) return;
        distributions.update(statement.distributions);
        movements.update(statement.movements);
        replace(shown, `Statement of ${app.partyName(query.partyId)} for ${query.date}`);
      }),
  );
  const download = h('button', { testid: 'statement-csv' }, 'Download statement CSV');
  download.addEventListener(
    'click',
    () =>
      void withBusy(download, message, async () => {
        const query = checked();
        const csv = await app.client.statementCsv(query);
        const name = app.parties.get(query.partyId)?.name.replace(/[^A-Za-z0-9]+/g, '-') ?? query.partyId;
        downloadText(`statement-${name}-${query.date}.csv`, csv);
        message.ok(
          `Statement of ${app.partyName(query.partyId)} for ${query.date} downloaded (${csv.trim().split('\n').length - 1} lines).`,
          'statement-result',
        );
      }),
  );
  if (party.value) show.click();
  return panel(
    'Statements',
    h(
      'div',
      {},
      h(
        'div',
        { class: 'body' },
        h(
          'div',
          { class: 'row' },
          field('Party', party),
          h('div', { class: 'fit' }, field('Date', date)),
          h('div', { class: 'fit' }, show),
          h('div', { class: 'fit' }, download),
        ),
        message.element,
      ),
      shown,
      h('h3', { class: 'subhead' }, 'Distributions: interest and principal'),
      h('div', { class: 'hscroll' }, distributions.element),
      h('h3', { class: 'subhead' }, 'Ledger movements'),
      h('div', { class: 'hscroll' }, movements.element),
    ),
    { testid: 'statements-panel', flush: true },
  );
}
