/**
 * Private channels over /ws carry only the connected party's data: orders, executions, RFQs (a
 * dealer sees the RFQs addressed to it, the investor sees the answers) and settlements. Another
 * party's channel, no token, a bad token and a token that expires mid-session are refused, and
 * none of them disturbs another client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CnxSocket, type SocketLike } from '../../client/sdk/ws/index.js';
import { TOKEN_LIFETIME_SECONDS } from '../../server/auth/tokens.js';
import { ManualClock } from '../support/service.js';
import { delay, Probe, startWsService, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;
let counter = 0;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  t = await startWsService({ clock, wsLimits: { expirySweepMs: 50 } });
  notes = await t.notes();
});
afterAll(async () => t.close());

async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set({ authorization: `Bearer ${await t.token(username)}` })
    .send({ clOrdId: `pv-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

async function session(username: string, channels: string[]): Promise<Probe> {
  const probe = await Probe.open(t.wsUrl, { token: await t.token(username) });
  probe.send({ op: 'subscribe', channels });
  for (const channel of channels) await probe.waitFor((m) => m.channel === channel.split(':')[0] && m.type === 'snapshot');
  return probe;
}

describe('orders and executions', () => {
  it("sends each party its own orders and executions, and nothing of anyone else's", async () => {
    const noteId = notes['B']!;
    const resting = await place('investor1', { noteId, side: 'buy', price: '96', quantity: '100000' });
    const investor1 = await session('investor1', ['orders', 'executions']);
    const investor2 = await session('investor2', ['orders', 'executions']);
    const snapshot = investor1.messages.find((m) => m.channel === 'orders' && m.type === 'snapshot')!;
    expect(snapshot.data.orders.map((o: { id: string }) => o.id)).toContain(resting.order.id);

    const buy = await place('investor1', { noteId, side: 'buy', price: '99.75', quantity: '200000' });
    const sell = await place('dealer1', { noteId, side: 'sell', price: '99.75', quantity: '200000', timeInForce: 'IOC' });
    const orderUpdate = await investor1.waitFor(
      (m) =>
        m.channel === 'orders' && m.data.orders.some((o: { id: string; status: string }) => o.id === buy.order.id && o.status === 'filled'),
    );
    expect(orderUpdate.type).toBe('update');
    const execution = await investor1.waitFor((m) => m.channel === 'executions' && m.type === 'update');
    expect(execution.data.executions).toEqual([
      expect.objectContaining({ tradeId: sell.fills[0].tradeId, side: 'buy', liquidity: 'maker', orderId: buy.order.id }),
    ]);

    await place('investor2', { noteId, side: 'buy', price: '95', quantity: '100000' });
    await investor2.waitFor((m) => m.channel === 'orders' && m.type === 'update');
    await t.service.services.sequencer!.idle();
    await delay(100);
    const investor1Party = await t.partyId('investor1');
    const investor2Party = await t.partyId('investor2');
    for (const message of investor2.messages) {
      const text = JSON.stringify(message);
      expect(text).not.toContain(investor1Party);
      expect(text).not.toContain(buy.order.id);
    }
    for (const message of investor1.messages.filter((m) => m.channel === 'orders')) {
      for (const order of message.data.orders) expect(order.partyId).toBe(investor1Party);
    }
    expect(investor2.channel('executions').filter((m) => m.type === 'update')).toEqual([]);
    expect(
      investor2.messages
        .filter((m) => m.channel === 'orders')
        .flatMap((m) => m.data.orders)
        .every((o: { partyId: string }) => o.partyId === investor2Party),
    ).toBe(true);
    investor1.close();
    investor2.close();
  });

  it("refuses another party's private channel and accepts its own party id", async () => {
    const probe = await Probe.open(t.wsUrl, { token: await t.token('investor2') });
    const other = await t.partyId('investor1');
    expect(await probe.request({ op: 'subscribe', channels: [`orders:${other}`], id: 1 })).toMatchObject({
      op: 'error',
      code: 'FORBIDDEN',
      id: 1,
    });
    expect(await probe.request({ op: 'subscribe', channels: ['executions', `rfqs:${other}`], id: 2 })).toMatchObject({
      op: 'error',
      code: 'FORBIDDEN',
      id: 2,
    });
    await delay(50);
    expect(probe.messages.filter((m) => m.type)).toEqual([]);
    probe.send({ op: 'subscribe', channels: [`orders:${await t.partyId('investor2')}`] });
    expect(await probe.waitFor((m) => m.channel === 'orders')).toMatchObject({ type: 'snapshot' });
    probe.close();
  });

  it('refuses private channels without a token or with a bad one, and keeps serving public ones', async () => {
    const anonymous = await Probe.open(t.wsUrl);
    expect(await anonymous.request({ op: 'subscribe', channels: ['orders'], id: 'a' })).toMatchObject({
      code: 'UNAUTHENTICATED',
      channel: 'orders',
    });
    expect(await anonymous.request({ op: 'auth', token: 'not.a.token', id: 'b' })).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await anonymous.request({ op: 'subscribe', channels: ['executions'], id: 'c' })).toMatchObject({ code: 'UNAUTHENTICATED' });
    anonymous.send({ op: 'subscribe', channels: [`book:${notes['B']}`] });
    expect(await anonymous.waitFor((m) => m.channel === `book:${notes['B']}`)).toMatchObject({ type: 'snapshot' });
    await expect(Probe.open(t.wsUrl, { token: 'forged.token.value' })).rejects.toMatchObject({ status: 401 });
    const foreign = `${(await t.token('investor1')).slice(0, -4)}AAAA`;
    await expect(Probe.open(t.wsUrl, { token: foreign })).rejects.toMatchObject({ status: 401 });
    anonymous.close();
  });
});

describe('rfqs and settlements', () => {
  it('shows an addressed dealer the RFQ as it arrives, and the investor each answer', async () => {
    const noteId = notes['C']!;
    const investor = await session('investor1', ['rfqs']);
    const dealer1 = await session('dealer1', ['rfqs']);
    const dealer2 = await session('dealer2', ['rfqs']);
    const bystander = await session('investor2', ['rfqs']);
    const rfq = (
      await t.http
        .post('/api/v1/rfqs')
        .set({ authorization: `Bearer ${await t.token('investor1')}` })
        .send({ noteId, side: 'buy', quantity: '500000', dealerPartyIds: [await t.partyId('dealer1'), await t.partyId('dealer2')] })
        .expect(201)
    ).body;
    const seen = await dealer1.waitFor((m) => m.channel === 'rfqs' && m.type === 'update');
    expect(seen.data.rfqs[0]).toMatchObject({ id: rfq.id, noteId, side: 'buy', quantity: '500000', status: 'open', responses: [] });
    expect(seen.data.rfqs[0].dealerPartyIds).toBeUndefined();

    await t.http
      .post(`/api/v1/rfqs/${rfq.id}/responses`)
      .set({ authorization: `Bearer ${await t.token('dealer1')}` })
      .send({ price: '99.5', validForSeconds: 30 })
      .expect(201);
    const answer = await investor.waitFor((m) => m.channel === 'rfqs' && m.type === 'update' && m.data.rfqs[0].responses.length === 1);
    expect(answer.data.rfqs[0].responses[0]).toMatchObject({ dealerPartyId: await t.partyId('dealer1'), price: '99.5', status: 'open' });
    await dealer2.waitFor((m) => m.channel === 'rfqs' && m.type === 'update' && m.seq === 2);
    expect(
      dealer2
        .channel('rfqs')
        .flatMap((m) => m.data.rfqs)
        .flatMap((r: { responses: unknown[] }) => r.responses),
    ).toEqual([]);

    const late = await session('dealer1', ['rfqs']);
    expect(late.messages.find((m) => m.channel === 'rfqs')!.data.rfqs.map((r: { id: string }) => r.id)).toContain(rfq.id);
    await delay(50);
    expect(bystander.channel('rfqs').filter((m) => m.type === 'update')).toEqual([]);
    for (const probe of [investor, dealer1, dealer2, bystander, late]) probe.close();
  });

  it('streams a party its instructions: pending once traded, settled by the run; nothing to anyone else', async () => {
    const noteId = notes['B']!;
    const investor1 = await session('investor1', ['settlements']);
    const dealer1 = await session('dealer1', ['settlements']);
    const bystander = await session('investor2', ['settlements']);
    await place('dealer1', { noteId, side: 'sell', price: '99.5', quantity: '100000' });
    const buy = await place('investor1', { noteId, side: 'buy', price: '99.5', quantity: '100000', timeInForce: 'IOC' });
    const tradeId: string = buy.fills[0].tradeId;
    const isTrade = (m: { channel?: string; type?: string; data?: any }, status: string) =>
      m.channel === 'settlements' &&
      m.type === 'update' &&
      m.data.settlements.some((i: { tradeId: string; status: string }) => i.tradeId === tradeId && i.status === status);

    const pending = (await investor1.waitFor((m) => isTrade(m, 'pending'))).data.settlements.find(
      (i: { tradeId: string }) => i.tradeId === tradeId,
    );
    // Its own side only: the counterparty of an anonymous trade is not named (issue 15 item 6).
    expect(pending).toMatchObject({
      buyerPartyId: await t.partyId('investor1'),
      sellerPartyId: null,
      quantity: '100000',
      status: 'pending',
    });
    const listed = (
      await t.http
        .get('/api/v1/settlements')
        .set({ authorization: `Bearer ${await t.token('investor1')}` })
        .expect(200)
    ).body;
    expect(pending).toEqual(listed.find((i: { tradeId: string }) => i.tradeId === tradeId));
    await dealer1.waitFor((m) => isTrade(m, 'pending'));

    const backoffice = { authorization: `Bearer ${await t.token('backoffice1')}` };
    while ((await t.http.get('/api/v1/business-date').set(backoffice)).body.businessDate < pending.settlementDate) {
      await t.http.post('/api/v1/business-date/roll').set(backoffice).expect(200);
    }
    const run = (await t.http.post('/api/v1/settlements/run').set(backoffice).send({ date: pending.settlementDate }).expect(200)).body;
    const settled = (await investor1.waitFor((m) => isTrade(m, 'settled'))).data.settlements.find(
      (i: { tradeId: string }) => i.tradeId === tradeId,
    );
    expect(settled).toMatchObject({ id: pending.id, status: 'settled', runId: run.runId, settledDate: pending.settlementDate });
    await dealer1.waitFor((m) => isTrade(m, 'settled'));

    const late = await session('investor1', ['settlements']);
    const snapshot = late.messages.find((m) => m.channel === 'settlements' && m.type === 'snapshot')!;
    expect(snapshot.data.settlements.map((i: { id: string }) => i.id)).not.toContain(pending.id);
    await delay(50);
    expect(bystander.channel('settlements').filter((m) => m.type === 'update')).toEqual([]);
    for (const probe of [investor1, dealer1, bystander, late]) probe.close();
  });

  it('lists open instructions in the snapshot and streams a cancellation to both parties', async () => {
    const noteId = notes['B']!;
    await place('dealer2', { noteId, side: 'sell', price: '99.5', quantity: '100000' });
    const buy = await place('investor2', { noteId, side: 'buy', price: '99.5', quantity: '100000', timeInForce: 'IOC' });
    const tradeId: string = buy.fills[0].tradeId;
    await t.service.services.sequencer!.idle();
    const investor2 = await session('investor2', ['settlements']);
    const dealer2 = await session('dealer2', ['settlements']);
    const snapshot = investor2.messages.find((m) => m.channel === 'settlements' && m.type === 'snapshot')!;
    const open = snapshot.data.settlements.find((i: { tradeId: string }) => i.tradeId === tradeId);
    expect(open).toMatchObject({ status: 'pending', tradeId });

    const backoffice = { authorization: `Bearer ${await t.token('backoffice1')}` };
    await t.http.post(`/api/v1/settlements/${open.id}/cancel`).set(backoffice).send({ reason: 'trade busted' }).expect(200);
    for (const probe of [investor2, dealer2]) {
      const update = await probe.waitFor((m) => m.channel === 'settlements' && m.type === 'update');
      expect(update.data.settlements).toEqual([
        expect.objectContaining({ id: open.id, status: 'cancelled', cancelReason: 'trade busted' }),
      ]);
    }
    investor2.close();
    dealer2.close();
  });
});

describe('a token that expires mid-session', () => {
  it('drops the private subscriptions with TOKEN_EXPIRED, keeps public ones, and accepts a new token', async () => {
    const noteId = notes['Senior']!;
    const probe = await session('investor1', ['orders']);
    probe.send({ op: 'subscribe', channels: [`book:${noteId}`] });
    await probe.waitFor((m) => m.channel === `book:${noteId}`);
    clock.advance((TOKEN_LIFETIME_SECONDS + 1) * 1000);
    const expired = await probe.waitFor((m) => m.op === 'error' && m.code === 'TOKEN_EXPIRED');
    expect(expired.channels).toEqual(['orders']);

    const login = await t.http.post('/api/v1/auth/token').send({ username: 'investor1', password: 'demo' }).expect(200);
    const from = probe.messages.length;
    await t.http
      .post('/api/v1/orders')
      .set({ authorization: `Bearer ${login.body.token}` })
      .send({ clOrdId: 'after-expiry', noteId, side: 'buy', type: 'limit', price: '98', quantity: '100000' })
      .expect(201);
    await probe.waitFor((m) => m.channel === `book:${noteId}` && m.type === 'update', { from });
    expect(probe.messages.slice(from).filter((m) => m.channel === 'orders')).toEqual([]);
    expect(
      await probe.request({
        op: 'order',
        id: 'o1',
        order: { clOrdId: 'x1', noteId, side: 'buy', type: 'limit', price: '98', quantity: '100000' },
      }),
    ).toMatchObject({ op: 'reply', status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });

    expect(await probe.request({ op: 'auth', token: login.body.token, id: 'again' })).toBeDefined();
    probe.send({ op: 'subscribe', channels: ['orders'] });
    const snapshot = await probe.waitFor((m) => m.channel === 'orders' && m.type === 'snapshot', { from });
    expect(snapshot.data.orders.map((o: { clOrdId: string }) => o.clOrdId)).toContain('after-expiry');
    probe.close();
  });

  it('is renewed by the SDK when its token is a function: the private channels come back', async () => {
    const login = async () =>
      (await t.http.post('/api/v1/auth/token').send({ username: 'investor2', password: 'demo' })).body.token as string;
    const client = new CnxSocket({ url: t.wsUrl, token: login, createSocket: (url) => new WebSocket(url) as unknown as SocketLike });
    await client.connect();
    const snapshots: number[] = [];
    client.on('snapshot', (message) => message.channel === 'orders' && snapshots.push(message.seq));
    const expired: unknown[] = [];
    client.on('error', (error) => error.code === 'TOKEN_EXPIRED' && expired.push(error));
    client.subscribe(['orders']);
    for (let i = 0; i < 100 && snapshots.length < 1; i++) await delay(20);
    clock.advance((TOKEN_LIFETIME_SECONDS + 1) * 1000);
    for (let i = 0; i < 200 && snapshots.length < 2; i++) await delay(20);
    expect(expired).toHaveLength(1);
    expect(snapshots).toHaveLength(2);
    expect(client.seqOf('orders')).not.toBeNull();
    client.close();
  });
});
