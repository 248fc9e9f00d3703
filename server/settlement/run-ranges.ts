/**
 * A settlement run's plan: the due instructions cut into ranges of ids that chunks settle, side
 * by side in the run's first phase.
 *
 * Guarantees: the ranges cover every id once, in order (each starts after the last one's bound;
 * the last has no bound); it reads only, and claims nothing (the chunks claim in the queue).
 */
import type { Knex } from 'knex';

export interface Range {
  afterId: string;
  /** Inclusive upper id; null: no bound. */
  upTo: string | null;
}

/**
 * The due instructions (in the queue, due on or before the date) cut into ranges in id order, at
 * most chunkSize each; more than one, then as many as a multiple of the concurrency, all about the
 * same size, so the connections settling them side by side finish together (100,000 due at 25,000
 * and 2: four ranges of 25,000; 110,000: six of 18,334, not five of 25,000 and one of 10,000). One
 * chunk's worth stays one range (a net run's day is one netting cycle).
 */
export async function planRanges(
  db: Knex,
  date: string,
  chunkSize: number,
  concurrency: number,
): Promise<{ due: number; ranges: Range[] }> {
  // The due ids in one sorted array, and every step-th of them a bound (a window over the rows
  // would buffer and spill them: three times slower at 100,000 due).
  const result = await db.raw(
    `with due as (select coalesce(array_agg(q.instruction_id order by q.instruction_id), '{}') as ids
                    from settlement_queue q join settlement_instructions i on i.id = q.instruction_id
                   where i.settlement_date <= ?::date and i.status in ('pending', 'failed')),
          sized as (select d.ids, cardinality(d.ids) as due, ceil(cardinality(d.ids)::numeric / ?) as ranges from due d),
          plan as (select s.ids, s.due,
                          greatest(1, ceil(s.due / case when s.ranges <= 1 then 1 else ceil(s.ranges / ?) * ? end))::int as step
                     from sized s)
     select p.due, array(select p.ids[k * p.step]::text from generate_series(1, p.due / p.step) k) as bounds from plan p`,
    [date, chunkSize, concurrency, concurrency],
  );
  const row = (result.rows as { due: number | string; bounds: string[] }[])[0];
  const bounds = row?.bounds ?? [];
  const ranges: Range[] = [];
  let afterId = '0';
  for (const bound of bounds) {
    ranges.push({ afterId, upTo: bound });
    afterId = bound;
  }
  ranges.push({ afterId, upTo: null });
  return { due: Number(row?.due ?? 0), ranges };
}
