/**
 * The SDK's WebSocket client (client/sdk/ws) against the real service: its local book equals the
 * REST book after a stream of orders, cancels and trades; after a gap it resubscribes and after a
 * dropped connection it reconnects, and either way it ends with a book identical to the server's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CnxSocket, type SocketLike } from '../../client/sdk/ws/index.js';
import { delay, startWsService, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  t = await startWsService();
  notes = await t.notes();
});
afterAll(async () => t.close());

/** A real `ws` socket; `dropNext` loses the next book update on its way in, as a broken network path would. */
function socketFactory(control: { dropNext: boolean; sockets: WebSocket[] }) {
  return (url: string): SocketLike => {
    const ws = new WebSocket(url);
    control.sockets.push(ws);
    const socket = ws as unknown as SocketLike;
    let handler: SocketLike['onmessage'] = null;
    Object.defineProperty(socket, 'onmessage', {
      get: () => handler,
      set: (next: SocketLike['onmessage']) => {
        handler = next;
        ws.removeAllListeners('message');
        ws.on('message', (data) => {
          const text = data.toString();
          if (control.dropNext && text.includes('"type":"update"') && text.includes('"channel":"book:')) {
            control.dropNext = false;
            return;
          }
          handler?.({ data: text });
        });
      },
    });
    return socket;
  };
}

async function restBook(noteId: string) {
  await t.service.services.sequencer!.idle();
  const body = (await t.http.get(`/api/v1/notes/${noteId}/book?depth=100`).set({ authorization: `Bearer ${await t.token('investor1')}` }))
    .body;
  return { bids: body.bids, asks: body.asks };
}

async function converged(client: CnxSocket, noteId: string): Promise<void> {
  const expected = JSON.stringify(await restBook(noteId));
  for (let i = 0; i < 200; i++) {
    const book = client.book(noteId);
    if (book && client.seqOf(`book:${noteId}`) !== null && JSON.stringify({ bids: book.bids, asks: book.asks }) === expected) return;
    await delay(25);
  }
  const book = client.book(noteId)!;
  expect({ bids: book.bids, asks: book.asks }).toEqual(JSON.parse(expected));
}

/** A burst of resting orders, cancels and crossing trades on a note, over the SDK's own order entry. */
async function churn(trader: CnxSocket, dealer: CnxSocket, noteId: string, rounds: number): Promise<void> {
  const resting: string[] = [];
  for (let i = 0; i < rounds; i++) {
    counter += 1;
    const price = (95 + (counter % 24) / 8).toString();
    const reply = await trader.placeOrder({ clOrdId: `sdk-${counter}`, noteId, side: 'buy', type: 'limit', price, quantity: '100000' });
    expect(reply.status).toBe(201);
    resting.push((reply.body as { order: { id: string } }).order.id);
    // 409 when a crossing sell already filled it.
    if (i % 3 === 2) expect([200, 409]).toContain((await trader.cancelOrder(resting.shift()!)).status);
    if (i % 5 === 4) {
      const sell = await dealer.placeOrder({
        clOrdId: `sdk-s-${counter}`,
        noteId,
        side: 'sell',
        type: 'limit',
        price: '95',
        quantity: '100000',
        timeInForce: 'IOC',
      });
      expect(sell.status).toBe(201);
    }
  }
}

async function connect(username: string, control = { dropNext: false, sockets: [] as WebSocket[] }) {
  const client = new CnxSocket({
    url: t.wsUrl,
    token: await t.token(username),
    createSocket: socketFactory(control),
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  await client.connect();
  return { client, control };
}

describe('the SDK WebSocket client', () => {
  it('keeps a local book equal to the REST book through orders, cancels and trades', async () => {
    const noteId = notes['B']!;
    const { client: watcher } = await connect('investor2');
    watcher.subscribe([`book:${noteId}`, `trades:${noteId}`], { depth: 100 });
    const { client: trader } = await connect('investor1');
    const { client: dealer } = await connect('dealer1');
    const trades: unknown[] = [];
    watcher.on('update', (message) => {
      if (message.channel.startsWith('trades:')) trades.push(...(message.data as { trades: unknown[] }).trades);
    });
    await churn(trader, dealer, noteId, 30);
    await converged(watcher, noteId);
    expect(watcher.gaps).toBe(0);
    expect(trades.length).toBeGreaterThan(0);
    for (const client of [watcher, trader, dealer]) client.close();
  });

  it("resubscribes after a gap and ends with the server's book", async () => {
    const noteId = notes['C']!;
    const { client: watcher, control } = await connect('investor2');
    watcher.subscribe([`book:${noteId}`], { depth: 100 });
    const { client: trader } = await connect('investor1');
    const { client: dealer } = await connect('dealer1');
    const gaps: unknown[] = [];
    watcher.on('gap', (gap) => gaps.push(gap));
    await churn(trader, dealer, noteId, 5);
    control.dropNext = true;
    await churn(trader, dealer, noteId, 15);
    await converged(watcher, noteId);
    expect(gaps).toHaveLength(1);
    expect(watcher.gaps).toBe(1);
    for (const client of [watcher, trader, dealer]) client.close();
  });

  it("reconnects after the connection drops, resubscribes, and ends with the server's book", async () => {
    const noteId = notes['Senior']!;
    const { client: watcher, control } = await connect('investor2');
    watcher.subscribe([`book:${noteId}`], { depth: 100 });
    const { client: trader } = await connect('investor1');
    const { client: dealer } = await connect('dealer2');
    await churn(trader, dealer, noteId, 5);
    control.sockets.at(-1)!.terminate();
    await churn(trader, dealer, noteId, 10);
    await converged(watcher, noteId);
    expect(watcher.reconnects).toBeGreaterThanOrEqual(1);
    expect(watcher.connected).toBe(true);
    for (const client of [watcher, trader, dealer]) client.close();
  });
});
