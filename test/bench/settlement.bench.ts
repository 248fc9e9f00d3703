/**
 * `npm run bench:settlement`: DVP trades settled per second by one settlement run.
 *
 * On a throwaway PostgreSQL cluster (fsync on; embedded PGlite when no server is installed):
 * migrate, create many parties and a few notes with opening cash and face posted through the
 * ledger, then 100,000 trades between them with their trade holds (bulk SQL, as order entry
 * leaves them; the trades' trigger creates their instructions), run one settlement for the day,
 * and check the books with the reconciliation. By default net, then gross, each on a fresh
 * database (BENCH_MODE=gross|net runs one; BENCH_TRADES, BENCH_CHUNK, BENCH_CONCURRENCY tune).
 * Prints the figures, `net: trades=… trades_settled_per_s=… breaks=…`, and last, for gross:
 * trades=<n> trades_settled_per_s=<n> breaks=<n>
 * Each run line also shows the CPU per trade of PostgreSQL (all the cluster's processes) and of
 * this process: robust to other load on the machine, which the wall-clock rate is not.
 *
 * The cluster is sized as a production server would be (BENCH_PG_SETTINGS in test/support/pg-cluster.ts).
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { Knex } from 'knex';
import { Decimal } from '../../server/domain/decimal.js';
import { openDatabase, migrateToLatest, type Database } from '../../server/db/connection.js';
import { inTransaction } from '../../server/db/transaction.js';
import { CASH_ASSET, postEntries, type EntryInput } from '../../server/ledger/index.js';
import { createDeal } from '../../server/refdata/deals.js';
import { createNote } from '../../server/refdata/notes.js';
import { DEMO_DEALS } from '../../server/demo/market.js';
import { cusipCheckDigit, isinFromCusip } from '../../server/domain/identifiers.js';
import { runSettlement } from '../../server/settlement/run.js';
import { reconcile } from '../../server/reconciliation/index.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster, type PgCluster } from '../support/pg-cluster.js';

const TRADES = Number(process.env.BENCH_TRADES ?? 100_000);
const PARTIES = Number(process.env.BENCH_PARTIES ?? 2_000);
const NOTES = Number(process.env.BENCH_NOTES ?? 3);
const SETTLEMENT_DATE = '2026-11-24';
/** BENCH_MODE=gross|net runs one mode; by default net, then gross (the product's default, printed last). */
const MODES: readonly ('gross' | 'net')[] =
  process.env.BENCH_MODE === 'net' ? ['net'] : process.env.BENCH_MODE === 'gross' ? ['gross'] : ['net', 'gross'];

async function seed(knex: Knex): Promise<{ parties: string[]; notes: string[] }> {
  await knex('business_date').insert({ id: 1, business_date: SETTLEMENT_DATE }).onConflict('id').merge();
  const inserted: { id: string }[] = await knex
    .raw(`insert into parties (name, kind) select 'bench party ' || g, 'investor' from generate_series(1, ?) g returning id`, [PARTIES])
    .then((r: { rows: { id: string }[] }) => r.rows);
  const parties = inserted.map((r) => r.id);
  const spec = DEMO_DEALS[0]!;
  const deal = await createDeal(knex, { ...spec.deal, name: 'Bench Compute ABS' });
  const notes: string[] = [];
  for (let n = 0; n < NOTES; n++) {
    const base = `77777${n}AA`;
    notes.push(
      (
        await createNote(knex, {
          ...spec.notes[0]!.terms,
          className: `Z${n}`,
          factor: '1',
          isin: isinFromCusip('US', `${base}${cusipCheckDigit(base)}`),
          dealId: deal.id,
        })
      ).id,
    );
  }
  // Enough for every party's share of the trades on both sides.
  const perParty = Math.ceil((TRADES * 2) / PARTIES) + 10;
  const cash = new Decimal(perParty).mul(1100);
  const face = new Decimal(perParty).mul(1000);
  const entries: EntryInput[] = parties.flatMap((partyId) => [
    {
      idempotencyKey: `bench:cash:${partyId}`,
      kind: 'cash_deposit' as const,
      description: 'bench cash',
      businessDate: SETTLEMENT_DATE,
      postings: [
        { account: { partyId, asset: CASH_ASSET }, amount: cash },
        { account: { systemCode: 'external-cash' as const, asset: CASH_ASSET }, amount: cash.negated() },
      ],
    },
    ...notes.map((noteId) => ({
      idempotencyKey: `bench:face:${partyId}:${noteId}`,
      kind: 'issuance' as const,
      description: 'bench face',
      businessDate: SETTLEMENT_DATE,
      postings: [
        { account: { partyId, asset: noteId }, amount: face },
        { account: { systemCode: 'issuance' as const, asset: noteId }, amount: face.negated() },
      ],
    })),
  ]);
  for (let i = 0; i < entries.length; i += 5_000) await inTransaction(knex, (trx) => postEntries(trx, entries.slice(i, i + 5_000)));
  return { parties, notes };
}

