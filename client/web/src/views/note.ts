/**
 * A note's page: the live depth ladder and tape, a price chart of its trades, the order ticket
 * with the money preview, own open orders (cancel/replace) and fills, the note's terms, the deal's
 * collateral facts and capital structure, and — next to the book — the deal's latest performance
 * metrics and trigger status, and a price ↔ yield ↔ spread calculator beside the ticket. A second
 * tab projects the deal's cash flows under a scenario (components/note-tabs.ts puts the two tabs
 * side by side; components/cash-flows.ts is the second).
 */
import type { TapeTrade } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { priceChart } from '../components/chart.js';
import { noteTabs } from '../components/note-tabs.js';
import { capitalStructurePanel, collateralPanel, termsPanel } from '../components/deal.js';
import { dealMetricsPanel } from '../components/deal-metrics.js';
import { ladder } from '../components/ladder.js';
import { fillsPanel, openOrdersPanel } from '../components/orders.js';
import { orderTicket } from '../components/ticket.js';
import { priceCalculator } from '../components/price-calculator.js';
import { yieldAt } from '../money/domain.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { infoAlert } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

export async function noteView(app: AppContext, scope: Scope, params: Record<string, string>): Promise<HTMLElement> {
  const note = app.note(params.id ?? '') ?? (await app.client.note(params.id ?? ''));
  const deal = app.dealOf(note) ?? (await app.client.deal(note.dealId));

  const ticket = app.canTrade ? orderTicket(app, note, scope) : null;
  const book = ladder(note, (price, side) => ticket?.setPrice(price, side));
  const chart = priceChart(note);
  scope.add(() => chart.dispose());
  const tape = dataTable<TapeTrade>({
    testid: 'tape',
    empty: 'No trades yet.',
    rowKey: (t) => t.id,
    flashNew: true,
    columns: [
      { label: 'Time', render: (t) => fmt.time(t.executedAt) },
      { label: 'Price', num: true, decimals: true, render: (t) => fmt.price(t.price, note) },
      { label: 'Face', num: true, render: (t) => fmt.face(t.quantity) },
      { label: 'Yield', num: true, render: (t) => fmt.yieldPercent(yieldAt(note, app.businessDate, t.price)) },
    ],
  });

  const quoteLine = h('span', { class: 'sub', testid: 'note-quote' });
  scope.add(
    app.live!.watchBook(note.id, (localBook, current) => {
      book.render(localBook, current);
      const bid = localBook?.bestBid?.price;
      const ask = localBook?.bestAsk?.price;
      replace(
        quoteLine,
        bid || ask ? `${bid ? fmt.price(bid, note, false) : '—'} / ${ask ? fmt.price(ask, note, false) : '—'}` : 'no market',
      );
    }),
  );
  scope.add(
    app.live!.watchTrades(note.id, (trades) => {
      tape.update(trades);
      chart.render(trades);
    }),
  );

  const header = h(
    'div',
    { class: 'page-title' },
    h('h1', { testid: 'note-title' }, note.name),
    h(
      'span',
      { class: 'sub' },
      `${note.isin} · ${note.rating} · ${fmt.percent(note.couponRate, 3)} ${note.dayCount} · matures ${note.maturityDate}`,
    ),
    quoteLine,
    note.status === 'halted' ? h('span', { class: 'pill failed' }, 'Trading halted') : null,
  );
  const left = h(
    'div',
    { class: 'stack' },
    book.element,
    dealMetricsPanel(app, deal),
    panel('Tape', h('div', { class: 'scroll' }, tape.element), { flush: true, testid: 'tape-panel' }),
  );
  const center = h(
    'div',
    { class: 'stack' },
    chart.element,
    app.canTrade ? openOrdersPanel(app, scope, note) : null,
    app.canTrade ? fillsPanel(app, scope, note) : null,
    capitalStructurePanel(deal, note),
  );
  const right = h(
    'div',
    { class: 'stack' },
    ticket
      ? ticket.element
      : panel('Order ticket', infoAlert('Orders are sent by investors and dealers; this login views the market only.')),
    priceCalculator(app, note),
    termsPanel(note),
    collateralPanel(deal),
  );
  return h('div', {}, header, noteTabs(app, scope, note, deal, h('div', { class: 'grid note-grid' }, left, center, right)));
}
