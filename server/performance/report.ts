/**
 * A monthly performance report as the trustee files it (modelled on the CREFC Investor Reporting
 * Package: one periodic, versioned, comparable file per deal): the wire schema, the checks that
 * make it a report of real datacenters, and its conversion to the figures the metrics read.
 *
 * Shape errors are 400 VALIDATION_FAILED (zod); figures that cannot be true are 422 with a code
 * naming the rule (checkReport), and nothing is stored.
 */
import { z } from 'zod';
import { Rejection } from '../core/rejections.js';
import { decimalString, isoDate } from '../core/schemas.js';
import { Decimal } from '../domain/decimal.js';
import { isLastDayOfMonth, parseIsoDate } from '../domain/dates.js';
import type { ReportFigures } from './metrics.js';

const name = z.string().trim().min(1).max(120);

export const siteSchema = z
  .object({
    name,
    criticalItMw: decimalString,
    leasedMw: decimalString,
    energizedMw: decimalString,
    utilizationPercent: decimalString,
    uptimePercent: decimalString,
    pue: decimalString,
    energyMwh: decimalString,
    powerPricePerMwh: decimalString,
    appraisedValue: decimalString,
  })
  .strict();

export const tenantSchema = z
  .object({
    name,
    obligorName: name,
    rating: z.string().trim().min(1).max(10),
    /** Optional: the site the lease is at (its leased MW then bound the lease's). */
    site: name.optional(),
    leasedMw: decimalString,
    monthlyRent: decimalString,
    leaseStart: isoDate,
    leaseExpiry: isoDate,
    renewalOptions: z.string().trim().max(200).optional(),
    revenueCollected: decimalString,
    pastDue: decimalString,
  })
  .strict();

export const gpuFleetSchema = z
  .object({
    model: name,
    count: z.number().int().min(0).max(10_000_000),
    ageMonths: z.number().int().min(0).max(600),
    appraisedValue: decimalString,
    appraisalDate: isoDate,
    appraisalSource: z.string().trim().max(120).optional(),
  })
  .strict();

