/**
 * Contagion scenarios through the projection engine: "obligor X defaults in month m with recovery
 * r" (several at once), optionally with a GPU value shock, on a party's holdings.
 *
 * What a default does (stated in every answer's `assumptions`):
 * - Who defaults: the company named and every company below it in the register (its
 *   subsidiaries, through the parent chain). A subsidiary's default does not default its parent or
 *   its siblings (no parent guarantee is assumed).
 * - Where it bites: in every held deal whose projected collateral has a tenant that is one of those
 *   companies, as the projection engine's tenantDefaults {tenant, month, recoveryPercent}. A
 *   projection tenant is matched to the register by name: through the deal's latest performance
 *   report when the tenant appears there (its obligorName), else its own name; names compare
 *   without case, punctuation and company suffixes (Inc., Co., Corp., Ltd., LLC, plc, …). Month m is
 *   the m-th projected month of each deal (1 = the first); a default after a deal's last projected
 *   month has no effect there. A tenant hit by two defaults takes the earliest (then the lowest
 *   recovery).
 * - Relationships the engine does not model — the company as GPU vendor to, lender to, equity
 *   investor in, sponsor of or customer of something — are listed as stated assumptions (with
 *   the relationship's source and as-of date), not applied to the cash flows.
 * - GPU value shock S%: every projected deal's GPU collateral value at the projection's start is
 *   S% lower (rounded to cents); the base scenario's yearly GPU value change continues from there.
 *   It moves LTV and whatever LTV triggers the deal has; rent is unchanged.
 * Everything else is the deal's base scenario.
 *
 * Valuation convention, per holding (a note of a deal; face = current face):
 * - mark: as the exposures (book mid, last trade, base-scenario model price, par);
 *   baseValue = face × mark / 100;
 * - the class's flows after settlement (the deal's spot date after today's business date), as
 *   server/projection's classAnalytics dates and prices them (analytics/bond.ts, street convention);
 * - base yield y0: the yield at which the base scenario's flows price at the mark (solved, not
 *   rounded, so unchanged flows are worth exactly their base value; shown to 4 decimals);
 * - stressed price: the stressed projection's flows priced at y0 (clean; shown to 6 decimals);
 *   stressedValue = face × stressed price / 100; a class with no flows left under stress is worth 0;
 * - lossPercent = (baseValue − stressedValue) / baseValue × 100;
 * - yieldChangeBp = (yield of the stressed flows at the mark − y0) × 100, 1 decimal (null when the
 *   stressed flows are nil);
 * - triggerBreaches: each of the deal's triggers the stressed projection turns on, with the first
 *   payment date it is on, and the base projection's first date for comparison.
 * Values are summed unrounded and rounded half-even to cents at the end; percentages to 2 places.
 * Each figure equals the projection engine run directly with the same tenantDefaults
 * (test/risk/risk-api.test.ts calls the projection service independently).
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundHalfEven } from '../domain/rounding.js';
import { priceAtYield, yieldAtPrice, PRICE_PLACES, SPREAD_PLACES, YIELD_PLACES } from '../analytics/bond.js';
import { compileSetup } from '../projection/fast.js';
import { projectedMonths, type ProjectionResult } from '../projection/model.js';
import type { ScenarioInput } from '../projection/scenario.js';
import { classPlan, defaultSettlement } from '../projection/class-analytics.js';
import type { DealContext } from '../projection/context.js';
import { resolveFor } from '../projection/scenario-input.js';
import { runProjection } from '../projection/service.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { marks, noteTerms, tradeDatePositions, valueHoldings } from './look-through.js';
import { projectableDeal, projectionModel } from './model-price.js';
import { obligorIndex, type Obligor } from './obligors.js';

export const SCENARIO_METHOD =
  'projection engine: tenant defaults and GPU value shock applied to each deal, flows priced at the base yield';

export interface ScenarioRequest {
  defaults: { obligorId: string; month: number; recoveryPercent: string }[];
  gpuValueShockPercent?: string | undefined;
}

const SUFFIXES = new Set([
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'ltd',
  'limited',
  'llc',
  'plc',
  'lp',
  'llp',
  'sa',
  'ag',
  'gmbh',
  'nv',
  'bv',
]);

/** A company name without case, punctuation and trailing company suffixes. */
export function comparableName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}

