/**
 * Collateral performance: the trustee's monthly performance reports per deal (versioned; a
 * restatement is a new version), their derived credit metrics, and the cross-deal surveillance
 * table, as JSON or CSV.
 */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { idParams, isoDate } from '../schemas.js';
import { currentBusinessDate } from '../../businessdate/index.js';
import { getDeal } from '../../refdata/deals.js';
import { performanceReportSchema } from '../../performance/report.js';
import { actorOf } from '../../audit/index.js';
import { latestMetricsByDeal, listPerformanceReports, recordPerformanceReport, reportVersions } from '../../performance/store.js';
import { metricsCsv } from '../../performance/csv.js';

const format = z.enum(['json', 'csv']).default('json');
const CSV = 'text/csv; charset=utf-8';

export const performanceRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/deals/:id/performance-reports',
    summary: 'File a monthly performance report (a second one for the same periodEnd is a restatement: version + 1, with a reason)',
    tag: 'performance',
    access: ['backoffice'],
    params: idParams,
    body: performanceReportSchema,
    successStatus: 201,
    handler: async ({ params, body, principal, services }) => {
      const businessDate = await currentBusinessDate(services.knex);
      return {
        status: 201,
        body: await recordPerformanceReport(
          services.knex,
          params.id,
          body,
          requirePrincipal(principal).userId,
          businessDate,
          actorOf(requirePrincipal(principal)),
        ),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/performance-reports',
    summary: "The deal's performance reports (latest version of each period) with their metrics, newest first",
    tag: 'performance',
    access: 'user',
    params: idParams,
    query: z.object({ from: isoDate.optional(), to: isoDate.optional(), format }).strict(),
    handler: async ({ params, query, services }) => {
      const reports = await listPerformanceReports(services.knex, params.id, {
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      });
      if (query.format === 'csv') {
        const deal = await getDeal(services.knex, params.id);
        return {
          body: metricsCsv(reports.map((r) => ({ dealName: deal.name, periodEnd: r.periodEnd, version: r.version, metrics: r.metrics }))),
          contentType: CSV,
        };
      }
      return { body: reports };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id/performance-reports/:periodEnd/versions',
    summary: "Every version of one period's report, with who, why and the metrics as published",
    tag: 'performance',
    access: 'user',
    params: z.object({ id: z.string().min(1).max(100), periodEnd: isoDate }).strict(),
    handler: async ({ params, services }) => ({ body: await reportVersions(services.knex, params.id, params.periodEnd) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/surveillance',
    summary: 'The latest metrics of every deal with a performance report (cross-deal comparison)',
    tag: 'performance',
    access: 'user',
    query: z.object({ format }).strict(),
    handler: async ({ query, services }) => {
      const rows = await latestMetricsByDeal(services.knex);
      if (query.format === 'csv') return { body: metricsCsv(rows), contentType: CSV };
      return { body: rows };
    },
  }),
];
