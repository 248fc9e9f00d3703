/**
 * Public market data over /ws: a snapshot first, then updates whose seq rises by one, built from
 * committed batches only; the book a client rebuilds equals the REST book at every depth, levels
 * that move into a shallow window included; the tape and the dealers' quotes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Probe, replayBook, startWsService, type Message, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  t = await startWsService();
  notes = await t.notes();
});
afterAll(async () => t.close());

async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set({ authorization: `Bearer ${await t.token(username)}` })
    .send({ clOrdId: `md-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

async function restBook(noteId: string, depth: number) {
  await t.service.services.sequencer!.idle();
  const body = (
    await t.http.get(`/api/v1/notes/${noteId}/book?depth=${depth}`).set({ authorization: `Bearer ${await t.token('investor1')}` })
  ).body;
  return { bids: body.bids, asks: body.asks };
}

/** Waits until the probe's replayed book of `channel` equals the REST book. */
async function converges(probe: Probe, channel: string, noteId: string, depth: number) {
  const expected = await restBook(noteId, depth);
  await probe.waitFor(() => {
    const { bids, asks } = replayBook(probe.channel(channel));
    return JSON.stringify({ bids, asks }) === JSON.stringify(expected);
  });
  const { bids, asks } = replayBook(probe.channel(channel));
  expect({ bids, asks }).toEqual(expected);
}

describe('book:<noteId>', () => {
  it('sends a snapshot first, then updates with seq rising by one, and ends equal to the REST book', async () => {
    const noteId = notes['B']!;
    const probe = await Probe.open(t.wsUrl);
    probe.send({ op: 'subscribe', channels: [`book:${noteId}`], depth: 50 });
    const snapshot = await probe.waitFor((m) => m.channel === `book:${noteId}`);
    expect(snapshot).toMatchObject({ type: 'snapshot', data: { noteId, depth: 50 } });

    await place('investor1', { noteId, side: 'buy', price: '98.5', quantity: '100000' });
    await place('investor2', { noteId, side: 'buy', price: '98.5', quantity: '200000' });
    await place('dealer1', { noteId, side: 'sell', price: '99.25', quantity: '300000' });
    await place('dealer2', { noteId, side: 'sell', price: '98.5', quantity: '150000', timeInForce: 'IOC' });
    await converges(probe, `book:${noteId}`, noteId, 50);

    const messages = probe.channel(`book:${noteId}`);
    expect(messages[0]!.type).toBe('snapshot');
    for (let i = 1; i < messages.length; i++) {
      expect(messages[i]!.type).toBe('update');
      expect(messages[i]!.seq).toBe(messages[i - 1]!.seq + 1);
    }
    const update = messages.find((m) => m.type === 'update' && m.data.bids.length > 0) as Message;
    expect(update.data.bids[0]).toEqual({ price: '98.5', quantity: expect.any(String), orders: expect.any(Number) });
    // The harness can fail: losing one update is caught as a gap.
    expect(() => replayBook(messages.filter((m) => m !== update))).toThrow(/gap/);
    probe.close();
  });

  it('keeps a shallow window exact: a level below the window moves in when a better one leaves', async () => {
    const noteId = notes['C']!;
    const shallow = await Probe.open(t.wsUrl);
    shallow.send({ op: 'subscribe', channels: [`book:${noteId}`], depth: 2 });
    await shallow.waitFor((m) => m.type === 'snapshot');
    const orders = [];
    for (const price of ['95', '94.5', '94', '93.5'])
      orders.push(await place('investor1', { noteId, side: 'buy', price, quantity: '100000' }));
    await converges(shallow, `book:${noteId}`, noteId, 2);
    expect(replayBook(shallow.channel(`book:${noteId}`)).bids.map((l) => l.price)).toEqual(['95', '94.5']);
    await t.http
      .delete(`/api/v1/orders/${orders[0].order.id}`)
      .set({ authorization: `Bearer ${await t.token('investor1')}` })
      .expect(200);
    await t.http
      .delete(`/api/v1/orders/${orders[1].order.id}`)
      .set({ authorization: `Bearer ${await t.token('investor1')}` })
      .expect(200);
    await converges(shallow, `book:${noteId}`, noteId, 2);
    expect(replayBook(shallow.channel(`book:${noteId}`)).bids.map((l) => l.price)).toEqual(['94', '93.5']);
    shallow.close();
  });

  it('gives a late subscriber a snapshot equal to what an early subscriber rebuilt', async () => {
    const noteId = notes['B']!;
    const early = await Probe.open(t.wsUrl);
    early.send({ op: 'subscribe', channels: [`book:${noteId}`], depth: 50 });
    await early.waitFor((m) => m.type === 'snapshot');
    await place('investor2', { noteId, side: 'buy', price: '97.5', quantity: '100000' });
    await converges(early, `book:${noteId}`, noteId, 50);
    const late = await Probe.open(t.wsUrl);
    late.send({ op: 'subscribe', channels: [`book:${noteId}`], depth: 50 });
    const snapshot = await late.waitFor((m) => m.type === 'snapshot');
    const rebuilt = replayBook(early.channel(`book:${noteId}`));
    expect({ bids: snapshot.data.bids, asks: snapshot.data.asks }).toEqual({ bids: rebuilt.bids, asks: rebuilt.asks });
    expect(snapshot.seq).toBe(rebuilt.seq);
    early.close();
    late.close();
  });
});

