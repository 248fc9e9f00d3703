/**
 * Who a contagion scenario's default hits, and where: the company named and every company below it
 * in the register (its subsidiaries, through the parent chain; never its parent or siblings), and
 * each projection tenant that is one of them, matched by name — the deal's latest performance
 * report's obligorName for the tenant where it has one, else the tenant's own name — compared
 * without case, punctuation and company suffixes. A tenant hit by two defaults takes the earliest
 * (then the lowest recovery); a default after the deal's last projected month is skipped, and said.
 *
 * Guarantees: the parent walk stops after as many hops as there are companies, loop or not.
 * Must never: write anything, or project (contagion.ts runs the projections).
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import type { Obligor } from './obligors.js';

const SUFFIXES = new Set([
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'ltd',
  'limited',
  'llc',
  'plc',
  'lp',
  'llp',
  'sa',
  'ag',
  'gmbh',
  'nv',
  'bv',
]);

/** A company name without case, punctuation and trailing company suffixes. */
export function comparableName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}

/** The companies a default of `id` takes down: it and everything below it in the register. */
export function defaultedGroup(obligors: ReadonlyMap<string, Obligor>, id: string): Set<string> {
  const group = new Set<string>();
  for (const o of obligors.values()) {
    let current: Obligor | undefined = o;
    for (let hops = 0; current && hops <= obligors.size; hops += 1) {
      if (current.id === id) {
        group.add(o.id);
        break;
      }
      current = current.parentId ? obligors.get(current.parentId) : undefined;
    }
  }
  return group;
}

/** Tenant name → obligorName in each deal's latest performance report. */
export async function reportObligorNames(db: Knex, dealIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const rows: { deal_id: string; report: unknown }[] = await db('performance_reports as p')
    .whereIn('p.deal_id', [...dealIds])
    .whereRaw(
      '(p.period_end, p.version) = (select period_end, version from performance_reports q where q.deal_id = p.deal_id order by period_end desc, version desc limit 1)',
    )
    .select('p.deal_id', 'p.report');
  const result = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const report = (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as {
      tenants?: { name: string; obligorName: string }[];
    };
    result.set(r.deal_id, new Map((report.tenants ?? []).map((t) => [t.name, t.obligorName])));
  }
  return result;
}

export interface AppliedDefault {
  tenant: string;
  obligorId: string;
  obligorName: string;
  month: number;
  recoveryPercent: string;
}

/**
 * The tenant defaults a scenario puts on one deal: each projection tenant whose company is in a
 * defaulted group, at that default's month and recovery (earliest month, then lowest recovery).
 */
export function tenantDefaultsFor(
  tenants: readonly string[],
  obligorOfTenant: (tenant: string) => Obligor | undefined,
  defaults: readonly { group: Set<string>; obligor: Obligor; month: number; recoveryPercent: string }[],
  months: number,
): { applied: AppliedDefault[]; skipped: string[] } {
  const applied = new Map<string, AppliedDefault>();
  const skipped: string[] = [];
  for (const tenant of tenants) {
    const company = obligorOfTenant(tenant);
    if (!company) continue;
    for (const d of defaults) {
      if (!d.group.has(company.id)) continue;
      if (d.month > months) {
        skipped.push(`${tenant}: ${d.obligor.name}'s default in month ${d.month} falls after the deal's last projected month (${months})`);
        continue;
      }
      const current = applied.get(tenant);
      const candidate = {
        tenant,
        obligorId: d.obligor.id,
        obligorName: d.obligor.name,
        month: d.month,
        recoveryPercent: d.recoveryPercent,
      };
      if (!current || d.month < current.month || (d.month === current.month && new Decimal(d.recoveryPercent).lt(current.recoveryPercent)))
        applied.set(tenant, candidate);
    }
  }
  return { applied: [...applied.values()], skipped };
}