export const performanceReportSchema = z
  .object({
    periodEnd: isoDate,
    sites: z.array(siteSchema).min(1).max(200),
    tenants: z.array(tenantSchema).max(2000),
    revenue: decimalString,
    operatingCosts: decimalString,
    powerCost: decimalString,
    capitalExpenditure: decimalString,
    gpuFleet: z.array(gpuFleetSchema).max(100),
    /** Why this version exists: required for a restatement. */
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

export type PerformanceReportInput = z.infer<typeof performanceReportSchema>;

function fail(
  code:
    | 'INVALID_MW'
    | 'PERCENT_OUT_OF_RANGE'
    | 'TENANT_EXCEEDS_LEASED_MW'
    | 'PERIOD_NOT_MONTH_END'
    | 'POWER_COST_EXCEEDS_OPERATING_COSTS'
    | 'INVALID_REPORT',
  message: string,
  details: Record<string, unknown>,
): never {
  throw new Rejection(code, message, details);
}

function nonNegative(value: string, field: string, code: 'INVALID_MW' | 'INVALID_REPORT'): Decimal {
  const v = new Decimal(value);
  if (v.isNegative()) fail(code, `${field} must not be negative`, { field, value });
  return v;
}

function percent(value: string, field: string): void {
  const v = new Decimal(value);
  if (v.isNegative() || v.gt(100)) fail('PERCENT_OUT_OF_RANGE', `${field} must be from 0 to 100`, { field, value });
}

function checkSites(report: PerformanceReportInput): void {
  const names = new Set<string>();
  report.sites.forEach((s, i) => {
    const at = `sites[${i}]`;
    if (names.has(s.name)) fail('INVALID_REPORT', `site ${s.name} is listed twice`, { field: `${at}.name` });
    names.add(s.name);
    const critical = nonNegative(s.criticalItMw, `${at}.criticalItMw`, 'INVALID_MW');
    const leased = nonNegative(s.leasedMw, `${at}.leasedMw`, 'INVALID_MW');
    const energized = nonNegative(s.energizedMw, `${at}.energizedMw`, 'INVALID_MW');
    if (leased.gt(critical))
      fail('INVALID_MW', `site ${s.name} leases more MW than its critical IT capacity`, {
        field: `${at}.leasedMw`,
        leasedMw: s.leasedMw,
        criticalItMw: s.criticalItMw,
      });
    if (energized.gt(critical))
      fail('INVALID_MW', `site ${s.name} energizes more MW than its critical IT capacity`, { field: `${at}.energizedMw` });
    percent(s.utilizationPercent, `${at}.utilizationPercent`);
    percent(s.uptimePercent, `${at}.uptimePercent`);
    const pue = new Decimal(s.pue);
    if (pue.lt(1) || pue.gt(5)) fail('INVALID_REPORT', `site ${s.name}: a PUE is from 1 to 5`, { field: `${at}.pue`, value: s.pue });
    for (const field of ['energyMwh', 'powerPricePerMwh', 'appraisedValue'] as const)
      nonNegative(s[field], `${at}.${field}`, 'INVALID_REPORT');
  });
}

function checkTenants(report: PerformanceReportInput): void {
  const siteLeased = new Map(report.sites.map((s) => [s.name, new Decimal(s.leasedMw)]));
  const bySite = new Map<string, Decimal>();
  let leased = new Decimal(0);
  report.tenants.forEach((t, i) => {
    const at = `tenants[${i}]`;
    const mw = nonNegative(t.leasedMw, `${at}.leasedMw`, 'INVALID_MW');
    for (const field of ['monthlyRent', 'revenueCollected', 'pastDue'] as const) nonNegative(t[field], `${at}.${field}`, 'INVALID_REPORT');
    if (t.leaseExpiry < t.leaseStart)
      fail('INVALID_REPORT', `tenant ${t.name}: the lease expires before it starts`, { field: `${at}.leaseExpiry` });
    if (t.site !== undefined) {
      if (!siteLeased.has(t.site)) fail('INVALID_REPORT', `tenant ${t.name} names an unknown site ${t.site}`, { field: `${at}.site` });
      const atSite = (bySite.get(t.site) ?? new Decimal(0)).plus(mw);
      bySite.set(t.site, atSite);
      if (atSite.gt(siteLeased.get(t.site)!)) {
        fail('TENANT_EXCEEDS_LEASED_MW', `the leases at ${t.site} exceed its leased MW`, {
          field: `${at}.leasedMw`,
          site: t.site,
          siteLeasedMw: siteLeased.get(t.site)!.toFixed(),
          tenantsLeasedMw: atSite.toFixed(),
        });
      }
    }
    leased = leased.plus(mw);
  });
  const sitesLeased = [...siteLeased.values()].reduce((a, b) => a.plus(b), new Decimal(0));
  if (leased.gt(sitesLeased))
    fail('TENANT_EXCEEDS_LEASED_MW', 'the tenants lease more MW than the sites report leased', {
      sitesLeasedMw: sitesLeased.toFixed(),
      tenantsLeasedMw: leased.toFixed(),
    });
}

/** The checks that need no database; the period's order is checked by the store. */
export function checkReport(report: PerformanceReportInput): void {
  if (!isLastDayOfMonth(parseIsoDate(report.periodEnd)))
    fail('PERIOD_NOT_MONTH_END', `a reporting period ends on a month end, not ${report.periodEnd}`, { periodEnd: report.periodEnd });
  checkSites(report);
  checkTenants(report);
  for (const field of ['revenue', 'operatingCosts', 'powerCost', 'capitalExpenditure'] as const)
    nonNegative(report[field], field, 'INVALID_REPORT');
  report.gpuFleet.forEach((g, i) => nonNegative(g.appraisedValue, `gpuFleet[${i}].appraisedValue`, 'INVALID_REPORT'));
  if (new Decimal(report.powerCost).gt(report.operatingCosts)) {
    fail('POWER_COST_EXCEEDS_OPERATING_COSTS', 'power cost is a component of operating costs and cannot exceed them', {
      powerCost: report.powerCost,
      operatingCosts: report.operatingCosts,
    });
  }
}

export function toFigures(report: PerformanceReportInput): ReportFigures {
  const d = (v: string) => new Decimal(v);
  return {
    periodEnd: report.periodEnd,
    sites: report.sites.map((s) => ({
      name: s.name,
      criticalItMw: d(s.criticalItMw),
      leasedMw: d(s.leasedMw),
      energizedMw: d(s.energizedMw),
      utilizationPercent: d(s.utilizationPercent),
      uptimePercent: d(s.uptimePercent),
      pue: d(s.pue),
      energyMwh: d(s.energyMwh),
      powerPricePerMwh: d(s.powerPricePerMwh),
      appraisedValue: d(s.appraisedValue),
    })),
    tenants: report.tenants.map((t) => ({
      name: t.name,
      obligorName: t.obligorName,
      rating: t.rating,
      leasedMw: d(t.leasedMw),
      monthlyRent: d(t.monthlyRent),
      leaseStart: t.leaseStart,
      leaseExpiry: t.leaseExpiry,
      revenueCollected: d(t.revenueCollected),
      pastDue: d(t.pastDue),
    })),
    revenue: d(report.revenue),
    operatingCosts: d(report.operatingCosts),
    powerCost: d(report.powerCost),
    capitalExpenditure: d(report.capitalExpenditure),
    gpuFleet: report.gpuFleet.map((g) => ({
      model: g.model,
      count: g.count,
      ageMonths: g.ageMonths,
      appraisedValue: d(g.appraisedValue),
      appraisalDate: g.appraisalDate,
    })),
  };
}
