/**
 * The database routines (PL/pgSQL functions): their current text is one `.sql` file each, beside
 * the module that owns it (server/ledger/sql, server/sequencer/sql, server/settlement/sql); this
 * module applies the ones whose text changed, after the migrations — like Flyway's repeatable
 * migrations. Migrations hold schema changes (tables, indexes, CHECKs, triggers); the routines a
 * trigger or a caller runs are replaced here.
 *
 * Guarantees: the routines are applied in ROUTINES order (a routine after every routine it calls;
 * test/db/routines.test.ts checks the order against the texts), all in one transaction under an
 * advisory lock, so two processes starting at once apply them once and a failure leaves the
 * previous texts in place. `schema_routines(name, sha256, applied_at)` records the SHA-256 of the
 * file text last applied; a routine is applied again only when its file changed. The table is
 * created here, like knex's own `knex_migrations`, not by a migration.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Knex } from 'knex';

export interface Routine {
  name: string;
  /** The file, relative to server/. */
  file: string;
}

/** Every routine, in dependency order: a routine after every routine its text names. */
export const ROUTINES: readonly Routine[] = [
  // The ledger: journal guards, the sequencer's holds, the set-based DVP writer.
  { name: 'ledger_append_only', file: 'ledger/sql/ledger_append_only.sql' },
  { name: 'ledger_accounts_permanent', file: 'ledger/sql/ledger_accounts_permanent.sql' },
  { name: 'ledger_postings_balance_check', file: 'ledger/sql/ledger_postings_balance_check.sql' },
  { name: 'ledger_apply_hold_batch', file: 'ledger/sql/ledger_apply_hold_batch.sql' },
  { name: 'ledger_dvp_apply_balances', file: 'ledger/sql/ledger_dvp_apply_balances.sql' },
  { name: 'ledger_dvp_batch_open', file: 'ledger/sql/ledger_dvp_batch_open.sql' },
  { name: 'ledger_post_dvp_batch', file: 'ledger/sql/ledger_post_dvp_batch.sql' },
  // The sequencer's group commit.
  { name: 'trading_commit_batch', file: 'sequencer/sql/trading_commit_batch.sql' },
  // Settlement: instructions from trades, their reference checks, the chunked run.
  { name: 'settlement_instructions_for_trades', file: 'settlement/sql/settlement_instructions_for_trades.sql' },
  { name: 'settlement_instructions_references_check', file: 'settlement/sql/settlement_instructions_references_check.sql' },
  { name: 'settlement_instruction_references_check_row', file: 'settlement/sql/settlement_instruction_references_check_row.sql' },
  { name: 'settlement_runs_permanent', file: 'settlement/sql/settlement_runs_permanent.sql' },
  { name: 'settlement_chunk_open', file: 'settlement/sql/settlement_chunk_open.sql' },
  { name: 'settlement_decide_uncovered', file: 'settlement/sql/settlement_decide_uncovered.sql' },
  { name: 'settlement_settle_chunk', file: 'settlement/sql/settlement_settle_chunk.sql' },
  // The audit trail's guard.
  { name: 'audit_log_append_only', file: 'audit/sql/audit_log_append_only.sql' },
];

/** Serialises routine steps of processes sharing a database ('cnx routines' as a 63-bit key). */
const ROUTINES_LOCK_KEY = 0x636e78_726f7574n;

export interface RoutineText extends Routine {
  text: string;
  sha256: string;
}

const SERVER_DIR = new URL('../', import.meta.url);

/** Reads every routine's file, with its hash. */
export function readRoutines(routines: readonly Routine[] = ROUTINES): RoutineText[] {
  return routines.map((routine) => {
    const text = fs.readFileSync(new URL(routine.file, SERVER_DIR), 'utf8');
    return { ...routine, text, sha256: createHash('sha256').update(text).digest('hex') };
  });
}

/**
 * Applies, in one transaction, every routine whose file text differs from the one recorded as
 * applied (all of them on a database that has no record yet); returns their names, in order.
 */
export async function applyRoutines(knex: Knex, routines: readonly Routine[] = ROUTINES): Promise<string[]> {
  const texts = readRoutines(routines);
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?::bigint)', [ROUTINES_LOCK_KEY.toString()]);
    await trx.raw(
      'create table if not exists schema_routines (name text primary key, sha256 text not null, applied_at timestamptz not null default now())',
    );
    const rows = (await trx('schema_routines').select('name', 'sha256')) as { name: string; sha256: string }[];
    const recorded = new Map(rows.map((row) => [row.name, row.sha256]));
    const changed = texts.filter((routine) => recorded.get(routine.name) !== routine.sha256);
    for (const routine of changed) {
      // One statement per call (PGlite's extended protocol refuses several); no bindings, so a
      // question mark in the text stays itself.
      await trx.raw(routine.text);
      await trx('schema_routines')
        .insert({ name: routine.name, sha256: routine.sha256, applied_at: trx.fn.now() })
        .onConflict('name')
        .merge(['sha256', 'applied_at']);
    }
    return changed.map((routine) => routine.name);
  });
}
