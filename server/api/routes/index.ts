/**
 * The route table of the public API. Every route the server answers is listed here; the OpenAPI
 * document and the authorization-matrix test are derived from this list.
 */
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route.js';
import { buildOpenApi } from '../openapi.js';
import { authRoutes } from './auth.js';
import { healthRoutes } from './health.js';
import { refdataRoutes } from './refdata.js';
import { ledgerRoutes } from './ledger.js';
import { businessDateRoutes } from './business-date.js';
import { orderRoutes } from './orders.js';
import { marketRoutes } from './market.js';
import { settlementRoutes } from './settlement.js';
import { servicingRoutes } from './servicing.js';
import { rateFixingRoutes } from './rate-fixings.js';
import { performanceRoutes } from './performance.js';
import { reconciliationRoutes } from './reconciliation.js';
import { rfqRoutes } from './rfq.js';
import { registryRoutes } from './registry.js';
import { moneyRoutes } from './money.js';
import { projectionRoutes } from './projections.js';
import { riskRoutes } from './risk.js';
import { collateralRoutes } from './collateral.js';
import { auditRoutes } from './audit.js';

const businessRoutes: AnyRoute[] = [
  ...healthRoutes,
  ...authRoutes,
  ...refdataRoutes,
  ...ledgerRoutes,
  ...businessDateRoutes,
  ...orderRoutes,
  ...marketRoutes,
  ...rfqRoutes,
];
// Settlement, servicing and reconciliation (the back office).
businessRoutes.push(...settlementRoutes, ...servicingRoutes, ...rateFixingRoutes, ...performanceRoutes, ...reconciliationRoutes);
// Credit lines and the fail charge's reference rate (operator).
businessRoutes.push(...moneyRoutes);
// The on-chain registry (back office).
businessRoutes.push(...registryRoutes);
// Cash-flow projection and pricing.
businessRoutes.push(...projectionRoutes);
// Look-through risk: obligors, exposures, concentration limits.
businessRoutes.push(...riskRoutes);
// GPU collateral marked over time: value series per GPU model, each deal's LTV.
businessRoutes.push(...collateralRoutes);
// The audit trail of operator and back-office actions.
businessRoutes.push(...auditRoutes);

const openApiDocument = buildOpenApi(businessRoutes);

export const openApiRoute = defineRoute({
  method: 'get',
  path: '/api/v1/openapi.json',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'meta',
  access: 'public',
  response: z.record(z.string(), z.unknown()),
  handler: async () => ({ body: openApiDocument }),
});

export const routes: readonly AnyRoute[] = [...businessRoutes, openApiRoute];
