/**
 * Rejections: the closed set of codes with which the service refuses a request, what each means,
 * and the error services raise. Rejections are the core's vocabulary, so they live below every
 * module that raises them (services, the sequencer, settlement, the edges); the edges map them to
 * their wire in one table each — HTTP statuses in api/errors.ts, WebSocket errors in ws/errors.ts —
 * by the code's kind, so adding a code is one line here.
 *
 * Guarantees: a code is stable (clients branch on it; docs/API-GUIDE.md lists each); a rejection
 * is an expected outcome, never a defect, and the refused call changed nothing. Messages are for
 * people and may change. No I/O; imports nothing from the rest of server/.
 */

/** What kind of refusal a code is; each edge maps kinds to its wire (HTTP status, WebSocket error). */
export type RejectionKind =
  | 'invalid' // the request itself is malformed or holds a value that cannot be accepted
  | 'unauthenticated' // no valid identity
  | 'forbidden' // an identity that may not do this
  | 'not_found' // the route or entity does not exist (or is another party's)
  | 'conflict' // the entity's state or an existing key contradicts the request
  | 'too_large' // the request body is too large
  | 'unsupported_media' // the request body is not UTF-8 JSON
  | 'unprocessable' // well-formed, but the rules of the market or the books refuse it
  | 'rate_limited' // too many requests; retry later
  | 'internal' // a defect; the cause is logged
  | 'unavailable'; // the service cannot answer now; retry later

interface RejectionDefinition {
  kind: RejectionKind;
  meaning: string;
}

const rejection = (kind: RejectionKind, meaning: string): RejectionDefinition => ({ kind, meaning });

