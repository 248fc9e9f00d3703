/**
 * Bad input and bad peers on /ws: a foreign Origin, bad tokens, a message above maxPayload,
 * unknown ops and channels, malformed JSON, limits, a peer that stops answering heartbeats, and a
 * slow consumer. Each is refused or dropped on its own connection; a bystander keeps receiving
 * its feed and no trading state changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, Probe, startWsService, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;
let bystander: Probe;

// The slow consumer below re-subscribes a deep book hundreds of times a second to fill its send
// buffer: the subscribe rate (a churn guard, test/ws/churn.test.ts) is opened wide for it.
const LIMITS = {
  subscriptionsMax: 5,
  heartbeatIntervalMs: 1_000,
  sendBufferSoftBytes: 16 * 1024,
  sendBufferHardBytes: 256 * 1024,
  closeGraceMs: 10_000,
  subscribesPerSecond: 10_000,
  subscribeBurst: 10_000,
};

beforeAll(async () => {
  t = await startWsService({ wsLimits: LIMITS });
  notes = await t.notes();
  bystander = await Probe.open(t.wsUrl, { token: await t.token('investor2') });
  bystander.send({ op: 'subscribe', channels: [`book:${notes['B']}`, 'orders'] });
  await bystander.waitFor((m) => m.channel === 'orders' && m.type === 'snapshot');
});
afterAll(async () => {
  bystander.close();
  await t.close();
});

async function tradingState() {
  await t.service.services.sequencer!.idle();
  const balances = await t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held');
  const orders = await t.database.knex('orders').orderBy('id').select('id', 'status', 'leaves_quantity');
  return { balances, orders };
}

/** The bystander still gets the updates of an order it places now (and cancels). */
async function bystanderStillServed(): Promise<void> {
  const from = bystander.messages.length;
  const reply = await bystander.request({
    op: 'order',
    id: `by-${from}`,
    order: { clOrdId: `by-${from}`, noteId: notes['B'], side: 'buy', type: 'limit', price: '90', quantity: '100000' },
  });
  expect(reply.status).toBe(201);
  await bystander.waitFor((m) => m.channel === `book:${notes['B']}` && m.type === 'update', { from });
  await bystander.waitFor((m) => m.channel === 'orders' && m.type === 'update', { from });
  // Cancel it again, so that the balances are as they were.
  expect((await bystander.request({ op: 'cancel', id: `by-cancel-${from}`, orderId: reply.body.order.id })).status).toBe(200);
}

