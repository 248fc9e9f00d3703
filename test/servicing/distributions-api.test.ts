/**
 * Servicing through HTTP on the demo deal (Meridian Compute ABS 2026-1), whose waterfall an old
 * client first replaces with a version-1 (fixed-shape) definition — USD 1,000,000 of scheduled
 * principal a month, as the demo had before it became interest only to the ARD — stored in the
 * step form and run with the same amounts as before: the trustee records collections, the back office runs the distribution, holders of record are
 * paid through the ledger, the A-2 factor steps down (and new trades use it), the trustee report
 * lists every class, a second run changes nothing, and bad input is refused with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
let dealId: string;
let notes: Record<string, { id: string; factor: string }>;
let paymentDate: string;
const parties: Record<string, string> = {};

beforeAll(async () => {
  // Business date 2027-01-14; the roll below makes it 2027-01-15, a payment date of the deal (the 15th).
  t = await startTestService({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string; factor: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  notes = Object.fromEntries(meridian.notes.map((n) => [n.className, n]));
  for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2']) {
    parties[user] = (await t.http.post('/api/v1/auth/token').send({ username: user, password: 'demo' })).body.user.partyId;
  }
  // The demo positions are dated on the first business date; one roll makes them positions of record.
  paymentDate = (
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body.businessDate;
});
afterAll(async () => t.close());

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

async function cash(username: string): Promise<Decimal> {
  const list = (await t.http.get('/api/v1/balances').set(await auth(username))).body as { asset: string; total: string }[];
  return new Decimal(list.find((b) => b.asset === 'USD')?.total ?? '0');
}

async function books() {
  return {
    accounts: await t.database.knex('ledger_accounts').orderBy('id').select('id', 'total', 'held'),
    entries: (await t.database.knex('ledger_entries').count('* as count'))[0],
    notes: await t.database.knex('notes').orderBy('id').select('id', 'factor'),
    state: await t.database.knex('deal_servicing_state').select('*'),
  };
}

const collection = (overrides: Record<string, string> = {}) => ({
  // The collection period of the 15 January payment date is December (derived from the deal's calendar).
  reference: 'dec-2026',
  paymentDate,
  periodStart: '2026-12-01',
  periodEnd: '2026-12-31',
  revenue: '9500000.00',
  operatingCosts: '2500000.00',
  utilization: '92.5',
  uptime: '99.95',
  powerCost: '1100000.00',
  ...overrides,
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

describe('a distribution on the demo deal', () => {
  let report: Record<string, any>;

  it('accepts a version-1 definition from an old client and stores it as steps', async () => {
    const saved = (
      await t.http
        .put(`/api/v1/deals/${dealId}/waterfall`)
        .set(await auth('backoffice1'))
        .send(VERSION_1())
        .expect(200)
    ).body;
    expect(saved.version).toBe(2);
    expect(saved.steps.map((s: { kind: string; className?: string }) => (s.className ? `${s.kind} ${s.className}` : s.kind))).toEqual([
      'senior_fees',
      'interest A-2',
      'interest B',
      'interest C',
      'reserve_top_up',
      'scheduled_principal',
      'cash_trap',
      'sweep',
      'residual',
    ]);
    expect(saved.steps[5]).toEqual({
      kind: 'scheduled_principal',
      amountPerPeriod: '1000000',
      mode: 'sequential',
      classes: ['A-2', 'B', 'C'],
      when: { ard: 'before' },
    });
    expect(saved.triggers).toEqual([
      {
        name: 'dscr-cash-trap',
        metric: 'dscr',
        comparison: 'lt',
        threshold: '1.35',
        lookbackPeriods: 1,
        curePeriods: 1,
        effect: { type: 'trap_cash', percent: '100' },
      },
    ]);
    expect(
      (
        await t.http
          .get(`/api/v1/deals/${dealId}/waterfall`)
          .set(await auth('investor1'))
          .expect(200)
      ).body,
    ).toEqual(saved);
  });

  it('records the collections into the trust account, idempotently by reference', async () => {
    const first = await t.http
      .post(`/api/v1/deals/${dealId}/collections`)
      .set(await auth('backoffice1'))
      .send(collection());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      revenue: '9500000.00',
      operatingCosts: '2500000.00',
      netCashFlow: '7000000.00',
      utilization: '92.5',
    });
    const again = await t.http
      .post(`/api/v1/deals/${dealId}/collections`)
      .set(await auth('backoffice1'))
      .send(collection());
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const trust = await t.database.knex('ledger_accounts').where({ system_code: 'trust', asset: 'USD' }).first('total');
    expect(new Decimal(trust.total).toFixed(2)).toBe('7000000.00');
  });

  it('runs the waterfall and pays the holders of record', async () => {
    const investorBefore = await cash('investor1');
    const response = await t.http
      .post(`/api/v1/deals/${dealId}/distributions`)
      .set(await auth('backoffice1'))
      .send({ paymentDate });
    expect(response.status).toBe(201);
    report = response.body;
    // Interest for one 30/360 month (1/12):
    //   600,000,000 × 0.9875 = 592,500,000 × 5.25% / 12 = 2,592,187.50
    //   B:   120,000,000 × 6.4% / 12 = 640,000.00;  C: 80,000,000 × 8.75% / 12 = 583,333.333… → 583,333.33
    // Fees: trustee 792,500,000 × 0.02% / 12 = 13,208.333… → 13,208.33, servicer 25,000 → 38,208.33.
    // Debt service 38,208.33 + 3,815,520.83 = 3,853,729.16; DSCR = 7,000,000 / 3,853,729.16 = 1.8164 (no trap).
    // 7,000,000 − 38,208.33 − 3,815,520.83 = 3,146,270.84; reserve top-up 2,000,000 → 1,146,270.84;
    // scheduled principal 1,000,000 to A-2 (sequential); 146,270.84 released to the residual holder.
    expect(report.classes.map((c: any) => [c.className, c.interestDue, c.interestPaid, c.interestShortfall, c.principalPaid])).toEqual([
      ['A-2', '2592187.50', '2592187.50', '0.00', '1000000.00'],
      ['B', '640000.00', '640000.00', '0.00', '0.00'],
      ['C', '583333.33', '583333.33', '0.00', '0.00'],
    ]);
    expect(report.seniorFees).toEqual({ due: '38208.33', paid: '38208.33', shortfall: '0.00' });
    expect(report.dscr).toBe('1.8164');
    expect(report.cashTrapActive).toBe(false);
    expect(report.reserve).toEqual({ before: '0.00', draw: '0.00', topUp: '2000000.00', after: '2000000.00' });
    expect(report.residualReleased).toBe('146270.84');
    // Its working: the trigger tested DSCR 1.8164… against 1.35, not breached; each step's cash in and out.
    expect(report.triggers).toEqual([
      expect.objectContaining({ name: 'dscr-cash-trap', metric: 'dscr', threshold: '1.35', breached: false, on: false, cureCount: 0 }),
    ]);
    expect(report.triggers[0].value.startsWith('1.8164')).toBe(true);
    expect(report.steps.map((s: any) => [s.label, s.ran, s.availableBefore, s.paid, s.toReserve, s.availableAfter])).toEqual([
      ['senior_fees', true, '7000000.00', '38208.33', '0.00', '6961791.67'],
      ['interest A-2', true, '6961791.67', '2592187.50', '0.00', '4369604.17'],
      ['interest B', true, '4369604.17', '640000.00', '0.00', '3729604.17'],
      ['interest C', true, '3729604.17', '583333.33', '0.00', '3146270.84'],
      ['reserve_top_up', true, '3146270.84', '0.00', '2000000.00', '1146270.84'],
      ['scheduled_principal A-2, B, C', true, '1146270.84', '1000000.00', '0.00', '146270.84'],
      ['cash_trap', true, '146270.84', '0.00', '0.00', '146270.84'],
      ['sweep A-2, B, C', false, '146270.84', '0.00', '0.00', '146270.84'],
      ['residual', true, '146270.84', '146270.84', '0.00', '0.00'],
    ]);
    // 592,500,000 − 1,000,000 = 591,500,000; factor 591,500,000 / 600,000,000 = 0.98583333333… → 12 places.
    expect(report.classes[0]).toMatchObject({
      balanceBefore: '592500000.00',
      balanceAfter: '591500000.00',
      factorBefore: '0.9875',
      factorAfter: '0.985833333333',
    });
    expect(report.classes[1]).toMatchObject({ factorBefore: '1', factorAfter: '1' });
    // investor1 holds 5,000,000 of A-2's 600,000,000: interest 2,592,187.50 × 5/600 = 21,601.5625 → 21,601.56,
    // principal 1,000,000 × 5/600 = 8,333.33… → 8,333.33.
    const line = report.holders.find((h: any) => h.partyId === parties.investor1 && h.noteId === notes['A-2']!.id);
    expect(line).toEqual({
      noteId: notes['A-2']!.id,
      partyId: parties.investor1,
      faceOfRecord: '5000000',
      interest: '21601.56',
      principal: '8333.33',
    });
    expect((await cash('investor1')).minus(investorBefore).toFixed(2)).toBe('29934.89');
    expect((await t.http.get(`/api/v1/notes/${notes['A-2']!.id}`).set(await auth('investor1'))).body.factor).toBe('0.985833333333');
  });

  it('publishes the trustee report', async () => {
    const [stored] = (
      await t.http
        .get(`/api/v1/deals/${dealId}/trustee-reports?paymentDate=${paymentDate}`)
        .set(await auth('backoffice1'))
        .expect(200)
    ).body;
    expect(stored).toEqual(report);
    // An investor sees every class figure but only its own holder rows (issue 15 item 6).
    const [seen] = (
      await t.http
        .get(`/api/v1/deals/${dealId}/trustee-reports?paymentDate=${paymentDate}`)
        .set(await auth('investor2'))
        .expect(200)
    ).body;
    expect(seen).toEqual({ ...report, holders: report.holders.filter((h: { partyId: string }) => h.partyId === parties.investor2) });
  });

  it("shows interest and principal apart on the holder's statement, as JSON and CSV", async () => {
    // The same hand computation as above: investor1's 5,000,000 of A-2 is paid 21,601.56 interest and
    // 8,333.33 principal, 29,934.89 in one ledger movement.
    const statement = (
      await t.http
        .get(`/api/v1/statements?date=${paymentDate}`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(statement.distributions).toEqual([
      {
        entryId: expect.any(String),
        dealId,
        noteId: notes['A-2']!.id,
        paymentDate,
        faceOfRecord: '5000000',
        interest: '21601.56',
        principal: '8333.33',
        amount: '29934.89',
      },
    ]);
    const movement = statement.movements.find((m: { entryId: string }) => m.entryId === statement.distributions[0].entryId);
    expect(movement).toMatchObject({ kind: 'distribution', asset: 'USD', amount: '29934.89' });
    const csv = (
      await t.http
        .get(`/api/v1/statements?date=${paymentDate}&format=csv`)
        .set(await auth('investor1'))
        .expect(200)
    ).text.split('\n');
    const entry = `entry ${statement.distributions[0].entryId}`;
    expect(csv.filter((line) => line.startsWith('distribution,'))).toEqual([
      `distribution,${entry},${notes['A-2']!.id},,5000000,21601.56,${paymentDate},interest,interest on 5000000 face of record; paid 29934.89 in all`,
      `distribution,${entry},${notes['A-2']!.id},,5000000,8333.33,${paymentDate},principal,principal on 5000000 face of record; paid 29934.89 in all`,
    ]);
    // The back office reads anyone's; another holder's statement has only its own lines.
    const other = (
      await t.http
        .get(`/api/v1/statements?date=${paymentDate}&partyId=${parties.investor2}`)
        .set(await auth('backoffice1'))
        .expect(200)
    ).body;
    // Its lines are the trustee report's holder rows for it, split the same way.
    const split = (d: { noteId: string; interest: string; principal: string }) => [d.noteId, d.interest, d.principal];
    const expected = report.holders.filter((h: { partyId: string }) => h.partyId === parties.investor2).map(split);
    expect(expected.length).toBeGreaterThan(0);
    expect(other.distributions.map(split)).toEqual(expected);
  });

  it('changes nothing when the same payment date runs again', async () => {
    const before = await books();
    const again = await t.http
      .post(`/api/v1/deals/${dealId}/distributions`)
      .set(await auth('backoffice1'))
      .send({ paymentDate });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(report);
    expect(await books()).toEqual(before);
  });

  it('prices new trades on the new factor', async () => {
    const a2 = notes['A-2']!.id;
    await t.http
      .post('/api/v1/orders')
      .set(await auth('dealer2'))
      .send({ clOrdId: 'f-1', noteId: a2, side: 'sell', type: 'limit', price: '100', quantity: '100000', timeInForce: 'GTC' })
      .expect(201);
    const buy = await t.http
      .post('/api/v1/orders')
      .set(await auth('investor2'))
      .send({ clOrdId: 'f-2', noteId: a2, side: 'buy', type: 'limit', price: '100', quantity: '100000', timeInForce: 'IOC' })
      .expect(201);
    expect(buy.body.fills[0]).toMatchObject({ factor: '0.985833333333', principal: '98583.33' });
  });

  it('leaves the books reconciled', async () => {
    expect(
      (
        await t.http
          .get('/api/v1/reconciliation')
          .set(await auth('backoffice1'))
          .expect(200)
      ).body.breaks,
    ).toEqual([]);
  });
});

describe('bad servicing input changes nothing', () => {
  const MISSING = '00000000-0000-4000-8000-000000000000';
  const cases: Array<[string, () => Promise<import('supertest').Response>, number, string]> = [
    [
      'a distribution for an unknown deal',
      async () =>
        t.http
          .post(`/api/v1/deals/${MISSING}/distributions`)
          .set(await auth('backoffice1'))
          .send({ paymentDate }),
      404,
      'DEAL_NOT_FOUND',
    ],
    [
      'a distribution after the business date',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/distributions`)
          .set(await auth('backoffice1'))
          .send({ paymentDate: '2099-01-15' }),
      422,
      'DATE_AFTER_BUSINESS_DATE',
    ],
    [
      'a distribution by an investor',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/distributions`)
          .set(await auth('investor1'))
          .send({ paymentDate }),
      403,
      'FORBIDDEN',
    ],
    [
      'a distribution by an operator',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/distributions`)
          .set(await auth('operator1'))
          .send({ paymentDate }),
      403,
      'FORBIDDEN',
    ],
    [
      'a distribution before the last one',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/distributions`)
          .set(await auth('backoffice1'))
          .send({ paymentDate: '2026-01-15' }),
      409,
      'WRONG_STATE',
    ],
    [
      'collections for a date already distributed',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/collections`)
          .set(await auth('backoffice1'))
          .send(collection({ reference: 'late' })),
      409,
      'WRONG_STATE',
    ],
    [
      'a reused collection reference with other figures',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/collections`)
          .set(await auth('backoffice1'))
          .send(collection({ revenue: '1.00' })),
      409,
      'IDEMPOTENCY_CONFLICT',
    ],
    [
      'collections for an unknown deal',
      async () =>
        t.http
          .post(`/api/v1/deals/${MISSING}/collections`)
          .set(await auth('backoffice1'))
          .send(collection({ reference: 'x' })),
      404,
      'DEAL_NOT_FOUND',
    ],
    [
      'collections with a number for revenue',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/collections`)
          .set(await auth('backoffice1'))
          .send({ ...collection({ reference: 'y' }), revenue: 100 }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'collections by a dealer',
      async () =>
        t.http
          .post(`/api/v1/deals/${dealId}/collections`)
          .set(await auth('dealer1'))
          .send(collection({ reference: 'z' })),
      403,
      'FORBIDDEN',
    ],
    [
      'a waterfall that ranks a foreign note',
      async () =>
        t.http
          .put(`/api/v1/deals/${dealId}/waterfall`)
          .set(await auth('operator1'))
          .send({
            version: 1,
            paymentsPerYear: 12,
            seniorFees: [],
            classes: [{ noteId: MISSING, className: 'X' }],
            reserve: { targetAmount: '0' },
            principal: { mode: 'sequential', scheduledPerPeriod: '0' },
            cashTrap: null,
            anticipatedRepaymentDate: null,
            recordDate: 'business-day-before-payment-date',
          }),
      400,
      'INVALID_WATERFALL',
    ],
    [
      'a trustee report for a date without a distribution',
      async () => t.http.get(`/api/v1/deals/${dealId}/trustee-reports?paymentDate=2026-01-15`).set(await auth('investor1')),
      404,
      'DISTRIBUTION_NOT_FOUND',
    ],
  ];
  for (const [name, call, status, code] of cases) {
    it(`rejects ${name} with ${status} ${code}`, async () => {
      const before = await books();
      const response = await call();
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(await books()).toEqual(before);
    });
  }

  it('refuses a distribution without collections for its date', async () => {
    const next = (
      await t.http
        .post('/api/v1/business-date/roll')
        .set(await auth('backoffice1'))
        .expect(200)
    ).body.businessDate;
    const before = await books();
    const response = await t.http
      .post(`/api/v1/deals/${dealId}/distributions`)
      .set(await auth('backoffice1'))
      .send({ paymentDate: next });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('NO_COLLECTIONS');
    expect(await books()).toEqual(before);
  });

  it("shows the deal's waterfall as data", async () => {
    const waterfall = (
      await t.http
        .get(`/api/v1/deals/${dealId}/waterfall`)
        .set(await auth('investor1'))
        .expect(200)
    ).body;
    expect(waterfall).toMatchObject({
      version: 2,
      anticipatedRepaymentDate: '2031-03-15',
      triggers: [{ metric: 'dscr', comparison: 'lt', threshold: '1.35', effect: { type: 'trap_cash', percent: '100' } }],
    });
    expect(waterfall.classes.map((c: { className: string }) => c.className)).toEqual(['A-2', 'B', 'C']);
  });
});
