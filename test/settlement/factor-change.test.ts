/**
 * Issue 15, item 1: a trade that settles after a distribution's record date settles at the factor
 * in force on its settlement date. The example, on the demo deal through HTTP: business
 * date 2027-01-15, investor2 buys 1,000,000 A-2 at 99.9921875 IOC from dealer1 (factor
 * 0.985833333333 after December's payment, settling T+1 = 2027-01-19: the 18th is Martin Luther
 * King Jr. Day); then January's collections and distribution (factor → 0.984166666667), the roll,
 * settlement for 01-19. Before the fix it settled 986,331.39 (the old factor) while the seller,
 * holder of record on 01-14, also received January's principal on that face.
 *
 * Hand computation (A-2: 5.25% fixed, 30/360, monthly on the 15th; price 99.9921875 = 100 − 1/128;
 * principal and accrued each rounded half-even to cents):
 *   before  current face 1,000,000 × 0.985833333333 = 985,833.333333
 *           principal    985,833.333333 × 0.999921875 = 985,756.315104 → 985,756.32
 *           accrued      985,833.333333 × 5.25% × 4/360 (01-15 → 01-19, 30/360) = 575.069444 → 575.07
 *           net          986,331.39   (the figure)
 *   after   current face 1,000,000 × 0.984166666667 = 984,166.666667
 *           principal    984,166.666667 × 0.999921875 = 984,089.778646 → 984,089.78
 *           accrued      984,166.666667 × 5.25% × 4/360 = 574.097222 → 574.10
 *           net          984,663.88
 * Neither gains: the buyer pays the agreed price for the face it receives (984,166.67 current
 * face) plus 4 days' accrued on it; the 1,666.67 of face January paid down was paid at par by the
 * trust to the seller, holder of record (dealer1's January principal covers its 20,000,000
 * original face of record, the sold 1,000,000 included: 1,000,000 × 20M / 600M = 33,333.33).
 *
 * The whole story runs twice where nats-server is installed (always under CI): with /ws served in
 * process, and through NATS JetStream (NATS_URL; issue 21), where the adjusted executions reach
 * the parties through the bus publisher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { NatsServer, natsServerAvailable } from '../support/nats.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';
import { Probe } from '../ws/support.js';

for (const viaBus of natsServerAvailable() ? [false, true] : [false])
  describe(viaBus ? '/ws through NATS JetStream' : '/ws in process', () => factorChange(viaBus));

function factorChange(viaBus: boolean): void {
  let t: TestService;
  let nats: NatsServer | null = null;
  let dealId: string;
  let a2: string;
  const parties: Record<string, string> = {};

  beforeAll(async () => {
    nats = viaBus ? await NatsServer.start() : null;
    t = await startTestService({ clock: new ManualClock(new Date('2026-12-07T15:00:00Z')), ...(nats ? { natsUrl: nats.url } : {}) });
    const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
      id: string;
      name: string;
      notes: { id: string; className: string }[];
    }[];
    const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
    dealId = meridian.id;
    a2 = meridian.notes.find((n) => n.className === 'A-2')!.id;
    // The demo's waterfall is interest only to the ARD (issue 16), so its distributions leave the factor
    // alone. The example is a factor that steps down on a payment date: replace it, as an old
    // client would, with the version-1 definition the demo had when the issue was written — USD
    // 1,000,000 of scheduled principal a month, sequential, to A-2 first (600,000,000 original face:
    // 0.9875 → 0.985833333333 on 15 December, → 0.984166666667 on 15 January).
    await t.http
      .put(`/api/v1/deals/${dealId}/waterfall`)
      .set(await auth('backoffice1'))
      .send({
        version: 1,
        paymentsPerYear: 12,
        seniorFees: [
          { name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' },
          { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' },
        ],
        classes: ['A-2', 'B', 'C'].map((className) => ({ noteId: meridian.notes.find((n) => n.className === className)!.id, className })),
        reserve: { targetAmount: '0' },
        principal: { mode: 'sequential', scheduledPerPeriod: '1000000' },
        // No cash trap and no reserve: the demo's November report (its 3-month DSCR dips, issue 16) would
        // trap the excess, and a reserve top-up would take it, leaving less than the scheduled principal.
        cashTrap: null,
        anticipatedRepaymentDate: '2031-03-15',
        recordDate: 'business-day-before-payment-date',
      })
      .expect(200);
    for (const user of ['investor2', 'dealer1'])
      parties[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  });
  afterAll(async () => {
    await t.close();
    await nats?.close();
  });

  async function auth(username: string) {
    return { authorization: `Bearer ${await t.token(username)}` };
  }

  /** Test setup only: moves the business date (the demo starts on 2026-12-07) as a run of rolls would. */
  async function jumpTo(date: string): Promise<void> {
    await t.database.knex('business_date').where({ id: 1 }).update({ business_date: date });
    await t.service.services.sequencer!.execute((state) => state.startBusinessDay(date));
  }

  /**
   * Collections for a payment date, then its distribution. The collection period is derived from the
   * deal's calendar (the month before the payment month). The demo's performance reports run to
   * November 2026, so December's payment takes its figures from November's report (typed figures
   * would be a reconciliation break against it); January's, whose December has no report yet, types
   * them. Either way the cash covers fees, interest and the reserve, so each pays the full scheduled
   * 1,000,000 of principal the factors below depend on.
   */
  async function distribute(paymentDate: string, figures: Record<string, string> = {}) {
    await t.http
      .post(`/api/v1/deals/${dealId}/collections`)
      .set(await auth('backoffice1'))
      .send({
        reference: `collections-${paymentDate}`,
        paymentDate,
        ...figures,
      })
      .expect(201);
    return (
      await t.http
        .post(`/api/v1/deals/${dealId}/distributions`)
        .set(await auth('backoffice1'))
        .send({ paymentDate })
        .expect(201)
    ).body;
  }

  async function usd(username: string): Promise<{ total: string; held: string }> {
    return (await t.http.get('/api/v1/balances').set(await auth(username))).body.find((b: { asset: string }) => b.asset === 'USD');
  }

  describe('a trade across a payment date', () => {
    let tradeId: string;

    it('trades at the factor of the day: 986,331.39', async () => {
      await jumpTo('2026-12-15');
      await distribute('2026-12-15');
      const note = (await t.http.get(`/api/v1/notes/${a2}`).set(await auth('investor2'))).body;
      expect(note.factor).toBe('0.985833333333');
      await jumpTo('2027-01-15');
      await t.http
        .post('/api/v1/orders')
        .set(await auth('dealer1'))
        .send({ clOrdId: 'ask-1', noteId: a2, side: 'sell', type: 'limit', price: '99.9921875', quantity: '1000000', timeInForce: 'GTC' })
        .expect(201);
      const buy = await t.http
        .post('/api/v1/orders')
        .set(await auth('investor2'))
        .send({ clOrdId: 'buy-1', noteId: a2, side: 'buy', type: 'limit', price: '99.9921875', quantity: '1000000', timeInForce: 'IOC' })
        .expect(201);
      const [fill] = buy.body.fills;
      expect(fill).toMatchObject({
        factor: '0.985833333333',
        principal: '985756.32',
        accruedInterest: '575.07',
        netAmount: '986331.39',
        settlementDate: '2027-01-19',
      });
      tradeId = fill.tradeId;
    });

    it("is re-amounted by the distribution that lowers the factor: the buyer's hold follows, both parties are told", async () => {
      // Both parties listen on their executions channel over a real WebSocket.
      const feeds = new Map<string, Probe>();
      for (const user of ['investor2', 'dealer1']) {
        const probe = await Probe.open(`${t.url.replace(/^http/, 'ws')}/ws`, { token: await t.token(user) });
        probe.send({ op: 'subscribe', channels: ['executions'] });
        await probe.waitFor((m) => m.channel === 'executions' && m.type === 'snapshot');
        feeds.set(user, probe);
      }
      const heldBefore = new Decimal((await usd('investor2')).held);
      const report = await distribute('2027-01-15', {
        revenue: '9500000.00',
        operatingCosts: '2500000.00',
        utilization: '92.5',
        uptime: '99.95',
        powerCost: '1100000.00',
      });
      expect(report.recordDate).toBe('2027-01-14');
      const note = (await t.http.get(`/api/v1/notes/${a2}`).set(await auth('investor2'))).body;
      expect(note.factor).toBe('0.984166666667');

      // The seller was holder of record of its whole 20,000,000, the sold face included.
      const payment = await t.database
        .knex('distribution_payments')
        .where({ note_id: a2, party_id: parties.dealer1, payment_date: '2027-01-15' })
        .first();
      expect(new Decimal(payment.face_of_record).toFixed()).toBe('20000000');
      expect(new Decimal(payment.principal).toFixed(2)).toBe('33333.33');
      expect(
        await t.database
          .knex('distribution_payments')
          .where({ note_id: a2, party_id: parties.investor2, payment_date: '2027-01-15' })
          .first(),
      ).toBeUndefined();

      const adjusted = { factor: '0.984166666667', principal: '984089.78', accruedInterest: '574.10', netAmount: '984663.88' };
      const original = { factor: '0.985833333333', principal: '985756.32', accruedInterest: '575.07', netAmount: '986331.39' };
      for (const user of ['investor2', 'dealer1']) {
        const executions = (await t.http.get('/api/v1/executions').set(await auth(user))).body as Record<string, unknown>[];
        expect(executions.find((e) => e.tradeId === tradeId)).toMatchObject({
          ...adjusted,
          adjustment: { paymentDate: '2027-01-15', original },
        });
      }
      const [instruction] = (await t.http.get('/api/v1/settlements').set(await auth('investor2'))).body;
      expect(instruction).toMatchObject({ tradeId, netAmount: '984663.88', originalNetAmount: '986331.39', status: 'pending' });
      // The trade's hold drops by 986,331.39 − 984,663.88 = 1,667.51.
      expect(heldBefore.minus((await usd('investor2')).held).toFixed(2)).toBe('1667.51');
      // Told over the executions feed: the adjusted execution, with the original amounts, to each party.
      for (const [user, probe] of feeds) {
        const update = await probe.waitFor((m) => m.channel === 'executions' && m.type === 'update');
        expect(update.data.executions, user).toEqual([
          expect.objectContaining({
            tradeId,
            ...adjusted,
            side: user === 'dealer1' ? 'sell' : 'buy',
            adjustment: { paymentDate: '2027-01-15', original },
          }),
        ]);
        probe.close();
      }
    });

    it('settles at the new factor: the buyer pays 984,663.88, the seller receives it', async () => {
      const before = { buyer: await usd('investor2'), seller: await usd('dealer1') };
      const rolled = (
        await t.http
          .post('/api/v1/business-date/roll')
          .set(await auth('backoffice1'))
          .expect(200)
      ).body;
      expect(rolled.businessDate).toBe('2027-01-19');
      const run = (
        await t.http
          .post('/api/v1/settlements/run')
          .set(await auth('backoffice1'))
          .send({ date: '2027-01-19' })
          .expect(200)
      ).body;
      expect(run).toMatchObject({ settled: 1, failed: 0 });
      const after = { buyer: await usd('investor2'), seller: await usd('dealer1') };
      expect(new Decimal(before.buyer.total).minus(after.buyer.total).toFixed(2)).toBe('984663.88');
      expect(new Decimal(after.seller.total).minus(before.seller.total).toFixed(2)).toBe('984663.88');
      // Nothing of the buyer's stays held for the trade.
      expect(new Decimal(after.buyer.held).toFixed(2)).toBe('0.00');
      const recon = (await t.http.get('/api/v1/reconciliation').set(await auth('backoffice1'))).body;
      expect(recon.breaks).toEqual([]);
    });

    it('a repeated distribution changes nothing more', async () => {
      await t.http
        .post(`/api/v1/deals/${dealId}/distributions`)
        .set(await auth('backoffice1'))
        .send({ paymentDate: '2027-01-15' })
        .expect(200);
      expect(Number((await t.database.knex('trade_adjustments').count('* as n').first())!.n)).toBe(1);
    });
  });
}
