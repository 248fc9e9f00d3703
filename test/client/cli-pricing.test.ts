/**
 * `cn project` and `cn price` as a real process against the real service: a projection table and
 * its --json, a note's yield and spread to the ARD, and a yield grid fetched row by row with a
 * progress bar on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { runCn, type CliResult } from '../support/cli.js';

let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-pricing-'));

function cn(args: string[]): Promise<CliResult> {
  return runCn(args, { url: t.url, configDir: home });
}

beforeAll(async () => {
  t = await startTestService();
  expect((await cn(['login', '--user', 'investor1', '--password', 'demo'])).code).toBe(0);
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('cn project / cn price', () => {
  it('projects a deal under a named stress and prices every class', async () => {
    const table = await cn(['project', 'Meridian', '--scenario', 'utilization-70', '--price', '95']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^CLASS\s+PRICE\s+YIELD%\s+I-SPREAD_BP/m);
    expect(table.out).toMatch(/^A-2\s+95\.000000\s+\d+\.\d{4}/m);
    expect(table.err).toContain('trigger dscr-cash-trap: first on');
    const json = JSON.parse((await cn(['project', 'Meridian', '--json'])).out);
    expect(json.classes.map((k: { className: string }) => k.className)).toEqual(['A-2', 'B', 'C']);
  });

  it("shows a note's yield and spread to the ARD, and a yield grid with a progress bar", async () => {
    const one = await cn(['price', 'A-2', '--price', '95']);
    expect(one.err).toBe('');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/yield to ARD % \(base\)\s+\d+\.\d{4}/);
    expect(one.out).toMatch(/spread to ARD bp\s+-?\d+\.\d/);
    const grid = await cn(['price', 'C', '--price', '90', '--x', 'utilizationPercent=95,70', '--y', 'rentChangePercent=0,-20,-40']);
    expect(grid.code).toBe(0);
    expect(grid.err).toContain('100% 3/3');
    expect(grid.out.trim().split('\n')).toHaveLength(4); // piped: TSV, a header and three rows
    expect((await cn(['price', 'C', '--x', 'utilizationPercent=95'])).code).toBe(1);
  });
});
