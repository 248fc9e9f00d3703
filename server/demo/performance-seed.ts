/**
 * Records the demo deals' performance reports (performance.ts) as version 1, with the metrics
 * computed as the API computes them.
 *
 * Never: overwrites or adds to a deal's reports: a deal that has any keeps them.
 */
import type { Knex } from 'knex';
import { dealFigures, metricsChain, type StoredReport } from '../performance/store.js';
import { metricsToWire } from '../performance/metrics.js';
import { demoReports } from './performance.js';
import { PROFILES } from './performance-profiles.js';

/** Records the demo reports of every demo deal that has none yet (one insert per deal). */
export async function seedDemoPerformance(db: Knex): Promise<void> {
  for (const profile of PROFILES) {
    const deal: { id: string } | undefined = await db('deals').where({ name: profile.dealName }).first('id');
    if (!deal) continue;
    const has = await db('performance_reports').where({ deal_id: deal.id }).first('id');
    if (has) continue;
    const stored: StoredReport[] = [];
    for (const report of demoReports(profile.dealName)) {
      // Each month against the deal's figures for that month (scheduled principal depends on the ARD).
      const figures = await dealFigures(db, deal.id, report.periodEnd);
      stored.push({
        id: '',
        dealId: deal.id,
        periodEnd: report.periodEnd,
        version: 1,
        reason: null,
        recordedBy: null,
        recordedAt: '',
        report,
        ...figures,
      });
    }
    const metrics = metricsChain(stored);
    await db('performance_reports').insert(
      stored.map((s, i) => ({
        deal_id: deal.id,
        period_end: s.periodEnd,
        version: 1,
        report: JSON.stringify(s.report),
        note_balance: s.noteBalance.toFixed(),
        debt_service: s.debtService.toFixed(2),
        metrics: JSON.stringify(metricsToWire(metrics[i]!)),
        reason: 'demo history',
        recorded_by: null,
      })),
    );
  }
}
