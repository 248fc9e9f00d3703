/**
 * The back office's `cn` command against the running service: settle with a progress bar, list
 * fails, record collections, distribute, print statements and the reconciliation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseFlags, progressBar } from '../../client/cli/index.js';
import { ManualClock, startTestService, type TestService } from '../support/service.js';

let t: TestService;
const clock = new ManualClock(new Date('2027-01-14T12:00:00Z'));

beforeAll(async () => {
  // Business date 2027-01-14: the roll in the settlement test reaches 2027-01-15, a Meridian payment date.
  t = await startTestService({ clock });
});
afterAll(async () => t.close());

async function cn(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  // Each run logs in; a minute between runs keeps the login rate limit (per username, per minute) out of the way.
  clock.advance(61_000);
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: { CN_URL: t.url, CN_USERNAME: 'backoffice1', CN_PASSWORD: 'demo' },
  });
  return { code, out, err };
}

describe('cn', () => {
  it('draws a progress bar', () => {
    expect(progressBar(0, 10)).toBe(`[${'-'.repeat(30)}]   0% 0/10`);
    expect(progressBar(5, 10)).toBe(`[${'#'.repeat(15)}${'-'.repeat(15)}]  50% 5/10`);
    expect(progressBar(0, 0)).toContain('100%');
    expect(parseFlags(['settle', '--date', '2026-11-24', '--csv'])).toEqual({
      command: 'settle',
      flags: new Map<string, string | true>([
        ['date', '2026-11-24'],
        ['csv', true],
      ]),
    });
  });

  it("settles the day's trades and shows the run", async () => {
    const token = async (u: string) => ({ authorization: `Bearer ${await t.token(u)}` });
    const [note] = (await t.http.get('/api/v1/notes').set(await token('investor1'))).body;
    await t.http
      .post('/api/v1/orders')
      .set(await token('dealer1'))
      .send({ clOrdId: 'cli-1', noteId: note.id, side: 'sell', type: 'limit', price: '100', quantity: '200000', timeInForce: 'GTC' })
      .expect(201);
    await t.http
      .post('/api/v1/orders')
      .set(await token('investor1'))
      .send({ clOrdId: 'cli-2', noteId: note.id, side: 'buy', type: 'limit', price: '100', quantity: '200000', timeInForce: 'IOC' })
      .expect(201);
    const date = (
      await t.http
        .post('/api/v1/business-date/roll')
        .set(await token('backoffice1'))
        .expect(200)
    ).body.businessDate;
    const result = await cn('settle', '--date', date);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^run \\d+ ${date} gross: due 1, settled 1, failed 0`));
    expect(result.err).toContain('100% 1/1');
    const list = await cn('settlements', '--date', date);
    expect(list.out).toContain('\tsettled\t200000\t');
  });

  it('records collections, distributes and prints the trustee report', async () => {
    const date = (await t.http.get('/api/v1/business-date').set({ authorization: `Bearer ${await t.token('investor1')}` })).body
      .businessDate;
    const recorded = await cn(
      'collections',
      '--deal',
      'Meridian',
      '--payment-date',
      date,
      '--reference',
      'cli',
      '--revenue',
      '9000000',
      '--operating-costs',
      '2000000',
      '--utilization',
      '91',
      '--uptime',
      '99.9',
    );
    expect(recorded.code, recorded.err).toBe(0);
    expect(recorded.out).toContain('net cash flow 7000000.00');
    expect(recorded.out).toContain('period 2026-12-01 to 2026-12-31; operating costs 2000000.00 (power 0.00, other 2000000.00)');
    const wrongDate = await cn(
      'collections',
      '--deal',
      'Meridian',
      '--payment-date',
      '2027-01-14',
      '--reference',
      'cli-2',
      '--revenue',
      '1',
      '--utilization',
      '91',
      '--uptime',
      '99.9',
    );
    expect(wrongDate.code).toBe(1);
    expect(wrongDate.err).toContain('NOT_A_PAYMENT_DATE');
    // The demo's trap tests the 3-month average DSCR: December's report (the collection period's) first, with the collection's figures.
    const office = { authorization: `Bearer ${await t.token('backoffice1')}` };
    const deals = (await t.http.get('/api/v1/deals').set(office)).body as { id: string; name: string }[];
    const meridian = deals.find((d) => d.name.startsWith('Meridian'))!.id;
    const november = (await t.http.get(`/api/v1/deals/${meridian}/performance-reports`).set(office).expect(200)).body[0].report;
    await t.http
      .post(`/api/v1/deals/${meridian}/performance-reports`)
      .set(office)
      .send({ ...november, periodEnd: '2026-12-31', revenue: '9000000.00', operatingCosts: '2000000.00', powerCost: '0.00' })
      .expect(201);
    const distributed = await cn('distribute', '--deal', 'Meridian', '--payment-date', date);
    expect(distributed.code, distributed.err).toBe(0);
    // Interest only to the ARD: no principal and the factor stays (factor before, after); the
    // trigger's working is printed (value, test, result, state, cure count).
    expect(distributed.out).toMatch(/^A-2\t[\d.]+\t0(\.00)?\t0(\.00)?\t[\d.]+\t[\d.]+\t0\.9875\t0\.9875$/m);
    expect(distributed.out).toMatch(/^dscr-cash-trap\tdscrThreeMonthAverage\t[\d.]+\tlt 1\.35\tpassed\toff\t0\/2$/m);
    const csv = await cn('report', '--deal', 'Meridian', '--payment-date', date, '--csv');
    expect(csv.out.split('\n')[0]).toBe(
      'PAYMENT_DATE,CLASS,INTEREST_PAID,SHORTFALL,PRINCIPAL_PAID,BALANCE_BEFORE,BALANCE_AFTER,FACTOR_BEFORE,FACTOR_AFTER',
    );
    expect(csv.out).toContain(`${date},A-2,`);
  });

  it('prints a statement, as text and CSV, and the reconciliation', async () => {
    const parties = (await t.http.get('/api/v1/parties').set({ authorization: `Bearer ${await t.token('backoffice1')}` })).body as {
      id: string;
      name: string;
    }[];
    const investor = parties.find((p) => p.name.startsWith('Northbridge'))!;
    const text = await cn('statement', '--party', investor.id);
    expect(text.out).toMatch(/^USD\t\d+(\.\d+)?$/m);
    // The distribution paid today, interest and principal apart (interest only before the ARD).
    expect(text.out).toMatch(/^Meridian\/A-2\t\d{4}-\d{2}-\d{2}\t\d+\t[1-9]\d*\.\d{2}\t0(\.00)?\t[1-9]\d*\.\d{2}$/m);
    const csv = await cn('statement', '--party', investor.id, '--csv');
    expect(csv.out.split('\n')[0]).toBe('section,reference,note_or_asset,side,quantity,amount,date,status,detail');
    const recon = await cn('recon');
    expect(recon).toMatchObject({ code: 0 });
    expect(recon.out).toContain('the books agree');
  });

  it("prints a deal's performance, the surveillance table and the payment calendar", async () => {
    const table = await cn('performance', 'Helios', '--from', '2026-10-01', '--table');
    expect(table.code, table.err).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^Period\s+v\s+DSCR\s+DSCR 3m\s+LTV %/);
    expect(table.out).toContain('2026-11-30');
    expect(table.out).not.toContain('2026-09-30');
    const json = JSON.parse((await cn('performance', 'Helios', '--json')).out);
    expect(json).toHaveLength(24);
    expect(json[0].metrics.largestTenantSharePercent).toBe('58.33');
    const csv = await cn('performance', 'Meridian', '--csv');
    expect(csv.out.split('\n')[0]).toMatch(/^deal,periodEnd,version,revenue,/);
    // 24 seeded months and December 2026, filed by the distribution test above, plus the header.
    expect(csv.out.trim().split('\n')).toHaveLength(26);
    const surveillance = await cn('surveillance', '--table');
    expect(surveillance.out).toContain('Helios GPU Equipment Trust 2026-A');
    expect(surveillance.out).toContain('Meridian Compute ABS 2026-1');
    expect((await cn('surveillance', '--csv')).out.trim().split('\n')).toHaveLength(3);
    const calendar = await cn('calendar', 'Meridian', '--count', '2', '--table');
    expect(calendar.out).toMatch(/2027-01-15\s+2026-12-01 to 2026-12-31\s+yes/);
  });

  it('reports API errors and usage errors with exit code 1', async () => {
    const future = await cn('settle', '--date', '2099-01-05');
    expect(future.code).toBe(1);
    expect(future.err).toContain('422 DATE_AFTER_BUSINESS_DATE');
    expect((await cn('settle')).err).toContain('--date is required');
    expect((await cn('bogus')).code).toBe(1);
  });
});
