/**
 * `cn` back-office commands of a deal's servicing: collections (record and correct) and
 * distributions with their trustee reports, printed as a person reads one (tables with cash to the
 * cent), as CSV rows that append across reports, or as the API's JSON.
 *
 * Guarantees: every figure printed is the API's, formatted, never recomputed. Must never: call
 * an endpoint other than the servicing ones, or change the output lines scripts read.
 */
import type { TrusteeReport } from '../../sdk/index.js';
import { dateArg, decimalArg, flag, requiredFlag } from '../args.js';
import type { Command, Context } from '../command.js';
import { cash, fixed, type Column } from '../output.js';
import { resolveDeal } from '../session.js';
import { fixingsArg } from './fixings.js';

/** The collection's figures from the flags; none without --revenue (the API then takes them from the performance reports). */
function figuresOf(args: Context['args']) {
  const revenue = flag(args, 'revenue');
  return revenue === undefined
    ? {}
    : {
        revenue: decimalArg(revenue, '--revenue'),
        operatingCosts: decimalArg(flag(args, 'operating-costs') ?? '0', '--operating-costs'),
        utilization: decimalArg(requiredFlag(args, 'utilization'), '--utilization'),
        uptime: decimalArg(requiredFlag(args, 'uptime'), '--uptime'),
        powerCost: decimalArg(flag(args, 'power-cost') ?? '0', '--power-cost'),
      };
}

export const collections: Command = {
  name: 'collections',
  group: 'Back office',
  usage:
    'collections --deal <id|name> --payment-date D --reference R [--revenue X --utilization U --uptime P [--operating-costs Y --power-cost C]]',
  summary:
    "record the trustee's collections for one of the deal's payment dates (the period is the deal's); without --revenue the figures come from the period's performance reports",
  async run({ args, out, client }) {
    const c = await client();
    const paymentDate = dateArg(requiredFlag(args, 'payment-date'), '--payment-date');
    const figures = figuresOf(args);
    const result = await c.recordCollection(await resolveDeal(c, requiredFlag(args, 'deal')), {
      reference: requiredFlag(args, 'reference'),
      paymentDate,
      ...figures,
    });
    if (out.mode === 'json') return out.json(result);
    out.line(`collection ${result.id} recorded: net cash flow ${result.netCashFlow}`);
    out.line(
      `period ${result.periodStart} to ${result.periodEnd}; operating costs ${result.operatingCosts} (power ${result.operatingCostBreakdown.power}, other ${result.operatingCostBreakdown.other})`,
    );
  },
};

export const correctCollection: Command = {
  name: 'correct-collection',
  group: 'Back office',
  usage:
    'correct-collection --deal <id|name> --reference R --reason TEXT [--revenue X --utilization U --uptime P [--operating-costs Y --power-cost C]]',
  summary:
    'before the distribution: a new version of a collection that reverses and replaces the old one (without --revenue, from the performance reports)',
  async run({ args, out, client }) {
    const c = await client();
    const figures = figuresOf(args);
    const result = await c.correctCollection(await resolveDeal(c, requiredFlag(args, 'deal')), requiredFlag(args, 'reference'), {
      reason: requiredFlag(args, 'reason'),
      ...figures,
    });
    if (out.mode === 'json') return out.json(result);
    out.line(
      `collection ${result.reference} version ${result.version} replaces version ${result.version - 1}: net cash flow ${result.netCashFlow}`,
    );
  },
};

/**
 * A trustee report as a person reads one: the period's collections and tests, then the triggers
 * and the classes as tables with cash to the cent on aligned decimal points. --csv prints the
 * class table's exact values (one row per class, the payment date on each) so that several
 * reports append into one file; piped (TSV) it prints the same sections with exact values in the
 * tables; --json prints the API's report.
 */
