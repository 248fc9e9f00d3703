/**
 * The derived credit metrics on an example computed by hand (the arithmetic is in the comments),
 * and their invariants on random reports (fast-check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../server/domain/decimal.js';
import {
  computeMetrics,
  metricsMap,
  metricsToWire,
  type DealMetrics,
  type ReportFigures,
  type SiteFigures,
  type TenantFigures,
} from '../../server/performance/metrics.js';

const d = (v: string | number) => new Decimal(v);

function site(name: string, f: Record<string, string>): SiteFigures {
  return {
    name,
    criticalItMw: d(f.criticalItMw!),
    leasedMw: d(f.leasedMw!),
    energizedMw: d(f.energizedMw!),
    utilizationPercent: d(f.utilizationPercent!),
    uptimePercent: d(f.uptimePercent!),
    pue: d(f.pue!),
    energyMwh: d(f.energyMwh!),
    powerPricePerMwh: d(f.powerPricePerMwh!),
    appraisedValue: d(f.appraisedValue!),
  };
}

function tenant(name: string, obligorName: string, leasedMw: string, monthlyRent: string, leaseExpiry: string): TenantFigures {
  return {
    name,
    obligorName,
    rating: 'A',
    leasedMw: d(leasedMw),
    monthlyRent: d(monthlyRent),
    leaseStart: '2024-01-01',
    leaseExpiry,
    revenueCollected: d(monthlyRent),
    pastDue: d(0),
  };
}

const report: ReportFigures = {
  periodEnd: '2026-12-31',
  sites: [
    site('A', {
      criticalItMw: '40',
      leasedMw: '36',
      energizedMw: '38',
      utilizationPercent: '90',
      uptimePercent: '99.99',
      pue: '1.30',
      energyMwh: '26000',
      powerPricePerMwh: '50',
      appraisedValue: '400000000',
    }),
    site('B', {
      criticalItMw: '10',
      leasedMw: '9',
      energizedMw: '10',
      utilizationPercent: '80',
      uptimePercent: '99.90',
      pue: '1.50',
      energyMwh: '6000',
      powerPricePerMwh: '80',
      appraisedValue: '100000000',
    }),
  ],
  tenants: [
    tenant('Hyperscale East', 'BigCloud Inc', '20', '3000000', '2036-12-31'),
    tenant('BigCloud Labs', 'BigCloud Inc', '7', '900000', '2031-12-31'),
    tenant('ModelCo', 'ModelCo', '10', '1400000', '2029-12-31'),
    tenant('RenderFarm', 'RenderFarm', '5', '600000', '2027-12-31'),
    tenant('Small1', 'Small1', '1', '150000', '2027-06-30'),
    tenant('Small2', 'Small2', '1', '150000', '2027-03-31'),
    tenant('Tiny', 'Tiny', '0.5', '50000', '2027-01-31'),
  ],
  revenue: d('6100000'),
  operatingCosts: d('2300000'),
  powerCost: d('1780000'),
  capitalExpenditure: d('500000'),
  gpuFleet: [
    { model: 'H200', count: 2000, ageMonths: 10, appraisedValue: d('60000000'), appraisalDate: '2026-12-15' },
    { model: 'H100', count: 2000, ageMonths: 30, appraisedValue: d('40000000'), appraisalDate: '2026-12-15' },
  ],
};

function previous(dscr: string | null): DealMetrics {
  return { dscr: dscr === null ? null : d(dscr) } as DealMetrics;
}

describe('computeMetrics on a hand-computed example', () => {
  const m = metricsToWire(
    computeMetrics({
      report,
      noteBalance: d('390000000'),
      debtService: d('2500000'),
      previous: [previous('1.2000'), previous('1.3100'), previous('0.5000')],
    }),
  );

  it('computes NOI, DSCR and its three-month average', () => {
    // NOI = 6,100,000 − 2,300,000 = 3,800,000 (capex 500,000 is not an operating cost).
    expect(m.netOperatingIncome).toBe('3800000.00');
    // DSCR = 3,800,000 ÷ 2,500,000 = 1.52.
    expect(m.dscr).toBe('1.5200');
    // Average of this and the two preceding periods only: (1.52 + 1.20 + 1.31) ÷ 3 = 4.03 ÷ 3 = 1.34333… → 1.3433.
    expect(m.dscrThreeMonthAverage).toBe('1.3433');
  });

  it('computes LTV against sites plus GPU fleet', () => {
    // Appraised = 400M + 100M (sites) + 60M + 40M (fleet) = 600M; 390M ÷ 600M = 65%.
    expect(m.ltvPercent).toBe('65.00');
  });

  it('measures concentration by ultimate obligor on leased MW and on rent', () => {
    // Leased MW of the sites = 36 + 9 = 45. BigCloud Inc = 20 + 7 = 27 MW → 27 ÷ 45 = 60%.
    expect(m.largestTenantSharePercent).toBe('60.00');
    // Top five obligors: 27 + 10 + 5 + 1 + 1 = 44 (Tiny's 0.5 is sixth) → 44 ÷ 45 = 97.777… → 97.78.
    expect(m.top5TenantSharePercent).toBe('97.78');
    // Rent: total 6,250,000; BigCloud 3,900,000 → 62.4%; top five 6,200,000 → 99.2%.
    expect(m.largestTenantRentSharePercent).toBe('62.40');
    expect(m.top5TenantRentSharePercent).toBe('99.20');
  });

  it('weights utilization and uptime by critical IT MW, and computes occupancy', () => {
    // (90 × 40 + 80 × 10) ÷ 50 = 88; (99.99 × 40 + 99.90 × 10) ÷ 50 = 4,998.6 ÷ 50 = 99.972 → 99.97.
    expect(m.utilizationPercent).toBe('88.00');
    expect(m.uptimePercent).toBe('99.97');
    // 45 ÷ 50 = 90%.
    expect(m.occupancyPercent).toBe('90.00');
  });

  it('computes the rent-weighted remaining lease term', () => {
    // Days from 2026-12-31: 3653, 1826, 1096, 365, 181, 90, 31.
    // Σ rent × days = 10,959,000,000 + 1,643,400,000 + 1,534,400,000 + 219,000,000 + 27,150,000 + 13,500,000 + 1,550,000
    //              = 14,398,000,000; ÷ (365 × 6,250,000 = 2,281,250,000) = 6.3114… → 6.31 years.
    expect(m.walTermYears).toBe('6.31');
  });

  it('computes revenue per MW, PUE and the energy-weighted power price', () => {
    // 6,100,000 ÷ 45 = 135,555.555… → 135,555.56.
    expect(m.revenuePerMw).toBe('135555.56');
    // Facility energy 32,000 MWh; IT energy 26,000 ÷ 1.3 + 6,000 ÷ 1.5 = 20,000 + 4,000 = 24,000 → 1.33333… → 1.3333.
    expect(m.pue).toBe('1.3333');
    // (26,000 × 50 + 6,000 × 80) ÷ 32,000 = 1,780,000 ÷ 32,000 = 55.625 → half-even 55.62.
    expect(m.powerPricePerMwh).toBe('55.62');
  });

  it('gives null for ratios without a denominator and leaves them out of the trigger map', () => {
    const none = computeMetrics({
      report: { ...report, sites: [], tenants: [], gpuFleet: [] },
      noteBalance: d(1),
      debtService: d(0),
      previous: [],
    });
    expect(none.dscr).toBeNull();
    expect(none.dscrThreeMonthAverage).toBeNull();
    expect(none.ltvPercent).toBeNull();
    expect(metricsMap(none).has('dscr')).toBe(false);
    expect(metricsMap(none).get('netOperatingIncome')?.toFixed(2)).toBe('3800000.00');
  });

  it('averages over the periods available at the start of a deal', () => {
    const first = computeMetrics({ report, noteBalance: d(0), debtService: d('2500000'), previous: [] });
    expect(first.dscrThreeMonthAverage?.toFixed(4)).toBe('1.5200');
    // (1.52 + 1.20) ÷ 2 = 1.36.
    const second = computeMetrics({ report, noteBalance: d(0), debtService: d('2500000'), previous: [previous('1.2000')] });
    expect(second.dscrThreeMonthAverage?.toFixed(4)).toBe('1.3600');
  });
});

describe('metric invariants', () => {
  const mw = fc.integer({ min: 1, max: 100_000 }).map((v) => d(v).div(100));
  it('shares are within 0–100, the largest within the top five; the average lies between its inputs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ leased: mw, rent: fc.integer({ min: 0, max: 10_000_000 }), obligor: fc.integer({ min: 0, max: 8 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 0, maxLength: 2 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (leases, prior, debtService) => {
          const tenants = leases.map((l, i) => tenant(`t${i}`, `o${l.obligor}`, l.leased.toFixed(), String(l.rent), '2030-06-30'));
          const leasedMw = tenants.reduce((s, t) => s.plus(t.leasedMw), d(0));
          const sites = [
            site('S', {
              criticalItMw: leasedMw.mul(2).toFixed(),
              leasedMw: leasedMw.toFixed(),
              energizedMw: '1',
              utilizationPercent: '50',
              uptimePercent: '99',
              pue: '1.4',
              energyMwh: '100',
              powerPricePerMwh: '60',
              appraisedValue: '1000000',
            }),
          ];
          const previousMetrics = prior.map((p) => previous(d(p).div(10_000).toFixed(4)));
          const m = computeMetrics({
            report: { ...report, sites, tenants },
            noteBalance: d(500000),
            debtService: d(debtService),
            previous: previousMetrics,
          });
          const largest = m.largestTenantSharePercent!;
          const top5 = m.top5TenantSharePercent!;
          expect(largest.gte(0) && largest.lte(top5) && top5.lte(100)).toBe(true);
          const all = [m.dscr!, ...previousMetrics.map((p) => p.dscr!)];
          const min = Decimal.min(...all);
          const max = Decimal.max(...all);
          expect(m.dscrThreeMonthAverage!.gte(min.minus('0.00005')) && m.dscrThreeMonthAverage!.lte(max.plus('0.00005'))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('metrics.ts stays pure', () => {
  it('has no I/O, clock, randomness, environment or float rounding, and imports only the domain', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../server/performance/metrics.ts', import.meta.url), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const pattern of [
      /\bawait\b|\basync\b/,
      /Date\.now|new Date\s*\(|Date\.parse/,
      /Math\.random|crypto\./,
      /process\./,
      /\bconsole\./,
      /parseFloat|\bNumber\(|Math\.round|toDecimalPlaces/,
    ]) {
      expect(pattern.test(code), String(pattern)).toBe(false);
    }
    const imports = [...code.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports.every((i) => i!.startsWith('../domain/'))).toBe(true);
  });
});
