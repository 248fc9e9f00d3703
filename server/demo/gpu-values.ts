/**
 * The demo GPU value index: per-GPU values of the demo fleets' models and of the H100, falling
 * about 30% a year — the pace at which H100 rental rates fell in 2024-25 (rental indices such as
 * SDH100RT, DOMAIN.md [S14]). Values are rental-implied (fictional demo figures, USD per GPU):
 * value on day t = start × 0.7^(t ÷ 365) from 2024-12-31, rounded to whole dollars, every Friday
 * and every month end up to 2026-12-04. Loaded like an operator's series, once (when none exists
 * and the demo deals exist).
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { addDays, daysBetween, lastDayOfMonth, monthOf, parseIsoDate, yearOf } from '../domain/dates.js';
import { putGpuSeries } from '../collateral/gpu-values.js';

const START = '2024-12-31';
const END = '2026-12-04';
/** USD per GPU on START. */
const MODELS: readonly [string, string][] = [
  ['NVIDIA H100 SXM', '25000'],
  ['NVIDIA H200 HGX', '32000'],
  ['NVIDIA GB200 NVL72', '52000'],
];
const YEARLY = new Decimal('0.7');

export function demoGpuDates(): string[] {
  const dates = new Set<string>();
  for (let d = parseIsoDate('2025-01-03'); d <= END; d = addDays(d, 7)) dates.add(d);
  for (let d = parseIsoDate(START); d <= END; ) {
    dates.add(d);
    const next = addDays(d, 1);
    d = lastDayOfMonth(yearOf(next), monthOf(next));
  }
  dates.add(START);
  return [...dates].filter((d) => d >= START && d <= END).sort();
}

export function demoGpuValue(start: string, date: string): string {
  const days = daysBetween(parseIsoDate(START), parseIsoDate(date));
  return new Decimal(start)
    .mul(YEARLY.pow(new Decimal(days).div(365)))
    .toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN)
    .toFixed(0);
}

export async function seedDemoGpuValues(knex: Knex): Promise<void> {
  if (await knex('gpu_value_points').first('model')) return;
  if (!(await knex('deals').first('id'))) return;
  for (const [model, start] of MODELS) {
    await putGpuSeries(knex, model, { points: demoGpuDates().map((date) => ({ date, valueUsd: demoGpuValue(start, date) })) }, null);
  }
}
