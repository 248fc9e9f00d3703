/**
 * Surveillance: the cross-deal comparison of every deal's latest metrics (with a CSV export), and
 * for one deal the monthly time series as charts — utilization and uptime, PUE, power price, DSCR
 * (period and 3-month average) against the waterfall's trigger lines, LTV (marked by the GPU value
 * index per date, and as reported) against its trigger lines, tenant concentration —
 * with the deal's history as CSV.
 */
import type { DealLtv, PerformanceReport, SurveillanceRow, WaterfallDefinition } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { metricChart, seriesChart, siteSeries, triggerLevels } from '../components/metric-chart.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { downloadText } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { newestOnly } from '../ui/newest.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

const num = (value: string | null, places: number) => (value === null ? '—' : fmt.decimal(value, places));

export async function surveillanceView(app: AppContext, scope: Scope, params: Record<string, string>): Promise<HTMLElement> {
  const rows = await app.client.surveillance();
  const message = new MessageSlot();
  const charts = h('div', { testid: 'deal-charts' });
  const select = h(
    'select',
    { testid: 'surveillance-deal', 'aria-label': 'Deal' },
    rows.map((r) => h('option', { value: r.dealId }, r.dealName)),
  );
  if (params.dealId) select.value = params.dealId;
  let disposers: (() => void)[] = [];
  scope.add(() => disposers.forEach((d) => d()));

  const table = dataTable<SurveillanceRow>(
    {
      testid: 'surveillance-table',
      empty: 'No deal has a performance report yet.',
      rowKey: (r) => r.dealId,
      onRowClick: (r) => {
        select.value = r.dealId;
        void showDeal();
      },
      columns: [
        { label: 'Deal', render: (r) => r.dealName },
        { label: 'Period', render: (r) => r.periodEnd },
        { label: 'DSCR', num: true, render: (r) => num(r.metrics.dscr, 2) },
        { label: 'DSCR 3m', num: true, render: (r) => num(r.metrics.dscrThreeMonthAverage, 2) },
        { label: 'LTV %', num: true, render: (r) => num(r.metrics.ltvPercent, 2) },
        { label: 'Largest tenant %', num: true, render: (r) => num(r.metrics.largestTenantSharePercent, 2) },
        { label: 'Top 5 %', num: true, render: (r) => num(r.metrics.top5TenantSharePercent, 2) },
        { label: 'Utilization %', num: true, render: (r) => num(r.metrics.utilizationPercent, 2) },
        { label: 'Uptime %', num: true, render: (r) => num(r.metrics.uptimePercent, 2) },
        { label: 'PUE', num: true, render: (r) => num(r.metrics.pue, 3) },
        { label: 'Power $/MWh', num: true, render: (r) => num(r.metrics.powerPricePerMwh, 2) },
        { label: 'WAL (yrs)', num: true, render: (r) => num(r.metrics.walTermYears, 2) },
        { label: 'NOI', num: true, render: (r) => fmt.cash(r.metrics.netOperatingIncome) },
      ],
    },
    rows,
  );

  const exportAll = h('button', { class: 'small', testid: 'surveillance-csv' }, 'Export CSV');
  exportAll.addEventListener(
    'click',
    () =>
      void withBusy(exportAll, message, async () => {
        downloadText(`surveillance-${app.businessDate}.csv`, await app.client.surveillanceCsv());
      }),
  );
  const exportDeal = h('button', { class: 'small', testid: 'deal-csv' }, 'Deal history CSV');
  exportDeal.addEventListener(
    'click',
    () =>
      void withBusy(exportDeal, message, async () => {
        const deal = rows.find((r) => r.dealId === select.value);
        downloadText(
          `performance-${(deal?.dealName ?? 'deal').replace(/[^A-Za-z0-9]+/g, '-')}.csv`,
          await app.client.performanceReportsCsv(select.value),
        );
      }),
  );

  const newest = newestOnly();
  const showDeal = async () => {
    const current = newest();
    disposers.forEach((d) => d());
    disposers = [];
    if (!select.value) return replace(charts, h('p', { class: 'muted empty-state' }, 'No deal to chart.'));
    try {
      const [reports, waterfall, ltv] = await Promise.all([
        app.client.performanceReports(select.value),
        app.client.waterfall(select.value).catch(() => null),
        app.client.dealLtv(select.value).catch(() => null),
      ]);
      // The user picked another deal while this one loaded: its charts must not replace the newer pick's.
      if (!current()) return;
      replace(
        charts,
        dealCharts(reports, waterfall, (d) => disposers.push(d), ltv),
      );
    } catch (error) {
      if (current()) replace(charts, errorAlert(error));
    }
  };
  select.addEventListener('change', () => void showDeal());
  void showDeal();

  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Surveillance'),
      h('span', { class: 'sub' }, "Collateral performance from the trustees' monthly reports"),
    ),
    panel('Latest metrics by deal', h('div', { class: 'hscroll' }, table.element), { testid: 'surveillance-panel', tools: exportAll }),
    message.element,
    panel(
      'Deal history',
      h('div', {}, h('div', { class: 'row' }, h('div', { class: 'fit' }, select), h('div', { class: 'fit' }, exportDeal)), charts),
      { testid: 'deal-history' },
    ),
  );
}

