/**
 * Look-through risk endpoints of ComputeNotesClient: the obligor register and its relationships,
 * exposures and concentration limits, contagion scenarios, GPU value series and a deal's LTV.
 */
import { queryString, segment } from '../http.js';
import type {
  DealLtv,
  GpuSeries,
  GpuSeriesSummary,
  ConcentrationLimit,
  ExposureDimension,
  ExposureReport,
  Obligor,
  ObligorInput,
  ObligorPatch,
  ObligorRelationship,
  ObligorRelationshipInput,
  ScenarioRequest,
  ScenarioResult,
} from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the look-through risk endpoints to a client class. */
export function withRisk<TBase extends ClientBase>(Base: TBase) {
  return class RiskEndpoints extends Base {
    obligors(): Promise<Obligor[]> {
      return this.http.request('GET', '/api/v1/obligors');
    }

    obligor(id: string): Promise<Obligor & { relationships: ObligorRelationship[] }> {
      return this.http.request('GET', `/api/v1/obligors/${segment(id)}`);
    }

    /** Operator: adds a company to the obligor register. */
    createObligor(input: ObligorInput): Promise<Obligor> {
      return this.http.request('POST', '/api/v1/obligors', { body: input });
    }

    /** Operator: changes a company's name, parent (null: none), rating or sector. */
    updateObligor(id: string, patch: ObligorPatch): Promise<Obligor> {
      return this.http.request('PATCH', `/api/v1/obligors/${segment(id)}`, { body: patch });
    }

    /** Operator: records a relationship of the company to a deal or another company. */
    addObligorRelationship(id: string, input: ObligorRelationshipInput): Promise<ObligorRelationship> {
      return this.http.request('POST', `/api/v1/obligors/${segment(id)}/relationships`, { body: input });
    }

    relationships(): Promise<ObligorRelationship[]> {
      return this.http.request('GET', '/api/v1/relationships');
    }

    importObligors(csv: string): Promise<{ companiesCreated: number; companiesUpdated: number; relationshipsAdded: number }> {
      return this.http.request('POST', '/api/v1/obligors/import', { body: { csv } });
    }

    /** A party's look-through exposure (own party by default). */
    exposures(by: ExposureDimension, partyId?: string): Promise<ExposureReport> {
      return this.http.request('GET', `/api/v1/risk/exposures${queryString({ by, ...(partyId ? { partyId } : {}) })}`);
    }

    exposuresCsv(by: ExposureDimension, partyId?: string): Promise<string> {
      return this.http.request('GET', `/api/v1/risk/exposures${queryString({ by, ...(partyId ? { partyId } : {}), format: 'csv' })}`, {
        as: 'text',
      });
    }

    /** A contagion scenario on the party's holdings (own party by default). */
    scenario(request: ScenarioRequest, partyId?: string): Promise<ScenarioResult> {
      return this.http.request('POST', `/api/v1/risk/scenarios${queryString(partyId ? { partyId } : {})}`, { body: request });
    }

    /** The same scenario's holdings and total as CSV. */
    scenarioCsv(request: ScenarioRequest, partyId?: string): Promise<string> {
      return this.http.request('POST', `/api/v1/risk/scenarios${queryString({ ...(partyId ? { partyId } : {}), format: 'csv' })}`, {
        body: request,
        as: 'text',
      });
    }

    /** GPU models with a value series (GET /api/v1/gpu-values). */
    gpuValues(): Promise<GpuSeriesSummary[]> {
      return this.http.request('GET', '/api/v1/gpu-values');
    }

    gpuSeries(model: string): Promise<GpuSeries> {
      return this.http.request('GET', `/api/v1/gpu-values/${segment(model)}`);
    }

    /** Replaces a GPU model's dated value series (operator). */
    putGpuSeries(model: string, points: GpuSeries['points']): Promise<GpuSeries> {
      return this.http.request('PUT', `/api/v1/gpu-values/${segment(model)}`, { body: { points } });
    }

    /** A deal's GPU collateral value and LTV, reported and marked by the index, per date, with its LTV trigger levels. */
    dealLtv(dealId: string, range: { from?: string; to?: string } = {}): Promise<DealLtv> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/ltv${queryString(range)}`);
    }

    riskLimits(): Promise<{ limits: ConcentrationLimit[] }> {
      return this.http.request('GET', '/api/v1/risk/limits');
    }

    setRiskLimits(limits: ConcentrationLimit[]): Promise<{ limits: ConcentrationLimit[] }> {
      return this.http.request('PUT', '/api/v1/risk/limits', { body: { limits } });
    }
  };
}
