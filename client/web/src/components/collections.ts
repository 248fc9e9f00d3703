/**
 * Collections by the deal's calendar: each payment date up to the next one with the collection
 * period it closes, the collection recorded for it (reference, version, net cash flow) and whether
 * it was distributed; under it every version of the chosen date's collection, corrections with
 * their reasons. The back office records the trustee's collections for a payment date (figures
 * typed in full — utilization and uptime required, power cost a part of operating costs — or left
 * empty to take them from the period's performance report) and corrects one before its
 * distribution (a new version, with a reason). Operators read (the route table lets them list
 * collections, not record them). API validation errors show under the field they name.
 */
import type { Collection, CollectionFigures, CollectionInput } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel } from '../ui/dom.js';
import { FieldErrors } from '../ui/field-errors.js';
import * as fmt from '../ui/format.js';
import { newestOnly } from '../ui/newest.js';
import { MessageSlot } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { dealCalendar, type DealCalendar } from './deal-calendar.js';

interface CalendarRow {
  paymentDate: string;
  periodStart: string;
  periodEnd: string;
  distributed: boolean;
  active: Collection | undefined;
  versions: number;
}

function calendarTable() {
  return dataTable<CalendarRow>({
    testid: 'coll-calendar',
    empty: 'No payment dates.',
    rowKey: (r) => r.paymentDate,
    columns: [
      { label: 'Payment date', render: (r) => r.paymentDate },
      { label: 'Collection period', render: (r) => `${r.periodStart} to ${r.periodEnd}` },
      { label: 'Collection', render: (r) => (r.active ? `${r.active.reference} v${r.active.version}` : 'not recorded') },
      { label: 'Corrections', num: true, render: (r) => String(Math.max(0, r.versions - 1)) },
      { label: 'Net cash flow', num: true, render: (r) => fmt.cash(r.active?.netCashFlow) },
      { label: 'Distributed', render: (r) => (r.distributed ? 'yes' : 'no') },
    ],
  });
}

function versionsTable() {
  return dataTable<Collection>({
    testid: 'coll-versions',
    empty: 'No collection recorded for this payment date.',
    rowKey: (c) => c.id,
    rowClass: (c) => (c.status === 'superseded' ? 'muted' : undefined),
    columns: [
      { label: 'Reference', render: (c) => c.reference },
      { label: 'Version', num: true, render: (c) => String(c.version) },
      { label: 'Status', render: (c) => c.status },
      { label: 'Revenue', num: true, render: (c) => fmt.cash(c.revenue) },
      { label: 'Operating costs', num: true, render: (c) => fmt.cash(c.operatingCosts) },
      { label: 'of which power', num: true, render: (c) => fmt.cash(c.operatingCostBreakdown.power) },
      { label: 'Net cash flow', num: true, render: (c) => fmt.cash(c.netCashFlow) },
      { label: 'Utilization %', num: true, render: (c) => c.utilization },
      { label: 'Uptime %', num: true, render: (c) => c.uptime },
      { label: 'Reason', render: (c) => c.reason ?? '' },
      { label: 'Recorded', render: (c) => fmt.dateTime(c.recordedAt) },
    ],
  });
}

/** `record`: the viewer may record and correct collections (back office); otherwise it only reads. */
export function collectionsPanel(app: AppContext, options: { record: boolean }): { element: HTMLElement; reload: () => void } {
  const picker = dealCalendar(app, { deal: 'servicing-deal', date: 'servicing-date', period: 'coll-period' });
  const calendar = calendarTable();
  const versions = versionsTable();
  const loadError = new MessageSlot();
  let collections: Collection[] = [];

  const show = () => {
    const rows = picker.calendar().map((entry): CalendarRow => {
      const mine = collections.filter((c) => c.paymentDate === entry.paymentDate);
      return { ...entry, active: mine.find((c) => c.status === 'active'), versions: mine.length };
    });
    // Newest payment date first: the one being worked on is at the top.
    calendar.update(rows.reverse());
    versions.update(collections.filter((c) => c.paymentDate === picker.paymentDate.value));
  };
  const newest = newestOnly();
  const load = async () => {
    const current = newest();
    try {
      const answer = await app.client.collections(picker.deal.value);
      if (!current()) return;
      collections = answer;
      loadError.clear();
    } catch (error) {
      if (!current()) return;
      collections = [];
      loadError.error(error, 'coll-load-error');
    }
    show();
  };
  picker.onChange(() => void load());

  const body = h(
    'div',
    {},
    h('div', { class: 'row' }, field('Deal', picker.deal), field('Payment date', picker.paymentDate)),
    h('div', { class: 'row' }, picker.period),
    loadError.element,
    options.record ? recordForm(app, picker, load) : null,
    h('h3', {}, 'Calendar'),
    h('div', { class: 'hscroll' }, calendar.element),
    h('h3', {}, 'Versions of the chosen payment date'),
    h('div', { class: 'hscroll' }, versions.element),
  );
  const element = panel(options.record ? 'Collections and corrections' : 'Collections', body, { testid: 'collections-panel' });
  // Shown again later, it re-reads: a distribution run on the other tab marks its date distributed.
  return { element, reload: () => void picker.reload() };
}

