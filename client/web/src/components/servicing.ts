/**
 * Back office servicing per deal: record the trustee's collections for one of the deal's payment
 * dates (the collection period is the deal's, shown, not typed; figures typed in full — utilization
 * and uptime required, power cost a part of operating costs — or left empty to take them from the
 * period's performance report), correct a collection before its distribution (a new version, with
 * a reason), run the distribution through the deal's waterfall, and read the trustee reports.
 */
import type { CollectionCalendarEntry, CollectionFigures, CollectionInput, TrusteeReport } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

type ClassRow = TrusteeReport['classes'][number];

function reportView(report: TrusteeReport): HTMLElement {
  const table = dataTable<ClassRow>(
    {
      testid: 'trustee-classes',
      empty: 'No classes.',
      columns: [
        { label: 'Class', render: (c) => c.className },
        { label: 'Interest due', num: true, render: (c) => fmt.cash(c.interestDue) },
        { label: 'Interest paid', num: true, render: (c) => fmt.cash(c.interestPaid) },
        {
          label: 'Shortfall',
          num: true,
          render: (c) => fmt.cash(c.interestShortfall),
          cellClass: (c) => (c.interestShortfall !== '0.00' ? 'neg' : undefined),
        },
        { label: 'Principal paid', num: true, render: (c) => fmt.cash(c.principalPaid) },
        { label: 'Balance before', num: true, render: (c) => fmt.cash(c.balanceBefore) },
        { label: 'Balance after', num: true, render: (c) => fmt.cash(c.balanceAfter) },
        { label: 'Factor before', num: true, render: (c) => fmt.factor(c.factorBefore) },
        { label: 'Factor after', num: true, render: (c) => fmt.factor(c.factorAfter) },
      ],
    },
    report.classes,
  );
  const c = report.collections;
  return h(
    'div',
    { class: 'report', testid: 'trustee-report' },
    h('h3', {}, `${report.dealName} — payment date ${report.paymentDate} (record date ${report.recordDate})`),
    h(
      'p',
      { class: 'muted report-line' },
      `Revenue ${fmt.cash(c.revenue)} · operating costs ${fmt.cash(c.operatingCosts)} · net ${fmt.cash(c.netCashFlow)} · utilization ${c.utilizationPercent}% · uptime ${c.uptimePercent}% · `,
      `DSCR ${report.dscr ?? 'n/a'}${report.cashTrapActive ? ' (cash trap)' : ''}${report.fullCashSweep ? ' (full cash sweep)' : ''} · senior fees ${fmt.cash(report.seniorFees.paid)} · reserve ${fmt.cash(report.reserve.after)} · released ${fmt.cash(report.residualReleased)}`,
    ),
    ...(report.triggers ?? []).map((t) => h('p', { class: 'muted report-line', testid: 'trustee-trigger' }, triggerLine(t))),
    h('div', { class: 'hscroll' }, table.element),
  );
}

/** A trigger's working: the value tested, the threshold, the result and the cure count. */
function triggerLine(t: TrusteeReport['triggers'][number]): string {
  const state = t.on ? (t.breached ? 'breached' : `curing ${t.cureCount}/${t.curePeriods}`) : 'off';
  return `Trigger ${t.name}: ${t.metric} ${t.value ?? 'n/a'} ${t.comparison} ${t.threshold}? ${state}`;
}

