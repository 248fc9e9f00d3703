/**
 * `npm run bench:settlement`: DVP trades settled per second by one settlement run.
 *
 * On a throwaway PostgreSQL cluster (fsync on; embedded PGlite when no server is installed):
 * migrate, create many parties and a few notes with opening cash and face posted through the
 * ledger, then 100,000 trades between them with their trade holds (bulk SQL, as order entry
 * leaves them; the trades' trigger creates their instructions), run one gross settlement for the
 * day, and check the books with the reconciliation.
 * Prints the figures, then: trades=<n> trades_settled_per_s=<n> breaks=<n>
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
import { findPostgresBin, startPgCluster, type PgCluster } from '../support/pg-cluster.js';

const TRADES = Number(process.env.BENCH_TRADES ?? 100_000);
const PARTIES = Number(process.env.BENCH_PARTIES ?? 2_000);
const NOTES = Number(process.env.BENCH_NOTES ?? 3);
const SETTLEMENT_DATE = '2026-11-24';
const MODE = (process.env.BENCH_MODE ?? 'net') as 'gross' | 'net';

async function seed(knex: Knex): Promise<{ parties: string[]; notes: string[] }> {
  await knex('business_date').insert({ id: 1, business_date: SETTLEMENT_DATE }).onConflict('id').merge();
  const inserted: { id: string }[] = await knex.raw(
    `insert into parties (name, kind) select 'bench party ' || g, 'investor' from generate_series(1, ?) g returning id`, [PARTIES],
  ).then((r: { rows: { id: string }[] }) => r.rows);
  const parties = inserted.map((r) => r.id);
  const spec = DEMO_DEALS[0]!;
  const deal = await createDeal(knex, { ...spec.deal, name: 'Bench Compute ABS' });
  const notes: string[] = [];
  for (let n = 0; n < NOTES; n++) {
    const base = `77777${n}AA`;
    notes.push((await createNote(knex, { ...spec.notes[0]!.terms, className: `Z${n}`, factor: '1', isin: isinFromCusip('US', `${base}${cusipCheckDigit(base)}`), dealId: deal.id })).id);
  }
  // Enough for every party's share of the trades on both sides.
  const perParty = Math.ceil((TRADES * 2) / PARTIES) + 10;
  const cash = new Decimal(perParty).mul(1100);
  const face = new Decimal(perParty).mul(1000);
  const entries: EntryInput[] = parties.flatMap((partyId) => [
    { idempotencyKey: `bench:cash:${partyId}`, kind: 'cash_deposit' as const, description: 'bench cash', businessDate: SETTLEMENT_DATE, postings: [
      { account: { partyId, asset: CASH_ASSET }, amount: cash }, { account: { systemCode: 'external-cash' as const, asset: CASH_ASSET }, amount: cash.negated() }] },
    ...notes.map((noteId) => ({ idempotencyKey: `bench:face:${partyId}:${noteId}`, kind: 'issuance' as const, description: 'bench face', businessDate: SETTLEMENT_DATE, postings: [
      { account: { partyId, asset: noteId }, amount: face }, { account: { systemCode: 'issuance' as const, asset: noteId }, amount: face.negated() }] })),
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

async function main(): Promise<void> {
  let cluster: PgCluster | null = null;
  let database: Database;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-settlement-'));
  if (findPostgresBin()) {
    cluster = await startPgCluster();
    database = await openDatabase({ kind: 'postgres', url: cluster.url, poolMax: 4 });
  } else {
    database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  }
  try {
    await migrateToLatest(database.knex);
    const setupStarted = performance.now();
    const { parties, notes } = await seed(database.knex);
    await createTrades(database.knex, parties, notes);
    console.log(`setup: ${TRADES} trades between ${parties.length} parties in ${notes.length} notes in ${Math.round(performance.now() - setupStarted)} ms (${database.target})`);

    let lastShown = 0;
    const summary = await runSettlement(database.knex, { date: SETTLEMENT_DATE, mode: MODE, createdBy: null, referenceRatePercent: new Decimal(0), ...(process.env.BENCH_CHUNK ? { chunkSize: Number(process.env.BENCH_CHUNK) } : {}) }, {
      afterChunk: async (settled) => {
        lastShown += settled.length;
        if (process.stderr.isTTY) process.stderr.write(`\rsettled ${lastShown}/${TRADES}`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const perSecond = Math.round((summary.settled * 1000) / summary.durationMs);
    console.log(`run: settled=${summary.settled} failed=${summary.failed} chunks=${summary.chunks} duration_ms=${summary.durationMs}`);
    const reconStarted = performance.now();
    const report = await reconcile(database.knex);
    console.log(`reconciliation: ${report.breaks.length} breaks in ${Math.round(performance.now() - reconStarted)} ms`);
    for (const b of report.breaks.slice(0, 5)) console.log(`  break: ${b.kind} ${b.entity} ${b.message}`);
    console.log(`trades=${summary.settled} trades_settled_per_s=${perSecond} breaks=${report.breaks.length}`);
  } finally {
    await database.close();
    cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
