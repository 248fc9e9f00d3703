/**
 * `cn` back-office commands: settlement runs with a progress bar, instructions and fails,
 * collections, distributions and trustee reports, statements (one party, or every party's CSV
 * with a progress bar), reconciliation (exit code 4 when there are breaks; --csv), the end-of-day
 * roll, and cash deposits and withdrawals. The settlement-era output lines are kept as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  runSettlementWithProgress,
  type ReconciliationBreak,
  type Settlement,
  type SettlementStatus,
  type TrusteeReport,
} from '../../sdk/index.js';
import { dateArg, decimalArg, flag, has, positional, requiredFlag, UsageError } from '../args.js';
import type { Command, Context } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { cash, csvField, face, fixed, price, type Column } from '../output.js';
import { progressBar } from '../progress.js';
import { fixingsArg } from './fixings.js';
import { noteLabels, partyNames, resolveDeal, resolveParty } from '../session.js';

const STATUSES = new Set(['pending', 'settled', 'failed', 'cancelled']);

const settle: Command = {
  name: 'settle',
  group: 'Back office',
  usage: 'settle --date D [--mode gross|net]',
  summary: 'settle everything due on or before the date, with a progress bar',
  async run({ args, io, out, client }) {
    const date = dateArg(requiredFlag(args, 'date'), '--date');
    const mode = flag(args, 'mode') ?? 'gross';
    if (mode !== 'gross' && mode !== 'net') throw new UsageError('--mode is gross or net');
    const c = await client();
    let shown = false;
    const summary = await runSettlementWithProgress(c, { date, mode }, (run) => {
      if (run.total === 0) return;
      shown = true;
      io.stderr.write(`\r${progressBar(run.processed, run.total)} settled ${run.settled} failed ${run.failed}`);
    });
    if (shown || summary.due > 0)
      io.stderr.write(
        `\r${progressBar(summary.settled + summary.failed, summary.due)} settled ${summary.settled} failed ${summary.failed}\n`,
      );
    if (out.mode === 'json') return out.json(summary);
    out.line(
      `run ${summary.runId} ${summary.date} ${summary.mode}: due ${summary.due}, settled ${summary.settled}, failed ${summary.failed} in ${summary.durationMs} ms`,
    );
  },
};

const settlements: Command = {
  name: 'settlements',
  group: 'Back office',
  usage: 'settlements [--date D] [--status pending|settled|failed|cancelled] [--party P]',
  summary: 'settlement instructions and their state (party: name or id)',
  async run({ args, out, client }) {
    const status = flag(args, 'status');
    if (status && !STATUSES.has(status)) throw new UsageError('--status is pending, settled, failed or cancelled');
    const date = flag(args, 'date');
    const party = flag(args, 'party');
    const c = await client();
    const [list, notes, deals, parties] = await Promise.all([
      c.settlements({
        ...(date ? { date: dateArg(date, '--date') } : {}),
        ...(status ? { status: status as SettlementStatus } : {}),
        ...(party ? { partyId: await resolveParty(c, party) } : {}),
        limit: 5000,
      }),
      c.notes(),
      c.deals(),
      partyNames(c),
    ]);
    const labels = noteLabels(notes, deals);
    const name = (id: string | null) => (id === null ? '' : (parties.get(id) ?? id));
    out.table<Settlement>(
      [
        { header: 'SETTLES', value: (s) => s.settlementDate },
        { header: 'NOTE', value: (s) => labels.get(s.noteId) ?? s.noteId },
        { header: 'STATUS', value: (s) => s.status },
        { header: 'QUANTITY', value: (s) => s.quantity, format: (s) => face(s.quantity), align: 'right' },
        { header: 'NET_AMOUNT', value: (s) => s.netAmount, format: (s) => cash(s.netAmount), align: 'right' },
        { header: 'BUYER', value: (s) => name(s.buyerPartyId) },
        { header: 'SELLER', value: (s) => name(s.sellerPartyId) },
        { header: 'FAILED_SIDE', value: (s) => s.failedSide },
        { header: 'FAIL_AGE_BD', value: (s) => s.failAgeBusinessDays, align: 'right' },
        { header: 'FAIL_CHARGE', value: (s) => s.failCharge, format: (s) => cash(s.failCharge), align: 'right' },
        { header: 'TRADE_DATE', value: (s) => s.tradeDate },
        { header: 'TRADE_ID', value: (s) => s.tradeId },
        { header: 'INSTRUCTION_ID', value: (s) => s.id },
      ],
      list,
      { empty: 'no settlement instructions' },
    );
  },
};

const collections: Command = {
  name: 'collections',
  group: 'Back office',
  usage:
    'collections --deal <id|name> --payment-date D --reference R [--revenue X --utilization U --uptime P [--operating-costs Y --power-cost C]]',
  summary:
    "record the trustee's collections for one of the deal's payment dates (the period is the deal's); without --revenue the figures come from the period's performance reports",
  async run({ args, out, client }) {
    const c = await client();
    const paymentDate = dateArg(requiredFlag(args, 'payment-date'), '--payment-date');
    const revenue = flag(args, 'revenue');
    const figures =
      revenue === undefined
        ? {}
        : {
            revenue: decimalArg(revenue, '--revenue'),
            operatingCosts: decimalArg(flag(args, 'operating-costs') ?? '0', '--operating-costs'),
            utilization: decimalArg(requiredFlag(args, 'utilization'), '--utilization'),
            uptime: decimalArg(requiredFlag(args, 'uptime'), '--uptime'),
            powerCost: decimalArg(flag(args, 'power-cost') ?? '0', '--power-cost'),
          };
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

const correctCollection: Command = {
  name: 'correct-collection',
  group: 'Back office',
  usage:
    'correct-collection --deal <id|name> --reference R --reason TEXT [--revenue X --utilization U --uptime P [--operating-costs Y --power-cost C]]',
  summary:
    'before the distribution: a new version of a collection that reverses and replaces the old one (without --revenue, from the performance reports)',
  async run({ args, out, client }) {
    const c = await client();
    const revenue = flag(args, 'revenue');
    const figures =
      revenue === undefined
        ? {}
        : {
            revenue: decimalArg(revenue, '--revenue'),
            operatingCosts: decimalArg(flag(args, 'operating-costs') ?? '0', '--operating-costs'),
            utilization: decimalArg(requiredFlag(args, 'utilization'), '--utilization'),
            uptime: decimalArg(requiredFlag(args, 'uptime'), '--uptime'),
            powerCost: decimalArg(flag(args, 'power-cost') ?? '0', '--power-cost'),
          };
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

const distribute: Command = {
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

const report: Command = {
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

const statement: Command = {
  name: 'statement',
  group: 'Back office',
  usage: 'statement [--party P] [--date D] [--csv]',
  summary: "a party's daily statement (own party by default)",
  async run({ args, out, client }) {
    const c = await client();
    const party = flag(args, 'party');
    const date = flag(args, 'date');
    const query = { ...(party ? { partyId: await resolveParty(c, party) } : {}), ...(date ? { date: dateArg(date, '--date') } : {}) };
    if (has(args, 'csv')) return void out.line((await c.statementCsv(query)).replace(/\r?\n$/, ''));
    const [s, notes, deals, parties] = await Promise.all([c.statement(query), c.notes(), c.deals(), partyNames(c)]);
    if (out.mode === 'json') return out.json(s);
    const labels = noteLabels(notes, deals);
    const noteName = (id: string) => labels.get(id) ?? id;
    const asset = (id: string) => (id === 'USD' ? 'USD' : noteName(id));
    const section = (title: string, print: () => void) => {
      if (out.mode === 'table') out.line(`\n${title}`);
      print();
    };
    if (out.mode === 'table') out.line(`Statement of ${parties.get(s.partyId) ?? s.partyId} for ${s.date}`);
    type Trade = (typeof s.trades)[number];
    section('Trades', () =>
      out.table<Trade>(
        [
          { header: 'NOTE', value: (t) => noteName(t.noteId) },
          { header: 'SIDE', value: (t) => t.side },
          { header: 'QUANTITY', value: (t) => t.quantity, format: (t) => face(t.quantity), align: 'right' },
          { header: 'PRICE', value: (t) => t.price, format: (t) => price(t.price), align: 'right' },
          { header: 'NET_AMOUNT', value: (t) => t.netAmount, format: (t) => cash(t.netAmount), align: 'right' },
          { header: 'SETTLES', value: (t) => t.settlementDate },
          { header: 'TRADE_ID', value: (t) => t.tradeId },
        ],
        s.trades,
        { empty: 'no trades' },
      ),
    );
    type Instruction = (typeof s.settlements)[number];
    const instructionColumns: Column<Instruction>[] = [
      { header: 'NOTE', value: (x) => noteName(x.noteId) },
      { header: 'SIDE', value: (x) => x.side },
      { header: 'QUANTITY', value: (x) => x.quantity, format: (x) => face(x.quantity), align: 'right' },
      { header: 'NET_AMOUNT', value: (x) => x.netAmount, format: (x) => cash(x.netAmount), align: 'right' },
      { header: 'TRADE_ID', value: (x) => x.tradeId },
    ];
    section('Settled', () => out.table(instructionColumns, s.settlements, { empty: 'nothing settled' }));
    section('Fails', () =>
      out.table<Instruction>(
        [
          ...instructionColumns.slice(0, 4),
          { header: 'FAIL_SINCE', value: (f) => f.failSince },
          { header: 'AGE_BD', value: (f) => f.failAgeBusinessDays, align: 'right' },
          { header: 'CHARGE', value: (f) => f.failCharge, format: (f) => cash(f.failCharge), align: 'right' },
          { header: 'OWED_BY', value: (f) => f.failChargePayer ?? 'none (a failure to pay)' },
          instructionColumns[4]!,
        ],
        s.fails,
        { empty: 'no fails' },
      ),
    );
    type Distribution = (typeof s.distributions)[number];
    section('Distributions', () =>
      out.table<Distribution>(
        [
          { header: 'NOTE', value: (d) => noteName(d.noteId) },
          { header: 'PAYMENT_DATE', value: (d) => d.paymentDate },
          { header: 'FACE_OF_RECORD', value: (d) => d.faceOfRecord, format: (d) => face(d.faceOfRecord), align: 'right' },
          { header: 'INTEREST', value: (d) => d.interest, format: (d) => cash(d.interest), align: 'right' },
          { header: 'PRINCIPAL', value: (d) => d.principal, format: (d) => cash(d.principal), align: 'right' },
          { header: 'AMOUNT', value: (d) => d.amount, format: (d) => cash(d.amount), align: 'right' },
        ],
        s.distributions ?? [],
        { empty: 'no distributions' },
      ),
    );
    type Movement = (typeof s.movements)[number];
    section('Movements', () =>
      out.table<Movement>(
        [
          { header: 'ENTRY', value: (m) => m.entryId, align: 'right' },
          { header: 'KIND', value: (m) => m.kind },
          { header: 'ASSET', value: (m) => asset(m.asset) },
          {
            header: 'AMOUNT',
            value: (m) => m.amount,
            format: (m) => (m.asset === 'USD' ? cash(m.amount) : face(m.amount)),
            align: 'right',
          },
          { header: 'DESCRIPTION', value: (m) => m.description },
        ],
        s.movements,
        { empty: 'no movements' },
      ),
    );
    type Closing = (typeof s.closingBalances)[number];
    section('Closing balances', () =>
      out.table<Closing>(
        [
          { header: 'ASSET', value: (b) => asset(b.asset) },
          {
            header: 'TOTAL',
            value: (b) => b.total,
            format: (b) => (b.asset === 'USD' ? cash(b.total) : face(b.total)),
            align: 'right',
          },
        ],
        s.closingBalances,
        { empty: 'no balances' },
      ),
    );
  },
};

const statements: Command = {
  name: 'statements',
  group: 'Back office',
  usage: 'statements --date D --out DIR',
  summary: "every investor's and dealer's statement as CSV files, with a progress bar",
  async run({ args, io, out, client }) {
    const c = await client();
    const date = dateArg(requiredFlag(args, 'date'), '--date');
    const dir = requiredFlag(args, 'out');
    fs.mkdirSync(dir, { recursive: true });
    const parties = (await c.parties()).filter((p) => p.kind === 'investor' || p.kind === 'dealer');
    const written: string[] = [];
    for (const [i, party] of parties.entries()) {
      const file = path.join(dir, `statement-${party.name.replace(/[^A-Za-z0-9]+/g, '-')}-${date}.csv`);
      fs.writeFileSync(file, await c.statementCsv({ partyId: party.id, date }));
      written.push(file);
      io.stderr.write(`\r${progressBar(i + 1, parties.length)} ${party.name.slice(0, 30).padEnd(30)}`);
    }
    if (parties.length > 0) io.stderr.write('\n');
    if (out.mode === 'json') return out.json(written);
    for (const file of written) out.line(file);
  },
};

const recon: Command = {
  name: 'recon',
  group: 'Back office',
  usage: 'recon [--csv]',
  summary: 'reconciliation of trades, settlements, ledger and registry; exit code 4 when there are breaks',
  async run({ args, out, client }) {
    const result = await (await client()).reconciliation();
    if (has(args, 'csv')) {
      out.line('kind,entity,expected,actual,difference,message');
      for (const b of result.breaks) out.line([b.kind, b.entity, b.expected, b.actual, b.difference, b.message].map(csvField).join(','));
    } else if (out.mode === 'json') out.json(result);
    else if (result.breaks.length === 0) out.line(`the books agree (checked ${result.checkedAt})`);
    else {
      out.table<ReconciliationBreak>(
        [
          { header: 'KIND', value: (b) => b.kind },
          { header: 'ENTITY', value: (b) => b.entity },
          { header: 'EXPECTED', value: (b) => b.expected, align: 'right' },
          { header: 'ACTUAL', value: (b) => b.actual, align: 'right' },
          { header: 'DIFFERENCE', value: (b) => b.difference, align: 'right' },
          { header: 'MESSAGE', value: (b) => b.message },
        ],
        result.breaks,
      );
      out.note(`${result.breaks.length} breaks (checked ${result.checkedAt})`);
    }
    return result.breaks.length === 0 ? EXIT.ok : EXIT.breaks;
  },
};

const roll: Command = {
  name: 'roll',
  group: 'Back office',
  usage: 'roll [--expected D]',
  summary: 'end of day: DAY orders expire, the business date moves to the next business day',
  async run({ args, out, client }) {
    const expected = flag(args, 'expected');
    const result = await (await client()).rollBusinessDate(expected ? dateArg(expected, '--expected') : undefined);
    if (out.mode === 'json') return out.json(result);
    out.line(`business date ${result.previousDate} → ${result.businessDate}`);
  },
};

function cashCommand(name: 'deposit' | 'withdraw'): Command {
  return {
    name,
    group: 'Back office',
    usage: `${name} <party> <amount> --reference R`,
    summary: name === 'deposit' ? 'credit cash to a party (idempotent by reference)' : 'pay cash out of a party (idempotent by reference)',
    async run({ args, out, client }) {
      const c = await client();
      const input = {
        partyId: await resolveParty(c, positional(args, 0, 'the party (name or id)')),
        amount: decimalArg(positional(args, 1, 'the amount'), 'the amount'),
        reference: requiredFlag(args, 'reference'),
      };
      const result = name === 'deposit' ? await c.deposit(input) : await c.withdraw(input);
      if (out.mode === 'json') return out.json(result);
      out.line(`${name} ${cash(result.amount)} ${input.reference}: entry ${result.entryId}; available ${cash(result.balance.available)}`);
    },
  };
}

export const backOfficeCommands: Command[] = [
  settle,
  settlements,
  collections,
  correctCollection,
  distribute,
  report,
  statement,
  statements,
  recon,
  roll,
  cashCommand('deposit'),
  cashCommand('withdraw'),
];
