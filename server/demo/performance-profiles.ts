/**
 * The demo deals' profiles, from which their monthly performance reports are generated
 * (performance.ts), with magnitudes like the public deals in DOMAIN.md §9:
 * - Meridian: three sites with different PUEs and power prices (two in Texas, one in Virginia),
 *   one dominant tenant holding 58.3% of leased MW (Vantage's is 59.7%), power 92% passed through.
 *   Stress: February to May 2026 a neocloud tenant (11% of MW) pays nothing and February's
 *   winter storm triples Texas power prices; against the interest-only debt service
 *   (3,853,729.17 a month) the 3-month average DSCR falls below Meridian's 1.35× trap from March
 *   to May (1.3041, 1.2039, 1.2728) and passes in June (1.4842) and July (1.6833), when the tenant
 *   repays its arrears over four months: the trap's two cure periods (servicing/demo.ts).
 * - Helios: one site and a GPU fleet whose appraisal declines 1.25% a month (LTV climbs past 70%);
 *   one offtaker holding 58.3%; a tenant default from September to December 2025, then a workout.
 *   Its smallest tenant is Orbital Models, which also leases at Meridian (a shared tenant).
 * Data only: the figures above follow from these profiles through performance.ts's formulas.
 */
interface SiteProfile {
  name: string;
  criticalItMw: string;
  leasedMw: string;
  pue: string;
  powerPricePerMwh: string;
  utilizationPercent: string;
  appraisedValue: string;
  texas: boolean;
}
interface TenantProfile {
  name: string;
  obligorName: string;
  rating: string;
  site: string;
  leasedMw: string;
  rentPerKwMonth: string;
  leaseStart: string;
  leaseExpiry: string;
  renewalOptions: string;
}
export interface Profile {
  dealName: string;
  sites: SiteProfile[];
  tenants: TenantProfile[];
  fleet: { model: string; count: number; ageMonthsAtStart: number; valuePerUnit: string; monthlyDeclinePercent: string };
  /** Share of power cost billed through to tenants. */
  powerRecoveryPercent: string;
  otherOpexPerMonth: string;
  /** A tenant that pays nothing for months [from, to] (0-based) and repays the arrears over the next four. */
  stress: { tenant: string; from: number; to: number; texasPriceMultiplierMonth: number | null };
}

