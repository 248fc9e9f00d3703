/**
 * Issue 15 item 4: the two 30/360 conventions get unambiguous names. Notes stored as '30/360' were
 * always computed by ISDA 2006 §4.16(f) bond basis, so they become '30/360-ISDA' (the wire still
 * accepts '30/360' as that). The dissemination cap column takes the value derived from the TRACE
 * category and rating (server/trading/trace-caps.ts), which is what the tape now uses.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex('notes').where({ day_count: '30/360' }).update({ day_count: '30/360-ISDA' });
  await knex.raw(`
    update notes set dissemination_cap = case
      when rating ~ '^(AAA|AA[+-]?|A[+-]?|BBB[+-]?|Aaa|Aa[123]|A[123]|Baa[123])( |$)'
        then case trace_category when 'CORP' then 5000000 when 'ABS' then 10000000 else 1000000 end
      else 1000000 end`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('notes').where({ day_count: '30/360-ISDA' }).update({ day_count: '30/360' });
}
