/**
 * A projection scenario — assumptions as data — and its resolution, month by month, against a
 * deal's base scenario. Pure: no I/O.
 *
 * Each driver is a flat decimal string or a vector [{fromMonth, value}] (month 1 = the first
 * projected month; a vector step holds until the next; months before the first step keep the base
 * value). Omitted drivers keep the base scenario's values. Tenant defaults name a tenant of the
 * collateral, a month and a recovery; refinanceAtArd is true (refinanced at the first payment date
 * on or after the ARD), false (never: the notes sweep to their legal final) or a month number.
 *
 * Guarantees: a resolved scenario has, for every driver, one canonical decimal string per month,
 * each within the driver's bounds and with at most DRIVER_PLACES decimals, so both projection
 * engines read the same exact values. Anything else is a ScenarioError naming the field
 * (utilization over 100 %, a negative price, a vector step beyond the deal's last month, an
 * unknown tenant, a default before month 1).
 */
import { z } from 'zod';
import { Decimal } from '../domain/decimal.js';

/** At most this many decimals in a driver value (keeps every product exact in both engines). */
export const DRIVER_PLACES = 4;
export const VECTOR_STEPS_MAX = 1200;

export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
    this.name = 'ScenarioError';
  }
}

interface DriverBounds {
  min: string;
  max: string;
  integer?: boolean;
}

/** The drivers, their units and bounds. */
export const DRIVERS = {
  utilizationPercent: { min: '0', max: '100' },
  rentChangePercent: { min: '-100', max: '1000' },
  powerPricePerMwh: { min: '0', max: '100000' },
  pue: { min: '1', max: '5' },
  opexGrowthPercent: { min: '-100', max: '1000' },
  renewalProbabilityPercent: { min: '0', max: '100' },
  downtimeMonths: { min: '0', max: '120', integer: true },
  releaseRentChangePercent: { min: '-100', max: '1000' },
  gpuValueChangePercentPerYear: { min: '-100', max: '1000' },
  /** The floating-rate index (e.g. SOFR), percent: a floating class pays it + its margin. */
  ratePath: { min: '-5', max: '100' },
} as const satisfies Record<string, DriverBounds>;

export type DriverName = keyof typeof DRIVERS;
export const DRIVER_NAMES = Object.keys(DRIVERS) as DriverName[];

const driverValue = z.string().regex(/^-?(0|[1-9]\d{0,8})(\.\d{1,18})?$/, 'must be a decimal string such as "85.5"');
const driverSchema = z.union([
  driverValue,
  z
    .array(z.object({ fromMonth: z.number().int().min(1), value: driverValue }).strict())
    .min(1)
    .max(VECTOR_STEPS_MAX),
]);
export type DriverInput = z.infer<typeof driverSchema>;

export const scenarioSchema = z
  .object({
    name: z.string().trim().min(1).max(60).optional(),
    ...(Object.fromEntries(DRIVER_NAMES.map((n) => [n, driverSchema.optional()])) as Record<
      DriverName,
      z.ZodOptional<typeof driverSchema>
    >),
    tenantDefaults: z
      .array(z.object({ tenant: z.string().min(1).max(100), month: z.number().int(), recoveryPercent: driverValue }).strict())
      .max(50)
      .optional(),
    refinanceAtArd: z.union([z.boolean(), z.number().int()]).optional(),
    /** A GPU value curve per model (change % a year, flat or by month); models not named follow gpuValueChangePercentPerYear. */
    gpuValueByModel: z
      .array(z.object({ model: z.string().min(1).max(120), changePercentPerYear: driverSchema }).strict())
      .max(50)
      .optional(),
  })
  .strict();
export type ScenarioInput = z.infer<typeof scenarioSchema>;

export interface TenantDefault {
  tenant: string;
  month: number;
  recoveryPercent: string;
}

/** The base values of a deal's drivers (flat) and its default refinancing. */
export interface BaseScenario {
  drivers: Record<DriverName, string>;
  refinanceAtArd: boolean | number;
  /** Base value change % a year by GPU model (e.g. the appraisals' trend); models not listed use drivers.gpuValueChangePercentPerYear. */
  gpuValueChangeByModel?: Record<string, string>;
}

export interface ResolvedScenario {
  name: string;
  months: number;
  /** drivers[name][m − 1]: the value in month m, a canonical decimal string. */
  drivers: Record<DriverName, string[]>;
  tenantDefaults: TenantDefault[];
  refinanceAtArd: boolean | number;
  /** gpuValueChange[k][m − 1]: GPU model k's value change % a year in month m (the collateral's model order). */
  gpuValueChange: string[][];
}

