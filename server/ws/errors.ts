/**
 * The one table that maps rejections to WebSocket errors (`{"op":"error","code"}`), by kind (the
 * codes and their kinds live in core/rejections.ts). Only the kinds listed here reach a client as
 * themselves; any other rejection that escapes a subscription or session op is a defect there and
 * is answered INTERNAL (and logged). Order entry over the socket is not mapped here: it answers
 * with REST's status and body by protocol (order-ops.ts, api/errors.ts).
 */
import { Rejection, type RejectionKind } from '../core/rejections.js';
import type { WsErrorCode } from './protocol.js';

export const WS_ERROR_BY_KIND: Readonly<Partial<Record<RejectionKind, WsErrorCode>>> = {
  unavailable: 'UNAVAILABLE',
};

/** The WebSocket error code a thrown value is answered with, or null when it is a defect (INTERNAL). */
export function wsErrorOf(error: unknown): WsErrorCode | null {
  return error instanceof Rejection ? (WS_ERROR_BY_KIND[error.kind] ?? null) : null;
}
