/**
 * Positions as a fixed-income desk reads them (GET /positions): per note the original face, factor,
 * current face, the mark and where it came from (book mid, last trade, or the base-scenario model
 * price), market value, accrued, average cost, realized and unrealized P&L, and what is traded but
 * not yet settled (pending face and cash). The dealer's inventory view shows the risk columns
 * instead: DV01 (from the analytics' modified duration) and the day's P&L against the previous
 * close. A totals row sums the money columns; CSV downloads the rows as the API gives them.
 *
 * Refreshed when the party's balances move (the private `balances` channel: fills, settlement,
 * holds) and every few seconds, since marks move with the book.
 */
import '../desk.css';
import type { Position } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { Decimal } from '../money/domain.js';
import { h, panel, replace, type Child, type Scope } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { errorAlert } from '../ui/notice.js';
import { dataTable, type Column } from '../ui/table.js';

const REFRESH_MS = 10_000;

export type PositionsMode = 'investor' | 'dealer';

const MARK_TITLES: Record<Position['markSource'], string> = {
  mid: 'Mid of the best bid and ask in the book',
  last: 'Last trade (the book is not two-sided)',
  model: 'Model price: base scenario, scheduled flows discounted at the coupon rate (no book, no trade)',
};

function signed(value: string | null | undefined): Child {
  if (value === null || value === undefined) return '';
  const d = new Decimal(value);
  return h('span', { class: d.isNeg() ? 'neg' : d.isPos() && !d.isZero() ? 'pos' : undefined }, fmt.cash(value));
}

function markCell(p: Position): Child {
  return [
    fmt.price(p.markPrice),
    ' ',
    h('span', { class: `pill ${p.markSource}`, title: MARK_TITLES[p.markSource], testid: 'mark-source' }, p.markSource),
  ];
}

function columns(app: AppContext, mode: PositionsMode): Column<Position>[] {
  const note: Column<Position> = { label: 'Note', render: (p) => h('a', { href: `/notes/${p.noteId}` }, app.noteLabel(p.noteId)) };
  if (mode === 'dealer')
    return [
      note,
      { label: 'Current face', num: true, render: (p) => fmt.face(p.currentFace) },
      { label: 'Mark', num: true, title: 'Clean price in % of par, and its source', render: markCell },
      { label: 'Value', num: true, title: 'Market value: current face × mark / 100', render: (p) => fmt.cash(p.marketValue) },
      {
        label: 'Mod dur',
        num: true,
        title: 'Modified duration to the ARD, base scenario, at the mark (note analytics)',
        render: (p) => (p.modifiedDuration ? fmt.decimal(p.modifiedDuration, 3) : '—'),
      },
      {
        label: 'DV01',
        num: true,
        title: '(Value + accrued) × modified duration × 0.0001: USD gained when yields fall 1 bp',
        render: (p) => (p.dv01 ? fmt.cash(p.dv01) : '—'),
      },
      {
        label: 'Prev close',
        num: true,
        title: 'Last trade before today (or the model price when there is none)',
        render: (p) => `${fmt.price(p.previousClose)}${p.previousCloseSource === 'model' ? ' m' : ''}`,
      },
      {
        label: 'Day P&L',
        num: true,
        title: "Mark change since the previous close on the face carried over, plus today's trades against the mark / previous close",
        render: (p) => signed(p.dayPnl),
      },
      { label: 'Unrealized', num: true, render: (p) => signed(p.unrealizedPnl) },
      { label: 'Realized', num: true, render: (p) => signed(p.realizedPnl) },
    ];
  return [
    note,
    { label: 'Original face', num: true, render: (p) => fmt.face(p.originalFace) },
    { label: 'Factor', num: true, render: (p) => fmt.factor(p.factor) },
    { label: 'Current face', num: true, render: (p) => fmt.face(p.currentFace) },
    { label: 'Mark', num: true, title: 'Clean price in % of par, and its source: mid, last or model', render: markCell },
    { label: 'Market value', num: true, render: (p) => fmt.cash(p.marketValue) },
    {
      label: 'Accrued',
      num: true,
      title: 'Accrued interest on current face for spot settlement',
      render: (p) => fmt.cash(p.accruedInterest),
    },
    {
      label: 'Avg cost',
      num: true,
      title: 'Average clean price of the fills (face held before the first fill at par)',
      render: (p) => fmt.price(p.averageCost),
    },
    { label: 'Unrealized', num: true, render: (p) => signed(p.unrealizedPnl) },
    { label: 'Realized', num: true, render: (p) => signed(p.realizedPnl) },
    { label: 'Pending face', num: true, title: 'Traded, not yet settled (a sale is negative)', render: (p) => fmt.face(p.pendingFace) },
    {
      label: 'Pending cash',
      num: true,
      title: 'Cash to receive (+) or pay (−) when the pending trades settle',
      render: (p) => signed(p.pendingCash),
    },
  ];
}

