/**
 * A trustee report on screen: the collections and what the waterfall did with them — each step of
 * the priority of payments with the cash available before and after it, the reserve and trapped
 * cash it moved and what it deferred; each class's interest (due, paid, shortfall), principal and
 * balance and factor before and after; the triggers' working. Every figure is the API's decimal
 * string, formatted with decimal.js (ui/format), never through a JS number.
 */
import type { TrusteeReport } from '../../../sdk/index.js';
import { h } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { dataTable } from '../ui/table.js';

type ClassRow = TrusteeReport['classes'][number];
type StepRow = TrusteeReport['steps'][number];

function classTable(report: TrusteeReport): HTMLElement {
  return dataTable<ClassRow>(
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
  ).element;
}

/** The priority of payments as it ran: one row per step, in order. */
function stepTable(report: TrusteeReport): HTMLElement {
  return dataTable<StepRow>(
    {
      testid: 'waterfall-steps',
      empty: 'No steps.',
      rowClass: (s) => (s.ran ? undefined : 'muted'),
      columns: [
        { label: 'Step', num: true, render: (s) => String(s.step) },
        { label: 'Payment', render: (s) => s.label },
        { label: 'Available before', num: true, render: (s) => fmt.cash(s.availableBefore) },
        { label: 'Paid', num: true, render: (s) => fmt.cash(s.paid) },
        {
          label: 'Paid to',
          render: (s) => s.paidTo.map((p) => `${p.className} ${fmt.cash(p.amount)}`).join(', '),
        },
        { label: 'From reserve', num: true, render: (s) => fmt.cash(s.fromReserve) },
        { label: 'To reserve', num: true, render: (s) => fmt.cash(s.toReserve) },
        { label: 'Trapped', num: true, render: (s) => fmt.cash(s.toTrappedCash) },
        { label: 'Deferred', num: true, render: (s) => fmt.cash(s.deferred) },
        { label: 'Available after', num: true, render: (s) => fmt.cash(s.availableAfter) },
      ],
    },
    report.steps,
  ).element;
}

/** A trigger's working: the value tested, the threshold, the result and the cure count. */
function triggerLine(t: TrusteeReport['triggers'][number]): string {
  const state = t.on ? (t.breached ? 'breached' : `curing ${t.cureCount}/${t.curePeriods}`) : 'off';
  return `Trigger ${t.name}: ${t.metric} ${t.value ?? 'n/a'} ${t.comparison} ${t.threshold}? ${state}`;
}

/** The report: its summary line, triggers and class table; `steps` adds the waterfall's steps. */
export function trusteeReportView(report: TrusteeReport, options: { steps?: boolean } = {}): HTMLElement {
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
    options.steps ? [h('h4', {}, 'Waterfall'), h('div', { class: 'hscroll' }, stepTable(report))] : null,
    options.steps ? h('h4', {}, 'By class') : null,
    h('div', { class: 'hscroll' }, classTable(report)),
  );
}
