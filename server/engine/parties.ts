/**
 * The parties the engine has seen: party id (string) → small integer, interned on first use and
 * never forgotten (parties are few and long-lived). Per party: the head and tail of its list of
 * live orders (in acceptance order, linked through the order pool) and its open-order count.
 *
 * The lookup is a Map, unlike the order index (see order-index.ts): parties are never removed, so
 * it neither churns nor makes garbage once a party is known, and V8 hashes the key natively and
 * keeps the hash in the string, which costs less per command than hashing it in JavaScript. Any
 * string is a valid key (`__proto__`, `toString`, ...). Integers make self-trade checks an
 * integer compare.
 */
import { LAYOUT } from './order-pool.js';

const { NIL } = LAYOUT;

export class PartyTable {
  readonly ids: string[] = [];
  head = new Int32Array(64).fill(NIL);
  tail = new Int32Array(64).fill(NIL);
  open = new Int32Array(64);
  private readonly byId = new Map<string, number>();

  get count(): number {
    return this.ids.length;
  }

  /** The party's index, or NIL if it has never been seen. */
  find(partyId: string): number {
    const party = this.byId.get(partyId);
    return party === undefined ? NIL : party;
  }

  intern(partyId: string): number {
    const party = this.byId.get(partyId);
    return party === undefined ? this.add(partyId) : party;
  }

  /** First sight of a party: give it the next index. */
  private add(partyId: string): number {
    const party = this.ids.length;
    if (party === this.head.length) this.growParties(party * 2);
    this.ids.push(partyId);
    this.byId.set(partyId, party);
    return party;
  }

  private growParties(capacity: number): void {
    this.head = grow(this.head, capacity, NIL);
    this.tail = grow(this.tail, capacity, NIL);
    this.open = grow(this.open, capacity, 0);
  }
}

function grow(array: Int32Array, capacity: number, fill: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity).fill(fill);
  grown.set(array);
  return grown;
}
