/**
 * The audit trail (issue 19) through HTTP on the demo market: every operator and back-office
 * mutation appends exactly one row, with the acting user, its role and the entity, in the same
 * transaction as the action — a refused action (a 4xx) and an idempotent repeat leave none; the
 * table refuses UPDATE, DELETE and TRUNCATE; GET /audit filters by time, actor and action, pages
 * newest first, refuses bad parameters with codes and is for the back office and operators only.
 *
 * Also: the settlement-run history's amounts and the pre-roll checklist, with counts and amounts
 * worked out by hand from the trades this test makes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, appendAudit, type AuditAction } from '../../server/audit/index.js';
import { routes } from '../../server/api/routes/index.js';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;
let notes: Record<string, { id: string }>;
const parties: Record<string, string> = {};
let businessDate: string;
let counter = 0;

beforeAll(async () => {
  // Business date 2027-01-14; the first roll makes it 2027-01-15, a payment date of the demo deal.
  t = await startTestService({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  notes = Object.fromEntries(meridian.notes.map((n) => [n.className, n]));
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2', 'backoffice1', 'operator1']) {
    parties[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  }
}, 120_000);
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

interface AuditRow {
  id: string;
  actor: string;
  role: string;
  action: string;
  entity: string;
  details: Record<string, unknown>;
}

async function lastId(): Promise<number> {
  const row = (await t.database.knex('audit_log').max('id as id'))[0] as { id: string | number | null };
  return Number(row.id ?? 0);
}

async function rowsAfter(id: number): Promise<AuditRow[]> {
  const rows = await t.database
    .knex('audit_log')
    .where('id', '>', id)
    .orderBy('id')
    .select('id', 'actor', 'role', 'action', 'entity', 'details');
  return rows.map((r) => ({ ...r, id: String(r.id), details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
}

/** Runs the action; exactly one new audit row, which is returned. */
async function once(action: () => Promise<unknown>): Promise<AuditRow> {
  const before = await lastId();
  await action();
  const rows = await rowsAfter(before);
  expect(rows, JSON.stringify(rows)).toHaveLength(1);
  return rows[0]!;
}

/** Runs the refused (or repeated) action; no new audit row. */
async function none(action: () => Promise<unknown>): Promise<void> {
  const before = await lastId();
  await action();
  expect(await rowsAfter(before)).toEqual([]);
}

