/**
 * Channel names of `/ws` and what each needs: public market data per note (`book:<noteId>`,
 * `trades:<noteId>`, `quotes:<noteId>`) and the connected party's private feeds (`orders`,
 * `executions`, `rfqs`, `settlements`, `balances`). A private channel may also be named with a party id
 * suffix (`orders:<partyId>`); only the connected party's own id is accepted.
 *
 * Guarantees: parsing is pure and total (an unknown name is null, never an exception); a private
 * channel is always keyed by the party of the token, never by what the client wrote.
 */
export const PUBLIC_KINDS = ['book', 'trades', 'quotes'] as const;
export const PRIVATE_KINDS = ['orders', 'executions', 'rfqs', 'settlements', 'balances'] as const;
export type PublicKind = (typeof PUBLIC_KINDS)[number];
export type PrivateKind = (typeof PRIVATE_KINDS)[number];

export type ChannelName =
  | { scope: 'public'; kind: PublicKind; noteId: string; name: string }
  | { scope: 'private'; kind: PrivateKind; requestedPartyId: string | null; name: PrivateKind };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isPublicKind(kind: string): kind is PublicKind {
  return (PUBLIC_KINDS as readonly string[]).includes(kind);
}

function isPrivateKind(kind: string): kind is PrivateKind {
  return (PRIVATE_KINDS as readonly string[]).includes(kind);
}

/**
 * The channel a name stands for, or null when the name is not a channel. Public channels keep
 * the name as subscribed; private ones are named by their kind alone.
 */
export function parseChannel(name: string): ChannelName | null {
  const colon = name.indexOf(':');
  const kind = colon < 0 ? name : name.slice(0, colon);
  const rest = colon < 0 ? null : name.slice(colon + 1);
  if (isPublicKind(kind)) {
    if (rest === null || !UUID_PATTERN.test(rest)) return null;
    return { scope: 'public', kind, noteId: rest, name };
  }
  if (isPrivateKind(kind)) {
    if (rest !== null && (rest.length === 0 || rest.length > 100)) return null;
    return { scope: 'private', kind, requestedPartyId: rest, name: kind };
  }
  return null;
}
