/**
 * What a subscription asks for, and the key of the feed that serves it: one feed per note and
 * depth for books, per note for tapes and quotes, per party for private channels (and per party
 * and role for RFQs, which an investor and a dealer see differently).
 */
import type { Principal } from '../auth/tokens.js';
import type { PrivateKind } from './channels.js';

export type FeedRequest =
  | { kind: 'book'; noteId: string; depth: number }
  | { kind: 'trades' | 'quotes'; noteId: string }
  | { kind: PrivateKind; principal: Principal };

export function rfqRole(principal: Principal): 'investor' | 'dealer' {
  return principal.roles.includes('investor') ? 'investor' : 'dealer';
}

export function privateKey(kind: PrivateKind, partyId: string): string {
  return `${kind}@${partyId}`;
}

export function feedKey(request: FeedRequest): string {
  switch (request.kind) {
    case 'book':
      return `book:${request.noteId}#${request.depth}`;
    case 'trades':
    case 'quotes':
      return `${request.kind}:${request.noteId}`;
    case 'rfqs':
      return `${privateKey('rfqs', request.principal.partyId)}#${rfqRole(request.principal)}`;
    default:
      return privateKey(request.kind, request.principal.partyId);
  }
}
