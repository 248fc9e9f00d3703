/**
 * `cn`: the Compute Notes Exchange from the command line, through the SDK. `run` parses the
 * arguments, picks the command, chooses the output (table on a terminal, TSV when piped, --json)
 * and turns every failure into a message on stderr and a documented exit code (exit-codes.ts).
 * `main` is the settlement-era entry point, kept for embedding callers with its original codes.
 */
import { ApiError } from '../sdk/index.js';
import { parseArgs, RefusedError, UsageError, type Args } from './args.js';
import type { Command, Context } from './command.js';
import { backOfficeCommands } from './commands/backoffice.js';
import { fixingCommands } from './commands/fixings.js';
import { performanceCommands } from './commands/performance.js';
import { riskCommands } from './commands/risk.js';
import { marketCommands } from './commands/market.js';
import { rfqCommands } from './commands/rfq.js';
import { tradingCommands } from './commands/trading.js';
import { pricingCommands } from './commands/pricing.js';
import { auditCommands } from './commands/audit.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { Output, type Mode } from './output.js';
import { AuthError, connect } from './session.js';

export type { CliIo } from './io.js';
export { parseFlags } from './args.js';
export { progressBar } from './progress.js';
export { EXIT } from './exit-codes.js';

export const COMMANDS: readonly Command[] = [
  ...marketCommands,
  ...tradingCommands,
  ...rfqCommands,
  ...pricingCommands,
  ...backOfficeCommands,
  ...fixingCommands,
  ...performanceCommands,
  ...riskCommands,
  ...auditCommands,
];

export function helpText(): string {
  const groups = new Map<string, Command[]>();
  for (const command of COMMANDS) groups.set(command.group, [...(groups.get(command.group) ?? []), command]);
  const lines = [
    'cn — the Compute Notes Exchange from the command line',
    '',
    'usage: cn <command> [arguments] [--url URL] [--json | --csv | --tsv | --table]',
    '',
  ];
  for (const [group, commands] of groups) {
    lines.push(`${group}:`);
    for (const c of commands) lines.push(`  ${c.usage}`, `      ${c.summary}`);
    lines.push('');
  }
  lines.push(
    'Notes are named by ISIN, class (A-2, B, C, Senior), deal/class (Meridian/B) or id. Prices are % of par,',
    'faces are original face, amounts are decimal strings and never rounded through floating point.',
    '',
    'Connection: --url or CN_URL (default http://localhost:3000). Credentials: --token or CN_TOKEN; --user and',
    '--password, or CN_USER (CN_USERNAME) and CN_PASSWORD; else the session saved by `cn login`',
    '(in $CN_CONFIG_DIR, $XDG_CONFIG_HOME/cn or ~/.config/cn).',
    '',
    'Output: a table on a terminal (decimals aligned on the point); tab-separated exact values when piped (or --tsv);',
    "CSV of the exact values with --csv (the server's own CSV where it has one); the API's JSON with --json.",
    'Progress and messages go to stderr.',
    '',
    'Exit codes:',
    `  ${EXIT.ok}  done`,
    `  ${EXIT.usage}  usage error (unknown command, missing or malformed argument); nothing was sent`,
    `  ${EXIT.rejected}  the API rejected the request (4xx: validation, market rules, wrong state, not permitted)`,
    `  ${EXIT.unavailable}  network or authentication failure (unreachable, timeout, 401, 5xx, not logged in)`,
    `  ${EXIT.breaks}  cn recon found reconciliation breaks`,
  );
  return `${lines.join('\n')}\n`;
}

function outputMode(args: Args, io: CliIo): Mode {
  if (args.flags.has('json')) return 'json';
  if (args.flags.has('tsv')) return 'tsv';
  if (args.flags.has('csv')) return 'csv';
  if (args.flags.has('table') || io.stdout.isTTY) return 'table';
  return 'tsv';
}

/** Exit code and message for a failure. */
function failure(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) return { code: EXIT.usage, message: error.message };
  if (error instanceof RefusedError) return { code: EXIT.rejected, message: error.message };
  if (error instanceof AuthError) return { code: EXIT.unavailable, message: error.message };
  if (error instanceof ApiError) {
    const detail = error.issues.length > 0 ? `\n  ${error.issues.join('\n  ')}` : '';
    const message = error.status === 0 ? error.message : `${error.status} ${error.code}: ${error.message}${detail}`;
    const code = error.status === 0 || error.status === 401 || error.status >= 500 ? EXIT.unavailable : EXIT.rejected;
    return { code, message };
  }
  return { code: EXIT.unavailable, message: (error as Error)?.message ?? String(error) };
}

/** Runs one `cn` invocation; answers its exit code (exit-codes.ts). Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === undefined || args.command === 'help' || (args.flags.has('help') && args.command === undefined)) {
      io.stdout.write(helpText());
      return args.command === undefined && !args.flags.has('help') ? EXIT.usage : EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === args.command);
    if (!command) throw new UsageError(`unknown command ${args.command}; commands: ${COMMANDS.map((c) => c.name).join(', ')} (cn --help)`);
    if (args.flags.has('help')) {
      io.stdout.write(`usage: cn ${command.usage}\n  ${command.summary}\n`);
      return EXIT.ok;
    }
    let connected: ReturnType<typeof connect> | null = null;
    const context: Context = { args, io, out: new Output(io, outputMode(args, io)), client: () => (connected ??= connect(args, io)) };
    return (await command.run(context)) ?? EXIT.ok;
  } catch (error) {
    const { code, message } = failure(error);
    io.stderr.write(`cn: ${message}\n`);
    return code;
  }
}

/**
 * The first `cn`'s contract, for callers embedding it (test/settlement): 0 done, 1 any error,
 * 2 reconciliation breaks. The `cn` binary uses `run` and its finer codes.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const code = await run(argv, io);
  if (code === EXIT.breaks) return 2;
  return code === EXIT.ok ? 0 : 1;
}