describe('batch frames', () => {
  it("delivers the same messages, a cycle's messages in one array frame, with ?frames=batch", async () => {
    const noteId = notes['A-2']!;
    const channels = [`book:${noteId}`, `trades:${noteId}`];
    const single = await Probe.open(t.wsUrl);
    const batched = await Probe.open(`${t.wsUrl}?frames=batch`);
    for (const probe of [single, batched]) {
      probe.send({ op: 'subscribe', channels, depth: 20 });
      await probe.waitFor((m) => m.channel === `trades:${noteId}` && m.type === 'snapshot');
      await probe.waitFor((m) => m.channel === `book:${noteId}` && m.type === 'snapshot');
    }
    await place('investor1', { noteId, side: 'buy', price: '99.5', quantity: '100000' });
    await place('dealer1', { noteId, side: 'sell', price: '99.5', quantity: '100000', timeInForce: 'IOC' });
    await place('investor1', { noteId, side: 'buy', price: '99.25', quantity: '100000' });
    await converges(single, `book:${noteId}`, noteId, 20);
    await converges(batched, `book:${noteId}`, noteId, 20);
    await batched.waitFor((m) => m.channel === `trades:${noteId}` && m.type === 'update');
    await single.waitFor((m) => m.channel === `trades:${noteId}` && m.type === 'update');
    const view = (probe: Probe) =>
      channels.flatMap((channel) => probe.channel(channel).map((m) => ({ seq: m.seq, type: m.type, data: m.data })));
    expect(view(batched)).toEqual(view(single));
    expect(batched.batches).toBeGreaterThan(0);
    expect(single.batches).toBe(0);
    await expect(Probe.open(`${t.wsUrl}?frames=bundled`)).rejects.toMatchObject({ status: 400 });
    single.close();
    batched.close();
  });
});

