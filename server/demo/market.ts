/**
 * The facts of the demo market. The deal, site and company names are fictional; the structure
 * (master-trust datacenter ABS with A-2/B/C classes paying monthly on 30/360, a semi-annual GPU
 * equipment bond) follows the public datacenter ABS and GPU financing deals in DOMAIN.md.
 */
import type { DealInput } from '../refdata/deals.js';
import type { NoteInput } from '../refdata/notes.js';

export interface DemoParty {
  username: string;
  partyName: string;
  kind: 'investor' | 'dealer' | 'backoffice' | 'operator';
  cash: string;
  /** Opening face per note key. */
  positions: Record<string, string>;
}

export interface DemoNote {
  key: string;
  /** Issuer (6) + issue (2) characters; the check digit is computed. */
  cusipBase: string;
  terms: Omit<NoteInput, 'isin' | 'dealId'>;
}

export const DEMO_PARTIES: readonly DemoParty[] = [
  { username: 'investor1', partyName: 'Northbridge Asset Management', kind: 'investor', cash: '50000000', positions: { 'A-2': '5000000' } },
  { username: 'investor2', partyName: 'Cedar Point Insurance', kind: 'investor', cash: '50000000', positions: { B: '3000000' } },
  {
    username: 'dealer1',
    partyName: 'Atlas Securities',
    kind: 'dealer',
    cash: '25000000',
    positions: { 'A-2': '20000000', B: '10000000', C: '5000000', SR: '10000000' },
  },
  {
    username: 'dealer2',
    partyName: 'Harbor Capital Markets',
    kind: 'dealer',
    cash: '25000000',
    positions: { 'A-2': '15000000', B: '8000000', C: '4000000', SR: '8000000' },
  },
  { username: 'backoffice1', partyName: 'Meridian Trust Services', kind: 'backoffice', cash: '0', positions: {} },
  { username: 'operator1', partyName: 'Compute Notes Exchange Operations', kind: 'operator', cash: '0', positions: {} },
];

const abs = {
  couponType: 'fixed' as const,
  // ABS indentures count 30/360 as ISDA 2006 §4.16(f) bond basis; on the 15th it agrees with SIFMA's.
  dayCount: '30/360-ISDA' as const,
  frequency: 12 as const,
  issueDate: '2026-03-12',
  firstCouponDate: '2026-04-15',
  maturityDate: '2051-03-15',
  currency: 'USD' as const,
  minDenomination: '100000',
  increment: '1000',
  tickSize: '0.0078125',
  settlementDays: 1,
  traceCategory: 'ABS' as const,
};

export const DEMO_DEALS: readonly { deal: DealInput; notes: DemoNote[] }[] = [
  {
    deal: {
      name: 'Meridian Compute ABS 2026-1',
      sponsor: 'Meridian Data Centers',
      issuer: 'Meridian Compute Issuer LLC',
      dealType: 'datacenter ABS (master trust)',
      closingDate: '2026-03-12',
      collateral: {
        site: 'Abilene, TX (campus 1, buildings A-C)',
        capacityMw: '240',
        gpuCount: 96000,
        gpuModel: 'NVIDIA GB200 NVL72',
        lessee: 'Hyperscale Cloud Co. (A+)',
        leaseTermMonths: 144,
      },
      description:
        'Triple-net leases of powered shells and GPU capacity; interest only to the ARD (March 2031), then full cash sweep and 5% step-up interest paid after everything else; 1.35x three-month average DSCR cash trap (100% of excess cash, released after two passing months).',
    },
    notes: [
      {
        key: 'A-2',
        cusipBase: '58953T',
        terms: {
          ...abs,
          className: 'A-2',
          name: 'Meridian Compute ABS 2026-1 Class A-2',
          seniority: 1,
          rating: 'A',
          couponRate: '5.25',
          originalFace: '600000000',
          factor: '0.9875',
        },
      },
      {
        key: 'B',
        cusipBase: '58953T',
        terms: {
          ...abs,
          className: 'B',
          name: 'Meridian Compute ABS 2026-1 Class B',
          seniority: 2,
          rating: 'BBB',
          couponRate: '6.4',
          originalFace: '120000000',
          factor: '1',
        },
      },
      {
        key: 'C',
        cusipBase: '58953T',
        terms: {
          ...abs,
          className: 'C',
          name: 'Meridian Compute ABS 2026-1 Class C',
          seniority: 3,
          rating: 'BB',
          couponRate: '8.75',
          originalFace: '80000000',
          factor: '1',
        },
      },
    ].map((n, i) => ({ ...n, cusipBase: `${n.cusipBase}A${String.fromCharCode(65 + i)}` })),
  },
  {
    deal: {
      name: 'Helios GPU Equipment Trust 2026-A',
      sponsor: 'Helios AI Cloud',
      issuer: 'Helios GPU Funding SPV LLC',
      dealType: 'GPU equipment financing (single borrower)',
      closingDate: '2026-02-01',
      collateral: {
        site: 'Reno, NV',
        capacityMw: '60',
        gpuCount: 24000,
        gpuModel: 'NVIDIA H200',
        lessee: 'Frontier Model Labs (take-or-pay offtake)',
        leaseTermMonths: 60,
      },
      description: 'Senior secured notes backed by GPU servers and a 5-year take-or-pay compute contract; controlled-account waterfall.',
    },
    notes: [
      {
        key: 'SR',
        cusipBase: '42329GAA',
        terms: {
          ...abs,
          className: 'Senior',
          name: 'Helios GPU Equipment Trust 2026-A Senior Secured Notes',
          seniority: 1,
          rating: 'BBB-',
          couponRate: '9.5',
          frequency: 2,
          issueDate: '2026-02-01',
          firstCouponDate: '2026-08-01',
          maturityDate: '2031-02-01',
          originalFace: '500000000',
          factor: '1',
          tickSize: '0.001',
          // A US corporate-style bond: SIFMA 30/360 (end-of-February rule; paying on the 1st it never applies).
          dayCount: '30/360-SIFMA' as const,
          traceCategory: 'CORP',
        },
      },
    ],
  },
];
