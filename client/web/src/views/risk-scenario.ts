/**
 * The contagion scenario form of the risk page: one company defaulting in a month with a recovery
 * (a second default optional), a GPU value shock, run through each held deal's projection
 * (POST /risk/scenarios). Shows per holding the base and stressed value, loss, yield change and
 * first trigger breaches, the total, the tenants hit per deal and the stated assumptions; exports
 * the same as CSV. Every input has its label tied to it (for/id).
 */
import type { Obligor, ScenarioRequest, ScenarioResult } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace } from '../ui/dom.js';
import { downloadText } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

type Row = ScenarioResult['holdings'][number];

function labelled(id: string, label: string, input: HTMLElement): HTMLElement {
  input.id = id;
  return h('div', { class: 'fit' }, h('label', { for: id }, label), input);
}

export function scenarioPanel(app: AppContext, obligors: readonly Obligor[], partyOf: () => string | undefined): HTMLElement {
  const companies = [...obligors].sort((a, b) => a.name.localeCompare(b.name));
  const company = (testid: string, optional: boolean) =>
    h(
      'select',
      { testid },
      optional ? h('option', { value: '' }, '(none)') : null,
      companies.map((o) => h('option', { value: o.id }, o.name)),
    );
  const first = company('scenario-obligor', false);
  const second = company('scenario-obligor-2', true);
  const preferred = companies.find((o) => o.name === 'Hyperscale Holdings Inc.');
  if (preferred) first.value = preferred.id;
  const number = (testid: string, value: string) => h('input', { testid, value, inputmode: 'decimal', size: 6 });
  const month = number('scenario-month', '12');
  const recovery = number('scenario-recovery', '40');
  const month2 = number('scenario-month-2', '12');
  const recovery2 = number('scenario-recovery-2', '40');
  const shock = number('scenario-gpu-shock', '');
  shock.setAttribute('placeholder', 'none');
  const message = new MessageSlot();
  const summary = h('div', { testid: 'scenario-total' });
  const details = h('div', { testid: 'scenario-details', class: 'muted' });
  const table = dataTable<Row>(
    {
      testid: 'scenario-table',
      empty: 'Run a scenario to see its effect on each holding.',
      rowKey: (r) => r.noteId,
      columns: [
        { label: 'Deal', render: (r) => r.dealName ?? fmt.shortId(r.dealId) },
        { label: 'Note', render: (r) => app.note(r.noteId)?.className ?? fmt.shortId(r.noteId) },
        { label: 'Face', num: true, render: (r) => fmt.cash(r.face) },
        { label: 'Mark', num: true, render: (r) => `${r.markPrice} (${r.markSource})` },
        { label: 'Base value', num: true, render: (r) => fmt.cash(r.baseValue) },
        { label: 'Stressed value', num: true, render: (r) => fmt.cash(r.stressedValue) },
        { label: 'Loss %', num: true, render: (r) => r.lossPercent },
        { label: 'Yield Δ bp', num: true, render: (r) => r.yieldChangeBp ?? '—' },
        { label: 'First trigger breach', render: (r) => r.triggerBreaches.map((b) => `${b.name} ${b.firstDate}`).join('; ') || '—' },
      ],
    },
    // Nothing to load: the empty state says what to do.
    [],
  );

  const request = (): ScenarioRequest => {
    const defaults = [{ obligorId: first.value, month: Number(month.value), recoveryPercent: recovery.value.trim() }];
    if (second.value) defaults.push({ obligorId: second.value, month: Number(month2.value), recoveryPercent: recovery2.value.trim() });
    return { defaults, ...(shock.value.trim() ? { gpuValueShockPercent: shock.value.trim() } : {}) };
  };
  const run = h('button', { testid: 'scenario-run' }, 'Run scenario');
  run.addEventListener(
    'click',
    () =>
      void withBusy(run, message, async () => {
        {
          const result = await app.client.scenario(request(), partyOf());
          table.update(result.holdings);
          replace(
            summary,
            h(
              'strong',
              {},
              `Total ${fmt.cash(result.total.baseValue)} → ${fmt.cash(result.total.stressedValue)} · loss ${result.total.lossPercent}%`,
            ),
          );
          const hits = result.deals.flatMap((d) =>
            d.tenantDefaults.map((t) => `${d.dealName}: ${t.tenant} defaults in month ${t.month}, recovery ${t.recoveryPercent}%`),
          );
          replace(
            details,
            h('p', {}, hits.length > 0 ? hits.join(' · ') : 'No held deal has a tenant in the defaulting group.'),
            h('h3', {}, 'Assumptions'),
            h(
              'ul',
              { testid: 'scenario-assumptions' },
              result.assumptions.map((a) => h('li', {}, a)),
            ),
          );
        }
      }),
  );
  const exportCsv = h('button', { class: 'small', testid: 'scenario-csv' }, 'Export CSV');
  exportCsv.addEventListener(
    'click',
    () =>
      void withBusy(exportCsv, message, async () => {
        downloadText(`scenario-${app.businessDate}.csv`, await app.client.scenarioCsv(request(), partyOf()));
      }),
  );
  return panel(
    'Contagion scenario (through each deal’s projection)',
    h(
      'div',
      {},
      h(
        'div',
        { class: 'row' },
        labelled('scenario-obligor', 'Company defaulting', first),
        labelled('scenario-month', 'Month', month),
        labelled('scenario-recovery', 'Recovery %', recovery),
      ),
      h(
        'div',
        { class: 'row' },
        labelled('scenario-obligor-2', 'And (optional)', second),
        labelled('scenario-month-2', 'Month', month2),
        labelled('scenario-recovery-2', 'Recovery %', recovery2),
        labelled('scenario-gpu-shock', 'GPU value shock %', shock),
      ),
      run,
      message.element,
      summary,
      table.element,
      details,
    ),
    { testid: 'scenario-panel', tools: exportCsv },
  );
}
