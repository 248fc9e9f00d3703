/**
 * Rejections of the ledger: expected outcomes with stable codes, mapped to HTTP in one table at the
 * edge. A rejected call has written nothing (the caller's transaction rolls back).
 */
export type LedgerRejectionCode =
  | 'UNBALANCED_ENTRY'
  | 'EMPTY_ENTRY'
  | 'INVALID_AMOUNT'
  | 'INSUFFICIENT_FUNDS'
  | 'INSUFFICIENT_POSITION'
  | 'IDEMPOTENCY_CONFLICT'
  | 'HOLD_NOT_ACTIVE'
  | 'HOLD_EXCEEDED';

export class LedgerRejection extends Error {
  constructor(
    readonly code: LedgerRejectionCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerRejection';
  }
}
