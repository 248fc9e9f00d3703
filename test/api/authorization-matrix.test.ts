/**
 * The authorization matrix, generated from the route table: every route × every role (and no
 * login) has an expected outcome, and routes on an entity are also tried on the caller's own
 * entity, another party's, and one that does not exist. A route added without an entry here
 * fails the first test.
 *
 * Allowed callers must get past authorization (any status but 401/403; an empty body is then a
 * 400, which is fine); others must get 401 (no token) or 403 (wrong role), and nothing changes.
 * What an allowed caller sees of other parties (ids, faces) is checked route by route and channel
 * by channel in test/api/privacy.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../server/api/routes/index.js';
import type { Role } from '../../server/auth/roles.js';
import { startTestService, type TestService } from '../support/service.js';

type Caller = 'anonymous' | Role;
const CALLERS: Caller[] = ['anonymous', 'investor', 'dealer', 'backoffice', 'operator'];
const USER: Record<Role, string> = { investor: 'investor1', dealer: 'dealer1', backoffice: 'backoffice1', operator: 'operator1' };
const ALL: Role[] = ['investor', 'dealer', 'backoffice', 'operator'];

/**
 * Who may call each route, and for routes on an entity, what a caller allowed by role gets for
 * another party's entity ('hidden' = 404, 'forbidden' = 403, 'visible' = allowed).
 */
const MATRIX: Record<
  string,
  { allowed: 'public' | Role[]; entity?: 'note' | 'deal' | 'party' | 'order' | 'rfq'; otherParty?: 'hidden' | 'forbidden' | 'visible' }