function printReport(context: Context, report: TrusteeReport): void {
  const { out } = context;
  if (out.mode === 'csv') return printClassRows(context, [report]);
  if (out.mode === 'table') out.line(`${report.dealName} — payment date ${report.paymentDate} (record date ${report.recordDate})`);
  const c = report.collections;
  out.record(
    [
      ['Revenue', cash(c.revenue)],
      ['Operating costs', cash(c.operatingCosts)],
      ['Net cash flow', cash(c.netCashFlow)],
      ['Utilization / uptime', `${fixed(c.utilizationPercent, 2)}% / ${fixed(c.uptimePercent, 2)}%`],
      [
        'DSCR',
        `${report.dscr === null ? 'n/a' : fixed(report.dscr, 4)}${report.cashTrapActive ? ' (cash trap)' : ''}${report.fullCashSweep ? ' (full cash sweep)' : ''}`,
      ],
      ['Senior fees paid', `${cash(report.seniorFees.paid)} (shortfall ${cash(report.seniorFees.shortfall)})`],
      ['Reserve', `${cash(report.reserve.before)} → ${cash(report.reserve.after)}`],
      ['Trapped cash', `${cash(report.trappedCash.before)} → ${cash(report.trappedCash.after)}`],
      ['Released to residual', cash(report.residualReleased)],
    ],
    report,
  );
  const triggers = report.triggers ?? [];
  if (triggers.length > 0) {
    if (out.mode === 'table') out.line();
    out.table<(typeof triggers)[number]>(
      [
        { header: 'TRIGGER', value: (t) => t.name },
        { header: 'METRIC', value: (t) => t.metric },
        { header: 'VALUE', value: (t) => t.value, align: 'right' },
        { header: 'TEST', value: (t) => `${t.comparison} ${t.threshold}` },
        { header: 'RESULT', value: (t) => (t.breached ? 'breached' : 'passed') },
        { header: 'STATE', value: (t) => (t.on ? 'on' : 'off') },
        { header: 'CURE', value: (t) => `${t.cureCount}/${t.curePeriods}`, align: 'right' },
      ],
      triggers,
    );
  }
  for (const f of report.rateFixings ?? [])
    if (out.mode === 'table')
      out.line(
        `${f.className} floats: ${f.index} ${f.fixingPercent}% + ${f.marginBp} bp = ${f.couponPercent}% (${f.source === 'stored' ? `stored fixing of ${f.fixingDate}` : 'given with the request'}; determination date ${f.determinationDate})`,
      );
  if (out.mode === 'table') out.line();
  out.table<ClassRow>(
    CLASS_COLUMNS,
    report.classes.map((c) => ({ ...c, paymentDate: report.paymentDate })),
  );
}

/** The class rows of several reports in one CSV/TSV table, each row with its payment date. */
function printClassRows(context: Context, reports: readonly TrusteeReport[]): void {
  const rows = reports.flatMap((r) => r.classes.map((c) => ({ ...c, paymentDate: r.paymentDate })));
  context.out.table<ClassRow>([{ header: 'PAYMENT_DATE', value: (c) => c.paymentDate }, ...CLASS_COLUMNS], rows);
}

type ClassRow = TrusteeReport['classes'][number] & { paymentDate: string };

const CLASS_COLUMNS: Column<ClassRow>[] = [
  { header: 'CLASS', value: (c) => c.className },
  { header: 'INTEREST_PAID', value: (c) => c.interestPaid, format: (c) => cash(c.interestPaid), align: 'right' },
  { header: 'SHORTFALL', value: (c) => c.interestShortfall, format: (c) => cash(c.interestShortfall), align: 'right' },
  { header: 'PRINCIPAL_PAID', value: (c) => c.principalPaid, format: (c) => cash(c.principalPaid), align: 'right' },
  { header: 'BALANCE_BEFORE', value: (c) => c.balanceBefore, format: (c) => cash(c.balanceBefore), align: 'right' },
  { header: 'BALANCE_AFTER', value: (c) => c.balanceAfter, format: (c) => cash(c.balanceAfter), align: 'right' },
  { header: 'FACTOR_BEFORE', value: (c) => c.factorBefore, format: (c) => fixed(c.factorBefore, 8), align: 'right' },
  { header: 'FACTOR_AFTER', value: (c) => c.factorAfter, format: (c) => fixed(c.factorAfter, 8), align: 'right' },
];

export const distribute: Command = {
  name: 'distribute',
  group: 'Back office',
  usage: 'distribute --deal <id|name> --payment-date D [--fixing SOFR=4.40[,INDEX=RATE…]]',
  summary: "run the waterfall and pay holders of record; prints the trustee report (floating classes: the stored fixing, or --fixing's)",
  async run(context) {
    const c = await context.client();
    const fixing = flag(context.args, 'fixing');
    const report = await c.runDistribution(
      await resolveDeal(c, requiredFlag(context.args, 'deal')),
      dateArg(requiredFlag(context.args, 'payment-date'), '--payment-date'),
      fixing === undefined ? undefined : fixingsArg(fixing),
    );
    if (context.out.mode === 'json') return context.out.json(report);
    printReport(context, report);
  },
};

export const report: Command = {
  name: 'report',
  group: 'Back office',
  usage: 'report --deal <id|name> [--payment-date D]',
  summary: 'trustee reports of a deal',
  async run(context) {
    const c = await context.client();
    const reports = await c.trusteeReports(await resolveDeal(c, requiredFlag(context.args, 'deal')), flag(context.args, 'payment-date'));
    if (context.out.mode === 'json') return context.out.json(reports);
    if (reports.length === 0 && context.out.mode === 'table') context.out.line('no trustee reports');
    if (context.out.mode === 'csv') return printClassRows(context, reports);
    for (const [i, r] of reports.entries()) {
      if (i > 0) context.out.line();
      printReport(context, r);
    }
  },
};
