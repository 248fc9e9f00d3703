/**
 * How `cn` prints: a table with aligned columns (numbers right-aligned on their decimal point,
 * fixed decimals, thousands separators) on a terminal; tab-separated raw values when stdout is a
 * pipe or with --tsv (so `cut`/`awk` get exact decimal strings); RFC 4180 CSV of the same exact
 * values with --csv; the API's JSON with --json. --table forces the table. Numbers are formatted
 * with decimal.js, never through JS floats.
 */
import { Decimal } from 'decimal.js';
import type { CliIo } from './io.js';

export type Align = 'left' | 'right';

export interface Column<T> {
  header: string;
  /** The exact value (TSV, and the table when no `format` is given). */
  value: (row: T) => string | number | null | undefined;
  /** How the table shows it (separators, fixed decimals). */
  format?: (row: T) => string;
  align?: Align;
}

export type Mode = 'table' | 'tsv' | 'csv' | 'json';

export class Output {
  constructor(
    private readonly io: CliIo,
    readonly mode: Mode,
  ) {}

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Progress and notes for people go to stderr, so stdout stays clean for scripts. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Prints rows as the mode says; `data` is what --json prints (default: the rows). */
  table<T>(columns: Column<T>[], rows: readonly T[], options: { data?: unknown; empty?: string } = {}): void {
    if (this.mode === 'json') return this.json(options.data ?? rows);
    if (this.mode === 'tsv') {
      this.line(columns.map((c) => c.header).join('\t'));
      for (const row of rows) this.line(columns.map((c) => tsvField(c.value(row))).join('\t'));
      return;
    }
    if (this.mode === 'csv') {
      this.line(columns.map((c) => csvField(c.header)).join(','));
      for (const row of rows) this.line(columns.map((c) => csvField(c.value(row))).join(','));
      return;
    }
    if (rows.length === 0) return this.line(options.empty ?? '(none)');
    const cells = alignDecimals(
      columns,
      rows.map((row) => columns.map((c) => (c.format ? c.format(row) : String(c.value(row) ?? '')))),
    );
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
    const render = (values: string[]) =>
      values
        .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    this.line(render(columns.map((c) => c.header)));
    this.line(render(widths.map((w) => '-'.repeat(w))));
    for (const row of cells) this.line(render(row));
  }

  /** Label: value pairs (a record). */
  record(pairs: [string, string][], data: unknown): void {
    if (this.mode === 'json') return this.json(data);
    if (this.mode === 'tsv') {
      for (const [k, v] of pairs) this.line(`${k}\t${v}`);
      return;
    }
    if (this.mode === 'csv') {
      for (const [k, v] of pairs) this.line(`${csvField(k)},${csvField(v)}`);
      return;
    }
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`${k.padEnd(width)}  ${v}`);
  }
}

/**
 * Right-aligned numeric cells padded after their last digit so that decimal points line up
 * (99.9921875 above 100.250 above 1,000): a cell without a point counts as ending at its point.
 * Text cells (a dash, "5MM+") are left as they are.
 */
function alignDecimals<T>(columns: readonly Column<T>[], cells: string[][]): string[][] {
  const NUMERIC = /^[-+]?[\d,]*\.?\d*%?$/;
  for (const [i, column] of columns.entries()) {
    if (column.align !== 'right') continue;
    const tail = (cell: string) => {
      if (!NUMERIC.test(cell) || cell === '') return 0;
      const point = cell.indexOf('.');
      return point < 0 ? (cell.endsWith('%') ? 1 : 0) : cell.length - point;
    };
    const widest = Math.max(0, ...cells.map((row) => tail(row[i]!)));
    for (const row of cells) {
      const cell = row[i]!;
      if (cell === '' || !NUMERIC.test(cell)) continue;
      row[i] = cell + ' '.repeat(widest - tail(cell));
    }
  }
  return cells;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function tsvField(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value).replace(/[\t\n\r]/g, ' ');
}

function grouped(fixed: string): string {
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/** Cash: 2 decimals with separators. */
export function cash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '' : grouped(new Decimal(value).toFixed(2));
}

/** Face: whole currency units with separators (a capped tape size, "5MM+", as it is). */
export function face(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  if (value.endsWith('+')) return value; // a capped tape size, "5MM+" as FINRA shows it
  return grouped(new Decimal(value).toFixed(0));
}

/** A price in % of par: 3 decimals, more only when the price has them (1/128 ticks). */
export function price(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const v = new Decimal(value);
  return v.toFixed(Math.max(3, v.decimalPlaces()));
}

export function fixed(value: string | null | undefined, places: number): string {
  return value === null || value === undefined || value === '' ? '' : grouped(new Decimal(value).toFixed(places));
}

export function time(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
