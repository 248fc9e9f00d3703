/**
 * `cn set-fixing` and `cn fixings` as a real process against the real service: the back office
 * stores SOFR fixings by date (a correction shows the value it replaced), lists them, and typing
 * mistakes are usage errors (exit 1) that never reach the server; the server's refusals (a date
 * after the business date) are the API's code on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { runCn, type CliResult } from '../support/cli.js';

let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-fixings-'));
let today: string;

function cn(args: string[]): Promise<CliResult> {
  return runCn(args, { url: t.url, configDir: home });
}

beforeAll(async () => {
  t = await startTestService();
  today = (await t.http.get('/api/v1/business-date').set({ authorization: `Bearer ${await t.token('backoffice1')}` })).body.businessDate;
  expect((await cn(['login', '--user', 'backoffice1', '--password', 'demo'])).code).toBe(0);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('cn set-fixing / cn fixings', () => {
  it('stores fixings by date, shows a correction with the value it replaced, and lists them', async () => {
    const set = await cn(['set-fixing', 'SOFR', '2026-11-12', '4.31', '2026-11-13', '4.29']);
    expect(set.code, set.err).toBe(0);
    expect(set.out.trim().split('\n')).toEqual(['SOFR 2026-11-12 4.31%', 'SOFR 2026-11-13 4.29%']);
    const corrected = await cn(['set-fixing', 'SOFR', '2026-11-13', '4.3']);
    expect(corrected.out.trim()).toBe('SOFR 2026-11-13 4.3% (was 4.29%)');
    const listed = await cn(['fixings', 'SOFR', '--from', '2026-11-01', '--json']);
    expect(JSON.parse(listed.out)).toEqual([
      { index: 'SOFR', date: '2026-11-12', ratePercent: '4.31' },
      { index: 'SOFR', date: '2026-11-13', ratePercent: '4.3' },
    ]);
    const table = await cn(['fixings', 'SOFR']);
    expect(table.out).toContain('RATE_PERCENT');
    expect(table.out).toContain('4.31');
  });

  it('refuses typing mistakes before the server, and shows the server refusing a date to come', async () => {
    for (const args of [
      ['set-fixing', 'sofr', '2026-11-12', '4.31'],
      ['set-fixing', 'SOFR', '2026-11-12'],
      ['set-fixing', 'SOFR', '12/11/2026', '4.31'],
      ['set-fixing', 'SOFR', '2026-11-12', 'four'],
      ['fixings'],
      ['distribute', '--deal', 'Meridian', '--payment-date', today, '--fixing', 'SOFR:4.4'],
    ]) {
      const res = await cn(args);
      expect(res.code, args.join(' ')).toBe(1);
    }
    const future = await cn(['set-fixing', 'SOFR', '2099-01-02', '4.31']);
    expect(future.code).not.toBe(0);
    expect(future.err).toContain('DATE_AFTER_BUSINESS_DATE');
  });
});
