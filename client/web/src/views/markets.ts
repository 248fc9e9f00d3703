/**
 * Markets: every listed note with its reference data (deal, class, rating, coupon, maturity,
 * factor), the last trade, the best bid and ask with their sizes, and the yield at those prices —
 * all live from the WebSocket books and tapes. Below, the user's cash and positions.
 */
import type { Balance, LocalBook, Note, TapeTrade } from '../../../sdk/index.js';
import { shortDealName, type AppContext } from '../app/context.js';
import { yieldAt } from '../money/domain.js';
import { ardFigures, spreadLabel } from '../money/ard.js';
import { h, panel, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { errorAlert } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

interface Row {
  note: Note;
  book: LocalBook | undefined;
  current: boolean;
  last: TapeTrade | undefined;
}

export function marketsView(app: AppContext, scope: Scope): HTMLElement {
  const rows = new Map<string, Row>(app.notes.map((note) => [note.id, { note, book: undefined, current: false, last: undefined }]));
  const table = dataTable<Row>({
    testid: 'notes-table',
    empty: 'No notes are listed yet.',
    rowKey: (r) => r.note.id,
    onRowClick: (r) => app.navigate(`/notes/${r.note.id}`),
    rowClass: (r) => (r.current ? undefined : 'stale'),
    columns: [
      { label: 'Deal', render: (r) => shortDealName(app.dealOf(r.note)?.name ?? '') },
      { label: 'Class', render: (r) => h('a', { href: `/notes/${r.note.id}` }, r.note.className) },
      { label: 'ISIN', render: (r) => r.note.isin },
      { label: 'Rating', render: (r) => r.note.rating },
      { label: 'Coupon', num: true, render: (r) => fmt.percent(r.note.couponRate, 3) },
      { label: 'Basis', render: (r) => `${r.note.dayCount} ${frequencyLabel(r.note.frequency)}` },
      { label: 'Maturity', render: (r) => r.note.maturityDate },
      { label: 'Factor', num: true, render: (r) => fmt.factor(r.note.factor) },
      { label: 'Last', num: true, decimals: true, render: (r) => fmt.price(r.last?.price, r.note) },
      { label: 'Bid size', num: true, render: (r) => fmt.face(r.book?.bestBid?.quantity) },
      { label: 'Bid', num: true, decimals: true, cellClass: () => 'bid', render: (r) => fmt.price(r.book?.bestBid?.price, r.note) },
      { label: 'Ask', num: true, decimals: true, cellClass: () => 'ask', render: (r) => fmt.price(r.book?.bestAsk?.price, r.note) },
      { label: 'Ask size', num: true, render: (r) => fmt.face(r.book?.bestAsk?.quantity) },
      {
        label: 'Bid yld',
        num: true,
        title: 'Yield to maturity at the best bid (street convention, bullet to the legal final)',
        render: (r) => yieldCell(app, r.note, r.book?.bestBid?.price),
      },
      {
        label: 'Ask yld',
        num: true,
        title: 'Yield to maturity at the best ask (street convention, bullet to the legal final)',
        render: (r) => yieldCell(app, r.note, r.book?.bestAsk?.price),
      },
      {
        label: 'Ask yld ARD',
        num: true,
        title: "Yield to the ARD at the best ask, base scenario (projected through the deal's waterfall)",
        render: (r) => ardCell(app, r.note, r.book?.bestAsk?.price, 'yield', render),
      },
      {
        label: 'Ask sprd ARD',
        num: true,
        title: 'I-spread over the UST par curve at the WAL, to the ARD, at the best ask, base scenario',
        render: (r) => ardCell(app, r.note, r.book?.bestAsk?.price, 'spread', render),
      },
      {
        label: 'Status',
        render: (r) =>
          r.note.status === 'halted' ? h('span', { class: 'pill failed' }, 'Halted') : h('span', { class: 'pill open' }, 'Trading'),
      },
    ],
  });
  const render = () => table.update([...rows.values()]);
  // The latest trades across every note, newest first, beside the cash and positions.
  const tapes = new Map<string, readonly TapeTrade[]>();
  const tape = dataTable<{ note: Note; trade: TapeTrade }>({
    testid: 'market-tape',
    empty: 'No trades yet today.',
    rowKey: (r) => r.trade.id,
    flashNew: true,
    columns: [
      { label: 'Time', render: (r) => fmt.time(r.trade.executedAt) },
      { label: 'Note', render: (r) => h('a', { href: `/notes/${r.note.id}` }, app.noteLabel(r.note)) },
      { label: 'Price', num: true, decimals: true, render: (r) => fmt.price(r.trade.price, r.note) },
      { label: 'Face', num: true, render: (r) => fmt.face(r.trade.quantity) },
      { label: 'Yield', num: true, render: (r) => fmt.yieldPercent(yieldAt(r.note, app.businessDate, r.trade.price)) },
    ],
  });
  const renderTape = () =>
    tape.update(
      [...tapes.entries()]
        .flatMap(([noteId, trades]) => trades.map((trade) => ({ note: rows.get(noteId)!.note, trade })))
        .sort((a, b) => b.trade.executedAt.localeCompare(a.trade.executedAt))
        .slice(0, 50),
    );
  for (const row of rows.values()) {
    scope.add(app.live!.watchBook(row.note.id, (book, current) => ((row.book = book), (row.current = current), render())));
    scope.add(
      app.live!.watchTrades(row.note.id, (trades) => {
        row.last = trades[0];
        tapes.set(row.note.id, trades);
        render();
        renderTape();
      }),
    );
  }
  render();
  renderTape();

  const children = [
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Markets'),
      h(
        'span',
        { class: 'sub' },
        `Prices in % of par · Bid/Ask yld: to maturity; ARD columns: to the ARD under the base scenario, spread over UST · T+${app.notes[0]?.settlementDays ?? 1} settlement`,
      ),
    ),
    panel('Notes', h('div', { class: 'scroll tall' }, table.element), { flush: true, testid: 'notes-panel', class: 'wrap-head' }),
    // Cash and positions take the width their four columns need; the tape fills the rest.
    h(
      'div',
      { class: app.canTrade ? 'grid markets-lower' : 'stack' },
      app.canTrade ? balancesPanel(app, scope) : null,
      panel('Latest trades', h('div', { class: 'scroll' }, tape.element), { flush: true, testid: 'market-tape-panel' }),
    ),
  ];
  return h('div', { class: 'stack' }, children);
}

