/**
 * Read side of settlement: instructions with their state, fail age and fail charge as of a date,
 * and the runs with their progress. Reads never lock.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { Rejection } from '../core/rejections.js';
import { failAgeBusinessDays, failChargeOf, failChargePayer, referenceRateFromEnvironment } from './fail-charge.js';
import { loadReferenceRates, type ReferenceRates } from './reference-rates.js';
import type { FailedSide, InstructionStatus } from './types.js';

export interface InstructionFilter {
  partyId?: string;
  /** Contractual settlement date. */
  date?: string;
  status?: InstructionStatus;
  noteId?: string;
  limit: number;
}

export interface InstructionRow {
  id: string;
  trade_id: string;
  note_id: string;
  buyer_party_id: string;
  seller_party_id: string;
  quantity: string;
  net_amount: string;
  buyer_hold_reference: string | null;
  seller_hold_reference: string | null;
  trade_date: string;
  settlement_date: string;
  status: InstructionStatus;
  failed_side: FailedSide | null;
  fail_since: string | null;
  fail_charge: string;
  attempts: number;
  last_attempt_date: string | null;
  settled_date: string | null;
  settlement_mode: string | null;
  entry_id: string | null;
  run_id: string | null;
  cancel_reason: string | null;
  fail_charge_entry_id?: string | null;
  original_net_amount?: string | null;
}

/** The reference-rate series with the configured default before its first date. */
export function referenceRates(db: Knex | Knex.Transaction): Promise<ReferenceRates> {
  return loadReferenceRates(db, referenceRateFromEnvironment());
}

export function instructionView(row: InstructionRow, asOf: string, rates: ReferenceRates) {
  const open = row.status === 'failed';
  const net = new Decimal(row.net_amount);
  const charge = open
    ? failChargeOf(row.failed_side, net, rates.forFail(row.settlement_date), row.settlement_date, asOf)
    : new Decimal(row.fail_charge);
  const ageTo = open ? asOf : row.fail_since !== null && row.settled_date !== null ? row.settled_date : null;
  return {
    id: String(row.id),
    tradeId: row.trade_id,
    noteId: row.note_id,
    buyerPartyId: row.buyer_party_id,
    sellerPartyId: row.seller_party_id,
    quantity: new Decimal(row.quantity).toFixed(),
    netAmount: net.toFixed(2),
    tradeDate: row.trade_date,
    settlementDate: row.settlement_date,
    status: row.status,
    failedSide: row.failed_side,
    failSince: row.fail_since,
    failAgeBusinessDays: ageTo === null || row.fail_since === null ? null : failAgeBusinessDays(row.settlement_date, ageTo),
    failCharge: charge.toFixed(2),
    failChargePayer: row.failed_side ? failChargePayer(row.failed_side) : null,
    failChargeEntryId:
      row.fail_charge_entry_id === null || row.fail_charge_entry_id === undefined ? null : String(row.fail_charge_entry_id),
    originalNetAmount:
      row.original_net_amount === null || row.original_net_amount === undefined ? null : new Decimal(row.original_net_amount).toFixed(2),
    attempts: row.attempts,
    lastAttemptDate: row.last_attempt_date,
    settledDate: row.settled_date,
    settlementMode: row.settlement_mode,
    entryId: row.entry_id === null ? null : String(row.entry_id),
    runId: row.run_id === null ? null : String(row.run_id),
    cancelReason: row.cancel_reason,
  };
}

export type InstructionView = ReturnType<typeof instructionView>;

export async function listInstructions(
  db: Knex,
  filter: InstructionFilter,
  asOf: string,
  rates: ReferenceRates,
): Promise<InstructionView[]> {
  const rows: InstructionRow[] = await db('settlement_instructions')
    .modify((q) => {
      if (filter.partyId) q.where((w) => w.where('buyer_party_id', filter.partyId!).orWhere('seller_party_id', filter.partyId!));
      if (filter.date) q.where('settlement_date', filter.date);
      if (filter.status) q.where('status', filter.status);
      if (filter.noteId) q.where('note_id', filter.noteId);
    })
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .select('*');
  return rows.map((row) => instructionView(row, asOf, rates));
}

export async function findInstruction(db: Knex | Knex.Transaction, id: string): Promise<InstructionRow> {
  const row: InstructionRow | undefined = /^\d{1,18}$/.test(id) ? await db('settlement_instructions').where({ id }).first() : undefined;
  if (!row) throw new Rejection('SETTLEMENT_NOT_FOUND', `settlement instruction ${id} does not exist`, { settlementId: id });
  return row;
}

interface RunRow {
  id: string;
  run_date: string;
  mode: string;
  status: string;
  total: number;
  processed: number;
  settled: number;
  failed: number;
  instructions_created: number;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
  settled_amount: string;
  settled_face: string;
  failed_amount: string;
  failed_face: string;
  created_by: string | null;
  created_by_name?: string | null;
}

function runView(row: RunRow) {
  return {
    id: String(row.id),
    date: row.run_date,
    mode: row.mode,
    status: row.status,
    total: row.total,
    processed: row.processed,
    settled: row.settled,
    failed: row.failed,
    instructionsCreated: row.instructions_created,
    error: row.error,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
    /** Cash (net amounts) and face of the instructions the run settled and failed. */
    settledAmount: new Decimal(row.settled_amount).toFixed(2),
    settledFace: new Decimal(row.settled_face).toFixed(),
    failedAmount: new Decimal(row.failed_amount).toFixed(2),
    failedFace: new Decimal(row.failed_face).toFixed(),
    createdBy: row.created_by_name ?? null,
  };
}

export type RunView = ReturnType<typeof runView>;

/** Runs, newest first: of one date, or of dates from..to (inclusive), paged by id (`beforeId`). */
export async function listRuns(
  db: Knex,
  filter: { date?: string; from?: string; to?: string; beforeId?: string; limit: number },
): Promise<RunView[]> {
  const rows: RunRow[] = await db('settlement_runs as r')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .modify((q) => {
      if (filter.date) q.where('r.run_date', filter.date);
      if (filter.from) q.where('r.run_date', '>=', filter.from);
      if (filter.to) q.where('r.run_date', '<=', filter.to);
      if (filter.beforeId) q.where('r.id', '<', filter.beforeId);
    })
    .orderBy('r.id', 'desc')
    .limit(filter.limit)
    .select('r.*', 'u.username as created_by_name');
  return rows.map(runView);
}

export async function getRun(db: Knex, id: string): Promise<RunView> {
  const row: RunRow | undefined = /^\d{1,18}$/.test(id)
    ? await db('settlement_runs as r')
        .leftJoin('users as u', 'u.id', 'r.created_by')
        .where('r.id', id)
        .first('r.*', 'u.username as created_by_name')
    : undefined;
  if (!row) throw new Rejection('SETTLEMENT_RUN_NOT_FOUND', `settlement run ${id} does not exist`, { runId: id });
  return runView(row);
}
