/**
 * `cn` look-through risk: a party's exposure by ultimate obligor, sponsor, GPU vendor, GPU model
 * or region (`exposure`), and its concentration limits (`limits`, `--set by:max:mode …`). Tables,
 * TSV when piped, the API's JSON with --json, the API's CSV with --csv.
 */
import type { ConcentrationLimit, ExposureDimension, ExposureReport, ExposureRow } from '../../sdk/index.js';
import { UsageError, flag, has } from '../args.js';
import type { Command } from '../command.js';
import { cash, fixed } from '../output.js';

const DIMENSIONS: readonly ExposureDimension[] = ['obligor', 'sponsor', 'vendor', 'gpuModel', 'region'];

function dimension(value: string | undefined): ExposureDimension {
  const by = (value ?? 'obligor') as ExposureDimension;
  if (!DIMENSIONS.includes(by)) throw new UsageError(`--by must be one of ${DIMENSIONS.join(', ')}`);
  return by;
}

const exposure: Command = {
  name: 'exposure', group: 'Risk', usage: 'exposure [--by obligor|sponsor|vendor|gpuModel|region] [--party ID] [--csv]',
  summary: 'look-through exposure of the party\'s holdings, with the largest share and Herfindahl',
  async run({ args, out, client }) {
    const c = await client();
    const by = dimension(flag(args, 'by'));
    const party = flag(args, 'party');
    if (has(args, 'csv')) return void out.line((await c.exposuresCsv(by, party)).replace(/\r?\n$/, ''));
    const report: ExposureReport = await c.exposures(by, party);
    out.table<ExposureRow>([
      { header: 'Key', value: (r) => r.name }, { header: 'Face', value: (r) => r.face, format: (r) => cash(r.face), align: 'right' },
      { header: 'Market value', value: (r) => r.marketValue, format: (r) => cash(r.marketValue), align: 'right' },
      { header: 'Share %', value: (r) => r.cashFlowSharePercent, format: (r) => fixed(r.cashFlowSharePercent, 2), align: 'right' },
    ], report.exposures, { data: report, empty: 'no holdings' });
    if (out.mode === 'table') {
      const marks = [...new Set(report.holdings.map((h) => h.markSource))].join(', ') || 'none';
      out.line(`total ${cash(report.totalMarketValue)}  largest ${fixed(report.largestSharePercent, 2)}%  Herfindahl ${report.herfindahl}  marks: ${marks}`);
    }
  },
};

/** `by:max:mode`, e.g. `obligor:25:hard`. */
function parseLimit(text: string): ConcentrationLimit {
  const [by, max, mode] = text.split(':');
  if (!max || (mode !== 'warn' && mode !== 'hard') || !/^\d+(\.\d+)?$/.test(max)) throw new UsageError(`a limit is by:maxPercent:warn|hard, e.g. obligor:25:hard (got ${text})`);
  return { by: dimension(by), maxSharePercent: max, mode };
}

const limits: Command = {
  name: 'limits', group: 'Risk', usage: 'limits [--set by:max:mode[,by:max:mode…]] [--clear]', summary: 'the party\'s concentration limits (show, replace or clear)',
  async run({ args, out, client }) {
    const c = await client();
    const set = flag(args, 'set');
    const result = set !== undefined ? await c.setRiskLimits(set.split(',').map(parseLimit)) : has(args, 'clear') ? await c.setRiskLimits([]) : await c.riskLimits();
    out.table<ConcentrationLimit>([
      { header: 'By', value: (r) => r.by }, { header: 'Max %', value: (r) => r.maxSharePercent, align: 'right' }, { header: 'Mode', value: (r) => r.mode },
    ], result.limits, { data: result, empty: 'no limits' });
  },
};

export const riskCommands: Command[] = [exposure, limits];
