/**
 * The note page's Cash flows tab (issue 17): the deal projected through its own waterfall under a
 * scenario (POST /api/v1/projections) — a scenario picker (base, the deal's named stresses, your
 * saved scenarios) and an editor for its drivers (a flat value, or a vector written
 * "1:95, 13:80" = 95 from month 1, 80 from month 13), a stacked chart of one class's interest and
 * principal by payment date with its balance line, the DSCR path against the waterfall's trigger
 * lines, the class table (WAL, price, yield, spread, Z-spread, duration, convexity, loss) at a
 * price, the triggers' first breach dates, a table and CSV of the cash flows, and "save as".
 *
 * Every figure shown as text comes from the API's decimal strings; the charts plot JS numbers for
 * display only. Dates are ISO (YYYY-MM-DD). Every input has a <label for>.
 */
import { createChart, HistogramSeries, LineSeries, type IChartApi } from 'lightweight-charts';
import type { Deal, DealScenarios, Note, ProjectedClass, Projection, ScenarioInput, WaterfallDefinition } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { downloadText } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import { seriesChart, triggerLevels, type MetricChart } from './metric-chart.js';
import { DECIMAL, DRIVER_FIELDS, driverText, parseDefaults, parseDriver, projectionCsv, type DriverKey } from './cash-flows-model.js';
import './pricing.css';

let ids = 0;
/** A label tied to its input by id. */
function labelled(text: string, input: HTMLElement, extra?: HTMLElement | null): HTMLElement {
  if (!input.id) input.id = `cf-${++ids}`;
  return h('div', { class: 'cf-field' }, h('label', { for: input.id }, text), input, extra ?? null);
}

interface ClassChart {
  element: HTMLElement;
  render(c: ProjectedClass): void;
  dispose(): void;
}

/** Interest and principal stacked by payment date (USD millions), with the balance line on the left scale. */
function classFlowChart(): ClassChart {
  const container = h('div', { class: 'chart', testid: 'cf-flow-canvas' });
  const legend = h(
    'div',
    { class: 'muted chart-legend' },
    h('span', { class: 'cf-key cf-interest' }, 'Interest'),
    h('span', { class: 'cf-key cf-principal' }, 'Principal'),
    h('span', { class: 'cf-key cf-balance' }, 'Balance (left scale)'),
    ' — USD millions by payment date',
  );
  let chart: IChartApi | null = null;
  let pending: ProjectedClass | null = null;
  let disposed = false;
  const draw = () => {
    if (disposed || !pending) return;
    if (!container.isConnected || container.clientWidth === 0) {
      requestAnimationFrame(draw);
      return;
    }
    chart?.remove();
    chart = createChart(container, {
      autoSize: true,
      layout: { background: { color: '#111923' }, textColor: '#7f8fa3', fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: '#18222e' }, horzLines: { color: '#18222e' } },
      rightPriceScale: { borderColor: '#223042' },
      leftPriceScale: { visible: true, borderColor: '#223042' },
      timeScale: { borderColor: '#223042' },
      crosshair: { mode: 0 },
    });
    const millions = (v: string) => Number(v) / 1e6;
    const format = { type: 'price' as const, precision: 2, minMove: 0.01 };
    // Stacked: the total bar (interest + principal) in the principal colour, the interest bar drawn over its lower part.
    const total = chart.addSeries(HistogramSeries, { color: '#8bd17c', priceFormat: format });
    const interest = chart.addSeries(HistogramSeries, { color: '#4cc2ff', priceFormat: format });
    const balance = chart.addSeries(LineSeries, { color: '#f2b84b', lineWidth: 2, priceScaleId: 'left', priceFormat: format });
    const flows = pending.cashFlows;
    total.setData(flows.map((f) => ({ time: f.date, value: millions(f.interest) + millions(f.principal) })));
    interest.setData(flows.map((f) => ({ time: f.date, value: millions(f.interest) })));
    balance.setData(flows.map((f) => ({ time: f.date, value: millions(f.balance) })));
    chart.timeScale().fitContent();
  };
  return {
    element: h('div', {}, container, legend),
    render: (c) => {
      pending = c;
      draw();
    },
    dispose: () => {
      disposed = true;
      chart?.remove();
    },
  };
}

export interface CashFlowsTab {
  element: HTMLElement;
  /** Builds and runs the tab the first time it is shown. */
  show(): void;
}

