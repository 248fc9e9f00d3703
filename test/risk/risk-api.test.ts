/**
 * Look-through risk through HTTP on the demo market (obligor register seeded from the demo CSV;
 * no orders or trades at start, so every note is marked at par until the test trades):
 * - the obligor register and relationships, operator maintenance, CSV import (all or nothing);
 * - exposures: rows sum to the party's holdings, a tenant shared by both demo deals appears once
 *   with the summed amount (hand-computed below), the mark used is stated, CSV export;
 * - another party's exposures are refused (403) to investors and dealers, open to the back office;
 * - concentration limits: a hard limit refuses exactly the order that would breach it, on new
 *   orders, cancel/replace and RFQs; a warn limit answers with the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;
const notes = new Map<string, string>();
const parties = new Map<string, string>();

async function auth(username: string) {
  return { authorization: `Bearer ${await t.token(username)}` };
}

beforeAll(async () => {
  t = await startTestService();
  for (const n of (
    await t.http
      .get('/api/v1/notes')
      .set(await auth('investor1'))
      .expect(200)
  ).body as { id: string; className: string }[])
    notes.set(n.className, n.id);
  for (const p of (
    await t.http
      .get('/api/v1/parties')
      .set(await auth('operator1'))
      .expect(200)
  ).body as { id: string; name: string }[])
    parties.set(p.name, p.id);
});
afterAll(async () => t.close());

async function exposures(username: string, query: string, status = 200) {
  return t.http
    .get(`/api/v1/risk/exposures?${query}`)
    .set(await auth(username))
    .expect(status);
}

function sum(values: string[]): string {
  return values.reduce((a, v) => a.plus(v), new Decimal(0)).toFixed(2);
}

describe('obligor register', () => {
  it('lists the seeded web with ultimate parents and relationships on several sides', async () => {
    const obligors = (
      await t.http
        .get('/api/v1/obligors')
        .set(await auth('investor1'))
        .expect(200)
    ).body as any[];
    const cloud = obligors.find((o) => o.name === 'Hyperscale Cloud Co.');
    expect(cloud.ultimateParentName).toBe('Hyperscale Holdings Inc.');
    const nvidia = obligors.find((o) => o.name === 'NVIDIA Corporation');
    const detail = (
      await t.http
        .get(`/api/v1/obligors/${nvidia.id}`)
        .set(await auth('dealer1'))
        .expect(200)
    ).body;
    expect(new Set(detail.relationships.map((r: any) => r.type))).toEqual(
      new Set(['gpu_vendor_to', 'equity_investor_in', 'lender_to', 'customer_of']),
    );
    const orbital = obligors.find((o) => o.name === 'Orbital Models Inc.');
    const tenancies = (
      await t.http
        .get(`/api/v1/obligors/${orbital.id}`)
        .set(await auth('dealer1'))
        .expect(200)
    ).body.relationships.filter((r: any) => r.type === 'tenant_of');
    expect(tenancies.map((r: any) => r.dealName).sort()).toEqual(['Helios GPU Equipment Trust 2026-A', 'Meridian Compute ABS 2026-1']);
    expect(tenancies.every((r: any) => r.source && r.asOf === '2026-11-30')).toBe(true);
  });

  it('lets the operator add, change and relate companies; refuses cycles and misfit relationships; nobody else may', async () => {
    const op = await auth('operator1');
    await t.http
      .post('/api/v1/obligors')
      .set(await auth('investor1'))
      .send({ name: 'X', sector: 'y' })
      .expect(403);
    const parent = (
      await t.http.post('/api/v1/obligors').set(op).send({ name: 'Test Parent Co.', rating: 'BBB', sector: 'holding' }).expect(201)
    ).body;
    const child = (
      await t.http.post('/api/v1/obligors').set(op).send({ name: 'Test Child Co.', parentId: parent.id, sector: 'cloud' }).expect(201)
    ).body;
    expect(child.ultimateParentId).toBe(parent.id);
    expect((await t.http.post('/api/v1/obligors').set(op).send({ name: 'test child co.', sector: 'x' }).expect(409)).body.error.code).toBe(
      'DUPLICATE_NAME',
    );
    expect((await t.http.patch(`/api/v1/obligors/${parent.id}`).set(op).send({ parentId: child.id }).expect(422)).body.error.code).toBe(
      'OBLIGOR_CYCLE',
    );
    expect((await t.http.patch(`/api/v1/obligors/${parent.id}`).set(op).send({ rating: 'A' }).expect(200)).body.rating).toBe('A');
    const dealId = (await t.http.get('/api/v1/deals').set(op)).body[0].id;
    const before = await t.database.knex('obligor_relationships').count('* as c');
    expect(
      (
        await t.http
          .post(`/api/v1/obligors/${child.id}/relationships`)
          .set(op)
          .send({ type: 'tenant_of', dealId, source: 's', asOf: '2026-11-30' })
          .expect(422)
      ).body.error.code,
    ).toBe('INVALID_RELATIONSHIP');
    expect(
      (
        await t.http
          .post(`/api/v1/obligors/${child.id}/relationships`)
          .set(op)
          .send({ type: 'customer_of', dealId, source: 's', asOf: '2026-11-30' })
          .expect(422)
      ).body.error.code,
    ).toBe('INVALID_RELATIONSHIP');
    expect(
      (
        await t.http
          .post(`/api/v1/obligors/${child.id}/relationships`)
          .set(op)
          .send({ type: 'sponsor_of', counterpartyId: parent.id, source: 's', asOf: '2026-11-30' })
          .expect(422)
      ).body.error.code,
    ).toBe('INVALID_RELATIONSHIP');
    expect(await t.database.knex('obligor_relationships').count('* as c')).toEqual(before);
    const rel = (
      await t.http
        .post(`/api/v1/obligors/${child.id}/relationships`)
        .set(op)
        .send({ type: 'lender_to', counterpartyId: parent.id, source: 'loan agreement', asOf: '2026-10-31' })
        .expect(201)
    ).body;
    expect(rel).toMatchObject({
      type: 'lender_to',
      obligorName: 'Test Child Co.',
      counterpartyName: 'Test Parent Co.',
      asOf: '2026-10-31',
    });
    expect((await t.http.get('/api/v1/obligors/00000000-0000-4000-8000-000000000000').set(op).expect(404)).body.error.code).toBe(
      'OBLIGOR_NOT_FOUND',
    );
  });

  it('imports a CSV all or nothing, naming the bad line', async () => {
    const op = await auth('operator1');
    const header = 'company,parent,rating,sector,relationship,deal,counterparty,leasedMw,monthlyRent,source,asOf';
    const count = async () => Number((await t.database.knex('obligors').count('* as c'))[0]!.c);
    const before = await count();
    const bad = [header, 'Csv Lab A,,BBB,AI,,,,,,,', 'Csv Lab B,Nobody Inc.,BB,AI,,,,,,,'].join('\n');
    const refused = (await t.http.post('/api/v1/obligors/import').set(op).send({ csv: bad }).expect(400)).body;
    expect(refused.error).toMatchObject({ code: 'INVALID_CSV', details: { line: 3 } });
    expect(await count()).toBe(before);
    const good = [
      header,
      'Csv Lab A,Csv Group,BBB,AI,tenant_of,Helios GPU Equipment Trust 2026-A,,1,"1,000",lease,2026-11-30',
      'Csv Group,,A,"holding, diversified",,,,,,,',
    ].join('\n');
    const bad2 = good.replace('"1,000"', '1000');
    expect((await t.http.post('/api/v1/obligors/import').set(op).send({ csv: good }).expect(400)).body.error.details.line).toBe(2);
    const done = (await t.http.post('/api/v1/obligors/import').set(op).send({ csv: bad2 }).expect(200)).body;
    expect(done).toEqual({ companiesCreated: 2, companiesUpdated: 0, relationshipsAdded: 1 });
    const lab = ((await t.http.get('/api/v1/obligors').set(op)).body as any[]).find((o) => o.name === 'Csv Lab A');
    expect(lab.ultimateParentName).toBe('Csv Group');
  });
});

describe('exposures', () => {
  it("breaks dealer1's holdings down by ultimate obligor: a tenant of both deals once, with the summed amount", async () => {
    const report = (await exposures('dealer1', 'by=obligor')).body;
    // dealer1 holds A-2 20,000,000 × factor 0.9875 = 19,750,000, B 10,000,000, C 5,000,000 (Meridian:
    // 34,750,000 current face) and SR 10,000,000 (Helios). No book, no trades: all at par.
    expect(report.holdings.every((h: any) => h.markSource === 'par' && h.markPrice === '100')).toBe(true);
    expect(report.totalFace).toBe('44750000.00');
    expect(report.totalMarketValue).toBe('44750000.00');
    // Rows sum exactly to the holdings.
    expect(sum(report.exposures.map((e: any) => e.face))).toBe('44750000.00');
    expect(sum(report.exposures.map((e: any) => e.marketValue))).toBe('44750000.00');
    const orbital = report.exposures.filter((e: any) => e.name === 'Orbital Models Inc.');
    expect(orbital).toHaveLength(1);
    // Latest reports (Nov 2026): Meridian monthly rent 9,442,000 of which Orbital 18 MW × $52/kW = 936,000;
    // Helios 12,277,500 of which Orbital 6 MW × $250/kW = 1,500,000.
    // 34,750,000 × 936,000 / 9,442,000 = 3,444,821.0125…; 10,000,000 × 1,500,000 / 12,277,500 = 1,221,747.0984…
    // sum 4,666,568.1108… → 4,666,568.11; share 4,666,568.1108 / 44,750,000 = 10.428…% → 10.43.
    expect(orbital[0]).toMatchObject({ face: '4666568.11', marketValue: '4666568.11', cashFlowSharePercent: '10.43' });
    // Hyperscale Cloud Co. rolls up to Hyperscale Holdings Inc.: 34,750,000 × 4,788,000 / 9,442,000 = 17,621,584.41 (39.38%), the largest.
    expect(report.exposures[0]).toMatchObject({ name: 'Hyperscale Holdings Inc.', face: '17621584.41', cashFlowSharePercent: '39.38' });
    expect(report.largestSharePercent).toBe('39.38');
    // Herfindahl: Σ share² over the 10 ultimate obligors = 0.20626 (shares above, recomputed independently with fractions) → 0.2063.
    expect(report.herfindahl).toBe('0.2063');
  });

  it('breaks down by sponsor, vendor, GPU model and region, each summing to the holdings', async () => {
    for (const by of ['sponsor', 'vendor', 'gpuModel', 'region']) {
      const report = (await exposures('dealer1', `by=${by}`)).body;
      expect(sum(report.exposures.map((e: any) => e.marketValue))).toBe(report.totalMarketValue);
      expect(report.totalMarketValue).toBe('44750000.00');
    }
    const vendor = (await exposures('dealer1', 'by=vendor')).body;
    expect(vendor.exposures).toEqual([expect.objectContaining({ name: 'NVIDIA Corporation', cashFlowSharePercent: '100.00' })]);
    const sponsor = (await exposures('dealer1', 'by=sponsor')).body;
    // Meridian 34,750,000 / 44,750,000 = 77.65%; Helios 22.35%.
    expect(sponsor.exposures.map((e: any) => [e.name, e.cashFlowSharePercent])).toEqual([
      ['Meridian Infrastructure Partners', '77.65'],
      ['Helios AI Cloud', '22.35'],
    ]);
    const region = (await exposures('dealer1', 'by=region')).body;
    // Meridian rent by site: Texas 3,420,000 + 330,000 + 1,368,000 + 1,248,000 + 600,000 = 6,966,000 of 9,442,000;
    // 34,750,000 × 6,966,000 / 9,442,000 = 25,637,417.9199… → 25,637,417.92; / 44,750,000 = 57.29%.
    expect(region.exposures[0]).toMatchObject({ key: 'US-TX', marketValue: '25637417.92', cashFlowSharePercent: '57.29' });
    const csv = (
      await t.http
        .get('/api/v1/risk/exposures?by=sponsor&format=csv')
        .set(await auth('dealer1'))
        .expect(200)
    ).text;
    expect(csv.split('\n')[0]).toBe('by,key,name,face,marketValue,cashFlowSharePercent');
    expect(csv).toContain('Meridian Infrastructure Partners');
  });

  it('runs a contagion scenario with the labelled exposure-at-default approximation (no projection engine yet)', async () => {
    const obligors = (await t.http.get('/api/v1/obligors').set(await auth('dealer1'))).body as any[];
    const orbital = obligors.find((o) => o.name === 'Orbital Models Inc.').id;
    const body = { defaults: [{ obligorId: orbital, month: 3, recoveryPercent: '40' }], gpuValueShockPercent: '20' };
    const result = (
      await t.http
        .post('/api/v1/risk/scenarios')
        .set(await auth('dealer1'))
        .send(body)
        .expect(200)
    ).body;
    expect(result.method).toMatch(/^exposure-at-default approximation/);
    expect(result.assumptions.join(' ')).toMatch(/GPU value shock of 20% recorded but not applied/);
    // Orbital's value in dealer1's book is 4,666,568.1108 (above); 60% of it is lost: 2,799,940.8665 →
    // stressed 44,750,000 − 2,799,940.87 = 41,950,059.13, loss 6.2569% → 6.26.
    expect(result.total).toEqual({ baseValue: '44750000.00', stressedValue: '41950059.13', lossPercent: '6.26' });
    // SR: 10,000,000 × 1,500,000 / 12,277,500 = 1,221,747.10 at risk (12.22%); × 0.6 = 733,048.26 lost.
    const sr = result.holdings.find((h: any) => h.noteId === notes.get('Senior'));
    expect(sr).toEqual({
      noteId: notes.get('Senior'),
      face: '10000000.00',
      baseValue: '10000000.00',
      stressedValue: '9266951.74',
      lossPercent: '7.33',
      yieldChangeBp: null,
      defaultedSharePercent: '12.22',
      exposureAtDefault: '1221747.10',
    });
    const bad = [
      { defaults: [] },
      { defaults: [{ obligorId: orbital, month: 0, recoveryPercent: '40' }] },
      { defaults: [{ obligorId: orbital, month: 3, recoveryPercent: '101' }] },
      {
        defaults: [
          { obligorId: orbital, month: 3, recoveryPercent: '40' },
          { obligorId: orbital, month: 4, recoveryPercent: '10' },
        ],
      },
    ];
    for (const b of bad)
      expect(
        (
          await t.http
            .post('/api/v1/risk/scenarios')
            .set(await auth('dealer1'))
            .send(b)
            .expect(400)
        ).body.error.code,
      ).toBe('VALIDATION_FAILED');
    const missing = { defaults: [{ obligorId: '00000000-0000-4000-8000-000000000000', month: 3, recoveryPercent: '40' }] };
    expect(
      (
        await t.http
          .post('/api/v1/risk/scenarios')
          .set(await auth('dealer1'))
          .send(missing)
          .expect(404)
      ).body.error.code,
    ).toBe('OBLIGOR_NOT_FOUND');
    await t.http
      .post(`/api/v1/risk/scenarios?partyId=${parties.get('Atlas Securities')}`)
      .set(await auth('investor1'))
      .send(body)
      .expect(403);
  });

  it("never shows another party's exposures to investors or dealers; the back office sees any", async () => {
    const dealer1 = parties.get('Atlas Securities')!;
    const refused = await exposures('investor1', `by=obligor&partyId=${dealer1}`, 403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    await exposures('dealer2', `by=obligor&partyId=${dealer1}`, 403);
    const seen = (await exposures('backoffice1', `by=obligor&partyId=${dealer1}`)).body;
    expect(seen.partyId).toBe(dealer1);
    expect(seen.totalFace).toBe('44750000.00');
    const own = (await exposures('investor1', 'by=obligor')).body;
    expect(own.partyId).toBe(parties.get('Northbridge Asset Management'));
    expect(own.totalFace).toBe('4937500.00');
  });
});

describe('concentration limits', () => {
  const order = (clOrdId: string, quantity: string) => ({
    clOrdId,
    noteId: notes.get('Senior')!,
    side: 'buy',
    type: 'limit',
    price: '99',
    quantity,
  });

  it('refuses exactly the order that would breach a hard limit; warns on a warn limit; replace and RFQ are checked too', async () => {
    const inv = await auth('investor1');
    await t.http
      .put('/api/v1/risk/limits')
      .set(await auth('operator1'))
      .send({ limits: [] })
      .expect(403);
    expect(
      (
        await t.http
          .put('/api/v1/risk/limits')
          .set(inv)
          .send({ limits: [{ by: 'obligor', maxSharePercent: '101', mode: 'hard' }] })
          .expect(400)
      ).body.error.code,
    ).toBe('VALIDATION_FAILED');
    // Not a decimal: 400, not a DecimalError thrown from a refinement (500).
    expect(
      (
        await t.http
          .put('/api/v1/risk/limits')
          .set(inv)
          .send({ limits: [{ by: 'obligor', maxSharePercent: '1,5', mode: 'hard' }] })
          .expect(400)
      ).body.error.code,
    ).toBe('VALIDATION_FAILED');
    const limits = {
      limits: [
        { by: 'obligor', maxSharePercent: '25', mode: 'hard' },
        { by: 'region', maxSharePercent: '15', mode: 'warn' },
      ],
    };
    expect((await t.http.put('/api/v1/risk/limits').set(inv).send(limits).expect(200)).body).toEqual(limits);
    expect((await t.http.get('/api/v1/risk/limits').set(inv).expect(200)).body).toEqual(limits);

    // investor1 holds A-2 5,000,000 × 0.9875 = 4,937,500 (Meridian only; Hyperscale at 50.71% already —
    // an order that does not raise a share is not refused). Buying Helios SR raises Frontier Model
    // Labs, whose weight in Helios is 6,772,500 / 12,277,500 = 0.5516188…, all at par:
    //   4,000,000 × 0.5516188 / 8,937,500 = 24.688% ≤ 25  → accepted
    //   4,100,000 × 0.5516188 / 9,037,500 = 25.025% > 25  → refused
    //   4,050,000 × 0.5516188 / 8,987,500 = 24.857% ≤ 25  → accepted
    // Region NV after 4,000,000: 4,000,000 / 8,937,500 = 44.755% > 15 → a warning.
    const first = (await t.http.post('/api/v1/orders').set(inv).send(order('lim-1', '4000000')).expect(201)).body;
    expect(first.warnings).toEqual([
      {
        code: 'CONCENTRATION_LIMIT',
        breaches: [
          expect.objectContaining({
            by: 'region',
            key: 'US-NV',
            mode: 'warn',
            maxSharePercent: '15',
            sharePercentBefore: '0.00',
            sharePercentAfter: '44.76',
          }),
        ],
      },
    ]);
    const orders = async () => Number((await t.database.knex('orders').count('* as c'))[0]!.c);
    const count = await orders();
    // The resting 4,000,000 counts (worst case: it fills); 100,000 more takes Frontier to 25.03%.
    const refused = (await t.http.post('/api/v1/orders').set(inv).send(order('lim-2', '100000')).expect(422)).body;
    expect(refused.error.code).toBe('CONCENTRATION_LIMIT');
    expect(refused.error.details.breaches).toEqual([
      expect.objectContaining({
        by: 'obligor',
        name: 'Frontier Model Labs Inc.',
        mode: 'hard',
        maxSharePercent: '25',
        sharePercentBefore: '24.69',
        sharePercentAfter: '25.03',
      }),
    ]);
    expect(await orders()).toBe(count);
    // The same through an RFQ.
    expect(
      (
        await t.http
          .post('/api/v1/rfqs')
          .set(inv)
          .send({ noteId: notes.get('Senior'), side: 'buy', quantity: '100000' })
          .expect(422)
      ).body.error.code,
    ).toBe('CONCENTRATION_LIMIT');
    // Cancel/replace: to 4,100,000 is refused (order unchanged), to 4,050,000 accepted.
    expect(
      (await t.http.patch(`/api/v1/orders/${first.order.id}`).set(inv).send({ quantity: '4100000' }).expect(422)).body.error.code,
    ).toBe('CONCENTRATION_LIMIT');
    expect((await t.http.get(`/api/v1/orders/${first.order.id}`).set(inv).expect(200)).body.quantity).toBe('4000000');
    const replaced = (await t.http.patch(`/api/v1/orders/${first.order.id}`).set(inv).send({ quantity: '4050000' }).expect(200)).body;
    expect(replaced.order.quantity).toBe('4050000');
    // A sell raises the other deal's shares: selling 100,000 A-2 (98,750 current face) leaves more Helios:
    // 4,050,000 × 0.5516188 = 2,234,056.2 over 4,937,500 − 98,750 + 4,050,000 = 8,888,750:
    // 2,234,056.2 / 8,888,750 = 25.13% > 25 → refused.
    const sell = { clOrdId: 'lim-sell', noteId: notes.get('A-2'), side: 'sell', type: 'limit', price: '101', quantity: '100000' };
    expect((await t.http.post('/api/v1/orders').set(inv).send(sell).expect(422)).body.error.details.breaches[0]).toMatchObject({
      by: 'obligor',
      sharePercentAfter: '25.13',
    });
    // Once the resting order is cancelled, the 100,000 fits: 100,000 × 0.5516188 / 5,037,500 = 1.10%.
    await t.http.delete(`/api/v1/orders/${first.order.id}`).set(inv).expect(200);
    await t.http.post('/api/v1/orders').set(inv).send(order('lim-3', '100000')).expect(201);
    // Removing the limits removes the check.
    await t.http.put('/api/v1/risk/limits').set(inv).send({ limits: [] }).expect(200);
    const free = (await t.http.post('/api/v1/orders').set(inv).send(order('lim-4', '9000000')).expect(201)).body;
    expect(free.warnings).toBeUndefined();
  });
});
