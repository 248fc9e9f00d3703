/**
 * The Cash flows tab's two charts: one class's interest and principal stacked by payment date with
 * its balance line, and the deal's DSCR path against the waterfall's trigger levels.
 *
 * The charts plot JS numbers for display only; every figure shown as text elsewhere in the tab
 * comes from the API's decimal strings.
 */
import { createChart, HistogramSeries, LineSeries, type IChartApi } from 'lightweight-charts';
import type { ProjectedClass, Projection, WaterfallDefinition } from '../../../sdk/index.js';
import { h } from '../ui/dom.js';
import { seriesChart, triggerLevels, type MetricChart } from './metric-chart.js';

export interface ClassChart {
  element: HTMLElement;
  render(c: ProjectedClass): void;
  dispose(): void;
}

/** Interest and principal stacked by payment date (USD millions), with the balance line on the left scale. */
export function classFlowChart(): ClassChart {
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

/** The projection's DSCR and its 3-month average by payment date, with the waterfall's DSCR trigger levels. */
export function dscrPathChart(projection: Projection, waterfall: WaterfallDefinition | null): MetricChart {
  const points = (pick: (p: Projection['periods'][number]) => string | null) =>
    projection.periods.filter((p) => pick(p) !== null).map((p) => ({ time: p.date, value: pick(p)! }));
  const levels = triggerLevels(waterfall, ['dscrThreeMonthAverage', 'dscr']);
  return seriesChart(
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
}