/** Every rejection code. To add one: one line here (and its row in docs/API-GUIDE.md). */
export const REJECTIONS = {
  MALFORMED_JSON: rejection('invalid', 'the body is not JSON'),
  VALIDATION_FAILED: rejection('invalid', 'a field is missing, of the wrong type, out of range, or unknown'),
  INVALID_ISIN: rejection('invalid', "the ISIN's check digit is wrong"),
  INVALID_DECIMAL: rejection('invalid', 'a string is not a canonical decimal'),
  INVALID_DATE: rejection('invalid', 'a string is not a valid YYYY-MM-DD calendar date'),
  INVALID_AMOUNT: rejection('invalid', 'a posting amount that is zero or has more decimals than its asset allows'),
  UNBALANCED_ENTRY: rejection('invalid', 'a journal entry that does not sum to zero per asset'),
  INVALID_ARGUMENT: rejection('invalid', 'an argument violates a documented precondition of the domain'),
  DATE_OUT_OF_RANGE: rejection('invalid', 'a date outside the supported years'),
  INVALID_SCHEDULE: rejection('invalid', 'inconsistent issue, first coupon, maturity or frequency'),
  SETTLEMENT_OUT_OF_RANGE: rejection('invalid', 'settlement before the issue date or on or after maturity'),
  INVALID_IDENTIFIER: rejection('invalid', 'a malformed ISIN or CUSIP'),
  INVALID_FACTOR: rejection('invalid', 'a pool factor outside [0, 1]'),
  EMPTY_ENTRY: rejection('invalid', 'a journal entry without postings'),
  INVALID_WATERFALL: rejection('invalid', "a waterfall definition that does not rank exactly the deal's notes"),
  UNAUTHENTICATED: rejection('unauthenticated', 'no token, or one that is expired, tampered, unsigned or for another audience'),
  INVALID_CREDENTIALS: rejection('unauthenticated', 'unknown username or wrong password (one answer for both)'),
  FORBIDDEN: rejection('forbidden', 'the role may not do this, or the data belongs to another party'),
  NOT_FOUND: rejection('not_found', 'unknown route or entity'),
  NOTE_NOT_FOUND: rejection('not_found', 'unknown note'),
  DEAL_NOT_FOUND: rejection('not_found', 'unknown deal'),
  PARTY_NOT_FOUND: rejection('not_found', 'unknown party'),
  ORDER_NOT_FOUND: rejection('not_found', "unknown order (another party's order is unknown too)"),
  SETTLEMENT_NOT_FOUND: rejection('not_found', 'unknown settlement instruction'),
  SETTLEMENT_RUN_NOT_FOUND: rejection('not_found', 'unknown settlement run'),
  DISTRIBUTION_NOT_FOUND: rejection('not_found', 'no distribution on that payment date'),
  RFQ_NOT_FOUND: rejection('not_found', 'unknown RFQ'),
  RESPONSE_NOT_FOUND: rejection('not_found', 'unknown RFQ response'),
  REGISTRY_ROW_NOT_FOUND: rejection('not_found', 'a forced transfer resolves an outbox row that does not exist'),
  IDEMPOTENCY_CONFLICT: rejection('conflict', 'an idempotency key already used for a different request'),
  DUPLICATE_ISIN: rejection('conflict', 'an ISIN that is already listed'),
  DUPLICATE_NAME: rejection('conflict', 'a name that is already used'),
  DUPLICATE_CL_ORD_ID: rejection('conflict', 'a clOrdId already used for a different order'),
  BUSINESS_DATE_MISMATCH: rejection('conflict', 'the business date is not the one the request expects'),
  WRONG_STATE: rejection('conflict', 'the entity is not in the state the request expects'),
  RFQ_EXPIRED: rejection('conflict', "the RFQ's time ran out"),
  RESPONSE_EXPIRED: rejection('conflict', "the RFQ response's time ran out"),
  REGISTRY_NOT_ENABLED: rejection('conflict', 'the on-chain registry was never started on this database'),
  PAYLOAD_TOO_LARGE: rejection('too_large', 'the body exceeds the limit'),
  UNSUPPORTED_MEDIA_TYPE: rejection('unsupported_media', 'the body is not UTF-8 JSON'),
  OFF_TICK: rejection('unprocessable', "a price that is not a multiple of the note's tick"),
  OFF_INCREMENT: rejection('unprocessable', "a face amount that is not a multiple of the note's increment"),
  INSUFFICIENT_FUNDS: rejection('unprocessable', 'not enough available cash'),
  INSUFFICIENT_POSITION: rejection('unprocessable', 'not enough available face'),
  HOLD_NOT_ACTIVE: rejection('unprocessable', 'a ledger hold that is gone'),
  HOLD_EXCEEDED: rejection('unprocessable', 'a ledger hold that is too small'),
  PARTY_NOT_ELIGIBLE: rejection('unprocessable', 'the party may not trade'),
  NOTE_HALTED: rejection('unprocessable', 'trading in the note is halted'),
  BELOW_MIN_DENOMINATION: rejection('unprocessable', "a quantity below the note's minimum denomination"),
  PRICE_OUT_OF_BAND: rejection('unprocessable', "a price outside the note's price band"),
  QUOTE_CROSSED: rejection('unprocessable', 'a quote whose bid is at or above its ask'),
  POST_ONLY_WOULD_TAKE: rejection('unprocessable', 'a post-only order that would trade on arrival'),
  FOK_NOT_FILLABLE: rejection('unprocessable', 'a fill-or-kill order that cannot fill completely'),
  RISK_LIMIT_EXCEEDED: rejection('unprocessable', "the order exceeds the party's risk limit"),
  NO_LIQUIDITY: rejection('unprocessable', 'a market order without an opposite price for its collar'),
  DATE_AFTER_BUSINESS_DATE: rejection(
    'unprocessable',
    "a settlement run, distribution or rate fixing for a date after the system's business date",
  ),
  WATERFALL_NOT_DEFINED: rejection('unprocessable', 'a distribution for a deal without a waterfall'),
  NO_COLLECTIONS: rejection('unprocessable', 'a distribution for a payment date with no collections recorded'),
  NOT_A_DEALER: rejection('unprocessable', 'the party is not a dealer'),
  INVALID_MW: rejection('unprocessable', 'negative MW, or more leased or energized MW than critical IT MW'),
  PERCENT_OUT_OF_RANGE: rejection('unprocessable', 'a utilization, uptime or other percentage outside 0-100'),
  TENANT_EXCEEDS_LEASED_MW: rejection('unprocessable', "leases over a site's (or all sites') leased MW"),
  PERIOD_NOT_MONTH_END: rejection('unprocessable', 'a report period that is not a month end'),
  PERIOD_OUT_OF_ORDER: rejection('unprocessable', "a report period that is not the month after the deal's last one, or has not ended"),
  POWER_COST_EXCEEDS_OPERATING_COSTS: rejection('unprocessable', 'power cost above operating costs'),
  INVALID_REPORT: rejection('unprocessable', 'a performance report whose figures cannot be true; details.field names the field'),
  RESTATEMENT_REASON_REQUIRED: rejection('unprocessable', 'a restatement without a reason'),
  NOT_A_PAYMENT_DATE: rejection('unprocessable', "collections for a date that is not one of the deal's payment dates"),
  COLLECTION_PERIOD_MISMATCH: rejection('unprocessable', "collections with a typed period other than the deal's"),
  PERFORMANCE_REPORT_NOT_FOUND: rejection('not_found', 'no performance report for the period'),
  COLLECTION_NOT_FOUND: rejection('not_found', 'no collection with that reference'),
  EXPIRE_AT_IN_PAST: rejection('unprocessable', 'a GTD order whose expireAt is already past'),
  PRICE_OUTSIDE_BAND: rejection(
    'unprocessable',
    "a price outside the note's band around its reference price; details {reference, low, high}",
  ),
  CREDIT_LINE_IN_USE: rejection('conflict', 'a credit line set below the credit in use'),
  MALFORMED_BODY: rejection('invalid', 'a compressed body that does not decompress'),
  ORDER_FACE_TOO_LARGE: rejection('unprocessable', "a quantity above the note's maximum order face"),
  COMMAND_FAILED: rejection(
    'unprocessable',
    'the command hit a defect in the sequencer; it alone was refused and nothing of it was applied',
  ),
  INVALID_SCENARIO: rejection('invalid', 'a projection scenario that cannot run; details.field names the driver'),
  CURVE_NOT_FOUND: rejection('not_found', 'no benchmark curve of that name on or before the date'),
  NO_BENCHMARK_CURVE: rejection('unprocessable', 'a price entered as a spread needs a benchmark curve on or before the business date'),
  SPREAD_NOT_PRICEABLE: rejection(
    'unprocessable',
    'a price entered as a spread cannot be derived: the class has no projected principal to repay',
  ),
  SCENARIO_NOT_FOUND: rejection('not_found', 'no saved scenario with that id'),
  RATE_FIXING_REQUIRED: rejection(
    'unprocessable',
    'a distribution of a deal with a floating class needs the rate fixing of its index for the period: none is stored on or before the determination date (details.determinationDate) and the request gives none; details.field names it',
  ),
  GRID_QUEUE_FULL: rejection('unavailable', 'the projection grid workers are busy and their queue is full; retry shortly'),
  COLLATERAL_NOT_AVAILABLE: rejection('unprocessable', "the deal's collateral facts needed for a projection are not available"),
  YIELD_NOT_FOUND: rejection('unprocessable', 'no yield reproduces that price from the projected flows'),
  NO_CONVERGENCE: rejection('unprocessable', 'the solver did not converge within its bounds'),
  OBLIGOR_NOT_FOUND: rejection('not_found', 'unknown obligor (company)'),
  GPU_VALUES_NOT_FOUND: rejection('not_found', 'no GPU value series is loaded for this model'),
  OBLIGOR_CYCLE: rejection('unprocessable', 'a parent that would make a company its own ancestor'),
  INVALID_RELATIONSHIP: rejection(
    'unprocessable',
    'a relationship whose target or figures do not fit its type; details.field names the field',
  ),
  INVALID_CSV: rejection('invalid', 'a CSV import that cannot be read; details.line names the line'),
  CONCENTRATION_LIMIT: rejection(
    'unprocessable',
    "an order or RFQ that would take the party's share in one obligor, sponsor, vendor, GPU model or region above its hard limit; details give the figures",
  ),
  RATE_LIMITED: rejection('rate_limited', 'too many requests; details.retryAfterSeconds says when to retry'),
  INTERNAL: rejection('internal', 'a defect; the server logged the cause'),
  UNAVAILABLE: rejection('unavailable', 'the service cannot answer now (starting, queue full, database unreachable)'),
} as const satisfies Record<string, RejectionDefinition>;

export type RejectionCode = keyof typeof REJECTIONS;

export function isRejectionCode(code: unknown): code is RejectionCode {
  return typeof code === 'string' && Object.hasOwn(REJECTIONS, code);
}

/** The error services raise to refuse a request; each edge turns it into its wire's answer. */
export class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'Rejection';
  }

  get kind(): RejectionKind {
    return REJECTIONS[this.code].kind;
  }
}
