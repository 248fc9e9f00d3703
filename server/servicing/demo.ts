/**
 * The demo deals' waterfalls, seeded next to the demo market (bootstrap, when the demo is on):
 * - Meridian Compute ABS 2026-1: trustee and servicer fees, A-2 / B / C interest, a USD 2,000,000
 *   liquidity reserve, USD 1,000,000 scheduled principal per month paid sequentially, a 1.35×
 *   DSCR cash trap (100% of excess cash) and full cash sweep from the ARD (2031-03-15);
 * - Helios GPU Equipment Trust 2026-A: a servicer fee, senior interest, sequential principal.
 * Idempotent: a deal that already has a waterfall keeps it.
 */
import type { Knex } from 'knex';
import { DEMO_DEALS } from '../demo/market.js';
import { listNotes } from '../refdata/notes.js';
import type { WaterfallDefinition } from './definition.js';

export async function seedDemoWaterfalls(db: Knex): Promise<void> {
  for (const spec of DEMO_DEALS) {
    const deal: { id: string } | undefined = await db('deals').where({ name: spec.deal.name }).first('id');
    if (!deal) continue;
    const notes = await listNotes(db, { dealId: deal.id });
    const classes = notes.map((n) => ({ noteId: n.id, className: n.className }));
    const meridian = spec.deal.name.startsWith('Meridian');
    const definition: WaterfallDefinition = {
      version: 1,
      paymentsPerYear: meridian ? 12 : 2,
      seniorFees: meridian
        ? [{ name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' }, { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' }]
        : [{ name: 'servicer', annualRatePercent: '0.05', fixedPerPeriod: '0' }],
      classes,
      reserve: { targetAmount: meridian ? '2000000' : '0' },
      principal: { mode: 'sequential', scheduledPerPeriod: meridian ? '1000000' : '0' },
      cashTrap: meridian ? { dscrThreshold: '1.35', trapPercent: '100' } : null,
      anticipatedRepaymentDate: meridian ? '2031-03-15' : null,
      recordDate: 'business-day-before-payment-date',
    };
    await db('deal_waterfalls').insert({ deal_id: deal.id, definition: JSON.stringify(definition) }).onConflict('deal_id').ignore();
  }
}
