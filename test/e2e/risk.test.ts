/**
 * Portfolio risk in a real browser: dealer1's exposure by ultimate obligor (the tenant shared by
 * both demo deals once, with the share checked by hand in test/risk/risk-api.test.ts), the bar
 * chart, the relationship web as an SVG graph, the CSV export, the contagion scenario form (its
 * per-holding results equal the API's, run through the projection engine) with its CSV, and the
 * limits form whose hard limit then refuses an order. dealer2 quotes every note 99.75 / 100.25
 * first, so each is marked at the mid, 100, as in the hand computations.
 * Screenshots: test/artifacts/e2e/risk.png, risk-scenario.png.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { noteIds, startE2E, type E2E } from './support.js';

let e: E2E;
let page: Page;

beforeAll(async () => {
  e = await startE2E();
  const dealer2 = await e.sdk('dealer2');
  const ids = await noteIds(dealer2);
  await dealer2.putQuotes(
    Object.values(ids).map((noteId) => ({ noteId, bidPrice: '99.75', bidSize: '100000', askPrice: '100.25', askSize: '100000' })),
  );
  page = await e.login('dealer1');
});
afterAll(async () => e?.close());

describe('portfolio risk in the browser', () => {
  it('shows the look-through exposure, its bars and the relationship web', async () => {
    await page.getByTestId('nav-risk').click();
    const table = page.getByTestId('exposure-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(10);
    const text = (await table.textContent())!;
    expect(text.match(/Orbital Models Inc\./g)).toHaveLength(1);
    expect(text).toContain('10.43');
    expect(await page.getByTestId('exposure-summary').textContent()).toContain('Herfindahl 0.2063');
    expect(await page.getByTestId('exposure-bars').locator('.bar-row').count()).toBe(10);
    const web = page.getByTestId('relationship-web');
    // The demo register's 26 relationships, one line each.
    expect(await web.locator('line').count()).toBe(26);
    expect(await web.locator('circle[data-company="NVIDIA Corporation"]').count()).toBe(1);
    await page.getByTestId('exposure-by').selectOption('sponsor');
    await expect.poll(() => table.textContent()).toContain('77.65');
    await e.shot(page, 'risk');
  });

  it('exports the exposure as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('exposure-csv').click()]);
    const lines = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('by,key,name,face,marketValue,cashFlowSharePercent');
    expect(lines).toHaveLength(3);
  });

  it('runs a contagion scenario through the projection engine, per holding, and exports it', async () => {
    const panel = page.getByTestId('scenario-panel');
    await panel.scrollIntoViewIfNeeded();
    // Labels are tied to their inputs.
    await page.getByLabel('Company defaulting').selectOption({ label: 'Hyperscale Holdings Inc.' });
    await page.getByLabel('Month', { exact: true }).first().fill('12');
    await page.getByLabel('Recovery %').first().fill('40');
    await page.getByLabel('GPU value shock %').fill('30');
    await page.getByTestId('scenario-run').click();
    const rows = page.getByTestId('scenario-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    const sdk = await e.sdk('dealer1');
    const obligors = await sdk.obligors();
    const api = await sdk.scenario({
      defaults: [{ obligorId: obligors.find((o) => o.name === 'Hyperscale Holdings Inc.')!.id, month: 12, recoveryPercent: '40' }],
      gpuValueShockPercent: '30',
    });
    const total = (await page.getByTestId('scenario-total').textContent())!;
    expect(total).toContain(`loss ${api.total.lossPercent}%`);
    const text = (await page.getByTestId('scenario-table').textContent())!;
    for (const h of api.holdings) {
      expect(text).toContain(h.lossPercent);
      if (h.yieldChangeBp) expect(text).toContain(h.yieldChangeBp);
    }
    expect(text).toContain('dscr-cash-trap');
    expect(await page.getByTestId('scenario-assumptions').textContent()).toContain(
      'GPU collateral value at the projection start is 30% lower',
    );
    await e.shot(page, 'risk-scenario');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('scenario-csv').click()]);
    const lines = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe(`total,,,,,${api.total.baseValue},${api.total.stressedValue},${api.total.lossPercent},,,`);
  });

  it('saves a hard limit that then refuses a concentrating order', async () => {
    await page.getByTestId('limit-obligor-max').fill('12');
    await page.getByTestId('limit-obligor-mode').selectOption('hard');
    await page.getByTestId('limits-save').click();
    await page.getByTestId('limits-saved').waitFor();
    const sdk = await e.sdk('dealer1');
    expect((await sdk.riskLimits()).limits).toEqual([{ by: 'obligor', maxSharePercent: '12', mode: 'hard' }]);
    // Frontier Model Labs is 12.33% of dealer1 already; more Helios SR raises it further → refused.
    const notes = await noteIds(sdk);
    await expect(
      sdk.placeOrder({ clOrdId: 'e2e-risk-1', noteId: notes.Senior!, side: 'buy', type: 'limit', price: '99', quantity: '1000000' }),
    ).rejects.toMatchObject({ code: 'CONCENTRATION_LIMIT' });
  });

  it('shows a warn-mode breach in the order ticket', async () => {
    const sdk = await e.sdk('dealer1');
    // Region limit 30% warn: NV (Helios) is 10,000,000 of 44,750,000 = 22.35%; 5,000,000 more SR at par
    // makes it 15,000,000 / 49,750,000 = 30.15% > 30 → accepted with a warning.
    await sdk.setRiskLimits([{ by: 'region', maxSharePercent: '30', mode: 'warn' }]);
    const notes = await noteIds(sdk);
    await page.goto(`${e.t.url}/notes/${notes.Senior}`);
    await page.getByTestId('ticket').waitFor();
    await page.getByTestId('ticket-price').fill('99');
    await page.getByTestId('ticket-face').fill('5000000');
    await page.getByTestId('ticket-submit').click();
    await expect
      .poll(() => page.getByTestId('ticket-result').textContent())
      .toContain('Concentration warning: NV (WECC (non-ISO West)) 30.15% of portfolio value (limit 30% by region)');
  });
});

describe('GPU collateral marked over time in the browser', () => {
  it("charts a deal's LTV marked by the GPU value index against the reported one", async () => {
    const sdk = await e.sdk('dealer1');
    const helios = (await sdk.deals()).find((d) => d.name.startsWith('Helios'))!;
    const ltv = await sdk.dealLtv(helios.id);
    await page.goto(`${e.t.url}/surveillance`);
    await page.getByTestId('surveillance-deal').selectOption(helios.id);
    const chart = page.getByTestId('chart-ltv');
    // The legend shows each series' latest value: the business date's marked LTV and the latest
    // report's. Waiting on Helios's own figure, not the title every deal's chart has: the first
    // deal's charts may be on screen before the pick's replace them.
    const latest = ltv.points.at(-1)!;
    await expect.poll(() => chart.textContent()).toContain(`marked ${latest.markedLtvPercent}`);
    expect(await chart.textContent()).toContain('LTV marked by the GPU value index');
    expect(await chart.textContent()).toContain(`reported ${latest.reportedLtvPercent}`);
    await chart.scrollIntoViewIfNeeded();
    await e.shot(page, 'risk-ltv');
    // The note page's deal section shows today's marked LTV next to the reported one.
    const notes = await noteIds(sdk);
    await page.goto(`${e.t.url}/notes/${notes.Senior}`);
    await expect
      .poll(() => page.getByTestId('note-deal-metrics').textContent())
      .toContain(`LTV marked by the GPU index (${latest.date})${latest.markedLtvPercent}%`);
  });
});