export function cashFlowsTab(app: AppContext, scope: Scope, note: Note, deal: Deal): CashFlowsTab {
  const classes = app.notes.filter((n) => n.dealId === deal.id);
  const message = new MessageSlot();
  const picker = h('select', { testid: 'cf-scenario' });
  const drivers = new Map<DriverKey, HTMLInputElement>(
    DRIVER_FIELDS.map((d) => [d.key, h('input', { class: 'num', testid: `cf-${d.key}`, autocomplete: 'off' })]),
  );
  const defaults = h('textarea', { rows: 2, testid: 'cf-defaults', placeholder: 'Northwind AI, 24, 40' });
  const refinance = h(
    'select',
    { testid: 'cf-refinance' },
    h('option', { value: 'true' }, 'At the ARD'),
    h('option', { value: 'false' }, 'Never (sweep to legal final)'),
    h('option', { value: 'month' }, 'In a month…'),
  );
  const refinanceMonth = h('input', { class: 'num', testid: 'cf-refinance-month', inputmode: 'numeric', placeholder: 'month' });
  const refinanceField = labelled('Refinance in month (1 = the first projected month)', refinanceMonth);
  const price = h('input', { class: 'num', testid: 'cf-price', value: '100', inputmode: 'decimal', autocomplete: 'off' });
  const chartClass = h(
    'select',
    { testid: 'cf-chart-class' },
    classes.map((c) => h('option', { value: c.id, selected: c.id === note.id }, c.className)),
  );
  const run = h('button', { class: 'primary', type: 'submit', testid: 'cf-run' }, 'Run projection');
  const saveName = h('input', { testid: 'cf-save-name', placeholder: 'my-stress', autocomplete: 'off', maxlength: 60 });
  const save = h('button', { type: 'button', testid: 'cf-save' }, 'Save scenario');
  const csv = h('button', { type: 'button', testid: 'cf-csv', disabled: true }, 'Export CSV');
  const editorError = h('div', { class: 'field-error', testid: 'cf-editor-error', role: 'alert' });

  const summary = h('p', { class: 'muted', testid: 'cf-summary' }, 'Pick a scenario and run it.');
  const flowChart = classFlowChart();
  scope.add(() => flowChart.dispose());
  const dscrSlot = h('div', { testid: 'cf-dscr' });
  let dscrChart: MetricChart | null = null;
  scope.add(() => dscrChart?.dispose());
  const classTable = h('div', { class: 'hscroll', testid: 'cf-classes' });
  const breaches = h('div', { testid: 'cf-breaches' });
  const flowTable = h('div', { class: 'scroll', testid: 'cf-flows' });

  let scenarios: DealScenarios | null = null;
  let waterfall: WaterfallDefinition | null = null;
  let last: Projection | null = null;
  let built = false;

  const scenarioByName = (name: string): ScenarioInput => {
    if (!scenarios || name === 'base') return { name: 'base' };
    const stress = scenarios.stresses.find((s) => s.name === name);
    if (stress) return stress;
    const saved = scenarios.saved.find((s) => s.name === name);
    return saved ? { ...saved.scenario, name: saved.name } : { name };
  };

  /** Fills the editor with the scenario's values over the base's. */
  const fill = (name: string) => {
    const base = scenarios?.base ?? { name: 'base' };
    const chosen = scenarioByName(name);
    for (const { key } of DRIVER_FIELDS) drivers.get(key)!.value = driverText(chosen[key] ?? base[key]);
    defaults.value = (chosen.tenantDefaults ?? []).map((d) => `${d.tenant}, ${d.month}, ${d.recoveryPercent}`).join('\n');
    const refi = chosen.refinanceAtArd ?? base.refinanceAtArd ?? true;
    refinance.value = typeof refi === 'number' ? 'month' : String(refi);
    refinanceMonth.value = typeof refi === 'number' ? String(refi) : '';
    refinanceField.hidden = refinance.value !== 'month';
    saveName.value = name === 'base' || scenarios?.stresses.some((s) => s.name === name) ? '' : name;
  };

  /** The scenario the editor describes, or the reason it cannot run. */
  const editorScenario = (): ScenarioInput | string => {
    const scenario: ScenarioInput = { name: picker.value };
    for (const { key, label } of DRIVER_FIELDS) {
      const text = drivers.get(key)!.value;
      if (text.trim() === '') continue;
      const parsed = parseDriver(text);
      if (typeof parsed === 'object' && 'problem' in parsed) return `${label}: ${parsed.problem}`;
      scenario[key] = parsed;
    }
    const parsedDefaults = parseDefaults(defaults.value);
    if (parsedDefaults && 'problem' in parsedDefaults) return `Tenant defaults: ${parsedDefaults.problem}`;
    if (parsedDefaults && parsedDefaults.length > 0) scenario.tenantDefaults = parsedDefaults;
    if (refinance.value === 'month') {
      if (!/^[1-9]\d*$/.test(refinanceMonth.value.trim())) return 'Refinance month: a whole number of months from 1';
      scenario.refinanceAtArd = Number(refinanceMonth.value.trim());
    } else scenario.refinanceAtArd = refinance.value === 'true';
    return scenario;
  };

  const renderClasses = (projection: Projection) => {
    const cell = (v: string | null, testid?: string) => h('td', { class: 'num', testid }, v ?? '—');
    replace(
      classTable,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              'Class',
              'WAL (yrs)',
              'Price',
              'Yield to ARD (%)',
              'Spread (bp)',
              'Z-spread (bp)',
              'Mod. duration',
              'Convexity',
              'Loss (%)',
            ].map((label, i) => h('th', { class: i === 0 ? undefined : 'num', scope: 'col' }, label)),
          ),
        ),
        h(
          'tbody',
          {},
          projection.classes.map((c) =>
            h(
              'tr',
              { 'data-class': c.className, class: c.noteId === note.id ? 'best' : undefined },
              h('th', { scope: 'row' }, c.className),
              cell(c.walYears),
              cell(c.price),
              cell(c.yieldPercent, `cf-yield-${c.className}`),
              cell(c.spreadBp, `cf-spread-${c.className}`),
              cell(c.zSpreadBp),
              cell(c.modifiedDuration),
              cell(c.convexity),
              cell(c.lossPercent, `cf-loss-${c.className}`),
            ),
          ),
        ),
      ),
    );
  };

  const renderFlows = (c: ProjectedClass) => {
    const rows = c.cashFlows.filter(
      (f, i) => i === 0 || f.interest !== '0.00' || f.principal !== '0.00' || f.writedown !== '0.00' || f.interestShortfall !== '0.00',
    );
    replace(
      flowTable,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Date', 'Interest', 'Principal', 'Balance', 'Interest shortfall', 'Deferred interest', 'Write-down'].map((label, i) =>
              h('th', { class: i === 0 ? undefined : 'num', scope: 'col' }, label),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((f) =>
            h(
              'tr',
              {},
              h('td', {}, f.date),
              h('td', { class: 'num' }, fmt.cash(f.interest)),
              h('td', { class: 'num' }, fmt.cash(f.principal)),
              h('td', { class: 'num' }, fmt.cash(f.balance)),
              h('td', { class: 'num' }, fmt.cash(f.interestShortfall)),
              h('td', { class: 'num' }, fmt.cash(f.deferredInterest)),
              h('td', { class: 'num' }, fmt.cash(f.writedown)),
            ),
          ),
        ),
      ),
    );
  };

  const renderChartClass = () => {
    const c = last?.classes.find((k) => k.noteId === chartClass.value) ?? last?.classes[0];
    if (!c) return;
    flowChart.render(c);
    renderFlows(c);
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
    renderClasses(projection);
    renderChartClass();
    dscrChart?.dispose();
    const points = (pick: (p: Projection['periods'][number]) => string | null) =>
      projection.periods.filter((p) => pick(p) !== null).map((p) => ({ time: p.date, value: pick(p)! }));
    const levels = triggerLevels(waterfall, ['dscrThreeMonthAverage', 'dscr']);
    dscrChart = seriesChart(
      'DSCR path',
      'cf-dscr-chart',
      [
        { label: 'DSCR', points: points((p) => p.dscr) },
        { label: '3-month average', points: points((p) => p.dscrThreeMonthAverage) },
        // Each trigger level as a flat series too, so the chart's scale always takes it in.
        ...levels.map((t) => ({ label: `${t.label} at`, points: projection.periods.map((p) => ({ time: p.date, value: t.value })) })),
      ],
      levels,
    );
    replace(dscrSlot, dscrChart.element);
    replace(
      breaches,
      projection.triggerBreaches.length === 0
        ? h('p', { class: 'muted' }, 'The waterfall has no triggers.')
        : h(
            'ul',
            { class: 'cf-breaches' },
            projection.triggerBreaches.map((b) =>
              h(
                'li',
                { testid: `cf-breach-${b.name}` },
                h('b', {}, b.name),
                ': ',
                b.firstDate ? h('span', { class: 'neg' }, `first breached ${b.firstDate}`) : h('span', { class: 'pos' }, 'never breached'),
              ),
            ),
          ),
    );
  };

  const runProjection = async () => {
    const scenario = editorScenario();
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
    scenarios = await app.client.dealScenarios(deal.id);
    const current = select ?? picker.value ?? 'base';
    replace(
      picker,
      h('option', { value: 'base' }, 'base'),
      scenarios.stresses.length > 0
        ? h(
            'optgroup',
            { label: 'Deal stresses' },
            scenarios.stresses.map((s) => h('option', { value: s.name ?? '' }, s.name ?? '')),
          )
        : null,
      scenarios.saved.length > 0
        ? h(
            'optgroup',
            { label: 'Your saved scenarios' },
            scenarios.saved.map((s) => h('option', { value: s.name }, s.name)),
          )
        : null,
    );
    picker.value = [...picker.options].some((o) => o.value === current) ? current : 'base';
  };

  picker.addEventListener('change', () => {
    fill(picker.value);
    void runProjection();
  });
  refinance.addEventListener('change', () => {
    refinanceField.hidden = refinance.value !== 'month';
  });
  chartClass.addEventListener('change', renderChartClass);
  csv.addEventListener('click', () => {
    if (last) downloadText(`cash-flows-${deal.name.replace(/[^A-Za-z0-9-]+/g, '-')}-${last.scenario.name}.csv`, projectionCsv(last));
  });
  save.addEventListener('click', () => {
    const name = saveName.value.trim();
    const scenario = editorScenario();
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
    labelled('Scenario', picker),
    h(
      'fieldset',
      { class: 'cf-drivers' },
      h('legend', {}, 'Drivers (a number, or month:value steps such as 1:95, 13:80)'),
      DRIVER_FIELDS.map((d) => labelled(d.label, drivers.get(d.key)!)),
    ),
    labelled('Tenant defaults (tenant, month, recovery % — one a line)', defaults),
    labelled('Refinancing', refinance),
    refinanceField,
    labelled('Price for the class table (% of par, every class)', price),
    editorError,
    h('div', { class: 'row mt' }, run, csv),
    h('div', { class: 'row mt' }, labelled('Save as', saveName), h('div', { class: 'fit' }, save)),
    message.element,
  );

  const element = h(
    'div',
    { class: 'grid cf-grid', testid: 'cash-flows' },
    h('div', { class: 'stack' }, panel('Scenario', form, { testid: 'cf-scenario-panel' })),
    h(
      'div',
      { class: 'stack' },
      panel('Projection', h('div', {}, summary, classTable, h('h3', {}, 'Trigger breaches'), breaches), { testid: 'cf-result-panel' }),
      panel(h('span', {}, 'Cash flows of class '), h('div', {}, labelled('Class shown', chartClass), flowChart.element), {
        testid: 'cf-chart-panel',
      }),
      dscrSlot,
      panel('Cash flows (payment dates with a flow)', flowTable, { flush: true, testid: 'cf-flows-panel' }),
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
          fill('base');
          await runProjection();
        } catch (error) {
          replace(summary, errorAlert(error));
        }
      })();
    },
  };
}