/** 100,000 trades with their holds, as order entry leaves them: set-based SQL, a few statements. */
async function createTrades(knex: Knex, parties: string[], notes: string[]): Promise<void> {
  await inTransaction(knex, async (trx) => {
    await trx.raw(
      `insert into trades (id, note_id, price, quantity, factor, principal, accrued_interest, net_amount, buyer_party_id, seller_party_id,
                           maker_side, venue, trade_date, settlement_date, buyer_hold_reference, seller_hold_reference, seq, executed_at)
       select 'B' || g, (?::uuid[])[1 + g % ?], 100 + (g % 7) * 0.125, 1000, 1, 1000 + (g % 7) * 1.25, (g % 13) * 0.01,
              1000 + (g % 7) * 1.25 + (g % 13) * 0.01,
              (?::uuid[])[1 + g % ?], (?::uuid[])[1 + (g + 1 + (g / ?) % (? - 1)) % ?],
              'buy', 'clob', '2026-11-23', ?::date, 'trade:B' || g || ':buyer', 'trade:B' || g || ':seller', g, now()
         from generate_series(1, ?) g`,
      [notes, notes.length, parties, parties.length, parties, parties.length, parties.length, parties.length, SETTLEMENT_DATE, TRADES],
    );
    await trx.raw(
      `insert into ledger_holds (account_id, reference, amount, remaining)
       select a.id, t.buyer_hold_reference, t.net_amount, t.net_amount from trades t join ledger_accounts a on a.party_id = t.buyer_party_id and a.asset = 'USD'
       union all
       select a.id, t.seller_hold_reference, t.quantity, t.quantity from trades t join ledger_accounts a on a.party_id = t.seller_party_id and a.asset = t.note_id::text`,
    );
    await trx.raw(
      `update ledger_accounts a set held = h.held from (select account_id, sum(remaining) as held from ledger_holds where status = 'active' group by account_id) h
        where a.id = h.account_id`,
    );
  });
  await knex.raw('analyze');
}

interface ModeResult {
  settled: number;
  perSecond: number;
  breaks: number;
}

/** One mode on a fresh database: migrate, seed, trades, one settlement run, the reconciliation. */
async function benchMode(database: Database, mode: 'gross' | 'net', cluster: PgCluster | null): Promise<ModeResult> {
  await migrateToLatest(database.knex);
  const setupStarted = performance.now();
  const { parties, notes } = await seed(database.knex);
  await createTrades(database.knex, parties, notes);
  console.log(
    `${mode} setup: ${TRADES} trades between ${parties.length} parties in ${notes.length} notes in ${Math.round(performance.now() - setupStarted)} ms (${database.target})`,
  );
  let lastShown = 0;
  const cpuBefore = cluster?.cpuSeconds() ?? 0;
  const nodeCpuBefore = process.cpuUsage();
  const summary = await runSettlement(
    database.knex,
    {
      date: SETTLEMENT_DATE,
      mode,
      createdBy: null,
      referenceRatePercent: new Decimal(0),
      ...(process.env.BENCH_CHUNK ? { chunkSize: Number(process.env.BENCH_CHUNK) } : {}),
      ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
    },
    {
      afterChunk: async (settled) => {
        lastShown += settled.length;
        if (process.stderr.isTTY) process.stderr.write(`\rsettled ${lastShown}/${TRADES}`);
      },
    },
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  const cpuMicrosPerTrade = cluster ? Math.round(((cluster.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, summary.settled)) : null;
  const nodeCpu = process.cpuUsage(nodeCpuBefore);
  const nodeCpuMicrosPerTrade = Math.round((nodeCpu.user + nodeCpu.system) / Math.max(1, summary.settled));
  console.log(
    `${mode} run: settled=${summary.settled} failed=${summary.failed} chunks=${summary.chunks} duration_ms=${summary.durationMs}` +
      (cpuMicrosPerTrade === null ? '' : ` postgres_cpu_us_per_trade=${cpuMicrosPerTrade}`) +
      ` node_cpu_us_per_trade=${nodeCpuMicrosPerTrade}`,
  );
  const reconStarted = performance.now();
  const report = await reconcile(database.knex);
  console.log(`${mode} reconciliation: ${report.breaks.length} breaks in ${Math.round(performance.now() - reconStarted)} ms`);
  for (const b of report.breaks.slice(0, 5)) console.log(`  break: ${b.kind} ${b.entity} ${b.message}`);
  return { settled: summary.settled, perSecond: Math.round((summary.settled * 1000) / summary.durationMs), breaks: report.breaks.length };
}

async function main(): Promise<void> {
  let cluster: PgCluster | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-settlement-'));
  try {
    if (findPostgresBin()) {
      cluster = await startPgCluster(BENCH_PG_SETTINGS);
    }
    const results = new Map<string, ModeResult>();
    for (const mode of MODES) {
      let database: Database;
      if (cluster) {
        // Each mode on its own database of the cluster, so neither run sees the other's rows.
        const admin = await openDatabase({ kind: 'postgres', url: cluster.url, poolMax: 1 });
        await admin.knex.raw(`create database bench_${mode}`).finally(() => admin.close());
        const url = new URL(cluster.url);
        url.pathname = `/bench_${mode}`;
        database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 4 });
      } else {
        database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, `pglite-${mode}`) });
      }
      try {
        results.set(mode, await benchMode(database, mode, cluster));
      } finally {
        await database.close();
      }
    }
    // The last line is the gross run's (the product's default mode) when it ran.
    const ordered = MODES.map((mode) => [mode, results.get(mode) as ModeResult] as const);
    for (const [mode, r] of ordered) {
      const line = `trades=${r.settled} trades_settled_per_s=${r.perSecond} breaks=${r.breaks}`;
      console.log(mode === MODES[MODES.length - 1] ? line : `${mode}: ${line}`);
    }
  } finally {
    cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
