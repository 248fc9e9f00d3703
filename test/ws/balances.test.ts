/**
 * The private `balances` channel: a dealer's cash and face balances (total, held, available) as
 * GET /balances shows them, pushed when quotes change holds — a mass quote opens holds, a pull
 * releases them — when a fill moves them, and when cash is deposited; never another party's.
 * Figures are checked against GET /balances read at the same moment, and the holds by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { delay, Probe, startWsService, type Message, type WsTestService } from './support.js';

let t: WsTestService;
let notes: Record<string, string>;

beforeAll(async () => {
  t = await startWsService();
  notes = await t.notes();
});
afterAll(async () => t.close());

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });
const balancesOver = async (username: string) => (await t.http.get('/api/v1/balances').set(await auth(username))).body;
const asset = (message: Message, name: string) => message.data.balances.find((b: { asset: string }) => b.asset === name);

async function session(username: string): Promise<Probe> {
  const probe = await Probe.open(t.wsUrl, { token: await t.token(username) });
  probe.send({ op: 'subscribe', channels: ['balances'] });
  await probe.waitFor((m) => m.channel === 'balances' && m.type === 'snapshot');
  return probe;
}

describe('balances channel', () => {
  it('sends the snapshot as GET /balances, then the holds a mass quote opens and a pull releases', async () => {
    const dealer = await session('dealer1');
    const other = await session('dealer2');
    const snapshot = dealer.channel('balances').find((m) => m.type === 'snapshot')!;
    expect(snapshot.data.balances).toEqual(await balancesOver('dealer1'));
    const before = new Decimal(asset(snapshot, 'USD').held);
    const bFaceHeldBefore = new Decimal(asset(snapshot, notes['B']!)?.held ?? '0');

    const from = dealer.messages.length;
    await t.http
      .put('/api/v1/quotes')
      .set(await auth('dealer1'))
      .send({ quotes: [{ noteId: notes['B'], bidPrice: '99', bidSize: '1000000', askPrice: '101', askSize: '500000' }] })
      .expect(200);
    const quoted = await dealer.waitFor((m) => m.channel === 'balances' && m.type === 'update', { from });
    // The bid holds cash for 1,000,000 B at 99: principal 1,000,000 × factor × 0.99, plus at most a
    // period's accrued (under 1 % of face); the ask holds 500,000 face of B.
    const factorB = (await t.http.get(`/api/v1/notes/${notes['B']}`).set(await auth('dealer1'))).body.factor;
    const principal = new Decimal(1_000_000).mul(factorB).mul('0.99');
    const cashHeld = new Decimal(asset(quoted, 'USD').held).sub(before);
    expect(cashHeld.gte(principal)).toBe(true);
    expect(cashHeld.lt(principal.add(10_000))).toBe(true);
    expect(new Decimal(asset(quoted, notes['B']!).held).sub(bFaceHeldBefore).toFixed()).toBe('500000');
    expect(quoted.data.balances).toEqual(await balancesOver('dealer1'));

    const pulled = dealer.messages.length;
    await t.http
      .delete(`/api/v1/quotes?noteId=${notes['B']}`)
      .set(await auth('dealer1'))
      .expect(200);
    const released = await dealer.waitFor((m) => m.channel === 'balances' && m.type === 'update', { from: pulled });
    expect(asset(released, 'USD').held).toBe(asset(snapshot, 'USD').held);
    expect(new Decimal(asset(released, notes['B']!).held).eq(bFaceHeldBefore)).toBe(true);

    // dealer2 saw none of it.
    await t.service.services.sequencer!.idle();
    await delay(100);
    expect(other.channel('balances').filter((m) => m.type === 'update')).toEqual([]);
    const dealer1Party = await t.partyId('dealer1');
    for (const message of other.messages) expect(JSON.stringify(message)).not.toContain(dealer1Party);
  });

  it('sends the balances after a fill and after a deposit, to each party concerned', async () => {
    const dealer = await session('dealer1');
    const investor = await session('investor1');
    const from = dealer.messages.length;
    const fromInvestor = investor.messages.length;
    await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer1'))
      .send({ clOrdId: 'bal-1', noteId: notes['B'], side: 'sell', type: 'limit', price: '100', quantity: '100000', timeInForce: 'GTC' })
      .expect(201);
    await t.http
      .post('/api/v1/orders')
      .set(await auth('investor1'))
      .send({ clOrdId: 'bal-2', noteId: notes['B'], side: 'buy', type: 'limit', price: '100', quantity: '100000', timeInForce: 'IOC' })
      .expect(201);
    await t.service.services.sequencer!.idle();
    const investorUpdate = await investor.waitFor((m) => m.channel === 'balances' && m.type === 'update', { from: fromInvestor });
    expect(investorUpdate.data.balances).toBeDefined();
    await delay(100);
    expect(investor.channel('balances').at(-1)!.data.balances).toEqual(await balancesOver('investor1'));
    expect(dealer.channel('balances').at(-1)!.data.balances).toEqual(await balancesOver('dealer1'));
    expect(dealer.messages.slice(from).some((m) => m.channel === 'balances' && m.type === 'update')).toBe(true);

    const beforeDeposit = investor.messages.length;
    await t.http
      .post('/api/v1/cash/deposits')
      .set(await auth('backoffice1'))
      .send({ partyId: await t.partyId('investor1'), amount: '1234.56', reference: 'bal-deposit-1' })
      .expect(201);
    const deposited = await investor.waitFor((m) => m.channel === 'balances' && m.type === 'update', { from: beforeDeposit });
    const previous = investor.messages
      .slice(0, beforeDeposit)
      .filter((m) => m.channel === 'balances')
      .at(-1)!;
    expect(new Decimal(asset(deposited, 'USD').total).sub(asset(previous, 'USD').total).toFixed(2)).toBe('1234.56');
  });
});