/**
 * The note page's tabs: Trading (the existing page) and Cash flows (built when first shown). The
 * tab is kept in the URL's ?tab= so a link opens it.
 */
export function noteTabs(app: AppContext, scope: Scope, note: Note, deal: Deal, trading: HTMLElement): HTMLElement {
  const cash = cashFlowsTab(app, scope, note, deal);
  const tabs = [
    { id: 'trading', label: 'Trading', element: trading },
    { id: 'cash-flows', label: 'Cash flows', element: cash.element },
  ];
  const buttons = tabs.map((t) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `tabpanel-${t.id}`, testid: `tab-${t.id}` }, t.label),
  );
  const panels = tabs.map((t) => h('div', { role: 'tabpanel', id: `tabpanel-${t.id}`, 'aria-labelledby': `tab-${t.id}` }, t.element));
  const select = (id: string) => {
    tabs.forEach((t, i) => {
      const on = t.id === id;
      buttons[i]!.setAttribute('aria-selected', String(on));
      buttons[i]!.classList.toggle('on', on);
      panels[i]!.hidden = !on;
    });
    if (id === 'cash-flows') cash.show();
    const url = new URL(location.href);
    if (id === 'trading') url.searchParams.delete('tab');
    else url.searchParams.set('tab', id);
    history.replaceState(history.state, '', url);
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => select(tabs[i]!.id)));
  select(new URLSearchParams(location.search).get('tab') === 'cash-flows' ? 'cash-flows' : 'trading');
  return h('div', {}, h('div', { class: 'cf-tabs', role: 'tablist', 'aria-label': 'Note page' }, buttons), panels);
}
