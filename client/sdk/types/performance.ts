/**
 * Collateral performance: the periodic reports a deal files (sites, tenants, GPU fleet), the
 * credit metrics derived from them, and the surveillance list. Decimal strings as on the wire.
 */

/** Derived credit metrics (docs/API-GUIDE.md defines each); decimal strings, null when undefined (e.g. no debt service). */
export interface DealMetrics {
  revenue: string | null;
  operatingCosts: string | null;
  powerCost: string | null;
  netOperatingIncome: string | null;
  debtService: string | null;
  dscr: string | null;
  dscrThreeMonthAverage: string | null;
  ltvPercent: string | null;
  largestTenantSharePercent: string | null;
  top5TenantSharePercent: string | null;
  largestTenantRentSharePercent: string | null;
  top5TenantRentSharePercent: string | null;
  utilizationPercent: string | null;
  uptimePercent: string | null;
  occupancyPercent: string | null;
  walTermYears: string | null;
  revenuePerMw: string | null;
  pue: string | null;
  powerPricePerMwh: string | null;
}
export interface PerformanceSite {
  name: string;
  criticalItMw: string;
  leasedMw: string;
  energizedMw: string;
  utilizationPercent: string;
  uptimePercent: string;
  pue: string;
  energyMwh: string;
  powerPricePerMwh: string;
  appraisedValue: string;
}
export interface PerformanceTenant {
  name: string;
  obligorName: string;
  rating: string;
  site?: string;
  leasedMw: string;
  monthlyRent: string;
  leaseStart: string;
  leaseExpiry: string;
  renewalOptions?: string;
  revenueCollected: string;
  pastDue: string;
}
export interface GpuFleetLine {
  model: string;
  count: number;
  ageMonths: number;
  appraisedValue: string;
  appraisalDate: string;
  appraisalSource?: string;
}
export interface PerformanceReportInput {
  periodEnd: string;
  sites: PerformanceSite[];
  tenants: PerformanceTenant[];
  revenue: string;
  operatingCosts: string;
  powerCost: string;
  capitalExpenditure: string;
  gpuFleet: GpuFleetLine[];
  /** Required for a restatement (a second report for the same periodEnd). */
  reason?: string;
}
export interface PerformanceReport {
  dealId: string;
  periodEnd: string;
  version: number;
  reason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  noteBalance: string;
  debtService: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  metrics: DealMetrics;
}
export interface PerformanceReportVersion {
  periodEnd: string;
  version: number;
  reason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  report: Omit<PerformanceReportInput, 'reason'>;
  publishedMetrics: DealMetrics;
}
export interface SurveillanceRow {
  dealId: string;
  dealName: string;
  periodEnd: string;
  version: number;
  metrics: DealMetrics;
}