/** LTV per date, marked by the GPU value index and as reported, against the deal's LTV trigger levels. */
function ltvChart(ltv: DealLtv, waterfall: WaterfallDefinition | null) {
  const line = (label: string, pick: (p: DealLtv['points'][number]) => string | null) => ({
    label,
    points: ltv.points.flatMap((p) => (pick(p) === null ? [] : [{ time: p.date, value: pick(p)! }])),
  });
  return seriesChart(
    'LTV marked by the GPU value index (%)',
    'chart-ltv',
    [line('marked', (p) => p.markedLtvPercent), line('reported', (p) => p.reportedLtvPercent)],
    triggerLevels(waterfall, ['ltvPercent']),
  );
}

function dealCharts(
  reports: readonly PerformanceReport[],
  waterfall: WaterfallDefinition | null,
  onDispose: (d: () => void) => void,
  ltv: DealLtv | null = null,
): HTMLElement {
  if (reports.length === 0) return h('p', { class: 'muted empty-state' }, 'No performance reports for this deal.');
  const made = [
    metricChart(
      'Utilization and uptime (%)',
      'chart-utilization',
      [
        { metric: 'utilizationPercent', label: 'utilization' },
        { metric: 'uptimePercent', label: 'uptime' },
      ],
      reports,
    ),
    seriesChart('PUE (deal and sites)', 'chart-pue', siteSeries(reports, 'pue', 'deal', 'pue'), [], 3),
    seriesChart(
      'Power price (USD/MWh, deal and sites)',
      'chart-power',
      siteSeries(reports, 'powerPricePerMwh', 'energy-weighted', 'powerPricePerMwh'),
    ),
    metricChart(
      'DSCR against its triggers (×)',
      'chart-dscr',
      [
        { metric: 'dscrThreeMonthAverage', label: '3-month average' },
        { metric: 'dscr', label: 'period' },
      ],
      reports,
      triggerLevels(waterfall, ['dscrThreeMonthAverage', 'dscr']),
      3,
    ),
    ltv && ltv.points.length > 0
      ? ltvChart(ltv, waterfall)
      : metricChart('LTV (%)', 'chart-ltv', [{ metric: 'ltvPercent', label: 'LTV' }], reports, triggerLevels(waterfall, ['ltvPercent'])),
    metricChart(
      'Tenant concentration (% of leased MW)',
      'chart-concentration',
      [
        { metric: 'largestTenantSharePercent', label: 'largest' },
        { metric: 'top5TenantSharePercent', label: 'top 5' },
      ],
      reports,
    ),
  ];
  made.forEach((c) => onDispose(c.dispose));
  return h(
    'div',
    { class: 'grid metric-grid' },
    made.map((c) => c.element),
  );
}