async function place(username: string, order: Record<string, unknown>) {
  counter += 1;
  const response = await t.http
    .post('/api/v1/orders')
    .set(await auth(username))
    .send({ clOrdId: `audit-${counter}`, type: 'limit', timeInForce: 'GTC', ...order });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function roll(): Promise<string> {
  return (
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body.businessDate;
}

describe('operator actions', () => {
  it('halt and resume: one row each, by operator1 as operator, on the note; an unknown note none', async () => {
    const b = notes['B']!.id;
    const op = await auth('operator1');
    const halt = await once(() => t.http.post(`/api/v1/notes/${b}/halt`).set(op).expect(200));
    expect(halt).toMatchObject({
      actor: 'operator1',
      role: 'operator',
      action: 'note.halt',
      entity: `note:${b}`,
      details: { wasHalted: false },
    });
    const resume = await once(() => t.http.post(`/api/v1/notes/${b}/resume`).set(op).expect(200));
    expect(resume).toMatchObject({ action: 'note.resume', entity: `note:${b}`, details: { wasHalted: true } });
    await none(() => t.http.post('/api/v1/notes/00000000-0000-4000-8000-000000000000/halt').set(op).expect(404));
  });

  it('price band: the new and previous widths; an out-of-range width none', async () => {
    const c = notes['C']!.id;
    const op = await auth('operator1');
    const row = await once(() => t.http.put(`/api/v1/notes/${c}/price-band`).set(op).send({ widthPoints: '5' }).expect(200));
    expect(row).toMatchObject({ action: 'note.price_band', entity: `note:${c}`, details: { widthPoints: '5', previousWidthPoints: '10' } });
    await none(() => t.http.put(`/api/v1/notes/${c}/price-band`).set(op).send({ widthPoints: '101' }).expect(400));
  });

  it("credit line: a dealer's line with the amount before; an investor's none", async () => {
    const op = await auth('operator1');
    const row = await once(() =>
      t.http.put(`/api/v1/parties/${parties.dealer2}/credit-line`).set(op).send({ amount: '2500000.00' }).expect(200),
    );
    expect(row).toMatchObject({
      actor: 'operator1',
      action: 'credit_line.set',
      entity: `party:${parties.dealer2}`,
      details: { amount: '2500000.00', previousAmount: '0.00' },
    });
    await none(() => t.http.put(`/api/v1/parties/${parties.investor1}/credit-line`).set(op).send({ amount: '1.00' }).expect(422));
  });

  it('reference rate and curve load', async () => {
    const op = await auth('operator1');
    const rate = await once(() => t.http.put('/api/v1/reference-rates/2027-01-14').set(op).send({ ratePercent: '4.25' }).expect(200));
    expect(rate).toMatchObject({ action: 'reference_rate.set', entity: 'reference-rate:2027-01-14', details: { ratePercent: '4.25' } });
    const today = (await t.http.get('/api/v1/business-date').set(op)).body.businessDate as string;
    const fixing = await once(() => t.http.put(`/api/v1/rate-fixings/SOFR/${today}`).set(op).send({ ratePercent: '4.31' }).expect(200));
    expect(fixing).toMatchObject({
      action: 'rate_fixing.set',
      entity: `rate-fixing:SOFR/${today}`,
      details: { ratePercent: '4.31', previousRatePercent: null },
    });
    // A fixing for a day that has not come is refused, and leaves no row.
    await none(() => t.http.put('/api/v1/rate-fixings/SOFR/2099-01-02').set(op).send({ ratePercent: '4.31' }).expect(422));
    const curve = await once(() =>
      t.http
        .put('/api/v1/curves/UST/2027-01-14')
        .set(op)
        .send({
          points: [
            { tenorYears: '1', yieldPercent: '4' },
            { tenorYears: '10', yieldPercent: '4.9' },
          ],
        })
        .expect(200),
    );
    expect(curve).toMatchObject({ action: 'curve.load', entity: 'curve:UST/2027-01-14', details: { points: 2 } });
    const gpu = await once(() =>
      t.http
        .put('/api/v1/gpu-values/H100')
        .set(op)
        .send({
          points: [
            { date: '2026-12-01', valueUsd: '18000' },
            { date: '2027-01-01', valueUsd: '17500' },
          ],
        })
        .expect(200),
    );
    expect(gpu).toMatchObject({ actor: 'operator1', action: 'gpu_values.load', entity: 'gpu-model:H100', details: { points: 2 } });
  });

  it('obligors: create, update, relationship, import (one row for the whole import); a duplicate none', async () => {
    const op = await auth('operator1');
    let id = '';
    const created = await once(async () => {
      id = (await t.http.post('/api/v1/obligors').set(op).send({ name: 'Audit Holdings', rating: 'BBB', sector: 'holding' }).expect(201))
        .body.id;
    });
    expect(created).toMatchObject({ action: 'obligor.create', entity: `obligor:${id}`, details: { name: 'Audit Holdings' } });
    await none(() => t.http.post('/api/v1/obligors').set(op).send({ name: 'audit holdings', sector: 'x' }).expect(409));
    const updated = await once(() => t.http.patch(`/api/v1/obligors/${id}`).set(op).send({ rating: 'A' }).expect(200));
    expect(updated).toMatchObject({ action: 'obligor.update', entity: `obligor:${id}`, details: { rating: 'A' } });
    const related = await once(() =>
      t.http
        .post(`/api/v1/obligors/${id}/relationships`)
        .set(op)
        .send({ type: 'sponsor_of', dealId, source: 'audit test', asOf: '2027-01-14' })
        .expect(201),
    );
    expect(related).toMatchObject({ action: 'obligor.relationship_add', entity: `obligor:${id}`, details: { type: 'sponsor_of', dealId } });
    const header = 'company,parent,rating,sector,relationship,deal,counterparty,leasedMw,monthlyRent,source,asOf';
    const imported = await once(() =>
      t.http
        .post('/api/v1/obligors/import')
        .set(op)
        .send({ csv: [header, 'Audit Lab One,,BB,AI,,,,,,,', 'Audit Lab Two,,BB,AI,,,,,,,'].join('\n') })
        .expect(200),
    );
    expect(imported).toMatchObject({
      action: 'obligor.import',
      entity: 'obligors',
      details: { rows: 2, companiesCreated: 2, companiesUpdated: 0, relationshipsAdded: 0 },
    });
    await none(() => t.http.post('/api/v1/obligors/import').set(op).send({ csv: 'not,the,header' }).expect(400));
  });

  it('parties: onboarding and eligibility; deals', async () => {
    const op = await auth('operator1');
    let id = '';
    const created = await once(async () => {
      id = (await t.http.post('/api/v1/parties').set(op).send({ name: 'Audit Capital', kind: 'investor' }).expect(201)).body.id;
    });
    expect(created).toMatchObject({ action: 'party.create', entity: `party:${id}`, details: { name: 'Audit Capital', kind: 'investor' } });
    await none(() => t.http.post('/api/v1/parties').set(op).send({ name: 'Audit Capital', kind: 'investor' }).expect(409));
    const changed = await once(() => t.http.patch(`/api/v1/parties/${id}`).set(op).send({ eligible: false }).expect(200));
    expect(changed).toMatchObject({ action: 'party.eligibility', details: { eligible: false, wasEligible: true } });
    const deal = {
      name: 'Audit Compute Trust 2027-1',
      sponsor: 'Audit Sponsor',
      issuer: 'Audit Issuer LLC',
      dealType: 'ABS',
      closingDate: '2027-01-10',
      collateral: { site: 'Nowhere, TX', capacityMw: '10', gpuCount: 1000, gpuModel: 'H200', lessee: 'Audit Lessee', leaseTermMonths: 60 },
    };
    let dealCreated = '';
    const row = await once(async () => {
      dealCreated = (await t.http.post('/api/v1/deals').set(op).send(deal).expect(201)).body.id;
    });
    expect(row).toMatchObject({ action: 'deal.create', entity: `deal:${dealCreated}`, details: { name: deal.name } });
    await none(() => t.http.post('/api/v1/deals').set(op).send(deal).expect(409));
    const note = {
      isin: 'US0378331005',
      dealId: dealCreated,
      className: 'A',
      name: 'Audit Compute Trust 2027-1 Class A',
      seniority: 1,
      rating: 'A',
      couponType: 'fixed',
      couponRate: '6',
      dayCount: '30/360',
      frequency: 12,
      issueDate: '2027-01-10',
      firstCouponDate: '2027-02-15',
      maturityDate: '2037-01-15',
      originalFace: '10000000',
      factor: '1',
      minDenomination: '100000',
      increment: '1000',
      tickSize: '0.0078125',
      settlementDays: 1,
    };
    let noteId = '';
    const listed = await once(async () => {
      noteId = (await t.http.post('/api/v1/notes').set(op).send(note).expect(201)).body.id;
    });
    expect(listed).toMatchObject({
      action: 'note.create',
      entity: `note:${noteId}`,
      details: { isin: 'US0378331005', dealId: dealCreated },
    });
    await none(() => t.http.post('/api/v1/notes').set(op).send(note).expect(409));
  });

  it('concentration limits: the investor who set them, as investor', async () => {
    const investor = await auth('investor2');
    const row = await once(() =>
      t.http
        .put('/api/v1/risk/limits')
        .set(investor)
        .send({ limits: [{ by: 'obligor', maxSharePercent: '40', mode: 'warn' }] })
        .expect(200),
    );
    expect(row).toMatchObject({
      actor: 'investor2',
      role: 'investor',
      action: 'risk_limits.set',
      entity: `party:${parties.investor2}`,
      details: { limits: [{ by: 'obligor', maxSharePercent: '40', mode: 'warn' }], previous: [] },
    });
    await none(() =>
      t.http
        .put('/api/v1/risk/limits')
        .set(investor)
        .send({ limits: [{ by: 'obligor', maxSharePercent: '140', mode: 'warn' }] })
        .expect(400),
    );
  });
});

const VERSION_1 = () => ({
  version: 1,
  paymentsPerYear: 12,
  seniorFees: [
    { name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' },
    { name: 'servicer', annualRatePercent: '0', fixedPerPeriod: '25000' },
  ],
  classes: ['A-2', 'B', 'C'].map((className) => ({ noteId: notes[className]!.id, className })),
  reserve: { targetAmount: '2000000' },
  principal: { mode: 'sequential', scheduledPerPeriod: '1000000' },
  cashTrap: { dscrThreshold: '1.35', trapPercent: '100' },
  anticipatedRepaymentDate: '2031-03-15',
  recordDate: 'business-day-before-payment-date',
});

interface ChecklistItem {
  key: string;
  count: number;
  amount: string | null;
  ok: boolean;
  rows: Record<string, string>[];
}

async function checklist(): Promise<{ businessDate: string; nextBusinessDate: string; ready: boolean; items: ChecklistItem[] }> {
  return (
    await t.http
      .get('/api/v1/business-date/checklist')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body;
}

async function checkItem(key: string): Promise<ChecklistItem> {
  return (await checklist()).items.find((i) => i.key === key)!;
}

async function runs(query = '') {
  return (
    await t.http
      .get(`/api/v1/settlements/runs${query}`)
      .set(await auth('operator1'))
      .expect(200)
  ).body as Record<string, unknown>[];
}

describe('back-office actions, the run history and the checklist', () => {
  it('cash: a deposit once; its repeat and an overdrawn withdrawal none', async () => {
    const bo = await auth('backoffice1');
    const body = { partyId: parties.investor1, amount: '1000.00', reference: 'audit-dep-1' };
    const row = await once(() => t.http.post('/api/v1/cash/deposits').set(bo).send(body).expect(201));
    expect(row).toMatchObject({
      actor: 'backoffice1',
      role: 'backoffice',
      action: 'cash.deposit',
      entity: `party:${parties.investor1}`,
      details: { amount: '1000.00', reference: 'audit-dep-1' },
    });
    await none(() => t.http.post('/api/v1/cash/deposits').set(bo).send(body).expect(200));
    const withdrawal = await once(() =>
      t.http
        .post('/api/v1/cash/withdrawals')
        .set(bo)
        .send({ partyId: parties.investor1, amount: '400.00', reference: 'audit-wd-0' })
        .expect(201),
    );
    expect(withdrawal).toMatchObject({ action: 'cash.withdrawal', details: { amount: '400.00', reference: 'audit-wd-0' } });
    await none(() =>
      t.http
        .post('/api/v1/cash/withdrawals')
        .set(bo)
        .send({ partyId: parties.backoffice1, amount: '1.00', reference: 'audit-wd-1' })
        .expect(422),
    );
  });

  it('the checklist of a quiet day: nothing open, ready', async () => {
    const list = await checklist();
    expect(list.businessDate).toBe('2027-01-14');
    expect(list.nextBusinessDate).toBe('2027-01-15');
    expect(list.items.map((i) => [i.key, i.count, i.ok])).toEqual([
      ['instructions_due', 0, true],
      ['open_fails', 0, true],
      ['settlement_runs_running', 0, true],
      ['collections_undistributed', 0, true],
      ['registry_pending', 0, true],
      ['registry_failed', 0, true],
    ]);
    expect(list.ready).toBe(true);
  });

  it('the roll: one row from the closing to the next date; a stale expected date none', async () => {
    const bo = await auth('backoffice1');
    await none(() => t.http.post('/api/v1/business-date/roll').set(bo).send({ expectedDate: '2027-01-13' }).expect(409));
    const row = await once(async () => {
      businessDate = await roll();
    });
    expect(businessDate).toBe('2027-01-15');
    expect(row).toMatchObject({
      actor: 'backoffice1',
      action: 'business_date.roll',
      entity: 'business-date:2027-01-14',
      details: { from: '2027-01-14', to: '2027-01-15' },
    });
  });

  it('waterfall, collection, correction and distribution: one row each; repeats none; the checklist follows', async () => {
    const bo = await auth('backoffice1');
    const waterfall = await once(() => t.http.put(`/api/v1/deals/${dealId}/waterfall`).set(bo).send(VERSION_1()).expect(200));
    expect(waterfall).toMatchObject({ action: 'waterfall.set', entity: `deal:${dealId}/waterfall`, details: { classes: 3 } });
    const collection = {
      reference: 'audit-dec-2026',
      paymentDate: businessDate,
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
      revenue: '9500000.00',
      operatingCosts: '2500000.00',
      utilization: '92.5',
      uptime: '99.95',
      powerCost: '1100000.00',
    };
    const recorded = await once(() => t.http.post(`/api/v1/deals/${dealId}/collections`).set(bo).send(collection).expect(201));
    expect(recorded).toMatchObject({
      action: 'collection.record',
      entity: `deal:${dealId}/collection:audit-dec-2026`,
      details: { version: 1, paymentDate: '2027-01-15', revenue: '9500000.00', operatingCosts: '2500000.00' },
    });
    await none(() => t.http.post(`/api/v1/deals/${dealId}/collections`).set(bo).send(collection).expect(200));
    // Recorded, not distributed: 9,500,000.00 − 2,500,000.00 = 7,000,000.00 net.
    expect(await checkItem('collections_undistributed')).toMatchObject({
      count: 1,
      amount: '7000000.00',
      ok: false,
      rows: [{ reference: 'audit-dec-2026', paymentDate: '2027-01-15', netCashFlow: '7000000.00' }],
    });
    const corrected = await once(() =>
      t.http
        .post(`/api/v1/deals/${dealId}/collections/audit-dec-2026/corrections`)
        .set(bo)
        .send({
          ...collection,
          reference: undefined,
          paymentDate: undefined,
          periodStart: undefined,
          periodEnd: undefined,
          revenue: '9400000.00',
          reason: 'late invoice',
        })
        .expect(201),
    );
    expect(corrected).toMatchObject({
      action: 'collection.correct',
      details: { version: 2, revenue: '9400000.00', reason: 'late invoice' },
    });
    // 9,400,000.00 − 2,500,000.00 = 6,900,000.00: the corrected version replaces the first.
    expect(await checkItem('collections_undistributed')).toMatchObject({ count: 1, amount: '6900000.00' });
    await none(() => t.http.post(`/api/v1/deals/${dealId}/collections/nope/corrections`).set(bo).send({ reason: 'x' }).expect(404));
    const distributed = await once(() =>
      t.http.post(`/api/v1/deals/${dealId}/distributions`).set(bo).send({ paymentDate: businessDate }).expect(201),
    );
    expect(distributed).toMatchObject({
      action: 'distribution.run',
      entity: `deal:${dealId}/distribution:2027-01-15`,
      details: { paymentDate: '2027-01-15' },
    });
    // The holders' credits in the row add up to what the ledger paid them for this distribution.
    const paid = await t.database
      .knex('distribution_payments')
      .where({ deal_id: dealId, payment_date: businessDate })
      .whereNotNull('party_id')
      .select('interest', 'principal');
    const total = paid.reduce((sum, p) => sum.plus(p.interest).plus(p.principal), new Decimal(0));
    expect(distributed.details.paidToHolders).toBe(total.toFixed(2));
    await none(() => t.http.post(`/api/v1/deals/${dealId}/distributions`).set(bo).send({ paymentDate: businessDate }).expect(200));
    expect(await checkItem('collections_undistributed')).toMatchObject({ count: 0, amount: '0.00', ok: true });
  });

  it('a performance report restated with a reason; without one none', async () => {
    const bo = await auth('backoffice1');
    const reports = (await t.http.get(`/api/v1/deals/${dealId}/performance-reports`).set(bo).expect(200)).body as {
      periodEnd: string;
      version: number;
      report: Record<string, unknown>;
    }[];
    const latest = reports[0]!;
    await none(() => t.http.post(`/api/v1/deals/${dealId}/performance-reports`).set(bo).send(latest.report).expect(422));
    const row = await once(() =>
      t.http
        .post(`/api/v1/deals/${dealId}/performance-reports`)
        .set(bo)
        .send({ ...latest.report, reason: 'audit restatement' })
        .expect(201),
    );
    expect(row).toMatchObject({
      action: 'performance_report.file',
      entity: `deal:${dealId}/performance-report:${latest.periodEnd}`,
      details: { periodEnd: latest.periodEnd, version: latest.version + 1, reason: 'audit restatement' },
    });
  });

  let realNet = '';
  let failInstruction = '';

  it('settlement runs: one row per run with its counts and amounts; a run after the business date none', async () => {
    const bo = await auth('backoffice1');
    // A real trade (T+1, not due today) and a trade whose seller has no C to deliver, due today.
    await place('investor1', { noteId: notes['B']!.id, side: 'buy', price: '99.5', quantity: '1000000' });
    const sell = await place('dealer1', { noteId: notes['B']!.id, side: 'sell', price: '99.5', quantity: '400000' });
    realNet = sell.fills[0].netAmount;
    await t.database.knex('trades').insert({
      id: 'AUDIT-FAIL-1',
      note_id: notes['C']!.id,
      price: '98',
      quantity: '100000',
      factor: '1',
      principal: '98000.00',
      accrued_interest: '0.00',
      net_amount: '98000.00',
      buyer_party_id: parties.investor1,
      seller_party_id: parties.investor2,
      maker_side: 'buy',
      venue: 'clob',
      trade_date: businessDate,
      settlement_date: businessDate,
      buyer_hold_reference: 'trade:AUDIT-FAIL-1:buyer',
      seller_hold_reference: 'trade:AUDIT-FAIL-1:seller',
      seq: 999_999_998,
      executed_at: new Date(),
    });
    failInstruction = String((await t.database.knex('settlement_instructions').where({ trade_id: 'AUDIT-FAIL-1' }).first('id')).id);
    // Due today: only the inserted trade, 98,000.00 (100,000 face at 98, no accrued).
    expect(await checkItem('instructions_due')).toMatchObject({
      count: 1,
      amount: '98000.00',
      ok: false,
      rows: [{ id: failInstruction, settlementDate: businessDate, netAmount: '98000.00', face: '100000' }],
    });

    await none(() => t.http.post('/api/v1/settlements/run').set(bo).send({ date: '2027-01-20' }).expect(422));
    let runId = '';
    const first = await once(async () => {
      const summary = (await t.http.post('/api/v1/settlements/run').set(bo).send({ date: businessDate }).expect(200)).body;
      expect(summary).toMatchObject({ due: 1, settled: 0, failed: 1 });
      runId = summary.runId;
    });
    expect(first).toMatchObject({
      actor: 'backoffice1',
      action: 'settlement.run',
      entity: `settlement-run:${runId}`,
      details: {
        date: '2027-01-15',
        mode: 'gross',
        status: 'completed',
        due: 1,
        settled: 0,
        failed: 1,
        settledAmount: '0.00',
        failedAmount: '98000.00',
      },
    });
    expect((await runs(`?date=${businessDate}`))[0]).toMatchObject({
      id: runId,
      settled: 0,
      failed: 1,
      settledAmount: '0.00',
      settledFace: '0',
      failedAmount: '98000.00',
      failedFace: '100000',
      createdBy: 'backoffice1',
    });
    expect(await checkItem('instructions_due')).toMatchObject({ count: 0, ok: true });
    expect(await checkItem('open_fails')).toMatchObject({ count: 1, amount: '98000.00', ok: false });
  });

  it('the next day: the real trade settles, the fail fails again; the history sums both; cancel once', async () => {
    const bo = await auth('backoffice1');
    const next = await roll();
    const real = (await t.http.get('/api/v1/settlements?status=pending').set(bo).expect(200)).body as {
      netAmount: string;
      settlementDate: string;
    }[];
    expect(real).toHaveLength(1);
    expect(real[0]!.settlementDate).toBe(next);
    // Due: the real trade (its fill's net amount); open: the fail, 98,000.00.
    expect(await checkItem('instructions_due')).toMatchObject({ count: 1, amount: new Decimal(realNet).toFixed(2) });
    const summary = (await t.http.post('/api/v1/settlements/run').set(bo).send({ date: next }).expect(200)).body;
    expect(summary).toMatchObject({ due: 2, settled: 1, failed: 1 });
    const history = await runs(`?from=2027-01-15&to=${next}`);
    expect(history.map((r) => [r.date, r.settled, r.failed, r.settledAmount, r.settledFace, r.failedAmount, r.failedFace])).toEqual([
      [next, 1, 1, new Decimal(realNet).toFixed(2), '400000', '98000.00', '100000'],
      ['2027-01-15', 0, 1, '0.00', '0', '98000.00', '100000'],
    ]);
    // The settled amount is the sum of the net amounts of the instructions that name the run (recomputed from the list).
    const settled = (await t.http.get('/api/v1/settlements?status=settled').set(bo).expect(200)).body as {
      runId: string;
      netAmount: string;
    }[];
    const byRun = settled.filter((i) => i.runId === summary.runId).reduce((sum, i) => sum.plus(i.netAmount), new Decimal(0));
    expect(history[0]!.settledAmount).toBe(byRun.toFixed(2));
    expect(await runs('?from=2027-01-19&to=2027-01-15').catch(() => null)).toBeNull();

    const cancelled = await once(() =>
      t.http.post(`/api/v1/settlements/${failInstruction}/cancel`).set(bo).send({ reason: 'broken by agreement' }).expect(200),
    );
    expect(cancelled).toMatchObject({
      action: 'settlement.cancel',
      entity: `settlement-instruction:${failInstruction}`,
      details: { tradeId: 'AUDIT-FAIL-1', previousStatus: 'failed', reason: 'broken by agreement' },
    });
    await none(() => t.http.post(`/api/v1/settlements/${failInstruction}/cancel`).set(bo).send({}).expect(409));
    expect((await checklist()).ready).toBe(true);
  });

  it("a roll that settles what is due at the close: the run's row (by whoever rolled) and then the roll's", async () => {
    const sell = await place('dealer1', { noteId: notes['B']!.id, side: 'sell', price: '99.5', quantity: '100000' });
    expect(sell.fills).toHaveLength(1);
    await roll(); // the trade's settlement date is now the business date; nothing was due at this close
    const before = await lastId();
    const closing = (await checklist()).businessDate;
    expect(await checkItem('instructions_due')).toMatchObject({ count: 1, amount: new Decimal(sell.fills[0].netAmount).toFixed(2) });
    const next = await roll();
    const rows = await rowsAfter(before);
    expect(rows.map((r) => [r.action, r.actor, r.details.trigger ?? null])).toEqual([
      ['settlement.run', 'backoffice1', 'end_of_day'],
      ['business_date.roll', 'backoffice1', null],
    ]);
    expect(rows[0]!.details).toMatchObject({
      date: closing,
      due: 1,
      settled: 1,
      failed: 0,
      settledAmount: new Decimal(sell.fills[0].netAmount).toFixed(2),
    });
    expect(rows[1]!.details).toEqual({ from: closing, to: next });
  });
});

/** Every mutating route of the back office or operators (and the investors' and dealers' limits), and the action it records. */
const AUDITED: Record<string, AuditAction> = {
  'post /api/v1/business-date/roll': 'business_date.roll',
  'post /api/v1/settlements/run': 'settlement.run',
  'post /api/v1/settlements/:id/cancel': 'settlement.cancel',
  'post /api/v1/deals/:id/collections': 'collection.record',
  'post /api/v1/deals/:id/collections/:reference/corrections': 'collection.correct',
  'post /api/v1/deals/:id/distributions': 'distribution.run',
  'post /api/v1/deals/:id/performance-reports': 'performance_report.file',
  'put /api/v1/deals/:id/waterfall': 'waterfall.set',
  'post /api/v1/registry/forced-transfers': 'registry.forced_transfer',
  'put /api/v1/registry/parties/:id/address': 'registry.address_set',
  'post /api/v1/registry/parties/:id/recover': 'registry.recover',
  'post /api/v1/notes': 'note.create',
  'post /api/v1/notes/:id/halt': 'note.halt',
  'post /api/v1/notes/:id/resume': 'note.resume',
  'put /api/v1/notes/:id/price-band': 'note.price_band',
  'post /api/v1/deals': 'deal.create',
  'post /api/v1/parties': 'party.create',
  'patch /api/v1/parties/:id': 'party.eligibility',
  'put /api/v1/parties/:id/credit-line': 'credit_line.set',
  'put /api/v1/reference-rates/:date': 'reference_rate.set',
  'put /api/v1/rate-fixings/:index/:date': 'rate_fixing.set',
  'post /api/v1/cash/deposits': 'cash.deposit',
  'post /api/v1/cash/withdrawals': 'cash.withdrawal',
  'put /api/v1/risk/limits': 'risk_limits.set',
  'post /api/v1/obligors': 'obligor.create',
  'patch /api/v1/obligors/:id': 'obligor.update',
  'post /api/v1/obligors/:id/relationships': 'obligor.relationship_add',
  'post /api/v1/obligors/import': 'obligor.import',
  'put /api/v1/curves/:name/:date': 'curve.load',
  'put /api/v1/gpu-values/:model': 'gpu_values.load',
};

describe('coverage', () => {
  it('every mutating route of the back office or operators has its action (a new one fails here until it is audited)', () => {
    const mutating = routes
      .filter(
        (r) =>
          r.method !== 'get' && Array.isArray(r.access) && r.access.some((role: string) => role === 'operator' || role === 'backoffice'),
      )
      .map((r) => `${r.method} ${r.path}`);
    expect(Object.keys(AUDITED).sort()).toEqual([...mutating, 'put /api/v1/risk/limits'].sort());
    expect([...new Set(Object.values(AUDITED))].sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('this file made a row of every action but the registry repairs (test/registry/audit.test.ts has those)', async () => {
    const seen = (await t.database.knex('audit_log').distinct('action')).map((r) => r.action as string).sort();
    expect(seen).toEqual(AUDIT_ACTIONS.filter((a) => !a.startsWith('registry.')).sort());
  });
});

describe('the trail', () => {
  it('is append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const knex = t.database.knex;
    const count = Number((await knex('audit_log').count('* as c'))[0]!.c);
    await expect(knex('audit_log').update({ actor: 'someone else' })).rejects.toThrow(/append-only/);
    await expect(knex('audit_log').where('id', '>', 0).delete()).rejects.toThrow(/append-only/);
    await expect(knex.raw('truncate audit_log')).rejects.toThrow(/append-only/);
    expect(Number((await knex('audit_log').count('* as c'))[0]!.c)).toBe(count);
  });

  it("rolls back with the action's transaction", async () => {
    const before = await lastId();
    await expect(
      t.database.knex.transaction(async (trx) => {
        await appendAudit(trx, {
          actor: { userId: null, username: 'tester', role: 'operator' },
          action: 'note.halt',
          entity: 'note:x',
        });
        throw new Error('the action failed after its audit row');
      }),
    ).rejects.toThrow('the action failed');
    expect(await rowsAfter(before)).toEqual([]);
  });

  async function trail(query: string, username = 'backoffice1') {
    return t.http.get(`/api/v1/audit${query}`).set(await auth(username));
  }

  it('answers newest first, filtered by actor and action, paged with before', async () => {
    const all = (await trail('?limit=1000').then((r) => r.body)) as AuditRow[];
    const ids = all.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const stored = Number((await t.database.knex('audit_log').count('* as c'))[0]!.c);
    expect(all).toHaveLength(stored);
    expect(Object.keys(all[0]!).sort()).toEqual(['action', 'actor', 'at', 'details', 'entity', 'id', 'role']);

    const operator = (await trail('?actor=operator1&limit=1000')).body as AuditRow[];
    expect(operator.length).toBeGreaterThan(0);
    expect(operator).toEqual(all.filter((r) => r.actor === 'operator1'));
    const halts = (await trail('?action=note.halt', 'operator1')).body as AuditRow[];
    expect(halts.map((r) => r.action)).toEqual(['note.halt']);

    const page1 = (await trail('?limit=3')).body as AuditRow[];
    const page2 = (await trail(`?limit=3&before=${page1[2]!.id}`)).body as AuditRow[];
    expect([...page1, ...page2]).toEqual(all.slice(0, 6));
  });

  it('filters by time: dates cover whole UTC days, instants are exact', async () => {
    const all = (await trail('?limit=1000')).body as (AuditRow & { at: string })[];
    const day = all[0]!.at.slice(0, 10);
    expect((await trail(`?from=${day}&to=${day}&limit=1000`)).body).toEqual(all.filter((r) => r.at.slice(0, 10) === day));
    expect((await trail('?to=2000-01-01')).body).toEqual([]);
    const pivot = all[Math.floor(all.length / 2)]!;
    const since = (await trail(`?from=${pivot.at}&limit=1000`)).body as AuditRow[];
    expect(since).toEqual(all.filter((r) => (r as { at: string }).at >= pivot.at));
    const until = (await trail(`?to=${pivot.at}&limit=1000`)).body as AuditRow[];
    expect(until).toEqual(all.filter((r) => (r as { at: string }).at <= pivot.at));
  });

  it('refuses bad parameters with VALIDATION_FAILED and changes nothing', async () => {
    const before = await lastId();
    for (const query of [
      '?action=note.delete',
      '?from=2027-02-30',
      '?from=yesterday',
      '?from=2027-01-15&to=2027-01-14',
      '?limit=0',
      '?limit=1001',
      '?before=-1',
      '?before=99999999999999999999',
      '?actor=',
      '?colour=red',
    ]) {
      const response = await trail(query);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('VALIDATION_FAILED');
    }
    expect(await lastId()).toBe(before);
  });

  it('is for the back office and operators: investors and dealers 403, no token 401', async () => {
    expect((await trail('', 'operator1')).status).toBe(200);
    for (const user of ['investor1', 'dealer1']) {
      const response = await trail('', user);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect((await t.http.get('/api/v1/audit')).status).toBe(401);
    for (const path of ['/api/v1/business-date/checklist', '/api/v1/settlements/runs']) {
      expect((await t.http.get(path).set(await auth('investor1'))).status).toBe(403);
    }
  });
});
