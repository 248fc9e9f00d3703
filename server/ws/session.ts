/**
 * What a connection may say and what it is answered: authentication, subscriptions, pings,
 * cancel-on-disconnect, and order entry (handed to order-ops.ts). Also expires a session whose
 * token ran out.
 *
 * Guarantees: every message is checked for rate, form and authority before it changes anything;
 * a subscribe is validated for all its channels before any is subscribed (all or nothing); bad
 * input is answered with an error on this connection only and never touches another client or
 * any trading state. A private channel is subscribed only for the party of the session's token.
 * Subscribing is rate limited per connection (every channel subscribed costs a snapshot): beyond
 * the budget a subscribe is refused, and a connection that keeps at it is handed to `onChurn`
 * (the gateway closes it).
 */
import type { RawData } from 'ws';
import { Rejection } from '../core/rejections.js';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { TokenError, type Principal } from '../auth/tokens.js';
import { authenticateToken } from './auth.js';
import { parseChannel } from './channels.js';
import type { WsClient } from './client.js';
import { subscriptionsOf } from './feed.js';
import type { FeedRequest } from './feed-keys.js';
import type { FeedHub } from './hub.js';
import type { WsLimits } from './limits.js';
import { isOrderEntry, refusal, type OrderEntryMessage, type Reply } from './order-ops.js';
import { wsErrorOf } from './errors.js';
import { errorMessage, parseClientMessage, type ClientMessage, type RequestId, type WsErrorCode } from './protocol.js';

type Subscribe = Extract<ClientMessage, { op: 'subscribe' }>;

/**
 * What sessions need of their process: token verification and the clock, and order entry — run
 * in the service (runOrderEntry), or forwarded to it over the bus by a gateway (server/bus).
 */
export interface WsServices {
  jwtSecret: string;
  clock: Clock;
  logger: Logger;
  /** One order-entry request for the session's principal; never rejects. */
  orderEntry(principal: Principal | null, message: OrderEntryMessage): Promise<Reply>;
  /** Cancel-on-disconnect: pulls all of the dealer's quotes; resolves with how many were pulled. */
  pullQuotes(partyId: string): Promise<number>;
}

class Refusal extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
    readonly channel?: string,
  ) {
    super(message);
  }
}