describe('trades:<noteId>', () => {
  it('streams each trade once, as the REST tape shows it', async () => {
    const noteId = notes['Senior']!;
    const probe = await Probe.open(t.wsUrl);
    probe.send({ op: 'subscribe', channels: [`trades:${noteId}`] });
    const snapshot = await probe.waitFor((m) => m.channel === `trades:${noteId}`);
    expect(snapshot).toMatchObject({ type: 'snapshot', data: { noteId, trades: [] } });
    await place('investor1', { noteId, side: 'buy', price: '101', quantity: '250000' });
    const sell = await place('dealer1', { noteId, side: 'sell', price: '101', quantity: '250000', timeInForce: 'IOC' });
    const update = await probe.waitFor((m) => m.channel === `trades:${noteId}` && m.type === 'update');
    const tape = (await t.http.get(`/api/v1/trades?noteId=${noteId}`).set({ authorization: `Bearer ${await t.token('investor2')}` })).body;
    expect(update).toMatchObject({ seq: snapshot.seq + 1, data: { noteId, trades: [tape[0]] } });
    expect(update.data.trades[0].id).toBe(sell.fills[0].tradeId);

    const again = await Probe.open(t.wsUrl);
    again.send({ op: 'subscribe', channels: [`trades:${noteId}`] });
    expect((await again.waitFor((m) => m.type === 'snapshot')).data.trades).toEqual(tape);
    probe.close();
    again.close();
  });

  it('shows a size above the TRACE cap as FINRA does ("5MM+" for an investment-grade corporate)', async () => {
    const noteId = notes['Senior']!;
    const probe = await Probe.open(t.wsUrl);
    probe.send({ op: 'subscribe', channels: [`trades:${noteId}`] });
    await probe.waitFor((m) => m.channel === `trades:${noteId}`);
    await place('dealer2', { noteId, side: 'buy', price: '101', quantity: '5500000' });
    await place('dealer1', { noteId, side: 'sell', price: '101', quantity: '5500000', timeInForce: 'IOC' });
    const update = await probe.waitFor((m) => m.channel === `trades:${noteId}` && m.type === 'update');
    expect(update.data.trades[0].quantity).toBe('5MM+');
    probe.close();
  });
});

describe('quotes:<noteId>', () => {
  it("shows each dealer's live quote and the best bid and ask, as quotes are replaced, lifted and pulled", async () => {
    const noteId = notes['A-2']!;
    const [dealer1, dealer2] = [await t.partyId('dealer1'), await t.partyId('dealer2')];
    const probe = await Probe.open(t.wsUrl);
    probe.send({ op: 'subscribe', channels: [`quotes:${noteId}`] });
    expect((await probe.waitFor((m) => m.type === 'snapshot')).data).toEqual({ noteId, quotes: [], bestBid: null, bestAsk: null });

    const quote = async (username: string, entry: Record<string, string>) =>
      t.http
        .put('/api/v1/quotes')
        .set({ authorization: `Bearer ${await t.token(username)}` })
        .send({ quotes: [{ noteId, ...entry }] })
        .expect(200);
    await quote('dealer1', { bidPrice: '99', bidSize: '1000000', askPrice: '100.5', askSize: '500000' });
    await quote('dealer2', { bidPrice: '99', bidSize: '2000000', askPrice: '100.25', askSize: '300000' });
    let last = await probe.waitFor((m) => m.type === 'update' && m.data.quotes.length === 2);
    expect(last.data.bestBid).toEqual({ price: '99', size: '3000000', dealerPartyIds: [dealer1, dealer2].sort() });
    expect(last.data.bestAsk).toEqual({ price: '100.25', size: '300000', dealerPartyIds: [dealer2] });

    await place('investor1', { noteId, side: 'buy', price: '100.25', quantity: '100000', timeInForce: 'IOC' });
    last = await probe.waitFor((m) => m.type === 'update' && m.data.bestAsk?.size === '200000');
    expect(last.data.quotes.find((q: Message) => q.dealerPartyId === dealer2)).toMatchObject({ askPrice: '100.25', askSize: '200000' });

    await t.http
      .delete('/api/v1/quotes')
      .set({ authorization: `Bearer ${await t.token('dealer2')}` })
      .expect(200);
    last = await probe.waitFor((m) => m.type === 'update' && m.data.quotes.length === 1);
    expect(last.data).toMatchObject({ bestBid: { price: '99', size: '1000000' }, bestAsk: { price: '100.5', size: '500000' } });
    const seqs = probe.channel(`quotes:${noteId}`).map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    probe.close();
  });
});
