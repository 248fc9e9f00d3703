/**
 * One WebSocket connection as the gateway sees it: who it is (the principal of its token and when
 * that expires), its cancel-on-disconnect wish, its message-rate budget and
 * requests in flight, and the scratch space the hub uses while fanning a cycle out.
 *
 * Guarantees: nothing is written to a connection that is closing or closed; every direct send
 * checks the send buffer and reports a client past its hard limit instead of queueing more.
 * Never: block on the network — writes go to the socket's buffer and the hub watches its size.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Principal } from '../auth/tokens.js';
import type { WsLimits } from './limits.js';
import { textFrame } from './protocol.js';

export class WsClient {
  private static nextId = 1;
  readonly id = WsClient.nextId++;
  principal: Principal | null = null;
  /** `exp` of the token, in seconds since the epoch. */
  tokenExpiresAtSeconds: number | null = null;
  /** Answered the last heartbeat ping (or sent anything since). */
  alive = true;
  closed = false;
  /** The party whose quotes are pulled when this connection ends (set by cancel_on_disconnect). */
  cancelOnDisconnectPartyId: string | null = null;
  requestsInFlight = 0;
  private messageBudget: number;
  private budgetAtMs: number;
  private subscribeBudget: number;
  private subscribeBudgetAtMs: number;
  /** Subscribes refused for rate in the current churn window, and when that window began. */
  private refusals = 0;
  private refusalsSinceMs = 0;

  // Scratch of the hub's fan-out cycle.
  cycle = -1;
  /** This cycle's channel messages so far (the fan-out's MessageSet, shared with other clients). */
  messages: object | null = null;
  /** This cycle's frames include an update (not only snapshots). */
  updated = false;
  congestionCycle = -1;
  congested = false;
  /** When the unanswered lag probe was sent (performance.now()), or null. */
  lagProbeSentAtMs: number | null = null;
  lastLagProbeAtMs = 0;

  constructor(
    readonly ws: WebSocket,
    /** The TCP socket under `ws`: channel frames are written to it directly, prebuilt. */
    readonly socket: Duplex,
    readonly address: string,
    /** Channel messages of a cycle arrive as one JSON array per frame (`/ws?frames=batch`). */
    readonly batchFrames: boolean,
    private readonly limits: WsLimits,
    private readonly onOverflow: (client: WsClient) => void,
  ) {
    this.messageBudget = limits.messagesPerSecond;
    this.budgetAtMs = performance.now();
    this.subscribeBudget = limits.subscribeBurst;
    this.subscribeBudgetAtMs = this.budgetAtMs;
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Bytes accepted for sending that the peer has not taken yet (beyond what the kernel holds). */
  get unsentBytes(): number {
    return this.ws.bufferedAmount;
  }

  get partyId(): string | null {
    return this.principal?.partyId ?? null;
  }

  /** Sends one protocol message (replies, errors, pongs) as its own frame. */
  send(message: object): void {
    if (!this.open) return;
    if (this.unsentBytes > this.limits.sendBufferHardBytes) {
      this.onOverflow(this);
      return;
    }
    // Framed here and written in one piece (ws would write header and payload as two buffers, a
    // writev): replies and errors are the other half of the traffic under order entry.
    this.socket.write(textFrame(message));
  }

  /** Writes prebuilt frames (channel messages, maybe a lag probe behind them) in one write; the caller checked the buffer. */
  writeFrames(frames: Buffer): void {
    if (this.open) this.socket.write(frames);
  }

  /** Takes one message from the per-second budget; false when the client is over its rate. */
  takeMessageBudget(): boolean {
    const now = performance.now();
    const rate = this.limits.messagesPerSecond;
    this.messageBudget = Math.min(rate, this.messageBudget + ((now - this.budgetAtMs) * rate) / 1000);
    this.budgetAtMs = now;
    if (this.messageBudget < 1) return false;
    this.messageBudget -= 1;
    return true;
  }

  /**
   * Takes `channels` from the subscribe budget (each subscribed channel costs a snapshot); false,
   * taking nothing, when the client is over its rate.
   */
  takeSubscribeBudget(channels: number): boolean {
    const now = performance.now();
    const rate = this.limits.subscribesPerSecond;
    this.subscribeBudget = Math.min(this.limits.subscribeBurst, this.subscribeBudget + ((now - this.subscribeBudgetAtMs) * rate) / 1000);
    this.subscribeBudgetAtMs = now;
    if (this.subscribeBudget < channels) return false;
    this.subscribeBudget -= channels;
    return true;
  }

  /** Counts a subscribe refused for rate; true when the client keeps churning and must be closed. */
  refusedSubscribe(): boolean {
    const now = performance.now();
    if (now - this.refusalsSinceMs > this.limits.churnWindowMs) {
      this.refusals = 0;
      this.refusalsSinceMs = now;
    }
    this.refusals += 1;
    return this.refusals > this.limits.churnRefusalsMax;
  }
}
