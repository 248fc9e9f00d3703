/**
 * `cn exposure`, `cn limits` and `cn stress` against the real service: the JSON equals the API's,
 * the CSV is the API's, and the figures are those checked by hand in risk-api.test.ts (dealer2
 * quotes every note 99.75 / 100.25 first, so each is marked at the mid, 100, as there).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { startTestService, type TestService } from '../support/service.js';
import { runCn, type CliResult } from '../support/cli.js';

let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-risk-'));

function cn(user: string, args: string[]): Promise<CliResult> {
  return runCn(args, { url: t.url, configDir: path.join(home, user) });
}

beforeAll(async () => {
  t = await startTestService();
  const notes = (await t.http.get('/api/v1/notes').set({ authorization: `Bearer ${await t.token('dealer2')}` })).body as { id: string }[];
  await t.http
    .put('/api/v1/quotes')
    .set({ authorization: `Bearer ${await t.token('dealer2')}` })
    .send({ quotes: notes.map((n) => ({ noteId: n.id, bidPrice: '99.75', bidSize: '100000', askPrice: '100.25', askSize: '100000' })) })
    .expect(200);
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

  it("limits: set, show, clear; stress through the projection engine: table, --json (the API's answer) and --csv", async () => {
    const set = JSON.parse((await cn('dealer1', ['limits', '--set', 'obligor:25:hard,region:40:warn', '--json'])).out);
    expect(set.limits).toEqual([
      { by: 'obligor', maxSharePercent: '25', mode: 'hard' },
      { by: 'region', maxSharePercent: '40', mode: 'warn' },
    ]);
    expect((await cn('dealer1', ['limits', '--set', 'obligor:25:soft'])).code).toBe(1);
    expect(JSON.parse((await cn('dealer1', ['limits', '--clear', '--json'])).out).limits).toEqual([]);
    // The stress figures are the API's (checked against the projection engine in risk-api.test.ts).
    const args = ['stress', '--default', 'hyperscale holdings inc.:12:40', '--gpu-shock', '30'];
    const stress = JSON.parse((await cn('dealer1', [...args, '--json'])).out);
    const api = (
      await t.http
        .post('/api/v1/risk/scenarios')
        .set({ authorization: `Bearer ${await t.token('dealer1')}` })
        .send({
          // The deals come in no set order: take the obligor from the deal where the default applied.
          defaults: [
            {
              obligorId: (stress.deals as { tenantDefaults: { obligorId: string }[] }[]).find((d) => d.tenantDefaults.length > 0)!
                .tenantDefaults[0]!.obligorId,
              month: 12,
              recoveryPercent: '40',
            },
          ],
          gpuValueShockPercent: '30',
        })
        .expect(200)
    ).body;
    expect(stress).toEqual(api);
    expect(stress.total.baseValue).toBe('44750000.00');
    expect(new Decimal(stress.total.lossPercent).gt(0)).toBe(true);
    expect(stress.method).toMatch(/^projection engine/);
    const table = await cn('dealer1', [...args, '--table']);
    expect(table.code).toBe(0);
    expect(table.out).toContain('Meridian Compute ABS 2026-1: Hyperscale Cloud Co. (Abilene A) defaults in month 12, recovery 40%');
    expect(table.out).toContain('Meridian Compute ABS 2026-1: Hyperscale Cloud Co. (Abilene B) defaults in month 12, recovery 40%');
    // Notes by name, not id.
    expect(table.out).toMatch(/Meridian Compute ABS 2026-1\s+Meridian\/A-2\s+19,750,000\.00/);
    expect(table.out).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(table.out).toContain(`loss ${api.total.lossPercent}%`);
    const csv = (await cn('dealer1', [...args, '--csv'])).out.trim().split('\n');
    expect(csv[0]).toBe(
      'noteId,dealName,face,markPrice,markSource,baseValue,stressedValue,lossPercent,baseYieldPercent,yieldChangeBp,firstTriggerBreach',
    );
    expect(csv.at(-1)).toBe(`total,,,,,44750000.00,${api.total.stressedValue},${api.total.lossPercent},,,`);
    expect((await cn('dealer1', ['stress', '--default', 'hyperscale holdings inc.:12:40', '--gpu-shock', 'lots'])).code).toBe(1);
  });
});
