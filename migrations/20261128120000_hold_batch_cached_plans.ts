/**
 * The group commit's hold batch keeps its plans between calls.
 *
 * …_commit_batch_plans made every statement of `ledger_apply_hold_batch` plan anew on each call
 * (`plan_cache_mode = force_custom_plan`), so that a generic plan cached while the holds table was
 * tiny could not scan it whole forever after. That setting also reached the foreign-key checks the
 * function's inserts fire, which PostgreSQL otherwise plans once per session: measured in the order
 * bench (pg_stat_statements, 50,000 commands), planning was about 28 µs of PostgreSQL CPU per command
 * — 10 µs re-planning one foreign-key lookup per new hold, 18 µs the function's own statements.
 *
 * Now the function runs with sequential scans disabled instead: every statement reaches its rows
 * through the unique indexes (holds by reference, accounts by id and by party and asset), so any
 * plan the cache keeps is an index plan whatever the table sizes were when it was made, and the
 * plans are made once per session.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter function ledger_apply_hold_batch(jsonb, jsonb) reset plan_cache_mode');
  await knex.raw('alter function ledger_apply_hold_batch(jsonb, jsonb) set enable_seqscan = off');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter function ledger_apply_hold_batch(jsonb, jsonb) reset enable_seqscan');
  await knex.raw('alter function ledger_apply_hold_batch(jsonb, jsonb) set plan_cache_mode = force_custom_plan');
}
