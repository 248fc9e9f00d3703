/**
 * `cn` collateral performance: a deal's monthly metrics (`performance <deal>`), the cross-deal
 * comparison of the latest metrics (`surveillance`), and a deal's payment calendar. Each prints a
 * table, TSV when piped, the API's JSON with --json, or the API's CSV with --csv.
 */
import type { DealMetrics, PerformanceReport, SurveillanceRow } from '../../sdk/index.js';
import { dateArg, flag, has, integerFlag, positional } from '../args.js';
import type { Command } from '../command.js';
import { cash, fixed, type Column } from '../output.js';
import { resolveDeal } from '../session.js';

const metric = (name: keyof DealMetrics, header: string, places: number): Column<{ metrics: DealMetrics }> => ({
  header,
  value: (r) => r.metrics[name],
  format: (r) => (r.metrics[name] === null ? '' : fixed(r.metrics[name], places)),
  align: 'right',
});

const METRIC_COLUMNS = [
  metric('dscr', 'DSCR', 4),
  metric('dscrThreeMonthAverage', 'DSCR 3m', 4),
  metric('ltvPercent', 'LTV %', 2),
  metric('largestTenantSharePercent', 'Top tenant %', 2),
  metric('top5TenantSharePercent', 'Top 5 %', 2),
  metric('utilizationPercent', 'Util %', 2),
  metric('uptimePercent', 'Uptime %', 2),
  metric('pue', 'PUE', 4),
  metric('powerPricePerMwh', 'Power $/MWh', 2),
  metric('walTermYears', 'WAL yrs', 2),
  {
    header: 'NOI',
    value: (r: { metrics: DealMetrics }) => r.metrics.netOperatingIncome,
    format: (r: { metrics: DealMetrics }) => cash(r.metrics.netOperatingIncome),
    align: 'right' as const,
  },
];

const performance: Command = {
  name: 'performance',
  group: 'Surveillance',
  usage: 'performance <deal> [--from D] [--to D] [--csv]',
  summary: "a deal's monthly performance metrics (latest version of each period), newest first",
  async run({ args, out, client }) {
    const c = await client();
    const dealId = await resolveDeal(c, positional(args, 0, 'a deal (id or name)'));
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    const range = { ...(from ? { from: dateArg(from, '--from') } : {}), ...(to ? { to: dateArg(to, '--to') } : {}) };
    if (has(args, 'csv')) return void out.line((await c.performanceReportsCsv(dealId, range)).replace(/\r?\n$/, ''));
    const reports = await c.performanceReports(dealId, range);
    const columns: Column<PerformanceReport>[] = [
      { header: 'Period', value: (r) => r.periodEnd },
      { header: 'v', value: (r) => r.version, align: 'right' },
      ...METRIC_COLUMNS,
    ];
    out.table(columns, reports, { empty: 'no performance reports' });
  },
};

const surveillance: Command = {
  name: 'surveillance',
  group: 'Surveillance',
  usage: 'surveillance [--csv]',
  summary: 'the latest metrics of every deal, side by side',
  async run({ args, out, client }) {
    const c = await client();
    if (has(args, 'csv')) return void out.line((await c.surveillanceCsv()).replace(/\r?\n$/, ''));
    const rows = await c.surveillance();
    const columns: Column<SurveillanceRow>[] = [
      { header: 'Deal', value: (r) => r.dealName },
      { header: 'Period', value: (r) => r.periodEnd },
      ...METRIC_COLUMNS,
    ];
    out.table(columns, rows, { empty: 'no deal has a performance report' });
  },
};

const calendar: Command = {
  name: 'calendar',
  group: 'Surveillance',
  usage: 'calendar <deal> [--count N]',
  summary: "the deal's payment dates up to the next one, with their collection periods",
  async run({ args, out, client }) {
    const c = await client();
    const rows = await c.collectionCalendar(
      await resolveDeal(c, positional(args, 0, 'a deal (id or name)')),
      integerFlag(args, 'count', 1, 60),
    );
    out.table(
      [
        { header: 'Payment date', value: (r) => r.paymentDate },
        { header: 'Collection period', value: (r) => `${r.periodStart} to ${r.periodEnd}` },
        { header: 'Distributed', value: (r) => (r.distributed ? 'yes' : 'no') },
      ],
      rows,
    );
  },
};

export const performanceCommands: Command[] = [performance, surveillance, calendar];
