/**
 * The parties the engine has seen: party id (string) → small integer, interned on first use and
 * never forgotten (parties are few and long-lived). Per party: the head and tail of its list of
 * live orders (in acceptance order, linked through the order pool) and its open-order count.
 *
 * The lookup is an open-addressing table like the order index (see order-index.ts): one string
 * hash per lookup, no garbage. Integers make self-trade checks an integer compare.
 */
import { LAYOUT } from './order-pool.js';
import { hashId } from './order-index.js';

const { NIL } = LAYOUT;

export class PartyTable {
  readonly ids: string[] = [];
  head = new Int32Array(64).fill(NIL);
  tail = new Int32Array(64).fill(NIL);
  open = new Int32Array(64);
  private hashes = new Int32Array(64);
  private table = new Int32Array(128).fill(NIL);
  private mask = 127;

  get count(): number {
    return this.ids.length;
  }

  /** The party's index, or NIL if it has never been seen. */
  find(partyId: string): number {
    const hash = hashId(partyId);
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const party = this.table[i]!;
      if (party === NIL) return NIL;
      if (this.hashes[party] === hash && this.ids[party] === partyId) return party;
      i = (i + 1) & mask;
    }
  }

  intern(partyId: string): number {
    const hash = hashId(partyId);
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const party = this.table[i]!;
      if (party === NIL) return this.add(partyId, hash, i);
      if (this.hashes[party] === hash && this.ids[party] === partyId) return party;
      i = (i + 1) & mask;
    }
  }

  /** First sight of a party: give it the next index, at the empty table position `at`. */
  private add(partyId: string, hash: number, at: number): number {
    const party = this.ids.length;
    if (party === this.head.length) this.growParties(party * 2);
    this.ids.push(partyId);
    this.hashes[party] = hash;
    this.table[at] = party;
    if (this.ids.length * 2 > this.table.length) this.growTable();
    return party;
  }

  private growParties(capacity: number): void {
    this.head = grow(this.head, capacity, NIL);
    this.tail = grow(this.tail, capacity, NIL);
    this.open = grow(this.open, capacity, 0);
    this.hashes = grow(this.hashes, capacity, 0);
  }

  private growTable(): void {
    this.table = new Int32Array(this.table.length * 2).fill(NIL);
    this.mask = this.table.length - 1;
    for (let party = 0; party < this.ids.length; party++) {
      let i = this.hashes[party]! & this.mask;
      while (this.table[i] !== NIL) i = (i + 1) & this.mask;
      this.table[i] = party;
    }
  }
}

function grow(array: Int32Array, capacity: number, fill: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity).fill(fill);
  grown.set(array);
  return grown;
}
