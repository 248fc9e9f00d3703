/**
 * `cn` pricing commands: `cn project` runs a deal under a scenario through its own waterfall and
 * prints each class's price, yield, spread, WAL, duration and loss and the triggers' first
 * breaches; `cn price` shows a note's yield and spread to the ARD (and yield to maturity) at a
 * price, or with --x/--y a grid of yields over two scenario drivers, fetched row by row with a
 * progress bar. --json prints the API's answer.
 */
import fs from 'node:fs';
import { decimalArg, flag, positional, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { progressBar } from '../progress.js';
import { resolveDeal, resolveNote } from '../session.js';

/** --scenario: a name (base, a stress, one you saved) or inline JSON / @file.json. */
function scenarioOf(text: string | undefined): { scenario?: unknown; scenarioId?: string } {
  if (text === undefined) return { scenarioId: 'base' };
  if (text.startsWith('{')) return { scenario: JSON.parse(text) };
  if (text.startsWith('@')) return { scenario: JSON.parse(fs.readFileSync(text.slice(1), 'utf8')) };
  return { scenarioId: text };
}

/** --x utilizationPercent=95,90,85 → {driver, values}. */
function axisOf(text: string, name: string): { driver: string; values: string[] } {
  const [driver, list] = text.split('=');
  if (!driver || !list) throw new UsageError(`${name} is DRIVER=v1,v2,… (e.g. utilizationPercent=95,85,75)`);
  return {
    driver,
    values: list.split(',').map((v) => {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(v))
        throw new UsageError(`${name} values must be decimal numbers such as -12.5, got ${JSON.stringify(v)}`);
      return v;
    }),
  };
}

const project: Command = {
  name: 'project',
  group: 'Pricing',
  usage: 'project <deal> [--scenario base|<stress>|<saved>|JSON|@file] [--price P] [--settlement D]',
  summary:
    'project a deal through its own waterfall; each class priced at P (default 100): yield and spread to the ARD, WAL, duration, loss',
  async run({ args, out, client }) {
    const c = await client();
    const dealId = await resolveDeal(c, positional(args, 0, 'deal'));
    const price = flag(args, 'price');
    const settlementDate = flag(args, 'settlement');
    const first = await c.project({ dealId, ...scenarioOf(flag(args, 'scenario')), ...(settlementDate ? { settlementDate } : {}) });
    const result = price
      ? await c.project({
          dealId,
          ...scenarioOf(flag(args, 'scenario')),
          ...(settlementDate ? { settlementDate } : {}),
          pricing: first.classes.map((k: { noteId: string }) => ({ noteId: k.noteId, price: decimalArg(price, '--price') })),
        })
      : first;
    if (out.mode === 'json') return out.json(result);
    out.note(
      `scenario ${result.scenario.name}, settlement ${result.settlementDate}, curve ${result.curve ? `${result.curve.name} ${result.curve.date}` : 'none'}`,
    );
    out.table<Record<string, any>>(
      [
        { header: 'CLASS', value: (k) => k.className },
        { header: 'PRICE', value: (k) => k.price, align: 'right' },
        { header: 'YIELD%', value: (k) => k.yieldPercent, align: 'right' },
        { header: 'I-SPREAD_BP', value: (k) => k.spreadBp, align: 'right' },
        { header: 'Z-SPREAD_BP', value: (k) => k.zSpreadBp, align: 'right' },
        { header: 'WAL', value: (k) => k.walYears, align: 'right' },
        { header: 'MOD_DUR', value: (k) => k.modifiedDuration, align: 'right' },
        { header: 'LOSS%', value: (k) => k.lossPercent, align: 'right' },
        { header: 'LAST_FLOW', value: (k) => k.cashFlows.at(-1)?.date ?? '' },
      ],
      result.classes,
    );
    for (const b of result.triggerBreaches) out.note(`trigger ${b.name}: ${b.firstDate ? `first on ${b.firstDate}` : 'never on'}`);
  },
};

const price: Command = {
  name: 'price',
  group: 'Pricing',
  usage: 'price <note> [--price P] [--x DRIVER=v,… --y DRIVER=v,… [--scenario S]]',
  summary: "a note's yield and spread to the ARD and yield to maturity at P (base scenario); with --x/--y a yield grid with a progress bar",
  async run({ args, io, out, client }) {
    const c = await client();
    const { note } = await resolveNote(c, positional(args, 0, 'note'));
    const at = decimalArg(flag(args, 'price') ?? '100', '--price');
    const xText = flag(args, 'x');
    const yText = flag(args, 'y');
    if (!xText && !yText) {
      const a = await c.noteAnalytics(note.id, at);
      return out.record(
        [
          ['note', note.name],
          ['price', a.price],
          ['settlement', a.settlementDate],
          ['ARD', a.anticipatedRepaymentDate ?? 'none'],
          ['yield to ARD % (base)', a.yieldToArdPercent ?? ''],
          ['spread to ARD bp', a.spreadBp ?? ''],
          ['WAL to ARD', a.walYears ?? ''],
          ['modified duration', a.modifiedDuration ?? ''],
          ['yield to maturity %', a.yieldToMaturityPercent ?? ''],
          ['curve', a.curve ? `${a.curve.name} ${a.curve.date}` : 'none'],
        ],
        a,
      );
    }
    if (!xText || !yText) throw new UsageError('a grid needs both --x and --y');
    const x = axisOf(xText, '--x');
    const y = axisOf(yText, '--y');
    const rows: Record<string, any>[][] = [];
    io.stderr.write(progressBar(0, y.values.length));
    for (const [i, v] of y.values.entries()) {
      const part = await c.projectGrid({
        dealId: note.dealId,
        noteId: note.id,
        price: at,
        ...scenarioOf(flag(args, 'scenario')),
        x,
        y: { driver: y.driver, values: [v] },
      });
      rows.push(part.cells[0]);
      io.stderr.write(`\r${progressBar(i + 1, y.values.length)}`);
    }
    io.stderr.write('\n');
    if (out.mode === 'json') return out.json({ noteId: note.id, price: at, x, y, cells: rows });
    out.table<{ label: string; cells: Record<string, any>[] }>(
      [
        { header: `${y.driver} \\ ${x.driver}`, value: (r) => r.label },
        ...x.values.map((xv, j) => ({
          header: xv,
          value: (r: { cells: Record<string, any>[] }) => r.cells[j]?.yieldPercent ?? '',
          align: 'right' as const,
        })),
      ],
      y.values.map((label, i) => ({ label, cells: rows[i]! })),
    );
  },
};

export const pricingCommands: readonly Command[] = [project, price];
