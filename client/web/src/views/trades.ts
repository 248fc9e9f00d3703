/**
 * My trades (investors and dealers): the blotter. Every own trade, newest first, with its trade
 * and settlement dates, factor, the money (principal, accrued, net), how it was done (book,
 * dealer quote, RFQ), its settlement instruction's state and — once the on-chain registry has been
 * on — its transfer's state on chain. Filterable by note, side, trade-date range and settlement
 * status, with a CSV download of the rows shown; the own daily statement downloads below.
 * Trades arrive on the live `executions` feed; settlement and chain states change later (a
 * settlement run, the registry worker), so the page also re-reads them every few seconds.
 */
import '../desk.css';
import type { Execution } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { blotterFilters, passes, type BlotterFilter } from '../components/blotter-filters.js';
import { carriesChainState, chainCell } from '../components/chain.js';
import { ownStatementPanel } from '../components/own-statement.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { errorAlert } from '../ui/notice.js';
import { dataTable, type Column } from '../ui/table.js';

const TRADES_SHOWN = 500;
const REFRESH_MS = 5000;

const VENUE_LABELS: Record<string, string> = { book: 'Book', quote: 'Dealer quote', rfq: 'RFQ' };

function venueOf(trade: Execution): string {
  return VENUE_LABELS[trade.venueType ?? (trade.venue === 'rfq' ? 'rfq' : 'book')] ?? trade.venue;
}

function columns(app: AppContext, onChain: boolean): Column<Execution>[] {
  return [
    { label: 'Executed', render: (t) => fmt.dateTime(t.executedAt) },
    { label: 'Trade date', render: (t) => t.tradeDate },
    { label: 'Note', render: (t) => app.noteLabel(t.noteId) },
    { label: 'Side', render: (t) => h('span', { class: t.side === 'buy' ? 'bid' : 'ask' }, t.side.toUpperCase()) },
    { label: 'Price', num: true, decimals: true, render: (t) => fmt.price(t.price, app.note(t.noteId)) },
    { label: 'Face', num: true, render: (t) => fmt.face(t.quantity) },
    { label: 'Factor', num: true, render: (t) => fmt.factor(t.factor) },
    { label: 'Principal', num: true, render: (t) => fmt.cash(t.principal) },
    { label: 'Accrued', num: true, render: (t) => fmt.cash(t.accruedInterest) },
    { label: 'Net amount', num: true, render: (t) => fmt.cash(t.netAmount) },
    { label: 'Settles', render: (t) => t.settlementDate },
    {
      label: 'Settlement',
      render: (t) =>
        t.settlementStatus
          ? h(
              'span',
              {
                class: `pill ${t.settlementStatus}`,
                testid: 'trade-settlement',
                title: t.settledDate ? `settled ${t.settledDate}` : undefined,
              },
              t.settlementStatus,
            )
          : h('span', { class: 'muted' }, 'not yet instructed'),
    },
    { label: 'Venue', title: 'Book: two orders; Dealer quote: a dealer’s two-sided quote; RFQ', render: (t) => venueOf(t) },
    ...(onChain
      ? [
          {
            label: 'On chain',
            title: 'The settled transfer on the on-chain registry, and its transaction',
            render: (t: Execution) => chainCell(t.registry ?? null),
          },
        ]
      : []),
  ];
}

const CSV_HEADER = [
  'trade_id',
  'executed_at',
  'trade_date',
  'settlement_date',
  'note',
  'note_id',
  'side',
  'price',
  'face',
  'factor',
  'principal',
  'accrued_interest',
  'net_amount',
  'venue',
  'liquidity',
  'settlement_status',
  'settled_date',
];

export function blotterCsv(app: AppContext, trades: readonly Execution[]): string {
  return toCsv(
    CSV_HEADER,
    trades.map((t) => [
      t.tradeId,
      t.executedAt,
      t.tradeDate,
      t.settlementDate,
      app.noteLabel(t.noteId),
      t.noteId,
      t.side,
      t.price,
      t.quantity,
      t.factor,
      t.principal,
      t.accruedInterest,
      t.netAmount,
      t.venueType ?? t.venue,
      t.liquidity,
      t.settlementStatus ?? '',
      t.settledDate ?? '',
    ]),
  );
}

export async function tradesView(app: AppContext, scope: Scope): Promise<HTMLElement> {
  let filter: BlotterFilter = { noteId: '', side: '', from: '', to: '', status: '' };
  const load = async (): Promise<Execution[]> => {
    const trades = await app.client.executions({
      limit: TRADES_SHOWN,
      ...(filter.noteId ? { noteId: filter.noteId } : {}),
      ...(filter.from ? { from: filter.from } : {}),
      ...(filter.to ? { to: filter.to } : {}),
    });
    return trades.filter((t) => passes(t, filter));
  };
  const container = h('div', { class: 'scroll tall' });
  const slot = h('div');
  const count = h('span', { class: 'muted', testid: 'blotter-count' });
  // The on-chain column appears once a trade carries an on-chain state (the registry has been on).
  let onChain = false;
  let table = dataTable<Execution>({ testid: 'trades', empty: 'No trades yet.', columns: [] });
  let shown = '';
  let rows: Execution[] = [];
  const show = (next: Execution[]) => {
    rows = next;
    count.textContent = `${next.length} trade${next.length === 1 ? '' : 's'}`;
    const key = JSON.stringify(next);
    if (!onChain && carriesChainState(next)) {
      onChain = true;
      shown = '';
    }
    // Redraw only on a change: a hover or a copy button is not swept away every few seconds.
    if (key === shown) return;
    if (shown === '') {
      table = dataTable<Execution>({
        testid: 'trades',
        empty: 'No trades match.',
        rowKey: (t) => `${t.tradeId}:${t.side}`,
        flashNew: true,
        columns: columns(app, onChain),
      });
      replace(container, table.element);
    }
    table.update(next);
    shown = key;
  };
  const refresh = async () => {
    try {
      show(await load());
      replace(slot);
    } catch (error) {
      replace(slot, errorAlert(error));
    }
  };
  await refresh();
  scope.interval(() => void refresh(), REFRESH_MS);
  scope.add(app.live!.watchExecutions((_all, fresh) => fresh.length > 0 && void refresh()));
  const filters = blotterFilters(app, (next) => {
    filter = next;
    void refresh();
  });
  const reload = h('button', { class: 'small', testid: 'trades-refresh', onclick: () => void refresh() }, 'Refresh');
  const csv = h(
    'button',
    {
      class: 'small',
      testid: 'trades-csv',
      onclick: () =>
        downloadText(`trades-${(app.ownParty?.name ?? 'own').replace(/[^\w-]+/g, '-')}-${app.businessDate}.csv`, blotterCsv(app, rows)),
    },
    'CSV',
  );
  return h(
    'div',
    { class: 'stack' },
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'My trades'),
      h('span', { class: 'sub' }, `${app.ownParty?.name ?? ''} · newest first · settlement and on-chain state`),
    ),
    slot,
    panel('Trades', h('div', {}, filters.element, container), { flush: true, testid: 'trades-panel', tools: [count, reload, csv] }),
    ownStatementPanel(app),
  );
}
