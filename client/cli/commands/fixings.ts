/**
 * `cn` rate fixings: an index's stored fixings (`cn fixings SOFR [--from D] [--to D]`) and setting
 * them (`cn set-fixing SOFR 2026-11-12 4.31 [2026-11-13 4.29 …]`, operator or back office, one
 * audited request per date, stopping at the first refusal). Distributions of floating classes use
 * the fixing in effect for the period (docs/API-GUIDE.md, "Rate fixings"). Rates stay strings.
 */
import type { RateFixing } from '../../sdk/index.js';
import { dateArg, flag, positional, UsageError } from '../args.js';
import type { Command } from '../command.js';

const INDEX = /^[A-Z][A-Z0-9_-]{0,19}$/;

function indexArg(text: string): string {
  if (!INDEX.test(text))
    throw new UsageError(`the index is a name such as SOFR (capital letters, digits, _ or -), got ${JSON.stringify(text)}`);
  return text;
}

/** A rate in percent as typed, possibly negative; never converted to a number. */
function rateArg(text: string, what: string): string {
  const value = text.replace(/[,_]/g, '');
  if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value))
    throw new UsageError(`${what} must be a rate in percent such as 4.31, got ${JSON.stringify(text)}`);
  return value;
}

/** --fixing SOFR=4.40,TERM=4.1 → {SOFR: "4.40", TERM: "4.1"} (the server checks the values). */
export function fixingsArg(text: string): Record<string, string> {
  const fixings: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [index, rate, extra] = part.split('=');
    if (!index || !rate || extra !== undefined || !INDEX.test(index) || !/^-?\d+(\.\d+)?$/.test(rate))
      throw new UsageError(`--fixing takes INDEX=RATE pairs such as SOFR=4.40, got ${JSON.stringify(part)}`);
    Object.defineProperty(fixings, index, { value: rate, enumerable: true, writable: true, configurable: true });
  }
  return fixings;
}

const fixings: Command = {
  name: 'fixings',
  group: 'Back office',
  usage: 'fixings <index> [--from D] [--to D]',
  summary: "an index's stored rate fixings (percent), oldest first",
  async run({ args, out, client }) {
    const index = indexArg(positional(args, 0, 'the index, e.g. SOFR'));
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    const c = await client();
    const rows = await c.rateFixings(index, {
      ...(from ? { from: dateArg(from, '--from') } : {}),
      ...(to ? { to: dateArg(to, '--to') } : {}),
    });
    if (out.mode === 'json') return out.json(rows);
    out.table<RateFixing>(
      [
        { header: 'INDEX', value: (r) => r.index },
        { header: 'DATE', value: (r) => r.date },
        { header: 'RATE_PERCENT', value: (r) => r.ratePercent, align: 'right' },
      ],
      rows,
      { empty: `no ${index} fixings stored` },
    );
  },
};

const setFixing: Command = {
  name: 'set-fixing',
  group: 'Back office',
  usage: 'set-fixing <index> <date> <rate> [<date> <rate> …]',
  summary: "operators and back office: store (or correct) an index's fixing for each date (percent)",
  async run({ args, out, client }) {
    const index = indexArg(positional(args, 0, 'the index, e.g. SOFR'));
    const pairs = args.positionals.slice(1);
    if (pairs.length === 0 || pairs.length % 2 !== 0) throw new UsageError('give one or more <date> <rate> pairs after the index');
    const wanted: { date: string; ratePercent: string }[] = [];
    for (let i = 0; i < pairs.length; i += 2)
      wanted.push({ date: dateArg(pairs[i]!, 'the date'), ratePercent: rateArg(pairs[i + 1]!, `the rate of ${pairs[i]}`) });
    const c = await client();
    const set = [];
    for (const w of wanted) set.push(await c.setRateFixing(index, w.date, w.ratePercent));
    if (out.mode === 'json') return out.json(set);
    for (const s of set)
      out.line(`${s.index} ${s.date} ${s.ratePercent}%${s.previousRatePercent === null ? '' : ` (was ${s.previousRatePercent}%)`}`);
  },
};

export const fixingCommands: Command[] = [fixings, setFixing];
