/** Liveness (the process answers) and readiness (database reachable, state loaded). */
import { z } from 'zod';
import { defineRoute } from '../route.js';

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tag: 'health',
    access: 'public',
    response: z.object({ status: z.literal('ok') }),
    handler: async () => ({ body: { status: 'ok' } }),
  }),
  defineRoute({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: database reachable and books loaded',
    tag: 'health',
    access: 'public',
    response: z.object({ status: z.enum(['ready', 'not_ready']) }),
    handler: async ({ services }) => {
      const ready = await services.isReady().catch(() => false);
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready' } };
    },
  }),
];
