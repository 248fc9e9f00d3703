/**
 * A price chart of a note's trades (TradingView's lightweight-charts): one point per trade time
 * (the last trade of each second), price in % of par. The chart library plots JS numbers; that is
 * display only — no amount shown as text or sent anywhere comes from these numbers.
 */
import { createChart, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import type { Note, TapeTrade } from '../../../sdk/index.js';
import { h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';

export interface PriceChart {
  element: HTMLElement;
  render(trades: readonly TapeTrade[]): void;
  dispose(): void;
}

export function priceChart(note: Note): PriceChart {
  const container = h('div', { class: 'chart', testid: 'price-chart', role: 'img', 'aria-label': `Price of ${note.name} by trade time` });
  const empty = h('div', { class: 'muted' });
  // The last price is written in the header, not as a tag on the price axis, where it covered the
  // axis label beside it; the dotted line still marks its level on the chart.
  const last = h('span', { class: 'muted nowrap', testid: 'chart-last' });
  const element = panel('Price (trades)', h('div', {}, container, empty), { testid: 'chart-panel', tools: last });
  let chart: IChartApi | null = null;
  let series: ISeriesApi<'Line'> | null = null;
  let disposed = false;

  const ensure = () => {
    if (chart) return;
    chart = createChart(container, {
      autoSize: true,
      layout: { background: { color: '#111923' }, textColor: '#7f8fa3', fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: '#18222e' }, horzLines: { color: '#18222e' } },
      rightPriceScale: { borderColor: '#223042' },
      timeScale: { borderColor: '#223042', timeVisible: true, secondsVisible: true },
      crosshair: { mode: 0 },
    });
    series = chart.addSeries(LineSeries, {
      color: '#4cc2ff',
      lineWidth: 2,
      priceFormat: { type: 'price', precision: Math.min(fmt.tickDecimals(note), 4), minMove: 0.0001 },
      lastValueVisible: false,
      priceLineVisible: true,
    });
  };

  const render = (trades: readonly TapeTrade[]) => {
    replace(empty, trades.length === 0 ? 'No trades yet — the chart starts with the first trade.' : '');
    if (trades.length === 0 || disposed) return;
    replace(last, 'Last ', h('b', {}, fmt.price(trades[0]!.price, note, false)));
    if (!container.isConnected) {
      // Built before the view is mounted: draw once it is in the page (the chart needs a size).
      requestAnimationFrame(() => render(trades));
      return;
    }
    ensure();
    const bySecond = new Map<number, number>();
    for (const trade of [...trades].reverse()) bySecond.set(Math.floor(Date.parse(trade.executedAt) / 1000), Number(trade.price));
    const points = [...bySecond].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time: time as UTCTimestamp, value }));
    series!.setData(points);
    chart!.timeScale().fitContent();
  };

  return {
    element,
    render,
    dispose: () => {
      disposed = true;
      chart?.remove();
    },
  };
}
