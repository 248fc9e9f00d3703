/**
 * The static list of migrations. A static source (rather than a directory scan) lets the same
 * TypeScript migrations run under tsx, vitest and the knex CLI without a loader.
 *
 * Migrations hold schema changes (tables, indexes, CHECKs, triggers). The routines that existing
 * migrations define are history: they still run on a fresh database, and the routine step that
 * follows (server/db/routines.ts) applies each routine's current text from its .sql file. New
 * migrations define no routines.
 */
import type { Knex } from 'knex';
import * as foundation from './20261121000000_foundation.js';
import * as trading from './20261122000000_trading.js';
import * as rfq from './20261122100000_rfq.js';
import * as batchCommit from './20261122200000_batch_commit.js';
import * as settlement from './20261123000000_settlement.js';
import * as registry from './20261124000000_registry.js';
import * as registryRecovery from './20261125000000_registry_recovery.js';
import * as commitBatchPlans from './20261126000000_commit_batch_plans.js';
import * as ledgerDvpBatch from './20261127000000_ledger_dvp_batch.js';
import * as settlementSetBased from './20261127100000_settlement_set_based.js';
import * as settlementSpeed from './20261128000000_settlement_speed.js';
import * as holdBatchCachedPlans from './20261128120000_hold_batch_cached_plans.js';
import * as settlementPostingsSpeed from './20261129000000_settlement_postings_speed.js';
import * as performanceReports from './20261206050000_performance_reports.js';
import * as waterfallSteps from './20261206060000_waterfall_steps.js';
import * as dayCountNames from './20261206040000_day_count_names.js';
import * as priceBands from './20261206040100_price_bands.js';
import * as moneyCreditFails from './20261206030000_money_credit_fails.js';
import * as noteMaxOrderFace from './20261206020000_note_max_order_face.js';
import * as settlementRunInterrupted from './20261206020100_settlement_run_interrupted.js';
import * as projections from './20261206070000_projections.js';
import * as risk from './20261206100000_risk.js';
import * as rfqDeclines from './20261206110000_rfq_declines.js';
import * as riskGpuValues from './20261206_1830_risk_gpu_values.js';
import * as projUiRfqSpread from './20261206_1845_proj_ui_rfq_spread.js';
import * as audit from './20261206_1800_audit.js';
import * as rfqReplacedDecline from './20261206_1930_rfq_replaced_decline.js';
import * as quoteSpreads from './20261206_2100_quote_spreads.js';
import * as rateFixings from './20261206_2130_rate_fixings.js';

const migrations: ReadonlyMap<string, Knex.Migration> = new Map([
  ['20261121000000_foundation', foundation],
  ['20261122000000_trading', trading],
  ['20261122100000_rfq', rfq],
  ['20261122200000_batch_commit', batchCommit],
  ['20261123000000_settlement', settlement],
  ['20261124000000_registry', registry],
  ['20261125000000_registry_recovery', registryRecovery],
  ['20261126000000_commit_batch_plans', commitBatchPlans],
  ['20261127000000_ledger_dvp_batch', ledgerDvpBatch],
  ['20261127100000_settlement_set_based', settlementSetBased],
  ['20261128000000_settlement_speed', settlementSpeed],
  ['20261128120000_hold_batch_cached_plans', holdBatchCachedPlans],
  ['20261129000000_settlement_postings_speed', settlementPostingsSpeed],
  ['20261206050000_performance_reports', performanceReports],
  ['20261206060000_waterfall_steps', waterfallSteps],
  ['20261206040000_day_count_names', dayCountNames],
  ['20261206040100_price_bands', priceBands],
  ['20261206030000_money_credit_fails', moneyCreditFails],
  ['20261206020000_note_max_order_face', noteMaxOrderFace],
  ['20261206020100_settlement_run_interrupted', settlementRunInterrupted],
  ['20261206070000_projections', projections],
  ['20261206100000_risk', risk],
  ['20261206110000_rfq_declines', rfqDeclines],
  ['20261206_1830_risk_gpu_values', riskGpuValues],
  ['20261206_1845_proj_ui_rfq_spread', projUiRfqSpread],
  ['20261206_1800_audit', audit],
  ['20261206_1930_rfq_replaced_decline', rfqReplacedDecline],
  ['20261206_2100_quote_spreads', quoteSpreads],
  ['20261206_2130_rate_fixings', rateFixings],
]);

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => [...migrations.keys()].sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations.get(name);
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
