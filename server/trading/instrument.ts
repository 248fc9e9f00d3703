/**
 * Moved to refdata/instrument.ts (the sequencer, risk and the book feed use it, and trading/ sits
 * above the sequencer). Re-exported here for existing imports; new code imports refdata/instrument.
 */
export * from '../refdata/instrument.js';
