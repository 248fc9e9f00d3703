/**
 * The note page's Cash flows tab (issue 17): the deal projected through its own waterfall under a
 * scenario (POST /api/v1/projections) — the scenario editor (cash-flows-editor.ts), a stacked chart
 * of one class's interest and principal by payment date with its balance line and the DSCR path
 * against the waterfall's trigger lines (cash-flows-chart.ts), the class table (WAL, price, yield,
 * spread, Z-spread, duration, convexity, loss) at a price, the triggers' first breach dates and a
 * table of the cash flows (cash-flows-tables.ts), a CSV of them, and "save as".
 *
 * This module lays the tab out and runs it: it loads the scenarios and the waterfall, checks the
 * price, calls the API and puts each part's output in place. Every figure shown as text comes from
 * the API's decimal strings; the charts plot JS numbers for display only. Dates are ISO (YYYY-MM-DD).
 */
import type { Deal, Note, Projection, WaterfallDefinition } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { downloadText } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import type { MetricChart } from './metric-chart.js';
import { classFlowChart, dscrPathChart } from './cash-flows-chart.js';
import { labelled, scenarioEditor } from './cash-flows-editor.js';
import { DECIMAL, projectionCsv } from './cash-flows-model.js';
import { breachList, classTable, flowTable } from './cash-flows-tables.js';
import './pricing.css';

export interface CashFlowsTab {
  element: HTMLElement;
  /** Builds and runs the tab the first time it is shown. */
  show(): void;
}

export function cashFlowsTab(app: AppContext, scope: Scope, note: Note, deal: Deal): CashFlowsTab {
  const classes = app.notes.filter((n) => n.dealId === deal.id);
  const message = new MessageSlot();
  const editor = scenarioEditor();
  const price = h('input', { class: 'num', testid: 'cf-price', value: '100', inputmode: 'decimal', autocomplete: 'off' });
  const chartClass = h(
    'select',
    { testid: 'cf-chart-class' },
    classes.map((c) => h('option', { value: c.id, selected: c.id === note.id }, c.className)),
  );
  const run = h('button', { class: 'primary', type: 'submit', testid: 'cf-run' }, 'Run projection');
  const save = h('button', { type: 'button', testid: 'cf-save' }, 'Save scenario');
  const csv = h('button', { type: 'button', testid: 'cf-csv', disabled: true }, 'Export CSV');
  const editorError = h('div', { class: 'field-error', testid: 'cf-editor-error', role: 'alert' });

  const summary = h('p', { class: 'muted', testid: 'cf-summary' }, 'Pick a scenario and run it.');
  const flowChart = classFlowChart();
  scope.add(() => flowChart.dispose());
  const dscrSlot = h('div', { testid: 'cf-dscr' });
  let dscrChart: MetricChart | null = null;
  scope.add(() => dscrChart?.dispose());
  const classSlot = h('div', { class: 'hscroll', testid: 'cf-classes' });
  const breaches = h('div', { testid: 'cf-breaches' });
  const flowSlot = h('div', { class: 'scroll', testid: 'cf-flows' });

  let waterfall: WaterfallDefinition | null = null;
  let last: Projection | null = null;
  let built = false;

  const renderChartClass = () => {
    const c = last?.classes.find((k) => k.noteId === chartClass.value) ?? last?.classes[0];
    if (!c) return;
    flowChart.render(c);
    replace(flowSlot, flowTable(c));
  };

  const render = (projection: Projection) => {
    last = projection;
    csv.disabled = false;
    replace(
      summary,
      `Scenario ${projection.scenario.name} · settlement ${projection.settlementDate} · `,
      projection.curve
        ? h('span', { testid: 'cf-curve' }, `spreads over ${projection.curve.name} ${projection.curve.date} (I-spread at the WAL)`)
        : h('span', { testid: 'cf-curve' }, 'no benchmark curve: spreads not shown'),
    );
    replace(classSlot, classTable(projection, note.id));
    renderChartClass();
    dscrChart?.dispose();
    dscrChart = dscrPathChart(projection, waterfall);
    replace(dscrSlot, dscrChart.element);
    replace(breaches, breachList(projection));
  };

  const runProjection = async () => {
    const scenario = editor.read();
    editorError.textContent = typeof scenario === 'string' ? scenario : '';
    const priceText = fmt.cleanNumberInput(price.value);
    if (typeof scenario === 'string') return;
    // Greater than zero without a float: an unsigned decimal with a non-zero digit.
    if (!DECIMAL.test(priceText) || priceText.startsWith('-') || !/[1-9]/.test(priceText)) {
      editorError.textContent = 'Price: a number greater than zero (% of par)';
      return;
    }
    await withBusy(run, message, async () => {
      const projection = (await app.client.project({
        dealId: deal.id,
        scenario,
        pricing: classes.map((c) => ({ noteId: c.id, price: priceText })),
      })) as Projection;
      render(projection);
    });
  };

  const loadScenarios = async (select?: string) => {
    editor.list(await app.client.dealScenarios(deal.id), select);
  };

  // The editor fills its fields on a change of scenario first (its own listener); then it runs.
  editor.picker.addEventListener('change', () => {
    void runProjection();
  });
  chartClass.addEventListener('change', renderChartClass);
  csv.addEventListener('click', () => {
    if (last) downloadText(`cash-flows-${deal.name.replace(/[^A-Za-z0-9-]+/g, '-')}-${last.scenario.name}.csv`, projectionCsv(last));
  });
  save.addEventListener('click', () => {
    const name = editor.saveName.value.trim();
    const scenario = editor.read();
    editorError.textContent = typeof scenario === 'string' ? scenario : name ? '' : 'Name the scenario to save it.';
    if (typeof scenario === 'string' || !name) return;
    void withBusy(save, message, async () => {
      await app.client.saveScenario({ dealId: deal.id, name, scenario: { ...scenario, name } });
      await loadScenarios(name);
      message.ok(`Saved scenario ${name}.`, 'cf-saved');
    });
  });

  const form = h(
    'form',
    {
      testid: 'cf-editor',
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        void runProjection();
      },
    },
    editor.fields,
    labelled('Price for the class table (% of par, every class)', price),
    editorError,
    h('div', { class: 'row mt' }, run, csv),
    h('div', { class: 'row mt' }, labelled('Save as', editor.saveName), h('div', { class: 'fit' }, save)),
    message.element,
  );

  const element = h(
    'div',
    { class: 'grid cf-grid', testid: 'cash-flows' },
    h('div', { class: 'stack' }, panel('Scenario', form, { testid: 'cf-scenario-panel' })),
    h(
      'div',
      { class: 'stack' },
      panel('Projection', h('div', {}, summary, classSlot, h('h3', {}, 'Trigger breaches'), breaches), { testid: 'cf-result-panel' }),
      panel(h('span', {}, 'Cash flows of class '), h('div', {}, labelled('Class shown', chartClass), flowChart.element), {
        testid: 'cf-chart-panel',
      }),
      dscrSlot,
      panel('Cash flows (payment dates with a flow)', flowSlot, { flush: true, testid: 'cf-flows-panel' }),
    ),
  );

  return {
    element,
    show: () => {
      if (built) return;
      built = true;
      void (async () => {
        try {
          const [, definition] = await Promise.all([loadScenarios('base'), app.client.waterfall(deal.id).catch(() => null)]);
          waterfall = definition;
          editor.fill('base');
          await runProjection();
        } catch (error) {
          replace(summary, errorAlert(error));
        }
      })();
    },
  };
}