/** Record or correct the chosen payment date's collection; `reload` re-reads the tables after. */
function recordForm(app: AppContext, picker: DealCalendar, reload: () => Promise<void>): HTMLElement {
  const inputs = {
    reference: h('input', { testid: 'coll-reference', placeholder: 'trustee reference' }),
    revenue: h('input', { class: 'num', inputmode: 'decimal', testid: 'coll-revenue', placeholder: 'from the report' }),
    operatingCosts: h('input', { class: 'num', inputmode: 'decimal', testid: 'coll-costs', placeholder: 'incl. power' }),
    utilization: h('input', { class: 'num', inputmode: 'decimal', testid: 'coll-utilization', placeholder: '% (required)' }),
    uptime: h('input', { class: 'num', inputmode: 'decimal', testid: 'coll-uptime', placeholder: '% (required)' }),
    powerCost: h('input', { class: 'num', inputmode: 'decimal', testid: 'coll-power', placeholder: 'part of op. costs' }),
    reason: h('input', { testid: 'coll-reason', placeholder: 'why the collection is corrected' }),
  };
  const message = new MessageSlot();
  const errors = new FieldErrors(message);
  const slot = (name: keyof typeof inputs) => errors.slot(name, inputs[name], `coll-error-${name}`);
  const labelled = (label: string, name: keyof typeof inputs) => field(label, inputs[name], slot(name));

  /** All five figures, or none (from the report) when revenue is left empty. */
  const figures = (): Partial<CollectionFigures> => {
    const revenue = fmt.cleanNumberInput(inputs.revenue.value);
    if (!revenue) return {};
    return {
      revenue,
      operatingCosts: fmt.cleanNumberInput(inputs.operatingCosts.value) || '0',
      utilization: inputs.utilization.value.trim(),
      uptime: inputs.uptime.value.trim(),
      powerCost: fmt.cleanNumberInput(inputs.powerCost.value) || '0',
    };
  };
  const reference = () => inputs.reference.value.trim() || `collections-${picker.paymentDate.value}`;
  const describe = (c: Collection) =>
    `Collections ${c.reference} (version ${c.version}) recorded: net cash flow ${fmt.cash(c.netCashFlow)}; operating costs ${fmt.cash(c.operatingCosts)} of which power ${fmt.cash(c.operatingCostBreakdown.power)}.`;
  // Like withBusy, but a failure's fields are marked under their inputs (FieldErrors), not only above.
  const act = (button: HTMLButtonElement, action: () => Promise<Collection>) =>
    button.addEventListener('click', async () => {
      errors.clear();
      button.disabled = true;
      try {
        message.ok(describe(await action()), 'coll-result');
        await reload();
      } catch (error) {
        errors.show(error);
      } finally {
        button.disabled = false;
      }
    });

  const record = h('button', { testid: 'coll-record' }, 'Record collections');
  act(record, () => {
    const input: CollectionInput = { reference: reference(), paymentDate: picker.paymentDate.value, ...figures() };
    return app.client.recordCollection(picker.deal.value, input);
  });
  const correct = h('button', { testid: 'coll-correct' }, 'Correct collection');
  act(correct, () => app.client.correctCollection(picker.deal.value, reference(), { reason: inputs.reason.value.trim(), ...figures() }));

  return h(
    'div',
    { testid: 'coll-form' },
    h(
      'div',
      { class: 'row' },
      labelled('Reference', 'reference'),
      labelled('Revenue (empty: from the report)', 'revenue'),
      labelled('Operating costs', 'operatingCosts'),
      labelled('of which power cost', 'powerCost'),
    ),
    h(
      'div',
      { class: 'row' },
      labelled('Utilization %', 'utilization'),
      labelled('Uptime %', 'uptime'),
      labelled('Correction reason', 'reason'),
    ),
    h('div', { class: 'row mt' }, h('div', { class: 'fit' }, record), h('div', { class: 'fit' }, correct)),
    message.element,
  );
}
