/**
 * A data table from column specs: headers, right-aligned numeric columns, an empty state that
 * says what is missing, optional row click and per-row classes. `update(rows)` re-renders the body
 * only, so a live table keeps its header and scroll position.
 *
 * Until its rows are known (no `rows` given and no `update` yet) the body is blank and the table is
 * `aria-busy`: a table that loads itself must not say "No settlement runs" while the request is
 * still out, nor "Loading…" after it failed (the panel's message slot says that).
 */
import { h, replace, type Child } from './dom.js';

export interface Column<T> {
  label: string;
  /** Numbers are right-aligned in a monospaced, tabular font. */
  num?: boolean;
  /** Line up decimal points: pad each cell's text with figure spaces to the column's most decimals. */
  decimals?: boolean;
  center?: boolean;
  render: (row: T) => Child;
  cellClass?: (row: T) => string | undefined;
  title?: string;
}

export interface TableOptions<T> {
  columns: Column<T>[];
  empty: string;
  testid?: string;
  rowKey?: (row: T) => string;
  rowClass?: (row: T) => string | undefined;
  onRowClick?: (row: T) => void;
  /** Flash rows whose key was not shown before (new fills, new trades). */
  flashNew?: boolean;
}

export interface DataTable<T> {
  element: HTMLElement;
  update(rows: readonly T[]): void;
}

export function dataTable<T>(options: TableOptions<T>, rows?: readonly T[]): DataTable<T> {
  const tbody = h('tbody');
  const table = h(
    'table',
    { testid: options.testid, 'aria-busy': rows === undefined ? 'true' : undefined },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        options.columns.map((c) => h('th', { class: c.num ? 'num' : c.center ? 'center' : undefined, title: c.title }, c.label)),
      ),
    ),
    tbody,
  );
  let seen: Set<string> | null = null;
  const update = (next: readonly T[]) => {
    table.removeAttribute('aria-busy');
    if (next.length === 0) {
      replace(tbody, h('tr', {}, h('td', { class: 'empty', colspan: String(options.columns.length) }, options.empty)));
      seen = new Set();
      return;
    }
    const keys = new Set<string>();
    const aligned = options.columns.map((c) => (c.decimals ? alignDecimals(next.map((row) => c.render(row))) : null));
    replace(
      tbody,
      next.map((row, index) => {
        const key = options.rowKey?.(row);
        if (key !== undefined) keys.add(key);
        const fresh = options.flashNew && key !== undefined && seen !== null && !seen.has(key);
        const classes = [options.rowClass?.(row), options.onRowClick ? 'clickable' : undefined, fresh ? 'flash' : undefined]
          .filter(Boolean)
          .join(' ');
        return h(
          'tr',
          { class: classes || undefined, 'data-key': key, onclick: options.onRowClick ? () => options.onRowClick!(row) : undefined },
          options.columns.map((c, i) =>
            h(
              'td',
              { class: [c.num ? 'num' : c.center ? 'center' : '', c.cellClass?.(row) ?? ''].join(' ').trim() || undefined },
              aligned[i] ? aligned[i]![index] : c.render(row),
            ),
          ),
        );
      }),
    );
    seen = keys;
  };
  if (rows !== undefined) update(rows);
  return { element: table, update };
}

const FIGURE_SPACE = '\u2007';

/** Pads decimal texts ("99.5", "99.5078125") with figure spaces so their points line up. */
export function alignDecimals(cells: readonly Child[]): Child[] {
  const fraction = (cell: Child) => (typeof cell === 'string' && /^[\d,.-]+$/.test(cell) ? (cell.split('.')[1]?.length ?? 0) : 0);
  const most = Math.max(0, ...cells.map(fraction));
  return cells.map((cell) =>
    typeof cell === 'string' && /^[\d,.-]+$/.test(cell)
      ? cell + FIGURE_SPACE.repeat(most - fraction(cell) + (cell.includes('.') || most === 0 ? 0 : 1))
      : cell,
  );
}
