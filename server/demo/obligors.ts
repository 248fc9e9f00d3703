/**
 * The demo obligor register: the companies behind the demo deals' tenants, sponsors and GPUs, and
 * how they are tied together — the web the look-through risk screens make visible:
 * - one GPU vendor on several sides: vendor to both deals, equity investor in a neocloud tenant
 *   (Nimbus) and in the Helios sponsor, lender to the Helios sponsor;
 * - one model lab (Orbital Models) leasing in both deals and a customer of the hyperscaler and of
 *   the neocloud;
 * - one hyperscaler (Hyperscale Cloud Co., under Hyperscale Holdings) the largest Meridian tenant,
 *   an equity investor in Orbital Models and a lender to the Helios sponsor.
 * Company and deal names are fictional except the GPU vendor, named as the maker of the fleets'
 * models; every relationship beyond "vendor to" is invented for the demo and sourced as such.
 * Loaded through the CSV import, like an operator's file, once (when the register is empty).
 */
import type { Knex } from 'knex';
import { CSV_COLUMNS, importCsv } from '../risk/obligors-csv.js';

const M = 'Meridian Compute ABS 2026-1';
const H = 'Helios GPU Equipment Trust 2026-A';
const AS_OF = '2026-11-30';
const REPORT = 'trustee performance report (demo)';
const DEMO = 'demo relationship (fictional)';

// company, parent, rating, sector, relationship, deal, counterparty, leasedMw, monthlyRent, source, asOf
const ROWS: readonly (readonly string[])[] = [
  ['Hyperscale Holdings Inc.', '', 'A+', 'cloud and internet', '', '', '', '', '', '', ''],
  ['Hyperscale Cloud Co.', 'Hyperscale Holdings Inc.', 'A+', 'hyperscale cloud', 'tenant_of', M, '', '126', '4788000', REPORT, AS_OF],
  ['Hyperscale Cloud Co.', '', '', '', 'equity_investor_in', '', 'Orbital Models Inc.', '', '', DEMO, AS_OF],
  ['Hyperscale Cloud Co.', '', '', '', 'lender_to', '', 'Helios AI Cloud', '', '', DEMO, AS_OF],
  ['Orbital Models Inc.', '', 'BBB', 'AI model lab', 'tenant_of', M, '', '18', '936000', REPORT, AS_OF],
  ['Orbital Models Inc.', '', '', '', 'tenant_of', H, '', '6', '1500000', REPORT, AS_OF],
  ['Orbital Models Inc.', '', '', '', 'customer_of', '', 'Hyperscale Cloud Co.', '', '', DEMO, AS_OF],
  ['Orbital Models Inc.', '', '', '', 'customer_of', '', 'Nimbus AI Holdings', '', '', DEMO, AS_OF],
  [
    'NVIDIA Corporation',
    '',
    'AA-',
    'semiconductors (GPU vendor)',
    'gpu_vendor_to',
    M,
    '',
    '',
    '',
    'deal collateral: NVIDIA GB200 NVL72 fleet',
    AS_OF,
  ],
  ['NVIDIA Corporation', '', '', '', 'gpu_vendor_to', H, '', '', '', 'deal collateral: NVIDIA H200 HGX fleet', AS_OF],
  ['NVIDIA Corporation', '', '', '', 'equity_investor_in', '', 'Nimbus AI Holdings', '', '', DEMO, AS_OF],
  ['NVIDIA Corporation', '', '', '', 'equity_investor_in', '', 'Helios AI Cloud', '', '', DEMO, AS_OF],
  ['NVIDIA Corporation', '', '', '', 'lender_to', '', 'Helios AI Cloud', '', '', DEMO, AS_OF],
  ['Nimbus AI Holdings', '', 'NR', 'neocloud', 'tenant_of', M, '', '24', '1248000', REPORT, AS_OF],
  ['Nimbus AI Holdings', '', '', '', 'customer_of', '', 'NVIDIA Corporation', '', '', DEMO, AS_OF],
  ['Meridian Infrastructure Partners', '', 'BB', 'infrastructure private equity', '', '', '', '', '', '', ''],
  [
    'Meridian Data Centers',
    'Meridian Infrastructure Partners',
    'BB',
    'datacenter developer',
    'sponsor_of',
    M,
    '',
    '',
    '',
    'offering memorandum (demo)',
    AS_OF,
  ],
  ['Helios AI Cloud', '', 'B+', 'neocloud', 'sponsor_of', H, '', '', '', 'offering memorandum (demo)', AS_OF],
  ['Granite Credit Partners', '', 'NR', 'private credit', 'lender_to', '', 'Helios AI Cloud', '', '', DEMO, AS_OF],
  ['Granite Credit Partners', '', '', '', 'lender_to', '', 'Nimbus AI Holdings', '', '', DEMO, AS_OF],
  ['Frontier Model Labs Inc.', '', 'BBB-', 'AI model lab', 'tenant_of', H, '', '31.5', '6772500', REPORT, AS_OF],
  ['Frontier Model Labs Inc.', '', '', '', 'customer_of', '', 'NVIDIA Corporation', '', '', DEMO, AS_OF],
  ['Cobalt Pharmaceuticals plc', '', 'A-', 'pharmaceuticals', 'tenant_of', M, '', '6', '330000', REPORT, AS_OF],
  ['Lattice Media Group', '', 'BB+', 'media', 'tenant_of', M, '', '12', '600000', REPORT, AS_OF],
  ['Stratus Financial Corp.', '', 'AA-', 'financial services', 'tenant_of', M, '', '20', '1000000', REPORT, AS_OF],
  ['Meridian Health System', '', 'A', 'healthcare', 'tenant_of', M, '', '10', '540000', REPORT, AS_OF],
  ['Quanta Robotics Ltd.', '', 'B+', 'robotics', 'tenant_of', H, '', '9', '2205000', REPORT, AS_OF],
  ['Atlas Biosciences', '', 'BBB', 'biotechnology', 'tenant_of', H, '', '7.5', '1800000', REPORT, AS_OF],
];

function field(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function demoObligorsCsv(): string {
  return [CSV_COLUMNS.join(','), ...ROWS.map((r) => r.map(field).join(','))].join('\n') + '\n';
}

/** Seeds the register once, when it is empty and the demo deals exist. */
export async function seedDemoObligors(knex: Knex): Promise<void> {
  if (await knex('obligors').first('id')) return;
  if (!(await knex('deals').where({ name: M }).first('id')) || !(await knex('deals').where({ name: H }).first('id'))) return;
  await importCsv(knex, demoObligorsCsv());
}
