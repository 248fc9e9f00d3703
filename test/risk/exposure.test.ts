/**
 * The pure look-through exposure module: a worked example by hand, largest-remainder rounding,
 * regions by power market, and properties (rows sum to the holdings; shares in 0–100 and summing
 * to 100 within rounding; Herfindahl between 1/n and 1; a key shared by two deals is one row).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../server/domain/decimal.js';
import {
  allocateRounded,
  exposureReport,
  regionOfSite,
  weightsFrom,
  type DealLookThrough,
  type Holding,
} from '../../server/risk/exposure.js';

const d = (v: string | number) => new Decimal(v);
const empty = { sponsor: [], vendor: [], gpuModel: [], region: [] };

function deal(rents: Record<string, number>): DealLookThrough {
  return { ...empty, obligor: weightsFrom(Object.entries(rents).map(([key, amount]) => ({ key, name: key, amount: d(amount) }))) };
}

describe('exposure report', () => {
  it('matches a hand-computed two-deal portfolio with a shared tenant', () => {
    // Deal 1 rent: Lab 300, Cloud 700. Deal 2 rent: Lab 1, Vendor 3.
    // Holdings: 1,000,000 face of deal 1 at 98 (MV 980,000); 500,000 face of deal 2 at 102 (MV 510,000).
    // Lab face  = 1,000,000 × 0.3 + 500,000 × 0.25 = 300,000 + 125,000 = 425,000
    // Lab MV    =   980,000 × 0.3 + 510,000 × 0.25 = 294,000 + 127,500 = 421,500
    // Cloud MV  =   980,000 × 0.7 = 686,000; Vendor MV = 510,000 × 0.75 = 382,500; total 1,490,000
    // Shares: Cloud 686,000/1,490,000 = 46.0402…% → 46.04; Lab 28.2886…% → 28.29; Vendor 25.6711…% → 25.67
    // Herfindahl: 0.460403² + 0.282886² + 0.256711² = 0.211971 + 0.080024 + 0.065901 = 0.357896… → 0.3579
    const deals = new Map([
      ['d1', deal({ Lab: 300, Cloud: 700 })],
      ['d2', deal({ Lab: 1, Vendor: 3 })],
    ]);
    const holdings: Holding[] = [
      { noteId: 'n1', dealId: 'd1', face: d(1_000_000), marketValue: d(980_000) },
      { noteId: 'n2', dealId: 'd2', face: d(500_000), marketValue: d(510_000) },
    ];
    const report = exposureReport(holdings, deals, 'obligor');
    expect(report.rows.map((r) => [r.key, r.face.toFixed(2), r.marketValue.toFixed(2), r.cashFlowSharePercent.toFixed(2)])).toEqual([
      ['Cloud', '700000.00', '686000.00', '46.04'],
      ['Lab', '425000.00', '421500.00', '28.29'],
      ['Vendor', '375000.00', '382500.00', '25.67'],
    ]);
    expect(report.totalMarketValue.toFixed(2)).toBe('1490000.00');
    expect(report.largestSharePercent.toFixed(2)).toBe('46.04');
    expect(report.herfindahl.toFixed(4)).toBe('0.3579');
  });

  it('shows a deal without look-through data as unattributed', () => {
    const report = exposureReport([{ noteId: 'n', dealId: 'x', face: d(100), marketValue: d(100) }], new Map(), 'vendor');
    expect(report.rows.map((r) => r.key)).toEqual(['unattributed']);
    expect(report.herfindahl.toFixed(4)).toBe('1.0000');
  });

  it('allocates cents by largest remainder so rounded parts sum to the rounded whole', () => {
    // Thirds of 1.00: 0.333…, each floors to 0.33 (sum 0.99); the one cent left goes to the first (ties by order).
    const third = d(1).div(3);
    expect(allocateRounded([third, third, third], 2).map((v) => v.toFixed(2))).toEqual(['0.34', '0.33', '0.33']);
    // 0.005 + 0.005 = 0.01: floors 0 and 0, one cent to the first.
    expect(allocateRounded([d('0.005'), d('0.005')], 2).map((v) => v.toFixed(2))).toEqual(['0.01', '0.00']);
  });

  it('finds the power market of a site by its state', () => {
    expect(regionOfSite('Abilene TX building A')).toEqual({ key: 'US-TX', name: 'TX (ERCOT)' });
    expect(regionOfSite('Ashburn VA hall 3')).toEqual({ key: 'US-VA', name: 'VA (PJM)' });
    expect(regionOfSite('Reno NV')?.key).toBe('US-NV');
    expect(regionOfSite('Somewhere')).toBeNull();
  });

  it('properties: rows sum to the holdings, shares are in range, Herfindahl in [1/n, 1], shared keys are one row', () => {
    const key = fc.constantFrom('A', 'B', 'C', 'D', 'E');
    const dealArb = fc.array(fc.record({ key, amount: fc.integer({ min: 1, max: 10_000_000 }) }), { minLength: 1, maxLength: 5 });
    const holdingArb = fc.record({
      deal: fc.integer({ min: 0, max: 2 }),
      face: fc.integer({ min: 1, max: 50_000_000 }),
      price: fc.integer({ min: 5_000, max: 15_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(dealArb, { minLength: 3, maxLength: 3 }),
        fc.array(holdingArb, { minLength: 1, maxLength: 6 }),
        (dealRents, holdingSpecs) => {
          const deals = new Map(
            dealRents.map((rents, i) => [
              `d${i}`,
              { ...empty, obligor: weightsFrom(rents.map((r) => ({ key: r.key, name: r.key, amount: d(r.amount) }))) },
            ]),
          );
          const holdings = holdingSpecs.map((h, i) => {
            const face = d(h.face);
            return { noteId: `n${i}`, dealId: `d${h.deal}`, face, marketValue: face.mul(h.price).div(10_000) };
          });
          const report = exposureReport(holdings, deals, 'obligor');
          const totalFace = holdings.reduce((a, h) => a.plus(h.face), d(0));
          const totalValue = holdings.reduce((a, h) => a.plus(h.marketValue), d(0));
          expect(report.rows.reduce((a, r) => a.plus(r.face), d(0)).toFixed(2)).toBe(totalFace.toFixed(2));
          expect(report.rows.reduce((a, r) => a.plus(r.marketValue), d(0)).toFixed(2)).toBe(
            totalValue.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2),
          );
          expect(new Set(report.rows.map((r) => r.key)).size).toBe(report.rows.length);
          for (const r of report.rows) expect(r.cashFlowSharePercent.gte(0) && r.cashFlowSharePercent.lte(100)).toBe(true);
          const shareSum = report.rows.reduce((a, r) => a.plus(r.cashFlowSharePercent), d(0));
          expect(shareSum.minus(100).abs().lte(d('0.005').mul(report.rows.length))).toBe(true);
          expect(report.herfindahl.gte(d(1).div(report.rows.length).toDecimalPlaces(4, Decimal.ROUND_FLOOR))).toBe(true);
          expect(report.herfindahl.lte(1)).toBe(true);
        },
      ),
      {
        numRuns: 200,
        examples: [
          [
            [
              [{ key: 'A', amount: 1 }],
              [
                { key: 'A', amount: 5981441 },
                { key: 'C', amount: 8855584 },
                { key: 'A', amount: 7940707 },
              ],
              [{ key: 'A', amount: 1 }],
            ],
            [
              { deal: 0, face: 15, price: 8708 },
              { deal: 0, face: 8, price: 6940 },
              { deal: 0, face: 7, price: 7710 },
              { deal: 1, face: 33387553, price: 5009 },
              { deal: 1, face: 12235637, price: 7799 },
            ],
          ],
        ],
      },
    );
  });
});

describe('purity', () => {
  it('exposure.ts imports only the domain and does no I/O, clock, randomness or environment', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../server/risk/exposure.ts', import.meta.url), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['../domain/decimal.js', '../domain/rounding.js']);
    expect(source).not.toMatch(/Date\.now|new Date|Math\.random|process\.|console\.|\bawait\b/);
  });
});
