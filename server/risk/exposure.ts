/**
 * Look-through exposure (pure): a party's holdings broken down by what each deal depends on —
 * ultimate obligor, sponsor, GPU vendor, GPU model, region/power market.
 *
 * Each deal carries, per dimension, attributions whose weights sum to 1 (e.g. each ultimate
 * obligor's share of the deal's monthly rent). A holding's face and market value are split by
 * its deal's weights and summed per key across holdings, so a tenant shared by two deals appears
 * once with the sum of both.
 *
 * cashFlowSharePercent is the share of the portfolio's market value whose cash flow depends on
 * the key: Σ_h MV_h·w_h,k / Σ_h MV_h × 100. It is the first-order look-through (every class of a
 * deal depends on its tenants in proportion to their rent); the projection engine can replace the
 * weights by tranche-level projected cash flows without changing this module's contract.
 *
 * Rounding (stated): face and market value to cents, shares to 2 places, Herfindahl to 4, all
 * half-even; per-key cents are allocated by largest remainder so the rows sum exactly to the
 * rounded totals (ties go to the earlier key in the output order).
 */
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';

export const DIMENSIONS = ['obligor', 'sponsor', 'vendor', 'gpuModel', 'region'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Attribution {
  key: string;
  name: string;
  /** Share of the deal that depends on this key; a deal's weights in one dimension sum to 1. */
  weight: Decimal;
}

export type DealLookThrough = Readonly<Record<Dimension, readonly Attribution[]>>;

export interface Holding {
  noteId: string;
  dealId: string;
  /** Current face: original face × factor. */
  face: Decimal;
  /** Market value of the holding (current face × price / 100). */
  marketValue: Decimal;
}

export interface ExposureRow {
  key: string;
  name: string;
  face: Decimal;
  marketValue: Decimal;
  cashFlowSharePercent: Decimal;
}

export interface ExposureReport {
  by: Dimension;
  rows: ExposureRow[];
  totalFace: Decimal;
  totalMarketValue: Decimal;
  largestSharePercent: Decimal;
  /** Σ share² with shares as fractions: 1 = everything on one key, 1/n = n equal keys. */
  herfindahl: Decimal;
}

/** Exact (unrounded) face, value and share per key. */
export function exactExposures(
  holdings: readonly Holding[],
  deals: ReadonlyMap<string, DealLookThrough>,
  by: Dimension,
): { key: string; name: string; face: Decimal; marketValue: Decimal }[] {
  const rows = new Map<string, { key: string; name: string; face: Decimal; marketValue: Decimal }>();
  for (const holding of holdings) {
    const attributions = deals.get(holding.dealId)?.[by] ?? [];
    const parts =
      attributions.length > 0
        ? attributions
        : [{ key: 'unattributed', name: 'Unattributed (no look-through data)', weight: new Decimal(1) }];
    for (const part of parts) {
      const row = rows.get(part.key) ?? { key: part.key, name: part.name, face: new Decimal(0), marketValue: new Decimal(0) };
      row.face = row.face.plus(holding.face.mul(part.weight));
      row.marketValue = row.marketValue.plus(holding.marketValue.mul(part.weight));
      rows.set(part.key, row);
    }
  }
  return [...rows.values()];
}

/**
 * Weights are quotients (rent ÷ total rent), so a sum of weighted parts can miss the exact sum of the
 * holdings by a few units in the 60th digit; on a value that is exactly half a cent that flips the
 * rounding. Snapping the sum to 30 places first removes that noise and keeps every real digit.
 */
function snapped(value: Decimal): Decimal {
  return value.toDecimalPlaces(30, Decimal.ROUND_HALF_EVEN);
}

/** Rounds each value to `places` so that they sum exactly to the rounded total (largest remainder). */
export function allocateRounded(values: readonly Decimal[], places: number): Decimal[] {
  const total = roundHalfEven(snapped(values.reduce((a, v) => a.plus(v), new Decimal(0))), places);
  const unit = new Decimal(10).pow(-places);
  const floors = values.map((v) => v.toDecimalPlaces(places, Decimal.ROUND_FLOOR));
  let remaining = total
    .minus(floors.reduce((a, v) => a.plus(v), new Decimal(0)))
    .div(unit)
    .round()
    .toNumber();
  const order = values.map((v, i) => ({ i, rest: v.minus(floors[i]!) })).sort((a, b) => b.rest.comparedTo(a.rest) || a.i - b.i);
  const result = [...floors];
  for (const { i } of order) {
    if (remaining === 0) break;
    const step = remaining > 0 ? unit : unit.negated();
    result[i] = result[i]!.plus(step);
    remaining += remaining > 0 ? -1 : 1;
  }
  return result;
}

export function exposureReport(holdings: readonly Holding[], deals: ReadonlyMap<string, DealLookThrough>, by: Dimension): ExposureReport {
  const exact = exactExposures(holdings, deals, by).sort((a, b) => b.marketValue.comparedTo(a.marketValue) || a.name.localeCompare(b.name));
  const totalMarketValue = exact.reduce((a, r) => a.plus(r.marketValue), new Decimal(0));
  const faces = allocateRounded(
    exact.map((r) => r.face),
    2,
  );
  const values = allocateRounded(
    exact.map((r) => r.marketValue),
    2,
  );
  const fractions = exact.map((r) => (totalMarketValue.isZero() ? new Decimal(0) : r.marketValue.div(totalMarketValue)));
  const rows = exact.map((r, i) => ({
    key: r.key,
    name: r.name,
    face: faces[i]!,
    marketValue: values[i]!,
    cashFlowSharePercent: roundHalfEven(fractions[i]!.mul(100), 2),
  }));
  const largest = fractions.reduce((a, f) => Decimal.max(a, f), new Decimal(0));
  return {
    by,
    rows,
    totalFace: roundHalfEven(snapped(exact.reduce((a, r) => a.plus(r.face), new Decimal(0))), 2),
    totalMarketValue: roundHalfEven(snapped(totalMarketValue), 2),
    largestSharePercent: roundHalfEven(largest.mul(100), 2),
    herfindahl: roundHalfEven(
      fractions.reduce((a, f) => a.plus(f.mul(f)), new Decimal(0)),
      4,
    ),
  };
}

/** Exact share (fraction of market value) per key, for the limit check. */
export function sharesByKey(
  holdings: readonly Holding[],
  deals: ReadonlyMap<string, DealLookThrough>,
  by: Dimension,
): Map<string, { name: string; share: Decimal }> {
  const exact = exactExposures(holdings, deals, by);
  const total = exact.reduce((a, r) => a.plus(r.marketValue), new Decimal(0));
  return new Map(exact.map((r) => [r.key, { name: r.name, share: total.isZero() ? new Decimal(0) : r.marketValue.div(total) }]));
}

export function exposureToWire(report: ExposureReport) {
  return {
    by: report.by,
    rows: report.rows.map((r) => ({
      key: r.key,
      name: r.name,
      face: r.face.toFixed(2),
      marketValue: r.marketValue.toFixed(2),
      cashFlowSharePercent: r.cashFlowSharePercent.toFixed(2),
    })),
    totalFace: report.totalFace.toFixed(2),
    totalMarketValue: report.totalMarketValue.toFixed(2),
    largestSharePercent: report.largestSharePercent.toFixed(2),
    herfindahl: report.herfindahl.toFixed(4),
  };
}

/**
 * Weights from amounts grouped by key (e.g. rent by ultimate obligor): amount / Σ amounts.
 * Zero or no amounts → no attribution (the deal shows as unattributed).
 */
export function weightsFrom(amounts: readonly { key: string; name: string; amount: Decimal }[]): Attribution[] {
  const grouped = new Map<string, { key: string; name: string; amount: Decimal }>();
  for (const a of amounts) {
    const g = grouped.get(a.key) ?? { key: a.key, name: a.name, amount: new Decimal(0) };
    g.amount = g.amount.plus(a.amount);
    grouped.set(a.key, g);
  }
  const total = [...grouped.values()].reduce((s, g) => s.plus(g.amount), new Decimal(0));
  if (total.lte(0)) return [];
  return [...grouped.values()].filter((g) => g.amount.gt(0)).map((g) => ({ key: g.key, name: g.name, weight: g.amount.div(total) }));
}

/** Equal weights over distinct keys (e.g. co-sponsors). */
export function equalWeights(parts: readonly { key: string; name: string }[]): Attribution[] {
  return weightsFrom(parts.map((p) => ({ ...p, amount: new Decimal(1) })));
}

/**
 * US power markets by state, for sites whose name ends in or contains a state code
 * ("Abilene TX building A"). Source: FERC's map of electric power markets (ISO/RTO regions);
 * states split between markets are assigned to the market serving most of their load.
 */
const POWER_MARKET_BY_STATE: Readonly<Record<string, string>> = {
  TX: 'ERCOT',
  VA: 'PJM',
  MD: 'PJM',
  PA: 'PJM',
  NJ: 'PJM',
  OH: 'PJM',
  IL: 'PJM',
  DE: 'PJM',
  DC: 'PJM',
  WV: 'PJM',
  NY: 'NYISO',
  CA: 'CAISO',
  MA: 'ISO-NE',
  CT: 'ISO-NE',
  ME: 'ISO-NE',
  NH: 'ISO-NE',
  RI: 'ISO-NE',
  VT: 'ISO-NE',
  MN: 'MISO',
  IA: 'MISO',
  WI: 'MISO',
  MI: 'MISO',
  IN: 'MISO',
  LA: 'MISO',
  MS: 'MISO',
  AR: 'MISO',
  OK: 'SPP',
  KS: 'SPP',
  NE: 'SPP',
  ND: 'SPP',
  SD: 'SPP',
  NV: 'WECC (non-ISO West)',
  AZ: 'WECC (non-ISO West)',
  UT: 'WECC (non-ISO West)',
  OR: 'WECC (non-ISO West)',
  WA: 'WECC (non-ISO West)',
  CO: 'WECC (non-ISO West)',
  NM: 'WECC (non-ISO West)',
  ID: 'WECC (non-ISO West)',
  MT: 'WECC (non-ISO West)',
  WY: 'WECC (non-ISO West)',
  GA: 'SERC (non-ISO Southeast)',
  NC: 'SERC (non-ISO Southeast)',
  SC: 'SERC (non-ISO Southeast)',
  AL: 'SERC (non-ISO Southeast)',
  TN: 'SERC (non-ISO Southeast)',
  FL: 'SERC (non-ISO Southeast)',
};

/** The region key of a site name: `<STATE>` with its power market as the name, or null. */
export function regionOfSite(siteName: string): { key: string; name: string } | null {
  for (const token of siteName.split(/[\s,()]+/)) {
    const market = POWER_MARKET_BY_STATE[token];
    if (market) return { key: `US-${token}`, name: `${token} (${market})` };
  }
  return null;
}
