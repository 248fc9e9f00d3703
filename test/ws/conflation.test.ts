/**
 * Conflation for a client that falls behind (but not past the hard limit): while its send buffer
 * is above the soft limit its book updates are skipped; once it drains it gets a fresh snapshot
 * whose seq shows what it skipped, and its book converges on the server's. Other clients keep
 * getting every update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, Probe, replayBook, startWsService, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;

beforeAll(async () => {
  // The client that falls behind re-subscribes a deep book hundreds of times a second to fill its
  // buffer: the subscribe rate (a churn guard, test/ws/churn.test.ts) is opened wide for it.
  t = await startWsService({
    wsLimits: {
      sendBufferSoftBytes: 16 * 1024,
      sendBufferHardBytes: 64 * 1024 * 1024,
      messagesPerSecond: 5_000,
      subscribesPerSecond: 10_000,
      subscribeBurst: 10_000,
    },
  });
  notes = await t.notes();
});
afterAll(async () => t.close());

async function restBook(noteId: string, depth: number) {
  await t.service.services.sequencer!.idle();
  const body = (
    await t.http.get(`/api/v1/notes/${noteId}/book?depth=${depth}`).set({ authorization: `Bearer ${await t.token('investor1')}` })
  ).body;
  return { bids: body.bids, asks: body.asks };
}

describe('a client behind its soft limit', () => {
  it("skips book updates, then gets a snapshot with the current seq and converges on the server's book", async () => {
    const deep = notes['A-2']!;
    const watched = notes['B']!;
    const maker = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    const placed = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        maker.request({
          op: 'order',
          id: `deep-${i}`,
          order: { clOrdId: `deep-${i}`, noteId: deep, side: 'buy', type: 'limit', price: (80 + i / 16).toString(), quantity: '100000' },
        }),
      ),
    );
    expect(placed.every((reply) => reply.status === 201)).toBe(true);

    const punctual = await Probe.open(t.wsUrl);
    punctual.send({ op: 'subscribe', channels: [`book:${watched}`], depth: 50 });
    await punctual.waitFor((m) => m.type === 'snapshot');
    const behind = await Probe.open(t.wsUrl);
    behind.send({ op: 'subscribe', channels: [`book:${watched}`, `book:${deep}`], depth: 500 });
    await behind.waitFor((m) => m.channel === `book:${deep}` && m.type === 'snapshot');
    const socket = (behind.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // Fill its send buffer: the kernel's socket buffers first (a few MB on loopback), then ours.
    for (let i = 0; i < 500; i++) {
      behind.send({ op: 'subscribe', channels: [`book:${deep}`], depth: 500 });
      await delay(2);
    }
    const trader = await Probe.open(t.wsUrl, { token: await t.token('investor2') });
    for (let i = 0; i < 10; i++) {
      const reply = await trader.request({
        op: 'order',
        id: `w-${i}`,
        order: { clOrdId: `w-${i}`, noteId: watched, side: 'buy', type: 'limit', price: (97 + i / 8).toString(), quantity: '100000' },
      });
      expect(reply.status).toBe(201);
    }
    const expected = await restBook(watched, 50);
    await punctual.waitFor(() => JSON.stringify(replayBook(punctual.channel(`book:${watched}`))).includes(expected.bids[0].price));
    socket.resume();

    await behind.waitFor(
      () => {
        const book = replayBook(behind.channel(`book:${watched}`));
        return JSON.stringify({ bids: book.bids, asks: book.asks }) === JSON.stringify(expected);
      },
      { timeoutMs: 20_000 },
    );
    const watchedMessages = behind.channel(`book:${watched}`);
    const snapshots = watchedMessages.filter((m) => m.type === 'snapshot');
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    const catchUp = watchedMessages.indexOf(snapshots.at(-1)!);
    const previousSeq = watchedMessages[catchUp - 1]!.seq;
    expect(snapshots.at(-1)!.seq).toBeGreaterThan(previousSeq + 1);
    expect(watchedMessages.filter((m) => m.type === 'update').length).toBeLessThan(
      punctual.channel(`book:${watched}`).filter((m) => m.type === 'update').length,
    );
    const punctualBook = replayBook(punctual.channel(`book:${watched}`));
    expect({ bids: punctualBook.bids, asks: punctualBook.asks }).toEqual(expected);
    expect(behind.ws.readyState).toBe(behind.ws.OPEN);
    for (const probe of [maker, punctual, behind, trader]) probe.close();
  });
});
