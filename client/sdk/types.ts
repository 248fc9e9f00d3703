/**
 * The SDK's own copy of the public contract (API.md, docs/API-GUIDE.md): request and response
 * shapes of every REST endpoint. Prices, quantities and cash are decimal strings exactly as on the
 * wire; nothing here is ever converted to a JS number. Clients import these types, never the
 * server's modules.
 *
 * One module per API area lives in types/; this barrel re-exports them all, so `./types.js` stays
 * the one place the SDK's other modules and its index import the contract from.
 */
export * from './types/common.js';
export * from './types/reference-data.js';
export * from './types/market-data.js';
export * from './types/trading.js';
export * from './types/rfq.js';
export * from './types/ledger.js';
export * from './types/settlement.js';
export * from './types/audit.js';
export * from './types/servicing.js';
export * from './types/performance.js';
export * from './types/projection.js';
export * from './types/risk.js';
export * from './types/registry.js';
