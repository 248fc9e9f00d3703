/**
 * A monthly time series chart of deal metrics (lightweight-charts): one line per metric, one point
 * per reporting period (its period end as a business day), and horizontal lines for the triggers
 * that test the metric (e.g. the 1.35× cash-trap DSCR). The chart library plots JS numbers; that is
 * display only — the figures shown as text and exported come from the API's decimal strings.
 */
import { createChart, LineSeries, LineStyle, type IChartApi } from 'lightweight-charts';
import type { DealMetrics, PerformanceReport } from '../../../sdk/index.js';
import { h, panel, replace } from '../ui/dom.js';

export interface ChartLine { metric: keyof DealMetrics; label: string; color: string }
export interface TriggerLine { value: string; label: string; color?: string }

export interface MetricChart {
  element: HTMLElement;
  dispose(): void;
}

const COLORS = ['#4cc2ff', '#f2b84b', '#8bd17c', '#e57373'];

/** `reports` newest first (as the API lists them). */
export function metricChart(title: string, testid: string, lines: readonly Omit<ChartLine, 'color'>[], reports: readonly PerformanceReport[], triggers: readonly TriggerLine[] = [], precision = 2): MetricChart {
  const container = h('div', { class: 'chart small', testid: `${testid}-canvas` });
  const legend = h('div', { class: 'muted chart-legend' });
  const element = panel(title, h('div', {}, container, legend), { testid });
  let chart: IChartApi | null = null;
  let disposed = false;
  const ordered = [...reports].reverse();
  const latest = reports[0];

  replace(legend, ...lines.map((l, i) => h('span', { style: `color:${COLORS[i % COLORS.length]}` }, `${l.label} ${latest?.metrics[l.metric] ?? '—'}  `)),
    ...triggers.map((t) => h('span', { class: 'trigger-label' }, `· ${t.label} ${t.value}  `)));

  const draw = () => {
    if (disposed || chart) return;
    if (!container.isConnected) {
      requestAnimationFrame(draw);
      return;
    }
    chart = createChart(container, {
      autoSize: true,
      layout: { background: { color: '#111923' }, textColor: '#7f8fa3', fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: '#18222e' }, horzLines: { color: '#18222e' } },
      rightPriceScale: { borderColor: '#223042' },
      timeScale: { borderColor: '#223042' },
      crosshair: { mode: 0 },
    });
    lines.forEach((line, i) => {
      const series = chart!.addSeries(LineSeries, { color: COLORS[i % COLORS.length]!, lineWidth: 2, priceFormat: { type: 'price', precision, minMove: 1 / 10 ** precision } });
      series.setData(ordered.filter((r) => r.metrics[line.metric] !== null).map((r) => ({ time: r.periodEnd, value: Number(r.metrics[line.metric]) })));
      if (i === 0) {
        for (const t of triggers) series.createPriceLine({ price: Number(t.value), color: t.color ?? '#e57373', lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: t.label });
      }
    });
    chart.timeScale().fitContent();
  };
  draw();
  return { element, dispose: () => { disposed = true; chart?.remove(); } };
}

/**
 * The trigger levels a waterfall definition sets on a metric: the version-1 DSCR cash trap, and any
 * `triggers` list entries naming the metric with a threshold (the step-list waterfall).
 */
export function triggerLevels(definition: unknown, metric: keyof DealMetrics): TriggerLine[] {
  const d = (definition ?? {}) as { cashTrap?: { dscrThreshold?: string } | null; triggers?: { name?: string; metric?: string; threshold?: string }[] };
  const lines: TriggerLine[] = [];
  if ((metric === 'dscr' || metric === 'dscrThreeMonthAverage') && d.cashTrap?.dscrThreshold) lines.push({ value: d.cashTrap.dscrThreshold, label: 'cash trap' });
  for (const t of d.triggers ?? []) {
    if (t.metric === metric && t.threshold) lines.push({ value: t.threshold, label: t.name ?? 'trigger' });
  }
  return lines;
}
