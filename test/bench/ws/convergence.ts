/**
 * The end of a bench:ws round: do the SDK clients hold the REST book on every note, and is every
 * subscriber, light or SDK, on the newest seq of every channel?
 */
import type { Note } from './plan.js';

export type BooksReply = {
  books: Record<string, Record<string, number>>;
  finalSeqs: Record<string, number>;
  reconnects: number;
  gaps: number;
};
export type Converged = { booksEqual: number; current: number; gaps: number; reconnects: number };

/** How many SDK clients hold the REST book on every note, and how many subscribers are on the newest seq of every channel. */
export async function convergence(
  replies: BooksReply[],
  notes: readonly Note[],
  restBook: (noteId: string) => PromiseLike<{ body: { bids: unknown; asks: unknown } }>,
): Promise<Converged> {
  const books: Record<string, Record<string, number>> = {};
  const finalSeqs = new Map<string, number>();
  let reconnects = 0;
  let gaps = 0;
  for (const reply of replies) {
    reconnects += reply.reconnects;
    gaps += reply.gaps;
    for (const [seqs, count] of Object.entries(reply.finalSeqs)) finalSeqs.set(seqs, (finalSeqs.get(seqs) ?? 0) + count);
    for (const [noteId, counts] of Object.entries(reply.books)) {
      const merged = (books[noteId] ??= {});
      for (const [book, count] of Object.entries(counts)) merged[book] = (merged[book] ?? 0) + count;
    }
  }
  let booksEqual = Number.POSITIVE_INFINITY;
  for (const note of notes) {
    const rest = (await restBook(note.id)).body;
    booksEqual = Math.min(booksEqual, books[note.id]?.[JSON.stringify({ bids: rest.bids, asks: rest.asks })] ?? 0);
  }
  // Every subscriber, light or SDK, must end on the same seq on every channel: the newest.
  const lists = [...finalSeqs].map(([seqs, count]) => [JSON.parse(seqs) as number[], count] as const);
  const newest = lists.reduce((max: number[], [seqs]) => seqs.map((seq, i) => Math.max(seq, max[i] ?? -1)), []);
  const current = lists.filter(([seqs]) => seqs.every((seq, i) => seq === newest[i])).reduce((sum, [, count]) => sum + count, 0);
  return { booksEqual, current, gaps, reconnects };
}
