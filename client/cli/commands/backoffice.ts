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
import { cash, face } from '../output.js';
import { progressBar } from '../progress.js';
import { resolveDeal } from '../session.js';

const STATUSES = new Set(['pending', 'settled', 'failed', 'cancelled']);

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

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
  summary: 'settlement instructions and their state',
  async run({ args, out, client }) {
    const status = flag(args, 'status');
    if (status && !STATUSES.has(status)) throw new UsageError('--status is pending, settled, failed or cancelled');
    const date = flag(args, 'date');
    const party = flag(args, 'party');
    const list = await (await client()).settlements({
      ...(date ? { date: dateArg(date, '--date') } : {}),
      ...(status ? { status: status as SettlementStatus } : {}),
      ...(party ? { partyId: party } : {}),
      limit: 5000,
    });
    out.table<Settlement>(
      [
        { header: 'INSTRUCTION_ID', value: (s) => s.id },
        { header: 'TRADE_ID', value: (s) => s.tradeId },
        { header: 'SETTLES', value: (s) => s.settlementDate },
        { header: 'STATUS', value: (s) => s.status },
        { header: 'QUANTITY', value: (s) => s.quantity, format: (s) => face(s.quantity), align: 'right' },
        { header: 'NET_AMOUNT', value: (s) => s.netAmount, format: (s) => cash(s.netAmount), align: 'right' },
        { header: 'FAILED_SIDE', value: (s) => s.failedSide },
        { header: 'FAIL_AGE_BD', value: (s) => s.failAgeBusinessDays, align: 'right' },
        { header: 'FAIL_CHARGE', value: (s) => s.failCharge, format: (s) => cash(s.failCharge), align: 'right' },
        { header: 'TRADE_DATE', value: (s) => s.tradeDate },
        { header: 'BUYER', value: (s) => s.buyerPartyId ?? '' },
        { header: 'SELLER', value: (s) => s.sellerPartyId ?? '' },
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

function printReport(context: Context, report: TrusteeReport): void {
  const line = (text: string) => context.out.line(text);
  line(`${report.dealName} — payment date ${report.paymentDate} (record date ${report.recordDate})`);
  line(
    `collections: revenue ${report.collections.revenue}, operating costs ${report.collections.operatingCosts}, net ${report.collections.netCashFlow}; utilization ${report.collections.utilizationPercent}%, uptime ${report.collections.uptimePercent}%`,
  );
  line(
    `DSCR ${report.dscr ?? 'n/a'}${report.cashTrapActive ? ' (cash trap)' : ''}${report.fullCashSweep ? ' (full cash sweep)' : ''}; senior fees paid ${report.seniorFees.paid} (shortfall ${report.seniorFees.shortfall})`,
  );
  line(
    `reserve ${report.reserve.before} → ${report.reserve.after}; trapped cash ${report.trappedCash.before} → ${report.trappedCash.after}; released ${report.residualReleased}`,
  );
  for (const t of report.triggers ?? []) {
    line(
      `trigger ${t.name}: ${t.metric} ${t.value ?? 'n/a'} ${t.comparison} ${t.threshold} → ${t.breached ? 'breached' : 'passed'}${t.on ? ', on' : ', off'} (cure ${t.cureCount}/${t.curePeriods})`,
    );
  }
  line('class      interest paid   shortfall   principal paid   balance before → after            factor before → after');
  for (const c of report.classes) {
    line(
      `${c.className.padEnd(10)} ${c.interestPaid.padStart(14)} ${c.interestShortfall.padStart(11)} ${c.principalPaid.padStart(16)}   ${c.balanceBefore} → ${c.balanceAfter}   ${c.factorBefore} → ${c.factorAfter}`,
    );
  }
}

const distribute: Command = {
  name: 'distribute',
  group: 'Back office',
  usage: 'distribute --deal <id|name> --payment-date D',
  summary: 'run the waterfall and pay holders of record; prints the trustee report',
  async run(context) {
    const c = await context.client();
    const report = await c.runDistribution(
      await resolveDeal(c, requiredFlag(context.args, 'deal')),
      dateArg(requiredFlag(context.args, 'payment-date'), '--payment-date'),
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
    if (reports.length === 0) context.out.line('no trustee reports');
    for (const r of reports) printReport(context, r);
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
    const query = { ...(party ? { partyId: party } : {}), ...(date ? { date: dateArg(date, '--date') } : {}) };
    if (has(args, 'csv')) return void out.line((await c.statementCsv(query)).replace(/\r?\n$/, ''));
    const s = await c.statement(query);
    if (out.mode === 'json') return out.json(s);
    out.line(`statement of ${s.partyId} for ${s.date}`);
    for (const t of s.trades)
      out.line(`trade      ${t.tradeId} ${t.side} ${t.quantity} of ${t.noteId} at ${t.price}: ${t.netAmount}, settles ${t.settlementDate}`);
    for (const x of s.settlements) out.line(`settled    ${x.tradeId} ${x.side} ${x.quantity} for ${x.netAmount}`);
    for (const f of s.fails)
      out.line(
        `fail       ${f.tradeId} ${f.side} since ${f.failSince}, ${f.failAgeBusinessDays} business days, charge ${f.failCharge}${f.failChargePayer ? ` owed by the ${f.failChargePayer}` : ' (a failure to pay: no TMPG charge)'}`,
      );
    for (const m of s.movements) out.line(`movement   entry ${m.entryId} ${m.kind} ${m.amount} ${m.asset}`);
    for (const b of s.closingBalances) out.line(`closing    ${b.asset} ${b.total}`);
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
    usage: `${name} <party-id> <amount> --reference R`,
    summary: name === 'deposit' ? 'credit cash to a party (idempotent by reference)' : 'pay cash out of a party (idempotent by reference)',
    async run({ args, out, client }) {
      const input = {
        partyId: positional(args, 0, 'the party id'),
        amount: decimalArg(positional(args, 1, 'the amount'), 'the amount'),
        reference: requiredFlag(args, 'reference'),
      };
      const c = await client();
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
