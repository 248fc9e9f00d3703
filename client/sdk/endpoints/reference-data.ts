/**
 * Reference-data endpoints of ComputeNotesClient: deals, notes (with halts and price bands), parties
 * and the dealer list.
 */
import { queryString, segment } from '../http.js';
import type { Deal, DealInput, Note, NoteInput, Party, PriceBand } from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the reference-data endpoints to a client class. */
export function withReferenceData<TBase extends ClientBase>(Base: TBase) {
  return class ReferenceDataEndpoints extends Base {
    deals(): Promise<Deal[]> {
      return this.http.request('GET', '/api/v1/deals');
    }

    deal(id: string): Promise<Deal> {
      return this.http.request('GET', `/api/v1/deals/${segment(id)}`);
    }

    createDeal(input: DealInput, idempotencyKey?: string): Promise<Deal> {
      return this.http.request('POST', '/api/v1/deals', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
    }

    notes(query: { dealId?: string } = {}): Promise<Note[]> {
      return this.http.request('GET', `/api/v1/notes${queryString(query)}`);
    }

    note(id: string): Promise<Note> {
      return this.http.request('GET', `/api/v1/notes/${segment(id)}`);
    }

    createNote(input: NoteInput, idempotencyKey?: string): Promise<Note> {
      return this.http.request('POST', '/api/v1/notes', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
    }

    haltNote(id: string): Promise<Note> {
      return this.http.request('POST', `/api/v1/notes/${segment(id)}/halt`);
    }

    resumeNote(id: string): Promise<Note> {
      return this.http.request('POST', `/api/v1/notes/${segment(id)}/resume`);
    }

    parties(): Promise<Party[]> {
      return this.http.request('GET', '/api/v1/parties');
    }

    /** The note's price band: prices outside [low, high] are refused with PRICE_OUTSIDE_BAND. */
    priceBand(noteId: string): Promise<PriceBand> {
      return this.http.request('GET', `/api/v1/notes/${segment(noteId)}/price-band`);
    }

    /** Set a note's price band half-width in points (operator). */
    setPriceBand(noteId: string, widthPoints: string): Promise<PriceBand> {
      return this.http.request('PUT', `/api/v1/notes/${segment(noteId)}/price-band`, { body: { widthPoints } });
    }

    /** Eligible dealers by id and name (any user). */
    dealers(): Promise<{ id: string; name: string }[]> {
      return this.http.request('GET', '/api/v1/dealers');
    }

    party(id: string): Promise<Party> {
      return this.http.request('GET', `/api/v1/parties/${segment(id)}`);
    }

    createParty(input: { name: string; kind: Party['kind']; eligible?: boolean }, idempotencyKey?: string): Promise<Party> {
      return this.http.request('POST', '/api/v1/parties', { body: input, ...(idempotencyKey ? { idempotencyKey } : {}) });
    }

    setPartyEligibility(id: string, eligible: boolean): Promise<Party> {
      return this.http.request('PATCH', `/api/v1/parties/${segment(id)}`, { body: { eligible } });
    }
  };
}
