/**
 * `cn`: the back office's command line over the API (through the SDK).
 *
 *   cn settle --date 2026-11-24 [--mode net]      settle what is due, with a progress bar
 *   cn settlements [--date D] [--status failed]   list instructions
 *   cn collections --deal <id|name> --payment-date D --reference R --revenue X --operating-costs Y
 *                  [--utilization U --uptime P --power-cost C --period-start D --period-end D]
 *   cn distribute --deal <id|name> --payment-date D   run the waterfall, print the trustee report
 *   cn report --deal <id|name> [--payment-date D]     print trustee reports
 *   cn statement [--party P] [--date D] [--csv]       a party's daily statement
 *   cn recon                                          reconciliation; exit code 2 when there are breaks
 *
 * Connection: --url or CN_URL (default http://localhost:3000); --token or CN_TOKEN, else
 * --user/--password or CN_USERNAME/CN_PASSWORD. Output goes to stdout, progress and errors to
 * stderr. Exit codes: 0 done, 1 error, 2 reconciliation breaks.
 */
import { ApiError, ComputeNotesClient, type RunSummary, type SettlementRun, type TrusteeReport } from '../sdk/index.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

const PROGRESS_POLL_MS = 250;
const BAR_WIDTH = 30;

type Flags = Map<string, string | true>;

export function parseFlags(args: readonly string[]): { command: string | undefined; flags: Flags } {
  const flags: Flags = new Map();
  const [command, ...rest] = args;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(arg.slice(2), true);
    else {
      flags.set(arg.slice(2), next);
      i++;
    }
  }
  return { command, flags };
}

class UsageError extends Error {}

function required(flags: Flags, name: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`);
  return value;
}

function optional(flags: Flags, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function progressBar(processed: number, total: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, processed / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${processed}/${total}`;
}

async function connect(flags: Flags, io: CliIo): Promise<ComputeNotesClient> {
  const baseUrl = optional(flags, 'url') ?? io.env.CN_URL ?? 'http://localhost:3000';
  const token = optional(flags, 'token') ?? io.env.CN_TOKEN;
  const client = new ComputeNotesClient({ baseUrl, ...(token ? { token } : {}), ...(io.fetch ? { fetch: io.fetch } : {}) });
  if (!token) {
    const user = optional(flags, 'user') ?? io.env.CN_USERNAME;
    const password = optional(flags, 'password') ?? io.env.CN_PASSWORD;
    if (!user || !password) throw new UsageError('give --token (CN_TOKEN) or --user and --password (CN_USERNAME, CN_PASSWORD)');
    await client.login(user, password);
  }
  return client;
}

async function dealId(client: ComputeNotesClient, reference: string): Promise<string> {
  if (/^[0-9a-f-]{36}$/i.test(reference)) return reference;
  const match = (await client.deals()).filter((d) => d.name.toLowerCase().startsWith(reference.toLowerCase()));
  if (match.length !== 1) throw new UsageError(`--deal ${reference} matches ${match.length} deals; give its id`);
  return match[0]!.id;
}

/** Runs the settlement while polling the run's progress, drawing a bar on stderr. */
async function settle(client: ComputeNotesClient, flags: Flags, io: CliIo): Promise<number> {
  const date = required(flags, 'date');
  const mode = (optional(flags, 'mode') ?? 'gross') as 'gross' | 'net';
  if (mode !== 'gross' && mode !== 'net') throw new UsageError('--mode is gross or net');
  const known = new Set((await client.settlementRuns({ date, limit: 50 })).map((r) => r.id));
  let done = false;
  const running = client.runSettlement({ date, mode }).finally(() => {
    done = true;
  });
  let shown: SettlementRun | undefined;
  while (!done) {
    await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS))]);
    if (done) break;
    const run = (await client.settlementRuns({ date, limit: 5 }).catch(() => [])).find((r) => !known.has(r.id));
    if (run && run.total > 0) {
      shown = run;
      io.stderr.write(`\r${progressBar(run.processed, run.total)} settled ${run.settled} failed ${run.failed}`);
    }
  }
  const summary: RunSummary = await running;
  if (shown || summary.due > 0) io.stderr.write(`\r${progressBar(summary.settled + summary.failed, summary.due)} settled ${summary.settled} failed ${summary.failed}\n`);
  io.stdout.write(`run ${summary.runId} ${summary.date} ${summary.mode}: due ${summary.due}, settled ${summary.settled}, failed ${summary.failed} in ${summary.durationMs} ms\n`);
  return 0;
}

