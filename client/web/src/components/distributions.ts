/**
 * Distributions of a deal: pick a payment date from the deal's calendar, run the distribution
 * through the deal's waterfall (back office; operators read only — the route table refuses them the
 * run), and see what it paid: the chosen date's trustee report with each waterfall step and each
 * class's interest, principal and balances, then every report of the deal by payment date with the
 * totals paid (summed with decimal.js from the API's strings). A date without a distribution says so.
 */
import type { TrusteeReport } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { Decimal } from '../money/domain.js';
import { field, h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { newestOnly } from '../ui/newest.js';
import { MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { dealCalendar } from './deal-calendar.js';
import { trusteeReportView } from './trustee-report.js';

const total = (report: TrusteeReport, pick: (c: TrusteeReport['classes'][number]) => string): string =>
  report.classes.reduce((sum, c) => sum.plus(pick(c)), new Decimal(0)).toFixed(2);

/** `run`: the viewer may run distributions (back office); otherwise the reports are read only. */
export function distributionsPanel(app: AppContext, options: { run: boolean }): { element: HTMLElement; reload: () => void } {
  const picker = dealCalendar(app, { deal: 'dist-deal', date: 'dist-date', period: 'dist-period' });
  const message = new MessageSlot();
  const chosen = h('div', { testid: 'distribution-report' });
  let reports: TrusteeReport[] = [];
  const history = dataTable<TrusteeReport>({
    testid: 'trustee-reports',
    empty: 'No distributions yet for this deal.',
    rowKey: (r) => r.paymentDate,
    // A row shows its date's report above (when the date is still on the calendar).
    onRowClick: (r) => {
      if (!picker.calendar().some((c) => c.paymentDate === r.paymentDate)) return;
      picker.paymentDate.value = r.paymentDate;
      picker.paymentDate.dispatchEvent(new Event('change'));
    },
    columns: [
      { label: 'Payment date', render: (r) => r.paymentDate },
      { label: 'Net cash flow', num: true, render: (r) => fmt.cash(r.collections.netCashFlow) },
      { label: 'DSCR', num: true, render: (r) => r.dscr ?? 'n/a' },
      { label: 'Interest paid', num: true, render: (r) => fmt.cash(total(r, (c) => c.interestPaid)) },
      { label: 'Principal paid', num: true, render: (r) => fmt.cash(total(r, (c) => c.principalPaid)) },
      { label: 'Released', num: true, render: (r) => fmt.cash(r.residualReleased) },
      { label: 'Cash trap', render: (r) => (r.cashTrapActive ? 'on' : 'off') },
    ],
  });
  const loadError = new MessageSlot();

  const showChosen = () => {
    const report = reports.find((r) => r.paymentDate === picker.paymentDate.value);
    replace(
      chosen,
      report
        ? trusteeReportView(report, { steps: true })
        : h('p', { class: 'muted empty-state' }, `No distribution for ${picker.paymentDate.value || 'this date'} yet.`),
    );
  };
  const newest = newestOnly();
  const load = async () => {
    const current = newest();
    try {
      const answer = await app.client.trusteeReports(picker.deal.value);
      if (!current()) return;
      reports = answer;
      loadError.clear();
    } catch (error) {
      if (!current()) return;
      reports = [];
      loadError.error(error, 'dist-load-error');
    }
    history.update(reports);
    showChosen();
  };
  picker.onChange(() => void load());

  const run = h('button', { class: 'primary', testid: 'run-distribution' }, 'Run distribution');
  run.addEventListener(
    'click',
    () =>
      void withBusy(run, message, async () => {
        const report = await app.client.runDistribution(picker.deal.value, picker.paymentDate.value);
        message.ok(`Distribution for ${report.paymentDate} paid ${report.holders.length} holder position(s).`, 'distribution-result');
        await picker.reload();
      }),
  );
  const element = panel(
    options.run ? 'Distributions' : 'Distributions and trustee reports',
    h(
      'div',
      {},
      h(
        'div',
        { class: 'row' },
        field('Deal', picker.deal),
        field('Payment date', picker.paymentDate),
        options.run ? h('div', { class: 'fit' }, run) : null,
      ),
      h('div', { class: 'row' }, picker.period),
      message.element,
      loadError.element,
      h('h3', {}, 'Chosen payment date'),
      chosen,
      h('h3', {}, 'Trustee reports'),
      h('div', { class: 'hscroll' }, history.element),
    ),
    { testid: 'distributions-panel' },
  );
  // Shown again later, it re-reads: collections or a run elsewhere may have changed the calendar.
  return { element, reload: () => void picker.reload() };
}
