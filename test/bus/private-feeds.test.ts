/**
 * The private channels that change outside the sequencer's batches — `rfqs`, `settlements`,
 * `balances` — through JetStream to a gateway, with a real nats-server. Three clients per party
 * watch the same actions: one on a gateway (`npm run gateway`'s code), one on the service's /ws
 * (served through the bus too), and one on an in-process /ws attached to the same service (the
 * hub of server/ws, as the service serves /ws without NATS) — the reference:
 * - RFQ request → dealer answer → accept; a trade, a settlement run and a cancel; a deposit and a
 *   mass quote's holds: gateway and service clients see identical streams (same seqs, same data),
 *   and the same updates as the in-process client, which end on what REST shows;
 * - another party's private channel is refused on the gateway with the code the service uses;
 * - a gateway restart: the client resubscribes on a new gateway to a fresh snapshot whose seq
 *   carries on, and later updates follow it without a gap;
 * - the service's private-feed publisher crashes: changes committed meanwhile are not lost —
 *   balances are republished from the database, RFQ and settlement feeds resync from a fresh
 *   snapshot.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../server/bus/gateway-server.js';
import { channelSubject } from '../../server/bus/subjects.js';
import { attachWebSocketGateway, type WebSocketGateway } from '../../server/ws/gateway.js';
import { Decimal } from '../../server/domain/decimal.js';
import { natsServerAvailable, NatsServer } from '../support/nats.js';
import { delay, Probe, startWsService, type Message, type WsTestService } from '../ws/support.js';
import { startTestGateway, storedMessages, streamDifferences, until, updatesAfterSnapshot } from './support.js';

const available = natsServerAvailable();
const CHANNELS = ['rfqs', 'settlements', 'balances'];

describe.skipIf(!available)(
  'rfqs, settlements and balances through JetStream',
  () => {
    let nats: NatsServer;
    let t: WsTestService;
    let g: RunningGateway;
    let local: { server: http.Server; gateway: WebSocketGateway; wsUrl: string };
    let notes: Record<string, string>;
    let counter = 0;

    beforeAll(async () => {
      nats = await NatsServer.start();
      t = await startWsService({ config: { natsUrl: nats.url } });
      notes = await t.notes();
      g = await startTestGateway(nats.url, t.service.services.jwtSecret);
      // The reference: the in-process hub (server/ws/hub.ts) on the same service, as /ws is served without NATS.
      const server = http.createServer();
      const gateway = attachWebSocketGateway(server, t.service.services, {
        port: 0,
        host: '127.0.0.1',
        dataDir: '/nonexistent',
        databaseUrl: null,
        jwtSecret: t.service.services.jwtSecret,
        logLevel: 'silent',
        seedDemo: false,
        demoPassword: 'demo',
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      local = { server, gateway, wsUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws` };
    }, 60_000);

    afterAll(async () => {
      await g?.close();
      await local?.gateway.close();
      local?.server.close();
      await t?.close();
      await nats?.close();
    });

    const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

    async function place(username: string, order: Record<string, unknown>) {
      counter += 1;
      const response = await t.http
        .post('/api/v1/orders')
        .set(await auth(username))
        .send({ clOrdId: `pf-${counter}`, type: 'limit', timeInForce: 'GTC', quantity: '100000', ...order });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
      return response.body;
    }

    /** One client of `username` on the gateway, the service's /ws and the in-process /ws, each subscribed to the three channels. */
    async function watch(username: string): Promise<{ gateway: Probe; service: Probe; inProcess: Probe }> {
      const open = async (url: string) => {
        const probe = await Probe.open(url, { token: await t.token(username) });
        probe.send({ op: 'subscribe', channels: CHANNELS });
        for (const channel of CHANNELS) await probe.waitFor((m) => m.channel === channel && m.type === 'snapshot');
        return probe;
      };
      const [gateway, service, inProcess] = await Promise.all([open(g.wsUrl), open(t.wsUrl), open(local.wsUrl)]);
      return { gateway, service, inProcess };
    }

    const updates = (probe: Probe, channel: string) => probe.channel(channel).filter((m) => m.type === 'update');
    const items = (probe: Probe, channel: string) => updates(probe, channel).flatMap((m) => m.data[channel] as Message[]);

    /** Waits until every client has at least `count` updates on the channel. */
    async function updated(clients: Probe[], channel: string, count: number) {
      for (const probe of clients) await probe.waitFor(() => updates(probe, channel).length >= count, { timeoutMs: 15_000 });
    }

    /**
     * Gateway and service: identical streams. The in-process client: the same items in the same
     * order (`exact`), or — where it may merge two signals read in one fan-out cycle, or read a
     * finished run later than the bus did — the same item states seen and the same final state.
     */
    function sameStreams(clients: { gateway: Probe; service: Probe; inProcess: Probe }, channel: string, exact = true) {
      updatesAfterSnapshot(clients.gateway.channel(channel));
      expect(streamDifferences(clients.gateway.channel(channel), clients.service.channel(channel)), channel).toEqual([]);
      const bus = items(clients.gateway, channel);
      const reference = items(clients.inProcess, channel);
      if (exact) expect(bus).toEqual(reference);
      const finalStates = (list: Message[]) => Object.fromEntries(list.map((i) => [i.id, i]));
      expect(finalStates(bus)).toEqual(finalStates(reference));
      const states = (list: Message[]) => [...new Set(list.map((i) => `${i.id}:${i.status}`))].sort();
      expect(states(bus)).toEqual(states(reference));
      const snapshot = (probe: Probe) => probe.channel(channel).find((m) => m.type === 'snapshot')!.data;
      expect(snapshot(clients.gateway)).toEqual(snapshot(clients.service));
    }

    it('RFQ request → dealer answer → accept: the same rfqs stream on the gateway, the service and in process', async () => {
      const noteId = notes['C']!;
      const investor = await watch('investor1');
      const dealer1 = await watch('dealer1');
      const dealer2 = await watch('dealer2');
      const rfq = (
        await t.http
          .post('/api/v1/rfqs')
          .set(await auth('investor1'))
          .send({ noteId, side: 'buy', quantity: '200000', dealerPartyIds: [await t.partyId('dealer1'), await t.partyId('dealer2')] })
          .expect(201)
      ).body;
      const all = (c: { gateway: Probe; service: Probe; inProcess: Probe }) => [c.gateway, c.service, c.inProcess];
      for (const c of [investor, dealer1, dealer2]) await updated(all(c), 'rfqs', 1);
      const answer = (
        await t.http
          .post(`/api/v1/rfqs/${rfq.id}/responses`)
          .set(await auth('dealer1'))
          .send({ price: '99.5', validForSeconds: 60 })
          .expect(201)
      ).body;
      for (const c of [investor, dealer1, dealer2]) await updated(all(c), 'rfqs', 2);
      const responseId = answer.id ?? answer.response?.id ?? answer.responses?.[0]?.id;
      await t.http
        .post(`/api/v1/rfqs/${rfq.id}/accept`)
        .set(await auth('investor1'))
        .send({ responseId })
        .expect(200);
      for (const c of [investor, dealer1, dealer2]) await updated(all(c), 'rfqs', 3);
      // The trade's instruction, pending for both sides.
      for (const c of [investor, dealer1]) await updated(all(c), 'settlements', 1);
      for (const c of [investor, dealer1, dealer2]) sameStreams(c, 'rfqs');
      for (const c of [investor, dealer1]) sameStreams(c, 'settlements', false);

      // Checked independently: the dealer sees its own answer only and not the other dealers; the
      // investor sees the RFQ done with the trade; the last view equals GET /rfqs/:id for each.
      const last = (probe: Probe) => updates(probe, 'rfqs').at(-1)!.data.rfqs[0];
      expect(last(investor.gateway)).toMatchObject({ id: rfq.id, status: 'done', acceptedResponseId: responseId });
      expect(last(investor.gateway).tradeId).toBeTruthy();
      expect(last(dealer1.gateway).dealerPartyIds).toBeUndefined();
      expect(last(dealer2.gateway).responses).toEqual([]);
      for (const [username, c] of [
        ['investor1', investor],
        ['dealer1', dealer1],
      ] as const) {
        const rest = (
          await t.http
            .get(`/api/v1/rfqs/${rfq.id}`)
            .set(await auth(username))
            .expect(200)
        ).body;
        expect(last(c.gateway)).toEqual(rest);
      }
      for (const c of [investor, dealer1, dealer2]) for (const probe of Object.values(c)) probe.close();
    }, 90_000);

    it('a trade, a settlement run and a cancel: the same settlements stream; balances end on GET /balances', async () => {
      const noteId = notes['B']!;
      const investor = await watch('investor2');
      const dealer = await watch('dealer2');
      const clients = [investor, dealer];
      const flat = (c: { gateway: Probe; service: Probe; inProcess: Probe }) => [c.gateway, c.service, c.inProcess];
      // One instruction per message: a run's list for a party is split (as beyond 200 items), and must still read the same.
      t.service.bus!.party.itemsPerMessage = 1;
      const count = (c: { gateway: Probe }) => updates(c.gateway, 'settlements').length;
      const before = clients.map(count);
      await place('dealer2', { noteId, side: 'sell', price: '99.5' });
      const first = await place('investor2', { noteId, side: 'buy', price: '99.5', timeInForce: 'IOC' });
      await place('dealer2', { noteId, side: 'sell', price: '99.25' });
      const second = await place('investor2', { noteId, side: 'buy', price: '99.25', timeInForce: 'IOC' });
      await place('dealer2', { noteId, side: 'sell', price: '99' });
      const third = await place('investor2', { noteId, side: 'buy', price: '99', timeInForce: 'IOC' });
      const trades = [first.fills[0].tradeId as string, second.fills[0].tradeId as string, third.fills[0].tradeId as string];
      const pendingSeen = (probe: Probe) =>
        trades.every((id) => items(probe, 'settlements').some((i) => i.tradeId === id && i.status === 'pending'));
      for (const c of clients) for (const probe of flat(c)) await probe.waitFor(() => pendingSeen(probe), { timeoutMs: 15_000 });

      const backoffice = await auth('backoffice1');
      const listed = (
        await t.http
          .get('/api/v1/settlements')
          .set(await auth('investor2'))
          .expect(200)
      ).body as Message[];
      const mine = listed.filter((i) => trades.includes(i.tradeId));
      const [toCancel, toSettle] = [mine.find((i) => i.tradeId === trades[0])!, mine.find((i) => i.tradeId === trades[1])!];
      await t.http.post(`/api/v1/settlements/${toCancel.id}/cancel`).set(backoffice).send({ reason: 'bus test' }).expect(200);
      const cancelled = (probe: Probe) => items(probe, 'settlements').some((i) => i.id === toCancel.id && i.status === 'cancelled');
      for (const c of clients) for (const probe of flat(c)) await probe.waitFor(() => cancelled(probe), { timeoutMs: 15_000 });
      while ((await t.http.get('/api/v1/business-date').set(backoffice)).body.businessDate < toSettle.settlementDate) {
        await t.http.post('/api/v1/business-date/roll').set(backoffice).expect(200);
      }
      const run = (await t.http.post('/api/v1/settlements/run').set(backoffice).send({ date: toSettle.settlementDate }).expect(200)).body;
      const alsoSettled = mine.find((i) => i.tradeId === trades[2])!;
      const settled = (probe: Probe) =>
        [toSettle.id, alsoSettled.id].every((id) => items(probe, 'settlements').some((i) => i.id === id && i.status === 'settled'));
      for (const c of clients) for (const probe of flat(c)) await probe.waitFor(() => settled(probe), { timeoutMs: 15_000 });
      await t.service.services.sequencer!.idle();
      await t.service.bus!.party.flushed();
      await delay(300);

      for (const c of clients) sameStreams(c, 'settlements', false);
      for (const [i, c] of clients.entries()) expect(count(c)).toBeGreaterThan(before[i]!);
      // Exactly once on the stream: the subject's messages numbered 1, 2, 3, … and each trade's pending instruction stored once.
      const stored = await storedMessages(nats.url, channelSubject('settlements', await t.partyId('investor2')));
      expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
      const storedItems = stored.flatMap((m) => (m.data as { items?: Message[] }).items ?? []);
      for (const tradeId of trades) expect(storedItems.filter((i) => i.tradeId === tradeId && i.status === 'pending')).toHaveLength(1);
      // The run's two instructions of the party, split one per message, in consecutive messages.
      const settledSeqs = stored
        .filter((m) =>
          ((m.data as { items?: Message[] }).items ?? []).some(
            (i) => [toSettle.id, alsoSettled.id].includes(i.id) && i.status === 'settled',
          ),
        )
        .map((m) => m.seq);
      expect(settledSeqs).toHaveLength(2);
      expect(settledSeqs[1]! - settledSeqs[0]!).toBe(1);
      // Independently: the settled instruction as GET /settlements shows it to the investor, the
      // cancel and the run as each party's own side (no counterparty named).
      const settledView = [...items(investor.gateway, 'settlements')].reverse().find((i) => i.id === toSettle.id)!;
      const rest = (
        await t.http
          .get('/api/v1/settlements')
          .set(await auth('investor2'))
          .expect(200)
      ).body as Message[];
      expect(settledView).toEqual(rest.find((i) => i.id === toSettle.id));
      expect(settledView).toMatchObject({ status: 'settled', runId: run.runId, sellerPartyId: null });
      for (const view of items(dealer.gateway, 'settlements')) expect(view.buyerPartyId).toBeNull();

      // Balances: the gateway's and the service's streams are identical, and every client ends on GET /balances.
      for (const [username, c] of [
        ['investor2', investor],
        ['dealer2', dealer],
      ] as const) {
        const expected = (
          await t.http
            .get('/api/v1/balances')
            .set(await auth(username))
            .expect(200)
        ).body;
        for (const probe of flat(c)) {
          await until(
            () => JSON.stringify(probe.channel('balances').at(-1)!.data.balances) === JSON.stringify(expected),
            15_000,
            'balances',
          );
        }
        expect(streamDifferences(c.gateway.channel('balances'), c.service.channel('balances'))).toEqual([]);
      }
      for (const c of clients) for (const probe of flat(c)) probe.close();
      t.service.bus!.party.itemsPerMessage = 200;
    }, 120_000);

    it('a deposit and a mass quote: the same balances updates on the gateway, the service and in process', async () => {
      const dealer = await watch('dealer1');
      const flat = [dealer.gateway, dealer.service, dealer.inProcess];
      const last = (probe: Probe) => JSON.stringify(probe.channel('balances').at(-1)!.data.balances);
      const step = async (action: () => Promise<unknown>) => {
        const counts = flat.map((p) => updates(p, 'balances').length);
        await action();
        const expected = JSON.stringify(
          (
            await t.http
              .get('/api/v1/balances')
              .set(await auth('dealer1'))
              .expect(200)
          ).body,
        );
        for (const [i, probe] of flat.entries()) {
          await probe.waitFor(() => updates(probe, 'balances').length > counts[i]! && last(probe) === expected, { timeoutMs: 15_000 });
        }
      };
      const cash = (probe: Probe) => new Decimal(JSON.parse(last(probe)).find((b: Message) => b.asset === 'USD').total);
      const beforeDeposit = cash(dealer.gateway);
      await step(async () =>
        t.http
          .post('/api/v1/cash/deposits')
          .set(await auth('backoffice1'))
          .send({ partyId: await t.partyId('dealer1'), amount: '2500.00', reference: 'pf-deposit-1' })
          .expect(201),
      );
      // Hand-checked: the deposit adds exactly 2,500.00 to the cash total, on every client.
      for (const probe of flat) expect(cash(probe).sub(beforeDeposit).toFixed(2)).toBe('2500.00');
      await step(async () =>
        t.http
          .put('/api/v1/quotes')
          .set(await auth('dealer1'))
          .send({ quotes: [{ noteId: notes['B'], bidPrice: '98', bidSize: '500000', askPrice: '102', askSize: '300000' }] })
          .expect(200),
      );
      await step(async () =>
        t.http
          .delete(`/api/v1/quotes?noteId=${notes['B']}`)
          .set(await auth('dealer1'))
          .expect(200),
      );
      expect(streamDifferences(dealer.gateway.channel('balances'), dealer.service.channel('balances'))).toEqual([]);
      for (const probe of flat) probe.close();
    }, 90_000);

    it("refuses another party's rfqs, settlements and balances on the gateway as the service does", async () => {
      const other = await t.partyId('investor1');
      for (const url of [g.wsUrl, local.wsUrl]) {
        const probe = await Probe.open(url, { token: await t.token('investor2') });
        for (const [i, channel] of CHANNELS.entries()) {
          expect(await probe.request({ op: 'subscribe', channels: [`${channel}:${other}`], id: i })).toMatchObject({
            op: 'error',
            code: 'FORBIDDEN',
            id: i,
          });
        }
        const anonymous = await Probe.open(url);
        expect(await anonymous.request({ op: 'subscribe', channels: ['balances'], id: 'a' })).toMatchObject({
          op: 'error',
          code: 'UNAUTHENTICATED',
        });
        await delay(50);
        expect(probe.messages.filter((m) => m.type)).toEqual([]);
        probe.close();
        anonymous.close();
      }
    }, 30_000);

    it('a gateway restart: the client resubscribes to a fresh snapshot whose seq carries on, then follows without a gap', async () => {
      const probe = await Probe.open(g.wsUrl, { token: await t.token('investor1') });
      probe.send({ op: 'subscribe', channels: CHANNELS });
      for (const channel of CHANNELS) await probe.waitFor((m) => m.channel === channel && m.type === 'snapshot');
      await t.http
        .post('/api/v1/cash/deposits')
        .set(await auth('backoffice1'))
        .send({ partyId: await t.partyId('investor1'), amount: '100.00', reference: 'pf-restart-1' })
        .expect(201);
      const seen = await probe.waitFor((m) => m.channel === 'balances' && m.type === 'update');
      const before = Object.fromEntries(CHANNELS.map((channel) => [channel, probe.channel(channel).at(-1)!]));
      await g.kill();
      await probe.closed;
      g = await startTestGateway(nats.url, t.service.services.jwtSecret);
      const again = await Probe.open(g.wsUrl, { token: await t.token('investor1') });
      again.send({ op: 'subscribe', channels: CHANNELS });
      for (const channel of CHANNELS) {
        const snapshot = await again.waitFor((m) => m.channel === channel && m.type === 'snapshot');
        // Nothing changed on the channel meanwhile: the same seq, the same state.
        expect(snapshot.seq, channel).toBe(before[channel]!.seq);
        if (before[channel]!.type === 'snapshot') expect(snapshot.data, channel).toEqual(before[channel]!.data);
      }
      expect(again.channel('balances')[0]!.data).toEqual(seen.data);
      await t.http
        .post('/api/v1/cash/deposits')
        .set(await auth('backoffice1'))
        .send({ partyId: await t.partyId('investor1'), amount: '50.00', reference: 'pf-restart-2' })
        .expect(201);
      const next = await again.waitFor((m) => m.channel === 'balances' && m.type === 'update');
      expect(next.seq).toBe(seen.seq + 1);
      const cash = (m: Message) => new Decimal(m.data.balances.find((b: Message) => b.asset === 'USD').total);
      expect(cash(next).sub(cash(seen)).toFixed(2)).toBe('50.00');
      again.close();
    }, 60_000);

    it('the private-feed publisher crashes: balances are republished from the database, settlements resync from a fresh snapshot', async () => {
      const noteId = notes['B']!;
      await place('dealer1', { noteId, side: 'sell', price: '99.75' });
      const buy = await place('investor1', { noteId, side: 'buy', price: '99.75', timeInForce: 'IOC' });
      const tradeId = buy.fills[0].tradeId as string;
      await t.service.bus!.party.flushed();
      const probe = await Probe.open(g.wsUrl, { token: await t.token('investor1') });
      probe.send({ op: 'subscribe', channels: ['settlements', 'balances'] });
      const first = await probe.waitFor((m) => m.channel === 'settlements' && m.type === 'snapshot');
      await probe.waitFor((m) => m.channel === 'balances' && m.type === 'snapshot');
      const open = first.data.settlements.find((i: Message) => i.tradeId === tradeId);
      expect(open).toMatchObject({ status: 'pending' });

      const party = t.service.bus!.party;
      await party.crash();
      const from = probe.messages.length;
      // Committed while the publisher is down: their signals are lost.
      await t.http
        .post(`/api/v1/settlements/${open.id}/cancel`)
        .set(await auth('backoffice1'))
        .send({ reason: 'lost signal' })
        .expect(200);
      await t.http
        .post('/api/v1/cash/deposits')
        .set(await auth('backoffice1'))
        .send({ partyId: await t.partyId('investor1'), amount: '7.00', reference: 'pf-crash-1' })
        .expect(201);
      await delay(300);
      expect(probe.messages.slice(from)).toEqual([]);

      party.start();
      const fresh = await probe.waitFor((m) => m.channel === 'settlements' && m.type === 'snapshot', { from });
      expect(fresh.seq).toBeGreaterThan(first.seq);
      expect(fresh.data.settlements.map((i: Message) => i.id)).not.toContain(open.id);
      const balances = await probe.waitFor((m) => m.channel === 'balances' && m.type === 'update', { from });
      expect(balances.data.balances).toEqual(
        (
          await t.http
            .get('/api/v1/balances')
            .set(await auth('investor1'))
            .expect(200)
        ).body,
      );
      expect(party.stats().resyncs).toBeGreaterThan(0);
      probe.close();
    }, 60_000);
  },
  300_000,
);
