/**
 * The collateral facts and scenarios of the demo deals (names fictional, figures shaped on the
 * datacenter ABS in DOMAIN.md §9): tenants with leased MW, rent per MW-month and lease expiry; the
 * trust's own power draw; other operating costs; appraised site and GPU values. Until a deal has
 * performance reports to start from, these are its base facts. Each deal ships a base scenario
 * (current rents and utilization held, leases renew, notes refinanced at the ARD) and named
 * stresses.
 */
import type { BaseScenario, ScenarioInput } from './scenario.js';
import type { CollateralBaseFacts } from './setup.js';

export interface DemoCollateral {
  collateral: CollateralBaseFacts;
  base: BaseScenario;
  stresses: Record<string, ScenarioInput>;
}

export const DEMO_COLLATERAL: Readonly<Record<string, DemoCollateral>> = {
  'Meridian Compute ABS 2026-1': {
    collateral: {
      tenants: [
        { name: 'Hyperscale Cloud Co.', leasedMw: '150', rentPerMwMonth: '45000', leaseExpiry: '2038-02-28' },
        { name: 'Frontier Model Labs', leasedMw: '50', rentPerMwMonth: '48000', leaseExpiry: '2031-02-28' },
        { name: 'Northwind AI', leasedMw: '25', rentPerMwMonth: '52000', leaseExpiry: '2029-06-30' },
      ],
      trustEnergyMw: '20',
      hoursPerMonth: 730,
      otherOpexPerMonth: '1400000',
      siteValue: '900000000',
      gpuValue: '300000000',
    },
    base: {
      drivers: {
        utilizationPercent: '95',
        rentChangePercent: '0',
        powerPricePerMwh: '55',
        pue: '1.35',
        opexGrowthPercent: '3',
        renewalProbabilityPercent: '100',
        downtimeMonths: '0',
        releaseRentChangePercent: '0',
        gpuValueChangePercentPerYear: '-20',
      },
      refinanceAtArd: true,
    },
    stresses: {
      'utilization-70': { name: 'utilization-70', utilizationPercent: '70', rentChangePercent: '-30', powerPricePerMwh: '80' },
      'anchor-default': {
        name: 'anchor-default',
        tenantDefaults: [{ tenant: 'Hyperscale Cloud Co.', month: 24, recoveryPercent: '40' }],
        refinanceAtArd: false,
      },
      'no-refinance': {
        name: 'no-refinance',
        refinanceAtArd: false,
        renewalProbabilityPercent: '60',
        downtimeMonths: '9',
        releaseRentChangePercent: '-20',
      },
    },
  },
  'Helios GPU Equipment Trust 2026-A': {
    collateral: {
      tenants: [{ name: 'Frontier Model Labs', leasedMw: '60', rentPerMwMonth: '180000', leaseExpiry: '2031-01-31' }],
      trustEnergyMw: '30',
      hoursPerMonth: 730,
      otherOpexPerMonth: '1500000',
      siteValue: '150000000',
      gpuValue: '650000000',
    },
    base: {
      drivers: {
        utilizationPercent: '100',
        rentChangePercent: '0',
        powerPricePerMwh: '65',
        pue: '1.25',
        opexGrowthPercent: '3',
        renewalProbabilityPercent: '100',
        downtimeMonths: '0',
        releaseRentChangePercent: '0',
        gpuValueChangePercentPerYear: '-25',
      },
      refinanceAtArd: true,
    },
    stresses: {
      'utilization-70': { name: 'utilization-70', utilizationPercent: '70', rentChangePercent: '-30', powerPricePerMwh: '90' },
      'offtaker-default': {
        name: 'offtaker-default',
        tenantDefaults: [{ tenant: 'Frontier Model Labs', month: 18, recoveryPercent: '35' }],
      },
    },
  },
};
