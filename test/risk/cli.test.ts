/**
 * `cn exposure`, `cn limits` and `cn stress` against the real service: the JSON equals the API's,
 * the CSV is the API's, and the figures are those checked by hand in risk-api.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

const BIN = path.resolve('client/cli/cn.mjs');
let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-risk-'));

function cn(user: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '', CN_URL: t.url, CN_CONFIG_DIR: path.join(home, user) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  t = await startTestService();
  await cn('dealer1', ['login', '--user', 'dealer1', '--password', 'demo']);
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('cn risk commands', () => {
  it("exposure: table, --json (the API's report) and --csv", async () => {
    const table = await cn('dealer1', ['exposure', '--by', 'obligor', '--table']);
    expect(table.code).toBe(0);
    expect(table.out).toContain('Orbital Models Inc.');
    expect(table.out).toMatch(/Herfindahl 0\.2063/);
    const json = JSON.parse((await cn('dealer1', ['exposure', '--by', 'sponsor', '--json'])).out);
    expect(json.exposures.map((e: { cashFlowSharePercent: string }) => e.cashFlowSharePercent)).toEqual(['77.65', '22.35']);
    const csv = await cn('dealer1', ['exposure', '--by', 'region', '--csv']);
    expect(csv.out.split('\n')[0]).toBe('by,key,name,face,marketValue,cashFlowSharePercent');
    expect((await cn('dealer1', ['exposure', '--by', 'nonsense'])).code).toBe(1);
  });

  it('limits: set, show, clear; stress: the labelled approximation', async () => {
    const set = JSON.parse((await cn('dealer1', ['limits', '--set', 'obligor:25:hard,region:40:warn', '--json'])).out);
    expect(set.limits).toEqual([
      { by: 'obligor', maxSharePercent: '25', mode: 'hard' },
      { by: 'region', maxSharePercent: '40', mode: 'warn' },
    ]);
    expect((await cn('dealer1', ['limits', '--set', 'obligor:25:soft'])).code).toBe(1);
    expect(JSON.parse((await cn('dealer1', ['limits', '--clear', '--json'])).out).limits).toEqual([]);
    const stress = JSON.parse((await cn('dealer1', ['stress', '--default', 'orbital models inc.:3:40', '--json'])).out);
    expect(stress.total).toEqual({ baseValue: '44750000.00', stressedValue: '41950059.13', lossPercent: '6.26' });
    expect(stress.method).toMatch(/approximation/);
  });
});