function checkValue(field: string, text: string, bounds: DriverBounds): string {
  const value = new Decimal(text);
  if (value.decimalPlaces() > DRIVER_PLACES) throw new ScenarioError(field, `must have at most ${DRIVER_PLACES} decimal places`);
  if (value.lt(bounds.min)) throw new ScenarioError(field, `must be at least ${bounds.min}`);
  if (value.gt(bounds.max)) throw new ScenarioError(field, `must be at most ${bounds.max}`);
  if (bounds.integer && !value.isInteger()) throw new ScenarioError(field, 'must be a whole number');
  return value.isZero() ? '0' : value.toFixed();
}

function resolveDriver(name: DriverName, input: DriverInput | undefined, base: string, months: number): string[] {
  const bounds: DriverBounds = DRIVERS[name];
  if (input === undefined) return new Array<string>(months).fill(checkValue(name, base, bounds));
  if (typeof input === 'string') return new Array<string>(months).fill(checkValue(name, input, bounds));
  const values = new Array<string>(months).fill(checkValue(name, base, bounds));
  input.forEach((step, i) => {
    const field = `${name}[${i}]`;
    if (i > 0 && step.fromMonth <= (input[i - 1] as { fromMonth: number }).fromMonth)
      throw new ScenarioError(`${field}.fromMonth`, 'must be after the previous step');
    if (step.fromMonth > months) throw new ScenarioError(`${field}.fromMonth`, `is beyond the deal's last projected month (${months})`);
    const value = checkValue(`${field}.value`, step.value, bounds);
    values.fill(value, step.fromMonth - 1);
  });
  return values;
}

/**
 * Resolves `input` (already shape-checked by scenarioSchema) over `months` months against the
 * base, for a collateral whose tenants are `tenants`.
 */
export function resolveScenario(
  input: ScenarioInput,
  base: BaseScenario,
  months: number,
  tenants: readonly string[],
  models: readonly string[] = [],
): ResolvedScenario {
  const drivers = Object.fromEntries(DRIVER_NAMES.map((n) => [n, resolveDriver(n, input[n], base.drivers[n], months)])) as Record<
    DriverName,
    string[]
  >;
  const seen = new Set<string>();
  const tenantDefaults = (input.tenantDefaults ?? []).map((d, i) => {
    const field = `tenantDefaults[${i}]`;
    if (!tenants.includes(d.tenant)) throw new ScenarioError(`${field}.tenant`, `is not a tenant of this deal (${tenants.join(', ')})`);
    if (seen.has(d.tenant)) throw new ScenarioError(`${field}.tenant`, 'defaults twice');
    seen.add(d.tenant);
    if (d.month < 1) throw new ScenarioError(`${field}.month`, 'must be 1 (the first projected month) or later');
    if (d.month > months) throw new ScenarioError(`${field}.month`, `is beyond the deal's last projected month (${months})`);
    return {
      tenant: d.tenant,
      month: d.month,
      recoveryPercent: checkValue(`${field}.recoveryPercent`, d.recoveryPercent, { min: '0', max: '100' }),
    };
  });
  const refinanceAtArd = input.refinanceAtArd ?? base.refinanceAtArd;
  if (typeof refinanceAtArd === 'number' && (refinanceAtArd < 1 || refinanceAtArd > months)) {
    throw new ScenarioError('refinanceAtArd', `must be true, false or a month from 1 to ${months}`);
  }
  const byModel = new Map<string, DriverInput>();
  (input.gpuValueByModel ?? []).forEach((g, i) => {
    const field = `gpuValueByModel[${i}]`;
    if (!models.includes(g.model)) throw new ScenarioError(`${field}.model`, `is not a GPU model of this deal (${models.join(', ')})`);
    if (byModel.has(g.model)) throw new ScenarioError(`${field}.model`, 'is listed twice');
    byModel.set(g.model, g.changePercentPerYear);
  });
  const gpuValueChange = models.map((model) => {
    const own = byModel.get(model);
    if (own !== undefined) {
      const i = (input.gpuValueByModel ?? []).findIndex((g) => g.model === model);
      try {
        return resolveDriver('gpuValueChangePercentPerYear', own, base.drivers.gpuValueChangePercentPerYear, months);
      } catch (error) {
        if (error instanceof ScenarioError)
          throw new ScenarioError(
            `gpuValueByModel[${i}].changePercentPerYear${error.field.slice('gpuValueChangePercentPerYear'.length)}`,
            error.message.slice(error.field.length + 1),
          );
        throw error;
      }
    }
    if (input.gpuValueChangePercentPerYear !== undefined) return drivers.gpuValueChangePercentPerYear;
    const trend = base.gpuValueChangeByModel?.[model];
    return trend === undefined ? drivers.gpuValueChangePercentPerYear : resolveDriver('gpuValueChangePercentPerYear', trend, trend, months);
  });
  return { name: input.name ?? 'custom', months, drivers, tenantDefaults, refinanceAtArd, gpuValueChange };
}
