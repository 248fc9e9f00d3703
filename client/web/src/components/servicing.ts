/**
 * Back office servicing per deal: record the trustee's collections for a payment date, run the
 * distribution through the deal's waterfall, and read the trustee reports (per class: interest and
 * principal paid, shortfalls, balance and factor before and after).
 */
import type { CollectionInput, TrusteeReport } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

type ClassRow = TrusteeReport['classes'][number];

function reportView(report: TrusteeReport): HTMLElement {
  const table = dataTable<ClassRow>({
    testid: 'trustee-classes',
    empty: 'No classes.',
    columns: [
      { label: 'Class', render: (c) => c.className },
      { label: 'Interest due', num: true, render: (c) => fmt.cash(c.interestDue) },
      { label: 'Interest paid', num: true, render: (c) => fmt.cash(c.interestPaid) },
      { label: 'Shortfall', num: true, render: (c) => fmt.cash(c.interestShortfall), cellClass: (c) => (c.interestShortfall !== '0.00' ? 'neg' : undefined) },
      { label: 'Principal paid', num: true, render: (c) => fmt.cash(c.principalPaid) },
      { label: 'Balance before', num: true, render: (c) => fmt.cash(c.balanceBefore) },
      { label: 'Balance after', num: true, render: (c) => fmt.cash(c.balanceAfter) },
      { label: 'Factor before', num: true, render: (c) => fmt.factor(c.factorBefore) },
      { label: 'Factor after', num: true, render: (c) => fmt.factor(c.factorAfter) },
    ],
  }, report.classes);
  const c = report.collections;
  return h(
    'div',
    { class: 'report', testid: 'trustee-report' },
    h('h3', {}, `${report.dealName} — payment date ${report.paymentDate} (record date ${report.recordDate})`),
    h('p', { class: 'muted report-line' },
      `Revenue ${fmt.cash(c.revenue)} · operating costs ${fmt.cash(c.operatingCosts)} · net ${fmt.cash(c.netCashFlow)} · utilization ${c.utilizationPercent}% · uptime ${c.uptimePercent}% · `,
      `DSCR ${report.dscr ?? 'n/a'}${report.cashTrapActive ? ' (cash trap)' : ''}${report.fullCashSweep ? ' (full cash sweep)' : ''} · senior fees ${fmt.cash(report.seniorFees.paid)} · reserve ${fmt.cash(report.reserve.after)} · released ${fmt.cash(report.residualReleased)}`),
    ...(report.triggers ?? []).map((t) => h('p', { class: 'muted report-line', testid: 'trustee-trigger' }, triggerLine(t))),
    h('div', { class: 'hscroll' }, table.element),
  );
}

/** A trigger's working: the value tested, the threshold, the result and the cure count. */
function triggerLine(t: TrusteeReport['triggers'][number]): string {
  const state = t.on ? (t.breached ? 'breached' : `curing ${t.cureCount}/${t.curePeriods}`) : 'off';
  return `Trigger ${t.name}: ${t.metric} ${t.value ?? 'n/a'} ${t.comparison} ${t.threshold}? ${state}`;
}

export function servicingPanel(app: AppContext): HTMLElement {
  const deal = h('select', { testid: 'servicing-deal' }, app.deals.map((d) => h('option', { value: d.id }, d.name)));
  const paymentDate = h('input', { type: 'date', value: app.businessDate, testid: 'servicing-date' });
  const inputs = {
    reference: h('input', { testid: 'coll-reference', placeholder: 'trustee reference' }),
    revenue: h('input', { class: 'num', testid: 'coll-revenue', placeholder: '0.00' }),
    operatingCosts: h('input', { class: 'num', testid: 'coll-costs', placeholder: '0.00', value: '0' }),
    utilization: h('input', { class: 'num', testid: 'coll-utilization', placeholder: '%', value: '0' }),
    uptime: h('input', { class: 'num', testid: 'coll-uptime', placeholder: '%', value: '0' }),
    powerCost: h('input', { class: 'num', testid: 'coll-power', placeholder: '0.00', value: '0' }),
  };
  const message = new MessageSlot();
  const reports = h('div', { testid: 'trustee-reports' });

  const loadReports = async () => {
    try {
      const list = await app.client.trusteeReports(deal.value);
      replace(reports, list.length === 0 ? h('p', { class: 'muted empty-state' }, 'No distributions yet for this deal.') : list.map(reportView));
    } catch (error) {
      replace(reports, errorAlert(error));
    }
  };
  deal.addEventListener('change', () => void loadReports());

  const record = h('button', { testid: 'coll-record' }, 'Record collections');
  record.addEventListener('click', () => void withBusy(record, message, async () => {
    const input: CollectionInput = {
      reference: inputs.reference.value.trim() || `collections-${paymentDate.value}`,
      paymentDate: paymentDate.value, periodStart: paymentDate.value, periodEnd: paymentDate.value,
      revenue: fmt.cleanNumberInput(inputs.revenue.value), operatingCosts: fmt.cleanNumberInput(inputs.operatingCosts.value) || '0',
      utilization: inputs.utilization.value || '0', uptime: inputs.uptime.value || '0', powerCost: fmt.cleanNumberInput(inputs.powerCost.value) || '0',
    };
    const collection = await app.client.recordCollection(deal.value, input);
    message.ok(`Collections ${collection.reference} recorded: net cash flow ${fmt.cash(collection.netCashFlow)}.`, 'coll-result');
  }));
  const distribute = h('button', { class: 'primary', testid: 'run-distribution' }, 'Run distribution');
  distribute.addEventListener('click', () => void withBusy(distribute, message, async () => {
    const report = await app.client.runDistribution(deal.value, paymentDate.value);
    message.ok(`Distribution for ${report.paymentDate} paid ${report.holders.length} holder position(s).`, 'distribution-result');
    await loadReports();
  }));
  void loadReports();
  return panel('Distributions and trustee reports', h('div', {},
    h('div', { class: 'row' }, field('Deal', deal), field('Payment date', paymentDate), field('Reference', inputs.reference), field('Revenue', inputs.revenue)),
    h('div', { class: 'row' }, field('Operating costs', inputs.operatingCosts), field('Utilization %', inputs.utilization), field('Uptime %', inputs.uptime), field('Power cost', inputs.powerCost)),
    h('div', { class: 'row mt' }, h('div', { class: 'fit' }, record), h('div', { class: 'fit' }, distribute)),
    message.element,
    reports,
  ), { testid: 'servicing-panel' });
}
