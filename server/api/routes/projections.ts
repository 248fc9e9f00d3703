/**
 * Cash-flow projection and pricing: projections of a deal under a scenario with each class priced
 * from its projected flows, grids over two drivers, a note's yield and spread to the ARD under the
 * base scenario, benchmark curves (the operator loads them), and the scenarios users save.
 */
import { z } from 'zod';
import { actorOf } from '../../audit/index.js';
import { defineRoute, requirePrincipal } from '../route.js';
import { decimalString, isoDate, uuid } from '../schemas.js';
import { ApiError } from '../errors.js';
import { Decimal } from '../../domain/decimal.js';
import { getNote } from '../../refdata/notes.js';
import { getDeal } from '../../refdata/deals.js';
import { DRIVER_NAMES, scenarioSchema, type ScenarioInput } from '../../projection/scenario.js';
import { getCurve, latestCurve, putCurve } from '../../projection/curves.js';
import { gridTask } from '../../projection/grid-task.js';
import { gridPool } from '../../projection/grid-pool.js';
import { requoteAfterChange } from '../../trading/spread-requote.js';
import { classAnalytics, defaultSettlement } from '../../projection/class-analytics.js';
import { BENCHMARK, loadDealContext } from '../../projection/context.js';
import { resolveFor, scenarioInput } from '../../projection/scenario-input.js';
import { classBreakEven, runProjection } from '../../projection/service.js';
import { formatProjection, startView } from '../../projection/view.js';

const pricingSchema = z.union([
  z.object({ noteId: uuid, price: decimalString.refine((v) => new Decimal(v).gt(0), 'must be greater than zero') }).strict(),
  z.object({ noteId: uuid, yield: decimalString }).strict(),
  z.object({ noteId: uuid, spreadBp: decimalString }).strict(),
]);

