/**
 * The back office's `cn` command against the running service: settle with a progress bar, list
 * fails, record collections, distribute, print statements and the reconciliation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseFlags, progressBar } from '../../client/cli/index.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestService;

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.close());

async function cn(...args: string[]): Promise<{ code: number; out: string; err: string }> {
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
    expect(parseFlags(['settle', '--date', '2026-11-24', '--csv'])).toEqual({ command: 'settle', flags: new Map<string, string | true>([['date', '2026-11-24'], ['csv', true]]) });
  });

  it('settles the day\'s trades and shows the run', async () => {
    const token = async (u: string) => ({ authorization: `Bearer ${await t.token(u)}` });
    const [note] = (await t.http.get('/api/v1/notes').set(await token('investor1'))).body;
    await t.http.post('/api/v1/orders').set(await token('dealer1')).send({ clOrdId: 'cli-1', noteId: note.id, side: 'sell', type: 'limit', price: '100', quantity: '200000', timeInForce: 'GTC' }).expect(201);
    await t.http.post('/api/v1/orders').set(await token('investor1')).send({ clOrdId: 'cli-2', noteId: note.id, side: 'buy', type: 'limit', price: '100', quantity: '200000', timeInForce: 'IOC' }).expect(201);
    const date = (await t.http.post('/api/v1/business-date/roll').set(await token('backoffice1')).expect(200)).body.businessDate;
    const result = await cn('settle', '--date', date);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^run \\d+ ${date} gross: due 1, settled 1, failed 0`));
    expect(result.err).toContain('100% 1/1');
    const list = await cn('settlements', '--date', date);
    expect(list.out).toContain('\tsettled\t200000\t');
  });

  it('records collections, distributes and prints the trustee report', async () => {
    const date = (await t.http.get('/api/v1/business-date').set({ authorization: `Bearer ${await t.token('investor1')}` })).body.businessDate;
    const recorded = await cn('collections', '--deal', 'Meridian', '--payment-date', date, '--reference', 'cli', '--revenue', '9000000', '--operating-costs', '2000000', '--utilization', '91', '--uptime', '99.9');
    expect(recorded.code, recorded.err).toBe(0);
    expect(recorded.out).toContain('net cash flow 7000000.00');
    const distributed = await cn('distribute', '--deal', 'Meridian', '--payment-date', date);
    expect(distributed.code, distributed.err).toBe(0);
    expect(distributed.out).toContain('A-2');
    // Interest only to the ARD: the factor stays; the trigger's working is printed.
    expect(distributed.out).toContain('0.9875 → 0.9875');
    expect(distributed.out).toMatch(/trigger dscr-cash-trap: dscr [\d.]+ lt 1\.35 → passed, off \(cure 0\/2\)/);
  });

  it('prints a statement, as text and CSV, and the reconciliation', async () => {
    const parties = (await t.http.get('/api/v1/parties').set({ authorization: `Bearer ${await t.token('backoffice1')}` })).body as { id: string; name: string }[];
    const investor = parties.find((p) => p.name.startsWith('Northbridge'))!;
    const text = await cn('statement', '--party', investor.id);
    expect(text.out).toContain('closing    USD');
    const csv = await cn('statement', '--party', investor.id, '--csv');
    expect(csv.out.split('\n')[0]).toBe('section,reference,note_or_asset,side,quantity,amount,date,status,detail');
    const recon = await cn('recon');
    expect(recon).toMatchObject({ code: 0 });
    expect(recon.out).toContain('the books agree');
  });

  it('reports API errors and usage errors with exit code 1', async () => {
    const future = await cn('settle', '--date', '2099-01-05');
    expect(future.code).toBe(1);
    expect(future.err).toContain('422 DATE_AFTER_BUSINESS_DATE');
    expect((await cn('settle')).err).toContain('--date is required');
    expect((await cn('bogus')).code).toBe(1);
  });
});