function printReport(report: TrusteeReport, io: CliIo): void {
  const line = (text: string) => io.stdout.write(`${text}\n`);
  line(`${report.dealName} — payment date ${report.paymentDate} (record date ${report.recordDate})`);
  line(`collections: revenue ${report.collections.revenue}, operating costs ${report.collections.operatingCosts}, net ${report.collections.netCashFlow}; utilization ${report.collections.utilizationPercent}%, uptime ${report.collections.uptimePercent}%`);
  line(`DSCR ${report.dscr ?? 'n/a'}${report.cashTrapActive ? ' (cash trap)' : ''}${report.fullCashSweep ? ' (full cash sweep)' : ''}; senior fees paid ${report.seniorFees.paid} (shortfall ${report.seniorFees.shortfall})`);
  line(`reserve ${report.reserve.before} → ${report.reserve.after}; trapped cash ${report.trappedCash.before} → ${report.trappedCash.after}; released ${report.residualReleased}`);
  line('class      interest paid   shortfall   principal paid   balance before → after            factor before → after');
  for (const c of report.classes) {
    line(`${c.className.padEnd(10)} ${c.interestPaid.padStart(14)} ${c.interestShortfall.padStart(11)} ${c.principalPaid.padStart(16)}   ${c.balanceBefore} → ${c.balanceAfter}   ${c.factorBefore} → ${c.factorAfter}`);
  }
}

async function command(name: string | undefined, flags: Flags, io: CliIo): Promise<number> {
  const out = (text: string) => io.stdout.write(text);
  switch (name) {
    case 'settle':
      return settle(await connect(flags, io), flags, io);
    case 'settlements': {
      const status = optional(flags, 'status') as 'pending' | 'settled' | 'failed' | 'cancelled' | undefined;
      const date = optional(flags, 'date');
      const list = await (await connect(flags, io)).settlements({ ...(date ? { date } : {}), ...(status ? { status } : {}) });
      for (const s of list) out(`${s.id}\t${s.tradeId}\t${s.settlementDate}\t${s.status}${s.failedSide ? ` (${s.failedSide}, ${s.failAgeBusinessDays}d, charge ${s.failCharge})` : ''}\t${s.quantity}\t${s.netAmount}\n`);
      return 0;
    }
    case 'collections': {
      const client = await connect(flags, io);
      const paymentDate = required(flags, 'payment-date');
      const result = await client.recordCollection(await dealId(client, required(flags, 'deal')), {
        reference: required(flags, 'reference'), paymentDate, periodStart: optional(flags, 'period-start') ?? paymentDate, periodEnd: optional(flags, 'period-end') ?? paymentDate,
        revenue: required(flags, 'revenue'), operatingCosts: optional(flags, 'operating-costs') ?? '0', utilization: optional(flags, 'utilization') ?? '0',
        uptime: optional(flags, 'uptime') ?? '0', powerCost: optional(flags, 'power-cost') ?? '0',
      });
      out(`collection ${result.id} recorded: net cash flow ${result.netCashFlow}\n`);
      return 0;
    }
    case 'distribute': {
      const client = await connect(flags, io);
      printReport(await client.runDistribution(await dealId(client, required(flags, 'deal')), required(flags, 'payment-date')), io);
      return 0;
    }
    case 'report': {
      const client = await connect(flags, io);
      for (const report of await client.trusteeReports(await dealId(client, required(flags, 'deal')), optional(flags, 'payment-date'))) printReport(report, io);
      return 0;
    }
    case 'statement': {
      const client = await connect(flags, io);
      const query = { ...(optional(flags, 'party') ? { partyId: optional(flags, 'party') } : {}), ...(optional(flags, 'date') ? { date: optional(flags, 'date') } : {}) };
      if (flags.has('csv')) {
        out(await client.statementCsv(query));
        return 0;
      }
      const s = await client.statement(query);
      out(`statement of ${s.partyId} for ${s.date}\n`);
      for (const t of s.trades) out(`trade      ${t.tradeId} ${t.side} ${t.quantity} of ${t.noteId} at ${t.price}: ${t.netAmount}, settles ${t.settlementDate}\n`);
      for (const x of s.settlements) out(`settled    ${x.tradeId} ${x.side} ${x.quantity} for ${x.netAmount}\n`);
      for (const f of s.fails) out(`fail       ${f.tradeId} ${f.side} since ${f.failSince}, ${f.failAgeBusinessDays} business days, charge ${f.failCharge} owed by the ${f.failChargePayer}\n`);
      for (const m of s.movements) out(`movement   entry ${m.entryId} ${m.kind} ${m.amount} ${m.asset}\n`);
      for (const b of s.closingBalances) out(`closing    ${b.asset} ${b.total}\n`);
      return 0;
    }
    case 'recon': {
      const report = await (await connect(flags, io)).reconciliation();
      if (report.breaks.length === 0) {
        out(`the books agree (checked ${report.checkedAt})\n`);
        return 0;
      }
      for (const b of report.breaks) out(`${b.kind}\t${b.entity}\texpected ${b.expected}\tactual ${b.actual}\tdifference ${b.difference}\t${b.message}\n`);
      out(`${report.breaks.length} breaks (checked ${report.checkedAt})\n`);
      return 2;
    }
    default:
      throw new UsageError(`unknown command ${name ?? '(none)'}; commands: settle, settlements, collections, distribute, report, statement, recon`);
  }
}

export async function main(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { command: name, flags } = parseFlags(args);
    return await command(name, flags, io);
  } catch (error) {
    if (error instanceof UsageError) io.stderr.write(`cn: ${error.message}\n`);
    else if (error instanceof ApiError) io.stderr.write(`cn: ${error.status} ${error.code}: ${error.message}\n`);
    else io.stderr.write(`cn: ${(error as Error).message}\n`);
    return 1;
  }
}
