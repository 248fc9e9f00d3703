/**
 * The wire protocol of `/ws` (API.md): the client messages and their schemas, the server messages,
 * the WebSocket error codes and close codes, and the one function that frames a server message.
 *
 * Guarantees: a client message reaches the session only after it parsed as JSON and matched its
 * op's schema completely; every refusal carries a stable code from WS_ERROR_CODES. Order entry
 * answers with the REST status and body instead (order-ops.ts), so its codes are the REST codes.
 */
import { z } from 'zod';

/** Codes of `{"op":"error"}` messages. Shared meanings with REST where the names are shared. */
export const WS_ERROR_CODES = [
  'MALFORMED_JSON', // not JSON text, or a binary frame
  'VALIDATION_FAILED', // JSON, but not a valid message for its op
  'UNKNOWN_OP',
  'UNKNOWN_CHANNEL',
  'NOTE_NOT_FOUND', // book:/trades:/quotes: of a note that is not listed for trading
  'UNAUTHENTICATED', // a private channel or order entry without a valid token
  'TOKEN_EXPIRED', // the session's token expired: private subscriptions were dropped
  'FORBIDDEN', // another party's private channel, or a role that may not do this
  'LIMIT_EXCEEDED', // too many subscriptions, channels in one message, or too deep a book
  'RATE_LIMITED', // too many messages per second, channels subscribed per second, or requests in flight
  'SUBSCRIPTION_CHURN', // kept subscribing beyond the rate after being throttled; the connection closes (1008)
  'SLOW_CONSUMER', // the client fell behind its send buffer; the connection closes
  'UNAVAILABLE', // the service is starting or shutting down, too many snapshot reads are waiting, or a snapshot could not be read
  'INTERNAL',
] as const;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  /** Policy violation: the client kept churning subscriptions (SUBSCRIPTION_CHURN). */
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  /** "Try again later": the client fell behind (SLOW_CONSUMER). */
  slowConsumer: 1013,
} as const;

const requestId = z.union([z.string().min(1).max(64), z.number().int().safe()]);
export type RequestId = z.infer<typeof requestId>;
const channelList = z.array(z.string().min(1).max(200)).min(1);

export const clientMessage = z.discriminatedUnion('op', [
  z.object({ op: z.literal('auth'), token: z.string().min(1).max(4096), id: requestId.optional() }).strict(),
  z
    .object({ op: z.literal('subscribe'), channels: channelList, depth: z.number().int().min(1).optional(), id: requestId.optional() })
    .strict(),
  z.object({ op: z.literal('unsubscribe'), channels: channelList, id: requestId.optional() }).strict(),
  z.object({ op: z.literal('ping'), id: requestId.optional() }).strict(),
  z.object({ op: z.literal('order'), id: requestId, order: z.unknown() }).strict(),
  z.object({ op: z.literal('cancel'), id: requestId, orderId: z.unknown() }).strict(),
  z
    .object({
      op: z.literal('replace'),
      id: requestId,
      orderId: z.unknown(),
      price: z.unknown().optional(),
      quantity: z.unknown().optional(),
    })
    .strict(),
  z.object({ op: z.literal('quotes'), id: requestId, quotes: z.unknown(), postOnly: z.unknown().optional() }).strict(),
  z.object({ op: z.literal('pull_quotes'), id: requestId }).strict(),
  z.object({ op: z.literal('cancel_on_disconnect'), enabled: z.boolean(), id: requestId.optional() }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessage>;
export const CLIENT_OPS: ReadonlySet<string> = new Set(clientMessage.options.map((option) => option.shape.op.value));

export type ParsedMessage = { ok: true; message: ClientMessage } | { ok: false; code: WsErrorCode; message: string; id?: RequestId };

/** Parses one text frame into a client message, or the error to answer with. */
export function parseClientMessage(text: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'MALFORMED_JSON', message: 'a message must be one JSON object' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'VALIDATION_FAILED', message: 'a message must be a JSON object with an "op"' };
  }
  const record = value as Record<string, unknown>;
  const id = requestId.safeParse(record.id);
  const echo = id.success ? { id: id.data } : {};
  if (typeof record.op !== 'string' || !CLIENT_OPS.has(record.op)) {
    return { ok: false, code: 'UNKNOWN_OP', message: `unknown op ${JSON.stringify(String(record.op)).slice(0, 80)}`, ...echo };
  }
  const parsed = clientMessage.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      code: 'VALIDATION_FAILED',
      message: `invalid ${record.op} message${first ? `: ${first.path.join('.') || '(root)'}: ${first.message}` : ''}`,
      ...echo,
    };
  }
  return { ok: true, message: parsed.data };
}

export interface ErrorMessage {
  op: 'error';
  code: WsErrorCode;
  message: string;
  id?: RequestId;
  channel?: string;
}

export function errorMessage(
  code: WsErrorCode,
  message: string,
  extra: { id?: RequestId | undefined; channel?: string } = {},
): ErrorMessage {
  return {
    op: 'error',
    code,
    message,
    ...(extra.id !== undefined ? { id: extra.id } : {}),
    ...(extra.channel !== undefined ? { channel: extra.channel } : {}),
  };
}

export type ChannelMessageType = 'snapshot' | 'update';

/**
 * A channel message serialised once, shared by every subscriber that gets it: serialising per
 * client cannot scale to thousands. Its own text frame (header and payload) is built on first use;
 * clients in batch mode get it inside a cycle's array frame instead (batchFrame).
 */
export class ChannelPayload {
  private framed: Buffer | null = null;

  constructor(readonly json: Buffer) {}

  get frame(): Buffer {
    this.framed ??= frameOf([this.json]);
    return this.framed;
  }
}

export function channelPayload(channel: string, type: ChannelMessageType, seq: number, data: unknown): ChannelPayload {
  return new ChannelPayload(Buffer.from(JSON.stringify({ channel, type, seq, data })));
}

const OPEN_BRACKET = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE_BRACKET = Buffer.from(']');

/** One text frame whose payload is the JSON array of the messages, in order. */
export function batchFrame(payloads: readonly ChannelPayload[]): Buffer {
  const parts: Buffer[] = [OPEN_BRACKET];
  payloads.forEach((payload, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(payload.json);
  });
  parts.push(CLOSE_BRACKET);
  return frameOf(parts);
}

/** One server message as an unmasked text frame: the JSON written straight behind the header, one buffer, one write. */
export function textFrame(message: object): Buffer {
  const text = JSON.stringify(message);
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(headerLengthOf(length) + length);
  frame.write(text, writeHeader(frame, length));
  return frame;
}

function headerLengthOf(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes a final text frame's header for a payload of `length` bytes; returns the header's length. */
function writeHeader(frame: Buffer, length: number): number {
  const headerLength = headerLengthOf(length);
  frame[0] = 0x81;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  return headerLength;
}

/** An unmasked, final text frame (RFC 6455 §5.2) whose payload is the parts, as a server sends it. */
export function frameOf(parts: readonly Buffer[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const frame = Buffer.allocUnsafe(headerLengthOf(length) + length);
  let offset = writeHeader(frame, length);
  for (const part of parts) offset += part.copy(frame, offset);
  return frame;
}
