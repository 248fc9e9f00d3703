/**
 * Command-line parsing for `cn`: the command, its positional arguments and `--flags` (a flag
 * followed by a value takes it, unless the flag is a known switch such as --json). Usage mistakes
 * are `UsageError`s, which the CLI answers with exit code 1.
 */

export class UsageError extends Error {}
/** Well formed, but the current state leaves nothing to act on (e.g. no open RFQ answer): exits like an API rejection. */
export class RefusedError extends Error {}

export type Flags = Map<string, string | true>;

export interface Args {
  command: string | undefined;
  positionals: string[];
  flags: Flags;
}

/** Flags that never take a value, so `cn book --json A-2` keeps A-2 as an argument. */
export const SWITCHES: ReadonlySet<string> = new Set([
  'json',
  'tsv',
  'table',
  'csv',
  'help',
  'all',
  'best',
  'post-only',
  'spread',
  'quiet',
  'wait',
  'version',
]);

export function parseArgs(argv: readonly string[]): Args {
  const flags: Flags = new Map();
  const positionals: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      if (eq > 2) {
        flags.set(arg.slice(2, eq), arg.slice(eq + 1));
        continue;
      }
      const name = arg.slice(2);
      const next = argv[i + 1];
      if (SWITCHES.has(name) || next === undefined || (next.startsWith('--') && next.length > 2)) flags.set(name, true);
      else {
        flags.set(name, next);
        i++;
      }
      continue;
    }
    if (arg === '-h') flags.set('help', true);
    else if (command === undefined) command = arg;
    else positionals.push(arg);
  }
  return { command, positionals, flags };
}

/** The settlement-era parser (flags only): kept for callers of the first `cn`. */
export function parseFlags(argv: readonly string[]): { command: string | undefined; flags: Flags } {
  const { command, positionals, flags } = parseArgs(argv);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return { command, flags };
}

export function flag(args: Args, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

export function requiredFlag(args: Args, name: string): string {
  const value = flag(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function has(args: Args, name: string): boolean {
  return args.flags.has(name);
}

/** The n-th positional argument (0-based), required. */
export function positional(args: Args, index: number, what: string): string {
  const value = args.positionals[index];
  if (value === undefined) throw new UsageError(`give ${what}`);
  return value;
}

export function integerFlag(args: Args, name: string, min: number, max: number): number | undefined {
  const text = flag(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(text);
}

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A decimal string as typed, without thousands separators; never converted to a number. */
export function decimalArg(text: string, what: string): string {
  const value = text.replace(/[,_]/g, '');
  if (!DECIMAL.test(value)) throw new UsageError(`${what} must be a decimal number such as 99.5, got ${JSON.stringify(text)}`);
  return value;
}

/** A spread in bp as typed ("150", "+150", "-12.5"): signed, at most 2 decimals. */
export function spreadArg(text: string, what: string): string {
  const value = text.replace(/[,_]/g, '').replace(/^\+/, '');
  if (!/^-?(0|[1-9]\d*)(\.\d{1,2})?$/.test(value))
    throw new UsageError(`${what} must be a spread in bp such as 150 or -12.5, got ${JSON.stringify(text)}`);
  return value;
}

export function dateArg(text: string, what: string): string {
  if (!DATE.test(text)) throw new UsageError(`${what} must be a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return text;
}

export function sideArg(text: string): 'buy' | 'sell' {
  const side = text.toLowerCase();
  if (side !== 'buy' && side !== 'sell') throw new UsageError(`the side is buy or sell, got ${JSON.stringify(text)}`);
  return side;
}
