/**
 * The blotter's filters: note, side, trade-date range (ISO, YYYY-MM-DD) and settlement status.
 * Note and dates are sent to the API (GET /executions?noteId=&from=&to=); side and status filter
 * the rows it returns. Every field has a label tied to it.
 */
import '../desk.css';
import type { Execution } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h } from '../ui/dom.js';
import { labelledField } from '../ui/labelled.js';

export interface BlotterFilter {
  noteId: string;
  side: '' | 'buy' | 'sell';
  from: string;
  to: string;
  /** '' any; 'none' not yet instructed; else an instruction status. */
  status: string;
}

export const STATUS_CHOICES: [string, string][] = [
  ['', 'Any'],
  ['pending', 'Pending'],
  ['settled', 'Settled'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
  ['none', 'Not yet instructed'],
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function blotterFilters(
  app: AppContext,
  onChange: (filter: BlotterFilter) => void,
): { element: HTMLElement; value: () => BlotterFilter; error: HTMLElement } {
  const note = h(
    'select',
    { testid: 'blotter-note' },
    h('option', { value: '' }, 'All notes'),
    app.notes.map((n) => h('option', { value: n.id }, app.noteLabel(n))),
  );
  const side = h(
    'select',
    { testid: 'blotter-side' },
    h('option', { value: '' }, 'Both'),
    h('option', { value: 'buy' }, 'Buy'),
    h('option', { value: 'sell' }, 'Sell'),
  );
  const dateInput = (testid: string) =>
    h('input', { type: 'text', placeholder: 'YYYY-MM-DD', pattern: '\\d{4}-\\d{2}-\\d{2}', autocomplete: 'off', testid, size: '11' });
  const from = dateInput('blotter-from');
  const to = dateInput('blotter-to');
  const status = h(
    'select',
    { testid: 'blotter-status' },
    STATUS_CHOICES.map(([value, label]) => h('option', { value }, label)),
  );
  const error = h('div', { class: 'field-error', testid: 'blotter-filter-error', role: 'alert' });
  const value = (): BlotterFilter => ({
    noteId: note.value,
    side: side.value as BlotterFilter['side'],
    from: from.value.trim(),
    to: to.value.trim(),
    status: status.value,
  });
  const changed = () => {
    const filter = value();
    const bad = [filter.from, filter.to].some((d) => d !== '' && !ISO_DATE.test(d));
    from.classList.toggle('invalid', filter.from !== '' && !ISO_DATE.test(filter.from));
    to.classList.toggle('invalid', filter.to !== '' && !ISO_DATE.test(filter.to));
    error.textContent = bad ? 'Dates as YYYY-MM-DD.' : '';
    if (!bad) onChange(filter);
  };
  for (const select of [note, side, status]) select.addEventListener('change', changed);
  for (const input of [from, to]) input.addEventListener('change', changed);
  const clear = h(
    'button',
    {
      class: 'small',
      type: 'button',
      testid: 'blotter-clear',
      onclick: () => {
        note.value = '';
        side.value = '';
        from.value = '';
        to.value = '';
        status.value = '';
        changed();
      },
    },
    'Clear',
  );
  const element = h(
    'div',
    { class: 'desk-filters', testid: 'blotter-filters' },
    labelledField('Note', note),
    labelledField('Side', side),
    labelledField('Trade date from', from),
    labelledField('Trade date to', to),
    labelledField('Settlement', status),
    clear,
    error,
  );
  return { element, value, error };
}

/** Whether a trade passes the filter's side and status (note and dates are the API's). */
export function passes(trade: Execution, filter: BlotterFilter): boolean {
  if (filter.side && trade.side !== filter.side) return false;
  if (filter.status === 'none') return !trade.settlementStatus;
  if (filter.status && trade.settlementStatus !== filter.status) return false;
  return true;
}