/** The companies a default of `id` takes down: it and everything below it in the register. */
export function defaultedGroup(obligors: ReadonlyMap<string, Obligor>, id: string): Set<string> {
  const group = new Set<string>();
  for (const o of obligors.values()) {
    let current: Obligor | undefined = o;
    for (let hops = 0; current && hops <= obligors.size; hops += 1) {
      if (current.id === id) {
        group.add(o.id);
        break;
      }
      current = current.parentId ? obligors.get(current.parentId) : undefined;
    }
  }
  return group;
}

/** Tenant name → obligorName in each deal's latest performance report. */
async function reportObligorNames(db: Knex, dealIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const rows: { deal_id: string; report: unknown }[] = await db('performance_reports as p')
    .whereIn('p.deal_id', [...dealIds])
    .whereRaw(
      '(p.period_end, p.version) = (select period_end, version from performance_reports q where q.deal_id = p.deal_id order by period_end desc, version desc limit 1)',
    )
    .select('p.deal_id', 'p.report');
  const result = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const report = (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as {
      tenants?: { name: string; obligorName: string }[];
    };
    result.set(r.deal_id, new Map((report.tenants ?? []).map((t) => [t.name, t.obligorName])));
  }
  return result;
}

interface AppliedDefault {
  tenant: string;
  obligorId: string;
  obligorName: string;
  month: number;
  recoveryPercent: string;
}

interface DealRun {
  ctx: DealContext;
  stressedCtx: DealContext;
  base: ProjectionResult;
  stressed: ProjectionResult;
  applied: AppliedDefault[];
  skipped: string[];
  input: ScenarioInput;
}

/** The deal's context with each GPU model's start value cut by `shockPercent` (cents, half-even). */
function shocked(ctx: DealContext, shockPercent: Decimal): DealContext {
  if (shockPercent.isZero()) return ctx;
  const keep = new Decimal(100).minus(shockPercent);
  const gpuFleet = ctx.setup.collateral.gpuFleet.map((g) => ({
    ...g,
    value: roundCash(new Decimal(g.value).mul(keep).div(100)).toFixed(2),
  }));
  const setup = { ...ctx.setup, collateral: { ...ctx.setup.collateral, gpuFleet } };
  return { ...ctx, setup, compiled: compileSetup(setup) };
}

/** The start GPU value of a deal's fleet, all models (USD). */
function fleetValue(ctx: DealContext): Decimal {
  return ctx.setup.collateral.gpuFleet.reduce((total, g) => total.plus(g.value), new Decimal(0));
}

/**
 * The tenant defaults a scenario puts on one deal: each projection tenant whose company is in a
 * defaulted group, at that default's month and recovery (earliest month, then lowest recovery).
 */
export function tenantDefaultsFor(
  tenants: readonly string[],
  obligorOfTenant: (tenant: string) => Obligor | undefined,
  defaults: readonly { group: Set<string>; obligor: Obligor; month: number; recoveryPercent: string }[],
  months: number,
): { applied: AppliedDefault[]; skipped: string[] } {
  const applied = new Map<string, AppliedDefault>();
  const skipped: string[] = [];
  for (const tenant of tenants) {
    const company = obligorOfTenant(tenant);
    if (!company) continue;
    for (const d of defaults) {
      if (!d.group.has(company.id)) continue;
      if (d.month > months) {
        skipped.push(`${tenant}: ${d.obligor.name}'s default in month ${d.month} falls after the deal's last projected month (${months})`);
        continue;
      }
      const current = applied.get(tenant);
      const candidate = {
        tenant,
        obligorId: d.obligor.id,
        obligorName: d.obligor.name,
        month: d.month,
        recoveryPercent: d.recoveryPercent,
      };
      if (!current || d.month < current.month || (d.month === current.month && new Decimal(d.recoveryPercent).lt(current.recoveryPercent)))
        applied.set(tenant, candidate);
    }
  }
  return { applied: [...applied.values()], skipped };
}

const pct = (part: Decimal, whole: Decimal) => (whole.isZero() ? '0.00' : roundHalfEven(part.div(whole).mul(100), 2).toFixed(2));

