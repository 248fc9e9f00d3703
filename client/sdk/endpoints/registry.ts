/**
 * On-chain registry endpoints of ComputeNotesClient (back office): the registry's status and
 * outbox, party addresses, and repairs by forced transfer or address recovery.
 */
import { queryString, segment } from '../http.js';
import type {
  ForcedTransferInput,
  OutboxKind,
  OutboxRow,
  OutboxStatus,
  PartyAddress,
  RecoveryInput,
  RecoveryResult,
  RegistryStatus,
} from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the on-chain registry endpoints to a client class. */
export function withRegistry<TBase extends ClientBase>(Base: TBase) {
  return class RegistryEndpoints extends Base {
    registryStatus(): Promise<RegistryStatus> {
      return this.http.request('GET', '/api/v1/registry/status');
    }

    /** Outbox rows in publication order, or newest first with `order: 'desc'`; `afterId` pages in the order asked for. */
    registryOutbox(
      query: { status?: OutboxStatus; kind?: OutboxKind; afterId?: string; order?: 'asc' | 'desc'; limit?: number } = {},
    ): Promise<OutboxRow[]> {
      return this.http.request('GET', `/api/v1/registry/outbox${queryString(query)}`);
    }

    registryAddresses(): Promise<PartyAddress[]> {
      return this.http.request('GET', '/api/v1/registry/addresses');
    }

    /** A party's holder address, before its first movement on chain (afterwards: `recoverPartyAddress`). */
    setPartyAddress(partyId: string, address: string): Promise<PartyAddress> {
      return this.http.request('PUT', `/api/v1/registry/parties/${segment(partyId)}/address`, { body: { address } });
    }

    /** Repairs a break: moves notes on chain between two parties, with a reason code. */
    forcedTransfer(input: ForcedTransferInput, idempotencyKey?: string): Promise<OutboxRow> {
      return this.http.request('POST', '/api/v1/registry/forced-transfers', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
    }

    /** Moves a party's notes on chain from its lost (or compromised) address to a new one, with a reason code. */
    recoverPartyAddress(partyId: string, input: RecoveryInput, idempotencyKey?: string): Promise<RecoveryResult> {
      return this.http.request('POST', `/api/v1/registry/parties/${segment(partyId)}/recover`, {
        body: input,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
    }
  };
}