describe('the upgrade', () => {
  it("refuses a browser page from a foreign origin, and accepts the service's own origin and non-browser clients", async () => {
    await expect(Probe.open(t.wsUrl, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const same = await Probe.open(t.wsUrl, { origin: t.url });
    const native = await Probe.open(t.wsUrl);
    same.close();
    native.close();
  });

  it('refuses a malformed or invalid bearer token with 401, and other paths with 404', async () => {
    await expect(Probe.open(t.wsUrl, { headers: { authorization: 'Basic abc' } })).rejects.toMatchObject({ status: 401 });
    await expect(Probe.open(t.wsUrl, { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' })).rejects.toMatchObject({ status: 401 });
    await expect(Probe.open(t.wsUrl.replace(/\/ws$/, '/wsx'))).rejects.toMatchObject({ status: 404 });
  });
});

describe('bad messages', () => {
  it('answers malformed JSON, non-objects, binary frames, unknown ops and bad fields, and keeps the connection', async () => {
    const before = await tradingState();
    const probe = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    probe.send('{"op": "subscribe", ');
    expect(await probe.waitFor((m) => m.op === 'error')).toMatchObject({ code: 'MALFORMED_JSON' });
    probe.send('[1,2,3]');
    expect(await probe.waitFor((m) => m.op === 'error' && m.code !== 'MALFORMED_JSON')).toMatchObject({ code: 'VALIDATION_FAILED' });
    probe.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await probe.waitFor((m) => m.code === 'MALFORMED_JSON' && probe.messages.filter((x) => x.code === 'MALFORMED_JSON').length === 2);
    expect(await probe.request({ op: 'transfer_all_cash', id: 'u' })).toMatchObject({ code: 'UNKNOWN_OP', id: 'u' });
    expect(await probe.request({ op: 'subscribe', channels: 'book', id: 'v' })).toMatchObject({ code: 'VALIDATION_FAILED', id: 'v' });
    expect(await probe.request({ op: 'ping', id: 'w', extra: true })).toMatchObject({ code: 'VALIDATION_FAILED', id: 'w' });
    expect(await probe.request({ op: 'ping', id: 'p' })).toEqual({ op: 'pong', id: 'p' });
    expect(await tradingState()).toEqual(before);
    probe.close();
    await bystanderStillServed();
  });

  it('answers unknown channels, unknown notes, too deep a book and too many subscriptions, subscribing nothing', async () => {
    const probe = await Probe.open(t.wsUrl);
    expect(await probe.request({ op: 'subscribe', channels: ['candles:1m'], id: 1 })).toMatchObject({
      code: 'UNKNOWN_CHANNEL',
      channel: 'candles:1m',
    });
    expect(await probe.request({ op: 'subscribe', channels: ['book:not-a-uuid'], id: 2 })).toMatchObject({ code: 'UNKNOWN_CHANNEL' });
    expect(await probe.request({ op: 'subscribe', channels: ['book:00000000-0000-4000-8000-000000000000'], id: 3 })).toMatchObject({
      code: 'NOTE_NOT_FOUND',
    });
    expect(await probe.request({ op: 'subscribe', channels: [`book:${notes['B']}`], depth: 501, id: 4 })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
    const six = Object.values(notes)
      .flatMap((id) => [`book:${id}`, `trades:${id}`])
      .slice(0, 6);
    expect(await probe.request({ op: 'subscribe', channels: six, id: 5 })).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(await probe.request({ op: 'subscribe', channels: [`book:${notes['B']}`, 'nonsense'], id: 6 })).toMatchObject({
      code: 'UNKNOWN_CHANNEL',
    });
    await delay(100);
    expect(probe.messages.filter((m) => m.type)).toEqual([]);
    probe.close();
    await bystanderStillServed();
  });

  it('closes a connection that sends more than maxPayload with 1009, and no one else notices', async () => {
    const probe = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    probe.send({ op: 'ping', id: 'x'.repeat(64), pad: 'x'.repeat(70 * 1024) });
    expect((await probe.closed).code).toBe(1009);
    await bystanderStillServed();
  });

  it('refuses messages beyond the per-second rate without closing the connection', async () => {
    const probe = await Probe.open(t.wsUrl);
    for (let i = 0; i < 3_000; i++) probe.send({ op: 'ping' });
    await probe.waitFor((m) => m.code === 'RATE_LIMITED');
    await delay(1_100);
    expect(await probe.request({ op: 'ping', id: 'after' })).toEqual({ op: 'pong', id: 'after' });
    probe.close();
  });
});

describe('bad peers', () => {
  it('drops a peer that stops answering heartbeats and keeps one that answers', async () => {
    const dead = await Probe.open(t.wsUrl, { autoPong: false });
    const alive = await Probe.open(t.wsUrl);
    const closed = await dead.closed;
    expect(closed.code).toBe(1006);
    await delay(500);
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    alive.close();
    await bystanderStillServed();
  });

  it('tells a slow consumer SLOW_CONSUMER and disconnects it, without slowing or changing anything else', async () => {
    const noteId = notes['A-2']!;
    const maker = await Probe.open(t.wsUrl, { token: await t.token('investor1') });
    const placed = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        maker.request({
          op: 'order',
          id: `deep-${i}`,
          order: { clOrdId: `deep-${i}`, noteId, side: 'buy', type: 'limit', price: (80 + i / 16).toString(), quantity: '100000' },
        }),
      ),
    );
    expect(placed.every((reply) => reply.status === 201)).toBe(true);
    const before = await tradingState();

    const slow = await Probe.open(t.wsUrl);
    slow.send({ op: 'subscribe', channels: [`book:${noteId}`], depth: 500 });
    await slow.waitFor((m) => m.type === 'snapshot');
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    for (let i = 0; i < 600 && slow.ws.readyState === slow.ws.OPEN; i++) {
      slow.send({ op: 'subscribe', channels: [`book:${noteId}`], depth: 500 });
      await delay(2);
    }
    await bystanderStillServed();
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    expect(slow.messages.at(-1)).toMatchObject({ op: 'error', code: 'SLOW_CONSUMER' });
    expect(closed.code).toBe(1013);
    const after = await tradingState();
    expect(after.balances).toEqual(before.balances);
    maker.close();
  });
});