/** A contagion scenario on the party's holdings. */
export async function partyScenario(knex: Knex, sequencer: Sequencer | null, partyId: string, request: ScenarioRequest) {
  const obligors = await obligorIndex(knex);
  const defaults = request.defaults.map((d) => {
    const obligor = obligors.get(d.obligorId);
    if (!obligor) throw new Rejection('OBLIGOR_NOT_FOUND', `obligor ${d.obligorId} does not exist`, { obligorId: d.obligorId });
    return {
      obligor,
      group: defaultedGroup(obligors, obligor.id),
      month: d.month,
      recoveryPercent: new Decimal(d.recoveryPercent).toFixed(),
    };
  });
  const shock = new Decimal(request.gpuValueShockPercent ?? '0');
  const positions = await tradeDatePositions(knex, partyId);
  const noteMarks = await marks(knex, sequencer, [...positions.keys()], projectionModel(knex));
  const holdings = valueHoldings(positions, await noteTerms(knex), noteMarks);

  const dealIds = [...new Set(holdings.map((h) => h.dealId))];
  const reportNames = await reportObligorNames(knex, dealIds);
  const byName = new Map([...obligors.values()].map((o) => [comparableName(o.name), o]));
  const runs = new Map<string, DealRun | null>();
  for (const dealId of dealIds) {
    const ctx = await projectableDeal(knex, dealId);
    if (!ctx) {
      runs.set(dealId, null);
      continue;
    }
    const names = reportNames.get(dealId) ?? new Map<string, string>();
    const { applied, skipped } = tenantDefaultsFor(
      ctx.setup.collateral.tenants.map((t) => t.name),
      (tenant) => byName.get(comparableName(names.get(tenant) ?? tenant)),
      defaults,
      projectedMonths(ctx.setup),
    );
    const input: ScenarioInput = {
      name: 'contagion',
      tenantDefaults: applied.map((a) => ({ tenant: a.tenant, month: a.month, recoveryPercent: a.recoveryPercent })),
    };
    const stressedCtx = shocked(ctx, shock);
    runs.set(dealId, {
      ctx,
      stressedCtx,
      base: runProjection(ctx, resolveFor(ctx, { name: 'base' })),
      stressed: runProjection(stressedCtx, resolveFor(stressedCtx, input)),
      applied,
      skipped,
      input,
    });
  }

  const rows = holdings.map((h) => {
    const mark = noteMarks.get(h.noteId)!;
    const baseValue = h.marketValue;
    const run = runs.get(h.dealId) ?? null;
    const common = { noteId: h.noteId, dealId: h.dealId, markPrice: mark.price.toFixed(), markSource: mark.source };
    if (!run) {
      return {
        ...common,
        face: h.face,
        baseValue,
        stressedValue: baseValue,
        baseYieldPercent: null as string | null,
        stressedYieldPercent: null as string | null,
        stressedPrice: null,
        yieldChangeBp: null,
        triggerBreaches: [],
        projected: false,
      };
    }
    const index = run.ctx.setup.classes.findIndex((c) => c.noteId === h.noteId);
    const settlement = defaultSettlement(run.ctx);
    const basePlan = classPlan(run.ctx, run.base, index, settlement);
    const stressedPlan = classPlan(run.stressedCtx, run.stressed, index, settlement);
    let y0: Decimal | null = null;
    let stressedPrice: Decimal;
    let stressedYield: Decimal | null = null;
    if (basePlan === null || mark.price.lte(0)) {
      stressedPrice = mark.price; // no base flows to price (or nothing to solve at): nothing to stress
    } else {
      y0 = yieldAtPrice(basePlan, mark.price);
      stressedPrice = stressedPlan === null ? new Decimal(0) : priceAtYield(stressedPlan, y0).clean;
      if (stressedPlan !== null) stressedYield = yieldAtPrice(stressedPlan, mark.price);
    }
    const triggers = run.ctx.setup.definition.triggers.map((t) => t.name);
    const first = (result: ProjectionResult, k: number) => result.periods.find((p) => p.triggers[k])?.date ?? null;
    return {
      ...common,
      face: h.face,
      baseValue,
      stressedValue: h.face.mul(stressedPrice).div(100),
      baseYieldPercent: y0 === null ? null : roundHalfEven(y0, YIELD_PLACES).toFixed(YIELD_PLACES),
      stressedYieldPercent: stressedYield === null ? null : roundHalfEven(stressedYield, YIELD_PLACES).toFixed(YIELD_PLACES),
      stressedPrice: roundHalfEven(stressedPrice, PRICE_PLACES).toFixed(PRICE_PLACES),
      yieldChangeBp:
        y0 === null || stressedYield === null
          ? null
          : roundHalfEven(stressedYield.minus(y0).mul(100), SPREAD_PLACES).toFixed(SPREAD_PLACES),
      triggerBreaches: triggers
        .map((name, k) => ({ name, firstDate: first(run.stressed, k), baseFirstDate: first(run.base, k) }))
        .filter((b) => b.firstDate !== null),
      projected: true,
    };
  });

  // Deal by deal (by name), classes in the waterfall's order.
  const order = (r: (typeof rows)[number]) => {
    const run = runs.get(r.dealId);
    return { deal: run?.ctx.deal.name ?? r.dealId, index: run ? run.ctx.setup.classes.findIndex((c) => c.noteId === r.noteId) : 0 };
  };
  rows.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x.deal.localeCompare(y.deal) || x.index - y.index;
  });
  const baseTotal = rows.reduce((a, r) => a.plus(r.baseValue), new Decimal(0));
  const stressedTotal = rows.reduce((a, r) => a.plus(r.stressedValue), new Decimal(0));
  const relationships = await contagionRelationships(
    knex,
    defaults.flatMap((d) => [...d.group]),
  );
  const unprojected = [...runs.entries()].filter(([, run]) => run === null).map(([id]) => id);
  return {
    partyId,
    method: SCENARIO_METHOD,
    holdings: rows.map((r) => ({
      noteId: r.noteId,
      dealId: r.dealId,
      dealName: runs.get(r.dealId)?.ctx.deal.name ?? null,
      face: roundCash(r.face).toFixed(2),
      markPrice: r.markPrice,
      markSource: r.markSource,
      baseValue: roundCash(r.baseValue).toFixed(2),
      stressedValue: roundCash(r.stressedValue).toFixed(2),
      lossPercent: pct(r.baseValue.minus(r.stressedValue), r.baseValue),
      baseYieldPercent: r.baseYieldPercent,
      stressedYieldPercent: r.stressedYieldPercent,
      stressedPrice: r.stressedPrice,
      yieldChangeBp: r.yieldChangeBp,
      triggerBreaches: r.triggerBreaches,
      projected: r.projected,
    })),
    total: {
      baseValue: roundCash(baseTotal).toFixed(2),
      stressedValue: roundCash(stressedTotal).toFixed(2),
      lossPercent: pct(baseTotal.minus(stressedTotal), baseTotal),
    },
    deals: [...runs.entries()]
      .filter((e): e is [string, DealRun] => e[1] !== null)
      .map(([dealId, run]) => ({
        dealId,
        dealName: run.ctx.deal.name,
        settlementDate: defaultSettlement(run.ctx),
        tenantDefaults: run.applied,
        gpuValue: {
          base: fleetValue(run.ctx).toFixed(2),
          stressed: fleetValue(run.stressedCtx).toFixed(2),
        },
        scenario: run.input,
      })),
    assumptions: [
      'A default applies to the company named and every company below it in the register (its subsidiaries); a subsidiary defaulting does not default its parent or siblings.',
      "Projection tenants are matched to the register by name (the latest performance report's obligor name where the tenant appears in it; case, punctuation and company suffixes ignored); month m is each deal's m-th projected month.",
      "Valuation: the base scenario's flows priced at the mark give the base yield; the stressed flows are valued at that yield. yieldChangeBp is the stressed flows' yield at the mark minus the base yield.",
      shock.isZero()
        ? 'No GPU value shock.'
        : `GPU value shock: each deal's GPU collateral value at the projection start is ${shock.toFixed()}% lower; the base scenario's yearly change continues from there (moves LTV and LTV triggers, not rent).`,
      ...defaults
        .filter((d) => ![...runs.values()].some((run) => run?.applied.some((a) => a.obligorId === d.obligor.id)))
        .map((d) => `${d.obligor.name} pays rent in none of the held deals' projected collateral: no direct cash-flow effect.`),
      ...[...runs.values()].flatMap((run) => run?.skipped ?? []),
      ...unprojected.map(
        (id) => `Deal ${id} cannot be projected (no collateral facts or waterfall): its holdings are left at their base value.`,
      ),
      ...relationships.map((r) => r.statement),
    ],
    relationships,
  };
}

