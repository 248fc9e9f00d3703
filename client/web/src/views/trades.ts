/**
 * My trades (investors and dealers): every own trade, newest first, with its money, its settlement
 * instruction's state, and — once the on-chain registry has been on — its transfer's state and
 * transaction hash on chain. Trades arrive on the live `executions` feed; settlement and chain
 * states change later (a settlement run, the registry worker), so the page also re-reads them
 * every few seconds while it is open.
 */
import type { Execution, Settlement } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { carriesChainState, chainCell } from '../components/chain.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { errorAlert } from '../ui/notice.js';
import { dataTable, type Column } from '../ui/table.js';

const TRADES_SHOWN = 500;
const REFRESH_MS = 5000;

interface Row {
  trade: Execution;
  settlement: Settlement | undefined;
}

function columns(app: AppContext, onChain: boolean): Column<Row>[] {
  return [
    { label: 'Executed', render: (r) => fmt.dateTime(r.trade.executedAt) },
    { label: 'Note', render: (r) => app.noteLabel(r.trade.noteId) },
    { label: 'Side', render: (r) => h('span', { class: r.trade.side === 'buy' ? 'bid' : 'ask' }, r.trade.side.toUpperCase()) },
    { label: 'Price', num: true, decimals: true, render: (r) => fmt.price(r.trade.price, app.note(r.trade.noteId)) },
    { label: 'Face', num: true, render: (r) => fmt.face(r.trade.quantity) },
    { label: 'Principal', num: true, render: (r) => fmt.cash(r.trade.principal) },
    { label: 'Accrued', num: true, render: (r) => fmt.cash(r.trade.accruedInterest) },
    { label: 'Net amount', num: true, render: (r) => fmt.cash(r.trade.netAmount) },
    { label: 'Settles', render: (r) => r.trade.settlementDate },
    {
      label: 'Settlement',
      render: (r) =>
        r.settlement
          ? h('span', { class: `pill ${r.settlement.status}`, testid: 'trade-settlement' }, r.settlement.status)
          : h('span', { class: 'muted' }, 'not yet instructed'),
    },
    { label: 'Venue', render: (r) => r.trade.venue.toUpperCase() },
    ...(onChain
      ? [
          {
            label: 'On chain',
            title: 'The settled transfer on the on-chain registry, and its transaction',
            render: (r: Row) => chainCell(r.trade.registry ?? null),
          },
        ]
      : []),
  ];
}

export async function tradesView(app: AppContext, scope: Scope): Promise<HTMLElement> {
  const load = async (): Promise<Row[]> => {
    const [trades, settlements] = await Promise.all([
      app.client.executions({ limit: TRADES_SHOWN }),
      app.client.settlements({ limit: 1000 }),
    ]);
    const byTrade = new Map(settlements.map((s) => [s.tradeId, s]));
    return trades.map((trade) => ({ trade, settlement: byTrade.get(trade.tradeId) }));
  };
  const container = h('div', { class: 'scroll tall' });
  const slot = h('div');
  // The on-chain column appears once a trade carries an on-chain state (the registry has been on).
  let onChain = false;
  let table = dataTable<Row>({ testid: 'trades', empty: 'No trades yet.', columns: [] });
  let shown = '';
  const show = (rows: Row[]) => {
    const key = JSON.stringify(rows);
    if (!onChain && carriesChainState(rows.map((r) => r.trade))) {
      onChain = true;
      shown = '';
    }
    // Redraw only on a change: a hover or a copy button is not swept away every few seconds.
    if (key === shown) return;
    if (shown === '') {
      table = dataTable<Row>({
        testid: 'trades',
        empty: 'No trades yet.',
        rowKey: (r) => `${r.trade.tradeId}:${r.trade.side}`,
        flashNew: true,
        columns: columns(app, onChain),
      });
      replace(container, table.element);
    }
    table.update(rows);
    shown = key;
  };
  show(await load());
  const refresh = async () => {
    try {
      show(await load());
      replace(slot);
    } catch (error) {
      replace(slot, errorAlert(error));
    }
  };
  scope.interval(() => void refresh(), REFRESH_MS);
  scope.add(app.live!.watchExecutions((_all, fresh) => fresh.length > 0 && void refresh()));
  const reload = h('button', { class: 'small', testid: 'trades-refresh', onclick: () => void refresh() }, 'Refresh');
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'My trades'),
      h('span', { class: 'sub' }, `${app.ownParty?.name ?? ''} · newest first · settlement and on-chain state`),
    ),
    slot,
    panel('Trades', container, { flush: true, testid: 'trades-panel', tools: [reload] }),
  );
}
