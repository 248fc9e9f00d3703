/**
 * Turns settle decisions into journal entries — pure, no I/O. The reference model of what the
 * database's set-based writer (ledger_post_dvp_batch, called by settlement_settle_chunk) books:
 * the tests hold the database's entries to these, payload hash included.
 *
 * Gross (BIS DVP model 1): one entry per instruction, key `settle:<instructionId>`, with the
 * four legs (seller face −, buyer face +, buyer cash −, seller cash +) and the trade's holds
 * consumed, so face and cash move in one ledger transaction or not at all.
 * Net (model 3): one entry per run chunk, key `settle-net:<runId>:<chunk>`, with one posting per
 * netting set — per party and note the net face, per party the net cash — and every settled
 * trade's holds consumed. Each netting set's posting is by construction the sum of the gross
 * legs, so net and gross end in the same balances.
 */
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type EntryInput, type HoldConsumption, type PostingInput } from '../ledger/types.js';
import type { Decision } from './evaluate.js';

type Settle = Extract<Decision, { kind: 'settle' }>;

export function grossEntryKey(instructionId: string): string {
  return `settle:${instructionId}`;
}

export function netEntryKey(runId: string, chunk: number): string {
  return `settle-net:${runId}:${chunk}`;
}

function legs(decision: Settle): { partyId: string; asset: string; amount: Decimal }[] {
  const i = decision.instruction;
  return [
    { partyId: i.sellerPartyId, asset: i.noteId, amount: i.quantity.negated() },
    { partyId: i.buyerPartyId, asset: i.noteId, amount: i.quantity },
    { partyId: i.buyerPartyId, asset: CASH_ASSET, amount: i.netAmount.negated() },
    { partyId: i.sellerPartyId, asset: CASH_ASSET, amount: i.netAmount },
  ].filter((leg) => !leg.amount.isZero());
}

function consumptions(decision: Settle): HoldConsumption[] {
  const i = decision.instruction;
  const out: HoldConsumption[] = [];
  if (decision.sellerHoldUse.gt(0) && i.sellerHoldReference)
    out.push({ holdReference: i.sellerHoldReference, amount: decision.sellerHoldUse });
  if (decision.buyerHoldUse.gt(0) && i.buyerHoldReference) out.push({ holdReference: i.buyerHoldReference, amount: decision.buyerHoldUse });
  return out;
}

export function grossEntries(settled: readonly Settle[], businessDate: string, createdBy: string | null): EntryInput[] {
  return settled.map((decision) => ({
    idempotencyKey: grossEntryKey(decision.instruction.id),
    kind: 'trade_settlement',
    description: `DVP settlement of trade ${decision.instruction.tradeId}`,
    businessDate,
    createdBy,
    metadata: { instructionId: decision.instruction.id, tradeId: decision.instruction.tradeId },
    postings: legs(decision).map((leg) => ({ account: { partyId: leg.partyId, asset: leg.asset }, amount: leg.amount })),
    holdConsumptions: consumptions(decision),
  }));
}

/** Net postings per (party, asset), zero nets left out, in a stable order. */
export function nettingSets(settled: readonly Settle[]): PostingInput[] {
  const sums = new Map<string, { partyId: string; asset: string; amount: Decimal }>();
  for (const decision of settled) {
    for (const leg of legs(decision)) {
      const key = `${leg.partyId}\u0000${leg.asset}`;
      const set = sums.get(key);
      if (set) set.amount = set.amount.plus(leg.amount);
      else sums.set(key, { ...leg });
    }
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, set]) => set)
    .filter((set) => !set.amount.isZero())
    .map((set) => ({ account: { partyId: set.partyId, asset: set.asset }, amount: set.amount }));
}

/**
 * The net entry of a chunk. When every netting set nets to zero (trades that cancel out), an
 * entry without postings is not allowed; the chunk is then booked gross instead.
 */
export function netEntries(
  settled: readonly Settle[],
  runId: string,
  chunk: number,
  businessDate: string,
  createdBy: string | null,
): EntryInput[] {
  if (settled.length === 0) return [];
  const postings = nettingSets(settled);
  if (postings.length === 0) return grossEntries(settled, businessDate, createdBy);
  return [
    {
      idempotencyKey: netEntryKey(runId, chunk),
      kind: 'trade_settlement',
      description: `net DVP settlement of ${settled.length} trades (run ${runId}, chunk ${chunk})`,
      businessDate,
      createdBy,
      metadata: { runId, chunk, instructions: settled.length },
      postings,
      holdConsumptions: settled.flatMap(consumptions),
    },
  ];
}
