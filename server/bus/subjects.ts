/**
 * The bus's names: one JetStream stream holds every channel's messages, one subject per channel
 * (a note's book, tape and quotes; a party's orders, executions, RFQs, settlement instructions and
 * balances), plus a marker subject that records each batch fully published and one that records
 * whether the private-feed publisher stopped cleanly. Requests to the service (snapshots, the listed notes, order
 * entry forwarded by gateways) are plain NATS request/reply subjects.
 *
 * Guarantees: a channel maps to exactly one subject and back; ids are UUIDs, so they never contain
 * the subject separators `.`, `*` or `>`.
 */
export const STREAM = 'CNX_FEED';
export const FEED_PREFIX = 'cnx.feed';
export const FEED_SUBJECTS = `${FEED_PREFIX}.>`;
/** One message per batch after all its channel messages: the publisher's durable "published through". */
export const BATCH_MARKER_SUBJECT = `${FEED_PREFIX}.batch`;
/** The private-feed publisher's state: `{clean: false}` while it runs, `{clean: true}` once it stopped having published everything. */
export const PRIVATE_MARKER_SUBJECT = `${FEED_PREFIX}.private`;
export const RPC_SNAPSHOT = 'cnx.rpc.snapshot';
export const RPC_NOTES = 'cnx.rpc.notes';
export const RPC_ORDER_ENTRY = 'cnx.rpc.order-entry';
export const RPC_PULL_QUOTES = 'cnx.rpc.pull-quotes';
/** How long JetStream remembers a message id for deduplication (a retried publish is stored once). */
export const DUPLICATE_WINDOW_NS = 3_600 * 1e9;

export type BusKind = 'book' | 'trades' | 'quotes' | 'orders' | 'executions' | 'rfqs' | 'settlements' | 'balances';
export const BUS_KINDS: readonly BusKind[] = ['book', 'trades', 'quotes', 'orders', 'executions', 'rfqs', 'settlements', 'balances'];
export const NOTE_KINDS: ReadonlySet<BusKind> = new Set(['book', 'trades', 'quotes']);
/**
 * Channels whose changes are read from the database after commits that the sequencer's batches
 * do not carry (RFQ activity, settlement, cash movements): published by party-publisher.ts.
 */
export const PARTY_KINDS: ReadonlySet<BusKind> = new Set(['rfqs', 'settlements', 'balances']);

/** The subject of a channel: `cnx.feed.<kind>.<noteId or partyId>`. */
export function channelSubject(kind: BusKind, key: string): string {
  return `${FEED_PREFIX}.${kind}.${key}`;
}

/** The channel of a subject, or null for the batch marker and anything else. */
export function parseSubject(subject: string): { kind: BusKind; key: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || `${parts[0]}.${parts[1]}` !== FEED_PREFIX) return null;
  const kind = parts[2] as BusKind;
  if (!BUS_KINDS.includes(kind)) return null;
  return { kind, key: parts[3]! };
}

/** A channel message on the bus: the channel's own seq (1, 2, 3, … per subject) and the batch it came from. */
export interface BusMessage {
  kind: BusKind;
  key: string;
  seq: number;
  /** The sequencer's lastSeq of the batch (or of the recovery boundary) the message carries. */
  batch: number;
  data: unknown;
  /** When the batch was committed (epoch ms, fractional), for the bus hop's latency; absent on recovery. */
  at?: number;
}

/** A level of a book on the bus: absolute (quantity "0" and orders 0: the level is gone). */
export interface BusLevel {
  side: 'buy' | 'sell';
  ticks: number;
  price: string;
  quantity: string;
  orders: number;
}

export interface SnapshotRequest {
  kind: BusKind;
  key: string;
  /** `rfqs` only: whether the party asks as the investor (its own RFQs) or as a dealer (those addressed to it). */
  role?: 'investor' | 'dealer';
}

export type SnapshotReply = { ok: true; seq: number; batch: number; data: unknown } | { ok: false; code: string; message: string };