const SUMMED: Record<PositionsMode, Partial<Record<string, keyof Position>>> = {
  investor: {
    'Original face': 'originalFace',
    'Current face': 'currentFace',
    'Market value': 'marketValue',
    Accrued: 'accruedInterest',
    Unrealized: 'unrealizedPnl',
    Realized: 'realizedPnl',
    'Pending face': 'pendingFace',
    'Pending cash': 'pendingCash',
  },
  dealer: {
    'Current face': 'currentFace',
    Value: 'marketValue',
    DV01: 'dv01',
    'Day P&L': 'dayPnl',
    Unrealized: 'unrealizedPnl',
    Realized: 'realizedPnl',
  },
};

const FACE_FIELDS = new Set<keyof Position>(['originalFace', 'currentFace', 'pendingFace']);
/** Coloured by sign: gains green, losses red (values and accrued are not P&L and stay plain). */
const PNL_FIELDS = new Set<keyof Position>(['unrealizedPnl', 'realizedPnl', 'dayPnl', 'pendingCash']);

/** The totals row: sums of the face and money columns (exact decimals). */
export function positionTotals(rows: readonly Position[], field: keyof Position): string {
  return rows.reduce((sum, p) => sum.add((p[field] as string | null) ?? '0'), new Decimal(0)).toFixed(FACE_FIELDS.has(field) ? 0 : 2);
}

const CSV_FIELDS: (keyof Position)[] = [
  'noteId',
  'originalFace',
  'factor',
  'currentFace',
  'markPrice',
  'markSource',
  'marketValue',
  'accruedInterest',
  'averageCost',
  'unrealizedPnl',
  'realizedPnl',
  'pendingFace',
  'pendingCash',
  'modifiedDuration',
  'dv01',
  'previousClose',
  'previousCloseSource',
  'dayPnl',
];

export function positionsPanel(app: AppContext, scope: Scope, mode: PositionsMode, title?: string): HTMLElement {
  const cols = columns(app, mode);
  const table = dataTable<Position>({
    testid: mode === 'dealer' ? 'inventory-table' : 'positions-table',
    empty: mode === 'dealer' ? 'No inventory.' : 'No positions: notes you hold or have traded appear here.',
    rowKey: (p) => p.noteId,
    columns: cols,
  });
  const tfoot = h('tfoot', { testid: mode === 'dealer' ? 'inventory-totals' : 'positions-totals' });
  table.element.appendChild(tfoot);
  const slot = h('div');
  let rows: Position[] = [];
  const show = (next: Position[]) => {
    rows = next;
    table.update(next);
    const sums = SUMMED[mode];
    replace(
      tfoot,
      next.length === 0
        ? null
        : h(
            'tr',
            {},
            cols.map((c, i) => {
              const field = sums[c.label];
              if (i === 0) return h('td', {}, `Total (${next.length})`);
              if (!field) return h('td', { class: c.num ? 'num' : undefined });
              const total = positionTotals(next, field);
              const text = FACE_FIELDS.has(field) ? fmt.face(total) : PNL_FIELDS.has(field) ? signed(total) : fmt.cash(total);
              return h('td', { class: 'num', 'data-total': String(field) }, text);
            }),
          ),
    );
  };
  // One read at a time; a reason to read again while one runs is kept and served after it.
  let running = false;
  let again = false;
  const load = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      show(await app.client.positions());
      replace(slot);
    } catch (error) {
      replace(slot, errorAlert(error));
    } finally {
      running = false;
      if (again) {
        again = false;
        void load();
      }
    }
  };
  void load();
  scope.interval(() => void load(), REFRESH_MS);
  // Positions move with fills, settlement and cash: the balances channel says when. A burst of
  // quote updates (each moves a hold) is one read, half a second after the first.
  let first = true;
  let pending: ReturnType<typeof setTimeout> | null = null;
  scope.add(() => pending !== null && clearTimeout(pending));
  scope.add(
    app.live!.watchBalances((balances) => {
      if (!balances) return;
      if (first) {
        first = false;
        return;
      }
      pending ??= setTimeout(() => {
        pending = null;
        void load();
      }, 500);
    }),
  );
  const csv = h(
    'button',
    {
      class: 'small',
      testid: mode === 'dealer' ? 'inventory-csv' : 'positions-csv',
      onclick: () => {
        const header = ['note', ...CSV_FIELDS];
        const lines = rows.map((p) => [app.noteLabel(p.noteId), ...CSV_FIELDS.map((f) => p[f] as string | null)]);
        downloadText(`${mode === 'dealer' ? 'inventory' : 'positions'}-${app.businessDate}.csv`, toCsv(header, lines));
      },
    },
    'CSV',
  );
  const refresh = h('button', { class: 'small', onclick: () => void load() }, 'Refresh');
  const note =
    mode === 'dealer'
      ? 'Marks: book mid, else last trade, else model. DV01 = (value + accrued) × modified duration × 0.0001. Day P&L: mark change since the previous close on the face carried over, plus today’s buys at mark − price and sales at price − previous close.'
      : 'Trade-date positions. Marks: book mid when two-sided, else the last trade, else the model price (base scenario at the coupon rate). Average cost from your fills; face held before any fill enters at par.';
  return panel(
    title ?? (mode === 'dealer' ? 'Inventory and risk' : 'Positions'),
    h('div', {}, slot, h('div', { class: 'hscroll' }, table.element), h('div', { class: 'desk-note' }, note)),
    { flush: true, testid: mode === 'dealer' ? 'inventory-panel' : 'positions-panel', tools: [refresh, csv] },
  );
}