> = {
  'get /healthz': { allowed: 'public' },
  'get /readyz': { allowed: 'public' },
  'get /api/v1/openapi.json': { allowed: 'public' },
  'post /api/v1/auth/token': { allowed: 'public' },
  'get /api/v1/deals': { allowed: ALL },
  'get /api/v1/deals/:id': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
  'post /api/v1/deals': { allowed: ['operator'] },
  'get /api/v1/notes': { allowed: ALL },
  'get /api/v1/notes/:id': { allowed: ALL, entity: 'note', otherParty: 'visible' },
  'post /api/v1/notes': { allowed: ['operator'] },
  'post /api/v1/notes/:id/halt': { allowed: ['operator'], entity: 'note', otherParty: 'visible' },
  'post /api/v1/notes/:id/resume': { allowed: ['operator'], entity: 'note', otherParty: 'visible' },
  'get /api/v1/notes/:id/book': { allowed: ALL, entity: 'note', otherParty: 'visible' },
  'get /api/v1/notes/:id/price-band': { allowed: ALL, entity: 'note', otherParty: 'visible' },
  'put /api/v1/notes/:id/price-band': { allowed: ['operator'], entity: 'note', otherParty: 'visible' },
  'get /api/v1/parties': { allowed: ['operator', 'backoffice'] },
  'get /api/v1/dealers': { allowed: ALL },
  'get /api/v1/parties/:id': { allowed: ALL, entity: 'party', otherParty: 'forbidden' },
  'post /api/v1/parties': { allowed: ['operator'] },
  'patch /api/v1/parties/:id': { allowed: ['operator'], entity: 'party', otherParty: 'visible' },
  'put /api/v1/parties/:id/credit-line': { allowed: ['operator'], entity: 'party', otherParty: 'visible' },
  'get /api/v1/reference-rates': { allowed: ALL },
  'put /api/v1/reference-rates/:date': { allowed: ['operator'] },
  'get /api/v1/rate-fixings/:index': { allowed: ALL },
  'put /api/v1/rate-fixings/:index/:date': { allowed: ['operator', 'backoffice'] },
  'get /api/v1/balances': { allowed: ALL },
  'get /api/v1/positions': { allowed: ALL },
  'get /api/v1/ledger/entries': { allowed: ALL },
  'post /api/v1/cash/deposits': { allowed: ['operator', 'backoffice'] },
  'post /api/v1/cash/withdrawals': { allowed: ['operator', 'backoffice'] },
  'get /api/v1/business-date': { allowed: ALL },
  'post /api/v1/business-date/roll': { allowed: ['operator', 'backoffice'] },
  'get /api/v1/business-date/checklist': { allowed: ['operator', 'backoffice'] },
  'get /api/v1/audit': { allowed: ['backoffice', 'operator'] },
  'post /api/v1/orders': { allowed: ['investor', 'dealer'] },
  'get /api/v1/orders': { allowed: ['investor', 'dealer'] },
  'get /api/v1/orders/:id': { allowed: ['investor', 'dealer'], entity: 'order', otherParty: 'hidden' },
  'patch /api/v1/orders/:id': { allowed: ['investor', 'dealer'], entity: 'order', otherParty: 'hidden' },
  'delete /api/v1/orders/:id': { allowed: ['investor', 'dealer'], entity: 'order', otherParty: 'hidden' },
  'get /api/v1/executions': { allowed: ['investor', 'dealer'] },
  'put /api/v1/quotes': { allowed: ['dealer'] },
  'delete /api/v1/quotes': { allowed: ['dealer'] },
  'get /api/v1/quotes': { allowed: ['dealer'] },
  'get /api/v1/quotes/reprices': { allowed: ['dealer'] },
  'get /api/v1/trades': { allowed: ALL },
  'post /api/v1/rfqs': { allowed: ['investor'] },
  'get /api/v1/rfqs': { allowed: ['investor', 'dealer'] },
  'get /api/v1/rfqs/:id': { allowed: ['investor', 'dealer'], entity: 'rfq', otherParty: 'hidden' },
  'post /api/v1/rfqs/:id/responses': { allowed: ['dealer'], entity: 'rfq', otherParty: 'forbidden' },
  'post /api/v1/rfqs/:id/accept': { allowed: ['investor'], entity: 'rfq', otherParty: 'hidden' },
  'post /api/v1/rfqs/:id/decline': { allowed: ['dealer'], entity: 'rfq', otherParty: 'forbidden' },
  'get /api/v1/rfq-statistics': { allowed: ['dealer', 'backoffice', 'operator'] },
  'get /api/v1/settlements': { allowed: ALL },
  'post /api/v1/settlements/run': { allowed: ['backoffice'] },
  'get /api/v1/settlements/runs': { allowed: ['backoffice', 'operator'] },
  'get /api/v1/settlements/runs/:id': { allowed: ['backoffice', 'operator'] },
  'post /api/v1/settlements/:id/cancel': { allowed: ['backoffice'] },
  'get /api/v1/statements': { allowed: ALL },
  'get /api/v1/deals/:id/waterfall': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
  'put /api/v1/deals/:id/waterfall': { allowed: ['backoffice', 'operator'], entity: 'deal', otherParty: 'visible' },
  'post /api/v1/deals/:id/collections': { allowed: ['backoffice'], entity: 'deal', otherParty: 'visible' },
  'get /api/v1/deals/:id/collections': { allowed: ['backoffice', 'operator'], entity: 'deal', otherParty: 'visible' },
  'post /api/v1/deals/:id/collections/:reference/corrections': { allowed: ['backoffice'] },
  'get /api/v1/deals/:id/collection-calendar': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
  'post /api/v1/deals/:id/distributions': { allowed: ['backoffice'], entity: 'deal', otherParty: 'visible' },
  'get /api/v1/deals/:id/trustee-reports': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
  'post /api/v1/deals/:id/performance-reports': { allowed: ['backoffice'], entity: 'deal', otherParty: 'visible' },
  'get /api/v1/deals/:id/performance-reports': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
  'get /api/v1/deals/:id/performance-reports/:periodEnd/versions': { allowed: ALL },
  'get /api/v1/surveillance': { allowed: ALL },
  'get /api/v1/reconciliation': { allowed: ['backoffice'] },
  'get /api/v1/registry/status': { allowed: ['backoffice'] },
  'get /api/v1/registry/outbox': { allowed: ['backoffice'] },
  'post /api/v1/registry/forced-transfers': { allowed: ['backoffice'] },
  'get /api/v1/registry/addresses': { allowed: ['backoffice'] },
  'put /api/v1/registry/parties/:id/address': { allowed: ['backoffice'], entity: 'party', otherParty: 'visible' },
  'post /api/v1/registry/parties/:id/recover': { allowed: ['backoffice'], entity: 'party', otherParty: 'visible' },
  'post /api/v1/projections': { allowed: ALL },
  'post /api/v1/projections/grid': { allowed: ALL },
  'get /api/v1/notes/:id/analytics': { allowed: ALL, entity: 'note', otherParty: 'visible' },
  'put /api/v1/curves/:name/:date': { allowed: ['operator'] },
  'get /api/v1/curves/:name/:date': { allowed: ALL },
  'post /api/v1/scenarios': { allowed: ALL },
  'get /api/v1/deals/:id/scenarios': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
  'get /api/v1/obligors': { allowed: ALL },
  'get /api/v1/obligors/:id': { allowed: ALL },
  'post /api/v1/obligors': { allowed: ['operator'] },
  'patch /api/v1/obligors/:id': { allowed: ['operator'] },
  'post /api/v1/obligors/:id/relationships': { allowed: ['operator'] },
  'post /api/v1/obligors/import': { allowed: ['operator'] },
  'get /api/v1/relationships': { allowed: ALL },
  // Another party's exposures (?partyId=): see "exposures of another party" below.
  'get /api/v1/risk/exposures': { allowed: ALL },
  'post /api/v1/risk/scenarios': { allowed: ALL },
  'get /api/v1/risk/limits': { allowed: ['investor', 'dealer'] },
  'put /api/v1/risk/limits': { allowed: ['investor', 'dealer'] },
  'get /api/v1/gpu-values': { allowed: ALL },
  'get /api/v1/gpu-values/:model': { allowed: ALL },
  'put /api/v1/gpu-values/:model': { allowed: ['operator'] },
  'get /api/v1/deals/:id/ltv': { allowed: ALL, entity: 'deal', otherParty: 'visible' },
};

