/**
 * Surveillance in a real browser: the cross-deal table of latest metrics, a deal's charts (DSCR
 * against the waterfall's 1.35× cash-trap line, utilization, PUE, power price, LTV,
 * concentration), the CSV exports, and the note page's deal metrics and trigger status next to
 * the book. Screenshots under test/artifacts/e2e/.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { noteIds, startE2E, type E2E } from './support.js';

let e: E2E;
let page: Page;

beforeAll(async () => {
  e = await startE2E();
  page = await e.login('investor1');
});
afterAll(async () => e?.close());

describe('surveillance in the browser', () => {
  it("compares the deals' latest metrics", async () => {
    await page.getByTestId('nav-surveillance').click();
    const table = page.getByTestId('surveillance-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    const text = (await table.textContent())!;
    expect(text).toContain('Meridian Compute ABS 2026-1');
    expect(text).toContain('Helios GPU Equipment Trust 2026-A');
    expect(text).toContain('2026-11-30');
    // The dominant tenant of each demo deal holds 58.33% of leased MW.
    expect(text).toContain('58.33');
  });

  it("charts a deal's history with its DSCR trigger line", async () => {
    await page.getByTestId('surveillance-deal').selectOption({ label: 'Meridian Compute ABS 2026-1' });
    for (const chart of ['chart-utilization', 'chart-pue', 'chart-power', 'chart-dscr', 'chart-ltv', 'chart-concentration']) {
      await page.getByTestId(chart).locator('canvas').first().waitFor();
    }
    expect(await page.getByTestId('chart-dscr').textContent()).toContain('cash trap 1.35');
    await e.shot(page, 'surveillance');
  });

  it('exports the comparison and the deal history as CSV', async () => {
    const [all] = await Promise.all([page.waitForEvent('download'), page.getByTestId('surveillance-csv').click()]);
    const allText = fs
      .readFileSync((await all.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(allText[0]).toMatch(/^deal,periodEnd,version,revenue,/);
    expect(allText).toHaveLength(3);
    const [deal] = await Promise.all([page.waitForEvent('download'), page.getByTestId('deal-csv').click()]);
    expect(deal.suggestedFilename()).toBe('performance-Meridian-Compute-ABS-2026-1.csv');
    expect(
      fs
        .readFileSync((await deal.path())!, 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(25);
  });

  it('keeps the deal picked when the deal left answers late', async () => {
    const sdk = await e.sdk('investor1');
    const deals = await sdk.deals();
    const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
    const helios = deals.find((d) => d.name.startsWith('Helios'))!;
    const heliosMarked = `marked ${(await sdk.dealLtv(helios.id)).points.at(-1)!.markedLtvPercent}`;
    const pick = page.getByTestId('surveillance-deal');
    const ltv = page.getByTestId('chart-ltv');
    await pick.selectOption(helios.id);
    await expect.poll(() => ltv.textContent()).toContain(heliosMarked);
    // Meridian's reports are held; the user picks Meridian, then Helios again before it answers.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const meridianReports = `**/api/v1/deals/${meridian.id}/performance-reports*`;
    await page.route(meridianReports, async (route) => {
      await held;
      await route.continue();
    });
    await pick.selectOption(meridian.id);
    await pick.selectOption(helios.id);
    await expect.poll(() => ltv.textContent()).toContain(heliosMarked);
    const late = page.waitForResponse((response) => response.url().includes(`/deals/${meridian.id}/performance-reports`));
    release();
    await late;
    // Let the page handle the late answer (its JSON, then the render it must skip).
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    await page.unroute(meridianReports);
    expect(await pick.inputValue()).toBe(helios.id);
    expect(await ltv.textContent()).toContain(heliosMarked);
  });

  it("shows the deal's latest metrics and trigger status next to the book", async () => {
    const notes = await noteIds(await e.sdk('investor1'));
    await page.goto(`${e.t.url}/notes/${notes['A-2']}`);
    const metrics = page.getByTestId('note-deal-metrics');
    await expect.poll(() => metrics.textContent()).toContain('Period ending 2026-11-30');
    expect(await metrics.textContent()).toContain('DSCR (3-month average)');
    expect(await page.getByTestId('trigger-status').textContent()).toMatch(/cash trap 1\.35×: (passing|breached)/);
    await e.shot(page, 'note-deal-metrics');
    await page.getByTestId('note-surveillance-link').click();
    await page.getByTestId('chart-dscr').locator('canvas').first().waitFor();
    expect(await page.getByTestId('surveillance-deal').inputValue()).toBe(await page.evaluate(() => location.pathname.split('/').pop()));
  });
});
