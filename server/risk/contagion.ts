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
 *
 * This module runs the scenario and values the holdings; who a default hits
 * (contagion-tenants.ts), the relationships stated as assumptions (contagion-relationships.ts) and
 * the CSV (contagion-csv.ts) are modules of their own. It must never write anything.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { roundCash, roundHalfEven } from '../domain/rounding.js';
import { priceAtYield, yieldAtPrice, PRICE_PLACES, SPREAD_PLACES, YIELD_PLACES } from '../analytics/bond.js';
import { classPlan, defaultSettlement } from '../projection/class-analytics.js';
import type { DealContext } from '../projection/context.js';
import { compileSetup } from '../projection/fast-setup.js';
import { projectedMonths, type ProjectionResult } from '../projection/model.js';
import type { ScenarioInput } from '../projection/scenario.js';
import { resolveFor } from '../projection/scenario-input.js';
import { runProjection } from '../projection/service.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { contagionRelationships } from './contagion-relationships.js';
import { comparableName, defaultedGroup, reportObligorNames, tenantDefaultsFor, type AppliedDefault } from './contagion-tenants.js';
import { marks, noteTerms, tradeDatePositions, valueHoldings } from './look-through.js';
import { projectableDeal, projectionModel } from './model-price.js';
import { obligorIndex } from './obligors.js';

export const SCENARIO_METHOD =
  'projection engine: tenant defaults and GPU value shock applied to each deal, flows priced at the base yield';

export interface ScenarioRequest {
  defaults: { obligorId: string; month: number; recoveryPercent: string }[];
  gpuValueShockPercent?: string | undefined;
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