/** Routes whose call by an allowed role would change state in a way later cases depend on. */
const MUTATING_WITHOUT_BODY = new Set([
  'post /api/v1/business-date/roll',
  'delete /api/v1/quotes',
  'post /api/v1/notes/:id/halt',
  'delete /api/v1/orders/:id',
]);

let t: TestService;
const own: Record<string, Record<Role, string>> = {};
const other: Record<string, string> = {};
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await startTestService();
  const token = async (role: Role) => ({ authorization: `Bearer ${await t.token(USER[role])}` });
  const [deal] = (await t.http.get('/api/v1/deals').set(await token('investor'))).body;
  const [note] = deal.notes;
  const partyOf = async (role: Role) =>
    (await t.http.post('/api/v1/auth/token').send({ username: USER[role], password: 'demo' })).body.user.partyId;
  const order = async (username: string, clOrdId: string) =>
    (
      await t.http
        .post('/api/v1/orders')
        .set({ authorization: `Bearer ${await t.token(username)}` })
        .send({ clOrdId, noteId: note.id, side: 'buy', type: 'limit', price: '90', quantity: '100000', timeInForce: 'GTC' })
    ).body.order?.id;
  own.note = Object.fromEntries(ALL.map((r) => [r, note.id])) as Record<Role, string>;
  own.deal = Object.fromEntries(ALL.map((r) => [r, deal.id])) as Record<Role, string>;
  own.party = Object.fromEntries(await Promise.all(ALL.map(async (r) => [r, await partyOf(r)]))) as Record<Role, string>;
  own.order = {
    investor: await order('investor1', 'm-own-i'),
    dealer: await order('dealer1', 'm-own-d'),
    backoffice: MISSING,
    operator: MISSING,
  };
  other.note = note.id;
  other.deal = deal.id;
  other.party = (await t.http.post('/api/v1/auth/token').send({ username: 'investor2', password: 'demo' })).body.user.partyId;
  other.order = await order('investor2', 'm-other');
  const rfq = async (username: string, dealers: string[]) =>
    (
      await t.http
        .post('/api/v1/rfqs')
        .set({ authorization: `Bearer ${await t.token(username)}` })
        .send({ noteId: note.id, side: 'buy', quantity: '100000', dealerPartyIds: dealers })
    ).body.id;
  const dealer1 = own.party.dealer;
  own.rfq = {
    investor: await rfq('investor1', [dealer1]),
    dealer: await rfq('investor1', [dealer1]),
    backoffice: MISSING,
    operator: MISSING,
  };
  // Another party's RFQ: investor2's, addressed to a dealer other than dealer1.
  const dealer2 = (await t.http.post('/api/v1/auth/token').send({ username: 'dealer2', password: 'demo' })).body.user.partyId;
  other.rfq = await rfq('investor2', [dealer2]);
});
afterAll(async () => t.close());

