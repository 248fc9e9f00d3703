/**
 * An in-process publish/subscribe bus for things that happened and were committed: RFQ activity
 * and settlement state changes, which do not pass through the sequencer's batches. Publishers
 * call it only after their transaction committed; subscribers (the WebSocket feeds) must not
 * throw and must not block — a failing subscriber is isolated and logged by the caller's logger.
 *
 * Beyond one process, this is the seam where a broker (NATS, Redis) would sit (DESIGN.md).
 */
import type { InstructionView } from '../settlement/queries.js';

export interface RfqActivity {
  kind: 'rfq_created' | 'rfq_response' | 'rfq_done' | 'rfq_expired';
  rfqId: string;
  /** Parties that may see this activity: the investor and the addressed dealers. */
  partyIds: string[];
  /** The RFQ as each party sees it: by party id. */
  views: Map<string, unknown>;
}

/** One instruction changed (e.g. cancelled by the back office): as GET /settlements shows it. */
export interface SettlementActivity {
  kind: 'settlement_changed';
  /** The parties of the instruction. */
  partyIds: string[];
  instruction: InstructionView;
}

/** A settlement run finished: what it settled carries its id, what failed the run's date. */
export interface SettlementRunActivity {
  kind: 'settlement_run';
  runId: string;
  date: string;
}

/** Trades re-amounted at a new factor: each party's executions, as GET /executions shows them. */
export interface ExecutionsAdjustedActivity {
  kind: 'executions_adjusted';
  /** party id → its views of the re-amounted trades. */
  views: Map<string, unknown[]>;
}

/** Balances moved outside trading and settlement (a deposit, a withdrawal): the parties whose balances changed. */
export interface BalancesActivity {
  kind: 'balances_changed';
  partyIds: string[];
}

export type BusEvent = RfqActivity | SettlementActivity | SettlementRunActivity | ExecutionsAdjustedActivity | BalancesActivity;

export class EventBus {
  private readonly subscribers = new Set<(event: BusEvent) => void>();

  subscribe(subscriber: (event: BusEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  publish(event: BusEvent, onError: (error: unknown) => void = () => undefined): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(event);
      } catch (error) {
        onError(error);
      }
    }
  }
}
