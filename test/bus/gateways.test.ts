/**
 * The bus end to end with a real nats-server: the service publishes committed batches to
 * JetStream, two gateways (the code `npm run gateway` runs) and the service's own /ws serve them.
 * - clients on both gateways and on the service see identical seq streams and end on the REST book;
 * - order entry on a gateway is forwarded to the service and answered as on the service;
 * - a dropped message is caught: the harness's stream comparison flags it, the gateway's gap check
 *   resyncs the feed, and the client still ends on the REST book;
 * - a gateway killed mid-stream: its client reconnects to the other, gets a fresh snapshot and
 *   continues without a gap;
 * - nats-server restarted mid-stream: orders keep being accepted while it is down, publisher and
 *   gateways reconnect, and the tape carries every trade exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../server/bus/gateway-server.js';
import { channelSubject } from '../../server/bus/subjects.js';
import { natsServerAvailable, NatsServer } from '../support/nats.js';
import { Probe, replayBook, startWsService, type Message, type WsTestService } from '../ws/support.js';
import { startTestGateway, streamDifferences, until, updatesAfterSnapshot } from './support.js';

const available = natsServerAvailable();

describe.skipIf(!available)(
  'service → JetStream → gateways → clients',
  () => {
    let nats: NatsServer;
    let t: WsTestService;
    let a: RunningGateway;
    let b: RunningGateway;
    let notes: Record<string, string>;
    let counter = 0;

    beforeAll(async () => {
      nats = await NatsServer.start();
      t = await startWsService({ config: { natsUrl: nats.url } });
      notes = await t.notes();
      [a, b] = await Promise.all([
        startTestGateway(nats.url, t.service.services.jwtSecret),
        startTestGateway(nats.url, t.service.services.jwtSecret),
      ]);
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled([a?.close(), b?.close()]);
      await t?.close();
      await nats?.close();
    });

    async function place(username: string, order: Record<string, unknown>) {
      counter += 1;
      const response = await t.http
        .post('/api/v1/orders')
        .set({ authorization: `Bearer ${await t.token(username)}` })
        .send({ clOrdId: `bus-${counter}`, type: 'limit', timeInForce: 'GTC', quantity: '100000', ...order });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
      return response.body;
    }

    async function restBook(noteId: string) {
      await t.service.services.sequencer!.idle();
      const body = (
        await t.http.get(`/api/v1/notes/${noteId}/book?depth=50`).set({ authorization: `Bearer ${await t.token('investor1')}` })
      ).body;
      return { bids: body.bids, asks: body.asks };
    }

    async function converges(probe: Probe, noteId: string) {
      const expected = JSON.stringify(await restBook(noteId));
      await probe.waitFor(
        () => {
          const { bids, asks } = replayBook(probe.channel(`book:${noteId}`));
          return JSON.stringify({ bids, asks }) === expected;
        },
        { timeoutMs: 15_000 },
      );
    }

    async function subscribed(url: string, noteId: string, username?: string): Promise<Probe> {
      const probe = await Probe.open(url, username ? { token: await t.token(username) } : {});
      const channels = [`book:${noteId}`, `trades:${noteId}`, `quotes:${noteId}`, ...(username ? ['orders', 'executions'] : [])];
      probe.send({ op: 'subscribe', id: 'sub', channels, depth: 50 });
      for (const channel of channels) await probe.waitFor((m) => m.channel === channel && m.type === 'snapshot');
      return probe;
    }

    it('clients on two gateways and on the service see identical seq streams and end on the REST book', async () => {
      const noteId = notes['A-2']!;
      const probes = await Promise.all([
        subscribed(a.wsUrl, noteId, 'investor1'),
        subscribed(b.wsUrl, noteId, 'investor1'),
        subscribed(t.wsUrl, noteId, 'investor1'),
      ]);
      for (let i = 0; i < 6; i++) {
        await place('investor1', { noteId, side: 'buy', price: `${97 + i * 0.25}` });
        await place('dealer1', { noteId, side: 'sell', price: `${99 + i * 0.25}` });
      }
      await place('dealer2', { noteId, side: 'sell', price: '97', quantity: '250000' });
      await place('investor2', { noteId, side: 'buy', price: '99.5', quantity: '150000' });
      for (const probe of probes) await converges(probe, noteId);
      const tape = (await t.http.get(`/api/v1/trades?noteId=${noteId}`).set({ authorization: `Bearer ${await t.token('investor1')}` }))
        .body as Message[];
      expect(tape.length).toBeGreaterThanOrEqual(2);
      const expected = tape.map((trade) => trade.id as string).slice(0, a.gateway.limits.recentTradesMax);
      for (const probe of probes) {
        await until(() => seenTrades(probe, noteId).length >= expected.length, 15_000, 'the tape');
        expect(seenTrades(probe, noteId)).toEqual(expected);
      }
      for (const channel of [`book:${noteId}`, `trades:${noteId}`, 'orders', 'executions']) {
        for (const probe of probes) updatesAfterSnapshot(probe.channel(channel));
        expect(streamDifferences(probes[0]!.channel(channel), probes[1]!.channel(channel)), channel).toEqual([]);
        expect(streamDifferences(probes[0]!.channel(channel), probes[2]!.channel(channel)), channel).toEqual([]);
      }
      for (const probe of probes) probe.close();
    }, 60_000);

    it('a gateway behind the stream conflates a book: more than 4 waiting messages become one snapshot at the last seq; 4 stay updates', async () => {
      const noteId = notes['C']!;
      const behind = await subscribed(a.wsUrl, noteId);
      const current = await subscribed(b.wsUrl, noteId);
      const book = `book:${noteId}`;
      // Each order is its own sequencer batch (placed one after another), so its own bus message on
      // the book subject. Gateway a holds them back, then gets them all in one fan-out cycle.
      const burst = async (count: number, from: number) => {
        a.hub.holdDeliveries();
        for (let i = 0; i < count; i++) await place('investor1', { noteId, side: 'buy', price: `${from + i * 0.25}` });
        await t.service.bus!.publisher.flushed();
        await until(() => b.hub.stats().routed >= routedBefore + count, 15_000, 'gateway b has the burst');
        // The held messages are in too (both gateways follow the same stream).
        await new Promise((resolve) => setTimeout(resolve, 200));
        a.hub.releaseDeliveries();
      };
      let routedBefore = b.hub.stats().routed;
      await burst(4, 92);
      await converges(behind, noteId);
      await converges(current, noteId);
      // 4 waiting: still an update each, the same as on the gateway that kept up.
      expect(behind.channel(book).filter((m) => m.type === 'snapshot')).toHaveLength(1);
      expect(streamDifferences(behind.channel(book), current.channel(book))).toEqual([]);

      routedBefore = b.hub.stats().routed;
      const lastBefore = behind.channel(book).at(-1)!.seq as number;
      await burst(6, 93.5);
      await converges(behind, noteId);
      await converges(current, noteId);
      // 6 waiting: one snapshot whose seq is the last of them (the stream's numbering), no update in between.
      const newer = behind.channel(book).filter((m) => (m.seq as number) > lastBefore);
      expect(newer.map((m) => [m.type, m.seq])).toEqual([['snapshot', lastBefore + 6]]);
      // The gateway that kept up sent the 6 updates, and both end on the same seq and book.
      expect(current.channel(book).filter((m) => m.type === 'update' && (m.seq as number) > lastBefore)).toHaveLength(6);
      expect(replayBook(behind.channel(book))).toEqual(replayBook(current.channel(book)));
      behind.close();
      current.close();
    }, 60_000);

    it('forwards order entry on a gateway to the service and answers as the service does', async () => {
      const noteId = notes['B']!;
      const probe = await Probe.open(a.wsUrl, { token: await t.token('investor2') });
      const reply = await probe.request({
        op: 'order',
        id: 'o1',
        order: { clOrdId: 'gw-forward-1', noteId, side: 'buy', type: 'limit', price: '95', quantity: '100000', timeInForce: 'GTC' },
      });
      expect(reply).toMatchObject({ op: 'reply', id: 'o1', status: 201, body: { order: { clOrdId: 'gw-forward-1', status: 'new' } } });
      const again = await probe.request({
        op: 'order',
        id: 'o2',
        order: { clOrdId: 'gw-forward-1', noteId, side: 'buy', type: 'limit', price: '95', quantity: '100000', timeInForce: 'GTC' },
      });
      expect(again.body.order.id).toBe(reply.body.order.id);
      const refused = await probe.request({ op: 'order', id: 'o3', order: { clOrdId: 'x', noteId, side: 'sideways' } });
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
      // Every channel is on the bus now, the private ones read outside the sequencer included (private-feeds.test.ts).
      probe.send({ op: 'subscribe', id: 's', channels: ['rfqs', 'settlements', 'balances'] });
      for (const channel of ['rfqs', 'settlements', 'balances'])
        expect(await probe.waitFor((m) => m.channel === channel)).toMatchObject({ type: 'snapshot' });
      probe.close();
    }, 30_000);

    it('a dropped message is caught: the harness flags the streams as different, and the gateway resyncs from a fresh snapshot', async () => {
      const noteId = notes['C']!;
      const pa = await subscribed(a.wsUrl, noteId);
      const pb = await subscribed(b.wsUrl, noteId);
      const gapsBefore = a.hub.stats().gaps;
      a.hub.dropNextOn = channelSubject('book', noteId);
      for (let i = 0; i < 4; i++) await place('investor1', { noteId, side: 'buy', price: `${90 + i}` });
      await converges(pb, noteId);
      await converges(pa, noteId);
      const channel = `book:${noteId}`;
      // The gateway noticed the gap on the next message and resynced: its client got a second snapshot.
      expect(a.hub.stats().gaps).toBe(gapsBefore + 1);
      expect(pa.channel(channel).filter((m) => m.type === 'snapshot')).toHaveLength(2);
      expect(streamDifferences(pa.channel(channel), pb.channel(channel)).length).toBeGreaterThan(0);
      // And the harness's own gap check fails on a stream with an update taken out.
      const tampered = pb.channel(channel).filter((m, i) => !(m.type === 'update' && i === 2));
      expect(() => updatesAfterSnapshot(tampered)).toThrow(/gap/);
      expect(() => updatesAfterSnapshot(pb.channel(channel))).not.toThrow();
      pa.close();
      pb.close();
    }, 60_000);

    it('a gateway killed mid-stream: its client reconnects to the other and continues from a fresh snapshot without a gap', async () => {
      const noteId = notes['B']!;
      const channel = `book:${noteId}`;
      const onA = await subscribed(a.wsUrl, noteId);
      const watcher = await subscribed(b.wsUrl, noteId);
      for (let i = 0; i < 3; i++) await place('dealer1', { noteId, side: 'sell', price: `${101 + i}` });
      await converges(onA, noteId);
      const lastOnA = onA.channel(channel).at(-1)!.seq as number;
      const trading = (async () => {
        for (let i = 0; i < 8; i++) await place('dealer2', { noteId, side: 'sell', price: `${104 + i * 0.5}` });
      })();
      await a.kill();
      const closed = await onA.closed;
      expect(closed.code).not.toBe(1000);
      const onB = await subscribed(b.wsUrl, noteId);
      await trading;
      await converges(onB, noteId);
      await converges(watcher, noteId);
      const { snapshotSeq } = updatesAfterSnapshot(onB.channel(channel));
      // The same seq numbering on both gateways: the snapshot carries on from where the killed one was.
      expect(snapshotSeq).toBeGreaterThanOrEqual(lastOnA);
      const watched = new Map(watcher.channel(channel).map((m) => [m.seq, JSON.stringify(m.data)]));
      for (const update of updatesAfterSnapshot(onB.channel(channel)).updates)
        expect(watched.get(update.seq)).toBe(JSON.stringify(update.data));
      a = await startTestGateway(nats.url, t.service.services.jwtSecret);
      onB.close();
      watcher.close();
    }, 60_000);

    it('nats-server restarted mid-stream: orders are taken while it is down; then every trade arrives once, in order', async () => {
      const noteId = notes['A-2']!;
      const probe = await subscribed(b.wsUrl, noteId);
      const cross = async (price: string) => {
        await place('dealer1', { noteId, side: 'sell', price, quantity: '100000' });
        await place('investor2', { noteId, side: 'buy', price, quantity: '100000' });
      };
      await cross('96');
      // A small queue, so that NATS being away also overflows it: the batches give way to a recovery from the database.
      const publisher = t.service.bus!.publisher;
      publisher.queueMax = 3;
      await nats.stop();
      const started = Date.now();
      for (const price of ['96.25', '96.5', '96.75']) await cross(price);
      // The sequencer never waits for the bus: six orders with NATS away are taken at once.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(publisher.stats().overflows).toBeGreaterThan(0);
      await nats.resume();
      await cross('97');
      await converges(probe, noteId);
      const tape = (
        await t.http.get(`/api/v1/trades?noteId=${noteId}&limit=1000`).set({ authorization: `Bearer ${await t.token('investor1')}` })
      ).body as Message[];
      const expected = tape.map((trade) => trade.id as string).slice(0, b.gateway.limits.recentTradesMax);
      await until(() => seenTrades(probe, noteId).length >= expected.length, 20_000, 'the tape on the gateway');
      const seen = seenTrades(probe, noteId);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expected);
      publisher.queueMax = 10_000;
      probe.close();
    }, 90_000);
  },
  180_000,
);

/** The tape a client holds, newest first: its last snapshot's trades with the updates after it in front. */
function seenTrades(probe: Probe, noteId: string): string[] {
  const messages = probe.channel(`trades:${noteId}`);
  const { updates } = updatesAfterSnapshot(messages);
  const snapshot = messages.filter((m) => m.type === 'snapshot').at(-1)!;
  const newer = updates.flatMap((u) => u.data.trades as Message[]).reverse();
  return [...newer, ...(snapshot.data.trades as Message[])].map((trade) => trade.id as string).slice(0, 1_000_000);
}
