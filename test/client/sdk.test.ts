/**
 * The SDK against the real service (startTestService): every endpoint group through its typed
 * method, decimal strings kept as strings, errors as ApiError with the API's status, code, message
 * and details, and an unreachable server as a NETWORK_ERROR with status 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  ComputeNotesClient,
  newClOrdId,
  runSettlementWithProgress,
  type Note,
  type SettlementRun,
} from '../../client/sdk/index.js';
import { DEMO_PASSWORD, ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
const clients = new Map<string, ComputeNotesClient>();
let notes: Record<string, Note>;

async function as(username: string): Promise<ComputeNotesClient> {
  let client = clients.get(username);
  if (!client) {
    client = new ComputeNotesClient({ baseUrl: t.url });
    await client.login(username, DEMO_PASSWORD);
    clients.set(username, client);
  }
  return client;
}

beforeAll(async () => {
  // Business date 2027-01-14: the roll below reaches 2027-01-15, a payment date of Meridian (the 15th).
  t = await startTestService({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  notes = Object.fromEntries((await (await as('investor1')).notes()).map((n) => [n.className, n]));
});
afterAll(async () => t?.close());

describe('the SDK', () => {
  it('logs in, reads health, the OpenAPI document and reference data', async () => {
    const anonymous = new ComputeNotesClient({ baseUrl: t.url });
    expect(await anonymous.health()).toEqual({ status: 'ok' });
    expect((await anonymous.readiness()).status).toBe('ready');
    expect(Object.keys((await anonymous.openApi()).paths as object)).toContain('/api/v1/orders');
    const login = await anonymous.login('investor1', DEMO_PASSWORD);
    expect(login.user.roles).toEqual(['investor']);
    expect(anonymous.token).toBe(login.token);
    const deals = await anonymous.deals();
    expect(deals.map((d) => d.name)).toContain('Meridian Compute ABS 2026-1');
    const meridian = await anonymous.deal(deals.find((d) => d.name.startsWith('Meridian'))!.id);
    expect(meridian.notes?.map((n) => n.className)).toEqual(['A-2', 'B', 'C']);
    expect(await anonymous.note(notes['A-2']!.id)).toMatchObject({ factor: '0.9875', tickSize: '0.0078125', couponRate: '5.25' });
    expect((await anonymous.notes({ dealId: meridian.id })).length).toBe(3);
    expect((await anonymous.party(login.user.partyId)).name).toBe('Northbridge Asset Management');
    expect((await (await as('backoffice1')).parties()).length).toBeGreaterThanOrEqual(6);
    expect(await anonymous.waterfall(meridian.id)).toMatchObject({ version: 2, anticipatedRepaymentDate: '2031-03-15' });
  });

  it("throws ApiError with the API's status, code, message and details", async () => {
    const investor = await as('investor1');
    const wrong = new ComputeNotesClient({ baseUrl: t.url });
    await expect(wrong.login('investor1', 'nope')).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    const error = await investor
      .placeOrder({
        clOrdId: newClOrdId(),
        noteId: notes['A-2']!.id,
        side: 'buy',
        type: 'limit',
        price: 99.5 as unknown as string,
        quantity: '100000',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((error as ApiError).issues.join()).toContain('price');
    await expect(investor.reconciliation()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(investor.order('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
    const offline = new ComputeNotesClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    const network = await offline.notes().catch((e: unknown) => e);
    expect(network).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
    expect((network as ApiError).isNetworkError).toBe(true);
  });

  it('quotes, trades, cancels and replaces, keeping decimals as strings', async () => {
    const dealer = await as('dealer1');
    const investor = await as('investor1');
    const a2 = notes['A-2']!.id;
    const quoted = await dealer.putQuotes([
      { noteId: a2, bidPrice: '99.5', bidSize: '1000000', askPrice: '100.0078125', askSize: '1000000' },
    ]);
    expect(quoted.quotes).toHaveLength(2);
    const book = await investor.book(a2, 5);
    expect(book.asks[0]).toEqual({ price: '100.0078125', quantity: '1000000', orders: 1 });
    const clOrdId = newClOrdId('sdk');
    const filled = await investor.placeOrder({
      clOrdId,
      noteId: a2,
      side: 'buy',
      type: 'limit',
      price: '100.0078125',
      quantity: '250000',
      timeInForce: 'IOC',
    });
    expect(filled.order.status).toBe('filled');
    expect(filled.fills[0]).toMatchObject({ price: '100.0078125', quantity: '250000', factor: '0.9875' });
    expect(typeof filled.fills[0]!.netAmount).toBe('string');
    // The same clOrdId again answers with the original result.
    const again = await investor.placeOrder({
      clOrdId,
      noteId: a2,
      side: 'buy',
      type: 'limit',
      price: '100.0078125',
      quantity: '250000',
      timeInForce: 'IOC',
    });
    expect(again.order.id).toBe(filled.order.id);

    const resting = await investor.placeOrder({
      clOrdId: newClOrdId('sdk'),
      noteId: a2,
      side: 'buy',
      type: 'limit',
      price: '99',
      quantity: '200000',
    });
    expect((await investor.orders({ status: 'open', noteId: a2 })).map((o) => o.id)).toContain(resting.order.id);
    const replaced = await investor.replaceOrder(resting.order.id, { price: '99.125', quantity: '150000' });
    expect(replaced.order).toMatchObject({ price: '99.125', quantity: '150000' });
    expect((await investor.order(resting.order.id)).price).toBe('99.125');
    expect((await investor.cancelOrder(resting.order.id)).status).toBe('cancelled');
    expect((await investor.orders({ status: 'all' })).length).toBeGreaterThanOrEqual(2);

    expect((await investor.executions({ noteId: a2 }))[0]).toMatchObject({ side: 'buy', liquidity: 'taker', venue: 'clob' });
    expect((await investor.trades({ noteId: a2, limit: 5 }))[0]).toMatchObject({ price: '100.0078125', quantity: '250000' });
    const balances = await investor.balances();
    // Face moves at settlement (T+1); until then the trade's cash is held.
    expect(balances.find((b) => b.asset === a2)?.total).toBe('5000000');
    expect(balances.find((b) => b.asset === 'USD')?.held).toBe(filled.fills[0]!.netAmount);
    expect((await investor.ledgerEntries({ limit: 5 })).length).toBeGreaterThan(0);
    expect((await dealer.pullQuotes()).quotes.every((q) => q.status === 'cancelled')).toBe(true);
  });

  it('runs an RFQ from request to trade', async () => {
    const investor = await as('investor2');
    const dealer = await as('dealer2');
    const rfq = await investor.createRfq({ noteId: notes.B!.id, side: 'buy', quantity: '500000', expiresInSeconds: 60 });
    expect(rfq.status).toBe('open');
    const inbox = await dealer.rfqs({ status: 'open' });
    expect(inbox.map((r) => r.id)).toContain(rfq.id);
    const answer = await dealer.respondToRfq(rfq.id, { price: '99.25', validForSeconds: 30 });
    expect((await investor.rfq(rfq.id)).responses.map((r) => r.price)).toEqual(['99.25']);
    const { trade } = await investor.acceptRfq(rfq.id, answer.id);
    expect(trade).toMatchObject({ price: '99.25', quantity: '500000', venue: 'rfq' });
    expect((await investor.rfqs({ status: 'done' })).map((r) => r.id)).toContain(rfq.id);
    expect((await dealer.rfqStatistics())[0]).toMatchObject({ done: 1 });
  });

  it('moves cash, rolls the date, settles with progress, services the deal and reconciles', async () => {
    const office = await as('backoffice1');
    const investor = await as('investor1');
    const partyId = (await office.parties()).find((p) => p.name.startsWith('Northbridge'))!.id;
    const deposit = await office.deposit({ partyId, amount: '1000.00', reference: 'sdk-deposit-1' });
    expect(deposit).toMatchObject({ amount: '1000.00', reference: 'sdk-deposit-1' });
    expect((await office.withdraw({ partyId, amount: '1000.00', reference: 'sdk-withdrawal-1' })).amount).toBe('1000.00');

    const { businessDate } = await office.businessDate();
    const rolled = await office.rollBusinessDate(businessDate);
    expect(rolled.previousDate).toBe(businessDate);
    const seen: SettlementRun[] = [];
    const summary = await runSettlementWithProgress(office, { date: rolled.businessDate }, (run) => seen.push(run), 10);
    expect(summary).toMatchObject({ due: 2, settled: 2, failed: 0 });
    expect((await office.settlementRun(summary.runId)).status).toBe('completed');
    expect((await office.settlementRuns({ date: rolled.businessDate }))[0]!.id).toBe(summary.runId);
    expect((await office.settlements({ status: 'settled' })).length).toBe(2);
    expect((await investor.settlements()).every((s) => s.buyerPartyId === partyId || s.sellerPartyId === partyId)).toBe(true);
    expect((await office.statement({ partyId, date: rolled.businessDate })).settlements.length).toBe(1);
    expect((await office.statementCsv({ partyId, date: rolled.businessDate })).split('\n')[0]).toContain('section,reference');

    const meridian = (await office.deals()).find((d) => d.name.startsWith('Meridian'))!.id;
    await office.recordCollection(meridian, {
      reference: 'sdk-collections',
      paymentDate: rolled.businessDate,
      revenue: '9000000',
      operatingCosts: '2000000',
      utilization: '91',
      uptime: '99.9',
      powerCost: '0',
    });
    expect((await office.collectionCalendar(meridian, 1))[0]).toMatchObject({
      paymentDate: '2027-01-15',
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
      distributed: false,
    });
    const corrected = await office.correctCollection(meridian, 'sdk-collections', {
      reason: 'power cost omitted',
      revenue: '9000000',
      operatingCosts: '2000000',
      utilization: '91',
      uptime: '99.9',
      powerCost: '800000',
    });
    expect(corrected).toMatchObject({ version: 2, status: 'active', operatingCostBreakdown: { power: '800000.00', other: '1200000.00' } });
    expect((await office.collections(meridian)).map((c) => [c.reference, c.version, c.status])).toEqual([
      ['sdk-collections', 1, 'superseded'],
      ['sdk-collections', 2, 'active'],
    ]);
    // The demo's trap tests the 3-month average DSCR: December's performance report (the collection
    // period's) is filed first, with the collection's figures, or the distribution is refused.
    const november = (await office.performanceReports(meridian))[0]!.report;
    await office.filePerformanceReport(meridian, {
      ...november,
      periodEnd: '2026-12-31',
      revenue: '9000000.00',
      operatingCosts: '2000000.00',
      powerCost: '800000.00',
    });
    const report = await office.runDistribution(meridian, rolled.businessDate);
    // The demo deal is interest only to the ARD: no principal, the factor stays.
    expect(report.classes.find((c) => c.className === 'A-2')).toMatchObject({ principalPaid: '0.00', factorAfter: '0.9875' });
    expect(report.triggers.map((t) => [t.name, t.metric, t.threshold, t.breached])).toEqual([
      ['dscr-cash-trap', 'dscrThreeMonthAverage', '1.35', false],
    ]);
    expect(report.metricsSource).toBe('performance_report');
    expect((await office.trusteeReports(meridian)).length).toBe(1);
    expect((await office.reconciliation()).breaks).toEqual([]);
  });

  it('files and reads performance reports and the surveillance table', async () => {
    const office = await as('backoffice1');
    const investor = await as('investor1');
    const helios = (await investor.deals()).find((d) => d.name.startsWith('Helios'))!.id;
    const history = await investor.performanceReports(helios);
    expect(history).toHaveLength(24);
    const filed = await office.filePerformanceReport(helios, { ...history[0]!.report, periodEnd: '2026-12-31' });
    expect(filed).toMatchObject({ periodEnd: '2026-12-31', version: 1 });
    const restated = await office.filePerformanceReport(helios, {
      ...history[0]!.report,
      periodEnd: '2026-12-31',
      revenue: '12000000.00',
      reason: 'late credit note',
    });
    expect(restated.version).toBe(2);
    expect((await investor.performanceReportVersions(helios, '2026-12-31')).map((v) => v.reason)).toEqual([null, 'late credit note']);
    expect((await investor.performanceReports(helios, { from: '2026-12-01' })).map((r) => [r.periodEnd, r.version])).toEqual([
      ['2026-12-31', 2],
    ]);
    expect((await investor.performanceReportsCsv(helios, { from: '2026-11-01' })).trim().split('\n')).toHaveLength(3);
    const table = await investor.surveillance();
    expect(table.find((r) => r.dealId === helios)).toMatchObject({ periodEnd: '2026-12-31', version: 2 });
    expect((await investor.surveillanceCsv()).split('\n')[0]).toContain('dscrThreeMonthAverage');
    await expect(investor.filePerformanceReport(helios, { ...history[0]!.report, periodEnd: '2027-01-31' })).rejects.toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
  });
});
