/**
 * Projection and pricing endpoints of ComputeNotesClient: a deal's cash flows under a scenario,
 * yield grids, a note's analytics at a price, and the deal's named and saved scenarios.
 */
import { queryString, segment } from '../http.js';
import type { DealScenarios, ScenarioInput } from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the projection and pricing endpoints to a client class. */
export function withProjection<TBase extends ClientBase>(Base: TBase) {
  return class ProjectionEndpoints extends Base {
    /** POST /api/v1/projections: a deal under a scenario, each class priced from its projected flows (see the API guide). */
    project(body: Record<string, unknown>): Promise<Record<string, any>> {
      return this.http.request('POST', '/api/v1/projections', { body });
    }

    /** POST /api/v1/projections/grid: one class's yield (or price) over two scenario drivers. */
    projectGrid(body: Record<string, unknown>): Promise<Record<string, any>> {
      return this.http.request('POST', '/api/v1/projections/grid', { body });
    }

    /** GET /api/v1/notes/:id/analytics: yield and spread to the ARD (and yield to maturity) at a price. */
    noteAnalytics(noteId: string, price?: string): Promise<Record<string, any>> {
      return this.http.request('GET', `/api/v1/notes/${segment(noteId)}/analytics${queryString({ price })}`);
    }

    /** GET /api/v1/deals/:id/scenarios: base, the deal's named stresses, and the scenarios you saved. */
    dealScenarios(dealId: string): Promise<DealScenarios> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/scenarios`);
    }

    /** POST /api/v1/scenarios: saves a scenario of a deal under a name (the same name replaces it). */
    saveScenario(request: { dealId: string; name: string; scenario: ScenarioInput }): Promise<{
      id: string;
      dealId: string;
      name: string;
      scenario: ScenarioInput;
    }> {
      return this.http.request('POST', '/api/v1/scenarios', { body: request });
    }
  };
}
