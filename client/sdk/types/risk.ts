/**
 * Look-through risk: the obligor register and its relationships, exposures and concentration
 * limits, contagion scenarios, GPU value series and a deal's LTV. Decimal strings as on the wire.
 */

export type ExposureDimension = 'obligor' | 'sponsor' | 'vendor' | 'gpuModel' | 'region';
export interface Obligor {
  id: string;
  name: string;
  parentId: string | null;
  ultimateParentId: string;
  ultimateParentName: string;
  rating: string;
  sector: string;
}
/** POST /api/v1/obligors: a company of the register (rating defaults to NR). */
export interface ObligorInput {
  name: string;
  parentId?: string | null;
  rating?: string;
  sector: string;
}
/** PATCH /api/v1/obligors/:id: the fields to change (at least one); parentId null makes it a top company. */
export type ObligorPatch = Partial<ObligorInput>;
/** POST /api/v1/obligors/:id/relationships: to a deal (dealId) or a company (counterpartyId). */
export interface ObligorRelationshipInput {
  type: ObligorRelationship['type'];
  dealId?: string;
  counterpartyId?: string;
  leasedMw?: string;
  monthlyRent?: string;
  source: string;
  asOf: string;
}
export interface ObligorRelationship {
  id: string;
  type: 'tenant_of' | 'sponsor_of' | 'gpu_vendor_to' | 'equity_investor_in' | 'lender_to' | 'customer_of';
  obligorId: string;
  obligorName: string;
  dealId: string | null;
  dealName: string | null;
  counterpartyId: string | null;
  counterpartyName: string | null;
  leasedMw: string | null;
  monthlyRent: string | null;
  source: string;
  asOf: string;
}
export interface ExposureRow {
  key: string;
  name: string;
  face: string;
  marketValue: string;
  cashFlowSharePercent: string;
}
export interface ExposureReport {
  partyId: string;
  by: ExposureDimension;
  exposures: ExposureRow[];
  totalFace: string;
  totalMarketValue: string;
  largestSharePercent: string;
  herfindahl: string;
  holdings: {
    noteId: string;
    dealId: string;
    originalFace: string;
    face: string;
    marketValue: string;
    markPrice: string;
    markSource: 'mid' | 'last' | 'model' | 'par';
  }[];
}
export interface ConcentrationLimit {
  by: ExposureDimension;
  maxSharePercent: string;
  mode: 'warn' | 'hard';
}
export interface ScenarioRequest {
  defaults: { obligorId: string; month: number; recoveryPercent: string }[];
  gpuValueShockPercent?: string;
}

/** POST /api/v1/risk/scenarios: obligor defaults run through each held deal's projection. */
export interface ScenarioResult {
  partyId: string;
  method: string;
  holdings: {
    noteId: string;
    dealId: string;
    dealName: string | null;
    face: string;
    markPrice: string;
    markSource: 'mid' | 'last' | 'model' | 'par';
    baseValue: string;
    stressedValue: string;
    lossPercent: string;
    baseYieldPercent: string | null;
    stressedYieldPercent: string | null;
    stressedPrice: string | null;
    yieldChangeBp: string | null;
    triggerBreaches: { name: string; firstDate: string | null; baseFirstDate: string | null }[];
    projected: boolean;
  }[];
  total: { baseValue: string; stressedValue: string; lossPercent: string };
  deals: {
    dealId: string;
    dealName: string;
    settlementDate: string;
    tenantDefaults: { tenant: string; obligorId: string; obligorName: string; month: number; recoveryPercent: string }[];
    gpuValue: { base: string; stressed: string };
  }[];
  assumptions: string[];
  relationships: {
    relationshipId: string;
    obligorId: string;
    obligorName: string;
    type: string;
    dealId: string | null;
    counterpartyId: string | null;
    target: string;
    source: string;
    asOf: string;
    treatment: string;
    statement: string;
  }[];
}

/** A GPU model's dated value series: USD per unit or an index level (one kind per model). */
export interface GpuSeries {
  model: string;
  kind: 'valueUsd' | 'indexValue';
  points: ({ date: string; valueUsd: string } | { date: string; indexValue: string })[];
}

export interface GpuSeriesSummary {
  model: string;
  kind: 'valueUsd' | 'indexValue';
  points: number;
  first: Record<string, string>;
  latest: Record<string, string>;
}

/** GET /api/v1/deals/:id/ltv: GPU collateral and LTV, reported and marked by the GPU value index. */
export interface DealLtv {
  dealId: string;
  dealName: string;
  businessDate: string;
  thresholds: { name: string; comparison: 'lt' | 'lte' | 'gt' | 'gte'; threshold: string }[];
  models: { model: string; kind: 'valueUsd' | 'indexValue' | null; points: number }[];
  points: {
    date: string;
    reportPeriodEnd: string;
    noteBalance: string;
    siteValue: string;
    gpuValueAppraised: string;
    gpuValueMarked: string;
    reportedLtvPercent: string | null;
    markedLtvPercent: string | null;
  }[];
}