const TREATMENT: Readonly<Record<string, string>> = {
  gpu_vendor_to: 'warranty, support and spare parts may lapse; not modelled (a GPU value shock can stand for it)',
  lender_to: "the borrower's funding may be withdrawn or accelerated; the borrower is not assumed to default",
  equity_investor_in: 'equity support may be withdrawn; the company invested in is not assumed to default',
  sponsor_of: 'the sponsor/manager may need replacing; servicing is assumed to continue unchanged',
  customer_of: "the supplier loses this customer's revenue; the supplier is not assumed to default",
};

/** Relationships of the defaulted companies other than tenancies, each with its stated treatment. */
async function contagionRelationships(db: Knex, obligorIds: readonly string[]) {
  if (obligorIds.length === 0) return [];
  const rows: {
    id: string;
    type: string;
    obligor_id: string;
    obligor_name: string;
    deal_id: string | null;
    deal_name: string | null;
    counterparty_id: string | null;
    counterparty_name: string | null;
    source: string;
    as_of: unknown;
  }[] = await db('obligor_relationships as r')
    .join('obligors as o', 'o.id', 'r.obligor_id')
    .leftJoin('deals as d', 'd.id', 'r.deal_id')
    .leftJoin('obligors as c', 'c.id', 'r.counterparty_id')
    .whereIn('r.obligor_id', [...new Set(obligorIds)])
    .whereNot('r.type', 'tenant_of')
    .orderBy([{ column: 'o.name' }, { column: 'r.type' }, { column: 'r.id' }])
    .select(
      'r.id',
      'r.type',
      'r.obligor_id',
      'o.name as obligor_name',
      'r.deal_id',
      'd.name as deal_name',
      'r.counterparty_id',
      'c.name as counterparty_name',
      'r.source',
      'r.as_of',
    );
  return rows.map((r) => {
    const target = r.deal_name ?? r.counterparty_name ?? '';
    const asOf = r.as_of instanceof Date ? r.as_of.toISOString().slice(0, 10) : String(r.as_of).slice(0, 10);
    const treatment = TREATMENT[r.type] ?? 'not modelled';
    return {
      relationshipId: r.id,
      obligorId: r.obligor_id,
      obligorName: r.obligor_name,
      type: r.type,
      dealId: r.deal_id,
      counterpartyId: r.counterparty_id,
      target,
      source: r.source,
      asOf,
      treatment,
      statement: `${r.obligor_name} ${r.type.replace(/_/g, ' ')} ${target} (${r.source}, as of ${asOf}): ${treatment}.`,
    };
  });
}

function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The scenario's holdings (and a total line) as CSV. */
export function scenarioCsv(result: Awaited<ReturnType<typeof partyScenario>>): string {
  const header =
    'noteId,dealName,face,markPrice,markSource,baseValue,stressedValue,lossPercent,baseYieldPercent,yieldChangeBp,firstTriggerBreach';
  const lines = result.holdings.map((h) =>
    [
      h.noteId,
      h.dealName ?? '',
      h.face,
      h.markPrice,
      h.markSource,
      h.baseValue,
      h.stressedValue,
      h.lossPercent,
      h.baseYieldPercent ?? '',
      h.yieldChangeBp ?? '',
      h.triggerBreaches.map((b) => `${b.name} ${b.firstDate}`).join('; '),
    ]
      .map(field)
      .join(','),
  );
  const total = ['total', '', '', '', '', result.total.baseValue, result.total.stressedValue, result.total.lossPercent, '', '', ''].join(
    ',',
  );
  return [header, ...lines, total].join('\n') + '\n';
}