const projectionRequest = z
  .object({
    dealId: uuid,
    scenario: scenarioSchema.optional(),
    scenarioId: z.string().min(1).max(100).optional(),
    settlementDate: isoDate.optional(),
    pricing: z.array(pricingSchema).max(20).optional(),
    breakEven: z
      .object({ noteId: uuid, driver: z.string().min(1).max(60) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => !(b.scenario && b.scenarioId), { message: 'give scenario or scenarioId, not both', path: ['scenarioId'] });

const axis = z.object({ driver: z.enum(DRIVER_NAMES as [string, ...string[]]), values: z.array(decimalString).min(1).max(50) }).strict();
const gridRequest = z
  .object({
    dealId: uuid,
    noteId: uuid,
    price: decimalString.optional(),
    yield: decimalString.optional(),
    scenario: scenarioSchema.optional(),
    scenarioId: z.string().min(1).max(100).optional(),
    settlementDate: isoDate.optional(),
    x: axis,
    y: axis,
  })
  .strict()
  .refine((b) => !(b.price !== undefined && b.yield !== undefined), { message: 'give price or yield, not both', path: ['yield'] })
  .refine((b) => b.x.driver !== b.y.driver, { message: 'x and y must be different drivers', path: ['y', 'driver'] })
  .refine((b) => b.x.values.length * b.y.values.length <= 2500, { message: 'at most 2,500 cells', path: ['y', 'values'] });

const curveParams = z
  .object({ name: z.string().regex(/^[A-Z][A-Z0-9_-]{0,19}$/, 'must be an upper-case curve name such as UST'), date: isoDate })
  .strict();
const curvePoints = z
  .object({
    points: z
      .array(z.object({ tenorYears: decimalString, yieldPercent: decimalString }).strict())
      .min(1)
      .max(40),
  })
  .strict();

export const projectionRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/projections',
    summary: 'Project a deal under a scenario through its own waterfall and price each class from its projected flows',
    tag: 'pricing',
    access: 'user',
    body: projectionRequest,
    handler: async ({ body, principal, services }) => {
      const ctx = await loadDealContext(services.knex, body.dealId);
      const input = await scenarioInput(services.knex, ctx, requirePrincipal(principal).userId, body.scenario, body.scenarioId);
      const scenario = resolveFor(ctx, input);
      const settlement = defaultSettlement(ctx, body.settlementDate);
      const response = formatProjection(ctx, scenario, input, runProjection(ctx, scenario), settlement, body.pricing ?? []);
      return {
        body: body.breakEven
          ? { ...response, breakEven: classBreakEven(ctx, input, body.breakEven.noteId, body.breakEven.driver) }
          : response,
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/projections/grid',
    summary:
      'Yield at a price (or price at a yield) of one class over a grid of two scenario drivers, on worker threads (503 GRID_QUEUE_FULL / 429 when busy)',
    tag: 'pricing',
    access: 'user',
    body: gridRequest,
    handler: async ({ body, principal, services }) => {
      const ctx = await loadDealContext(services.knex, body.dealId);
      const userId = requirePrincipal(principal).userId;
      const base = await scenarioInput(services.knex, ctx, userId, body.scenario, body.scenarioId);
      // On the grid worker pool (grid-pool.ts), not the request thread: 503 GRID_QUEUE_FULL / 429 when busy.
      const task = gridTask(ctx, {
        base,
        noteId: body.noteId,
        at: { price: body.price, yield: body.yield },
        x: body.x,
        y: body.y,
        settlement: defaultSettlement(ctx, body.settlementDate),
      });
      return { body: await gridPool().run(userId, task) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/notes/:id/analytics',
    summary: "A note's yield and spread to the ARD (and yield to maturity) at a price, under the base scenario",
    tag: 'pricing',
    access: 'user',
    params: z.object({ id: z.string().min(1).max(100) }).strict(),
    query: z
      .object({
        price: decimalString.refine((v) => new Decimal(v).gt(0), 'must be greater than zero').optional(),
        settlementDate: isoDate.optional(),
      })
      .strict(),
    handler: async ({ params, query, services }) => {
      const note = await getNote(services.knex, params.id);
      const ctx = await loadDealContext(services.knex, note.dealId);
      const index = ctx.setup.classes.findIndex((c) => c.noteId === note.id);
      const settlement = defaultSettlement(ctx, query.settlementDate);
      const price = query.price ?? '100';
      const toArd = classAnalytics(ctx, runProjection(ctx, resolveFor(ctx, { name: 'base' })), index, settlement, {
        noteId: note.id,
        price,
      });
      const toMaturity = classAnalytics(
        ctx,
        runProjection(ctx, resolveFor(ctx, { name: 'base', refinanceAtArd: false })),
        index,
        settlement,
        { noteId: note.id, price },
        false,
      );
      return {
        body: {
          noteId: note.id,
          price,
          settlementDate: settlement,
          scenario: 'base',
          curve: ctx.curve ? { name: ctx.curve.stored.name, date: ctx.curve.stored.date } : null,
          anticipatedRepaymentDate: ctx.setup.definition.anticipatedRepaymentDate,
          yieldToArdPercent: toArd.yieldPercent,
          yieldToMaturityPercent: toMaturity.yieldPercent,
          spreadBp: toArd.spreadBp,
          walYears: toArd.walYears,
          modifiedDuration: toArd.modifiedDuration,
        },
      };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/curves/:name/:date',
    summary:
      'Load a benchmark par curve (tenor in years → yield in percent) for a date; resting spread quotes are re-priced from their spreads (spreadQuotes says how)',
    tag: 'pricing',
    access: ['operator'],
    params: curveParams,
    body: curvePoints,
    handler: async ({ params, body, principal, services }) => {
      const curve = await putCurve(
        services.knex,
        params.name,
        params.date,
        body.points,
        requirePrincipal(principal).userId,
        actorOf(requirePrincipal(principal)),
      );
      // Resting quotes entered as a spread over this benchmark float with it: re-priced (or pulled) now.
      const spreadQuotes = params.name === BENCHMARK ? await requoteAfterChange(services, 'curve') : null;
      return { body: { ...curve, spreadQuotes } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/curves/:name/:date',
    summary: 'A benchmark curve on a date; with ?onOrBefore=true the latest on or before it',
    tag: 'pricing',
    access: 'user',
    params: curveParams,
    query: z.object({ onOrBefore: z.enum(['true', 'false']).optional() }).strict(),
    handler: async ({ params, query, services }) => {
      if (query.onOrBefore !== 'true') return { body: await getCurve(services.knex, params.name, params.date) };
      const curve = await latestCurve(services.knex, params.name, params.date);
      if (!curve)
        throw new ApiError('CURVE_NOT_FOUND', `no ${params.name} curve on or before ${params.date}`, {
          name: params.name,
          date: params.date,
        });
      return { body: curve };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/scenarios',
    summary: 'Save a scenario for a deal under a name (yours only; the same name replaces it)',
    tag: 'pricing',
    access: 'user',
    body: z.object({ dealId: uuid, name: z.string().trim().min(1).max(60), scenario: scenarioSchema }).strict(),
    successStatus: 201,
    handler: async ({ body, principal, services }) => {
      const ctx = await loadDealContext(services.knex, body.dealId);
      if (body.name === 'base' || ctx.collateral.stresses[body.name])
        throw new ApiError('VALIDATION_FAILED', `${body.name} is a scenario the deal ships with`, { field: 'name' });
      resolveFor(ctx, body.scenario);
      const userId = requirePrincipal(principal).userId;
      const [row] = await services
        .knex('projection_scenarios')
        .insert({ user_id: userId, deal_id: ctx.deal.id, name: body.name, scenario: JSON.stringify(body.scenario) })
        .onConflict(['user_id', 'deal_id', 'name'])
        .merge(['scenario'])
        .returning(['id', 'name']);
      return { body: { id: row.id, dealId: ctx.deal.id, name: row.name, scenario: body.scenario } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/scenarios',
    summary: 'The scenarios of a deal: base, its named stresses, and those you saved',
    tag: 'pricing',
    access: 'user',
    params: z.object({ id: z.string().min(1).max(100) }).strict(),
    handler: async ({ params, principal, services }) => {
      const deal = await getDeal(services.knex, params.id);
      const rows: { id: string; name: string; scenario: unknown }[] = await services
        .knex('projection_scenarios')
        .where({ deal_id: deal.id, user_id: requirePrincipal(principal).userId })
        .orderBy('name')
        .select('id', 'name', 'scenario');
      const ctx = await loadDealContext(services.knex, deal.id);
      return {
        body: {
          benchmark: BENCHMARK,
          base: {
            name: 'base',
            ...ctx.collateral.base.drivers,
            refinanceAtArd: ctx.collateral.base.refinanceAtArd,
            gpuValueByModel: Object.entries(ctx.collateral.base.gpuValueChangeByModel ?? {}).map(([model, change]) => ({
              model,
              changePercentPerYear: change,
            })),
          },
          start: startView(ctx),
          stresses: Object.values(ctx.collateral.stresses),
          saved: rows.map((r) => ({
            id: r.id,
            name: r.name,
            scenario: (typeof r.scenario === 'string' ? JSON.parse(r.scenario) : r.scenario) as ScenarioInput,
          })),
        },
      };
    },
  }),
];
