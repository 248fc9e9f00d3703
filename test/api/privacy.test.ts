/**
 * No party sees another's data (issue 15 item 6): after a trade between two investors and a
 * distribution that pays every holder of record, every GET route and every WebSocket channel an
 * investor or a dealer may use is read, and none of them carries the id of a party other than the
 * caller — dealers excepted, whose ids are public (their quotes are shown by dealer, RFQs are
 * addressed to them). The trustee report keeps its class figures and the caller's own holder rows;
 * the back office still sees every holder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../server/api/routes/index.js';
import { ManualClock } from '../support/service.js';
import { Probe, startWsService, type WsTestService } from '../ws/support.js';

let t: WsTestService;
let dealId: string;
let notes: Record<string, string>;
let paymentDate: string;
const party: Record<string, string> = {};
const USERS = ['investor1', 'investor2', 'dealer1', 'dealer2', 'backoffice1', 'operator1'];

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

beforeAll(async () => {
  // Business date 2027-01-14: the roll below makes it 2027-01-15, a payment date of the deal (the 15th),
  // whose collection period is December 2026 (derived from the deal's calendar, issue 15 item 3).
  t = await startWsService({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  notes = await t.notes();
  for (const user of USERS) party[user] = await t.partyId(user);
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as { id: string; name: string }[];
  dealId = deals.find((d) => d.name.startsWith('Meridian'))!.id;
  // A trade between the two investors (each the other's counterparty), left unsettled.
  await t.http
    .post('/api/v1/orders')
    .set(await auth('investor2'))
    .send({ clOrdId: 'p-1', noteId: notes['B'], side: 'sell', type: 'limit', price: '100', quantity: '100000', timeInForce: 'GTC' })
    .expect(201);
  await t.http
    .post('/api/v1/orders')
    .set(await auth('investor1'))
    .send({ clOrdId: 'p-2', noteId: notes['B'], side: 'buy', type: 'limit', price: '100', quantity: '100000', timeInForce: 'IOC' })
    .expect(201);
  // A distribution: the trustee report lists every holder of record.
  paymentDate = (
    await t.http
      .post('/api/v1/business-date/roll')
      .set(await auth('backoffice1'))
      .expect(200)
  ).body.businessDate;
  await t.http
    .post(`/api/v1/deals/${dealId}/collections`)
    .set(await auth('backoffice1'))
    .send({
      reference: 'privacy',
      paymentDate,
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
      revenue: '9500000.00',
      operatingCosts: '2500000.00',
      utilization: '92.5',
      uptime: '99.95',
      powerCost: '1100000.00',
    })
    .expect(201);
  // The demo's trap tests the 3-month average DSCR: December's performance report (the collection
  // period's) is filed first, with the collection's figures, or the distribution is refused.
  const [november] = (
    await t.http
      .get(`/api/v1/deals/${dealId}/performance-reports`)
      .set(await auth('backoffice1'))
      .expect(200)
  ).body;
  await t.http
    .post(`/api/v1/deals/${dealId}/performance-reports`)
    .set(await auth('backoffice1'))
    .send({ ...november.report, periodEnd: '2026-12-31', revenue: '9500000.00', operatingCosts: '2500000.00', powerCost: '1100000.00' })
    .expect(201);
  await t.http
    .post(`/api/v1/deals/${dealId}/distributions`)
    .set(await auth('backoffice1'))
    .send({ paymentDate })
    .expect(201);
});
afterAll(async () => t?.close());

/** Ids the caller must never see: every non-dealer party but its own. */
function foreignIds(user: string): string[] {
  return USERS.filter((u) => u !== user && !u.startsWith('dealer')).map((u) => party[u]!);
}

function leaks(body: unknown, forbidden: readonly string[]): string[] {
  const text = JSON.stringify(body);
  return forbidden.filter((id) => text.includes(id));
}

