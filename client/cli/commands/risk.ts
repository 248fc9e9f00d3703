/**
 * `cn` look-through risk: a party's exposure by ultimate obligor, sponsor, GPU vendor, GPU model
 * or region (`exposure`), its concentration limits (`limits`, `--set by:max:mode …`) and contagion
 * scenarios run through each held deal's projection (`stress`). Tables, TSV when piped, the API's
 * JSON with --json, the API's CSV with --csv.
 */
import type { ConcentrationLimit, ExposureDimension, ExposureReport, ExposureRow, ScenarioResult } from '../../sdk/index.js';
import { UsageError, flag, has } from '../args.js';
import type { Command } from '../command.js';
import { noteLabels } from '../session.js';
import { cash, fixed } from '../output.js';

const DIMENSIONS: readonly ExposureDimension[] = ['obligor', 'sponsor', 'vendor', 'gpuModel', 'region'];

function dimension(value: string | undefined): ExposureDimension {
  const by = (value ?? 'obligor') as ExposureDimension;
  if (!DIMENSIONS.includes(by)) throw new UsageError(`--by must be one of ${DIMENSIONS.join(', ')}`);
  return by;
}

const exposure: Command = {
  name: 'exposure',
  group: 'Risk',
  usage: 'exposure [--by obligor|sponsor|vendor|gpuModel|region] [--party ID] [--csv]',
  summary: "look-through exposure of the party's holdings, with the largest share and Herfindahl",
  async run({ args, out, client }) {
    const c = await client();
    const by = dimension(flag(args, 'by'));
    const party = flag(args, 'party');
    if (has(args, 'csv')) return void out.line((await c.exposuresCsv(by, party)).replace(/\r?\n$/, ''));
    const report: ExposureReport = await c.exposures(by, party);
    out.table<ExposureRow>(
      [
        { header: 'Key', value: (r) => r.name },
        { header: 'Face', value: (r) => r.face, format: (r) => cash(r.face), align: 'right' },
        { header: 'Market value', value: (r) => r.marketValue, format: (r) => cash(r.marketValue), align: 'right' },
        { header: 'Share %', value: (r) => r.cashFlowSharePercent, format: (r) => fixed(r.cashFlowSharePercent, 2), align: 'right' },
      ],
      report.exposures,
      { data: report, empty: 'no holdings' },
    );
    if (out.mode === 'table') {
      const marks = [...new Set(report.holdings.map((h) => h.markSource))].join(', ') || 'none';
      out.line(
        `total ${cash(report.totalMarketValue)}  largest ${fixed(report.largestSharePercent, 2)}%  Herfindahl ${report.herfindahl}  marks: ${marks}`,
      );
    }
  },
};

/** `by:max:mode`, e.g. `obligor:25:hard`. */
function parseLimit(text: string): ConcentrationLimit {
  const [by, max, mode] = text.split(':');
  if (!max || (mode !== 'warn' && mode !== 'hard') || !/^\d+(\.\d+)?$/.test(max))
    throw new UsageError(`a limit is by:maxPercent:warn|hard, e.g. obligor:25:hard (got ${text})`);
  return { by: dimension(by), maxSharePercent: max, mode };
}

const limits: Command = {
  name: 'limits',
  group: 'Risk',
  usage: 'limits [--set by:max:mode[,by:max:mode…]] [--clear]',
  summary: "the party's concentration limits (show, replace or clear)",
  async run({ args, out, client }) {
    const c = await client();
    const set = flag(args, 'set');
    const result =
      set !== undefined
        ? await c.setRiskLimits(set.split(',').map(parseLimit))
        : has(args, 'clear')
          ? await c.setRiskLimits([])
          : await c.riskLimits();
    out.table<ConcentrationLimit>(
      [
        { header: 'By', value: (r) => r.by },
        { header: 'Max %', value: (r) => r.maxSharePercent, align: 'right' },
        { header: 'Mode', value: (r) => r.mode },
      ],
      result.limits,
      { data: result, empty: 'no limits' },
    );
  },
};

/** `name:month:recovery`, the company by name (case-insensitive) or id. */
async function parseDefault(text: string, obligors: readonly { id: string; name: string }[]) {
  const parts = text.split(':');
  const [recovery, month] = [parts.pop(), parts.pop()];
  const who = parts.join(':');
  if (!who || !month || !/^\d+$/.test(month) || !recovery || !/^\d+(\.\d+)?$/.test(recovery))
    throw new UsageError(`a default is company:month:recoveryPercent (got ${text})`);
  const obligor = obligors.find((o) => o.id === who || o.name.toLowerCase() === who.toLowerCase());
  if (!obligor) throw new UsageError(`unknown company ${who}`);
  return { obligorId: obligor.id, month: Number(month), recoveryPercent: recovery };
}

const stress: Command = {
  name: 'stress',
  group: 'Risk',
  usage: 'stress --default company:month:recovery[,…] [--gpu-shock PCT] [--party ID] [--csv]',
  summary: "a contagion scenario through each held deal's projection: base and stressed value, loss, yield change, triggers",
  async run({ args, out, client }) {
    const c = await client();
    const spec = flag(args, 'default');
    if (!spec) throw new UsageError('give --default company:month:recoveryPercent');
    const shock = flag(args, 'gpu-shock');
    if (shock !== undefined && !/^\d+(\.\d+)?$/.test(shock)) throw new UsageError(`--gpu-shock is a percent such as 30 (got ${shock})`);
    const obligors = await c.obligors();
    const defaults = await Promise.all(spec.split(',').map((d) => parseDefault(d, obligors)));
    const request = { defaults, ...(shock ? { gpuValueShockPercent: shock } : {}) };
    const party = flag(args, 'party');
    if (has(args, 'csv')) return void out.line((await c.scenarioCsv(request, party)).replace(/\r?\n$/, ''));
    const [result, notes, deals] = await Promise.all([c.scenario(request, party), c.notes(), c.deals()]);
    const labels = noteLabels(notes, deals);
    type Row = ScenarioResult['holdings'][number];
    out.table<Row>(
      [
        { header: 'Deal', value: (r) => r.dealName ?? r.dealId },
        { header: 'Note', value: (r) => labels.get(r.noteId) ?? r.noteId },
        { header: 'Face', value: (r) => r.face, format: (r) => cash(r.face), align: 'right' },
        { header: 'Base', value: (r) => r.baseValue, format: (r) => cash(r.baseValue), align: 'right' },
        { header: 'Stressed', value: (r) => r.stressedValue, format: (r) => cash(r.stressedValue), align: 'right' },
        { header: 'Loss %', value: (r) => r.lossPercent, align: 'right' },
        { header: 'Yield Δ bp', value: (r) => r.yieldChangeBp ?? '', align: 'right' },
        { header: 'First trigger', value: (r) => r.triggerBreaches.map((b) => `${b.name} ${b.firstDate}`).join('; ') },
      ],
      result.holdings,
      { data: result, empty: 'no holdings' },
    );
    if (out.mode === 'table') {
      out.line(`total ${cash(result.total.baseValue)} → ${cash(result.total.stressedValue)} (loss ${result.total.lossPercent}%)`);
      for (const d of result.deals)
        for (const t of d.tenantDefaults)
          out.line(`${d.dealName}: ${t.tenant} defaults in month ${t.month}, recovery ${t.recoveryPercent}%`);
      for (const a of result.assumptions) out.line(`assumption: ${a}`);
    }
  },
};

export const riskCommands: Command[] = [exposure, limits, stress];
