/**
 * Collateral-performance endpoints of ComputeNotesClient: filing and reading a deal's periodic
 * reports (JSON or CSV), their versions, and the surveillance list.
 */
import { queryString, segment } from '../http.js';
import type { PerformanceReport, PerformanceReportInput, PerformanceReportVersion, SurveillanceRow } from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the collateral-performance endpoints to a client class. */
export function withPerformance<TBase extends ClientBase>(Base: TBase) {
  return class PerformanceEndpoints extends Base {
    filePerformanceReport(dealId: string, report: PerformanceReportInput): Promise<PerformanceReport> {
      return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/performance-reports`, { body: report });
    }

    /** Latest version of each period, newest first. */
    performanceReports(dealId: string, range: { from?: string; to?: string } = {}): Promise<PerformanceReport[]> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/performance-reports${queryString(range)}`);
    }

    performanceReportsCsv(dealId: string, range: { from?: string; to?: string } = {}): Promise<string> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/performance-reports${queryString({ ...range, format: 'csv' })}`, {
        as: 'text',
      });
    }

    performanceReportVersions(dealId: string, periodEnd: string): Promise<PerformanceReportVersion[]> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/performance-reports/${segment(periodEnd)}/versions`);
    }

    /** The latest metrics of every deal with a report. */
    surveillance(): Promise<SurveillanceRow[]> {
      return this.http.request('GET', '/api/v1/surveillance');
    }

    surveillanceCsv(): Promise<string> {
      return this.http.request('GET', `/api/v1/surveillance${queryString({ format: 'csv' })}`, { as: 'text' });
    }
  };
}
