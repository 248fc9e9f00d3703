/**
 * `ComputeNotesClient`: one typed method per REST endpoint of the public API (API.md,
 * docs/API-GUIDE.md), grouped as the guide groups them. Amounts go in and come out as decimal
 * strings; errors are thrown as `ApiError` (http.ts). The token from `login` is kept and sent with
 * every later call; `token`/`setToken` let a caller restore or share a session.
 *
 * The methods live in endpoints/, one module per API area. Each area is a mixin: a function that
 * takes a class built on ClientCore (endpoints/core.ts: the transport, the token, login, health)
 * and returns it with that area's methods added. The areas know nothing of each other, so the
 * order they are stacked in below does not matter; callers see one class with every method.
 */
import { withAudit } from './endpoints/audit.js';
import { ClientCore } from './endpoints/core.js';
import { withLedger } from './endpoints/ledger.js';
import { withPerformance } from './endpoints/performance.js';
import { withProjection } from './endpoints/projection.js';
import { withReferenceData } from './endpoints/reference-data.js';
import { withRegistry } from './endpoints/registry.js';
import { withRfq } from './endpoints/rfq.js';
import { withRisk } from './endpoints/risk.js';
import { withServicing } from './endpoints/servicing.js';
import { withSettlement } from './endpoints/settlement.js';
import { withTrading } from './endpoints/trading.js';
import type { TransportOptions } from './http.js';

export type ClientOptions = TransportOptions;

// Stacked in three steps only to keep the lines readable: trading, then back office, then the rest.
const TradingEndpoints = withRfq(withTrading(withReferenceData(ClientCore)));
const BackOfficeEndpoints = withAudit(withSettlement(withLedger(TradingEndpoints)));
const AllEndpoints = withRegistry(withRisk(withProjection(withPerformance(withServicing(BackOfficeEndpoints)))));

export class ComputeNotesClient extends AllEndpoints {
  // The mixins' constructors take `...args: any[]`; this one gives callers back the typed options.
  constructor(options: ClientOptions) {
    super(options);
  }
}