/** `record`: the viewer may record collections and run distributions (back office); otherwise only the reports are shown. */
export function servicingPanel(app: AppContext, options: { record: boolean } = { record: true }): HTMLElement {
  const deal = h(
    'select',
    { testid: 'servicing-deal' },
    app.deals.map((d) => h('option', { value: d.id }, d.name)),
  );
  const paymentDate = h('select', { testid: 'servicing-date' });
  const period = h('span', { class: 'muted', testid: 'coll-period' });
  const inputs = {
    reference: h('input', { testid: 'coll-reference', placeholder: 'trustee reference' }),
    revenue: h('input', { class: 'num', testid: 'coll-revenue', placeholder: 'from the report' }),
    operatingCosts: h('input', { class: 'num', testid: 'coll-costs', placeholder: 'incl. power' }),
    utilization: h('input', { class: 'num', testid: 'coll-utilization', placeholder: '% (required)' }),
    uptime: h('input', { class: 'num', testid: 'coll-uptime', placeholder: '% (required)' }),
    powerCost: h('input', { class: 'num', testid: 'coll-power', placeholder: 'part of op. costs' }),
    reason: h('input', { testid: 'coll-reason', placeholder: 'why the collection is corrected' }),
  };
  const message = new MessageSlot();
  const reports = h('div', { testid: 'trustee-reports' });
  let calendar: CollectionCalendarEntry[] = [];

  const showPeriod = () => {
    const entry = calendar.find((c) => c.paymentDate === paymentDate.value);
    replace(
      period,
      entry ? `Collection period ${entry.periodStart} to ${entry.periodEnd}${entry.distributed ? ' · distributed' : ''}` : '',
    );
  };
  const loadCalendar = async () => {
    try {
      calendar = await app.client.collectionCalendar(deal.value, 6);
      replace(
        paymentDate,
        calendar.map((c) => h('option', { value: c.paymentDate }, `${c.paymentDate}${c.distributed ? ' (distributed)' : ''}`)),
      );
      // The calendar ends with the next payment date on or after the business date: the one to work on.
      const next = calendar[calendar.length - 1];
      if (next) paymentDate.value = next.paymentDate;
      showPeriod();
    } catch (error) {
      replace(period, errorAlert(error));
    }
  };
  const loadReports = async () => {
    try {
      const list = await app.client.trusteeReports(deal.value);
      replace(
        reports,
        list.length === 0 ? h('p', { class: 'muted empty-state' }, 'No distributions yet for this deal.') : list.map(reportView),
      );
    } catch (error) {
      replace(reports, errorAlert(error));
    }
  };
  deal.addEventListener('change', () => void Promise.all([loadCalendar(), loadReports()]));
  paymentDate.addEventListener('change', showPeriod);

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
  const describe = (c: {
    reference: string;
    version: number;
    netCashFlow: string;
    operatingCosts: string;
    operatingCostBreakdown: { power: string; other: string };
  }) =>
    `Collections ${c.reference} (version ${c.version}) recorded: net cash flow ${fmt.cash(c.netCashFlow)}; operating costs ${fmt.cash(c.operatingCosts)} of which power ${fmt.cash(c.operatingCostBreakdown.power)}.`;

  const record = h('button', { testid: 'coll-record' }, 'Record collections');
  record.addEventListener(
    'click',
    () =>
      void withBusy(record, message, async () => {
        const input: CollectionInput = {
          reference: inputs.reference.value.trim() || `collections-${paymentDate.value}`,
          paymentDate: paymentDate.value,
          ...figures(),
        };
        message.ok(describe(await app.client.recordCollection(deal.value, input)), 'coll-result');
      }),
  );
  const correct = h('button', { testid: 'coll-correct' }, 'Correct collection');
  correct.addEventListener(
    'click',
    () =>
      void withBusy(correct, message, async () => {
        const reference = inputs.reference.value.trim() || `collections-${paymentDate.value}`;
        message.ok(
          describe(await app.client.correctCollection(deal.value, reference, { reason: inputs.reason.value.trim(), ...figures() })),
          'coll-result',
        );
      }),
  );
  const distribute = h('button', { class: 'primary', testid: 'run-distribution' }, 'Run distribution');
  distribute.addEventListener(
    'click',
    () =>
      void withBusy(distribute, message, async () => {
        const report = await app.client.runDistribution(deal.value, paymentDate.value);
        message.ok(`Distribution for ${report.paymentDate} paid ${report.holders.length} holder position(s).`, 'distribution-result');
        await Promise.all([loadReports(), loadCalendar()]);
      }),
  );
  void loadCalendar();
  void loadReports();
  if (!options.record)
    return panel('Trustee reports', h('div', {}, h('div', { class: 'row' }, field('Deal', deal)), reports), {
      testid: 'servicing-panel',
    });
  return panel(
    'Distributions and trustee reports',
    h(
      'div',
      {},
      h(
        'div',
        { class: 'row' },
        field('Deal', deal),
        field('Payment date', paymentDate),
        field('Reference', inputs.reference),
        field('Revenue (empty: from the report)', inputs.revenue),
      ),
      h('div', { class: 'row' }, period),
      h(
        'div',
        { class: 'row' },
        field('Operating costs', inputs.operatingCosts),
        field('of which power cost', inputs.powerCost),
        field('Utilization %', inputs.utilization),
        field('Uptime %', inputs.uptime),
      ),
      h('div', { class: 'row' }, field('Correction reason', inputs.reason)),
      h(
        'div',
        { class: 'row mt' },
        h('div', { class: 'fit' }, record),
        h('div', { class: 'fit' }, correct),
        h('div', { class: 'fit' }, distribute),
      ),
      message.element,
      reports,
    ),
    { testid: 'servicing-panel' },
  );
}
