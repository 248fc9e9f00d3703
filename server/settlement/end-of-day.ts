/**
 * Settlement at the end-of-day roll: before the business date moves, every open instruction due on
 * or before the closing date is attempted (a gross run for the closing date, as the back office's
 * POST /settlements/run). What can settle settles on its date; what cannot becomes a fail with its
 * side, ages from the next roll and accrues its charge. So no instruction is ever settled late
 * without having been a fail (it used to stay pending and settle days later, with no fail, no age
 * and no charge).
 *
 * Guarantees: runs only when something is due (no empty runs); a run repeated on the same date
 * changes nothing for open fails (run.ts), so a roll after the back office's own run is harmless.
 */
import type { Knex } from 'knex';
import type { EventBus } from '../events/bus.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { referenceRateFromEnvironment } from './fail-charge.js';
import { runSettlement, type RunSummary } from './run.js';
import { notifySettled } from './trading-sync.js';
import type { AuditActor } from '../audit/index.js';

export async function settleDueAtClose(
  knex: Knex,
  sequencer: Sequencer | null,
  events: EventBus | null,
  closingDate: string,
  actor?: AuditActor,
): Promise<RunSummary | null> {
  const due = await knex('settlement_instructions').where('settlement_date', '<=', closingDate).where('status', 'pending').first('id');
  if (!due) return null;
  const summary = await runSettlement(
    knex,
    {
      date: closingDate,
      mode: 'gross',
      createdBy: actor?.userId ?? null,
      referenceRatePercent: referenceRateFromEnvironment(),
      ...(actor ? { actor, trigger: 'end_of_day' as const } : {}),
    },
    { afterChunk: (settled, charges) => notifySettled(sequencer, settled, charges) },
  );
  events?.publish({ kind: 'settlement_run', runId: summary.runId, date: summary.date });
  return summary;
}
