/**
 * The TMPG reference rate series that fail charges use (percent, dated; a fail is charged at the
 * rate in force at the close of the business day before its settlement date): every dated rate,
 * newest first, shown exactly as the API sends it (a decimal string, never parsed to a number).
 * Operators set or correct the rate in force from the close of a date — the date typed as ISO
 * (YYYY-MM-DD), the rate as a percent; the API's validation errors show under the field they name.
 * Others (back office) read the series only: the route table lets every user read it.
 */
import type { ReferenceRate } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel } from '../ui/dom.js';
import { FieldErrors } from '../ui/field-errors.js';
import { isoDateInput } from '../ui/dates.js';
import { MessageSlot } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

export function referenceRatesPanel(app: AppContext, options: { edit: boolean }): HTMLElement {
  const table = dataTable<ReferenceRate>({
    testid: 'rates-table',
    empty: 'No dated rate yet: fail charges use the configured default.',
    rowKey: (r) => r.date,
    columns: [
      { label: 'In force from the close of', render: (r) => r.date },
      { label: 'Rate (percent)', num: true, decimals: true, render: (r) => r.ratePercent },
    ],
  });
  const loadError = new MessageSlot();
  const load = async () => {
    try {
      table.update([...(await app.client.referenceRates())].reverse());
      loadError.clear();
    } catch (error) {
      loadError.error(error, 'rates-load-error');
    }
  };
  void load();
  return panel(
    'Reference rates',
    h(
      'div',
      {},
      h(
        'p',
        { class: 'muted' },
        'The TMPG reference rate in percent (e.g. the lower limit of the federal funds target range). A fail is charged at the rate in force at the close of the business day before its settlement date.',
      ),
      options.edit ? rateForm(app, load) : null,
      loadError.element,
      h('h3', {}, 'The series, newest first'),
      h('div', { class: 'hscroll' }, table.element),
    ),
    { testid: 'rates-panel' },
  );
}

function rateForm(app: AppContext, reload: () => Promise<void>): HTMLElement {
  const date = isoDateInput(app.businessDate, { testid: 'rate-date' });
  const rate = h('input', { class: 'num', inputmode: 'decimal', autocomplete: 'off', placeholder: 'e.g. 4.25', testid: 'rate-percent' });
  const message = new MessageSlot();
  const errors = new FieldErrors(message);
  const save = h('button', { class: 'primary', type: 'submit', testid: 'rate-save' }, 'Set rate');
  const form = h(
    'form',
    { testid: 'rate-form' },
    h(
      'div',
      { class: 'row' },
      field('Date (YYYY-MM-DD)', date, errors.slot('date', date, 'rate-error-date')),
      field('Rate, percent', rate, errors.slot('ratePercent', rate, 'rate-error-ratePercent')),
      h('div', { class: 'fit' }, save),
    ),
    message.element,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    // An empty date would change the path (another route): said here rather than sent.
    const day = date.value.trim();
    if (!day) return errors.set('date', 'required: a date YYYY-MM-DD');
    save.disabled = true;
    try {
      // The rate goes as typed (spaces aside): the API checks it and keeps it exact.
      const saved = await app.client.setReferenceRate(day, rate.value.trim());
      message.ok(`Reference rate ${saved.ratePercent}% in force from the close of ${saved.date}.`, 'rate-result');
      await reload();
    } catch (error) {
      errors.show(error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
