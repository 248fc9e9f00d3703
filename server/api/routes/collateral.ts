/**
 * GPU collateral marked over time: the operator's GPU value series per model (a USD value per unit
 * or an index level, dated), and each deal's GPU collateral value and LTV per business date from it
 * (server/collateral/gpu-values.ts states the conventions).
 */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { actorOf } from '../../audit/index.js';
import { isoDate } from '../schemas.js';
import {
  dealLtvSeries,
  getGpuSeries,
  gpuModelParams,
  gpuSeriesRequest,
  listGpuSeries,
  putGpuSeries,
  seriesToWire,
} from '../../collateral/gpu-values.js';
import { getDeal } from '../../refdata/deals.js';

export const collateralRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/gpu-values',
    summary: 'The GPU models with a value series: kind, number of points, first and latest point',
    tag: 'collateral',
    access: 'user',
    handler: async ({ services }) => ({ body: await listGpuSeries(services.knex) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/gpu-values/:model',
    summary: "A GPU model's dated value series",
    tag: 'collateral',
    access: 'user',
    params: gpuModelParams,
    handler: async ({ params, services }) => ({ body: seriesToWire(await getGpuSeries(services.knex, params.model)) }),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/gpu-values/:model',
    summary: "Replace a GPU model's dated value series (valueUsd per unit, or indexValue)",
    tag: 'collateral',
    access: ['operator'],
    params: gpuModelParams,
    body: gpuSeriesRequest,
    handler: async ({ params, body, principal, services }) => ({
      body: seriesToWire(
        await putGpuSeries(services.knex, params.model, body, requirePrincipal(principal).userId, actorOf(requirePrincipal(principal))),
      ),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/ltv',
    summary: "A deal's GPU collateral value and LTV, reported and marked by the GPU value index, per date, with its LTV trigger levels",
    tag: 'collateral',
    access: 'user',
    params: z.object({ id: z.string().uuid() }).strict(),
    query: z.object({ from: isoDate.optional(), to: isoDate.optional() }).strict(),
    handler: async ({ params, query, services }) => {
      const deal = await getDeal(services.knex, params.id);
      return { body: { dealName: deal.name, ...(await dealLtvSeries(services.knex, deal.id, query)) } };
    },
  }),
];
