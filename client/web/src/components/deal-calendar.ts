/**
 * The deal and payment date that servicing works on, both picked from lists (never typed): the
 * deal from the reference data, the payment date from the deal's own calendar (its payment dates up
 * to the next one on or after the business date), with the collection period it closes shown
 * beside it. The collections tab and the distributions tab each have one; `reload()` re-reads the
 * calendar after a run (a date becomes "distributed") and keeps the chosen date when it is still there.
 */
import type { CollectionCalendarEntry } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, replace } from '../ui/dom.js';
import { errorAlert } from '../ui/notice.js';

export interface DealCalendar {
  deal: HTMLSelectElement;
  paymentDate: HTMLSelectElement;
  /** "Collection period 2026-12-01 to 2026-12-31 · distributed", or the calendar's error. */
  period: HTMLElement;
  calendar(): readonly CollectionCalendarEntry[];
  /** The calendar entry of the chosen payment date. */
  entry(): CollectionCalendarEntry | undefined;
  reload(): Promise<void>;
  /** Called after the deal or the payment date changed (and once the first calendar is read). */
  onChange(listener: () => void): void;
}

export function dealCalendar(app: AppContext, testids: { deal: string; date: string; period: string }): DealCalendar {
  const deal = h(
    'select',
    { testid: testids.deal },
    app.deals.map((d) => h('option', { value: d.id }, d.name)),
  );
  const paymentDate = h('select', { testid: testids.date });
  const period = h('span', { class: 'muted', testid: testids.period });
  const listeners: (() => void)[] = [];
  let calendar: CollectionCalendarEntry[] = [];

  const entry = () => calendar.find((c) => c.paymentDate === paymentDate.value);
  const showPeriod = () => {
    const chosen = entry();
    replace(
      period,
      chosen ? `Collection period ${chosen.periodStart} to ${chosen.periodEnd}${chosen.distributed ? ' · distributed' : ''}` : '',
    );
  };
  const changed = () => {
    showPeriod();
    for (const listener of listeners) listener();
  };
  const load = async (keep: boolean) => {
    const chosen = paymentDate.value;
    try {
      calendar = await app.client.collectionCalendar(deal.value, 6);
    } catch (error) {
      calendar = [];
      replace(paymentDate);
      replace(period, errorAlert(error, 'calendar-error'));
      return;
    }
    replace(
      paymentDate,
      calendar.map((c) => h('option', { value: c.paymentDate }, `${c.paymentDate}${c.distributed ? ' (distributed)' : ''}`)),
    );
    // The calendar ends with the next payment date on or after the business date: the one to work on.
    const next = calendar[calendar.length - 1];
    if (keep && calendar.some((c) => c.paymentDate === chosen)) paymentDate.value = chosen;
    else if (next) paymentDate.value = next.paymentDate;
    changed();
  };
  deal.addEventListener('change', () => void load(false));
  paymentDate.addEventListener('change', changed);
  void load(false);
  return {
    deal,
    paymentDate,
    period,
    calendar: () => calendar,
    entry,
    reload: () => load(true),
    onChange: (listener) => void listeners.push(listener),
  };
}
