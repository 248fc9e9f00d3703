/**
 * Measures what the demo's performance reports add to a first start: the same demo market and
 * waterfalls as `npm start`, on a fresh embedded database, then `seedDemoPerformance` timed alone
 * (median of runs, each on a fresh database). `npx tsx scripts/measure-demo-performance-seed.ts [runs]`.
 */
import { performance } from 'node:perf_hooks';
import { migrateToLatest, openDatabase } from '../server/db/connection.js';
import { seedDemoMarket } from '../server/demo/seed.js';
import { seedDemoWaterfalls } from '../server/servicing/demo.js';
import { seedDemoPerformance } from '../server/demo/performance-seed.js';

const runs = Number(process.argv[2] ?? 3);
const times: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const db = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  await migrateToLatest(db.knex);
  await db.knex('business_date').insert({ id: 1, business_date: '2026-12-07' });
  await seedDemoMarket(db.knex, { password: 'demo', businessDate: '2026-12-07' });
  await seedDemoWaterfalls(db.knex);
  const start = performance.now();
  await seedDemoPerformance(db.knex);
  times.push(performance.now() - start);
  const count = (await db.knex('performance_reports').count('* as c'))[0]!.c;
  await db.close();
  process.stdout.write(`run ${i + 1}: ${times[i]!.toFixed(1)} ms for ${count} reports\n`);
}
times.sort((a, b) => a - b);
process.stdout.write(`median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms\n`);
