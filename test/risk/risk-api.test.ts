/**
 * Look-through risk through HTTP on the demo market (obligor register seeded from the demo CSV).
 * dealer2 quotes every note 99.75 / 100.25 at the start, so each note is marked at the mid, 100,
 * and the hand computations below are at par value; a note whose quote is pulled is marked at the
 * projection's base-scenario model price:
 * - the obligor register and relationships, operator maintenance, CSV import (all or nothing);
 * - exposures: rows sum to the party's holdings, a tenant shared by both demo deals appears once
 *   with the summed amount (hand-computed below), the mark used is stated, CSV export;
 * - another party's exposures are refused (403) to investors and dealers, open to the back office;
 * - concentration limits: a hard limit refuses exactly the order that would breach it, on new
 *   orders, cancel/replace and RFQs, and exactly the mass quote (and the firm RFQ answer) that
 *   would; a warn limit answers with the figures;
 * - contagion scenarios: equal to the projection engine run directly with the tenant's default
 *   (an independent call to the projection service), and hand-checked cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { roundHalfEven } from '../../server/domain/rounding.js';
import { defaultSettlement } from '../../server/projection/class-analytics.js';
import { loadDealContext } from '../../server/projection/context.js';
import { resolveFor } from '../../server/projection/scenario-input.js';
import { runProjection } from '../../server/projection/service.js';
import { flowPlan, priceAtYield, yieldAtPrice } from '../../server/analytics/bond.js';
import { buildCouponSchedule } from '../../server/domain/schedule.js';
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
  await quoteMid(['A-2', 'B', 'C', 'Senior']);
});

/** dealer2 quotes the notes 99.75 / 100.25 (100,000 each side): each is marked at the mid, 100. */
async function quoteMid(classes: string[]) {
  await t.http
    .put('/api/v1/quotes')
    .set(await auth('dealer2'))
    .send({
      quotes: classes.map((c) => ({ noteId: notes.get(c), bidPrice: '99.75', bidSize: '100000', askPrice: '100.25', askSize: '100000' })),
    })
    .expect(200);
}
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
    // 34,750,000 current face) and SR 10,000,000 (Helios). No trades; every note at the mid, 100.
    expect(report.holdings.every((h: any) => h.markSource === 'mid' && h.markPrice === '100')).toBe(true);
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

  it('marks a note with no book and no trades at the base-scenario model price (the projection API at the coupon yield)', async () => {
    // Pull dealer2's quote on C: no mid, no trade → the model price.
    await t.http
      .delete(`/api/v1/quotes?noteId=${notes.get('C')}`)
      .set(await auth('dealer2'))
      .expect(200);
    const report = (await exposures('dealer1', 'by=sponsor')).body;
    const c = report.holdings.find((h: any) => h.noteId === notes.get('C'));
    expect(c.markSource).toBe('model');
    // Independently: POST /projections, base scenario, C priced at its coupon rate as the yield.
    const note = (
      await t.http
        .get(`/api/v1/notes/${notes.get('C')}`)
        .set(await auth('dealer1'))
        .expect(200)
    ).body;
    const projection = (
      await t.http
        .post('/api/v1/projections')
        .set(await auth('dealer1'))
        .send({ dealId: note.dealId, scenarioId: 'base', pricing: [{ noteId: note.id, yield: note.couponRate }] })
        .expect(200)
    ).body;
    const modelPrice = projection.classes.find((k: any) => k.noteId === note.id).price;
    expect(c.markPrice).toBe(new Decimal(modelPrice).toFixed());
    // Not par: the demo's C is paid on schedule and refinanced at the ARD, so a hair under 100
    // (the projection's flows are whole cents on the accrual days).
    expect(new Decimal(c.markPrice).lt(100) && new Decimal(c.markPrice).gt(99.99)).toBe(true);
    // Market value = 5,000,000 × model / 100, and the total moves by exactly the difference from par.
    const value = roundHalfEven(new Decimal(5_000_000).mul(modelPrice).div(100), 2);
    expect(c.marketValue).toBe(value.toFixed(2));
    expect(report.totalMarketValue).toBe(new Decimal('39750000').plus(value).toFixed(2));
    await quoteMid(['C']);
    expect((await exposures('dealer1', 'by=sponsor')).body.totalMarketValue).toBe('44750000.00');
  });

  /**
   * The projection engine run directly on one holding with the given tenant defaults (and start GPU
   * value), valued at mark 100: the class's flows after settlement → flow plan (analytics/bond.ts),
   * base yield solved at 100, stressed flows priced at it, stressed yield at 100.
   */
  async function direct(
    className: string,
    face: string,
    tenantDefaults: { tenant: string; month: number; recoveryPercent: string }[],
    gpuShockPercent?: string,
  ) {
    const noteId = notes.get(className)!;
    const dealId = (await t.database.knex('notes').where({ id: noteId }).first('deal_id')).deal_id;
    const ctx = await loadDealContext(t.database.knex, dealId);
    const note = ctx.notes.find((n) => n.id === noteId)!;
    const i = ctx.setup.classes.findIndex((c) => c.noteId === noteId);
    const settlement = defaultSettlement(ctx);
    const base = runProjection(ctx, resolveFor(ctx, { name: 'base' }));
    if (gpuShockPercent !== undefined) {
      // Each model's start value × (1 − shock), to the cent half-even, as the scenario states it.
      const { compileSetup } = await import('../../server/projection/fast.js');
      const keep = new Decimal(100).minus(gpuShockPercent).div(100);
      const gpuFleet = ctx.setup.collateral.gpuFleet.map((g) => ({
        ...g,
        value: new Decimal(g.value).mul(keep).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2),
      }));
      ctx.setup = { ...ctx.setup, collateral: { ...ctx.setup.collateral, gpuFleet } };
      ctx.compiled = compileSetup(ctx.setup);
    }
    const stressed = runProjection(ctx, resolveFor(ctx, { name: 'direct', tenantDefaults }));
    const cents = (n: number) => new Decimal(n).div(100);
    const plan = (result: typeof base) => {
      const after = result.periods.filter((p) => p.date > settlement);
      const paidBefore = result.periods
        .filter((p) => p.date <= settlement)
        .reduce((a, p) => a.plus(cents(p.classes[i]!.principal + p.classes[i]!.writedown)), new Decimal(0));
      return flowPlan({
        couponRatePercent: note.couponRate,
        dayCount: note.dayCount as never,
        schedule: buildCouponSchedule({
          issueDate: note.issueDate as never,
          firstCouponDate: note.firstCouponDate as never,
          maturityDate: note.maturityDate as never,
          frequency: note.frequency,
        }),
        settlementDate: settlement,
        face: new Decimal(ctx.setup.classes[i]!.balance).minus(paidBefore),
        flows: after.map((p) => ({ date: p.date as never, amount: cents(p.classes[i]!.interest + p.classes[i]!.principal) })),
      });
    };
    const y0 = yieldAtPrice(plan(base), '100');
    const price = priceAtYield(plan(stressed), y0).clean;
    const ys = yieldAtPrice(plan(stressed), '100');
    const stressedValue = new Decimal(face).mul(price).div(100);
    return {
      stressedValue: roundHalfEven(stressedValue, 2).toFixed(2),
      lossPercent: roundHalfEven(new Decimal(face).minus(stressedValue).div(face).mul(100), 2).toFixed(2),
      yieldChangeBp: roundHalfEven(ys.minus(y0).mul(100), 1).toFixed(1),
      baseYieldPercent: roundHalfEven(y0, 4).toFixed(4),
      firstTrigger: stressed.periods.find((p) => p.triggers[0])?.date ?? null,
    };
  }

  async function scenario(username: string, body: object, status = 200, query = '') {
    return t.http
      .post(`/api/v1/risk/scenarios${query}`)
      .set(await auth(username))
      .send(body)
      .expect(status);
  }

  async function obligorId(name: string): Promise<string> {
    const obligors = (await t.http.get('/api/v1/obligors').set(await auth('dealer1'))).body as any[];
    return obligors.find((o) => o.name === name).id;
  }

  it("runs a contagion scenario through the projection engine: equal to the engine run directly with the tenant's default", async () => {
    // Hyperscale Holdings Inc. defaults in month 12 with 40% recovery: its subsidiary Hyperscale
    // Cloud Co. holds Meridian's two anchor leases in the latest performance report (Abilene A and
    // B, both matched to the company); Helios has no such tenant.
    const holdingsId = await obligorId('Hyperscale Holdings Inc.');
    const body = { defaults: [{ obligorId: holdingsId, month: 12, recoveryPercent: '40' }] };
    const result = (await scenario('dealer1', body)).body;
    expect(result.method).toMatch(/^projection engine/);
    const leases = ['Hyperscale Cloud Co. (Abilene A)', 'Hyperscale Cloud Co. (Abilene B)'];
    expect(result.deals.find((d: any) => d.dealName === 'Meridian Compute ABS 2026-1').tenantDefaults).toEqual(
      leases.map((tenant) => ({
        tenant,
        obligorId: holdingsId,
        obligorName: 'Hyperscale Holdings Inc.',
        month: 12,
        recoveryPercent: '40',
      })),
    );
    const tenantDefaults = leases.map((tenant) => ({ tenant, month: 12, recoveryPercent: '40' }));
    for (const [className, face] of [
      ['A-2', '19750000.00'],
      ['B', '10000000.00'],
      ['C', '5000000.00'],
    ] as const) {
      const row = result.holdings.find((h: any) => h.noteId === notes.get(className));
      const expected = await direct(className, face, tenantDefaults);
      expect(row).toMatchObject({
        face,
        markPrice: '100',
        markSource: 'mid',
        baseValue: face,
        stressedValue: expected.stressedValue,
        lossPercent: expected.lossPercent,
        baseYieldPercent: expected.baseYieldPercent,
        yieldChangeBp: expected.yieldChangeBp,
      });
      expect(row.triggerBreaches).toEqual([{ name: 'dscr-cash-trap', firstDate: expected.firstTrigger, baseFirstDate: null }]);
      // The default costs value: the anchor tenant's rent is 150 MW of Meridian's 225.
      expect(new Decimal(row.stressedValue).lt(face)).toBe(true);
    }
    // Helios SR is untouched: the same flows priced at the same yield.
    const sr = result.holdings.find((h: any) => h.noteId === notes.get('Senior'));
    expect(sr).toMatchObject({ baseValue: '10000000.00', stressedValue: '10000000.00', lossPercent: '0.00', yieldChangeBp: '0.0' });
    // Total: the sum of the rows' values (each rounded from the same unrounded figures).
    const stressedSum = result.holdings.reduce((a: Decimal, h: any) => a.plus(h.stressedValue), new Decimal(0));
    expect(new Decimal(result.total.stressedValue).minus(stressedSum).abs().lte('0.02')).toBe(true);
    expect(result.total.baseValue).toBe('44750000.00');
    expect(result.total.lossPercent).toBe(
      roundHalfEven(new Decimal('44750000').minus(result.total.stressedValue).div('44750000').mul(100), 2).toFixed(2),
    );
    // The subsidiary named directly gives the same figures; relationships beyond rent are stated assumptions.
    const child = (
      await scenario('dealer1', { defaults: [{ obligorId: await obligorId('Hyperscale Cloud Co.'), month: 12, recoveryPercent: '40' }] })
    ).body;
    expect(child.holdings.map((h: any) => h.stressedValue)).toEqual(result.holdings.map((h: any) => h.stressedValue));
    expect(result.assumptions.join('\n')).toMatch(
      /Hyperscale Cloud Co\. lender to Helios AI Cloud \(demo relationship \(fictional\), as of 2026-11-30\)/,
    );
    expect(result.relationships.map((r: any) => r.type).sort()).toEqual(['equity_investor_in', 'lender_to']);
    // CSV: one line per holding and a total.
    const csv = (await scenario('dealer1', body, 200, '?format=csv')).text.trim().split('\n');
    expect(csv[0]).toBe(
      'noteId,dealName,face,markPrice,markSource,baseValue,stressedValue,lossPercent,baseYieldPercent,yieldChangeBp,firstTriggerBreach',
    );
    expect(csv).toHaveLength(6);
    expect(csv[5]).toBe(`total,,,,,44750000.00,${result.total.stressedValue},${result.total.lossPercent},,,`);
  });

  it('matches the projection for tenants across both projected deals, with a GPU value shock', async () => {
    // Orbital Models leases in both deals' latest performance reports ("Orbital Models" at Meridian,
    // "Orbital Models (Reno)" at Helios; the register's "Orbital Models Inc.", matched without the
    // suffix and the site) and Frontier Model Labs is Helios's largest tenant. Both default in
    // month 6 with 20% recovery; a 30% GPU shock cuts the start GPU value.
    const body = {
      defaults: [
        { obligorId: await obligorId('Orbital Models Inc.'), month: 6, recoveryPercent: '20' },
        { obligorId: await obligorId('Frontier Model Labs Inc.'), month: 6, recoveryPercent: '20' },
      ],
      gpuValueShockPercent: '30',
    };
    const result = (await scenario('dealer1', body)).body;
    const heliosDefaults = [
      { tenant: 'Frontier Model Labs', month: 6, recoveryPercent: '20' },
      { tenant: 'Orbital Models (Reno)', month: 6, recoveryPercent: '20' },
    ];
    const meridianDefaults = [{ tenant: 'Orbital Models', month: 6, recoveryPercent: '20' }];
    // Each deal's start GPU value is its fleet marked by the GPU value index (the seam of
    // projection/gpu-values.ts); the shock keeps 70% of each model's value, to the cent.
    for (const deal of result.deals as { dealId: string; gpuValue: { base: string; stressed: string } }[]) {
      const fleet = (await loadDealContext(t.database.knex, deal.dealId)).setup.collateral.gpuFleet;
      const base = fleet.reduce((a, g) => a.plus(g.value), new Decimal(0));
      const stressed = fleet.reduce(
        (a, g) => a.plus(new Decimal(g.value).mul('0.7').toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN)),
        new Decimal(0),
      );
      expect(base.gt(0)).toBe(true);
      expect(deal.gpuValue).toEqual({ base: base.toFixed(2), stressed: stressed.toFixed(2) });
    }
    const sr = result.holdings.find((h: any) => h.noteId === notes.get('Senior'));
    const expected = await direct('Senior', '10000000.00', heliosDefaults, '30');
    expect(sr).toMatchObject({
      stressedValue: expected.stressedValue,
      lossPercent: expected.lossPercent,
      yieldChangeBp: expected.yieldChangeBp,
    });
    // Helios's largest tenant defaults with 20% recovery: SR loses value and yield.
    expect(new Decimal(sr.lossPercent).gt(0) && new Decimal(sr.yieldChangeBp).lt(0)).toBe(true);
    const b = result.holdings.find((h: any) => h.noteId === notes.get('B'));
    expect(b.stressedValue).toBe((await direct('B', '10000000.00', meridianDefaults, '30')).stressedValue);
  });

  it('hand-checked: a vendor default and a GPU shock alone move no cash flow in the demo deals; assumptions state the rest', async () => {
    // NVIDIA leases nothing: no tenant default anywhere. Neither demo deal has an LTV trigger (Meridian's
    // only trigger is the DSCR cash trap, Helios has none) and GPU value enters nothing but LTV, so
    // a 50% GPU shock changes no flow: every holding keeps its base value, loss 0.00, yield change 0.0.
    const nvidia = await obligorId('NVIDIA Corporation');
    const result = (
      await scenario('dealer1', { defaults: [{ obligorId: nvidia, month: 3, recoveryPercent: '0' }], gpuValueShockPercent: '50' })
    ).body;
    for (const h of result.holdings)
      expect(h).toMatchObject({ baseValue: h.face, stressedValue: h.face, lossPercent: '0.00', yieldChangeBp: '0.0', triggerBreaches: [] });
    expect(result.total).toEqual({ baseValue: '44750000.00', stressedValue: '44750000.00', lossPercent: '0.00' });
    expect(result.deals.every((d: any) => d.tenantDefaults.length === 0)).toBe(true);
    // Its five relationships other than rent, each a stated assumption with its source.
    expect(result.relationships.map((r: any) => `${r.type} ${r.target}`).sort()).toEqual([
      'equity_investor_in Helios AI Cloud',
      'equity_investor_in Nimbus AI Holdings',
      'gpu_vendor_to Helios GPU Equipment Trust 2026-A',
      'gpu_vendor_to Meridian Compute ABS 2026-1',
      'lender_to Helios AI Cloud',
    ]);
    expect(result.assumptions).toContain(
      "NVIDIA Corporation pays rent in none of the held deals' projected collateral: no direct cash-flow effect.",
    );
    expect(result.assumptions.join('\n')).toMatch(/GPU collateral value at the projection start is 50% lower/);
  });

  it('refuses bad scenarios and other parties', async () => {
    const orbital = await obligorId('Orbital Models Inc.');
    const body = { defaults: [{ obligorId: orbital, month: 3, recoveryPercent: '40' }] };
    const bad = [
      { defaults: [] },
      { defaults: [{ obligorId: orbital, month: 0, recoveryPercent: '40' }] },
      { defaults: [{ obligorId: orbital, month: 3, recoveryPercent: '101' }] },
      { defaults: [{ obligorId: orbital, month: 3, recoveryPercent: '40' }], gpuValueShockPercent: '100.5' },
      {
        defaults: [
          { obligorId: orbital, month: 3, recoveryPercent: '40' },
          { obligorId: orbital, month: 4, recoveryPercent: '10' },
        ],
      },
    ];
    for (const b of bad) expect((await scenario('dealer1', b, 400)).body.error.code).toBe('VALIDATION_FAILED');
    const missing = { defaults: [{ obligorId: '00000000-0000-4000-8000-000000000000', month: 3, recoveryPercent: '40' }] };
    expect((await scenario('dealer1', missing, 404)).body.error.code).toBe('OBLIGOR_NOT_FOUND');
    await scenario('investor1', body, 403, `?partyId=${parties.get('Atlas Securities')}`);
    expect((await scenario('backoffice1', body, 200, `?partyId=${parties.get('Atlas Securities')}`)).body.total.baseValue).toBe(
      '44750000.00',
    );
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

describe('concentration limits on dealer quotes', () => {
  const quote = (entries: object[]) => ({ quotes: entries });
  const srBid = (size: string) => ({ noteId: notes.get('Senior'), bidPrice: '99.5', bidSize: size, askSize: '0' });

  it('refuses exactly the mass quote whose bids (or asks), if filled, would breach a hard limit; warns in warn mode', async () => {
    const d1 = await auth('dealer1');
    // dealer1: Meridian 34,750,000 + Helios SR 10,000,000 = 44,750,000 at the mid, 100 (dealer2's
    // quotes); sponsor Helios AI Cloud 22.35%. Hard limit 30.5% by sponsor. A bid of X on SR, filled:
    //   (10,000,000 + X) / (44,750,000 + X) ≤ 0.305  ⇔  X ≤ 5,250,000 (exactly 15,250,000 / 50,000,000).
    await t.http
      .put('/api/v1/risk/limits')
      .set(d1)
      .send({ limits: [{ by: 'sponsor', maxSharePercent: '30.5', mode: 'hard' }] })
      .expect(200);
    const live = async () => (await t.http.get('/api/v1/quotes').set(d1).expect(200)).body;
    // One increment (1,000) above: 15,251,000 / 50,001,000 = 30.5014% > 30.5 → refused, nothing quoted.
    const refused = (
      await t.http
        .put('/api/v1/quotes')
        .set(d1)
        .send(quote([srBid('5251000')]))
        .expect(422)
    ).body;
    expect(refused.error.code).toBe('CONCENTRATION_LIMIT');
    expect(refused.error.details.breaches).toEqual([
      {
        by: 'sponsor',
        key: expect.any(String),
        name: 'Helios AI Cloud',
        mode: 'hard',
        maxSharePercent: '30.5',
        sharePercentBefore: '22.35',
        sharePercentAfter: '30.50',
      },
    ]);
    expect(await live()).toEqual([]);
    // Exactly at the limit: accepted.
    const accepted = (
      await t.http
        .put('/api/v1/quotes')
        .set(d1)
        .send(quote([srBid('5250000')]))
        .expect(200)
    ).body;
    expect(accepted.warnings).toBeUndefined();
    expect((await live()).map((q: any) => q.bid.size)).toEqual(['5250000']);
    // Re-quoting the same bid replaces the live one (it is not counted twice): accepted.
    await t.http
      .put('/api/v1/quotes')
      .set(d1)
      .send(quote([srBid('5250000')]))
      .expect(200);
    // Adding an ask of 100,000 A-2 (98,750 current face): if it fills too, Helios is
    // 15,250,000 / 49,901,250 = 30.56% > 30.5 → the whole mass quote is refused; the live quote stays.
    const withAsk = quote([srBid('5250000'), { noteId: notes.get('A-2'), bidSize: '0', askPrice: '100.5', askSize: '100000' }]);
    const askRefused = (await t.http.put('/api/v1/quotes').set(d1).send(withAsk).expect(422)).body;
    expect(askRefused.error.details.breaches[0]).toMatchObject({ name: 'Helios AI Cloud', sharePercentAfter: '30.56' });
    expect((await live()).map((q: any) => [q.noteId, q.bid?.size ?? null, q.ask?.size ?? null])).toEqual([
      [notes.get('Senior'), '5250000', null],
    ]);
    // Warn mode: the same quote is accepted with the figures in the answer.
    await t.http
      .put('/api/v1/risk/limits')
      .set(d1)
      .send({ limits: [{ by: 'sponsor', maxSharePercent: '30.5', mode: 'warn' }] })
      .expect(200);
    const warned = (
      await t.http
        .put('/api/v1/quotes')
        .set(d1)
        .send(quote([srBid('5251000')]))
        .expect(200)
    ).body;
    expect(warned.warnings).toEqual([
      {
        code: 'CONCENTRATION_LIMIT',
        breaches: [expect.objectContaining({ mode: 'warn', name: 'Helios AI Cloud', sharePercentAfter: '30.50' })],
      },
    ]);
    await t.http.delete('/api/v1/quotes').set(d1).expect(200);
  });

  it("refuses a dealer's firm RFQ answer that would breach its hard limit", async () => {
    const d1 = await auth('dealer1');
    // Meridian's sponsor is 77.65% of dealer1; buying 100,000 A-2 from investor1 raises it → refused at 70% hard.
    await t.http
      .put('/api/v1/risk/limits')
      .set(d1)
      .send({ limits: [{ by: 'sponsor', maxSharePercent: '70', mode: 'hard' }] })
      .expect(200);
    const rfq = (
      await t.http
        .post('/api/v1/rfqs')
        .set(await auth('investor1'))
        .send({ noteId: notes.get('A-2'), side: 'sell', quantity: '100000' })
        .expect(201)
    ).body;
    const answer = { price: '99.5', validForSeconds: 30 };
    const refused = (await t.http.post(`/api/v1/rfqs/${rfq.id}/responses`).set(d1).send(answer).expect(422)).body;
    expect(refused.error.details.breaches[0]).toMatchObject({ by: 'sponsor', name: 'Meridian Infrastructure Partners', mode: 'hard' });
    expect(Number((await t.database.knex('rfq_responses').where({ rfq_id: rfq.id }).count('* as c'))[0]!.c)).toBe(0);
    await t.http.put('/api/v1/risk/limits').set(d1).send({ limits: [] }).expect(200);
    await t.http.post(`/api/v1/rfqs/${rfq.id}/responses`).set(d1).send(answer).expect(201);
  });
});
