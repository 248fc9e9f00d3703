/**
 * A monthly time series chart of deal metrics (lightweight-charts): one line per metric, one point
 * per reporting period (its period end as a business day), and horizontal lines for the triggers
 * that test the metric (e.g. the 1.35× cash-trap DSCR). The chart library plots JS numbers; that is
 * display only — the figures shown as text and exported come from the API's decimal strings.
 */
import { createChart, LineSeries, LineStyle, type IChartApi } from 'lightweight-charts';
import type { DealMetrics, PerformanceReport, WaterfallDefinition, WaterfallTrigger } from '../../../sdk/index.js';
import { h, panel, replace } from '../ui/dom.js';
import { Decimal } from '../money/domain.js';

export interface ChartLine {
  metric: keyof DealMetrics;
  label: string;
  color: string;
}
export interface TriggerLine {
  value: string;
  label: string;
  color?: string;
}

export interface MetricChart {
  element: HTMLElement;
  dispose(): void;
}

const COLORS = ['#4cc2ff', '#f2b84b', '#8bd17c', '#c792ea', '#e57373'];

/** A named series of (period end, decimal string) points, oldest first. */
export interface Series {
  label: string;
  points: readonly { time: string; value: string }[];
}

/** `reports` newest first (as the API lists them): one line per metric. */
export function metricChart(
  title: string,
  testid: string,
  lines: readonly Omit<ChartLine, 'color'>[],
  reports: readonly PerformanceReport[],
  triggers: readonly TriggerLine[] = [],
  precision = 2,
): MetricChart {
  const ordered = [...reports].reverse();
  const series = lines.map((l) => ({
    label: l.label,
    points: ordered.filter((r) => r.metrics[l.metric] !== null).map((r) => ({ time: r.periodEnd, value: r.metrics[l.metric]! })),
  }));
  return seriesChart(title, testid, series, triggers, precision);
}

/** A chart of any series (e.g. one per site); the legend shows each series' latest value. */
export function seriesChart(
  title: string,
  testid: string,
  series: readonly Series[],
  triggers: readonly TriggerLine[] = [],
  precision = 2,
): MetricChart {
  const container = h('div', { class: 'chart small', testid: `${testid}-canvas` });
  const legend = h('div', { class: 'muted chart-legend' });
  const element = panel(title, h('div', {}, container, legend), { testid });
  let chart: IChartApi | null = null;
  let disposed = false;

  replace(
    legend,
    ...series.map((s, i) =>
      h('span', { style: `color:${COLORS[i % COLORS.length]}` }, `${s.label} ${s.points[s.points.length - 1]?.value ?? '—'}  `),
    ),
    ...triggers.map((t) => h('span', { class: 'trigger-label' }, `· ${t.label} ${t.value}  `)),
  );

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
    series.forEach((s, i) => {
      const line = chart!.addSeries(LineSeries, {
        color: COLORS[i % COLORS.length]!,
        lineWidth: 2,
        priceFormat: { type: 'price', precision, minMove: 1 / 10 ** precision },
      });
      line.setData(s.points.map((p) => ({ time: p.time, value: Number(p.value) })));
      if (i === 0) {
        for (const t of triggers)
          line.createPriceLine({
            price: Number(t.value),
            color: t.color ?? '#e57373',
            lineWidth: 1,
            lineStyle: LineStyle.Dashed,
            axisLabelVisible: true,
            title: t.label,
          });
      }
    });
    chart.timeScale().fitContent();
  };
  draw();
  return {
    element,
    dispose: () => {
      disposed = true;
      chart?.remove();
    },
  };
}

/** One series per site of a site figure, from the reports (newest first), plus the deal-level metric first. */
export function siteSeries(
  reports: readonly PerformanceReport[],
  figure: 'pue' | 'powerPricePerMwh',
  dealLabel: string,
  metric: keyof DealMetrics,
): Series[] {
  const ordered = [...reports].reverse();
  const names = [...new Set(ordered.flatMap((r) => r.report.sites.map((s) => s.name)))].slice(0, COLORS.length - 1);
  return [
    {
      label: dealLabel,
      points: ordered.filter((r) => r.metrics[metric] !== null).map((r) => ({ time: r.periodEnd, value: r.metrics[metric]! })),
    },
    ...names.map((name) => ({
      label: name,
      points: ordered.flatMap((r) => r.report.sites.filter((s) => s.name === name).map((s) => ({ time: r.periodEnd, value: s[figure] }))),
    })),
  ];
}

/** What a trigger does while on, as a chart label. */
export function triggerLabel(trigger: WaterfallTrigger): string {
  switch (trigger.effect.type) {
    case 'trap_cash':
      return 'cash trap';
    case 'rapid_amortization':
      return 'rapid amortization';
    case 'defer_interest':
      return 'interest deferral';
  }
}

/**
 * The trigger levels the waterfall (its step form's `triggers`, what GET …/waterfall answers) sets
 * on the given metrics: one line per trigger testing one of them, at its threshold.
 */
export function triggerLevels(
  definition: WaterfallDefinition | null,
  metrics: readonly (keyof DealMetrics)[],
): (TriggerLine & { trigger: WaterfallTrigger })[] {
  return (definition?.triggers ?? [])
    .filter((t) => (metrics as readonly string[]).includes(t.metric))
    .map((t) => ({ value: t.threshold, label: triggerLabel(t), trigger: t }));
}

/** Whether a metric value breaches the trigger's test (comparison against its threshold). */
export function breaches(trigger: WaterfallTrigger, value: string): boolean {
  const v = new Decimal(value);
  switch (trigger.comparison) {
    case 'lt':
      return v.lt(trigger.threshold);
    case 'lte':
      return v.lte(trigger.threshold);
    case 'gt':
      return v.gt(trigger.threshold);
    case 'gte':
      return v.gte(trigger.threshold);
  }
}