export class SessionHandler {
  /** Order-entry requests still running, awaited on shutdown. */
  readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly services: WsServices,
    private readonly hub: FeedHub,
    private readonly limits: WsLimits,
    private readonly guard: {
      /** The client keeps churning subscriptions: the gateway closes it. */
      onChurn: (client: WsClient) => void;
      /** False for a user closed for churn a moment ago. */
      mayAuthenticate: (client: WsClient, principal: Principal) => boolean;
    },
  ) {}

  onMessage(client: WsClient, data: RawData, isBinary: boolean): void {
    client.alive = true;
    if (!client.open) return;
    if (!client.takeMessageBudget()) {
      client.send(errorMessage('RATE_LIMITED', `more than ${this.limits.messagesPerSecond} messages per second; this one was dropped`));
      return;
    }
    if (isBinary) {
      client.send(errorMessage('MALFORMED_JSON', 'messages are JSON text frames'));
      return;
    }
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) {
      client.send(errorMessage(parsed.code, parsed.message, { id: parsed.id }));
      return;
    }
    this.expireIfDue(client);
    try {
      this.dispatch(client, parsed.message);
    } catch (error) {
      if (error instanceof Refusal) {
        client.send(
          errorMessage(error.code, error.message, { id: parsed.message.id, ...(error.channel ? { channel: error.channel } : {}) }),
        );
        return;
      }
      const code = wsErrorOf(error);
      if (code !== null) {
        client.send(errorMessage(code, (error as Error).message, { id: parsed.message.id }));
        return;
      }
      this.services.logger.error({ err: error, op: parsed.message.op }, 'a WebSocket message failed');
      client.send(errorMessage('INTERNAL', 'internal error', { id: parsed.message.id }));
    }
  }

  /** Drops the private subscriptions of a session whose token has expired, and tells it. */
  expireIfDue(client: WsClient): void {
    if (client.tokenExpiresAtSeconds === null || client.tokenExpiresAtSeconds > this.nowSeconds()) return;
    client.principal = null;
    client.tokenExpiresAtSeconds = null;
    const dropped: string[] = [];
    for (const [channel, subscription] of [...subscriptionsOf(client)]) {
      if (parseChannel(subscription.feed.channel)?.scope !== 'private') continue;
      this.hub.unsubscribe(client, channel);
      dropped.push(channel);
    }
    client.send({
      ...errorMessage('TOKEN_EXPIRED', 'the token expired: private channels were unsubscribed; send {"op":"auth"} with a new token'),
      channels: dropped,
    });
  }

  private dispatch(client: WsClient, message: ClientMessage): void {
    if (isOrderEntry(message)) {
      this.orderEntry(client, message);
      return;
    }
    switch (message.op) {
      case 'auth':
        return this.authenticate(client, message.token, message.id);
      case 'subscribe':
        return this.subscribe(client, message);
      case 'unsubscribe':
        for (const name of message.channels) {
          const channel = parseChannel(name);
          if (!channel) throw new Refusal('UNKNOWN_CHANNEL', `unknown channel ${JSON.stringify(name.slice(0, 200))}`, name);
          this.hub.unsubscribe(client, channel.name);
        }
        return;
      case 'ping':
        client.send({ op: 'pong', ...(message.id !== undefined ? { id: message.id } : {}) });
        return;
      case 'cancel_on_disconnect':
        return this.cancelOnDisconnect(client, message.enabled, message.id);
    }
  }

  private authenticate(client: WsClient, token: string, id: RequestId | undefined): void {
    let identity: ReturnType<typeof authenticateToken>;
    try {
      identity = authenticateToken(this.services.jwtSecret, token, this.nowSeconds());
    } catch (error) {
      if (error instanceof TokenError) throw new Refusal('UNAUTHENTICATED', `invalid token: ${error.message}`);
      throw error;
    }
    if (!this.guard.mayAuthenticate(client, identity.principal)) {
      throw new Refusal('RATE_LIMITED', `closed for subscription churn; authenticate again after ${this.limits.churnCooldownMs / 1000} s`);
    }
    if (client.principal && client.principal.partyId !== identity.principal.partyId) {
      throw new Refusal('FORBIDDEN', 'a connection acts for one party; open another connection for another party');
    }
    client.principal = identity.principal;
    client.tokenExpiresAtSeconds = identity.expiresAtSeconds;
    client.send({
      op: 'authenticated',
      partyId: identity.principal.partyId,
      roles: identity.principal.roles,
      expiresAt: new Date(identity.expiresAtSeconds * 1000).toISOString(),
      ...(id !== undefined ? { id } : {}),
    });
  }

  private subscribe(client: WsClient, message: Subscribe): void {
    if (message.channels.length > this.limits.channelsPerMessageMax) {
      throw new Refusal('LIMIT_EXCEEDED', `at most ${this.limits.channelsPerMessageMax} channels per message`);
    }
    const depth = message.depth ?? this.limits.bookDepthDefault;
    if (depth > this.limits.bookDepthMax) throw new Refusal('LIMIT_EXCEEDED', `book depth is at most ${this.limits.bookDepthMax}`);
    const requests = new Map<string, FeedRequest>();
    for (const name of message.channels) {
      const [channel, request] = this.resolve(client, name, depth);
      requests.set(channel, request);
    }
    const added = [...requests.keys()].filter((channel) => !subscriptionsOf(client).has(channel)).length;
    if (subscriptionsOf(client).size + added > this.limits.subscriptionsMax) {
      throw new Refusal('LIMIT_EXCEEDED', `at most ${this.limits.subscriptionsMax} subscriptions per connection`);
    }
    if (!client.takeSubscribeBudget(requests.size)) {
      if (client.refusedSubscribe()) {
        this.guard.onChurn(client);
        return;
      }
      throw new Refusal(
        'RATE_LIMITED',
        `at most ${this.limits.subscribesPerSecond} channels subscribed per second (bursts of ${this.limits.subscribeBurst}); nothing was subscribed`,
      );
    }
    if (this.hub.snapshotReadsNeeded(requests.values()) > this.hub.snapshotQueueSpace()) {
      throw new Refusal('UNAVAILABLE', 'too many snapshot reads are waiting in the service; nothing was subscribed, retry shortly');
    }
    for (const [channel, request] of requests) this.hub.subscribe(client, channel, request);
  }

  /** The feed a channel name asks for, if this session may have it. */
  private resolve(client: WsClient, name: string, depth: number): [string, FeedRequest] {
    const channel = parseChannel(name);
    if (!channel) throw new Refusal('UNKNOWN_CHANNEL', `unknown channel ${JSON.stringify(name.slice(0, 200))}`, name.slice(0, 200));
    if (channel.scope === 'public') {
      if (!this.hub.hasNote(channel.noteId)) throw new Refusal('NOTE_NOT_FOUND', `note ${channel.noteId} is not listed for trading`, name);
      const request: FeedRequest =
        channel.kind === 'book' ? { kind: 'book', noteId: channel.noteId, depth } : { kind: channel.kind, noteId: channel.noteId };
      return [channel.name, request];
    }
    const principal = client.principal;
    if (!principal) throw new Refusal('UNAUTHENTICATED', `${channel.kind} is a private channel: authenticate first`, name);
    if (channel.requestedPartyId !== null && channel.requestedPartyId !== principal.partyId) {
      throw new Refusal('FORBIDDEN', "a session sees only its own party's private channels", name);
    }
    return [channel.name, { kind: channel.kind, principal }];
  }

  private cancelOnDisconnect(client: WsClient, enabled: boolean, id: RequestId | undefined): void {
    const principal = client.principal;
    if (!principal) throw new Refusal('UNAUTHENTICATED', 'authenticate first');
    if (!principal.roles.includes('dealer')) throw new Refusal('FORBIDDEN', "cancel-on-disconnect is for dealers' quotes");
    client.cancelOnDisconnectPartyId = enabled ? principal.partyId : null;
    client.send({ op: 'reply', ...(id !== undefined ? { id } : {}), status: 200, body: { cancelOnDisconnect: enabled } });
  }

  private orderEntry(client: WsClient, message: OrderEntryMessage): void {
    if (client.requestsInFlight >= this.limits.requestsInFlightMax) {
      client.send(
        refusal(message.id, new Rejection('RATE_LIMITED', `at most ${this.limits.requestsInFlightMax} requests in flight per connection`)),
      );
      return;
    }
    client.requestsInFlight += 1;
    const running = this.services.orderEntry(client.principal, message).then((reply) => {
      client.requestsInFlight -= 1;
      client.send(reply);
    });
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  private nowSeconds(): number {
    return Math.floor(this.services.clock.now().getTime() / 1000);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
