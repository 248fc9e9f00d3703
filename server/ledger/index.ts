/**
 * The double-entry ledger: the golden record of cash and note positions.
 * Writers: postEntries/postEntry (balanced journal entries), placeHolds/releaseHolds,
 * applyHoldBatch (the sequencer's holds), and in the database ledger_post_dvp_batch (settlement's
 * set-based DVP entries, called from settlement_settle_chunk; the balances move at the commit).
 * Readers: partyBalances (balancesOfParties for many), journalEntries, postingSumsByAsset.
 */
export * from './types.js';
export * from './errors.js';
export { postEntries, postEntry } from './post.js';
export { placeHolds, releaseHolds } from './holds.js';
export { applyHoldBatch, holdBatchArguments, type OpenedHold, type ChangedHold } from './hold-batch.js';
export {
  partyBalances,
  balancesOfParties,
  journalEntries,
  postingSumsByAsset,
  formatLedgerAmount,
  type EntryView,
  type EntryQuery,
} from './queries.js';
export { ensureAccounts } from './accounts.js';