function ardCell(app: AppContext, note: Note, price: string | undefined, what: 'yield' | 'spread', redraw: () => void): string {
  if (!price) return '';
  const a = ardFigures(app, note.id, price, redraw);
  if (!a) return '';
  return what === 'yield' ? fmt.yieldPercent(a.yieldToArdPercent) : spreadLabel(a.spreadBp);
}

function yieldCell(app: AppContext, note: Note, price: string | undefined): string {
  if (!price) return '';
  return fmt.yieldPercent(yieldAt(note, app.businessDate, price));
}

export function frequencyLabel(frequency: number): string {
  return ({ 1: 'annual', 2: 'semi-annual', 4: 'quarterly', 12: 'monthly' } as Record<number, string>)[frequency] ?? `${frequency}×/yr`;
}

/** Cash and positions: total, held (reserved by open orders and unsettled trades), available; a dealer's credit line and its use. */
export function balancesPanel(app: AppContext, scope: Scope): HTMLElement {
  const body = h('div', {});
  const table = dataTable<Balance>({
    testid: 'balances-table',
    empty: 'No cash or positions.',
    columns: [
      { label: 'Asset', render: (b) => (b.asset === 'USD' ? 'USD cash' : app.noteLabel(b.asset)) },
      { label: 'Total', num: true, render: (b) => (b.asset === 'USD' ? fmt.cash(b.total) : fmt.face(b.total)) },
      { label: 'Held', num: true, render: (b) => (b.asset === 'USD' ? fmt.cash(b.held) : fmt.face(b.held)) },
      { label: 'Available', num: true, render: (b) => (b.asset === 'USD' ? fmt.cash(b.available) : fmt.face(b.available)) },
    ],
  });
  // A dealer's credit line: what its buys may hold beyond its cash, and how much of it they use.
  const credit = h('div', { class: 'credit-line', testid: 'credit-line' });
  body.append(table.element, credit);
  const show = (balances: readonly Balance[]) => {
    table.update(balances);
    const usd = balances.find((b) => b.asset === 'USD');
    credit.replaceChildren(
      usd?.creditLine === undefined
        ? ''
        : `Credit line ${fmt.cash(usd.creditLine)} · used ${fmt.cash(usd.creditUsed ?? '0')} · available ${fmt.cash(usd.creditAvailable ?? '0')} (buys only; settlement is paid in cash)`,
    );
  };
  // The REST read paints first; once the channel has spoken, it alone (it is never older) draws.
  let pushed = false;
  void app.client.balances().then(
    (balances) => pushed || show(balances),
    (error) => body.replaceChildren(errorAlert(error)),
  );
  // Balances move with fills, and holds with every quote and order placed, replaced or pulled: the
  // private balances channel pushes them after each such change.
  scope.add(
    app.live!.watchBalances((balances) => {
      if (!balances) return;
      pushed = true;
      show(balances);
    }),
  );
  return panel('Cash and positions', body, { flush: true, testid: 'balances-panel' });
}