describe('the trustee report', () => {
  it('shows an investor or dealer the class figures and its own holder rows only; the back office every holder', async () => {
    const path = `/api/v1/deals/${dealId}/trustee-reports?paymentDate=${paymentDate}`;
    const [full] = (
      await t.http
        .get(path)
        .set(await auth('backoffice1'))
        .expect(200)
    ).body;
    const holders = new Set((full.holders as { partyId: string | null }[]).map((h) => h.partyId));
    for (const user of ['investor1', 'investor2', 'dealer1', 'dealer2']) expect(holders.has(party[user]!), user).toBe(true);
    for (const user of ['investor1', 'investor2', 'dealer1']) {
      const [seen] = (
        await t.http
          .get(path)
          .set(await auth(user))
          .expect(200)
      ).body;
      expect(seen.classes).toEqual(full.classes);
      expect(seen.collections).toEqual(full.collections);
      expect(seen.holders.length).toBeGreaterThan(0);
      expect(seen.holders).toEqual(full.holders.filter((h: { partyId: string }) => h.partyId === party[user]));
    }
  });
});

describe('every route an investor or dealer may read', () => {
  for (const user of ['investor1', 'investor2', 'dealer1']) {
    it(`names no other investor, back office or operator to ${user}`, async () => {
      const role = user.replace(/\d$/, '');
      const entity: Record<string, string> = { deal: dealId, note: notes['B']!, party: party[user]! };
      const checked: string[] = [];
      for (const route of routes) {
        if (route.method !== 'get' || route.access === 'public') continue;
        if (Array.isArray(route.access) && !route.access.includes(role as never)) continue;
        // Entity routes on the caller's own entity (orders and RFQs are covered by their own tests).
        const idKind = route.path.startsWith('/api/v1/deals/:id')
          ? 'deal'
          : route.path.startsWith('/api/v1/notes/:id')
            ? 'note'
            : route.path.startsWith('/api/v1/parties/:id')
              ? 'party'
              : null;
        if (route.path.includes(':id') && !idKind) continue;
        const path = idKind ? route.path.replace(':id', entity[idKind]!) : route.path;
        const response = await t.http.get(path).set(await auth(user));
        expect(response.status, `${path} as ${user}`).toBeLessThan(500);
        expect(leaks(response.body, foreignIds(user)), `${path} as ${user}`).toEqual([]);
        checked.push(path);
      }
      expect(checked).toEqual(
        expect.arrayContaining([
          '/api/v1/settlements',
          '/api/v1/statements',
          `/api/v1/deals/${dealId}/trustee-reports`,
          '/api/v1/executions',
        ]),
      );
    });
  }

  it('still names both sides of an instruction to the back office', async () => {
    const list = (
      await t.http
        .get('/api/v1/settlements')
        .set(await auth('backoffice1'))
        .expect(200)
    ).body as { buyerPartyId: string; sellerPartyId: string }[];
    expect(list.some((s) => s.buyerPartyId === party.investor1 && s.sellerPartyId === party.investor2)).toBe(true);
    const own = (
      await t.http
        .get('/api/v1/settlements')
        .set(await auth('investor1'))
        .expect(200)
    ).body as { buyerPartyId: string | null; sellerPartyId: string | null }[];
    expect(own.find((s) => s.buyerPartyId === party.investor1)).toMatchObject({ sellerPartyId: null });
  });
});

describe('every WebSocket channel', () => {
  it('names no other investor, back office or operator in snapshots', async () => {
    for (const user of ['investor1', 'investor2', 'dealer1']) {
      const probe = await Probe.open(t.wsUrl, { token: await t.token(user) });
      const channels = [
        'orders',
        'executions',
        'rfqs',
        'settlements',
        'balances',
        `trades:${notes['B']}`,
        `quotes:${notes['B']}`,
        `book:${notes['B']}`,
      ];
      probe.send({ op: 'subscribe', channels });
      for (const channel of channels) {
        const snapshot = await probe.waitFor((m) => m.channel === channel && m.type === 'snapshot');
        expect(leaks(snapshot, foreignIds(user)), `${channel} as ${user}`).toEqual([]);
      }
      probe.close();
    }
  });
});