/** Valid bodies for entity routes, so that the entity check (not body validation) answers. */
const BODIES: Record<string, object> = {
  'patch /api/v1/parties/:id': { eligible: true },
  'put /api/v1/notes/:id/price-band': { widthPoints: '10' },
  'put /api/v1/parties/:id/credit-line': { amount: '0' },
  'patch /api/v1/orders/:id': { quantity: '100000' },
  'post /api/v1/rfqs/:id/responses': { price: '100', validForSeconds: 30 },
  'post /api/v1/rfqs/:id/accept': { responseId: '00000000-0000-4000-8000-000000000000' },
  'put /api/v1/deals/:id/waterfall': {
    version: 1,
    paymentsPerYear: 12,
    seniorFees: [],
    classes: [{ noteId: '00000000-0000-4000-8000-000000000000', className: 'A' }],
    reserve: { targetAmount: '0' },
    principal: { mode: 'sequential', scheduledPerPeriod: '0' },
    cashTrap: null,
    anticipatedRepaymentDate: null,
    recordDate: 'business-day-before-payment-date',
  },
  'post /api/v1/deals/:id/collections': {
    reference: 'matrix',
    paymentDate: '2026-12-15',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    revenue: '1000',
    operatingCosts: '0',
    utilization: '90',
    uptime: '99.9',
    powerCost: '0',
  },
  'post /api/v1/deals/:id/distributions': { paymentDate: '2000-01-03' },
  'post /api/v1/deals/:id/performance-reports': {
    periodEnd: '2026-10-31',
    revenue: '1000',
    operatingCosts: '0',
    powerCost: '0',
    capitalExpenditure: '0',
    gpuFleet: [],
    tenants: [],
    sites: [
      {
        name: 'S',
        criticalItMw: '1',
        leasedMw: '1',
        energizedMw: '1',
        utilizationPercent: '90',
        uptimePercent: '99.9',
        pue: '1.3',
        energyMwh: '1',
        powerPricePerMwh: '1',
        appraisedValue: '1',
      },
    ],
  },
  'put /api/v1/registry/parties/:id/address': { address: '0x3333333333333333333333333333333333333333' },
  'post /api/v1/registry/parties/:id/recover': { newAddress: '0x4444444444444444444444444444444444444444', reasonCode: 'LOST_KEY' },
};

function send(method: string, path: string, caller: Caller, body?: object) {
  const agent = t.http;
  const base =
    method === 'get'
      ? agent.get(path)
      : method === 'post'
        ? agent.post(path)
        : method === 'put'
          ? agent.put(path)
          : method === 'patch'
            ? agent.patch(path)
            : agent.delete(path);
  const request = body ? base.send(body) : base;
  return caller === 'anonymous' ? request : t.token(USER[caller]).then((token) => request.set('authorization', `Bearer ${token}`));
}

describe('authorization matrix', () => {
  it('exposures of another party: 403 for investors and dealers, visible to back office and operators; own always', async () => {
    for (const caller of ALL) {
      const foreign = await send('get', `/api/v1/risk/exposures?by=obligor&partyId=${other.party}`, caller);
      expect(foreign.status, `other party's exposures as ${caller}`).toBe(caller === 'investor' || caller === 'dealer' ? 403 : 200);
      if (foreign.status === 200) expect(foreign.body.partyId).toBe(other.party);
      const mine = await send('get', `/api/v1/risk/exposures?by=region&partyId=${own.party![caller]}`, caller);
      expect(mine.status, `own exposures as ${caller}`).toBe(200);
      expect(mine.body.partyId).toBe(own.party![caller]);
    }
    expect((await send('get', `/api/v1/risk/exposures?partyId=${other.party}`, 'anonymous')).status).toBe(401);
  });

  it('has an entry for every route, and no entry without a route', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(keys);
  });

  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const expected = MATRIX[key];
    if (!expected) continue;
    it(`${key}: roles`, async () => {
      for (const caller of CALLERS) {
        const allowed = expected.allowed === 'public' || (caller !== 'anonymous' && expected.allowed.includes(caller));
        if (allowed && MUTATING_WITHOUT_BODY.has(key)) continue;
        const path = route.path.replace(
          ':id',
          expected.entity ? (caller === 'anonymous' ? other[expected.entity]! : own[expected.entity]![caller]) : MISSING,
        );
        const response = await send(route.method, path, caller);
        if (allowed) expect([401, 403], `${key} as ${caller}`).not.toContain(response.status);
        else expect(response.status, `${key} as ${caller}`).toBe(caller === 'anonymous' ? 401 : 403);
      }
    });

    if (!expected.entity || expected.allowed === 'public') continue;
    it(`${key}: own, other party's and missing entity`, async () => {
      for (const caller of expected.allowed as Role[]) {
        const missing = await send(route.method, route.path.replace(':id', MISSING), caller, BODIES[key]);
        expect(missing.status, `${key} missing as ${caller}`).toBe(404);
        if (MUTATING_WITHOUT_BODY.has(key)) continue;
        const foreign = await send(route.method, route.path.replace(':id', other[expected.entity!]!), caller, BODIES[key]);
        const seesAll = caller === 'backoffice' || caller === 'operator';
        if (expected.otherParty === 'hidden') expect(foreign.status, `${key} other as ${caller}`).toBe(404);
        else if (expected.otherParty === 'forbidden' && !seesAll) expect(foreign.status, `${key} other as ${caller}`).toBe(403);
        else expect([401, 403, 404], `${key} other as ${caller}`).not.toContain(foreign.status);
      }
    });
  }
});
