/**
 * The Cash flows tab's pure parts (no DOM): the drivers the editor shows, reading and writing a
 * driver as text ("95" flat, "1:95, 13:80" a vector), tenant defaults one a line, and the CSV of a
 * projection (one row per class and payment date, the API's decimal strings as they are).
 */
import type { Projection, ScenarioDriver, ScenarioInput } from '../../../sdk/index.js';
import { toCsv } from '../ui/download.js';

export type DriverKey = Exclude<keyof ScenarioInput, 'name' | 'tenantDefaults' | 'refinanceAtArd'>;

/** The drivers the editor shows, with their labels and units. */
export const DRIVER_FIELDS: readonly { key: DriverKey; label: string }[] = [
  { key: 'utilizationPercent', label: 'Utilization (%)' },
  { key: 'rentChangePercent', label: 'Rent change (%)' },
  { key: 'powerPricePerMwh', label: 'Power price (USD/MWh)' },
  { key: 'pue', label: 'PUE' },
  { key: 'opexGrowthPercent', label: 'Opex growth (% a year)' },
  { key: 'renewalProbabilityPercent', label: 'Lease renewal probability (%)' },
  { key: 'downtimeMonths', label: 'Downtime after expiry (months)' },
  { key: 'releaseRentChangePercent', label: 'Re-lease rent change (%)' },
  { key: 'gpuValueChangePercentPerYear', label: 'GPU value change (% a year)' },
];

export const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** A driver as the editor writes it: "95" or "1:95, 13:80". */
export function driverText(value: ScenarioDriver | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return value.map((s) => `${s.fromMonth}:${s.value}`).join(', ');
}

/** Reads a driver field: a flat decimal, a vector "month:value, …", or the reason it is neither. */
export function parseDriver(text: string): ScenarioDriver | { problem: string } {
  const clean = text.trim();
  if (DECIMAL.test(clean)) return clean;
  const steps = clean.split(',').map((part) => part.trim());
  const vector: { fromMonth: number; value: string }[] = [];
  for (const step of steps) {
    const match = /^(\d+)\s*:\s*(-?(?:0|[1-9]\d*)(?:\.\d+)?)$/.exec(step);
    if (!match) return { problem: `"${step}" is neither a number nor month:value` };
    vector.push({ fromMonth: Number(match[1]), value: match[2]! });
  }
  return vector;
}

/** Tenant defaults, one a line: "tenant, month, recovery %". */
export function parseDefaults(text: string): ScenarioInput['tenantDefaults'] | { problem: string } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const out: NonNullable<ScenarioInput['tenantDefaults']> = [];
  for (const line of lines) {
    const parts = line.split(',').map((p) => p.trim());
    const [tenant, month, recovery] = parts;
    if (parts.length !== 3 || !tenant || !/^\d+$/.test(month ?? '') || !DECIMAL.test(recovery ?? ''))
      return { problem: `"${line}": write tenant, month, recovery % (e.g. Northwind AI, 24, 40)` };
    out.push({ tenant, month: Number(month), recoveryPercent: recovery! });
  }
  return out;
}

/** The CSV of a projection: one row per class and payment date, with the deal's figures of the period. */
export function projectionCsv(projection: Projection): string {
  const periods = new Map(projection.periods.map((p) => [p.date, p]));
  const rows = projection.classes.flatMap((c) =>
    c.cashFlows.map((f) => {
      const p = periods.get(f.date);
      return [
        f.date,
        c.className,
        f.interest,
        f.principal,
        f.balance,
        f.interestShortfall,
        f.deferredInterest,
        f.writedown,
        p?.revenue,
        p?.netOperatingIncome,
        p?.dscr,
        p?.trappedCash,
        p?.reserve,
        p ? String(p.cashTrap) : '',
      ];
    }),
  );
  return toCsv(
    [
      'date',
      'class',
      'interest',
      'principal',
      'balance',
      'interestShortfall',
      'deferredInterest',
      'writedown',
      'revenue',
      'netOperatingIncome',
      'dscr',
      'trappedCash',
      'reserve',
      'cashTrap',
    ],
    rows,
  );
}