export const PROFILES: readonly Profile[] = [
  {
    dealName: 'Meridian Compute ABS 2026-1',
    sites: [
      {
        name: 'Abilene TX building A',
        criticalItMw: '100',
        leasedMw: '96',
        pue: '1.25',
        powerPricePerMwh: '42',
        utilizationPercent: '86',
        appraisedValue: '560000000',
        texas: true,
      },
      {
        name: 'Abilene TX building B',
        criticalItMw: '80',
        leasedMw: '72',
        pue: '1.32',
        powerPricePerMwh: '45',
        utilizationPercent: '83',
        appraisedValue: '430000000',
        texas: true,
      },
      {
        name: 'Ashburn VA hall 3',
        criticalItMw: '60',
        leasedMw: '48',
        pue: '1.45',
        powerPricePerMwh: '78',
        utilizationPercent: '79',
        appraisedValue: '350000000',
        texas: false,
      },
    ],
    tenants: [
      {
        name: 'Hyperscale Cloud Co. (Abilene A)',
        obligorName: 'Hyperscale Cloud Co.',
        rating: 'A+',
        site: 'Abilene TX building A',
        leasedMw: '90',
        rentPerKwMonth: '38',
        leaseStart: '2024-06-01',
        leaseExpiry: '2036-05-31',
        renewalOptions: '2 x 5 years',
      },
      {
        name: 'Cobalt Pharma Compute',
        obligorName: 'Cobalt Pharmaceuticals plc',
        rating: 'A-',
        site: 'Abilene TX building A',
        leasedMw: '6',
        rentPerKwMonth: '55',
        leaseStart: '2024-09-01',
        leaseExpiry: '2031-08-31',
        renewalOptions: '1 x 5 years',
      },
      {
        name: 'Hyperscale Cloud Co. (Abilene B)',
        obligorName: 'Hyperscale Cloud Co.',
        rating: 'A+',
        site: 'Abilene TX building B',
        leasedMw: '36',
        rentPerKwMonth: '38',
        leaseStart: '2024-11-01',
        leaseExpiry: '2036-10-31',
        renewalOptions: '2 x 5 years',
      },
      {
        name: 'Nimbus AI Cloud',
        obligorName: 'Nimbus AI Holdings',
        rating: 'NR',
        site: 'Abilene TX building B',
        leasedMw: '24',
        rentPerKwMonth: '52',
        leaseStart: '2024-10-01',
        leaseExpiry: '2029-09-30',
        renewalOptions: 'none',
      },
      {
        name: 'Lattice Render',
        obligorName: 'Lattice Media Group',
        rating: 'BB+',
        site: 'Abilene TX building B',
        leasedMw: '12',
        rentPerKwMonth: '50',
        leaseStart: '2024-07-01',
        leaseExpiry: '2030-06-30',
        renewalOptions: '1 x 3 years',
      },
      {
        name: 'Stratus Financial',
        obligorName: 'Stratus Financial Corp.',
        rating: 'AA-',
        site: 'Ashburn VA hall 3',
        leasedMw: '20',
        rentPerKwMonth: '50',
        leaseStart: '2023-04-01',
        leaseExpiry: '2033-03-31',
        renewalOptions: '2 x 5 years',
      },
      {
        name: 'Orbital Models',
        obligorName: 'Orbital Models Inc.',
        rating: 'BBB',
        site: 'Ashburn VA hall 3',
        leasedMw: '18',
        rentPerKwMonth: '52',
        leaseStart: '2024-02-01',
        leaseExpiry: '2031-01-31',
        renewalOptions: '1 x 5 years',
      },
      {
        name: 'Meridian Health Analytics',
        obligorName: 'Meridian Health System',
        rating: 'A',
        site: 'Ashburn VA hall 3',
        leasedMw: '10',
        rentPerKwMonth: '54',
        leaseStart: '2023-10-01',
        leaseExpiry: '2030-09-30',
        renewalOptions: '1 x 5 years',
      },
    ],
    fleet: { model: 'NVIDIA GB200 NVL72', count: 8064, ageMonthsAtStart: 1, valuePerUnit: '48000', monthlyDeclinePercent: '1.5' },
    powerRecoveryPercent: '92',
    otherOpexPerMonth: '2600000',
    stress: { tenant: 'Nimbus AI Cloud', from: 14, to: 17, texasPriceMultiplierMonth: 14 },
  },
  {
    dealName: 'Helios GPU Equipment Trust 2026-A',
    sites: [
      {
        name: 'Reno NV',
        criticalItMw: '60',
        leasedMw: '54',
        pue: '1.38',
        powerPricePerMwh: '68',
        utilizationPercent: '90',
        appraisedValue: '85000000',
        texas: false,
      },
    ],
    tenants: [
      {
        name: 'Frontier Model Labs',
        obligorName: 'Frontier Model Labs Inc.',
        rating: 'BBB-',
        site: 'Reno NV',
        leasedMw: '31.5',
        rentPerKwMonth: '215',
        leaseStart: '2024-11-01',
        leaseExpiry: '2029-10-31',
        renewalOptions: 'none (take-or-pay)',
      },
      {
        name: 'Quanta Robotics',
        obligorName: 'Quanta Robotics Ltd.',
        rating: 'B+',
        site: 'Reno NV',
        leasedMw: '9',
        rentPerKwMonth: '245',
        leaseStart: '2024-12-01',
        leaseExpiry: '2027-11-30',
        renewalOptions: '1 x 2 years',
      },
      {
        name: 'Atlas Bio Compute',
        obligorName: 'Atlas Biosciences',
        rating: 'BBB',
        site: 'Reno NV',
        leasedMw: '7.5',
        rentPerKwMonth: '240',
        leaseStart: '2024-10-01',
        leaseExpiry: '2028-09-30',
        renewalOptions: '1 x 2 years',
      },
      // The model lab that also leases at Meridian (Ashburn): the demo deals share this tenant.
      {
        name: 'Orbital Models (Reno)',
        obligorName: 'Orbital Models Inc.',
        rating: 'BBB',
        site: 'Reno NV',
        leasedMw: '6',
        rentPerKwMonth: '250',
        leaseStart: '2025-01-01',
        leaseExpiry: '2028-12-31',
        renewalOptions: 'none',
      },
    ],
    fleet: { model: 'NVIDIA H200 HGX', count: 24000, ageMonthsAtStart: 3, valuePerUnit: '30000', monthlyDeclinePercent: '1.25' },
    powerRecoveryPercent: '0',
    otherOpexPerMonth: '2500000',
    stress: { tenant: 'Quanta Robotics', from: 9, to: 12, texasPriceMultiplierMonth: null },
  },
];
